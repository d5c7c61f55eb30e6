/*
 * fuzz_paycb.c: libFuzzer harness for what /pay/callback checks before it
 * queues a payment (server/svc/pay_verify.c): the provider's signature over
 * the raw body and the body's fields.
 *
 * Input: byte 0 picks how the signature is made, the rest is the raw body
 * (for mode 5 the body ends at the last NUL and the bytes after it are the
 * signature header as sent, cut like the transport cuts it).
 *
 * 1. pay_signature_ok answers 1 exactly when the header is 64 characters
 *    that are, ignoring ASCII case, the lower-case hex HMAC-SHA256 of the raw
 *    body under the secret (computed here without pay_sign); a correct
 *    signature with one character changed, one dropped or one added, or made
 *    with another secret, is refused;
 * 2. the body goes through proto_json_parse as the dispatcher reads it, and
 *    then pay_callback_parse at a fixed clock and at the body's own ts (so the
 *    fuzzer gets past the ts window): the answer is NULL or one of the five
 *    field names; on NULL every field is what the body holds and within the
 *    contract (ts within 300 s, id 1..2^53-1, amount 0..10^11 cents, status
 *    1 or 2, txnId non-empty) and the eventId is "cb-" + the whole txnId, so
 *    two different txnIds never share an eventId (spec 4.7: the same txnId
 *    twice has one effect, a different one its own); on a refused field every
 *    field before it is valid and that field is not plainly valid (an
 *    integral number in range, or a printable ASCII txnId of 1..48 bytes).
 *
 *   clang -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -I server -I protocol \
 *       tests/fuzz/fuzz_paycb.c server/svc/pay_verify.c protocol/proto_*.c \
 *       $(pkg-config --cflags --libs libcjson libcrypto) -o fuzz_paycb
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "proto_json.h"
#include "svc/pay_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW INT64_C(1750000000)
#define SIG_SIZE 160 /* struct http_request's signature buffer */

static const char secret[] = "fuzz pay secret: 32 bytes or more, not production";
static const char other[] = "fuzz pay secret: 32 bytes or more, not production!";

static void check(int ok)
{
	if (!ok)
		abort();
}

/* Lower-case hex HMAC-SHA256, written without pay_sign. */
static void model_sign(const char *key, const char *raw, size_t len, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	check(HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)raw, len, mac, &n) !=
	          NULL &&
	      n == 32);
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[mac[i] >> 4];
		out[2 * i + 1] = hex[mac[i] & 15];
	}
	out[64] = '\0';
}

static int model_sig_ok(const char *want, const char *sig)
{
	size_t i;

	if (!sig || strlen(sig) != 64)
		return 0;
	for (i = 0; i < 64; i++) {
		char c = sig[i] >= 'A' && sig[i] <= 'Z' ? (char)(sig[i] - 'A' + 'a') : sig[i];
		if (c != want[i])
			return 0;
	}
	return 1;
}

static void check_signature(int mode, const char *raw, size_t len, const char *fuzzed)
{
	char want[65], sig[SIG_SIZE];
	const char *s = sig;
	int i, expect;

	model_sign(secret, raw, len, want);
	memcpy(sig, want, 65);
	switch (mode) {
	case 0: /* as paysim sends it */
		expect = 1;
		break;
	case 1: /* upper case */
		for (i = 0; i < 64; i++)
			if (sig[i] >= 'a')
				sig[i] = (char)(sig[i] - 'a' + 'A');
		expect = 1;
		break;
	case 2: /* one digit changed, chosen by the body */
		i = len ? (unsigned char)raw[len - 1] % 64 : 0;
		sig[i] = sig[i] == '0' ? '1' : '0';
		expect = 0;
		break;
	case 3: /* one dropped */
		sig[63] = '\0';
		expect = 0;
		break;
	case 4: /* absent */
		s = NULL;
		expect = 0;
		break;
	case 5: /* as the fuzzer wrote it */
		s = fuzzed;
		expect = model_sig_ok(want, fuzzed);
		break;
	default: /* one added */
		sig[64] = '0';
		sig[65] = '\0';
		expect = 0;
		break;
	}
	check(pay_signature_ok(secret, raw, len, s) == expect);
	if (expect) /* another secret never accepts it */
		check(pay_signature_ok(other, raw, len, s) == 0);
}

/* 1 when item is a number holding exactly an integer of min..max. */
static int plain_int(const cJSON *item, int64_t min, int64_t max, int64_t *v)
{
	double d;

	if (!cJSON_IsNumber(item))
		return 0;
	d = item->valuedouble;
	if (!(d >= (double)min && d <= (double)max) || d != (double)(int64_t)d)
		return 0;
	*v = (int64_t)d;
	return 1;
}

