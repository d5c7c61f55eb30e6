/*
 * fuzz_jwt.c: libFuzzer harness for tokens and base64url (server/core/jwt.h).
 *
 * One input is used four ways, with one fixed secret and one fixed "now":
 *   1. as a token (up to the first NUL): jwt_verify never crashes, answers
 *      one of its four codes, and answers JWT_OK only for a token jwt_sign
 *      made with that secret: the token (without "Bearer ") must equal
 *      jwt_sign of the claims it returned, and another secret refuses it;
 *   2. as the header and payload JSON of a token the harness signs itself
 *      ("<header>\n<payload>", or the payload alone under the usual header):
 *      the signature then holds, so this reaches the header and claim
 *      checks. JWT_OK only when the header's alg is "HS256" and the claims
 *      are the payload's numbers, in range, not expired; the returned claims
 *      sign and verify again to the same; a changed signature is refused;
 *   3. through b64url_encode/b64url_decode: encoding decodes back to the
 *      same bytes; the input as text decodes exactly when it is canonical
 *      base64url (alphabet, no padding, zero unused bits), and then encodes
 *      back to itself, so no byte string has two spellings;
 *   4. as claims (the first 40 bytes) of a token from jwt_sign, which must
 *      verify exactly when the claims are in range, followed by byte edits
 *      (pairs of position, value) after which the token never verifies
 *      unless the edits changed nothing.
 *
 *   clang -fsanitize=fuzzer,address,undefined -I server/core tests/fuzz/fuzz_jwt.c \
 *       server/core/jwt.c $(pkg-config --cflags --libs libcjson libcrypto) -lm
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/b64url.h"
#include "core/jwt.h"

#define SECRET "fuzz secret: not the one in production"
#define OTHER_SECRET "fuzz secret: not the one in productioN"
#define NOW INT64_C(1750000000)
#define MAX_SAFE INT64_C(9007199254740991)
#define HEADER_JSON "{\"alg\":\"HS256\",\"typ\":\"JWT\"}"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static enum jwt_rc verify(const char *token, struct jwt_claims *c)
{
	return jwt_verify(token, SECRET, strlen(SECRET), NOW, c);
}

static int rc_known(enum jwt_rc rc)
{
	return rc == JWT_OK || rc == JWT_MALFORMED || rc == JWT_BAD_SIGNATURE || rc == JWT_EXPIRED;
}

static int claims_in_range(const struct jwt_claims *c)
{
	return c->user_id >= 1 && c->user_id <= MAX_SAFE && c->role >= 0 && c->tv >= 0 &&
	       c->tv <= MAX_SAFE && c->iat >= 0 && c->iat <= MAX_SAFE && c->exp >= 0 &&
	       c->exp <= MAX_SAFE;
}

static int claims_equal(const struct jwt_claims *a, const struct jwt_claims *b)
{
	return a->user_id == b->user_id && a->role == b->role && a->tv == b->tv &&
	       a->iat == b->iat && a->exp == b->exp;
}

/* "Bearer <token>" in any case, with any spaces, to the bare token. */
static const char *bare(const char *token)
{
	if (!strncasecmp(token, "Bearer ", 7)) {
		token += 7;
		while (*token == ' ')
			token++;
	}
	return token;
}

/* Returned claims: in range, not expired, and they sign and verify again. */
static void check_ok_claims(const struct jwt_claims *c)
{
	struct jwt_claims again;
	char *t;

	check(claims_in_range(c) && c->exp > NOW);
	t = jwt_sign(c, SECRET, strlen(SECRET));
	if (!t)
		return;
	memset(&again, 0, sizeof(again));
	check(verify(t, &again) == JWT_OK && claims_equal(c, &again));
	free(t);
}

