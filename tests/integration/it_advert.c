/*
 * it_advert.c: the advert routes of spec 4.10 against the real daemon:
 * admin-only writes (audited), present-key updates (0 and "" included),
 * the validity window, both lists, the commercial list ordered by a
 * customer's purchases, and announcements published on the Redis channel
 * boxoffice:announce.
 *
 * Films and paid orders are inserted with SQL. Other tests may create
 * adverts at the same time, so lists are checked by relative order of this
 * test's own adverts.
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

/* An order of uid for fid in the given status, with one ticket. */
static void order_new(int64_t uid, int64_t fid, int status)
{
	int64_t oid = it_sql_id(), tid = it_sql_id();
	char *out = it_sql("INSERT INTO orders (id, uid, fid, amount, status, create_time, "
	                   "update_time, paid_at) VALUES (%lld, %lld, %lld, 4500, %d, "
	                   "UNIX_TIMESTAMP(), UNIX_TIMESTAMP(), UNIX_TIMESTAMP()); "
	                   "INSERT INTO tickets (id, order_id, fid, seat, price, status, live, "
	                   "create_time) VALUES (%lld, %lld, %lld, '', 4500, %d, NULL, "
	                   "UNIX_TIMESTAMP())",
	                   (long long)oid, (long long)uid, (long long)fid, status, (long long)tid,
	                   (long long)oid, (long long)fid, status == 1 ? 1 : 0);

	assert_non_null(out);
	free(out);
}

/* Position of id in data.list, or -1. */
static int list_pos(const struct it_resp *r, int64_t id)
{
	cJSON *it;
	int i = 0;

	cJSON_ArrayForEach(it, it_data_list(r))
	{
		if (it_json_int(it, "id") == id)
			return i;
		i++;
	}
	return -1;
}

static struct it_resp *commer(const char *tok)
{
	return it_post("/advert/commer/list", tok, NULL);
}

static struct it_resp *normal(void)
{
	return it_post("/advert/normal/list", NULL, NULL);
}

static struct it_resp *detail(int64_t id)
{
	return it_postf("/advert/detail", NULL, "{\"id\":%lld}", (long long)id);
}

/* Create an advert from a JSON body; returns its id. */
static int64_t advert_new(const char *body)
{
	return it_created_id(it_post("/advert/create", it_admin, body));
}

static int64_t advert_simple(int is_com, int status, const char *title)
{
	char body[512];

	snprintf(body, sizeof(body),
	         "{\"title\":\"%s\",\"content\":\"buy now\",\"isCom\":%d,\"status\":%d}", title,
	         is_com, status);
	return advert_new(body);
}

static int audited(const char *action, int64_t id)
{
	char *out =
	    it_sql("SELECT COUNT(*) FROM audit WHERE action = '%s' AND target = 'advert:%lld'",
	           action, (long long)id);
	int n = out ? atoi(out) : -1;

	free(out);
	return n;
}

static void test_advert_create_is_admin_only_and_detail_shows_it(void **state)
{
	int64_t fid = it_film_sql("Action");
	char *tok = it_customer(NULL, NULL);
	char body[512];
	struct it_resp *r;
	int64_t id;

	snprintf(body, sizeof(body),
	         "{\"title\":\"Popcorn\",\"content\":\"half price\",\"isCom\":1,\"status\":0,"
	         "\"filmId\":%lld,\"genre\":\"Action\",\"startAt\":0,\"endAt\":0}",
	         (long long)fid);
	it_post_refused("/advert/create", tok, body, 403, "forbidden", NULL);
	it_post_refused("/advert/create", NULL, body, 401, "unauthorized", NULL);

	id = advert_new(body);
	r = it_ok(detail(id));
	assert_int_equal(it_data_int(r, "id"), id);
	assert_string_equal(it_data_str(r, "title"), "Popcorn");
	assert_string_equal(it_data_str(r, "content"), "half price");
	assert_int_equal(it_data_int(r, "isCom"), 1);
	assert_int_equal(it_data_int(r, "status"), 0);
	assert_int_equal(it_data_int(r, "filmId"), fid);
	assert_string_equal(it_data_str(r, "genre"), "Action");
	assert_int_equal(it_data_int(r, "startAt"), 0);
	assert_int_equal(it_data_int(r, "endAt"), 0);
	it_resp_free(r);
	assert_int_equal(audited("advert.create", id), 1);

	r = it_ok(commer(NULL));
	assert_true(list_pos(r, id) >= 0);
	assert_true(it_data_int(r, "total") >= 1);
	it_resp_free(r);
	r = normal();
	assert_int_equal(list_pos(r, id), -1);
	it_resp_free(r);

	it_refused(detail(it_sql_id()), 404, "not_found", NULL);
	it_post_refused("/advert/detail", NULL, "{}", 400, "invalid_field", NULL);
	free(tok);
}

