/*
 * clock.h: the monotonic clock for timeouts, latencies and backoff, and a
 * sleep that survives signals. (Ids use the wall clock: see ids.c.)
 * Any thread.
 */
#ifndef BOXOFFICE_CORE_CLOCK_H
#define BOXOFFICE_CORE_CLOCK_H

#include <stdint.h>

/* Milliseconds since an arbitrary fixed point (CLOCK_MONOTONIC). */
int64_t clock_ms(void);
/* The same clock in seconds, with sub-millisecond precision. */
double clock_s(void);
/* Sleep ms milliseconds, resuming after a signal interrupts it. */
void clock_sleep_ms(long ms);

#endif
