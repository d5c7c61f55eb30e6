/*
 * jsonguard.h: a sticky error flag for JSON built with cJSON. cJSON's
 * builders (cJSON_Add*ToObject, cJSON_Create*) fail only when an allocation
 * fails, and a caller that misses one NULL would answer or cache a
 * half-built object. The allocation hooks installed here set a per-thread
 * flag on every failed allocation; the dispatcher clears it before a
 * handler runs and answers 500 (never the object) when it is set after,
 * and the read cache refuses to store an object built while it was set.
 * Any thread; the flag is per thread.
 */
#ifndef BOXOFFICE_CORE_JSONGUARD_H
#define BOXOFFICE_CORE_JSONGUARD_H

/* Route cJSON's allocations through the guard. Call once at start, before threads. */
void jsonguard_install(void);
/* Clear the calling thread's flag. */
void jsonguard_reset(void);
/* 1 if an allocation failed on this thread since the last reset. */
int jsonguard_failed(void);
/*
 * Make the next n allocations through cJSON on this thread fail (tests
 * only; 0 turns it off).
 */
void jsonguard_fail_next(int n);

#endif
