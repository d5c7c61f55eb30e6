/* thread_role.c: see thread_role.h. */
#include "core/thread_role.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"

static _Thread_local int is_loop;
static unsigned long violations; /* atomic */

void thread_role_set_loop(void)
{
	is_loop = 1;
}

int thread_start(pthread_t *t, void *(*fn)(void *), void *arg, const char *fmt, ...)
{
	char name[16]; /* the kernel's limit, with the NUL */
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	rc = pthread_create(t, NULL, fn, arg);
	if (rc != 0) {
		log_error("cannot start the thread %s: %s", name, strerror(rc));
		return -1;
	}
	(void)pthread_setname_np(*t, name);
	return 0;
}

int thread_is_loop(void)
{
	return is_loop;
}

unsigned long thread_role_violations(void)
{
	return __atomic_load_n(&violations, __ATOMIC_RELAXED);
}

void thread_role_violation(const char *what, const char *file, int line)
{
	__atomic_add_fetch(&violations, 1, __ATOMIC_RELAXED);
	log_error("blocking %s call on the loop thread at %s:%d", what, file, line);
#ifndef NDEBUG
	/* A programmer error: the loop must never block. Debug builds stop here. */
	abort();
#endif
}