static void test_advert_create_refuses_bad_fields(void **state)
{
	static const struct it_bad_field cases[] = {
	    {"{\"content\":\"c\",\"isCom\":1,\"status\":0}", "title"},
	    {"{\"title\":\"\",\"content\":\"c\",\"isCom\":1,\"status\":0}", "title"},
	    {"{\"title\":\"t\",\"isCom\":1,\"status\":0}", "content"},
	    {"{\"title\":\"t\",\"content\":\"c\",\"status\":0}", "isCom"},
	    {"{\"title\":\"t\",\"content\":\"c\",\"isCom\":2,\"status\":0}", "isCom"},
	    {"{\"title\":\"t\",\"content\":\"c\",\"isCom\":1}", "status"},
	    {"{\"title\":\"t\",\"content\":\"c\",\"isCom\":1,\"status\":7}", "status"},
	    {"{\"title\":\"t\",\"content\":\"c\",\"isCom\":1,\"status\":0,\"filmId\":-1}",
	     "filmId"},
	    {"{\"title\":\"t\",\"content\":\"c\",\"isCom\":1,\"status\":0,\"filmId\":123}",
	     "filmId"},
	    {"{\"title\":\"t\",\"content\":\"c\",\"isCom\":1,\"status\":0,\"genre\":5}", "genre"},
	    {"{\"title\":\"t\",\"content\":\"c\",\"isCom\":1,\"status\":0,\"startAt\":-5}",
	     "startAt"},
	    {"{\"title\":\"t\",\"content\":\"c\",\"isCom\":1,\"status\":0,\"startAt\":2000,"
	     "\"endAt\":1000}",
	     "endAt"},
	};
	struct it_resp *r;
	char title[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		it_post_refused("/advert/create", it_admin, cases[i].body, 400, "invalid_field",
		                cases[i].field);
	memset(title, 'x', 101);
	title[101] = '\0';
	r = it_postf("/advert/create", it_admin,
	             "{\"title\":\"%s\",\"content\":\"c\",\"isCom\":1,\"status\":0}", title);
	it_assert_error(r, 400, "invalid_field");
	assert_string_equal(cJSON_GetObjectItem(it_data(r), "field")->valuestring, "title");
	it_resp_free(r);
	{
		char content[2002];

		memset(content, 'y', 2001);
		content[2001] = '\0';
		r = it_postf("/advert/create", it_admin,
		             "{\"title\":\"t\",\"content\":\"%s\",\"isCom\":1,\"status\":0}",
		             content);
		it_assert_error(r, 400, "invalid_field");
		assert_string_equal(cJSON_GetObjectItem(it_data(r), "field")->valuestring,
		                    "content");
		it_resp_free(r);
		content[2000] = '\0'; /* 2000 characters are fine */
		it_postf_ok("/advert/create", it_admin,
		            "{\"title\":\"t\",\"content\":\"%s\",\"isCom\":1,\"status\":1}",
		            content);
	}
}

static void test_advert_update_sets_present_keys_including_zero(void **state)
{
	int64_t fid = it_film_sql("Comedy"), now = (int64_t)time(NULL);
	char *tok = it_customer(NULL, NULL);
	char body[512];
	struct it_resp *r;
	int64_t id;

	snprintf(body, sizeof(body),
	         "{\"title\":\"Old\",\"content\":\"text\",\"isCom\":1,\"status\":1,"
	         "\"filmId\":%lld,\"genre\":\"Comedy\",\"startAt\":%lld,\"endAt\":%lld}",
	         (long long)fid, (long long)(now - 60), (long long)(now + 3600));
	id = advert_new(body);
	r = commer(NULL);
	assert_int_equal(list_pos(r, id), -1); /* stored as expired */
	it_resp_free(r);

	/* status back to 0: valid again; other fields unchanged */
	snprintf(body, sizeof(body), "{\"id\":%lld,\"status\":0}", (long long)id);
	it_post_ok("/advert/update", it_admin, body);
	r = detail(id);
	assert_int_equal(it_data_int(r, "status"), 0);
	assert_string_equal(it_data_str(r, "title"), "Old");
	assert_int_equal(it_data_int(r, "filmId"), fid);
	assert_int_equal(it_data_int(r, "endAt"), now + 3600);
	it_resp_free(r);
	r = commer(NULL);
	assert_true(list_pos(r, id) >= 0);
	it_resp_free(r);
	assert_int_equal(audited("advert.update", id), 1);

	/* isCom back to 0: it moves to the announcements */
	snprintf(body, sizeof(body), "{\"id\":%lld,\"isCom\":0}", (long long)id);
	it_post_ok("/advert/update", it_admin, body);
	r = commer(NULL);
	assert_int_equal(list_pos(r, id), -1);
	it_resp_free(r);
	r = normal();
	assert_true(list_pos(r, id) >= 0);
	it_resp_free(r);

	/* zeros and empty strings are real values */
	snprintf(body, sizeof(body),
	         "{\"id\":%lld,\"filmId\":0,\"genre\":\"\",\"content\":\"\",\"startAt\":0,"
	         "\"endAt\":0,\"title\":\"New\"}",
	         (long long)id);
	it_post_ok("/advert/update", it_admin, body);
	r = detail(id);
	assert_int_equal(it_data_int(r, "filmId"), 0);
	assert_string_equal(it_data_str(r, "genre"), "");
	assert_string_equal(it_data_str(r, "content"), "");
	assert_int_equal(it_data_int(r, "startAt"), 0);
	assert_int_equal(it_data_int(r, "endAt"), 0);
	assert_string_equal(it_data_str(r, "title"), "New");
	assert_int_equal(it_data_int(r, "isCom"), 0);
	assert_int_equal(it_data_int(r, "status"), 0);
	it_resp_free(r);

	/* refused values change nothing */
	snprintf(body, sizeof(body), "{\"id\":%lld,\"title\":\"\"}", (long long)id);
	it_post_refused("/advert/update", it_admin, body, 400, "invalid_field", NULL);
	snprintf(body, sizeof(body), "{\"id\":%lld,\"title\":\"partial\",\"filmId\":%lld}",
	         (long long)id, (long long)it_sql_id());
	r = it_post("/advert/update", it_admin, body);
	it_assert_error(r, 400, "invalid_field");
	assert_string_equal(cJSON_GetObjectItem(it_data(r), "field")->valuestring, "filmId");
	it_resp_free(r);
	snprintf(body, sizeof(body), "{\"id\":%lld,\"startAt\":5000,\"endAt\":4000}",
	         (long long)id);
	r = it_post("/advert/update", it_admin, body);
	it_assert_error(r, 400, "invalid_field");
	assert_string_equal(cJSON_GetObjectItem(it_data(r), "field")->valuestring, "endAt");
	it_resp_free(r);
	r = detail(id);
	assert_string_equal(it_data_str(r, "title"), "New");
	assert_int_equal(it_data_int(r, "startAt"), 0);
	it_resp_free(r);

	/* roles and ids */
	snprintf(body, sizeof(body), "{\"id\":%lld,\"title\":\"x\"}", (long long)id);
	it_post_refused("/advert/update", tok, body, 403, "forbidden", NULL);
	it_post_refused("/advert/update", NULL, body, 401, "unauthorized", NULL);
	snprintf(body, sizeof(body), "{\"id\":%lld,\"title\":\"x\"}", (long long)it_sql_id());
	it_post_refused("/advert/update", it_admin, body, 404, "not_found", NULL);
	it_post_refused("/advert/update", it_admin, "{\"title\":\"x\"}", 400, "invalid_field",
	                NULL);
	free(tok);
}

static void test_advert_outside_its_window_counts_as_expired(void **state)
{
	int64_t now = (int64_t)time(NULL), past, future, current, soon;
	char body[512];
	struct it_resp *r;

	snprintf(body, sizeof(body),
	         "{\"title\":\"past\",\"content\":\"c\",\"isCom\":1,\"status\":0,"
	         "\"startAt\":%lld,\"endAt\":%lld}",
	         (long long)(now - 7200), (long long)(now - 3600));
	past = advert_new(body);
	snprintf(body, sizeof(body),
	         "{\"title\":\"future\",\"content\":\"c\",\"isCom\":1,\"status\":0,"
	         "\"startAt\":%lld}",
	         (long long)(now + 3600));
	future = advert_new(body);
	snprintf(body, sizeof(body),
	         "{\"title\":\"current\",\"content\":\"c\",\"isCom\":1,\"status\":0,"
	         "\"startAt\":%lld,\"endAt\":%lld}",
	         (long long)(now - 60), (long long)(now + 3600));
	current = advert_new(body);
	snprintf(body, sizeof(body),
	         "{\"title\":\"soon over\",\"content\":\"c\",\"isCom\":1,\"status\":0,"
	         "\"endAt\":%lld}",
	         (long long)(now + 2));
	soon = advert_new(body);

	r = it_ok(commer(NULL));
	assert_int_equal(list_pos(r, past), -1);
	assert_int_equal(list_pos(r, future), -1);
	assert_true(list_pos(r, current) >= 0);
	assert_true(list_pos(r, soon) >= 0);
	it_resp_free(r);

	r = detail(past);
	assert_int_equal(it_data_int(r, "status"), 1);
	it_resp_free(r);
	r = detail(future);
	assert_int_equal(it_data_int(r, "status"), 1);
	it_resp_free(r);
	r = detail(current);
	assert_int_equal(it_data_int(r, "status"), 0);
	it_resp_free(r);

	/* opening the window makes it valid again */
	snprintf(body, sizeof(body), "{\"id\":%lld,\"endAt\":0}", (long long)past);
	it_post_ok("/advert/update", it_admin, body);
	r = commer(NULL);
	assert_true(list_pos(r, past) >= 0);
	it_resp_free(r);

	/* a window that closes while the list is cached: gone once it closed */
	for (;;) {
		int closed = (int64_t)time(NULL) > now + 2, pos;

		r = commer(NULL);
		pos = list_pos(r, soon);
		it_resp_free(r);
		if (closed) {
			/* the answer came after the close: it must not list it */
			assert_int_equal(pos, -1);
			break;
		}
		usleep(100 * 1000);
	}
	r = detail(soon);
	assert_int_equal(it_data_int(r, "status"), 1);
	it_resp_free(r);
}

static void test_advert_remove_is_admin_only(void **state)
{
	char *tok = it_customer(NULL, NULL);
	int64_t id = advert_simple(0, 0, "to remove");
	struct it_resp *r;

	it_postf_refused("/advert/remove", tok, 403, "forbidden", NULL, "{\"id\":%lld}",
	                 (long long)id);
	it_postf_ok("/advert/remove", it_admin, "{\"id\":%lld}", (long long)id);
	assert_int_equal(audited("advert.remove", id), 1);
	it_refused(detail(id), 404, "not_found", NULL);
	r = normal();
	assert_int_equal(list_pos(r, id), -1);
	it_resp_free(r);
	it_postf_refused("/advert/remove", it_admin, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)id);
	it_post_refused("/advert/remove", it_admin, "{}", 400, "invalid_field", NULL);
	free(tok);
}

