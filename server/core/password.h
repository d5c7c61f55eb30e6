/*
 * password.h: password hashing with Argon2id (libargon2) and a random
 * per-user salt, in the PHC string format. Any thread.
 */
#ifndef BOXOFFICE_CORE_PASSWORD_H
#define BOXOFFICE_CORE_PASSWORD_H

#include <stddef.h>

/* Cost parameters (set from settings at start; tests lower them). */
void password_set_cost(unsigned memory_kib, unsigned iterations);
/* Hash password into out (PHC string, at most 128 bytes). Returns 0 or -1. */
int password_hash(const char *password, char *out, size_t outlen);
/* 1 if password matches the stored PHC string, 0 if not (or malformed). */
int password_verify(const char *password, const char *stored);

#endif
