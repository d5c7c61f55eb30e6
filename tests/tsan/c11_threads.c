/*
 * c11_threads.c: linked into every executable of a ThreadSanitizer build
 * (BOXOFFICE_TSAN) only.
 *
 * librdkafka starts its threads with C11 thrd_create, which glibc 2.36
 * implements without calling pthread_create. The ThreadSanitizer runtime
 * of Debian 12's GCC intercepts pthread_create only, so those threads run
 * without TSan state and crash in its allocator on their first malloc
 * (SEGV at a small address in SizeClassAllocator64LocalCache::Allocate).
 * These definitions interpose libc's: an executable's definition wins for
 * the shared library's references, and each thread now goes through the
 * intercepted pthread calls. On glibc thrd_t is pthread_t, so thrd_* calls
 * that stay in libc (thrd_current, thrd_equal) keep working.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

int thrd_create(thrd_t *thr, thrd_start_t fn, void *arg);
int thrd_join(thrd_t thr, int *res);
int thrd_detach(thrd_t thr);

struct start {
	thrd_start_t fn;
	void *arg;
};

static void *run(void *p)
{
	struct start s = *(struct start *)p;

	free(p);
	return (void *)(intptr_t)s.fn(s.arg);
}

int thrd_create(thrd_t *thr, thrd_start_t fn, void *arg)
{
	struct start *s = malloc(sizeof(*s));

	if (!s)
		return thrd_nomem;
	s->fn = fn;
	s->arg = arg;
	if (pthread_create(thr, NULL, run, s) != 0) {
		free(s);
		return thrd_error;
	}
	return thrd_success;
}

int thrd_join(thrd_t thr, int *res)
{
	void *v;

	if (pthread_join(thr, &v) != 0)
		return thrd_error;
	if (res)
		*res = (int)(intptr_t)v;
	return thrd_success;
}

int thrd_detach(thrd_t thr)
{
	return pthread_detach(thr) == 0 ? thrd_success : thrd_error;
}
