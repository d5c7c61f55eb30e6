/*
 * redis_fixture.h: a private redis-server for unit tests that need a real
 * Redis. It starts on a free loopback port with persistence off and a fresh
 * data folder under /tmp, and the test stops it (and may stop it early to
 * test Redis being down; stopping twice is harmless).
 */
#ifndef BOXOFFICE_TESTS_REDIS_FIXTURE_H
#define BOXOFFICE_TESTS_REDIS_FIXTURE_H

#include <sys/types.h>

struct redis_fixture {
	pid_t pid;    /* the server, 0 once stopped */
	int port;     /* its loopback port */
	char dir[64]; /* its data folder */
	char url[64]; /* "redis://127.0.0.1:PORT/0", for redis_configure */
};

/* A loopback TCP port that was free a moment ago, or -1. */
int redis_fixture_free_port(void);
/* Sleep ms milliseconds. */
void redis_fixture_sleep_ms(long ms);
/*
 * Start redis-server (data folder /tmp/NAME.XXXXXX) and wait up to 5 s for
 * it to answer PING. Returns 0, or -1 (message printed, nothing left running).
 */
int redis_fixture_start(struct redis_fixture *rf, const char *name);
/* Stop the server if it runs (SIGTERM, then wait for it). */
void redis_fixture_stop(struct redis_fixture *rf);
/* Stop the server and remove its data folder. */
void redis_fixture_remove(struct redis_fixture *rf);

#endif
