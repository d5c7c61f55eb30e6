#include "core/jwt.h"

#include "core/b64url.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

/* A token is sent in a header; anything longer is not one of ours. */
#define JWT_MAX_LEN 4096
#define SIG_LEN 32
/* Claims are integers a JavaScript client can hold exactly. */
#define MAX_SAFE_INT 9007199254740991.0

/* {"alg":"HS256","typ":"JWT"} */
static const char header_b64[] = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

static int hmac_sha256(const char *secret, size_t secret_len, const char *data, size_t len,
                       unsigned char out[SIG_LEN])
{
	unsigned int outlen = 0;

	if (!HMAC(EVP_sha256(), secret, (int)secret_len, (const unsigned char *)data, len, out,
	          &outlen) ||
	    outlen != SIG_LEN)
		return -1;
	return 0;
}

char *jwt_sign(const struct jwt_claims *c, const char *secret, size_t secret_len)
{
	char payload[256];
	unsigned char sig[SIG_LEN];
	char *payload_b64 = NULL, *sig_b64 = NULL, *signing = NULL, *token = NULL;
	size_t signing_len;
	int n;

	if (!secret || secret_len == 0 || secret_len > INT32_MAX)
		return NULL;
	/* Integers printed exactly; cJSON would go through a double. */
	n = snprintf(payload, sizeof(payload),
	             "{\"userId\":%" PRId64 ",\"role\":%d,\"tv\":%" PRId64 ",\"iat\":%" PRId64
	             ",\"exp\":%" PRId64 "}",
	             c->user_id, c->role, c->tv, c->iat, c->exp);
	if (n < 0 || (size_t)n >= sizeof(payload))
		goto out;
	payload_b64 = b64url_encode((const unsigned char *)payload, (size_t)n);
	if (!payload_b64)
		goto out;
	signing_len = strlen(header_b64) + 1 + strlen(payload_b64);
	signing = malloc(signing_len + 1);
	if (!signing)
		goto out;
	snprintf(signing, signing_len + 1, "%s.%s", header_b64, payload_b64);
	if (hmac_sha256(secret, secret_len, signing, signing_len, sig) < 0)
		goto out;
	sig_b64 = b64url_encode(sig, sizeof(sig));
	if (!sig_b64)
		goto out;
	token = malloc(signing_len + 1 + strlen(sig_b64) + 1);
	if (!token)
		goto out;
	sprintf(token, "%s.%s", signing, sig_b64);
out:
	free(payload_b64);
	free(signing);
	free(sig_b64);
	return token;
}

static cJSON *decode_json(const char *b64, size_t len)
{
	unsigned char *raw;
	size_t rawlen;
	cJSON *j;

	raw = b64url_decode(b64, len, &rawlen);
	if (!raw)
		return NULL;
	/* cJSON stops at a NUL: a JSON text with one inside is not JSON. */
	if (strlen((char *)raw) != rawlen) {
		free(raw);
		return NULL;
	}
	j = cJSON_ParseWithLength((char *)raw, rawlen);
	free(raw);
	if (j && !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

static int header_ok(const char *b64, size_t len)
{
	cJSON *h = decode_json(b64, len);
	const cJSON *alg, *typ;
	int ok = 0;

	if (!h)
		return 0;
	alg = cJSON_GetObjectItemCaseSensitive(h, "alg");
	typ = cJSON_GetObjectItemCaseSensitive(h, "typ");
	/* Only HS256: never "none", never a key-confusion alg. */
	ok = cJSON_IsString(alg) && !strcmp(alg->valuestring, "HS256") &&
	     (!typ || (cJSON_IsString(typ) && !strcmp(typ->valuestring, "JWT")));
	cJSON_Delete(h);
	return ok;
}

static int claim_int(const cJSON *obj, const char *name, int64_t min, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || d < (double)min || d > MAX_SAFE_INT)
		return -1;
	*out = (int64_t)d;
	return 0;
}

enum jwt_rc jwt_verify(const char *token, const char *secret, size_t secret_len, int64_t now,
                       struct jwt_claims *c)
{
	const char *dot1, *dot2;
	unsigned char want[SIG_LEN];
	unsigned char *got = NULL;
	size_t tlen, gotlen = 0;
	cJSON *payload = NULL;
	struct jwt_claims tmp;
	int64_t role;
	enum jwt_rc rc = JWT_MALFORMED;

	if (!token)
		return JWT_MALFORMED;
	if (!secret || secret_len == 0 || secret_len > INT32_MAX)
		return JWT_BAD_SIGNATURE;
	if (!strncasecmp(token, "Bearer ", 7)) {
		token += 7;
		while (*token == ' ')
			token++;
	}
	tlen = strnlen(token, JWT_MAX_LEN + 1);
	if (tlen == 0 || tlen > JWT_MAX_LEN)
		return JWT_MALFORMED;
	dot1 = memchr(token, '.', tlen);
	if (!dot1)
		return JWT_MALFORMED;
	dot2 = memchr(dot1 + 1, '.', tlen - (size_t)(dot1 + 1 - token));
	if (!dot2 || memchr(dot2 + 1, '.', tlen - (size_t)(dot2 + 1 - token)))
		return JWT_MALFORMED;
	if (!header_ok(token, (size_t)(dot1 - token)))
		return JWT_MALFORMED;

	/* The signature first: nothing in the payload is read before it holds. */
	got = b64url_decode(dot2 + 1, tlen - (size_t)(dot2 + 1 - token), &gotlen);
	if (!got || gotlen != SIG_LEN) {
		rc = got ? JWT_BAD_SIGNATURE : JWT_MALFORMED;
		goto out;
	}
	if (hmac_sha256(secret, secret_len, token, (size_t)(dot2 - token), want) < 0) {
		rc = JWT_BAD_SIGNATURE;
		goto out;
	}
	if (CRYPTO_memcmp(want, got, SIG_LEN) != 0) {
		rc = JWT_BAD_SIGNATURE;
		goto out;
	}

	payload = decode_json(dot1 + 1, (size_t)(dot2 - dot1 - 1));
	if (!payload)
		goto out;
	if (claim_int(payload, "userId", 1, &tmp.user_id) < 0 ||
	    claim_int(payload, "role", 0, &role) < 0 || role > INT32_MAX ||
	    claim_int(payload, "tv", 0, &tmp.tv) < 0 ||
	    claim_int(payload, "iat", 0, &tmp.iat) < 0 ||
	    claim_int(payload, "exp", 0, &tmp.exp) < 0)
		goto out;
	tmp.role = (int)role;
	if (tmp.exp <= now) {
		rc = JWT_EXPIRED;
		goto out;
	}
	if (c)
		*c = tmp;
	rc = JWT_OK;
out:
	free(got);
	cJSON_Delete(payload);
	return rc;
}
