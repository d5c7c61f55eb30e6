// ctest: RUN_SERIAL
/*
 * it_cache.c: the read cache (server/cache/cache.c) seen from outside.
 *   - public reads of comments and adverts land in Redis with a jittered
 *     TTL; a missing row is cached as a short-lived empty marker;
 *   - every write route of comments and adverts is visible to the very next
 *     read (read, write, read);
 *   - with Redis stopped, public reads still answer 200 from MySQL, and
 *     after Redis is back the cache fills again.
 *
 * Runs alone: it stops Redis. Every test that stops Redis starts it again in
 * its teardown, whether it passed or not.
 */
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

#include "fixtures.h"

/* An integer answer of redis-cli CMD on the fixture's Redis (0 if it failed). */
static long long redis_int(const char *cmd)
{
	char out[64];

	it_redis_try(out, sizeof(out), "%s", cmd);
	return strtoll(out, NULL, 10);
}

static const char *item_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : "";
}

static int64_t comment_new(const char *tok, int64_t fid, const char *title)
{
	return it_created_id(it_postf("/comment/create", tok,
	                              "{\"fid\":%lld,\"title\":\"%s\",\"content\":\"c\","
	                              "\"isAnonymous\":0,\"rating\":3}",
	                              (long long)fid, title));
}

static int64_t advert_new(int is_com, const char *title)
{
	return it_created_id(it_postf(
	    "/advert/create", it_admin,
	    "{\"title\":\"%s\",\"content\":\"c\",\"isCom\":%d,\"status\":0}", title, is_com));
}

static void test_cache_public_reads_are_cached_with_jittered_ttl(void **state)
{
	char *tok = it_customer(NULL, NULL), key[96], out[64];
	int64_t fid = it_film_sql("Drama"), ids[6], unknown = it_sql_id();
	long long ttl, lo = -1, hi = -1;

	for (int i = 0; i < 6; i++) {
		ids[i] = comment_new(tok, fid, it_unique("c-"));
		it_postf_ok("/comment/detail", NULL, "{\"id\":%lld}", (long long)ids[i]);
		snprintf(key, sizeof(key), "PTTL bo:c:comment:%lld", (long long)ids[i]);
		ttl = redis_int(key);
		/* 300 s plus 0..20 % */
		assert_true(ttl > 290000 && ttl <= 360000);
		lo = lo < 0 || ttl < lo ? ttl : lo;
		hi = ttl > hi ? ttl : hi;
	}
	/* six draws of a 60 s jitter do not all land within 2 s of each other */
	assert_true(hi - lo > 2000);

	/* a missing row: an empty marker with a short TTL, and still 404 */
	it_postf_refused("/comment/detail", NULL, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)unknown);
	snprintf(key, sizeof(key), "EXISTS bo:c:comment:%lld", (long long)unknown);
	assert_int_equal(redis_int(key), 1);
	it_redis_try(out, sizeof(out), "STRLEN bo:c:comment:%lld", (long long)unknown);
	assert_string_equal(out, "0");
	snprintf(key, sizeof(key), "PTTL bo:c:comment:%lld", (long long)unknown);
	ttl = redis_int(key);
	assert_true(ttl > 0 && ttl <= 36000);
	it_postf_refused("/comment/detail", NULL, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)unknown);

	/* no lock is left behind */
	snprintf(key, sizeof(key), "EXISTS bo:c:lock:comment:%lld", (long long)ids[0]);
	assert_int_equal(redis_int(key), 0);
	free(tok);
}

