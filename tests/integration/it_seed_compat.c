/*
 * it_seed_compat.c: the example requests of the original system's API
 * description (shared/research/seed-openapi.json) still work, with their
 * field names and answer fields, except where spec section 8 closes a hole:
 * short passwords, public admin registration, a password change without the
 * old password, writes by non-admins. The examples send the raw token
 * without "Bearer ", as the original's clients did.
 *
 * The order and pay examples join this test with the selling issue.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"

/* The raw token of a login answer (no "Bearer "), malloc'd. */
static char *raw_token(const char *mobile, const char *password)
{
	struct it_resp *r = it_postf(
	    "/user/login", NULL, "{\"mobile\": \"%s\", \"password\": \"%s\"}", mobile, password);
	char *t;

	it_assert_status(r, 200);
	assert_non_null(it_data_str(r, "accessToken"));
	assert_true(it_data_int(r, "accessExpire") > 0);
	assert_true(it_data_int(r, "refreshAfter") > 0);
	t = strdup(it_data_str(r, "accessToken"));
	it_resp_free(r);
	return t;
}

static void has_keys(const struct it_resp *r, const char *const *keys)
{
	cJSON *d = it_data(r);

	assert_non_null(d);
	for (; *keys; keys++)
		if (!cJSON_HasObjectItem(d, *keys)) {
			print_error("answer lacks \"%s\": %s\n", *keys, r->body);
			fail();
		}
}

static void test_seed_user_flow(void **state)
{
	static const char *const info_keys[] = {"id",     "name", "gender", "email",
	                                        "mobile", "type", NULL};
	const char *mobile = it_unique_mobile(), *email = it_unique_email();
	struct it_resp *r;
	char *code, *tok;

	it_set_source(it_random_source());
	it_postf_ok("/email/code/send", NULL, "{\"email\": \"%s\"}", email);
	code = it_mail_code(email);
	assert_non_null(code);
	/* The example's six-character password is refused now (section 8)... */
	it_postf_refused(
	    "/user/register", NULL, 400, "invalid_field", NULL,
	    "{\"name\": \"user1\", \"gender\": 1, \"mobile\": \"%s\", \"email\": \"%s\", "
	    "\"password\": \"123456\", \"emailCode\": \"%s\"}",
	    mobile, email, code);
	/* ...and the same request with a long enough one registers. */
	r = it_ok(
	    it_postf("/user/register", NULL,
	             "{\"name\": \"user1\", \"gender\": 1, \"mobile\": \"%s\", \"email\": \"%s\", "
	             "\"password\": \"12345678\", \"emailCode\": \"%s\"}",
	             mobile, email, code));
	assert_true(it_data_int(r, "id") > 0);
	it_resp_free(r);
	free(code);

	tok = raw_token(mobile, "12345678");
	r = it_ok(it_post("/user/userinfo", tok, NULL));
	has_keys(r, info_keys);
	assert_int_equal(it_data_int(r, "type"), 0);
	it_resp_free(r);
	r = it_ok(it_post("/refresh/auth", tok, ""));
	assert_non_null(it_data_str(r, "accessToken"));
	it_resp_free(r);
	it_post_ok("/user/update/info", tok, "{\"name\": \"butane3\"}");
	r = it_post("/user/userinfo", tok, NULL);
	assert_string_equal(it_data_str(r, "name"), "butane3");
	it_resp_free(r);
	/* Section 8: a password change needs the old password (and 8 characters). */
	it_post_refused("/user/update/pass", tok, "{\"password\": \"123\"}", 400, "invalid_field",
	                NULL);
	/* Section 8: admin registration is not public any more. */
	it_postf_refused(
	    "/admin/register", NULL, 401, "unauthorized", NULL,
	    "{\"name\": \"admin\", \"gender\": 1, \"mobile\": \"%s\", \"email\": \"%s\", "
	    "\"password\": \"12345678\", \"emailCode\": \"726575\"}",
	    it_unique_mobile(), it_unique_email());
	it_postf_refused(
	    "/admin/register", tok, 403, "forbidden", NULL,
	    "{\"name\": \"admin\", \"gender\": 1, \"mobile\": \"%s\", \"email\": \"%s\", "
	    "\"password\": \"12345678\", \"emailCode\": \"726575\"}",
	    it_unique_mobile(), it_unique_email());
	free(tok);
}

