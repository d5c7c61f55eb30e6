/*
 * it_comment.c: the comment routes of spec 4.9 against the real daemon:
 * creation and its field checks, anonymity for customers and admins,
 * owner-only update, owner-or-admin removal, hiding, the film list with
 * paging and avgRating, and the caller's own list.
 *
 * Films are inserted with SQL (the film service is not under test here).
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

static int64_t admin_uid;

/* tmpl with "FID" replaced by fid; malloc'd. */
static char *with_fid(const char *tmpl, int64_t fid)
{
	const char *p = strstr(tmpl, "FID");
	char *out = NULL;

	if (!p)
		return strdup(tmpl);
	if (asprintf(&out, "%.*s%lld%s", (int)(p - tmpl), tmpl, (long long)fid, p + 3) < 0)
		return NULL;
	return out;
}

static int64_t comment_new(const char *tok, int64_t fid, int anon, int rating)
{
	struct it_resp *r;

	if (rating > 0)
		r = it_postf("/comment/create", tok,
		             "{\"fid\":%lld,\"title\":\"%s\",\"content\":\"good film\","
		             "\"isAnonymous\":%d,\"rating\":%d}",
		             (long long)fid, it_unique("t-"), anon, rating);
	else
		r = it_postf("/comment/create", tok,
		             "{\"fid\":%lld,\"title\":\"%s\",\"content\":\"good film\","
		             "\"isAnonymous\":%d}",
		             (long long)fid, it_unique("t-"), anon);
	return it_created_id(r);
}

static struct it_resp *detail(const char *tok, int64_t id)
{
	return it_postf("/comment/detail", tok, "{\"id\":%lld}", (long long)id);
}

static struct it_resp *film_list(const char *tok, int64_t fid, int page, int size)
{
	return it_postf("/comment/film/list", tok, "{\"fid\":%lld,\"page\":%d,\"pageSize\":%d}",
	                (long long)fid, page, size);
}

static char *user_name(const char *tok, int64_t *uid)
{
	struct it_resp *r = it_post("/user/userinfo", tok, NULL);
	char *name;

	it_assert_status(r, 200);
	name = strdup(it_data_str(r, "name"));
	if (uid)
		*uid = it_data_int(r, "id");
	it_resp_free(r);
	return name;
}

static int group_setup(void **state)
{
	if (it_admin_setup(state) != 0)
		return -1;
	free(user_name(it_admin, &admin_uid));
	return 0;
}

static void test_comment_create_then_detail_shows_every_field(void **state)
{
	int64_t uid, fid = it_film_sql("Drama");
	char *tok = it_customer(&uid, NULL), *name = user_name(tok, NULL);
	struct it_resp *r;
	int64_t id;

	id = it_ok_id(it_postf("/comment/create", tok,
	                       "{\"fid\":%lld,\"title\":\"Lovely\",\"content\":\"Saw it twice.\","
	                       "\"isAnonymous\":0,\"rating\":4}",
	                       (long long)fid));

	r = it_ok(detail(NULL, id));
	assert_int_equal(it_data_int(r, "id"), id);
	assert_int_equal(it_data_int(r, "uid"), uid);
	assert_string_equal(it_data_str(r, "author"), name);
	assert_int_equal(it_data_int(r, "fid"), fid);
	assert_string_equal(it_data_str(r, "title"), "Lovely");
	assert_string_equal(it_data_str(r, "content"), "Saw it twice.");
	assert_int_equal(it_data_int(r, "rating"), 4);
	assert_int_equal(it_data_int(r, "isAnonymous"), 0);
	assert_int_equal(it_data_int(r, "hidden"), 0);
	assert_true(it_data_int(r, "createTime") > 1700000000);
	it_resp_free(r);

	/* without a rating: 0 */
	id = comment_new(tok, fid, 0, 0);
	r = it_ok(detail(NULL, id));
	assert_int_equal(it_data_int(r, "rating"), 0);
	it_resp_free(r);
	free(name);
	free(tok);
}

