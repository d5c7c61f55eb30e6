#include "core/password.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>

#include <argon2.h>

#define SALT_LEN 16
#define HASH_LEN 32
#define PARALLELISM 1

/* Set once at start (and by tests); atomics keep a late change well defined. */
static atomic_uint cost_memory_kib = 19456;
static atomic_uint cost_iterations = 2;

void password_set_cost(unsigned memory_kib, unsigned iterations)
{
	atomic_store_explicit(&cost_memory_kib, memory_kib, memory_order_relaxed);
	atomic_store_explicit(&cost_iterations, iterations, memory_order_relaxed);
}

int password_hash(const char *password, char *out, size_t outlen)
{
	unsigned char salt[SALT_LEN];
	uint32_t m = atomic_load_explicit(&cost_memory_kib, memory_order_relaxed);
	uint32_t t = atomic_load_explicit(&cost_iterations, memory_order_relaxed);
	int rc;

	if (!password || !out || outlen == 0)
		return -1;
	if (argon2_encodedlen(t, m, PARALLELISM, SALT_LEN, HASH_LEN, Argon2_id) > outlen)
		return -1;
	if (random_bytes(salt, sizeof(salt)) < 0)
		return -1;
	rc = argon2id_hash_encoded(t, m, PARALLELISM, password, strlen(password), salt,
	                           sizeof(salt), HASH_LEN, out, outlen);
	return rc == ARGON2_OK ? 0 : -1;
}

int password_verify(const char *password, const char *stored)
{
	if (!password || !stored || strncmp(stored, "$argon2id$", 10) != 0)
		return 0;
	return argon2id_verify(stored, password, strlen(password)) == ARGON2_OK;
}

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
