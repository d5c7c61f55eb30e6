/*
 * random.h: random bytes and strings from the kernel's CSPRNG (getrandom),
 * for salts, verification codes and ticket codes. Uniform over the
 * alphabet (no modulo bias). Any thread.
 */
#ifndef BOXOFFICE_CORE_RANDOM_H
#define BOXOFFICE_CORE_RANDOM_H

#include <stddef.h>

/* Fill buf with n bytes from the CSPRNG. Returns 0 or -1. */
int random_bytes(void *buf, size_t n);
/* A string of n random decimal digits (uniform, CSPRNG) into out[n+1]. */
int random_digits(char *out, size_t n);
/* n random characters from alphabet (uniform) into out[n+1]. */
int random_string(char *out, size_t n, const char *alphabet);

#endif