static void test_advert_normal_list_holds_valid_announcements_newest_first(void **state)
{
	int64_t a = advert_simple(0, 0, "first news"), b = advert_simple(0, 0, "second news");
	int64_t expired = advert_simple(0, 1, "old news"), com = advert_simple(1, 0, "an ad");
	struct it_resp *r = normal();
	cJSON *it;

	it_assert_status(r, 200);
	assert_true(list_pos(r, b) >= 0);
	assert_true(list_pos(r, b) < list_pos(r, a));
	assert_int_equal(list_pos(r, expired), -1);
	assert_int_equal(list_pos(r, com), -1);
	cJSON_ArrayForEach(it, it_data_list(r))
	{
		assert_int_equal(it_json_int(it, "isCom"), 0);
		assert_int_equal(it_json_int(it, "status"), 0);
	}
	assert_int_equal(it_data_int(r, "total"), cJSON_GetArraySize(it_data_list(r)));
	it_resp_free(r);
}

static void test_advert_commer_list_puts_bought_films_then_genres_first(void **state)
{
	char genre[64], body[512];
	int64_t uid, fa, fc, ad_film, ad_genre, ad_other_film, ad_rest;
	char *buyer, *stranger;
	struct it_resp *r;

	snprintf(genre, sizeof(genre), "%s", it_unique("Noir-"));
	fa = it_film_sql(genre);
	fc = it_film_sql("Musical");
	buyer = it_customer(&uid, NULL);
	stranger = it_customer(NULL, NULL);
	order_new(uid, fa, 1); /* paid */
	order_new(uid, fc, 0); /* unpaid: does not count */

	/* oldest first: without a token the list is the reverse */
	snprintf(
	    body, sizeof(body),
	    "{\"title\":\"film ad\",\"content\":\"c\",\"isCom\":1,\"status\":0,\"filmId\":%lld}",
	    (long long)fa);
	ad_film = advert_new(body);
	for (char *p = genre; *p; p++) /* genres match without regard to case */
		*p = (char)((*p >= 'A' && *p <= 'Z') ? *p + 32 : *p);
	snprintf(body, sizeof(body),
	         "{\"title\":\"genre ad\",\"content\":\"c\",\"isCom\":1,\"status\":0,"
	         "\"genre\":\"Western, %s\"}",
	         genre);
	ad_genre = advert_new(body);
	snprintf(body, sizeof(body),
	         "{\"title\":\"other film ad\",\"content\":\"c\",\"isCom\":1,\"status\":0,"
	         "\"filmId\":%lld}",
	         (long long)fc);
	ad_other_film = advert_new(body);
	ad_rest = advert_simple(1, 0, "plain ad");

	r = it_ok(commer(NULL));
	assert_true(list_pos(r, ad_rest) < list_pos(r, ad_other_film));
	assert_true(list_pos(r, ad_other_film) < list_pos(r, ad_genre));
	assert_true(list_pos(r, ad_genre) < list_pos(r, ad_film));
	it_resp_free(r);

	r = it_ok(commer(stranger));
	assert_true(list_pos(r, ad_rest) < list_pos(r, ad_genre));
	assert_true(list_pos(r, ad_genre) < list_pos(r, ad_film));
	it_resp_free(r);

	r = it_ok(commer(buyer));
	assert_int_equal(list_pos(r, ad_film), 0);
	assert_int_equal(list_pos(r, ad_genre), 1);
	assert_true(list_pos(r, ad_rest) < list_pos(r, ad_other_film)); /* the rest: newest first */
	assert_true(list_pos(r, ad_rest) > 1);
	it_resp_free(r);

	free(buyer);
	free(stranger);
}

