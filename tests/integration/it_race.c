// ctest: RUN_SERIAL
/*
 * it_race.c: 200 buyers (8 processes of 25 threads, each buyer its own
 * customer) race for the same 20 seats of one screening through the real
 * API: hold (by seat or best available), then at random release, let the
 * hold expire (made due in Redis, as hold_ttl later would), or order; an
 * unpaid order is then at random removed, expired, paid (see below) or kept, so
 * seats keep coming back into the race. Afterwards, in
 * MySQL: no seat has two live tickets, no order lost a seat race it should
 * not have (no seat_taken: Redis refused every conflict first), every
 * accepted order was written, every unpaid order holds all its tickets and
 * every invalid one none, and the seat map agrees with MySQL. Heavy: runs
 * alone.
 *
 * Some unpaid orders are paid: online (/pay/create, then paysim's
 * /api/approve), at the counter by a cashier with an open shift (cash with
 * tendered), or on purpose too late (the order expired first, then the
 * approval: the payment consumer sells again if the seats are free, else
 * refunds). Once every pay is applied: every paid order holds exactly its
 * seats as issued tickets with codes, no unpaid order has an issued ticket,
 * every paid pay belongs to a paid or refunded order, and the seat map shows
 * exactly the issued seats as sold.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/jwt.h"
#include "fixtures.h"
#include "paytest.h"

#define PROCS 8
#define THREADS 25
#define BUYERS (PROCS * THREADS)
#define ROUNDS 10
#define SEATS 20

static char *admin_tok;
static int64_t sid, first_uid;
static char *tokens[BUYERS];
static char *cashier_tok;
/* Per process: its first unpaid order is always paid too late (then at random). */
static int late_taken;

struct buyer {
	int index;
	unsigned seed;
	int64_t orders[ROUNDS];
	int norders, errors, transport, online, counter, late;
	char err[200];
};

static const char *seat_name(int i)
{
	static const char *names[SEATS] = {"A1", "A2", "A3",  "A4", "A5", "A6", "A7",
	                                   "A8", "A9", "A10", "B1", "B2", "B3", "B4",
	                                   "B5", "B6", "B7",  "B8", "B9", "B10"};
	return names[i];
}

/* Expire a hold as the sweeper would see it (redis-cli follows a cluster's redirections). */
static void make_due(int64_t hold_id)
{
	char out[64];

	it_redis_try(out, sizeof(out), "HSET %s exp 1", it_rkey("hold", hold_id));
	it_redis_try(out, sizeof(out), "ZADD %s 1 %lld", it_rkey("holdexp", hold_id),
	             (long long)hold_id);
}

static void note(struct buyer *b, const char *what, const struct it_resp *r)
{
	b->errors++;
	snprintf(b->err, sizeof(b->err), "%s: %ld %.120s", what, r ? r->status : -1L,
	         r && r->body ? r->body : "");
}

/* r when it answered 200; else noted as the buyer's error (what), freed, and NULL. */
static struct it_resp *ok_or_note(struct buyer *b, const char *what, struct it_resp *r)
{
	if (r && r->status == 200)
		return r;
	note(b, what, r);
	it_resp_free(r);
	return NULL;
}

/* Wait until order id leaves pending; its status, or -1. */
static int settle(const char *tok, int64_t id)
{
	int i, st = -1;

	for (i = 0; i < 400; i++) {
		struct it_resp *r = it_postf("/order/detail", tok, "{\"id\":%lld}", (long long)id);

		st = r && r->status == 200 ? (int)it_data_int(r, "status") : -1;
		it_resp_free(r);
		if (st != 4 && st != -1)
			return st;
		usleep(25000);
	}
	return -1;
}

/* Wait until order id has status want (bounded); 0 when it does, -1 if not. */
static int wait_status(const char *tok, int64_t id, int want)
{
	int i, st = -1;

	for (i = 0; i < 400; i++) {
		struct it_resp *r = it_postf("/order/detail", tok, "{\"id\":%lld}", (long long)id);

		st = r && r->status == 200 ? (int)it_data_int(r, "status") : -1;
		it_resp_free(r);
		if (st == want)
			return 0;
		usleep(25000);
	}
	return -1;
}

