/* fixtures.c: the shared integration test helpers of fixtures.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <librdkafka/rdkafka.h>

#include "fixtures.h"
#include "core/clock.h"

int it_group_setup(void **state)
{
	return it_setup();
}

int it_setup_admin(char **tok)
{
	if (it_setup() != 0)
		return -1;
	*tok = it_admin_token();
	return *tok ? 0 : -1;
}

char *it_admin;

int it_admin_setup(void **state)
{
	(void)state;
	return it_setup_admin(&it_admin);
}

int it_admin_teardown(void **state)
{
	(void)state;
	free(it_admin);
	it_admin = NULL;
	return 0;
}

int it_setup_admin_customer(char **admin, char **customer)
{
	if (it_setup_admin(admin) != 0)
		return -1;
	*customer = it_customer(NULL, NULL);
	return *customer ? 0 : -1;
}

int it_setup_admin_customer_film(char **admin, char **customer, int64_t *film_id, const char *name,
                                 int64_t amount, int length)
{
	struct it_resp *r;

	if (it_setup_admin_customer(admin, customer) != 0)
		return -1;
	r = it_postf("/film/create", *admin,
	             "{\"name\":\"%s\",\"desc\":\"\",\"stock\":0,\"amount\":%lld,"
	             "\"screenwriter\":\"\",\"director\":\"\",\"length\":%d,\"isSelectSeat\":1}",
	             name, (long long)amount, length);
	if (!r || r->status != 200)
		return -1;
	*film_id = it_data_int(r, "id");
	it_resp_free(r);
	return 0;
}

/* REDIS_SHARDS and REDIS_SHARD_PREFIX of server/cache/redis.h. */
#define IT_REDIS_SHARDS 16

/*
 * The clients subscribed to the orders channel on every Redis (each master
 * of a cluster): each daemon's hub has one (server/ws/ws_sub.c). NUMSUB
 * counts clients; NUMPAT would count distinct patterns, one for any number
 * of daemons.
 */
static int orders_subscribers(void)
{
	const char *ports = it_env("REDIS_PORTS"), *p;
	char cmd[128], out[64];
	int n = 0;

	if (!ports || !*ports)
		ports = it_env("REDIS_PORT");
	for (p = ports; *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		FILE *f;

		snprintf(cmd, sizeof(cmd),
		         "redis-cli -p %.*s PUBSUB NUMSUB boxoffice:orders 2>/dev/null </dev/null",
		         (int)strcspn(p, ","), p);
		f = popen(cmd, "r");
		if (!f)
			return 0;
		/* Two lines: the channel, then its subscribers. */
		if (fgets(out, sizeof(out), f) && fgets(out, sizeof(out), f))
			n += atoi(out);
		pclose(f);
	}
	return n;
}

int it_redis_start(void)
{
	const char *url2 = it_env("BOXOFFICE_URL2");
	int daemons = url2 && *url2 ? 2 : 1;
	char out[64];

	if (it_stack("redis-start") != 0)
		return -1;
	/*
	 * The daemons rebuild the seat holds (the last shard is marked ready
	 * last: server/cache/holds.c holds_ready) and subscribe again; both change what WebSocket
	 * clients get (versions raised, snapshots re-sent), so the next test starts after.
	 */
	for (int i = 0; i < 300; i++) {
		it_redis_try(out, sizeof(out), "EXISTS 'bo:{s%d}:holdsready'", IT_REDIS_SHARDS - 1);
		if (!strcmp(out, "1") && orders_subscribers() >= daemons)
			return 0;
		usleep(100000);
	}
	fprintf(stderr, "it_redis_start: the daemons did not rebuild and resubscribe in 30 s\n");
	return -1;
}

int it_redis_back(void **state)
{
	(void)state;
	return it_redis_start();
}

int64_t it_sql_id(void)
{
	static unsigned counter;

	return ((int64_t)time(NULL) << 20) | ((int64_t)(getpid() & 0x3ff) << 10) |
	       (int64_t)(counter++ & 0x3ff);
}

void it_sql_ok(char *out)
{
	assert_non_null(out);
	free(out);
}