/* --- announcements --------------------------------------------------------- */

struct sub {
	char out[256];
	char pidfile[256];
};

static int file_has(const char *path, const char *needle)
{
	char buf[65536];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return strstr(buf, needle) != NULL;
}

static int file_count(const char *path, const char *needle)
{
	char buf[65536], *p;
	FILE *f = fopen(path, "r");
	size_t n;
	int c = 0;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (p = buf; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		c++;
	return c;
}

static int wait_for(const char *path, const char *needle, int ms)
{
	for (int waited = 0; waited < ms; waited += 50) {
		if (file_has(path, needle))
			return 1;
		usleep(50 * 1000);
	}
	return file_has(path, needle);
}

static void sub_start(struct sub *s)
{
	const char *port = it_env("REDIS_PORT");

	assert_non_null(port);
	snprintf(s->out, sizeof(s->out), "/tmp/it_advert_sub.%d.out", (int)getpid());
	snprintf(s->pidfile, sizeof(s->pidfile), "/tmp/it_advert_sub.%d.pid", (int)getpid());
	unlink(s->out);
	assert_int_equal(
	    it_sh("timeout 60 stdbuf -oL redis-cli -c -p %s SUBSCRIBE boxoffice:announce "
	          ">%s 2>&1 </dev/null & echo $! >%s",
	          port, s->out, s->pidfile),
	    0);
	/* subscribed once redis-cli printed the confirmation */
	assert_true(wait_for(s->out, "boxoffice:announce", 5000));
}

static void sub_stop(struct sub *s)
{
	FILE *f = fopen(s->pidfile, "r");
	int pid = 0;

	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	if (pid > 0)
		it_sh("kill %d 2>/dev/null", pid);
	unlink(s->pidfile);
	unlink(s->out);
}

/* The published message (one line of redis-cli's output) that holds needle, parsed. */
static cJSON *message_with(const char *path, const char *needle)
{
	char line[4096];
	cJSON *m = NULL;
	FILE *f = fopen(path, "r");

	if (!f)
		return NULL;
	while (!m && fgets(line, sizeof(line), f))
		if (strstr(line, needle))
			m = cJSON_Parse(line);
	fclose(f);
	return m;
}

static void test_advert_valid_announcement_is_published(void **state)
{
	struct sub s;
	char t_valid[64], t_com[64], t_expired[64], t_later[64], t_marker[64], body[512];
	int64_t later, valid;
	cJSON *m, *ad;

	snprintf(t_valid, sizeof(t_valid), "%s", it_unique("news-valid-"));
	snprintf(t_com, sizeof(t_com), "%s", it_unique("news-com-"));
	snprintf(t_expired, sizeof(t_expired), "%s", it_unique("news-expired-"));
	snprintf(t_later, sizeof(t_later), "%s", it_unique("news-later-"));
	snprintf(t_marker, sizeof(t_marker), "%s", it_unique("news-marker-"));

	sub_start(&s);
	valid = advert_simple(0, 0, t_valid);
	if (!wait_for(s.out, t_valid, 5000)) {
		sub_stop(&s);
		fail_msg("announcement '%s' was not published", t_valid);
	}
	/* spec 6: {"type":"announcement","advert":{...}} with the advert as /advert/detail has it
	 */
	m = message_with(s.out, t_valid);
	if (!m) {
		sub_stop(&s);
		fail_msg("announcement '%s' is not one JSON object", t_valid);
	}
	ad = cJSON_GetObjectItemCaseSensitive(m, "advert");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(m, "type")->valuestring,
	                    "announcement");
	assert_true(cJSON_IsObject(ad));
	assert_int_equal(it_json_int(ad, "id"), valid);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(ad, "title")->valuestring, t_valid);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(ad, "content")->valuestring,
	                    "buy now");
	assert_int_equal(it_json_int(ad, "isCom"), 0);
	assert_int_equal(it_json_int(ad, "status"), 0);
	cJSON_Delete(m);

	/* not published: a commercial advert, an expired announcement */
	advert_simple(1, 0, t_com);
	later = advert_simple(0, 1, t_expired);
	/* an update that makes an announcement valid publishes it */
	snprintf(body, sizeof(body), "{\"id\":%lld,\"status\":0,\"title\":\"%s\"}",
	         (long long)later, t_later);
	it_post_ok("/advert/update", it_admin, body);
	/* a further edit of a valid announcement is not published again */
	snprintf(body, sizeof(body), "{\"id\":%lld,\"content\":\"edited\"}", (long long)later);
	it_post_ok("/advert/update", it_admin, body);
	advert_simple(0, 0, t_marker);
	if (!wait_for(s.out, t_marker, 5000)) {
		sub_stop(&s);
		fail_msg("announcement '%s' was not published", t_marker);
	}
	int com = file_has(s.out, t_com), expired = file_has(s.out, t_expired);
	int later_n = file_count(s.out, t_later);
	sub_stop(&s);
	assert_false(com);
	assert_false(expired);
	assert_int_equal(later_n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_advert_create_is_admin_only_and_detail_shows_it),
	    cmocka_unit_test(test_advert_create_refuses_bad_fields),
	    cmocka_unit_test(test_advert_update_sets_present_keys_including_zero),
	    cmocka_unit_test(test_advert_outside_its_window_counts_as_expired),
	    cmocka_unit_test(test_advert_remove_is_admin_only),
	    cmocka_unit_test(test_advert_normal_list_holds_valid_announcements_newest_first),
	    cmocka_unit_test(test_advert_commer_list_puts_bought_films_then_genres_first),
	    cmocka_unit_test(test_advert_valid_announcement_is_published),
	};

	return cmocka_run_group_tests(tests, it_admin_setup, it_admin_teardown);
}
