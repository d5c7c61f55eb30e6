/* test_jwt.c: HS256 tokens: roundtrip, tampering, alg confusion, expiry, base64url. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/b64url.h"
#include "core/jwt.h"

#define SECRET "0123456789abcdef0123456789abcdef"
#define NOW INT64_C(1750000000)

static const struct jwt_claims sample = {
    .user_id = INT64_C(4503599627370497), /* above 2^52: must survive exactly */
    .role = 2,
    .tv = 7,
    .iat = NOW - 10,
    .exp = NOW + 7200,
};

static char *b64(const char *s)
{
	return b64url_encode((const unsigned char *)s, strlen(s));
}

/* A token built by hand from raw header and payload JSON, signed with secret. */
static char *make_token(const char *header, const char *payload, const char *secret)
{
	unsigned char sig[32];
	unsigned int siglen = 0;
	char *h = b64(header), *p = b64(payload), *s, *signing, *token;
	size_t n;

	assert_non_null(h);
	assert_non_null(p);
	n = strlen(h) + strlen(p) + 2;
	signing = malloc(n);
	assert_non_null(signing);
	snprintf(signing, n, "%s.%s", h, p);
	assert_non_null(HMAC(EVP_sha256(), secret, (int)strlen(secret),
	                     (const unsigned char *)signing, strlen(signing), sig, &siglen));
	s = b64url_encode(sig, siglen);
	assert_non_null(s);
	n = strlen(signing) + strlen(s) + 2;
	token = malloc(n);
	assert_non_null(token);
	snprintf(token, n, "%s.%s", signing, s);
	free(h);
	free(p);
	free(s);
	free(signing);
	return token;
}

static enum jwt_rc verify(const char *token, struct jwt_claims *c)
{
	return jwt_verify(token, SECRET, strlen(SECRET), NOW, c);
}

static void test_jwt_sign_verify_roundtrip(void **state)
{
	struct jwt_claims c;
	char *t = jwt_sign(&sample, SECRET, strlen(SECRET));

	(void)state;
	assert_non_null(t);
	memset(&c, 0, sizeof(c));
	assert_int_equal(verify(t, &c), JWT_OK);
	assert_int_equal(c.user_id, sample.user_id);
	assert_int_equal(c.role, sample.role);
	assert_int_equal(c.tv, sample.tv);
	assert_int_equal(c.iat, sample.iat);
	assert_int_equal(c.exp, sample.exp);
	free(t);
}

static void test_jwt_header_is_hs256_jwt(void **state)
{
	char *t = jwt_sign(&sample, SECRET, strlen(SECRET));
	char *dot;
	unsigned char *h;
	size_t n;

	(void)state;
	assert_non_null(t);
	dot = strchr(t, '.');
	assert_non_null(dot);
	h = b64url_decode(t, (size_t)(dot - t), &n);
	assert_non_null(h);
	assert_string_equal((char *)h, "{\"alg\":\"HS256\",\"typ\":\"JWT\"}");
	free(h);
	free(t);
}

static void test_jwt_claims_are_json_numbers(void **state)
{
	char *t = jwt_sign(&sample, SECRET, strlen(SECRET));
	char *d1, *d2;
	unsigned char *p;
	size_t n;

	(void)state;
	d1 = strchr(t, '.');
	d2 = strchr(d1 + 1, '.');
	p = b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), &n);
	assert_non_null(p);
	assert_non_null(strstr((char *)p, "\"userId\":4503599627370497"));
	assert_non_null(strstr((char *)p, "\"role\":2"));
	assert_non_null(strstr((char *)p, "\"tv\":7"));
	assert_non_null(strstr((char *)p, "\"iat\":1749999990"));
	assert_non_null(strstr((char *)p, "\"exp\":1750007200"));
	free(p);
	free(t);
}

static void test_jwt_bearer_prefix_any_case(void **state)
{
	char *t = jwt_sign(&sample, SECRET, strlen(SECRET));
	char buf[1024];
	struct jwt_claims c;

	(void)state;
	snprintf(buf, sizeof(buf), "Bearer %s", t);
	assert_int_equal(verify(buf, &c), JWT_OK);
	assert_int_equal(c.user_id, sample.user_id);
	snprintf(buf, sizeof(buf), "bearer %s", t);
	assert_int_equal(verify(buf, &c), JWT_OK);
	snprintf(buf, sizeof(buf), "BEARER  %s", t);
	assert_int_equal(verify(buf, &c), JWT_OK);
	snprintf(buf, sizeof(buf), "Basic %s", t);
	assert_int_not_equal(verify(buf, &c), JWT_OK);
	assert_int_equal(verify("Bearer ", &c), JWT_MALFORMED);
	free(t);
}

