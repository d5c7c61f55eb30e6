/*
 * digest.c: see digest.h.
 */
#include "core/digest.h"

#include <string.h>

#include <openssl/evp.h>

int digest_parts_hex(const char *const *parts, int n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0, k;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int i, rc = -1;

	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	for (i = 0; i < n; i++) {
		const char *p = parts[i] ? parts[i] : "\x01";

		if (EVP_DigestUpdate(ctx, p, strlen(p)) != 1 ||
		    EVP_DigestUpdate(ctx, "\x1f", 1) != 1)
			goto out;
	}
	if (EVP_DigestFinal_ex(ctx, md, &len) != 1 || len * 2 != DIGEST_HEX_LEN)
		goto out;
	for (k = 0; k < len; k++) {
		out[2 * k] = hex[md[k] >> 4];
		out[2 * k + 1] = hex[md[k] & 15];
	}
	out[DIGEST_HEX_LEN] = '\0';
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}
