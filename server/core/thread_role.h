/*
 * thread_role.h: which thread is which. Storage, cache and queue entry
 * points call ASSERT_NOT_LOOP() so that a blocking call from the loop thread
 * aborts in debug builds (and is counted in release builds). Every thread of
 * the daemon starts through thread_start, which names it: `top -H`,
 * `ps -L`, gdb and `perf report --sort comm` show "bo-loop0",
 * "bo-worker3", "bo-kafka-cons"... instead of "boxofficed" for all.
 */
#ifndef BOXOFFICE_CORE_THREAD_ROLE_H
#define BOXOFFICE_CORE_THREAD_ROLE_H

#include <pthread.h>

/*
 * pthread_create with default attributes, then the thread's name (printf
 * format, cut to the kernel's 15 characters). Returns 0, or -1 with the
 * failure logged (naming the thread). A name that cannot be set is not an
 * error.
 */
int thread_start(pthread_t *t, void *(*fn)(void *), void *arg, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Mark the calling thread as the loop thread. */
void thread_role_set_loop(void);
/* 1 on the loop thread. */
int thread_is_loop(void);
/* Times a blocking call ran on the loop thread (release builds). */
unsigned long thread_role_violations(void);
void thread_role_violation(const char *what, const char *file, int line);

#define ASSERT_NOT_LOOP(what)                                              \
	do {                                                               \
		if (thread_is_loop())                                      \
			thread_role_violation((what), __FILE__, __LINE__); \
	} while (0)

#endif
