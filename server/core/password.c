#include "core/password.h"
#include "core/random.h"

#include <stdatomic.h>
#include <stdint.h>
#include <string.h>

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
