/*
 * depstate.h: whether a dependency (MySQL, Redis, Kafka) is reachable, as
 * every worker sees it, so that an outage is logged once when it starts and
 * once when it ends (with the number of calls that failed in between)
 * rather than once per failed call. Any thread; lock free.
 */
#ifndef BOXOFFICE_CORE_DEPSTATE_H
#define BOXOFFICE_CORE_DEPSTATE_H

#include <stdatomic.h>

struct depstate {
	const char *name; /* "mysql", "redis", "kafka" */
	atomic_int down;
	atomic_long failed; /* calls failed since it went down */
};

#define DEPSTATE_INIT(name)  \
	{                    \
		(name), 0, 0 \
	}

/*
 * A call to the dependency failed because it is unreachable: the first
 * failure after it was up logs a warning naming addr and why; later ones
 * are only counted.
 */
void depstate_fail(struct depstate *d, const char *addr, const char *why);
/* A call succeeded: if it was down, log that it is back and how many calls failed. */
void depstate_ok(struct depstate *d, const char *addr);
/* 1 while the dependency is known to be down. */
int depstate_is_down(const struct depstate *d);

#endif