static void test_jwt_tampered_payload(void **state)
{
	char *t = jwt_sign(&sample, SECRET, strlen(SECRET));
	char *forged_payload = b64("{\"userId\":1,\"role\":1,\"tv\":7,\"iat\":1749999990,"
	                           "\"exp\":1750007200}");
	char *d1, *d2, buf[1024];
	struct jwt_claims c = {0};

	(void)state;
	d1 = strchr(t, '.');
	d2 = strchr(d1 + 1, '.');
	/* The original header and signature around an admin payload. */
	snprintf(buf, sizeof(buf), "%.*s.%s%s", (int)(d1 - t), t, forged_payload, d2);
	assert_int_equal(verify(buf, &c), JWT_BAD_SIGNATURE);
	assert_int_equal(c.user_id, 0);
	/* One flipped character of the signature. */
	snprintf(buf, sizeof(buf), "%s", t);
	buf[strlen(buf) - 2] = buf[strlen(buf) - 2] == 'A' ? 'B' : 'A';
	assert_int_equal(verify(buf, &c), JWT_BAD_SIGNATURE);
	free(forged_payload);
	free(t);
}

static void test_jwt_wrong_secret(void **state)
{
	char *t = jwt_sign(&sample, SECRET, strlen(SECRET));
	const char *other = "1123456789abcdef0123456789abcdef";
	struct jwt_claims c;

	(void)state;
	assert_int_equal(jwt_verify(t, other, strlen(other), NOW, &c), JWT_BAD_SIGNATURE);
	/* A prefix of the right secret is a different key. */
	assert_int_equal(jwt_verify(t, SECRET, strlen(SECRET) - 1, NOW, &c), JWT_BAD_SIGNATURE);
	assert_int_equal(jwt_verify(t, SECRET, 0, NOW, &c), JWT_BAD_SIGNATURE);
	assert_null(jwt_sign(&sample, SECRET, 0));
	free(t);
}

static void test_jwt_alg_none_rejected(void **state)
{
	const char *payload = "{\"userId\":1,\"role\":1,\"tv\":0,\"iat\":1749999990,"
	                      "\"exp\":1750007200}";
	char *h = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}");
	char *p = b64(payload);
	char buf[1024];
	char *t;
	struct jwt_claims c;

	(void)state;
	snprintf(buf, sizeof(buf), "%s.%s.", h, p);
	assert_int_equal(verify(buf, &c), JWT_MALFORMED);
	/* Even with a valid HMAC over it, only HS256 is accepted. */
	t = make_token("{\"alg\":\"none\",\"typ\":\"JWT\"}", payload, SECRET);
	assert_int_equal(verify(t, &c), JWT_MALFORMED);
	free(t);
	t = make_token("{\"alg\":\"HS512\",\"typ\":\"JWT\"}", payload, SECRET);
	assert_int_equal(verify(t, &c), JWT_MALFORMED);
	free(t);
	t = make_token("{\"alg\":\"hs256\"}", payload, SECRET);
	assert_int_equal(verify(t, &c), JWT_MALFORMED);
	free(t);
	t = make_token("{\"typ\":\"JWT\"}", payload, SECRET);
	assert_int_equal(verify(t, &c), JWT_MALFORMED);
	free(t);
	/* The header we do accept, built by hand, for contrast. */
	t = make_token("{\"alg\":\"HS256\"}", payload, SECRET);
	assert_int_equal(verify(t, &c), JWT_OK);
	free(t);
	free(h);
	free(p);
}

static void test_jwt_expired(void **state)
{
	struct jwt_claims in = sample, c;
	char *t;

	(void)state;
	in.exp = NOW;
	t = jwt_sign(&in, SECRET, strlen(SECRET));
	assert_int_equal(verify(t, &c), JWT_EXPIRED);
	free(t);
	in.exp = NOW + 1;
	t = jwt_sign(&in, SECRET, strlen(SECRET));
	assert_int_equal(verify(t, &c), JWT_OK);
	assert_int_equal(jwt_verify(t, SECRET, strlen(SECRET), NOW + 1, &c), JWT_EXPIRED);
	free(t);
}

