/*
 * thread_role.h: which thread is the lws loop. Storage, cache and queue entry
 * points call ASSERT_NOT_LOOP() so that a blocking call from the loop thread
 * aborts in debug builds (and is counted in release builds).
 */
#ifndef BOXOFFICE_CORE_THREAD_ROLE_H
#define BOXOFFICE_CORE_THREAD_ROLE_H

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