/* The printf-style text of fmt and ap (malloc'd); fails the test when out of memory. */
static char *vtext(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vtext(const char *fmt, va_list ap)
{
	char *s = NULL;

	assert_true(vasprintf(&s, fmt, ap) >= 0);
	return s;
}

int64_t it_sql_int(const char *fmt, ...)
{
	char *sql, *out;
	va_list ap;
	int64_t v;

	va_start(ap, fmt);
	sql = vtext(fmt, ap);
	va_end(ap);
	out = it_sql("%s", sql);
	free(sql);
	assert_non_null(out);
	v = strtoll(out, NULL, 10);
	free(out);
	return v;
}

struct it_resp *it_ok(struct it_resp *r)
{
	it_assert_status(r, 200);
	return r;
}

int64_t it_ok_id(struct it_resp *r)
{
	int64_t id;

	it_assert_status(r, 200);
	id = it_data_int(r, "id");
	it_resp_free(r);
	return id;
}

void it_post_ok(const char *path, const char *tok, const char *json)
{
	it_resp_free(it_ok(it_post(path, tok, json)));
}

void it_postf_ok(const char *path, const char *tok, const char *fmt, ...)
{
	char *body;
	va_list ap;

	va_start(ap, fmt);
	body = vtext(fmt, ap);
	va_end(ap);
	it_post_ok(path, tok, body);
	free(body);
}

void it_refused(struct it_resp *r, int status, const char *slug, const char *field)
{
	it_assert_error(r, status, slug);
	if (field != NULL)
		assert_string_equal(it_json_str(it_data(r), "field"), field);
	it_resp_free(r);
}

void it_conflict(struct it_resp *r, const char *reason)
{
	it_assert_error(r, 409, "conflict");
	assert_string_equal(it_json_str(it_data(r), "reason"), reason);
	it_resp_free(r);
}

void it_screening_sql(int64_t sid, int64_t fid, int64_t hid, const char *start, const char *end,
                      int seats)
{
	it_sql_ok(it_sql("INSERT INTO screenings (id, film_id, hall_id, start_at, end_at, prices, "
	                 "discounts, seats_total, create_time, update_time) VALUES (%lld, %lld, "
	                 "%lld, %s, %s, '{}', '{}', %d, UNIX_TIMESTAMP(), UNIX_TIMESTAMP())",
	                 (long long)sid, (long long)fid, (long long)hid, start, end, seats));
}

void it_admin_only(const char *const *paths, size_t npaths, const char *const *toks, size_t ntoks,
                   const char *json)
{
	size_t i, j;

	for (i = 0; i < npaths; i++) {
		it_post_refused(paths[i], NULL, json, 401, "unauthorized", NULL);
		for (j = 0; j < ntoks; j++)
			it_post_refused(paths[i], toks[j], json, 403, "forbidden", NULL);
	}
}

void it_post_refused(const char *path, const char *tok, const char *json, int status,
                     const char *slug, const char *field)
{
	struct it_resp *r = it_post(path, tok, json);

	if (!r || r->status != status)
		print_error("body %s\n", json ? json : "");
	it_refused(r, status, slug, field);
}

void it_postf_refused(const char *path, const char *tok, int status, const char *slug,
                      const char *field, const char *fmt, ...)
{
	char *body;
	va_list ap;

	va_start(ap, fmt);
	body = vtext(fmt, ap);
	va_end(ap);
	it_post_refused(path, tok, body, status, slug, field);
	free(body);
}

int64_t it_json_int(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsNumber(v)) {
		print_error("no number \"%s\"\n", key);
		fail();
	}
	return (int64_t)v->valuedouble;
}

const char *it_json_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v)) {
		print_error("no string \"%s\"\n", key);
		fail();
	}
	return v->valuestring;
}

cJSON *it_data_list(const struct it_resp *r)
{
	cJSON *l = cJSON_GetObjectItemCaseSensitive(it_data(r), "list");

	if (!cJSON_IsArray(l)) {
		print_error("no list in %s\n", r && r->body ? r->body : "(none)");
		fail();
	}
	return l;
}

cJSON *it_list_find(const struct it_resp *r, int64_t id)
{
	cJSON *it;

	cJSON_ArrayForEach(it, it_data_list(r))
	{
		if (it_json_int(it, "id") == id)
			return it;
	}
	return NULL;
}

