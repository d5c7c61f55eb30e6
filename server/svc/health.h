/*
 * health.h: the state /healthz answers from. One checker thread per
 * dependency (MySQL, Redis, Kafka) pings it every HEALTH_PERIOD_MS on its
 * own connection and stamps each success; a dependency is up while its last
 * success is younger than HEALTH_STALE_MS. /healthz reads these stamps, so it
 * answers at once even while a dependency hangs (a stalled disk, a lost
 * network), instead of waiting on it like a request would.
 *
 * It also renders the two operator endpoints the dispatcher serves on a
 * worker (hooks of svc/registry.c), so that svc/dispatch.c depends on core/
 * and protocol/ only (the router fuzz harness links it without a stack).
 */
#ifndef BOXOFFICE_SVC_HEALTH_H
#define BOXOFFICE_SVC_HEALTH_H

#define HEALTH_PERIOD_MS 500
#define HEALTH_STALE_MS 3000

struct health {
	int db, redis, kafka; /* 1 up, 0 down */
};

/* Start the checkers (after kq_start). Returns 0 or -1 (logged). */
int health_start(void);
/* Stop and join them (before kq_stop). A checker stuck in a ping is waited for. */
void health_stop(void);
/* The current state; before health_start, every part reads as down. Any thread. */
void health_get(struct health *h);

struct http_response;
/* GET /healthz: 200 {"status":"ok",...} or 503 with Retry-After; fills *out (body malloc'd). */
void health_answer_healthz(struct http_response *out);
/* GET /metrics: the Prometheus text of core/metrics.c plus the pool, Kafka and cache gauges. */
void health_answer_metrics(struct http_response *out);

#endif
