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

/* Fill buf with n bytes from the CSPRNG. Returns 0 or -1. */
int random_bytes(void *buf, size_t n);
/* A string of n random decimal digits (uniform, CSPRNG) into out[n+1]. */
int random_digits(char *out, size_t n);
/* n random characters from alphabet (uniform) into out[n+1]. */
int random_string(char *out, size_t n, const char *alphabet);

#endif
