/*
 * orderbench.c: the order consumer's transaction shape run directly on
 * MariaDB, the ceiling bench/orders.sh compares the end-to-end path with
 * (method of shared/research/limits.md section 2, on boxoffice's own
 * tables). Each order is what the consumer writes for a 2-seat order:
 *
 *   INSERT applied_events (eventId), INSERT orders, INSERT tickets (2 rows)
 *
 * Modes:
 *   default   those statements one by one (the consumer also takes a
 *             savepoint per message in a batch and a share lock on the
 *             screening: -c adds both, the consumer's exact shape)
 *   -B        each batch as 3 array-bound executes (STMT_ATTR_ARRAY_SIZE)
 * -t threads (one connection each), -b orders per transaction, -d seconds.
 * Seats never collide: each thread writes its own screening ids.
 *
 *   orderbench -S SOCKET -u USER -p PASSWORD -D DB [-t N] [-b N] [-B] [-c] [-d S]
 *
 * Prints one line: RESULT orders=N seconds=S orders_per_s=R txn_p50_us=.. txn_p99_us=..
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mysql.h>

#define MAX_BATCH 1000
#define MAX_LAT 2000000

static const char *sock, *user = "root", *pass = "", *dbname = "boxoffice";
static int threads = 1, batch = 1, bulk, consumer_shape, seconds = 10;
static atomic_long orders_done;
static atomic_int stop;
static int64_t id_base;
static long *lat;
static atomic_long nlat;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die_stmt(MYSQL_STMT *s, const char *what)
{
	fprintf(stderr, "orderbench: %s: %s\n", what, mysql_stmt_error(s));
	exit(1);
}

static MYSQL_STMT *prep(MYSQL *m, const char *sql)
{
	MYSQL_STMT *s = mysql_stmt_init(m);

	if (!s || mysql_stmt_prepare(s, sql, strlen(sql)))
		die_stmt(s, sql);
	return s;
}

static void bind_i64(MYSQL_BIND *b, int64_t *v)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_LONGLONG;
	b->buffer = v;
}

/* Execute s once for rows rows of the arrays bound in b (STMT_ATTR_ARRAY_SIZE). */
static void bulk_exec(MYSQL_STMT *s, MYSQL_BIND *b, unsigned int rows, const char *what)
{
	mysql_stmt_attr_set(s, STMT_ATTR_ARRAY_SIZE, &rows);
	if (mysql_stmt_bind_param(s, b) || mysql_stmt_execute(s))
		die_stmt(s, what);
}

static void bind_str(MYSQL_BIND *b, char *v, unsigned long *len)
{
	memset(b, 0, sizeof(*b));
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = v;
	b->length = len;
}

struct cols {
	int64_t oid[MAX_BATCH], uid[MAX_BATCH], sid[MAX_BATCH], tid[2 * MAX_BATCH],
	    toid[2 * MAX_BATCH], tsid[2 * MAX_BATCH], now;
	char eid[MAX_BATCH][40], seat[2 * MAX_BATCH][8];
	unsigned long eid_len[MAX_BATCH], seat_len[2 * MAX_BATCH];
	/* array binding wants per-row pointers for strings */
	char *eid_p[MAX_BATCH], *seat_p[2 * MAX_BATCH];
};