/* 1. The input as a token. */
static void as_token(const char *token)
{
	struct jwt_claims c;
	enum jwt_rc rc;
	char *t;

	memset(&c, 0, sizeof(c));
	rc = verify(token, &c);
	check(rc_known(rc));
	check(verify(token, NULL) == rc);
	if (rc != JWT_OK)
		return;
	check_ok_claims(&c);
	t = jwt_sign(&c, SECRET, strlen(SECRET));
	check(t != NULL && strcmp(bare(token), t) == 0);
	free(t);
	check(jwt_verify(token, OTHER_SECRET, strlen(OTHER_SECRET), NOW, NULL) != JWT_OK);
}

static char *b64(const char *s, size_t len)
{
	return b64url_encode((const unsigned char *)s, len);
}

/* Claim name of the payload equal to v (an exact integer number). */
static int claim_is(const cJSON *payload, const char *name, int64_t v)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(payload, name);

	return cJSON_IsNumber(n) && n->valuedouble == (double)v;
}

/* 2. The input as header and payload of a token signed here. */
static void as_signed_json(const char *in, size_t size)
{
	const char *header = HEADER_JSON, *payload = in, *nl;
	size_t hlen = strlen(HEADER_JSON), plen = size;
	char *hb = NULL, *pb = NULL, *sb = NULL, *token = NULL;
	unsigned char sig[EVP_MAX_MD_SIZE];
	unsigned int siglen = 0;
	struct jwt_claims c;
	cJSON *h = NULL, *p = NULL;
	const cJSON *alg, *typ;
	enum jwt_rc rc;
	size_t n;

	nl = memchr(in, '\n', size);
	if (nl) {
		header = in;
		hlen = (size_t)(nl - in);
		payload = nl + 1;
		plen = size - hlen - 1;
	}
	hb = b64(header, hlen);
	pb = b64(payload, plen);
	if (!hb || !pb)
		goto out;
	n = strlen(hb) + 1 + strlen(pb);
	token = malloc(n + 1 + 64);
	if (!token)
		goto out;
	memcpy(token, hb, strlen(hb));
	token[strlen(hb)] = '.';
	memcpy(token + strlen(hb) + 1, pb, strlen(pb) + 1);
	if (!HMAC(EVP_sha256(), SECRET, (int)strlen(SECRET), (const unsigned char *)token, n, sig,
	          &siglen))
		goto out;
	sb = b64url_encode(sig, siglen);
	if (!sb || strlen(sb) > 63)
		goto out;
	token[n] = '.';
	memcpy(token + n + 1, sb, strlen(sb) + 1);

	memset(&c, 0, sizeof(c));
	rc = verify(token, &c);
	check(rc_known(rc));
	/* the signature is right: whatever else is wrong, it is not that */
	check(rc != JWT_BAD_SIGNATURE);

	/* a header other than alg HS256 (and typ JWT, when given) is refused */
	h = cJSON_ParseWithLength(header, hlen);
	alg = cJSON_IsObject(h) ? cJSON_GetObjectItemCaseSensitive(h, "alg") : NULL;
	typ = cJSON_IsObject(h) ? cJSON_GetObjectItemCaseSensitive(h, "typ") : NULL;
	if (!cJSON_IsString(alg) || strcmp(alg->valuestring, "HS256") != 0 ||
	    (typ && (!cJSON_IsString(typ) || strcmp(typ->valuestring, "JWT") != 0)))
		check(rc == JWT_MALFORMED);
	if (rc == JWT_OK) {
		check(memchr(header, '\0', hlen) == NULL && memchr(payload, '\0', plen) == NULL);
		p = cJSON_ParseWithLength(payload, plen);
		check(cJSON_IsObject(p));
		check(claim_is(p, "userId", c.user_id) && claim_is(p, "role", c.role) &&
		      claim_is(p, "tv", c.tv) && claim_is(p, "iat", c.iat) &&
		      claim_is(p, "exp", c.exp));
		check_ok_claims(&c);
		check(jwt_verify(token, OTHER_SECRET, strlen(OTHER_SECRET), NOW, NULL) != JWT_OK);
	}
	/* one signature character changed: never accepted */
	token[n + 1] = token[n + 1] == 'A' ? 'B' : 'A';
	check(verify(token, NULL) != JWT_OK);
out:
	cJSON_Delete(h);
	cJSON_Delete(p);
	free(hb);
	free(pb);
	free(sb);
	free(token);
}