static void test_jwt_missing_or_bad_claims(void **state)
{
	static const char *const payloads[] = {
	    "{\"role\":1,\"tv\":0,\"iat\":1,\"exp\":1750007200}",
	    "{\"userId\":1,\"tv\":0,\"iat\":1,\"exp\":1750007200}",
	    "{\"userId\":1,\"role\":1,\"iat\":1,\"exp\":1750007200}",
	    "{\"userId\":1,\"role\":1,\"tv\":0,\"exp\":1750007200}",
	    "{\"userId\":1,\"role\":1,\"tv\":0,\"iat\":1}",
	    "{\"userId\":\"1\",\"role\":1,\"tv\":0,\"iat\":1,\"exp\":1750007200}",
	    "{\"userId\":1.5,\"role\":1,\"tv\":0,\"iat\":1,\"exp\":1750007200}",
	    "{\"userId\":0,\"role\":1,\"tv\":0,\"iat\":1,\"exp\":1750007200}",
	    "{\"userId\":1e300,\"role\":1,\"tv\":0,\"iat\":1,\"exp\":1750007200}",
	    "{\"userId\":1,\"role\":-1,\"tv\":0,\"iat\":1,\"exp\":1750007200}",
	    "[1,2,3]",
	    "not json",
	};
	struct jwt_claims c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		char *t = make_token("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", payloads[i], SECRET);

		if (verify(t, &c) != JWT_MALFORMED)
			fail_msg("payload '%s' was not rejected as malformed", payloads[i]);
		free(t);
	}
}

static void test_jwt_garbage(void **state)
{
	static const char *const garbage[] = {
	    "",
	    "x",
	    "a.b",
	    "a.b.c.d",
	    "...",
	    "..",
	    "Bearer",
	    "eyJ.eyJ.",
	    "!!!.###.$$$",
	    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9..",
	    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.AAAA",
	};
	struct jwt_claims c;
	char *huge;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		if (verify(garbage[i], &c) == JWT_OK)
			fail_msg("garbage '%s' verified", garbage[i]);
	}
	assert_int_equal(verify(NULL, &c), JWT_MALFORMED);
	huge = malloc(100001);
	assert_non_null(huge);
	memset(huge, 'A', 100000);
	huge[100000] = '\0';
	huge[10] = '.';
	huge[20] = '.';
	assert_int_equal(verify(huge, &c), JWT_MALFORMED);
	free(huge);
}

static void test_jwt_b64url_roundtrip(void **state)
{
	unsigned char in[64], *out;
	char *enc;
	size_t len, n, i;

	(void)state;
	for (i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 37 + 251);
	for (len = 0; len <= sizeof(in); len++) {
		enc = b64url_encode(in, len);
		assert_non_null(enc);
		assert_int_equal(strlen(enc), (len * 4 + 2) / 3);
		assert_null(strpbrk(enc, "+/="));
		out = b64url_decode(enc, strlen(enc), &n);
		assert_non_null(out);
		assert_int_equal(n, len);
		assert_memory_equal(out, in, len);
		free(out);
		free(enc);
	}
}

static void test_jwt_b64url_known_vectors(void **state)
{
	char *e;
	unsigned char *d;
	size_t n;

	(void)state;
	e = b64url_encode((const unsigned char *)"\xfb\xff", 2);
	assert_string_equal(e, "-_8");
	free(e);
	d = b64url_decode("-_8", 3, &n);
	assert_non_null(d);
	assert_int_equal(n, 2);
	assert_memory_equal(d, "\xfb\xff", 2);
	free(d);
	e = b64url_encode((const unsigned char *)"foobar", 6);
	assert_string_equal(e, "Zm9vYmFy");
	free(e);
}

static void test_jwt_b64url_rejects_bad_input(void **state)
{
	static const char *const bad[] = {
	    "Zm9v=", /* padding */
	    "Zm9vY", /* length 1 mod 4 */
	    "Zm+v",  /* standard alphabet */
	    "Zm/v",  /* standard alphabet */
	    "Zm 9v", /* space */
	    "Zh",    /* non-zero unused bits: "Zg" is the one spelling of "f" */
	    "Zm9",   /* non-zero unused bits: "Zm8" */
	};
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		unsigned char *d = b64url_decode(bad[i], strlen(bad[i]), &n);

		if (d) {
			free(d);
			fail_msg("'%s' decoded", bad[i]);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_jwt_sign_verify_roundtrip),
	    cmocka_unit_test(test_jwt_header_is_hs256_jwt),
	    cmocka_unit_test(test_jwt_claims_are_json_numbers),
	    cmocka_unit_test(test_jwt_bearer_prefix_any_case),
	    cmocka_unit_test(test_jwt_tampered_payload),
	    cmocka_unit_test(test_jwt_wrong_secret),
	    cmocka_unit_test(test_jwt_alg_none_rejected),
	    cmocka_unit_test(test_jwt_expired),
	    cmocka_unit_test(test_jwt_missing_or_bad_claims),
	    cmocka_unit_test(test_jwt_garbage),
	    cmocka_unit_test(test_jwt_b64url_roundtrip),
	    cmocka_unit_test(test_jwt_b64url_known_vectors),
	    cmocka_unit_test(test_jwt_b64url_rejects_bad_input),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
