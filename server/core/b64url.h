/*
 * b64url.h: base64url (RFC 4648 section 5) without padding, for JWTs.
 * Pure; any thread.
 */
#ifndef BOXOFFICE_CORE_B64URL_H
#define BOXOFFICE_CORE_B64URL_H

#include <stddef.h>

/* base64url without padding. Return malloc'd strings; decode gives NULL on bad input. */
char *b64url_encode(const unsigned char *in, size_t len);
unsigned char *b64url_decode(const char *in, size_t len, size_t *outlen);

#endif
