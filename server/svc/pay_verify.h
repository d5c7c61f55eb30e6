/*
 * pay_verify.h: what /pay/callback checks before it queues anything (spec
 * 4.7): the provider's signature over the raw body and the body's fields.
 * Pure (OpenSSL HMAC and cJSON only, no globals, no I/O), so that
 * tests/fuzz/fuzz_paycb.c reaches it without a stack; any thread.
 */
#ifndef BOXOFFICE_SVC_PAY_VERIFY_H
#define BOXOFFICE_SVC_PAY_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* How far a callback's ts may be from the server's clock (spec 4.7). */
#define PAY_TS_WINDOW 300
/* Largest amount of a payment, in cents. */
#define PAY_AMOUNT_MAX INT64_C(100000000000)
/*
 * Longest txnId, in characters and in bytes: "cb-" + txnId must fit an
 * eventId and the txnId a pay row (store/store_pay.h STORE_PAY_TXN_MAX).
 */
#define PAY_TXN_MAX 48
#define PAY_EVENT_ID_SIZE 64

/* A callback body that passed pay_callback_parse. txn_id borrows from the body. */
struct pay_callback {
	int64_t pay_id, amount, status, ts;
	const char *txn_id;
	char event_id[PAY_EVENT_ID_SIZE]; /* "cb-" + txnId: one effect per txnId */
};

/* hex(HMAC-SHA256(key, data)) into out (65 bytes). Returns 0 or -1. */
int pay_sign(const char *key, const char *data, size_t len, char out[65]);

/*
 * 1 when signature (NULL: absent) is the 64 hex digits of
 * HMAC-SHA256(key, raw[0..len)), in either case; compared in constant time.
 * 0 otherwise.
 */
int pay_signature_ok(const char *key, const char *raw, size_t len, const char *signature);

/*
 * Read the fields of a callback body (an object) at server time now: ts
 * within PAY_TS_WINDOW of now, id a pay id, amount 0..PAY_AMOUNT_MAX,
 * status 1 (paid) or 2 (declined), txnId a non-empty string of at most
 * PAY_TXN_MAX bytes. Returns NULL with *out filled, or the name of the first
 * field refused (a static string), in that order.
 */
const char *pay_callback_parse(const cJSON *body, int64_t now, struct pay_callback *out);

#endif