/* paysim approves pay_id for amount (it sends the signed callback); 0 or -1. */
static int approve(struct buyer *b, int64_t pay_id, int64_t amount)
{
	char body[128];
	long st = 0;
	cJSON *a;
	const cJSON *s;
	int ok;

	snprintf(body, sizeof(body), "{\"payId\":%lld,\"amount\":%lld}", (long long)pay_id,
	         (long long)amount);
	a = pt_paysim("POST", "/api/approve", body, &st);
	s = cJSON_GetObjectItemCaseSensitive(a, "status");
	ok = st == 200 && cJSON_IsString(s) && strcmp(s->valuestring, "approved") == 0;
	if (!ok) {
		b->errors++;
		snprintf(b->err, sizeof(b->err), "approve %lld: %ld", (long long)pay_id, st);
	}
	cJSON_Delete(a);
	return ok ? 0 : -1;
}

/* /pay/create online by the buyer; the pay id (*amount) or 0. */
static int64_t pay_create(struct buyer *b, const char *tok, int64_t oid, int64_t *amount)
{
	struct it_resp *r = ok_or_note(
	    b, "pay/create", it_postf("/pay/create", tok, "{\"oid\":%lld}", (long long)oid));
	int64_t id = 0;

	if (r) {
		id = it_data_int(r, "id");
		*amount = it_data_int(r, "amount");
	}
	it_resp_free(r);
	return id;
}

static void *buyer_main(void *arg)
{
	struct buyer *b = arg;
	const char *tok = tokens[b->index];
	int round;

	for (round = 0; round < ROUNDS; round++) {
		int n = 1 + (int)(rand_r(&b->seed) % 3), pick = (int)(rand_r(&b->seed) % 100), i;
		char body[256], items[256];
		const cJSON *seats;
		struct it_resp *r;
		int64_t hold_id, oid, r2amount;
		size_t off = 0;

		if (rand_r(&b->seed) % 2) {
			off = (size_t)snprintf(body, sizeof(body),
			                       "{\"screeningId\":%lld,\"seats\":[", (long long)sid);
			for (i = 0; i < n; i++)
				off += (size_t)snprintf(body + off, sizeof(body) - off, "%s\"%s\"",
				                        i ? "," : "",
				                        seat_name((int)(rand_r(&b->seed) % SEATS)));
			snprintf(body + off, sizeof(body) - off, "]}");
		} else {
			snprintf(body, sizeof(body), "{\"screeningId\":%lld,\"count\":%d}",
			         (long long)sid, n);
		}
		r = it_post("/seat/hold", tok, body);
		if (!r) {
			/*
			 * No answer at all (the transport gave up on an overloaded
			 * machine): nothing was held for us; not what this test is about.
			 */
			b->transport++;
			continue;
		}
		if (r->status != 200) {
			/* Losing the race is normal; anything else is not. */
			if (r->status != 409 && r->status != 400)
				note(b, "hold", r);
			it_resp_free(r);
			continue;
		}
		hold_id = it_data_int(r, "holdId");
		seats = cJSON_GetObjectItemCaseSensitive(it_data(r), "seats");
		off = (size_t)snprintf(items, sizeof(items), "[");
		for (i = 0; i < cJSON_GetArraySize(seats); i++)
			off += (size_t)snprintf(items + off, sizeof(items) - off,
			                        "%s{\"seat\":\"%s\"}", i ? "," : "",
			                        cJSON_GetArrayItem(seats, i)->valuestring);
		snprintf(items + off, sizeof(items) - off, "]");
		it_resp_free(r);
		if (pick < 20) {
			it_resp_free(ok_or_note(b, "release",
			                        it_postf("/seat/release", tok, "{\"holdId\":%lld}",
			                                 (long long)hold_id)));
			continue;
		}
		if (pick < 35) {
			make_due(hold_id);
			continue;
		}
		/* The hold may expire under the order only if we made it due: we did not. */
		r = ok_or_note(b, "order", it_order(tok, hold_id, items));
		if (!r)
			continue;
		oid = it_data_int(r, "id");
		it_resp_free(r);
		b->orders[b->norders++] = oid;
		if (settle(tok, oid) != 0)
			continue; /* checked in MySQL afterwards */
		pick = (int)(rand_r(&b->seed) % 100);
		if (__atomic_fetch_add(&late_taken, 1, __ATOMIC_SEQ_CST) == 0)
			pick = 50;
		if (pick >= 65 && pick < 75) {
			int64_t amount = 0, pay = pay_create(b, tok, oid, &amount);

			if (pay && approve(b, pay, amount) == 0)
				b->online++;
		} else if (pick >= 75 && pick < 85) {
			r = ok_or_note(
			    b, "detail",
			    it_postf("/order/detail", tok, "{\"id\":%lld}", (long long)oid));
			if (!r)
				continue;
			r2amount = it_data_int(r, "amount");
			it_resp_free(r);
			r = it_postf("/pay/create", cashier_tok,
			             "{\"oid\":%lld,\"source\":0,\"method\":\"cash\","
			             "\"tendered\":%lld}",
			             (long long)oid, (long long)(r2amount + 500));
			if (!r || r->status != 200 || it_data_int(r, "change") != 500)
				note(b, "counter pay", r);
			else
				b->counter++;
			it_resp_free(r);
		} else if (pick >= 50 && pick < 65) {
			/* Too late on purpose: the order expires between create and approve. */
			int64_t amount = 0, pay = pay_create(b, tok, oid, &amount);
			char *out;

			if (!pay)
				continue;
			out =
			    it_sql("UPDATE orders SET expire_at = UNIX_TIMESTAMP() - 1 WHERE id = "
			           "%lld",
			           (long long)oid);
			free(out);
			if (wait_status(tok, oid, 2) < 0) {
				b->errors++;
				snprintf(b->err, sizeof(b->err), "order %lld never expired",
				         (long long)oid);
				continue;
			}
			if (approve(b, pay, amount) == 0)
				b->late++;
		} else if (pick < 25) {
			it_resp_free(ok_or_note(
			    b, "remove",
			    it_postf("/order/remove", tok, "{\"id\":%lld}", (long long)oid)));
		} else if (pick < 50) {
			char *out =
			    it_sql("UPDATE orders SET expire_at = UNIX_TIMESTAMP() - 1 WHERE id = "
			           "%lld",
			           (long long)oid);
			free(out);
		}
	}
	return NULL;
}