static int b64_value(uint8_t c)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const char *p = c ? strchr(alphabet, c) : NULL;

	return p ? (int)(p - alphabet) : -1;
}

/* 3. base64url both ways. */
static void as_b64(const uint8_t *data, size_t size)
{
	unsigned char *dec;
	size_t n = 0, i;
	char *enc;
	int canonical = size % 4 != 1;

	enc = b64url_encode(data, size);
	if (enc) {
		check(strlen(enc) == (size * 4 + 2) / 3);
		for (i = 0; enc[i]; i++)
			check(b64_value((uint8_t)enc[i]) >= 0);
		dec = b64url_decode(enc, strlen(enc), &n);
		check(dec != NULL && n == size && memcmp(dec, data, size) == 0 && dec[n] == 0);
		free(dec);
		free(enc);
	}

	/* the model of canonical text */
	for (i = 0; i < size; i++)
		if (b64_value(data[i]) < 0)
			canonical = 0;
	if (canonical && size % 4 == 2)
		canonical = (b64_value(data[size - 1]) & 15) == 0;
	if (canonical && size % 4 == 3)
		canonical = (b64_value(data[size - 1]) & 3) == 0;
	dec = b64url_decode((const char *)data, size, &n);
	if (!dec) {
		check(!canonical);
		return;
	}
	check(canonical && n == size * 3 / 4 && dec[n] == 0);
	enc = b64url_encode(dec, n);
	if (enc) {
		check(strlen(enc) == size && memcmp(enc, data, size) == 0);
		free(enc);
	}
	free(dec);
}

static int64_t take64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return (int64_t)v;
}

/* Anything, anything in range, or near base (an edge: 1, now). */
static int64_t shape(int64_t raw, int64_t base)
{
	uint64_t u = (uint64_t)raw;

	switch (u & 3) {
	case 0:
		return raw;
	case 1:
		return (int64_t)((u >> 2) % ((uint64_t)MAX_SAFE + 3)) - 1;
	case 2:
		return base + (int64_t)((u >> 2) % 9) - 4;
	default:
		return base + (int64_t)((u >> 2) % 200001) - 100000;
	}
}

/* 4. Claims from the input, then byte edits of the signed token. */
static void as_claims(const uint8_t *data, size_t size)
{
	struct jwt_claims c, got;
	int64_t role;
	enum jwt_rc rc;
	char *t, *edited;
	size_t len, i;
	int valid;

	if (size < 40)
		return;
	c.user_id = shape(take64(data), 1);
	role = shape(take64(data + 8), 2);
	/* small, or any int (negative ones too) */
	c.role = role % 2 == 0 ? (int)(role % 4) : (int)(int32_t)(uint32_t)(uint64_t)role;
	c.tv = shape(take64(data + 16), 1);
	c.iat = shape(take64(data + 24), 0);
	c.exp = shape(take64(data + 32), NOW);
	t = jwt_sign(&c, SECRET, strlen(SECRET));
	check(t != NULL);
	valid = claims_in_range(&c);
	memset(&got, 0, sizeof(got));
	rc = verify(t, &got);
	if (!valid)
		check(rc == JWT_MALFORMED);
	else if (c.exp <= NOW)
		check(rc == JWT_EXPIRED);
	else
		check(rc == JWT_OK && claims_equal(&c, &got));

	len = strlen(t);
	edited = strdup(t);
	if (edited) {
		for (i = 40; i + 1 < size && i < 40 + 2 * 8; i += 2)
			edited[data[i] % len] = (char)data[i + 1];
		rc = verify(edited, &got);
		check(rc_known(rc));
		if (rc == JWT_OK)
			check(strcmp(edited, t) == 0);
		free(edited);
	}
	free(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	as_token(s);
	as_signed_json(s, size);
	free(s);
	as_b64(data, size);
	as_claims(data, size);
	return 0;
}