static void test_comment_create_refuses_bad_fields_and_unknown_films(void **state)
{
	int64_t fid = it_film_sql("Drama"), gone = it_film_sql("Drama");
	char *tok = it_customer(NULL, NULL);
	char long_title[120], long_content[2100];
	char *out;

	memset(long_title, 'a', 101);
	long_title[101] = '\0';
	memset(long_content, 'b', 2001);
	long_content[2001] = '\0';

	/* FID stands for the film's id */
	static const struct it_bad_field cases[] = {
	    {"{\"title\":\"t\",\"content\":\"c\",\"isAnonymous\":0}", "fid"},
	    {"{\"fid\":FID,\"content\":\"c\",\"isAnonymous\":0}", "title"},
	    {"{\"fid\":FID,\"title\":\"\",\"content\":\"c\",\"isAnonymous\":0}", "title"},
	    {"{\"fid\":FID,\"title\":\"t\",\"isAnonymous\":0}", "content"},
	    {"{\"fid\":FID,\"title\":\"t\",\"content\":\"\",\"isAnonymous\":0}", "content"},
	    {"{\"fid\":FID,\"title\":\"t\",\"content\":\"c\"}", "isAnonymous"},
	    {"{\"fid\":FID,\"title\":\"t\",\"content\":\"c\",\"isAnonymous\":2}", "isAnonymous"},
	    {"{\"fid\":FID,\"title\":\"t\",\"content\":\"c\",\"isAnonymous\":0,\"rating\":0}",
	     "rating"},
	    {"{\"fid\":FID,\"title\":\"t\",\"content\":\"c\",\"isAnonymous\":0,\"rating\":6}",
	     "rating"},
	    {"{\"fid\":FID,\"title\":\"t\",\"content\":\"c\",\"isAnonymous\":0,\"rating\":\"5\"}",
	     "rating"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *body = with_fid(cases[i].body, fid);

		it_post_refused("/comment/create", tok, body, 400, "invalid_field", cases[i].field);
		free(body);
	}
	it_postf_refused("/comment/create", tok, 400, "invalid_field", "title",
	                 "{\"fid\":%lld,\"title\":\"%s\",\"content\":\"c\",\"isAnonymous\":0}",
	                 (long long)fid, long_title);
	it_postf_refused("/comment/create", tok, 400, "invalid_field", "content",
	                 "{\"fid\":%lld,\"title\":\"t\",\"content\":\"%s\",\"isAnonymous\":0}",
	                 (long long)fid, long_content);

	/* 100 characters of a multi-byte script are fine */
	{
		char title[401] = "";
		for (int i = 0; i < 100; i++)
			strcat(title, "\xe5\xa5\xbd");
		it_postf_ok("/comment/create", tok,
		            "{\"fid\":%lld,\"title\":\"%s\",\"content\":\"c\",\"isAnonymous\":0}",
		            (long long)fid, title);
	}

	/* unknown and removed films */
	it_postf_refused("/comment/create", tok, 404, "not_found", NULL,
	                 "{\"fid\":%lld,\"title\":\"t\",\"content\":\"c\",\"isAnonymous\":0}",
	                 (long long)it_sql_id());
	out = it_sql("UPDATE films SET removed = 1 WHERE id = %lld", (long long)gone);
	free(out);
	it_postf_refused("/comment/create", tok, 404, "not_found", NULL,
	                 "{\"fid\":%lld,\"title\":\"t\",\"content\":\"c\",\"isAnonymous\":0}",
	                 (long long)gone);

	/* a token is required */
	it_postf_refused("/comment/create", NULL, 401, "unauthorized", NULL,
	                 "{\"fid\":%lld,\"title\":\"t\",\"content\":\"c\",\"isAnonymous\":0}",
	                 (long long)fid);
	free(tok);
}

static void test_comment_anonymous_author_is_hidden_from_all_but_admins(void **state)
{
	int64_t uid, other_uid, fid = it_film_sql("Drama");
	char *tok = it_customer(&uid, NULL), *other = it_customer(&other_uid, NULL);
	char *name = user_name(tok, NULL);
	struct it_resp *r;
	cJSON *c;
	int64_t id = comment_new(tok, fid, 1, 5);

	const char *readers[] = {NULL, other, tok};
	for (size_t i = 0; i < 3; i++) {
		r = it_ok(detail(readers[i], id));
		assert_int_equal(it_data_int(r, "uid"), 0);
		assert_string_equal(it_data_str(r, "author"), "");
		assert_int_equal(it_data_int(r, "isAnonymous"), 1);
		it_resp_free(r);

		r = it_ok(film_list(readers[i], fid, 1, 20));
		c = it_list_find(r, id);
		assert_non_null(c);
		assert_int_equal(it_json_int(c, "uid"), 0);
		assert_string_equal(it_json_str(c, "author"), "");
		it_resp_free(r);
	}

	r = it_ok(detail(it_admin, id));
	assert_int_equal(it_data_int(r, "uid"), uid);
	assert_string_equal(it_data_str(r, "author"), name);
	it_resp_free(r);
	r = it_ok(film_list(it_admin, fid, 1, 20));
	c = it_list_find(r, id);
	assert_non_null(c);
	assert_int_equal(it_json_int(c, "uid"), uid);
	assert_string_equal(it_json_str(c, "author"), name);
	it_resp_free(r);

	/* the writer's own list masks it too (spec 4.9: only admins see through) */
	r = it_ok(it_post("/comment/list", tok, NULL));
	c = it_list_find(r, id);
	assert_non_null(c);
	assert_int_equal(it_json_int(c, "uid"), 0);
	assert_string_equal(it_json_str(c, "author"), "");
	assert_int_equal(it_json_int(c, "isAnonymous"), 1);
	it_resp_free(r);

	/* an unusable token on a public route reads as anonymous, not 401 */
	r = it_ok(detail("not-a-token", id));
	assert_int_equal(it_data_int(r, "uid"), 0);
	it_resp_free(r);
	free(name);
	free(tok);
	free(other);
}

static void test_comment_update_is_owner_only_and_sets_present_keys(void **state)
{
	int64_t fid = it_film_sql("Drama");
	char *tok = it_customer(NULL, NULL), *other = it_customer(NULL, NULL);
	int64_t id = comment_new(tok, fid, 1, 3);
	struct it_resp *r;

	it_postf_ok("/comment/update", tok, "{\"id\":%lld,\"title\":\"New title\"}", (long long)id);
	r = detail(NULL, id);
	assert_string_equal(it_data_str(r, "title"), "New title");
	assert_string_equal(it_data_str(r, "content"), "good film"); /* absent: unchanged */
	assert_int_equal(it_data_int(r, "rating"), 3);
	assert_int_equal(it_data_int(r, "isAnonymous"), 1);
	it_resp_free(r);

	/* 0 is a real value: back to named; rating changed, then cleared with null */
	it_postf_ok("/comment/update", tok,
	            "{\"id\":%lld,\"isAnonymous\":0,\"rating\":5,\"content\":\"better\"}",
	            (long long)id);
	r = detail(NULL, id);
	assert_int_equal(it_data_int(r, "isAnonymous"), 0);
	assert_true(it_data_int(r, "uid") > 0);
	assert_int_equal(it_data_int(r, "rating"), 5);
	assert_string_equal(it_data_str(r, "content"), "better");
	it_resp_free(r);
	it_postf_ok("/comment/update", tok, "{\"id\":%lld,\"rating\":null}", (long long)id);
	r = detail(NULL, id);
	assert_int_equal(it_data_int(r, "rating"), 0);
	it_resp_free(r);

	/* bad values */
	it_postf_refused("/comment/update", tok, 400, "invalid_field", NULL,
	                 "{\"id\":%lld,\"title\":\"\"}", (long long)id);
	it_postf_refused("/comment/update", tok, 400, "invalid_field", NULL,
	                 "{\"id\":%lld,\"rating\":9}", (long long)id);
	it_postf_refused("/comment/update", tok, 400, "invalid_field", "rating",
	                 "{\"id\":%lld,\"rating\":0}", (long long)id);
	{
		char text[2002];

		memset(text, 'x', 101);
		text[101] = '\0';
		it_postf_refused("/comment/update", tok, 400, "invalid_field", "title",
		                 "{\"id\":%lld,\"title\":\"%s\"}", (long long)id, text);
		memset(text, 'y', 2001);
		text[2001] = '\0';
		/* a bad field refuses the whole update: the good title is not written */
		it_postf_refused("/comment/update", tok, 400, "invalid_field", "content",
		                 "{\"id\":%lld,\"title\":\"partial\",\"content\":\"%s\"}",
		                 (long long)id, text);
		text[2000] = '\0'; /* 2000 characters are fine */
		it_postf_ok("/comment/update", tok, "{\"id\":%lld,\"content\":\"%s\"}",
		            (long long)id, text);
		r = detail(NULL, id);
		assert_int_equal(strlen(it_data_str(r, "content")), 2000);
		assert_string_equal(it_data_str(r, "title"), "New title");
		it_resp_free(r);
	}
	it_postf_refused("/comment/update", tok, 400, "invalid_field", NULL, "{\"title\":\"x\"}");

	/* not the owner: another customer gets 404 (never 403 for another customer's
	 * comment, spec 2), an admin is refused with 403 */
	it_postf_refused("/comment/update", other, 404, "not_found", NULL,
	                 "{\"id\":%lld,\"title\":\"hijack\"}", (long long)id);
	it_postf_refused("/comment/update", it_admin, 403, "forbidden", NULL,
	                 "{\"id\":%lld,\"title\":\"hijack\"}", (long long)id);
	r = detail(NULL, id);
	assert_string_equal(it_data_str(r, "title"), "New title");
	it_resp_free(r);

	it_postf_refused("/comment/update", tok, 404, "not_found", NULL,
	                 "{\"id\":%lld,\"title\":\"x\"}", (long long)it_sql_id());
	it_postf_refused("/comment/update", NULL, 401, "unauthorized", NULL,
	                 "{\"id\":%lld,\"title\":\"x\"}", (long long)id);
	free(tok);
	free(other);
}

static void test_comment_remove_by_owner_or_admin_only(void **state)
{
	int64_t fid = it_film_sql("Drama");
	char *tok = it_customer(NULL, NULL), *other = it_customer(NULL, NULL);
	int64_t a = comment_new(tok, fid, 0, 0), b = comment_new(tok, fid, 0, 0);
	struct it_resp *r;

	it_postf_refused("/comment/remove", other, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)a);
	it_resp_free(it_ok(detail(NULL, a)));

	it_postf_ok("/comment/remove", tok, "{\"id\":%lld}", (long long)a);
	it_refused(detail(NULL, a), 404, "not_found", NULL);
	it_postf_refused("/comment/remove", tok, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)a);

	it_postf_ok("/comment/remove", it_admin, "{\"id\":%lld}", (long long)b);
	r = it_ok(film_list(NULL, fid, 1, 20));
	assert_null(it_list_find(r, b));
	assert_int_equal(it_data_int(r, "total"), 0);
	it_resp_free(r);

	/* an admin removing another user's comment is audited */
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'comment.remove' AND "
	               "target = 'comment:%lld' AND actor = %lld",
	               (long long)b, (long long)admin_uid),
	    1);

	it_postf_refused("/comment/remove", tok, 400, "invalid_field", NULL, "{}");
	free(tok);
	free(other);
}

