/*
 * paytest.c: see paytest.h.
 */
#include "paytest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

int64_t pt_screening(const char *admin, int64_t fid, int64_t offset)
{
	int64_t hid = it_hall_new(admin, "[\"SSSSH\",\"SSSSS\"]");

	return it_screening_new(admin, fid, hid, (int64_t)time(NULL) + offset);
}

int64_t pt_order(int64_t uid, int64_t fid, int64_t sid, const char *seats, int64_t amount,
                 int status, int64_t expire_in)
{
	int64_t oid = it_sql_id();
	char buf[128], *tok, *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", seats);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		n++;
	it_sql_ok(it_sql("INSERT INTO orders (id, uid, fid, screening_id, amount, status, "
	                 "expire_at, create_time, update_time) VALUES (%lld, %lld, %lld, %lld, "
	                 "%lld, %d, UNIX_TIMESTAMP() + %lld, UNIX_TIMESTAMP(), UNIX_TIMESTAMP())",
	                 (long long)oid, (long long)uid, (long long)fid, (long long)sid,
	                 (long long)amount, status, (long long)expire_in));
	snprintf(buf, sizeof(buf), "%s", seats);
	save = NULL;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		it_sql_ok(
		    it_sql("INSERT INTO tickets (id, order_id, screening_id, fid, seat, price, "
		           "status, live, create_time) VALUES (%lld, %lld, %lld, %lld, '%s', "
		           "%lld, 0, 1, UNIX_TIMESTAMP())",
		           (long long)it_sql_id(), (long long)oid, (long long)sid, (long long)fid,
		           tok, (long long)(amount / n)));
	return oid;
}

void pt_sign(const char *body, char out[65])
{
	const char *key = it_env("PAY_SECRET");
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int len = 0, i;

	assert_non_null(key);
	assert_non_null(HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)body,
	                     strlen(body), mac, &len));
	for (i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	out[64] = '\0';
}

struct it_resp *pt_callback(const char *body, const char *sig)
{
	char mine[65], hdr[120];
	const char *headers[3] = {"Content-Type: application/json", NULL, NULL};

	if (!sig) {
		pt_sign(body, mine);
		sig = mine;
	}
	if (sig[0]) {
		snprintf(hdr, sizeof(hdr), "X-Boxoffice-Signature: %s", sig);
		headers[1] = hdr;
	}
	return it_request("POST", "/pay/callback", headers, body, strlen(body));
}

const char *pt_cb_body(int64_t pay_id, int64_t amount, int status, const char *txn, int64_t ts)
{
	/* Per thread: the crash tests call this from several threads at once. */
	static _Thread_local char buf[4][256];
	static _Thread_local int k;
	char *b = buf[k++ % 4];

	snprintf(b, sizeof(buf[0]),
	         "{\"id\":%lld,\"amount\":%lld,\"source\":1,\"status\":%d,\"txnId\":\"%s\","
	         "\"ts\":%lld}",
	         (long long)pay_id, (long long)amount, status, txn, (long long)ts);
	return b;
}

struct sink {
	char buf[8192];
	size_t len;
};

static size_t on_data(char *p, size_t s, size_t n, void *u)
{
	struct sink *k = u;
	size_t m = s * n;

	if (m > sizeof(k->buf) - 1 - k->len)
		m = sizeof(k->buf) - 1 - k->len;
	memcpy(k->buf + k->len, p, m);
	k->len += m;
	k->buf[k->len] = '\0';
	return s * n;
}

cJSON *pt_paysim(const char *method, const char *path, const char *json, long *status)
{
	const char *base = it_env("PAYSIM_URL");
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct sink k = {.len = 0};
	char url[512];
	long st = 0;

	assert_non_null(base);
	assert_non_null(c);
	k.buf[0] = '\0';
	snprintf(url, sizeof(url), "%s%s", base, path);
	h = curl_slist_append(h, "Content-Type: application/json");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &k);
	if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, json ? json : "");
	if (curl_easy_perform(c) == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &st);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (status)
		*status = st;
	return cJSON_Parse(k.buf);
}

