/*
 * stats.h: what the flash-sale load generator counts: latency samples of
 * one step (milliseconds, any number, percentiles by sorting once at the
 * end) and errors by name ("hold:409:seat_taken"). One thread.
 */
#ifndef BOXOFFICE_BENCH_FLASH_STATS_H
#define BOXOFFICE_BENCH_FLASH_STATS_H

#include <stddef.h>
#include <stdio.h>

struct samples {
	const char *name;
	double *v;
	size_t n, cap;
	int sorted;
};

/* Add one sample (ms); samples that cannot be stored are counted in dropped. */
void samples_add(struct samples *s, double ms);
/* The p-quantile (0..1) of the samples, 0 when there are none. */
double samples_pct(struct samples *s, double p);
/* One line "STEP name n=.. p50_ms=.. p99_ms=.. max_ms=.." to f. */
void samples_print(struct samples *s, FILE *f);
void samples_release(struct samples *s);

/* Count one error named by the printf format. */
void errors_count(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Every error as "ERROR name count" lines, most frequent first; returns the total. */
long errors_print(FILE *f);

#endif
