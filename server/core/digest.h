/*
 * digest.h: SHA-256 (OpenSSL) of a list of strings, for cache keys of list
 * queries: two different queries never share a key (a 64-bit hash could
 * serve one query another's answer). Pure; any thread.
 */
#ifndef BOXOFFICE_CORE_DIGEST_H
#define BOXOFFICE_CORE_DIGEST_H

#define DIGEST_HEX_LEN 64

/*
 * The SHA-256 of parts[0..n), each followed by a 0x1f separator and a NULL
 * part hashed as the single byte 0x01 (so NULL, "" and "a\x1f" differ),
 * as lower-case hex into out[DIGEST_HEX_LEN + 1]. Returns 0 or -1.
 */
int digest_parts_hex(const char *const *parts, int n, char *out);

#endif
