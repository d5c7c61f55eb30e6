/*
 * random.c: see random.h.
 */
#include "core/random.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

int random_bytes(void *buf, size_t n)
{
	unsigned char *p = buf;

	while (n > 0) {
		ssize_t got = getrandom(p, n, 0);

		if (got < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += got;
		n -= (size_t)got;
	}
	return 0;
}

int random_string(char *out, size_t n, const char *alphabet)
{
	unsigned char pool[64];
	size_t k, used = sizeof(pool), i = 0;
	unsigned limit;
	int rc = 0;

	if (!out || !alphabet)
		return -1;
	k = strlen(alphabet);
	if (k == 0 || k > 256)
		return -1;
	/* Bytes at or above the largest multiple of k would favour the first
	 * letters of the alphabet: draw again instead. */
	limit = 256 - 256 % (unsigned)k;
	while (i < n) {
		if (used == sizeof(pool)) {
			if (random_bytes(pool, sizeof(pool)) < 0) {
				i = 0;
				rc = -1;
				break;
			}
			used = 0;
		}
		if (pool[used] < limit)
			out[i++] = alphabet[pool[used] % k];
		used++;
	}
	out[i] = '\0';
	/* Leftover bytes could complete a code; do not leave them on the stack. */
	explicit_bzero(pool, sizeof(pool));
	return rc;
}

int random_digits(char *out, size_t n)
{
	return random_string(out, n, "0123456789");
}
