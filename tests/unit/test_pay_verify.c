/*
 * test_pay_verify.c: the checks of /pay/callback before anything is queued
 * (server/svc/pay_verify.c): the signature over the raw body and the
 * fields, including what tests/fuzz/fuzz_paycb.c found (a txnId of 48
 * characters but more than 48 bytes cut the eventId short).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto_json.h"
#include "svc/pay_verify.h"

#define KEY "unit pay secret: at least 32 bytes long"
#define NOW INT64_C(1750000000)

static const char body_ok[] = "{\"id\":12,\"amount\":9000,\"source\":1,\"status\":1,\"txnId\":"
                              "\"sim-0001\",\"ts\":1750000000}";

static void test_pay_verify_signature(void **state)
{
	char sig[65], upper[65];
	size_t i, n = strlen(body_ok);

	assert_int_equal(pay_sign(KEY, body_ok, n, sig), 0);
	assert_int_equal((int)strlen(sig), 64);
	assert_int_equal(pay_signature_ok(KEY, body_ok, n, sig), 1);
	for (i = 0; i < 65; i++)
		upper[i] = sig[i] >= 'a' && sig[i] <= 'f' ? (char)(sig[i] - 32) : sig[i];
	assert_int_equal(pay_signature_ok(KEY, body_ok, n, upper), 1);
	assert_int_equal(pay_signature_ok(KEY "x", body_ok, n, sig), 0);
	assert_int_equal(pay_signature_ok(KEY, body_ok, n - 1, sig), 0);
	assert_int_equal(pay_signature_ok(KEY, body_ok, n, NULL), 0);
	sig[63] = sig[63] == '0' ? '1' : '0';
	assert_int_equal(pay_signature_ok(KEY, body_ok, n, sig), 0);
	sig[63] = '\0';
	assert_int_equal(pay_signature_ok(KEY, body_ok, n, sig), 0);
}

/* pay_callback_parse of body at NOW: the refused field, or NULL with *cb. */
static const char *parse(const char *body, struct pay_callback *cb, cJSON **json)
{
	enum proto_err e;

	*json = proto_json_parse(body, strlen(body), &e);
	assert_non_null(*json);
	return pay_callback_parse(*json, NOW, cb);
}

static void expect_refused(const char *body, const char *field)
{
	struct pay_callback cb;
	cJSON *json;
	const char *bad = parse(body, &cb, &json);

	assert_non_null(bad);
	assert_string_equal(bad, field);
	cJSON_Delete(json);
}

static void test_pay_verify_fields(void **state)
{
	struct pay_callback cb;
	cJSON *json;

	assert_null(parse(body_ok, &cb, &json));
	assert_int_equal(cb.pay_id, 12);
	assert_int_equal(cb.amount, 9000);
	assert_int_equal(cb.status, 1);
	assert_int_equal(cb.ts, NOW);
	assert_string_equal(cb.txn_id, "sim-0001");
	assert_string_equal(cb.event_id, "cb-sim-0001");
	cJSON_Delete(json);
	expect_refused("{\"id\":1,\"amount\":1,\"status\":1,\"txnId\":\"t\",\"ts\":1749999699}",
	               "ts");
	expect_refused("{\"id\":0,\"amount\":1,\"status\":1,\"txnId\":\"t\",\"ts\":1750000300}",
	               "id");
	expect_refused("{\"id\":1,\"amount\":-1,\"status\":1,\"txnId\":\"t\",\"ts\":1750000000}",
	               "amount");
	expect_refused("{\"id\":1,\"amount\":1,\"status\":3,\"txnId\":\"t\",\"ts\":1750000000}",
	               "status");
	expect_refused("{\"id\":1,\"amount\":1,\"status\":2,\"txnId\":\"\",\"ts\":1750000000}",
	               "txnId");
}

/* 48 characters of 2 bytes: the eventId held only the first 30 of them. */
static void test_pay_verify_txn_bytes(void **state)
{
	char body[512], txn[200];
	struct pay_callback cb;
	cJSON *json;
	int i;

	for (i = 0; i < 48; i++)
		memcpy(txn + 2 * i, "\xc3\xa9", 2);
	txn[96] = '\0';
	snprintf(body, sizeof(body),
	         "{\"id\":1,\"amount\":1,\"status\":1,\"txnId\":\"%s\",\"ts\":1750000000}", txn);
	expect_refused(body, "txnId");
	memset(txn, 'a', 48);
	txn[48] = '\0';
	snprintf(body, sizeof(body),
	         "{\"id\":1,\"amount\":1,\"status\":1,\"txnId\":\"%s\",\"ts\":1750000000}", txn);
	assert_null(parse(body, &cb, &json));
	assert_int_equal((int)strlen(cb.event_id), 3 + 48);
	assert_string_equal(cb.event_id + 3, txn);
	cJSON_Delete(json);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {cmocka_unit_test(test_pay_verify_signature),
	                                          cmocka_unit_test(test_pay_verify_fields),
	                                          cmocka_unit_test(test_pay_verify_txn_bytes)};

	return cmocka_run_group_tests_name("pay_verify", tests, NULL, NULL);
}
