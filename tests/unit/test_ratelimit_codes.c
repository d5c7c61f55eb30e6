/*
 * test_ratelimit_codes.c: the verification codes (cache/codes.c) and the
 * fixed-window rate limits (cache/ratelimit.c) against a private
 * redis-server that this program starts on a free loopback port and stops.
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
#include <hiredis/hiredis.h>

#include "svc/conns.h"
#include "cache/codes.h"
#include "cache/ratelimit.h"
#include "svc/limit.h"
#include "cache/redis.h"
#include "core/config.h"
#include "core/req.h"
#include "redis_fixture.h"
#include "core/pool.h"

static struct redis_fixture redis;
static struct worker *w;

static int setup_group(void **state)
{
	pool_set_conn_ops(&svc_conn_ops);
	(void)state;
	if (redis_fixture_start(&redis, "test_ratelimit_codes") < 0)
		return -1;
	if (redis_configure(redis.url) < 0)
		return -1;
	cfg.rate_limits = 1;
	w = worker_new_local();
	return w ? 0 : -1;
}

static int teardown_group(void **state)
{
	(void)state;
	worker_free_local(w);
	redis_fixture_remove(&redis);
	return 0;
}

static void issue(enum codes_kind kind, const char *dest, char code[PROTO_CODE_DIGITS + 1])
{
	size_t i;

	assert_int_equal(codes_issue(w, kind, dest, code), 0);
	assert_int_equal(strlen(code), PROTO_CODE_DIGITS);
	for (i = 0; i < PROTO_CODE_DIGITS; i++)
		assert_true(code[i] >= '0' && code[i] <= '9');
}

static void wrong_of(const char *code, char out[PROTO_CODE_DIGITS + 1])
{
	int i;

	for (i = 0; i < PROTO_CODE_DIGITS; i++)
		out[i] = (char)('0' + (code[i] - '0' + 1) % 10);
	out[PROTO_CODE_DIGITS] = '\0';
}

static void test_codes_match_consumes_the_code(void **state)
{
	char code[PROTO_CODE_DIGITS + 1];
	(void)state;

	issue(CODES_EMAIL, "Ada@Example.TEST", code);
	/* Email addresses match without case. */
	assert_int_equal(codes_verify(w, CODES_EMAIL, "ada@example.test", code), CODES_OK);
	assert_int_equal(codes_verify(w, CODES_EMAIL, "ada@example.test", code), CODES_EXPIRED);
}

static void test_codes_max_wrong_tries_burn_the_code(void **state)
{
	char code[PROTO_CODE_DIGITS + 1], wrong[PROTO_CODE_DIGITS + 1];
	redisReply *r;
	int i;
	(void)state;

	issue(CODES_EMAIL, "burn@example.test", code);
	wrong_of(code, wrong);
	for (i = 0; i < PROTO_CODE_MAX_TRIES - 1; i++)
		assert_int_equal(codes_verify(w, CODES_EMAIL, "burn@example.test", wrong),
		                 CODES_WRONG);
	r = redis_cmd(w, "HGET " REDIS_PREFIX "code:email:burn@example.test tries");
	assert_non_null(r);
	assert_int_equal(r->type, REDIS_REPLY_STRING);
	assert_int_equal(atoi(r->str), PROTO_CODE_MAX_TRIES - 1);
	freeReplyObject(r);
	/* The last try still says "wrong", then the code is gone. */
	assert_int_equal(codes_verify(w, CODES_EMAIL, "burn@example.test", wrong), CODES_WRONG);
	assert_int_equal(codes_verify(w, CODES_EMAIL, "burn@example.test", code), CODES_EXPIRED);
}

static void test_codes_new_send_replaces_the_old_code(void **state)
{
	char c1[PROTO_CODE_DIGITS + 1], c2[PROTO_CODE_DIGITS + 1], wrong[PROTO_CODE_DIGITS + 1];
	redisReply *r;
	(void)state;

	issue(CODES_PHONE, "+8615000000001", c1);
	wrong_of(c1, wrong);
	assert_int_equal(codes_verify(w, CODES_PHONE, "+8615000000001", wrong), CODES_WRONG);
	do
		issue(CODES_PHONE, "+8615000000001", c2);
	while (strcmp(c1, c2) == 0);
	/* The replacement starts with no tries counted. */
	r = redis_cmd(w, "HGET " REDIS_PREFIX "code:phone:+8615000000001 tries");
	assert_non_null(r);
	assert_string_equal(r->str, "0");
	freeReplyObject(r);
	assert_int_equal(codes_verify(w, CODES_PHONE, "+8615000000001", c1), CODES_WRONG);
	assert_int_equal(codes_verify(w, CODES_PHONE, "+8615000000001", c2), CODES_OK);
}