/* One process: THREADS buyers; writes its accepted order ids and error count to fd. */
static int child(int p, int fd)
{
	struct buyer b[THREADS];
	pthread_t t[THREADS];
	int i, errors = 0, online = 0, counter = 0, late = 0;

	it_set_source(it_random_source());
	for (i = 0; i < THREADS; i++) {
		memset(&b[i], 0, sizeof(b[i]));
		b[i].index = p * THREADS + i;
		b[i].seed = (unsigned)(time(NULL) ^ (b[i].index * 7919));
		if (pthread_create(&t[i], NULL, buyer_main, &b[i]) != 0)
			return 1;
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		if (b[i].transport)
			fprintf(stderr, "buyer %d: %d holds got no answer\n", b[i].index,
			        b[i].transport);
		online += b[i].online;
		counter += b[i].counter;
		late += b[i].late;
		if (b[i].errors) {
			fprintf(stderr, "buyer %d: %d errors, last: %s\n", b[i].index, b[i].errors,
			        b[i].err);
			errors += b[i].errors;
		}
		if (write(fd, b[i].orders, sizeof(int64_t) * (size_t)b[i].norders) < 0)
			return 1;
	}
	fprintf(stderr, "race: process %d paid %d online, %d at the counter, %d too late\n", p,
	        online, counter, late);
	return errors ? 3 : 0;
}