static void test_cache_comment_writes_are_seen_by_the_next_read(void **state)
{
	char *tok = it_customer(NULL, NULL);
	int64_t fid = it_film_sql("Drama"), id, second;
	const char *t1 = "first title";
	struct it_resp *r;
	const cJSON *c;

	id = comment_new(tok, fid, t1);
	/* warm both keys */
	it_postf_ok("/comment/detail", NULL, "{\"id\":%lld}", (long long)id);
	r = it_ok(it_postf("/comment/film/list", NULL, "{\"fid\":%lld}", (long long)fid));
	assert_int_equal(it_data_int(r, "total"), 1);
	it_resp_free(r);

	/* create */
	second = comment_new(tok, fid, "second");
	r = it_ok(it_postf("/comment/film/list", NULL, "{\"fid\":%lld}", (long long)fid));
	assert_int_equal(it_data_int(r, "total"), 2);
	assert_non_null(it_list_find(r, second));
	it_resp_free(r);

	/* update */
	it_postf_ok("/comment/update", tok, "{\"id\":%lld,\"title\":\"changed\",\"isAnonymous\":1}",
	            (long long)id);
	r = it_ok(it_postf("/comment/detail", NULL, "{\"id\":%lld}", (long long)id));
	assert_string_equal(it_data_str(r, "title"), "changed");
	assert_int_equal(it_data_int(r, "uid"), 0);
	it_resp_free(r);
	r = it_ok(it_postf("/comment/film/list", NULL, "{\"fid\":%lld}", (long long)fid));
	c = it_list_find(r, id);
	assert_non_null(c);
	assert_string_equal(item_str(c, "title"), "changed");
	assert_int_equal(it_json_int(c, "uid"), 0);
	it_resp_free(r);

	/* hide, then show */
	it_postf_ok("/comment/hide", it_admin, "{\"id\":%lld,\"hidden\":1}", (long long)id);
	it_postf_refused("/comment/detail", NULL, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)id);
	it_listed(it_postf("/comment/film/list", NULL, "{\"fid\":%lld}", (long long)fid), id, 0);
	it_postf_ok("/comment/hide", it_admin, "{\"id\":%lld,\"hidden\":0}", (long long)id);
	it_postf_ok("/comment/detail", NULL, "{\"id\":%lld}", (long long)id);
	it_listed(it_postf("/comment/film/list", NULL, "{\"fid\":%lld}", (long long)fid), id, 1);

	/* remove */
	it_postf_ok("/comment/remove", tok, "{\"id\":%lld}", (long long)id);
	it_postf_refused("/comment/detail", NULL, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)id);
	r = it_ok(it_postf("/comment/film/list", NULL, "{\"fid\":%lld}", (long long)fid));
	assert_null(it_list_find(r, id));
	assert_int_equal(it_data_int(r, "total"), 1);
	it_resp_free(r);
	free(tok);
}

static void test_cache_advert_writes_are_seen_by_the_next_read(void **state)
{
	int64_t com, news;
	struct it_resp *r;
	const cJSON *c;

	/* warm the lists */
	it_post_ok("/advert/commer/list", NULL, NULL);
	it_post_ok("/advert/normal/list", NULL, NULL);

	/* create */
	com = advert_new(1, "cached ad");
	news = advert_new(0, "cached news");
	it_listed(it_postf("/advert/commer/list", NULL, "{}"), com, 1);
	it_listed(it_postf("/advert/normal/list", NULL, "{}"), news, 1);
	it_postf_ok("/advert/detail", NULL, "{\"id\":%lld}", (long long)com);

	/* update */
	it_postf_ok("/advert/update", it_admin, "{\"id\":%lld,\"title\":\"renamed ad\"}",
	            (long long)com);
	r = it_ok(it_postf("/advert/detail", NULL, "{\"id\":%lld}", (long long)com));
	assert_string_equal(it_data_str(r, "title"), "renamed ad");
	it_resp_free(r);
	r = it_ok(it_postf("/advert/commer/list", NULL, "{}"));
	c = it_list_find(r, com);
	assert_non_null(c);
	assert_string_equal(item_str(c, "title"), "renamed ad");
	it_resp_free(r);

	/* expire, then valid again */
	it_postf_ok("/advert/update", it_admin, "{\"id\":%lld,\"status\":1}", (long long)com);
	it_listed(it_postf("/advert/commer/list", NULL, "{}"), com, 0);
	r = it_ok(it_postf("/advert/detail", NULL, "{\"id\":%lld}", (long long)com));
	assert_int_equal(it_data_int(r, "status"), 1);
	it_resp_free(r);
	it_postf_ok("/advert/update", it_admin, "{\"id\":%lld,\"status\":0}", (long long)com);
	it_listed(it_postf("/advert/commer/list", NULL, "{}"), com, 1);

	/* remove (both keys warm) */
	it_postf_ok("/advert/detail", NULL, "{\"id\":%lld}", (long long)news);
	it_resp_free(it_ok(it_postf("/advert/remove", it_admin, "{\"id\":%lld}", (long long)news)));
	it_listed(it_postf("/advert/normal/list", NULL, "{}"), news, 0);
	it_postf_refused("/advert/detail", NULL, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)news);
}