void it_listed(struct it_resp *r, int64_t id, int want)
{
	it_ok(r);
	if ((it_list_find(r, id) != NULL) != (want != 0))
		fail_msg("id %lld %s data.list of %s", (long long)id, want ? "not in" : "in",
		         r->body);
	it_resp_free(r);
}

int64_t it_film_sql(const char *genre)
{
	int64_t id = it_sql_id();
	char *out = it_sql("INSERT INTO films (id, name, genre, length, amount, stock, "
	                   "is_select_seat, create_time, update_time) "
	                   "VALUES (%lld, '%s', '%s', 100, 4500, 0, 1, UNIX_TIMESTAMP(), "
	                   "UNIX_TIMESTAMP())",
	                   (long long)id, it_unique("film-"), genre);

	assert_non_null(out);
	free(out);
	return id;
}

int64_t it_created_id(struct it_resp *r)
{
	int64_t id;

	it_assert_status(r, 200);
	id = it_data_int(r, "id");
	assert_true(id > 0 && id < (INT64_C(1) << 53));
	it_resp_free(r);
	return id;
}

int64_t it_hall_new(const char *tok, const char *layout_json)
{
	return it_created_id(it_postf("/hall/create", tok, "{\"name\":\"%s\",\"layout\":%s}",
	                              it_unique("hall-"), layout_json));
}

int64_t it_screening_new(const char *tok, int64_t fid, int64_t hid, int64_t start)
{
	return it_created_id(it_postf("/screening/create", tok,
	                              "{\"filmId\":%lld,\"hallId\":%lld,\"startAt\":%lld}",
	                              (long long)fid, (long long)hid, (long long)start));
}

const char *it_rkey(const char *kind, int64_t id)
{
	static char buf[8][96];
	static int next;
	char *b = buf[next++ % 8];

	snprintf(b, sizeof(buf[0]), strcmp(kind, "holdexp") ? "bo:{s%d}:%s:%lld" : "bo:{s%d}:%s",
	         (int)(((id % IT_REDIS_SHARDS) + IT_REDIS_SHARDS) % IT_REDIS_SHARDS), kind,
	         (long long)id);
	return b;
}

void it_redis_url(char *buf, size_t len)
{
	const char *ports = it_env("REDIS_PORTS"), *p;
	size_t n = (size_t)snprintf(buf, len, "redis://");

	if (!ports || !*ports)
		ports = it_env("REDIS_PORT");
	for (p = ports; *p && n < len; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		n += (size_t)snprintf(buf + n, len - n, "%s127.0.0.1:%.*s", p == ports ? "" : ",",
		                      (int)strcspn(p, ","), p);
	}
}

int it_redis_try(char *out, size_t len, const char *fmt, ...)
{
	va_list ap;
	char cmd[512], path[] = "/tmp/it_redis_XXXXXX";
	FILE *f;
	int fd, rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	rc = it_sh("redis-cli -c -p %s %s >%s 2>&1 </dev/null", it_env("REDIS_PORT"), cmd, path);
	out[0] = '\0';
	f = fopen(path, "r");
	if (f) {
		if (!fgets(out, (int)len, f))
			out[0] = '\0';
		fclose(f);
	}
	out[strcspn(out, "\r\n")] = '\0';
	unlink(path);
	return rc;
}

char it_seat_state(int64_t sid, int row, int col)
{
	struct it_resp *r =
	    it_ok(it_postf("/screening/seats", NULL, "{\"id\":%lld}", (long long)sid));
	const cJSON *st =
	    cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(it_data(r), "state"), row);
	char c = cJSON_IsString(st) ? st->valuestring[col] : '?';

	it_resp_free(r);
	return c;
}

void it_wait_seat_state(int64_t sid, int row, int col, char want)
{
	int i;

	for (i = 0; i < 200; i++) {
		if (it_seat_state(sid, row, col) == want)
			return;
		usleep(50000);
	}
	print_error("seat %c%d never became '%c'\n", 'A' + row, col + 1, want);
	fail();
}