void pt_paysim_expect(const char *method, const char *path, const char *json, long want)
{
	long st = 0;

	cJSON_Delete(pt_paysim(method, path, json, &st));
	assert_int_equal(st, want);
}

int64_t pt_wait_sql(int64_t want, const char *fmt, ...)
{
	char q[2048];
	va_list ap;
	int64_t v = INT64_MIN;
	int waited;

	va_start(ap, fmt);
	vsnprintf(q, sizeof(q), fmt, ap);
	va_end(ap);
	for (waited = 0; waited < PT_WAIT_MS; waited += 50) {
		char *out = it_sql("%s", q);

		v = out && out[0] ? strtoll(out, NULL, 10) : INT64_MIN;
		free(out);
		if (v == want)
			return v;
		usleep(50 * 1000);
	}
	print_error("waited %d ms for %lld from: %s (last %lld)\n", PT_WAIT_MS, (long long)want, q,
	            (long long)v);
	return v;
}

struct pt_group pt;

int pt_setup(int ncust, const char *genre)
{
	if (it_setup_admin(&pt.admin) < 0)
		return -1;
	pt.cust = it_customer(&pt.cust_uid, &pt.cust_mobile);
	if (ncust > 1)
		pt.cust2 = it_customer(&pt.cust2_uid, NULL);
	if (!pt.cust || (ncust > 1 && !pt.cust2))
		return -1;
	if (genre)
		pt.film = it_film_sql(genre);
	return 0;
}

int pt_teardown(void **state)
{
	(void)state;
	it_free_n(3, pt.admin, pt.cust, pt.cust2);
	return 0;
}

void pt_approve(int64_t pay_id, int64_t amount, int64_t oid)
{
	char body[128];
	long st = 0;
	cJSON *a;

	snprintf(body, sizeof(body), "{\"payId\":%lld,\"amount\":%lld}", (long long)pay_id,
	         (long long)amount);
	a = pt_paysim("POST", "/api/approve", body, &st);
	assert_int_equal(st, 200);
	assert_string_equal(it_json_str(a, "status"), "approved");
	cJSON_Delete(a);
	if (oid)
		assert_int_equal(
		    pt_wait_sql(1, "SELECT status FROM orders WHERE id = %lld", (long long)oid), 1);
}

int64_t pt_hold_and_order(const char *tok, int64_t sid, const char *seats_json,
                          const char *items_json, int64_t *amount)
{
	struct it_resp *r = it_ok(it_order(tok, it_hold_id(tok, sid, seats_json), items_json));
	int64_t oid;

	assert_int_equal(it_data_int(r, "status"), 4);
	oid = it_data_int(r, "id");
	it_resp_free(r);
	assert_int_equal(
	    pt_wait_sql(0, "SELECT status FROM orders WHERE id = %lld", (long long)oid), 0);
	if (amount) {
		*amount = it_sql_int("SELECT amount FROM orders WHERE id = %lld", (long long)oid);
		assert_true(*amount > 0);
	}
	return oid;
}

int64_t pt_pay_online(const char *tok, int64_t oid)
{
	struct it_resp *r = it_postf("/pay/create", tok, "{\"oid\":%lld}", (long long)oid);
	int64_t id;

	it_assert_status(r, 200);
	id = it_data_int(r, "id");
	it_resp_free(r);
	return id;
}

struct event_want {
	const char *type;
	int64_t oid;
};

static int event_is(const cJSON *e, const void *arg)
{
	const struct event_want *w = arg;
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
	const cJSON *o = cJSON_GetObjectItemCaseSensitive(e, "orderId");

	return cJSON_IsString(t) && strcmp(t->valuestring, w->type) == 0 && cJSON_IsNumber(o) &&
	       (int64_t)o->valuedouble == w->oid;
}

cJSON *pt_event_find(const char *type, int64_t oid)
{
	const char *prefix = it_env("KAFKA_TOPIC_PREFIX");
	struct event_want w = {type, oid};
	char topic[160];

	snprintf(topic, sizeof(topic), "%sevents", prefix ? prefix : "boxoffice.");
	return it_kafka_find(topic, event_is, &w, PT_WAIT_MS);
}