static int plain_txn(const cJSON *item)
{
	size_t i, n;

	if (!cJSON_IsString(item) || !item->valuestring)
		return 0;
	n = strlen(item->valuestring);
	if (n < 1 || n > PAY_TXN_MAX)
		return 0;
	for (i = 0; i < n; i++)
		if (item->valuestring[i] < 0x20 || item->valuestring[i] > 0x7e)
			return 0;
	return 1;
}

/* Whether field k (0 ts .. 4 txnId) of body is plainly valid at now; *v its value. */
static int plain_field(const cJSON *body, int k, int64_t now, int64_t *v)
{
	static const char *const names[] = {"ts", "id", "amount", "status", "txnId"};
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(body, names[k]);

	switch (k) {
	case 0:
		return plain_int(item, now - PAY_TS_WINDOW, now + PAY_TS_WINDOW, v);
	case 1:
		return plain_int(item, 1, PROTO_MAX_ID, v);
	case 2:
		return plain_int(item, 0, PAY_AMOUNT_MAX, v);
	case 3:
		return plain_int(item, 1, 2, v);
	default:
		return plain_txn(item);
	}
}

static void check_parse(const cJSON *body, int64_t now)
{
	static const char *const names[] = {"ts", "id", "amount", "status", "txnId"};
	struct pay_callback cb;
	const char *bad = pay_callback_parse(body, now, &cb);
	const cJSON *txn;
	int64_t v;
	int k, refused = 5;

	if (bad) {
		for (refused = 0; refused < 5; refused++)
			if (!strcmp(bad, names[refused]))
				break;
		check(refused < 5);
		check(!plain_field(body, refused, now, &v));
	}
	for (k = 0; k < refused; k++) {
		if (k == 4 || !plain_field(body, k, now, &v)) {
			/* accepted, so in range even when not "plain" (1e2, -0.0) */
			const cJSON *item = cJSON_GetObjectItemCaseSensitive(body, names[k]);
			if (k < 4)
				check(cJSON_IsNumber(item));
			continue;
		}
		check(v == (k == 0 ? cb.ts : k == 1 ? cb.pay_id : k == 2 ? cb.amount : cb.status));
	}
	if (bad)
		return;
	check(cb.ts >= now - PAY_TS_WINDOW && cb.ts <= now + PAY_TS_WINDOW);
	check(cb.pay_id >= 1 && cb.pay_id <= PROTO_MAX_ID);
	check(cb.amount >= 0 && cb.amount <= PAY_AMOUNT_MAX);
	check(cb.status == 1 || cb.status == 2);
	txn = cJSON_GetObjectItemCaseSensitive(body, "txnId");
	check(cJSON_IsString(txn) && cb.txn_id == txn->valuestring && cb.txn_id[0]);
	/* the whole txnId in the eventId: no two txnIds share one */
	check(strlen(cb.event_id) == 3 + strlen(cb.txn_id));
	check(!strncmp(cb.event_id, "cb-", 3) && !strcmp(cb.event_id + 3, cb.txn_id));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *raw, fuzzed[SIG_SIZE];
	size_t len;
	cJSON *body;
	enum proto_err e;
	int mode;

	if (size < 1)
		return 0;
	mode = data[0] % 8;
	len = size - 1;
	fuzzed[0] = '\0';
	if (mode == 5) {
		const uint8_t *nul = memchr(data + 1, 0, len);
		const uint8_t *last = nul;
		while (nul) {
			last = nul;
			nul = memchr(nul + 1, 0, (size_t)(data + size - nul - 1));
		}
		if (last) {
			size_t n = (size_t)(data + size - last - 1);
			if (n > SIG_SIZE - 1)
				n = SIG_SIZE - 1;
			memcpy(fuzzed, last + 1, n);
			fuzzed[n] = '\0';
			len = (size_t)(last - data - 1);
		}
	}
	/* The dispatcher's copy: exactly len bytes, NUL-terminated. */
	raw = malloc(len + 1);
	check(raw != NULL);
	memcpy(raw, data + 1, len);
	raw[len] = '\0';
	check_signature(mode, raw, len, fuzzed);
	body = proto_json_parse(raw, len, &e);
	if (body) {
		const cJSON *ts = cJSON_GetObjectItemCaseSensitive(body, "ts");
		check_parse(body, NOW);
		if (cJSON_IsNumber(ts) && ts->valuedouble > 1e3 && ts->valuedouble < 1e12)
			check_parse(body, (int64_t)ts->valuedouble + (int64_t)(mode * 50) - 175);
		cJSON_Delete(body);
	}
	free(raw);
	return 0;
}