void it_free_n(int n, ...)
{
	va_list ap;

	va_start(ap, n);
	while (n-- > 0)
		free(va_arg(ap, void *));
	va_end(ap);
}

void it_free_each(char **v, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(v[i]);
}

struct it_sale it_sale;

struct it_resp *it_hold(const char *tok, int64_t sid, const char *seats)
{
	return it_postf("/seat/hold", tok, "{\"screeningId\":%lld,\"seats\":%s}", (long long)sid,
	                seats);
}

int64_t it_hold_id(const char *tok, int64_t sid, const char *seats)
{
	struct it_resp *r = it_ok(it_hold(tok, sid, seats));
	int64_t id = it_data_int(r, "holdId");

	assert_true(id > 0);
	it_resp_free(r);
	return id;
}

struct it_resp *it_order(const char *tok, int64_t hold_id, const char *items)
{
	return it_postf("/order/create", tok, "{\"holdId\":%lld,\"items\":%s}", (long long)hold_id,
	                items);
}

int64_t it_order_id(const char *tok, int64_t hold_id, const char *items)
{
	return it_ok_id(it_order(tok, hold_id, items));
}

int it_sale_setup(const char *genre, const char *layout)
{
	if (it_setup_admin(&it_sale.admin) < 0)
		return -1;
	it_sale.cust = it_customer(&it_sale.cust_uid, NULL);
	it_sale.cust2 = it_customer(NULL, NULL);
	it_sale.cashier = it_cashier(NULL);
	it_sale.film = it_film_sql(genre);
	it_sale.hall = it_hall_new(it_sale.admin, layout);
	return it_sale.cust && it_sale.cust2 && it_sale.cashier ? 0 : -1;
}

int it_sale_teardown(void **state)
{
	(void)state;
	it_free_n(4, it_sale.admin, it_sale.cust, it_sale.cust2, it_sale.cashier);
	return 0;
}

cJSON *it_kafka_find(const char *topic, it_kafka_match_fn match, const void *arg, int64_t wait_ms)
{
	const char *bootstrap = it_env("KAFKA_BOOTSTRAP");
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_topic_partition_list_t *parts;
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_topic_t *rkt;
	rd_kafka_t *rk;
	cJSON *found = NULL;
	char errstr[256];
	int64_t end = clock_ms() + wait_ms;

	assert_non_null(bootstrap);
	/* A group id is required by the handle; assign() never joins the group. */
	if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr)) ||
	    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)) ||
	    rd_kafka_conf_set(conf, "group.id", it_unique("it-reader-"), errstr, sizeof(errstr)) ||
	    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof(errstr)))
		fail_msg("kafka conf: %s", errstr);
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (!rk)
		fail_msg("kafka consumer: %s", errstr);
	rkt = rd_kafka_topic_new(rk, topic, NULL);
	assert_int_equal(rd_kafka_metadata(rk, 0, rkt, &md, 10000), RD_KAFKA_RESP_ERR_NO_ERROR);
	assert_int_equal(md->topic_cnt, 1);
	assert_int_equal(md->topics[0].err, RD_KAFKA_RESP_ERR_NO_ERROR);
	parts = rd_kafka_topic_partition_list_new(md->topics[0].partition_cnt);
	for (int i = 0; i < md->topics[0].partition_cnt; i++)
		rd_kafka_topic_partition_list_add(parts, topic, md->topics[0].partitions[i].id)
		    ->offset = RD_KAFKA_OFFSET_BEGINNING;
	rd_kafka_metadata_destroy(md);
	rd_kafka_topic_destroy(rkt);
	assert_int_equal(rd_kafka_assign(rk, parts), RD_KAFKA_RESP_ERR_NO_ERROR);
	rd_kafka_topic_partition_list_destroy(parts);

	while (!found && clock_ms() < end) {
		rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 200);
		cJSON *msg;

		if (!m)
			continue;
		if (!m->err && m->payload) {
			msg = cJSON_ParseWithLength(m->payload, m->len);
			if (msg && match(msg, arg))
				found = msg;
			else
				cJSON_Delete(msg);
		}
		rd_kafka_message_destroy(m);
	}
	rd_kafka_consumer_close(rk);
	rd_kafka_destroy(rk);
	return found;
}
