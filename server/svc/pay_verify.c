/*
 * pay_verify.c: see pay_verify.h.
 */
#include "svc/pay_verify.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "proto_json.h"

int pay_sign(const char *key, const char *data, size_t len, char out[65])
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0, i;

	if (!HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)data, len, mac,
	          &maclen) ||
	    maclen != 32)
		return -1;
	for (i = 0; i < maclen; i++)
		snprintf(out + 2 * i, 3, "%02x", mac[i]);
	out[64] = '\0';
	return 0;
}

int pay_signature_ok(const char *key, const char *raw, size_t len, const char *signature)
{
	char want[65], got[65];
	size_t i;

	if (!signature || strlen(signature) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		got[i] = (char)tolower((unsigned char)signature[i]);
	got[64] = '\0';
	if (pay_sign(key, raw, len, want) < 0)
		return 0;
	return CRYPTO_memcmp(want, got, 64) == 0;
}

const char *pay_callback_parse(const cJSON *body, int64_t now, struct pay_callback *out)
{
	const char *txn = NULL;

	memset(out, 0, sizeof(*out));
	if (proto_get_int(body, "ts", 0, INT64_C(1) << 40, &out->ts) != 1 ||
	    out->ts < now - PAY_TS_WINDOW || out->ts > now + PAY_TS_WINDOW)
		return "ts";
	if (proto_get_id(body, "id", &out->pay_id) != 1)
		return "id";
	if (proto_get_int(body, "amount", 0, PAY_AMOUNT_MAX, &out->amount) != 1)
		return "amount";
	if (proto_get_int(body, "status", 1, 2, &out->status) != 1)
		return "status";
	/* PAY_TXN_MAX characters may be four times as many bytes: both are capped. */
	if (proto_get_str(body, "txnId", PAY_TXN_MAX, &txn) != 1 || !txn[0] ||
	    strlen(txn) > PAY_TXN_MAX)
		return "txnId";
	out->txn_id = txn;
	snprintf(out->event_id, sizeof(out->event_id), "cb-%s", txn);
	return NULL;
}