static void test_codes_live_for_the_code_ttl(void **state)
{
	char code[PROTO_CODE_DIGITS + 1];
	redisReply *r;
	(void)state;

	issue(CODES_EMAIL, "ttl@example.test", code);
	r = redis_cmd(w, "TTL " REDIS_PREFIX "code:email:ttl@example.test");
	assert_non_null(r);
	assert_int_equal(r->type, REDIS_REPLY_INTEGER);
	assert_true(r->integer > PROTO_CODE_TTL - 5 && r->integer <= PROTO_CODE_TTL);
	freeReplyObject(r);
}

static void test_codes_drop_and_kinds_are_separate(void **state)
{
	char code[PROTO_CODE_DIGITS + 1];
	(void)state;

	issue(CODES_PHONE, "15000000002", code);
	assert_int_equal(codes_verify(w, CODES_EMAIL, "15000000002", code), CODES_EXPIRED);
	codes_drop(w, CODES_PHONE, "15000000002");
	assert_int_equal(codes_verify(w, CODES_PHONE, "15000000002", code), CODES_EXPIRED);
	assert_int_equal(codes_verify(w, CODES_PHONE, "never-sent", "123456"), CODES_EXPIRED);
}

static void test_codes_check_leaves_a_match_live_until_consumed(void **state)
{
	char code[PROTO_CODE_DIGITS + 1], wrong[PROTO_CODE_DIGITS + 1];
	redisReply *r;
	(void)state;

	issue(CODES_EMAIL, "check@example.test", code);
	wrong_of(code, wrong);
	assert_int_equal(codes_check(w, CODES_EMAIL, "Check@example.test", code), CODES_OK);
	assert_int_equal(codes_check(w, CODES_EMAIL, "check@example.test", code), CODES_OK);
	/* A wrong code counts a try as codes_verify does. */
	assert_int_equal(codes_check(w, CODES_EMAIL, "check@example.test", wrong), CODES_WRONG);
	r = redis_cmd(w, "HGET " REDIS_PREFIX "code:email:check@example.test tries");
	assert_non_null(r);
	assert_string_equal(r->str, "1");
	freeReplyObject(r);
	/* Consuming a code that is not the live one leaves the live one alone. */
	assert_int_equal(codes_consume(w, CODES_EMAIL, "check@example.test", wrong), 0);
	assert_int_equal(codes_check(w, CODES_EMAIL, "check@example.test", code), CODES_OK);
	assert_int_equal(codes_consume(w, CODES_EMAIL, "CHECK@example.test", code), 0);
	assert_int_equal(codes_check(w, CODES_EMAIL, "check@example.test", code), CODES_EXPIRED);
	assert_int_equal(codes_consume(w, CODES_EMAIL, "check@example.test", code), 0);
}

static void test_codes_check_burns_after_max_tries(void **state)
{
	char code[PROTO_CODE_DIGITS + 1], wrong[PROTO_CODE_DIGITS + 1];
	int i;
	(void)state;

	issue(CODES_PHONE, "+8615000000003", code);
	wrong_of(code, wrong);
	for (i = 0; i < PROTO_CODE_MAX_TRIES; i++)
		assert_int_equal(codes_check(w, CODES_PHONE, "+8615000000003", wrong), CODES_WRONG);
	assert_int_equal(codes_check(w, CODES_PHONE, "+8615000000003", code), CODES_EXPIRED);
}

static void test_codes_charge_counts_tries_on_a_matched_code(void **state)
{
	char code[PROTO_CODE_DIGITS + 1];
	int i;
	(void)state;

	issue(CODES_EMAIL, "charge@example.test", code);
	for (i = 0; i < PROTO_CODE_MAX_TRIES - 1; i++) {
		assert_int_equal(codes_check(w, CODES_EMAIL, "charge@example.test", code),
		                 CODES_OK);
		codes_charge(w, CODES_EMAIL, "charge@example.test");
	}
	assert_int_equal(codes_check(w, CODES_EMAIL, "charge@example.test", code), CODES_OK);
	codes_charge(w, CODES_EMAIL, "charge@example.test");
	assert_int_equal(codes_check(w, CODES_EMAIL, "charge@example.test", code), CODES_EXPIRED);
	/* No live code: nothing to charge, nothing created. */
	codes_charge(w, CODES_EMAIL, "charge@example.test");
	assert_int_equal(codes_check(w, CODES_EMAIL, "charge@example.test", code), CODES_EXPIRED);
}

static void test_ratelimit_fixed_window(void **state)
{
	int i, ra = -1;
	(void)state;

	for (i = 0; i < 3; i++) {
		assert_int_equal(ratelimit_hit(w, "t", "window", 3, 1, &ra), 0);
		assert_int_equal(ra, 0);
	}
	assert_int_equal(ratelimit_hit(w, "t", "window", 3, 1, &ra), 1);
	assert_int_equal(ra, 1);
	/* Other subjects have their own counters. */
	assert_int_equal(ratelimit_hit(w, "t", "other", 3, 1, &ra), 0);
	redis_fixture_sleep_ms(1100);
	assert_int_equal(ratelimit_hit(w, "t", "window", 3, 1, &ra), 0);
}

