/*
 * b64url.c: see b64url.h.
 */
#include "core/b64url.h"

#include <stdint.h>
#include <stdlib.h>

static const char b64url_alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

char *b64url_encode(const unsigned char *in, size_t len)
{
	char *out, *p;
	size_t i;

	out = malloc(len / 3 * 4 + 4 + 1);
	if (!out)
		return NULL;
	p = out;
	for (i = 0; i + 2 < len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		*p++ = b64url_alphabet[v >> 18 & 63];
		*p++ = b64url_alphabet[v >> 12 & 63];
		*p++ = b64url_alphabet[v >> 6 & 63];
		*p++ = b64url_alphabet[v & 63];
	}
	if (len - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;

		*p++ = b64url_alphabet[v >> 18 & 63];
		*p++ = b64url_alphabet[v >> 12 & 63];
	} else if (len - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;

		*p++ = b64url_alphabet[v >> 18 & 63];
		*p++ = b64url_alphabet[v >> 12 & 63];
		*p++ = b64url_alphabet[v >> 6 & 63];
	}
	*p = '\0';
	return out;
}

static int b64url_value(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

/*
 * Strict: no padding, no other alphabet, and unused trailing bits must be
 * zero, so each byte string has exactly one encoding (a signature cannot be
 * re-spelled).
 */
unsigned char *b64url_decode(const char *in, size_t len, size_t *outlen)
{
	unsigned char *out;
	size_t i, o = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (len % 4 == 1)
		return NULL;
	out = malloc(len / 4 * 3 + 3 + 1);
	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		int v = b64url_value(in[i]);

		if (v < 0)
			goto bad;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if (acc != 0)
		goto bad;
	out[o] = '\0';
	if (outlen)
		*outlen = o;
	return out;
bad:
	free(out);
	return NULL;
}
