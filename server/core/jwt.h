/*
 * jwt.h: HS256 JSON Web Tokens (OpenSSL HMAC) with the claims of spec 3:
 * userId, role, tv (token version), iat, exp. Pure; any thread.
 */
#ifndef BOXOFFICE_CORE_JWT_H
#define BOXOFFICE_CORE_JWT_H

#include <stddef.h>
#include <stdint.h>

struct jwt_claims {
	int64_t user_id;
	int role;
	int64_t tv;
	int64_t iat;
	int64_t exp;
};

enum jwt_rc { JWT_OK = 0, JWT_MALFORMED = -1, JWT_BAD_SIGNATURE = -2, JWT_EXPIRED = -3 };

/* Sign claims. Returns a malloc'd token (free()), or NULL on failure. */
char *jwt_sign(const struct jwt_claims *c, const char *secret, size_t secret_len);
/*
 * Verify token (a bare token or "Bearer <token>") at time now. On JWT_OK
 * fills *c. Only alg HS256 is accepted; comparison is constant time.
 */
enum jwt_rc jwt_verify(const char *token, const char *secret, size_t secret_len, int64_t now,
                       struct jwt_claims *c);

#endif