static void test_ratelimit_retry_after_counts_down(void **state)
{
	int ra = 0;
	(void)state;

	assert_int_equal(ratelimit_hit(w, "t", "hour", 1, 3600, &ra), 0);
	assert_int_equal(ratelimit_hit(w, "t", "hour", 1, 3600, &ra), 1);
	assert_true(ra > 3590 && ra <= 3600);
}

static void test_ratelimit_off_allows_everything(void **state)
{
	int i, ra;
	(void)state;

	cfg.rate_limits = 0;
	for (i = 0; i < 5; i++)
		assert_int_equal(ratelimit_hit(w, "t", "off", 1, 60, &ra), 0);
	cfg.rate_limits = 1;
}

static void test_ratelimit_req_answers_429(void **state)
{
	struct req r;
	(void)state;

	memset(&r, 0, sizeof(r));
	r.w = w;
	assert_int_equal(limit_req(&r, "t", "req", 1, 60), PROTO_OK);
	assert_int_equal(limit_req(&r, "t", "req", 1, 60), PROTO_ERR_RATE_LIMITED);
	assert_true(r.retry_after >= 59 && r.retry_after <= 60);
	cJSON_Delete(r.err_data);
}

static void addr(const char *remote, const char *want)
{
	char out[64];

	ratelimit_addr_subject(remote, out, sizeof(out));
	assert_string_equal(out, want);
}

static void test_ratelimit_addr_subject_groups_an_ipv6_host(void **state)
{
	(void)state;
	addr("127.0.0.5", "127.0.0.5");
	/* A dual-stack listener sees IPv4 clients as mapped addresses. */
	addr("::ffff:10.1.2.3", "10.1.2.3");
	addr("::FFFF:10.1.2.3", "10.1.2.3");
	/* Every address of one /64 is one subject; the next /64 is another. */
	addr("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64");
	addr("2001:db8:1:2:bbbb:cccc:dddd:9", "2001:db8:1:2::/64");
	addr("2001:db8:1:3::1", "2001:db8:1:3::/64");
	addr("::1", "::/64");
	addr("not-an-address", "not-an-address");
	addr(NULL, "");
}

/* Last: stops Redis. */
static void test_redis_down_fails_closed(void **state)
{
	char code[PROTO_CODE_DIGITS + 1];
	struct req r;
	int ra;
	(void)state;

	redis_fixture_stop(&redis);
	assert_int_equal(ratelimit_hit(w, "t", "down", 10, 60, &ra), -1);
	memset(&r, 0, sizeof(r));
	r.w = w;
	assert_int_equal(limit_req(&r, "t", "down", 10, 60), PROTO_ERR_UNAVAILABLE);
	assert_true(r.retry_after >= 1);
	cJSON_Delete(r.err_data);
	assert_int_equal(codes_issue(w, CODES_EMAIL, "down@example.test", code), -1);
	assert_int_equal(codes_verify(w, CODES_EMAIL, "down@example.test", "123456"),
	                 CODES_UNAVAILABLE);
	assert_int_equal(codes_check(w, CODES_EMAIL, "down@example.test", "123456"),
	                 CODES_UNAVAILABLE);
	assert_int_equal(codes_consume(w, CODES_EMAIL, "down@example.test", "123456"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_codes_match_consumes_the_code),
	    cmocka_unit_test(test_codes_max_wrong_tries_burn_the_code),
	    cmocka_unit_test(test_codes_new_send_replaces_the_old_code),
	    cmocka_unit_test(test_codes_live_for_the_code_ttl),
	    cmocka_unit_test(test_codes_drop_and_kinds_are_separate),
	    cmocka_unit_test(test_codes_check_leaves_a_match_live_until_consumed),
	    cmocka_unit_test(test_codes_check_burns_after_max_tries),
	    cmocka_unit_test(test_codes_charge_counts_tries_on_a_matched_code),
	    cmocka_unit_test(test_ratelimit_fixed_window),
	    cmocka_unit_test(test_ratelimit_retry_after_counts_down),
	    cmocka_unit_test(test_ratelimit_off_allows_everything),
	    cmocka_unit_test(test_ratelimit_req_answers_429),
	    cmocka_unit_test(test_ratelimit_addr_subject_groups_an_ipv6_host),
	    cmocka_unit_test(test_redis_down_fails_closed),
	};

	return cmocka_run_group_tests_name("ratelimit_codes", tests, setup_group, teardown_group);
}
