/*
 * stats.c: see stats.h.
 */
#include "stats.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define ERRORS_MAX 128

struct error_count {
	char name[64];
	long n;
};

static struct error_count errors[ERRORS_MAX];
static int nerrors;
static long errors_other;

void samples_add(struct samples *s, double ms)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 1024;
		double *v = realloc(s->v, cap * sizeof(*v));
		if (!v)
			return;
		s->v = v;
		s->cap = cap;
	}
	s->v[s->n++] = ms;
	s->sorted = 0;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double samples_pct(struct samples *s, double p)
{
	size_t i;

	if (!s->n)
		return 0;
	if (!s->sorted) {
		qsort(s->v, s->n, sizeof(*s->v), cmp_double);
		s->sorted = 1;
	}
	i = (size_t)(p * (double)(s->n - 1) + 0.5);
	return s->v[i < s->n ? i : s->n - 1];
}

void samples_print(struct samples *s, FILE *f)
{
	fprintf(f, "STEP %s n=%zu p50_ms=%.1f p99_ms=%.1f max_ms=%.1f\n", s->name, s->n,
	        samples_pct(s, 0.5), samples_pct(s, 0.99), samples_pct(s, 1));
}

void samples_release(struct samples *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}

void errors_count(const char *fmt, ...)
{
	char name[64];
	va_list ap;
	int i;

	va_start(ap, fmt);
	vsnprintf(name, sizeof(name), fmt, ap);
	va_end(ap);
	for (i = 0; i < nerrors; i++)
		if (!strcmp(errors[i].name, name)) {
			errors[i].n++;
			return;
		}
	if (nerrors == ERRORS_MAX) {
		errors_other++;
		return;
	}
	strcpy(errors[nerrors].name, name);
	errors[nerrors++].n = 1;
}

static int cmp_error(const void *a, const void *b)
{
	long x = ((const struct error_count *)a)->n, y = ((const struct error_count *)b)->n;

	return x > y ? -1 : x < y;
}

long errors_print(FILE *f)
{
	long total = errors_other;
	int i;

	qsort(errors, (size_t)nerrors, sizeof(errors[0]), cmp_error);
	for (i = 0; i < nerrors; i++) {
		fprintf(f, "ERROR %s %ld\n", errors[i].name, errors[i].n);
		total += errors[i].n;
	}
	if (errors_other)
		fprintf(f, "ERROR other %ld\n", errors_other);
	return total;
}