static void test_comment_hide_removes_it_from_public_view(void **state)
{
	int64_t fid = it_film_sql("Drama");
	char *tok = it_customer(NULL, NULL), *other = it_customer(NULL, NULL);
	int64_t shown = comment_new(tok, fid, 0, 2), id = comment_new(tok, fid, 0, 4);
	struct it_resp *r;
	cJSON *c;

	r = film_list(NULL, fid, 1, 20);
	assert_int_equal(it_data_int(r, "total"), 2);
	it_resp_free(r);

	/* customers may not hide */
	it_postf_refused("/comment/hide", tok, 403, "forbidden", NULL, "{\"id\":%lld,\"hidden\":1}",
	                 (long long)id);

	it_postf_ok("/comment/hide", it_admin, "{\"id\":%lld,\"hidden\":1}", (long long)id);

	const char *readers[] = {NULL, other, tok};
	for (size_t i = 0; i < 3; i++) {
		it_refused(detail(readers[i], id), 404, "not_found", NULL);
		r = it_ok(film_list(readers[i], fid, 1, 20));
		assert_null(it_list_find(r, id));
		assert_non_null(it_list_find(r, shown));
		assert_int_equal(it_data_int(r, "total"), 1);
		it_resp_free(r);
	}
	/* the hidden rating no longer counts */
	r = film_list(NULL, fid, 1, 20);
	assert_true(cJSON_GetObjectItem(it_data(r), "avgRating")->valuedouble == 2.0);
	it_resp_free(r);

	/* admins still see it, marked */
	r = it_ok(detail(it_admin, id));
	assert_int_equal(it_data_int(r, "hidden"), 1);
	it_resp_free(r);
	r = film_list(it_admin, fid, 1, 20);
	c = it_list_find(r, id);
	assert_non_null(c);
	assert_int_equal(it_json_int(c, "hidden"), 1);
	it_resp_free(r);

	/* the writer sees it in its own list */
	r = it_post("/comment/list", tok, NULL);
	c = it_list_find(r, id);
	assert_non_null(c);
	assert_int_equal(it_json_int(c, "hidden"), 1);
	it_resp_free(r);

	/* a hidden comment of someone else is not found for a customer */
	it_postf_refused("/comment/update", other, 404, "not_found", NULL,
	                 "{\"id\":%lld,\"title\":\"x\"}", (long long)id);
	it_postf_refused("/comment/remove", other, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)id);

	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'comment.hide' AND "
	                            "target = 'comment:%lld'",
	                            (long long)id),
	                 1);

	/* back to visible */
	it_postf_ok("/comment/hide", it_admin, "{\"id\":%lld,\"hidden\":0}", (long long)id);
	r = it_ok(detail(NULL, id));
	assert_int_equal(it_data_int(r, "hidden"), 0);
	it_resp_free(r);
	r = film_list(NULL, fid, 1, 20);
	assert_int_equal(it_data_int(r, "total"), 2);
	assert_true(cJSON_GetObjectItem(it_data(r), "avgRating")->valuedouble == 3.0);
	it_resp_free(r);

	/* errors */
	it_postf_refused("/comment/hide", it_admin, 404, "not_found", NULL,
	                 "{\"id\":%lld,\"hidden\":1}", (long long)it_sql_id());
	it_postf_refused("/comment/hide", it_admin, 400, "invalid_field", NULL, "{\"id\":%lld}",
	                 (long long)id);
	it_postf_refused("/comment/hide", it_admin, 400, "invalid_field", NULL,
	                 "{\"id\":%lld,\"hidden\":2}", (long long)id);
	it_postf_refused("/comment/hide", NULL, 401, "unauthorized", NULL,
	                 "{\"id\":%lld,\"hidden\":1}", (long long)id);
	free(tok);
	free(other);
}