static void test_seed_film_comment_advert_flow(void **state)
{
	static const char *const film_keys[] = {
	    "id",           "name",     "desc",   "stock",        "amount",
	    "screenwriter", "director", "length", "isSelectSeat", NULL};
	static const char *const comment_keys[] = {"id",      "fid",         "title",
	                                           "content", "isAnonymous", NULL};
	static const char *const advert_keys[] = {"id",    "title",  "content",
	                                          "isCom", "status", NULL};
	char *admin = raw_token(it_env("ADMIN_MOBILE"), it_env("ADMIN_PASSWORD"));
	char *cust = it_customer(NULL, NULL);
	const char *film_body =
	    "{\"name\": \"Star Fight\", \"desc\": \"a excellent movie \", \"stock\": 100, "
	    "\"amount\": 38, \"screenwriter\": \"James\", \"director\": \"John\", "
	    "\"length\": 120, \"isSelectSeat\": 0}";
	struct it_resp *r;
	int64_t fid, cid, aid;
	cJSON *it;
	int found = 0;

	/* Section 8: film writes need the admin role. */
	it_post_refused("/film/create", cust, film_body, 403, "forbidden", NULL);
	r = it_ok(it_post("/film/create", admin, film_body));
	fid = it_data_int(r, "id");
	assert_true(fid > 0);
	it_resp_free(r);
	it_postf_ok("/film/update", admin, "{\"id\": %lld, \"name\": \"Star Fight 2\"}",
	            (long long)fid);
	r = it_ok(it_postf("/film/detail", cust, "{\"id\": %lld}", (long long)fid));
	has_keys(r, film_keys);
	assert_string_equal(it_data_str(r, "name"), "Star Fight 2");
	assert_int_equal(it_data_int(r, "stock"), 100);
	assert_int_equal(it_data_int(r, "amount"), 38);
	it_resp_free(r);
	r = it_ok(it_post("/film/sale/list", cust, ""));
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(it_data(r), "list"))
	{
		cJSON *id = cJSON_GetObjectItem(it, "id");
		if (cJSON_IsNumber(id) && (int64_t)id->valuedouble == fid) {
			found = 1;
			assert_non_null(cJSON_GetObjectItem(it, "isSelectSeat"));
		}
	}
	assert_true(found);
	it_resp_free(r);

	cid = it_ok_id(
	    it_postf("/comment/create", cust,
	             "{\"fid\": %lld, \"title\": \"Nice Movie!\", \"content\": \"i'm going to cry "
	             "now!!!\", \"isAnonymous\": 0}",
	             (long long)fid));
	it_postf_ok("/comment/update", cust, "{\"id\": %lld, \"title\": \"Good movie!\"}",
	            (long long)cid);
	r = it_ok(it_postf("/comment/detail", cust, "{\"id\": %lld}", (long long)cid));
	has_keys(r, comment_keys);
	assert_string_equal(it_data_str(r, "title"), "Good movie!");
	it_resp_free(r);
	r = it_ok(it_post("/comment/list", cust, "{}"));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(it_data(r), "list")), 1);
	it_resp_free(r);
	it_postf_ok("/comment/remove", cust, "{\"id\": %lld}", (long long)cid);

	/* Section 8: advert writes need the admin role. */
	it_post_refused("/advert/create", cust,
	                "{\"title\": \"Hello!\", \"content\": \"Welcome to our cinema!!!\", "
	                "\"isCom\": 0, \"status\": 0}",
	                403, "forbidden", NULL);
	aid = it_ok_id(it_post("/advert/create", admin,
	                       "{\"title\": \"Hello!\", \"content\": \"Welcome to our cinema!!!\", "
	                       "\"isCom\": 0, \"status\": 0}"));
	it_postf_ok("/advert/update", admin,
	            "{\"id\": %lld, \"title\": \"Watch out please!!!\", \"content\": \"On sale now "
	            "again!!!!!\", \"isCom\": 1, \"status\": 0}",
	            (long long)aid);
	r = it_ok(it_postf("/advert/detail", cust, "{\"id\": %lld}", (long long)aid));
	has_keys(r, advert_keys);
	assert_int_equal(it_data_int(r, "isCom"), 1);
	it_resp_free(r);
	r = it_ok(it_post("/advert/commer/list", cust, "{}"));
	found = 0;
	cJSON_ArrayForEach(it, cJSON_GetObjectItem(it_data(r), "list"))
	{
		cJSON *id = cJSON_GetObjectItem(it, "id");
		if (cJSON_IsNumber(id) && (int64_t)id->valuedouble == aid) {
			found = 1;
			assert_non_null(cJSON_GetObjectItem(it, "title"));
			assert_non_null(cJSON_GetObjectItem(it, "content"));
		}
	}
	assert_true(found);
	it_resp_free(r);
	r = it_ok(it_post("/advert/normal/list", cust, "{}"));
	assert_true(cJSON_IsArray(cJSON_GetObjectItem(it_data(r), "list")));
	it_resp_free(r);
	it_postf_ok("/advert/remove", admin, "{\"id\": %lld}", (long long)aid);

	it_postf_ok("/film/remove", admin, "{\"id\": %lld}", (long long)fid);
	it_postf_refused("/film/detail", cust, 404, "not_found", NULL, "{\"id\": %lld}",
	                 (long long)fid);
	free(admin);
	free(cust);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seed_user_flow),
	    cmocka_unit_test(test_seed_film_comment_advert_flow),
	};
	return cmocka_run_group_tests(tests, it_group_setup, NULL);
}