static int setup(void **state)
{
	const char *secret;
	struct jwt_claims c;
	char *out;
	int i;
	int64_t film, hall;
	struct it_resp *r;

	(void)state;
	if (it_setup_admin(&admin_tok) < 0)
		return -1;
	film = it_film_sql("race");
	hall = it_hall_new(admin_tok, "[\"SSSSSSSSSS\",\"SSSSSSSSSS\"]");
	sid = it_screening_new(admin_tok, film, hall, time(NULL) + 3 * 86400);
	secret = it_env("JWT_SECRET");
	if (!secret)
		return -1;
	/* One cashier with an open shift sells at the counter for every process. */
	cashier_tok = it_cashier(NULL);
	if (!cashier_tok)
		return -1;
	r = it_post("/shift/open", cashier_tok, "{\"float\":10000}");
	if (!r || r->status != 200) {
		it_resp_free(r);
		return -1;
	}
	it_resp_free(r);
	/* 200 customers made with SQL, their tokens signed with the stack's secret. */
	first_uid = it_sql_id();
	for (i = 0; i < BUYERS; i++) {
		out = it_sql(
		    "INSERT INTO users (id, name, mobile, email, password, type, tv, "
		    "create_time, update_time) VALUES (%lld, 'buyer', '%s', '%s', 'x', 0, 0, "
		    "0, 0)",
		    (long long)(first_uid + i), it_unique_mobile(), it_unique_email());
		if (!out)
			return -1;
		free(out);
		memset(&c, 0, sizeof(c));
		c.user_id = first_uid + i;
		c.role = 0;
		c.iat = time(NULL);
		c.exp = c.iat + 3600;
		tokens[i] = jwt_sign(&c, secret, strlen(secret));
		if (!tokens[i])
			return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	it_free_each(tokens, BUYERS);
	free(cashier_tok);
	free(admin_tok);
	return 0;
}

static void test_race_two_hundred_buyers_never_sell_a_seat_twice(void **state)
{
	int64_t ids[BUYERS * ROUNDS];
	pid_t pids[PROCS];
	int fds[2], p, st, failed = 0, nids = 0, i, row, col;
	ssize_t got;
	struct it_resp *r;
	const cJSON *state_rows;

	(void)state;
	assert_int_equal(pipe(fds), 0);
	for (p = 0; p < PROCS; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			close(fds[0]);
			_exit(child(p, fds[1]));
		}
	}
	close(fds[1]);
	while ((got = read(fds[0], (char *)ids + nids * (ssize_t)sizeof(int64_t),
	                   sizeof(ids) - (size_t)nids * sizeof(int64_t))) > 0)
		nids += (int)(got / (ssize_t)sizeof(int64_t));
	close(fds[0]);
	for (p = 0; p < PROCS; p++) {
		assert_int_equal(waitpid(pids[p], &st, 0), pids[p]);
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			failed++;
	}
	print_message("race: %d orders accepted by %d buyers\n", nids, BUYERS);
	assert_int_equal(failed, 0);
	assert_true(nids > 0);

	/* Every accepted order was written (the consumer is done with them by now). */
	for (i = 0; i < nids; i++) {
		int64_t n = 0;
		int tries;

		for (tries = 0; tries < 200; tries++) {
			n = it_sql_int("SELECT COUNT(*) FROM orders WHERE id = %lld",
			               (long long)ids[i]);
			if (n == 1)
				break;
			usleep(50000);
		}
		assert_int_equal(n, 1);
	}
	/* Wait for the expiries asked for to be done. */
	for (i = 0; i < 200 && it_sql_int("SELECT COUNT(*) FROM orders WHERE screening_id = %lld "
	                                  "AND status = 0 AND expire_at <= UNIX_TIMESTAMP()",
	                                  (long long)sid) > 0;
	     i++)
		usleep(50000);
	/* Every payment applied: no pay of this screening is still unpaid. */
	assert_int_equal(pt_wait_sql(0,
	                             "SELECT COUNT(*) FROM pays p JOIN orders o ON o.id = p.oid "
	                             "WHERE o.screening_id = %lld AND p.status = 0",
	                             (long long)sid),
	                 0);
	print_message("race: pays paid online %lld (late ones sold again included), at the counter "
	              "%lld; orders paid %lld, refunded (late) %lld, unpaid %lld, invalid %lld\n",
	              (long long)it_sql_int("SELECT COUNT(*) FROM pays p JOIN orders o ON o.id = "
	                                    "p.oid WHERE o.screening_id = %lld AND p.status = 1 "
	                                    "AND p.source = 1",
	                                    (long long)sid),
	              (long long)it_sql_int("SELECT COUNT(*) FROM pays p JOIN orders o ON o.id = "
	                                    "p.oid WHERE o.screening_id = %lld AND p.status = 1 "
	                                    "AND p.source = 0",
	                                    (long long)sid),
	              (long long)it_sql_int("SELECT COUNT(*) FROM orders WHERE screening_id = %lld "
	                                    "AND status = 1",
	                                    (long long)sid),
	              (long long)it_sql_int("SELECT COUNT(*) FROM orders WHERE screening_id = %lld "
	                                    "AND status = 3",
	                                    (long long)sid),
	              (long long)it_sql_int("SELECT COUNT(*) FROM orders WHERE screening_id = %lld "
	                                    "AND status = 0",
	                                    (long long)sid),
	              (long long)it_sql_int("SELECT COUNT(*) FROM orders WHERE screening_id = %lld "
	                                    "AND status = 2",
	                                    (long long)sid));
	/* 0 seats sold twice. */
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM (SELECT seat FROM tickets WHERE "
	               "screening_id = %lld AND live = 1 GROUP BY seat HAVING COUNT(*) "
	               "> 1) d",
	               (long long)sid),
	    0);
	/* Redis refused every conflict before MySQL had to. */
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM orders WHERE screening_id = %lld AND "
	                            "reason = 'seat_taken'",
	                            (long long)sid),
	                 0);
	/* Unpaid orders hold every ticket, invalid ones none. */
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM orders o WHERE o.screening_id = %lld AND "
	               "o.status = 0 AND o.quantity <> (SELECT COUNT(*) FROM tickets t "
	               "WHERE t.order_id = o.id AND t.live = 1)",
	               (long long)sid),
	    0);
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM tickets t JOIN orders o ON o.id = "
	                            "t.order_id WHERE o.screening_id = %lld AND o.status IN (2, 3) "
	                            "AND t.live = 1",
	                            (long long)sid),
	                 0);
	assert_true(it_sql_int("SELECT COUNT(*) FROM orders WHERE screening_id = %lld AND status "
	                       "IN (0, 1, 2, 3)",
	                       (long long)sid) == nids);
	/* Paid orders hold exactly their seats as issued tickets with codes. */
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM orders o WHERE o.screening_id = %lld AND "
	               "o.status = 1 AND (o.quantity <> (SELECT COUNT(*) FROM tickets t WHERE "
	               "t.order_id = o.id AND t.live = 1 AND t.status = 1 AND t.code IS NOT "
	               "NULL AND LENGTH(t.code) = 12) OR EXISTS (SELECT 1 FROM tickets t WHERE "
	               "t.order_id = o.id AND t.live = 1 AND t.status <> 1))",
	               (long long)sid),
	    0);
	/* No ticket issued for an order that is not paid. */
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM tickets t JOIN orders o ON o.id = "
	                            "t.order_id WHERE o.screening_id = %lld AND o.status <> 1 AND "
	                            "(t.status = 1 OR t.code IS NOT NULL)",
	                            (long long)sid),
	                 0);
	/* Every paid pay belongs to a paid or refunded order. */
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM pays p JOIN orders o ON o.id = p.oid "
	                            "WHERE o.screening_id = %lld AND p.status = 1 AND o.status "
	                            "NOT IN (1, 3)",
	                            (long long)sid),
	                 0);
	/*
	 * The seat map agrees: sold seats are exactly the issued tickets; a
	 * reserved one shows held; a seat with no live ticket is free or held.
	 */
	r = it_ok(it_postf("/screening/seats", NULL, "{\"id\":%lld}", (long long)sid));
	state_rows = cJSON_GetObjectItemCaseSensitive(it_data(r), "state");
	for (row = 0; row < 2; row++) {
		const char *s = cJSON_GetArrayItem(state_rows, row)->valuestring;

		for (col = 0; col < 10; col++) {
			int64_t live =
			    it_sql_int("SELECT COUNT(*) FROM tickets WHERE screening_id = %lld "
			               "AND seat = '%c%d' AND live = 1",
			               (long long)sid, 'A' + row, col + 1);
			int64_t issued =
			    it_sql_int("SELECT COUNT(*) FROM tickets WHERE screening_id = %lld "
			               "AND seat = '%c%d' AND live = 1 AND status = 1",
			               (long long)sid, 'A' + row, col + 1);
			if (issued)
				assert_int_equal(s[col], 's');
			else if (live)
				assert_int_equal(s[col], 'h');
			else
				assert_true(s[col] == 'f' || s[col] == 'h');
		}
	}
	it_resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_race_two_hundred_buyers_never_sell_a_seat_twice),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