static void *worker(void *arg)
{
	long t = (long)arg;
	MYSQL *m = mysql_init(NULL);
	MYSQL_STMT *ev, *ord, *tk, *lock = NULL, *sp = NULL;
	struct cols *c = calloc(1, sizeof(*c));
	int64_t seq = 0, sid_cur = id_base + t * 1000000, seat_no = 0;
	MYSQL_BIND b[8];
	int i;

	if (!m || !c || !mysql_real_connect(m, NULL, user, pass, dbname, 0, sock, 0)) {
		fprintf(stderr, "orderbench: connect: %s\n", m ? mysql_error(m) : "oom");
		exit(1);
	}
	mysql_autocommit(m, 0);
	ev = prep(m, "INSERT INTO applied_events (event_id, type, applied_at) VALUES (?, "
	             "'order.requested', 0)");
	ord =
	    prep(m, "INSERT INTO orders (id, uid, fid, screening_id, hold_id, quantity, amount, "
	            "status, reason, cashier_id, expire_at, paid_at, refund_pending, create_time, "
	            "update_time) VALUES (?, ?, 1, ?, 1, 2, 9000, 0, '', 0, 0, 0, 0, 0, 0)");
	if (bulk)
		tk = prep(
		    m, "INSERT INTO tickets (id, order_id, screening_id, fid, seat, ticket_type, "
		       "price, status, live, create_time) VALUES (?, ?, ?, 1, ?, 'adult', 4500, "
		       "0, 1, 0)");
	else
		tk = prep(
		    m, "INSERT INTO tickets (id, order_id, screening_id, fid, seat, ticket_type, "
		       "price, status, live, create_time) VALUES (?, ?, ?, 1, ?, 'adult', 4500, "
		       "0, 1, 0), (?, ?, ?, 1, ?, 'adult', 4500, 0, 1, 0)");
	if (consumer_shape) {
		lock = prep(
		    m, "SELECT status, start_at FROM screenings WHERE id = ? LOCK IN SHARE MODE");
		sp = prep(m, "SAVEPOINT kq_msg");
	}
	for (i = 0; i < 2 * MAX_BATCH; i++)
		c->seat_p[i] = c->seat[i];
	for (i = 0; i < MAX_BATCH; i++)
		c->eid_p[i] = c->eid[i];
	while (!atomic_load(&stop)) {
		double t0 = now_s();
		int n = batch, k;

		for (k = 0; k < n; k++) {
			int64_t o = id_base + (t << 40) + (++seq) * 4;

			c->oid[k] = o;
			c->uid[k] = 1 + seq % 1000;
			if (seat_no + 2 > 1560) {
				sid_cur++;
				seat_no = 0;
			}
			c->sid[k] = sid_cur;
			c->eid_len[k] =
			    (unsigned long)snprintf(c->eid[k], sizeof(c->eid[k]), "ob-%" PRId64, o);
			for (i = 0; i < 2; i++) {
				c->tid[2 * k + i] = o + 1 + i;
				c->toid[2 * k + i] = o;
				c->tsid[2 * k + i] = sid_cur;
				seat_no++;
				c->seat_len[2 * k + i] = (unsigned long)snprintf(
				    c->seat[2 * k + i], 8, "%c%d", (char)('A' + (seat_no - 1) / 60),
				    (int)((seat_no - 1) % 60 + 1));
			}
		}
		if (bulk) {
			bind_str(&b[0], (char *)c->eid_p, c->eid_len);
			bulk_exec(ev, b, (unsigned int)n, "bulk events");
			bind_i64(&b[0], c->oid);
			bind_i64(&b[1], c->uid);
			bind_i64(&b[2], c->sid);
			bulk_exec(ord, b, (unsigned int)n, "bulk orders");
			bind_i64(&b[0], c->tid);
			bind_i64(&b[1], c->toid);
			bind_i64(&b[2], c->tsid);
			bind_str(&b[3], (char *)c->seat_p, c->seat_len);
			bulk_exec(tk, b, (unsigned int)(2 * n), "bulk tickets");
		} else {
			for (k = 0; k < n; k++) {
				if (consumer_shape && n > 1 && mysql_stmt_execute(sp))
					die_stmt(sp, "savepoint");
				bind_str(&b[0], c->eid[k], &c->eid_len[k]);
				if (mysql_stmt_bind_param(ev, b) || mysql_stmt_execute(ev))
					die_stmt(ev, "event");
				if (consumer_shape) {
					bind_i64(&b[0], &c->sid[k]);
					if (mysql_stmt_bind_param(lock, b) ||
					    mysql_stmt_execute(lock) ||
					    mysql_stmt_store_result(lock))
						die_stmt(lock, "lock");
					mysql_stmt_free_result(lock);
				}
				bind_i64(&b[0], &c->oid[k]);
				bind_i64(&b[1], &c->uid[k]);
				bind_i64(&b[2], &c->sid[k]);
				if (mysql_stmt_bind_param(ord, b) || mysql_stmt_execute(ord))
					die_stmt(ord, "order");
				for (i = 0; i < 2; i++) {
					bind_i64(&b[4 * i + 0], &c->tid[2 * k + i]);
					bind_i64(&b[4 * i + 1], &c->toid[2 * k + i]);
					bind_i64(&b[4 * i + 2], &c->tsid[2 * k + i]);
					bind_str(&b[4 * i + 3], c->seat[2 * k + i],
					         &c->seat_len[2 * k + i]);
				}
				if (mysql_stmt_bind_param(tk, b) || mysql_stmt_execute(tk))
					die_stmt(tk, "tickets");
			}
		}
		if (mysql_commit(m)) {
			fprintf(stderr, "orderbench: commit: %s\n", mysql_error(m));
			exit(1);
		}
		atomic_fetch_add(&orders_done, n);
		{
			long li = atomic_fetch_add(&nlat, 1);

			if (li < MAX_LAT)
				lat[li] = (long)((now_s() - t0) * 1e6);
		}
	}
	mysql_stmt_close(ev);
	mysql_stmt_close(ord);
	mysql_stmt_close(tk);
	if (lock)
		mysql_stmt_close(lock);
	if (sp)
		mysql_stmt_close(sp);
	mysql_close(m);
	free(c);
	return NULL;
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	pthread_t tid[64];
	double t0, t1;
	long n, nl;
	int opt, i;

	while ((opt = getopt(argc, argv, "S:u:p:D:t:b:d:Bc")) != -1) {
		switch (opt) {
		case 'S':
			sock = optarg;
			break;
		case 'u':
			user = optarg;
			break;
		case 'p':
			pass = optarg;
			break;
		case 'D':
			dbname = optarg;
			break;
		case 't':
			threads = atoi(optarg);
			break;
		case 'b':
			batch = atoi(optarg);
			break;
		case 'd':
			seconds = atoi(optarg);
			break;
		case 'B':
			bulk = 1;
			break;
		case 'c':
			consumer_shape = 1;
			break;
		default:
			fprintf(stderr,
			        "usage: orderbench -S SOCKET [-u USER] [-p PASSWORD] [-D DB] "
			        "[-t N] [-b N] [-B] [-c] [-d S]\n");
			return 2;
		}
	}
	if (threads < 1 || threads > 64 || batch < 1 || batch > MAX_BATCH || seconds < 1)
		return 2;
	lat = calloc(MAX_LAT, sizeof(*lat));
	if (!lat)
		return 1;
	/* Ids far from the daemon's (53-bit ids of now), distinct per run. */
	id_base = ((int64_t)time(NULL) % 50000) << 47;
	mysql_library_init(0, NULL, NULL);
	t0 = now_s();
	for (i = 0; i < threads; i++)
		pthread_create(&tid[i], NULL, worker, (void *)(long)i);
	sleep((unsigned)seconds);
	atomic_store(&stop, 1);
	for (i = 0; i < threads; i++)
		pthread_join(tid[i], NULL);
	t1 = now_s();
	n = atomic_load(&orders_done);
	nl = atomic_load(&nlat);
	if (nl > MAX_LAT)
		nl = MAX_LAT;
	qsort(lat, (size_t)nl, sizeof(*lat), cmp_long);
	printf("RESULT orders=%ld seconds=%.2f orders_per_s=%.0f txn_p50_us=%ld txn_p99_us=%ld\n",
	       n, t1 - t0, (double)n / (t1 - t0), nl ? lat[nl / 2] : 0L,
	       nl ? lat[nl * 99 / 100] : 0L);
	free(lat);
	mysql_library_end();
	return 0;
}