/* One round of every public read this module serves, checked against known rows. */
static void public_reads(int64_t fid, int64_t cid, int64_t com, int64_t news, const char *tok)
{
	struct it_resp *r;

	r = it_ok(it_postf("/comment/detail", NULL, "{\"id\":%lld}", (long long)cid));
	assert_int_equal(it_data_int(r, "fid"), fid);
	it_resp_free(r);
	it_listed(it_postf("/comment/film/list", NULL, "{\"fid\":%lld}", (long long)fid), cid, 1);
	r = it_ok(it_postf("/advert/detail", NULL, "{\"id\":%lld}", (long long)com));
	assert_int_equal(it_data_int(r, "isCom"), 1);
	it_resp_free(r);
	it_listed(it_postf("/advert/commer/list", NULL, "{}"), com, 1);
	it_listed(it_postf("/advert/commer/list", tok, "{}"), com, 1);
	it_listed(it_postf("/advert/normal/list", NULL, "{}"), news, 1);
}

static void test_cache_reads_fall_back_to_mysql_while_redis_is_down(void **state)
{
	char *tok = it_customer(NULL, NULL), key[96];
	int64_t fid = it_film_sql("Drama"), cid = comment_new(tok, fid, "while down");
	int64_t com = advert_new(1, "ad while down"), news = advert_new(0, "news while down");
	struct it_resp *r;
	int filled = 0;

	public_reads(fid, cid, com, news, tok); /* cached */

	assert_int_equal(it_stack("redis-stop"), 0);
	for (int round = 0; round < 3; round++) /* several rounds: no worker gets stuck */
		public_reads(fid, cid, com, news, tok);
	it_postf_refused("/comment/detail", NULL, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)it_sql_id());

	assert_int_equal(it_redis_start(), 0);
	/* workers reconnect within a second or two; reads answer all along */
	snprintf(key, sizeof(key), "GET bo:c:comment:%lld", (long long)cid);
	for (int i = 0; i < 50 && !filled; i++) {
		char out[65536];

		public_reads(fid, cid, com, news, tok);
		it_redis_try(out, sizeof(out), "%s", key);
		filled = out[0] == '{'; /* the row itself, not a marker or a tombstone */
		if (!filled)
			usleep(100 * 1000);
	}
	assert_true(filled);

	/* and writes invalidate again */
	it_postf_ok("/comment/update", tok, "{\"id\":%lld,\"title\":\"back up\"}", (long long)cid);
	r = it_ok(it_postf("/comment/detail", NULL, "{\"id\":%lld}", (long long)cid));
	assert_string_equal(it_data_str(r, "title"), "back up");
	it_resp_free(r);
	free(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_cache_public_reads_are_cached_with_jittered_ttl),
	    cmocka_unit_test(test_cache_comment_writes_are_seen_by_the_next_read),
	    cmocka_unit_test(test_cache_advert_writes_are_seen_by_the_next_read),
	    cmocka_unit_test_teardown(test_cache_reads_fall_back_to_mysql_while_redis_is_down,
	                              it_redis_back),
	};

	return cmocka_run_group_tests(tests, it_admin_setup, it_admin_teardown);
}