static void test_comment_film_list_pages_newest_first_with_average(void **state)
{
	int64_t fid = it_film_sql("Drama"), empty = it_film_sql("Drama");
	char *tok = it_customer(NULL, NULL);
	int ratings[] = {5, 4, 3, 0, 2};
	int64_t ids[5];
	struct it_resp *r;
	cJSON *l, *avg;
	int i;

	for (i = 0; i < 5; i++)
		ids[i] = comment_new(tok, fid, 0, ratings[i]);

	r = it_ok(film_list(NULL, fid, 1, 20));
	assert_int_equal(it_data_int(r, "total"), 5);
	avg = cJSON_GetObjectItem(it_data(r), "avgRating");
	assert_true(cJSON_IsNumber(avg));
	assert_true(avg->valuedouble == 3.5); /* (5+4+3+2)/4: unrated ones do not count */
	assert_int_equal(it_data_int(r, "ratingCount"), 4);
	l = it_data_list(r);
	assert_int_equal(cJSON_GetArraySize(l), 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(it_json_int(cJSON_GetArrayItem(l, i), "id"), ids[4 - i]);
	it_resp_free(r);

	r = film_list(NULL, fid, 1, 2);
	l = it_data_list(r);
	assert_int_equal(cJSON_GetArraySize(l), 2);
	assert_int_equal(it_json_int(cJSON_GetArrayItem(l, 0), "id"), ids[4]);
	assert_int_equal(it_json_int(cJSON_GetArrayItem(l, 1), "id"), ids[3]);
	assert_int_equal(it_data_int(r, "total"), 5);
	it_resp_free(r);
	r = film_list(NULL, fid, 3, 2);
	l = it_data_list(r);
	assert_int_equal(cJSON_GetArraySize(l), 1);
	assert_int_equal(it_json_int(cJSON_GetArrayItem(l, 0), "id"), ids[0]);
	it_resp_free(r);
	r = it_ok(film_list(NULL, fid, 4, 2));
	assert_int_equal(cJSON_GetArraySize(it_data_list(r)), 0);
	it_resp_free(r);

	/* a film without comments: empty list, average 0 */
	r = it_ok(film_list(NULL, empty, 1, 20));
	assert_int_equal(cJSON_GetArraySize(it_data_list(r)), 0);
	assert_int_equal(it_data_int(r, "total"), 0);
	assert_true(cJSON_GetObjectItem(it_data(r), "avgRating")->valuedouble == 0);
	it_resp_free(r);

	/* errors */
	it_refused(film_list(NULL, it_sql_id(), 1, 20), 404, "not_found", NULL);
	it_refused(film_list(NULL, fid, 1, 101), 400, "invalid_field", NULL);
	it_refused(film_list(NULL, fid, 0, 10), 400, "invalid_field", NULL);
	it_post_refused("/comment/film/list", NULL, "{}", 400, "invalid_field", NULL);
	free(tok);
}

static void test_comment_list_holds_only_the_callers_comments(void **state)
{
	int64_t fid = it_film_sql("Drama");
	char *a = it_customer(NULL, NULL), *b = it_customer(NULL, NULL);
	int64_t a1 = comment_new(a, fid, 1, 0), b1 = comment_new(b, fid, 0, 0);
	int64_t a2 = comment_new(a, fid, 0, 0);
	struct it_resp *r;
	cJSON *l;

	r = it_ok(it_post("/comment/list", a, NULL));
	l = it_data_list(r);
	assert_int_equal(cJSON_GetArraySize(l), 2);
	assert_int_equal(it_data_int(r, "total"), 2);
	assert_int_equal(it_json_int(cJSON_GetArrayItem(l, 0), "id"), a2);
	assert_int_equal(it_json_int(cJSON_GetArrayItem(l, 1), "id"), a1);
	assert_null(it_list_find(r, b1));
	it_resp_free(r);

	r = it_ok(it_post("/comment/list", a, "{\"page\":2,\"pageSize\":1}"));
	l = it_data_list(r);
	assert_int_equal(cJSON_GetArraySize(l), 1);
	assert_int_equal(it_json_int(cJSON_GetArrayItem(l, 0), "id"), a1);
	it_resp_free(r);

	it_post_refused("/comment/list", NULL, NULL, 401, "unauthorized", NULL);
	free(a);
	free(b);
}

static void test_comment_detail_needs_a_valid_id(void **state)
{
	it_post_refused("/comment/detail", NULL, "{}", 400, "invalid_field", NULL);
	it_post_refused("/comment/detail", NULL, "{\"id\":0}", 400, "invalid_field", NULL);
	it_post_refused("/comment/detail", NULL, "{\"id\":\"12\"}", 400, "invalid_field", NULL);
	it_refused(detail(NULL, it_sql_id()), 404, "not_found", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_comment_create_then_detail_shows_every_field),
	    cmocka_unit_test(test_comment_create_refuses_bad_fields_and_unknown_films),
	    cmocka_unit_test(test_comment_anonymous_author_is_hidden_from_all_but_admins),
	    cmocka_unit_test(test_comment_update_is_owner_only_and_sets_present_keys),
	    cmocka_unit_test(test_comment_remove_by_owner_or_admin_only),
	    cmocka_unit_test(test_comment_hide_removes_it_from_public_view),
	    cmocka_unit_test(test_comment_film_list_pages_newest_first_with_average),
	    cmocka_unit_test(test_comment_list_holds_only_the_callers_comments),
	    cmocka_unit_test(test_comment_detail_needs_a_valid_id),
	};

	return cmocka_run_group_tests(tests, group_setup, it_admin_teardown);
}
