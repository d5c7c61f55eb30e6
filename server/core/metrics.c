/* metrics.c: see metrics.h. */
#include "core/metrics.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ROUTES 128
#define MAX_STATUSES 16
#define MAX_GAUGES 32

static const double bounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
#define NBOUNDS (sizeof(bounds) / sizeof(bounds[0]))

struct route_stats {
	const char *route; /* static strings: route table paths */
	int statuses[MAX_STATUSES];
	unsigned long counts[MAX_STATUSES];
	unsigned long buckets[NBOUNDS + 1];
	double sum;
	unsigned long total;
};

struct gauge {
	const char *name, *help;
	double value;
	double (*fn)(void); /* metrics_gauge_fn: read at render */
};

#define MAX_REASONS 32
struct reason_count {
	const char *reason; /* static string */
	int status;
	unsigned long count;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct reason_count reasons[MAX_REASONS];
static int nreasons;
static struct route_stats routes[MAX_ROUTES];
static int nroutes;
static struct gauge gauges[MAX_GAUGES];
static int ngauges;

void metrics_observe(const char *route, int status, double seconds)
{
	struct route_stats *rs = NULL;
	int i;
	size_t b;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nroutes; i++)
		if (routes[i].route == route || !strcmp(routes[i].route, route)) {
			rs = &routes[i];
			break;
		}
	if (!rs && nroutes < MAX_ROUTES) {
		rs = &routes[nroutes++];
		rs->route = route;
	}
	if (rs) {
		for (i = 0; i < MAX_STATUSES; i++) {
			if (rs->statuses[i] == status || rs->statuses[i] == 0) {
				rs->statuses[i] = status;
				rs->counts[i]++;
				break;
			}
		}
		for (b = 0; b < NBOUNDS && seconds > bounds[b]; b++)
			;
		rs->buckets[b]++;
		rs->sum += seconds;
		rs->total++;
	}
	pthread_mutex_unlock(&lock);
}

void metrics_transport_answer(const char *reason, int status)
{
	int i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < nreasons; i++)
		if (reasons[i].status == status && !strcmp(reasons[i].reason, reason))
			break;
	if (i == nreasons && nreasons < MAX_REASONS) {
		reasons[i].reason = reason;
		reasons[i].status = status;
		nreasons++;
	}
	if (i < nreasons)
		reasons[i].count++;
	pthread_mutex_unlock(&lock);
}

void metrics_gauge_set(const char *name, const char *help, double value)
{
	int i;

	pthread_mutex_lock(&lock);
	for (i = 0; i < ngauges; i++)
		if (!strcmp(gauges[i].name, name))
			break;
	if (i == ngauges && ngauges < MAX_GAUGES) {
		gauges[i].name = name;
		gauges[i].help = help;
		ngauges++;
	}
	if (i < ngauges)
		gauges[i].value = value;
	pthread_mutex_unlock(&lock);
}

void metrics_gauge_fn(const char *name, const char *help, double (*fn)(void))
{
	metrics_gauge_set(name, help, 0);
	pthread_mutex_lock(&lock);
	for (int i = 0; i < ngauges; i++)
		if (!strcmp(gauges[i].name, name))
			gauges[i].fn = fn;
	pthread_mutex_unlock(&lock);
}

struct out {
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(o->p + o->len, o->cap - o->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			o->failed = 1;
			return;
		}
		if (o->len + (size_t)n < o->cap) {
			o->len += (size_t)n;
			return;
		}
		char *q = realloc(o->p, o->cap * 2 + (size_t)n);
		if (!q) {
			o->failed = 1;
			return;
		}
		o->p = q;
		o->cap = o->cap * 2 + (size_t)n;
	}
}

char *metrics_render(size_t *len)
{
	struct out o = {malloc(8192), 0, 8192, 0};
	int i, s;
	size_t b;

	if (!o.p)
		return NULL;
	o.p[0] = '\0';
	pthread_mutex_lock(&lock);
	put(&o, "# HELP boxoffice_requests_total API requests by route and HTTP status.\n"
	        "# TYPE boxoffice_requests_total counter\n");
	for (i = 0; i < nroutes; i++)
		for (s = 0; s < MAX_STATUSES && routes[i].statuses[s]; s++)
			put(&o, "boxoffice_requests_total{route=\"%s\",status=\"%d\"} %lu\n",
			    routes[i].route, routes[i].statuses[s], routes[i].counts[s]);
	put(&o,
	    "# HELP boxoffice_request_duration_seconds Time from request read to answer ready.\n"
	    "# TYPE boxoffice_request_duration_seconds histogram\n");
	for (i = 0; i < nroutes; i++) {
		unsigned long cum = 0;
		for (b = 0; b < NBOUNDS; b++) {
			cum += routes[i].buckets[b];
			put(&o,
			    "boxoffice_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} "
			    "%lu\n",
			    routes[i].route, bounds[b], cum);
		}
		cum += routes[i].buckets[NBOUNDS];
		put(&o, "boxoffice_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n",
		    routes[i].route, cum);
		put(&o, "boxoffice_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
		    routes[i].route, routes[i].sum);
		put(&o, "boxoffice_request_duration_seconds_count{route=\"%s\"} %lu\n",
		    routes[i].route, routes[i].total);
	}
	put(&o, "# HELP boxoffice_transport_answers_total Answers the transport gave without "
	        "a worker, by reason.\n# TYPE boxoffice_transport_answers_total counter\n");
	for (i = 0; i < nreasons; i++)
		put(&o, "boxoffice_transport_answers_total{reason=\"%s\",status=\"%d\"} %lu\n",
		    reasons[i].reason, reasons[i].status, reasons[i].count);
	for (i = 0; i < ngauges; i++)
		put(&o, "# HELP %s %s\n# TYPE %s gauge\n%s %.17g\n", gauges[i].name, gauges[i].help,
		    gauges[i].name, gauges[i].name,
		    gauges[i].fn ? gauges[i].fn() : gauges[i].value);
	pthread_mutex_unlock(&lock);
	if (o.failed) {
		free(o.p);
		return NULL;
	}
	*len = o.len;
	return o.p;
}
