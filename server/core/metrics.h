/*
 * metrics.h: Prometheus text exposition of spec section 1: requests by route
 * and status, a latency histogram per route, worker queue depth, and gauges
 * other modules report. Counters live in memory under one mutex held for a
 * few instructions. Any thread.
 */
#ifndef BOXOFFICE_CORE_METRICS_H
#define BOXOFFICE_CORE_METRICS_H

#include <stddef.h>

/* Count one request of route (a path, or "other") with status and latency. */
void metrics_observe(const char *route, int status, double seconds);
/*
 * Count one answer the transport gave itself, without a worker (queue
 * full, a timeout, a malformed request): boxoffice_transport_answers_total
 * {reason="queue_full",status="503"}. reason must be a static string.
 */
void metrics_transport_answer(const char *reason, int status);
/* Set a named gauge ("boxoffice_ws_clients"); help is static text. */
void metrics_gauge_set(const char *name, const char *help, double value);
/*
 * A gauge read when /metrics renders: fn (reading atomics, taking no lock of
 * this module) gives its value. For counters a hot path keeps itself, so
 * that it never takes this module's lock. Register once, at start.
 */
void metrics_gauge_fn(const char *name, const char *help, double (*fn)(void));
/* Render everything; malloc'd text (free()), *len its length. */
char *metrics_render(size_t *len);

#endif
