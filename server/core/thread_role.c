/* thread_role.c: see thread_role.h. */
#include "core/thread_role.h"

#include <stdlib.h>

#include "core/log.h"

static _Thread_local int is_loop;
static unsigned long violations; /* atomic */

void thread_role_set_loop(void)
{
	is_loop = 1;
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
