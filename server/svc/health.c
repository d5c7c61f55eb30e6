/*
 * health.c: see health.h.
 */
#include "svc/health.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cache/cache.h"
#include "cache/near.h"
#include "cache/redis.h"
#include "core/config.h"
#include "core/metrics.h"
#include "core/thread_role.h"
#include "proto_wire.h"
#include "svc/dispatch.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/pool.h"
#include "queue/kq.h"
#include "store/db.h"
#include "proto_json.h"

enum part { PART_DB, PART_REDIS, PART_KAFKA, NPARTS };

static struct checker {
	enum part part;
	pthread_t thread;
	int started;
	atomic_llong last_ok_ms; /* monotonic ms of the last success; 0 never */
} checkers[NPARTS];
static atomic_int stopping;

static long long now_ms(void)
{
	return (long long)(clock_s() * 1000.0);
}

static int ping(struct worker *w, enum part p)
{
	switch (p) {
	case PART_DB:
		return db_ping(w) == DB_OK;
	case PART_REDIS:
		return redis_ping(w);
	case PART_KAFKA:
		return kq_healthy(HEALTH_PERIOD_MS * 2);
	default:
		return 0;
	}
}

static void *checker_main(void *arg)
{
	struct checker *c = arg;
	struct worker *w = NULL;
	int ok;

	while (!atomic_load(&stopping)) {
		if (!w)
			w = worker_new_local();
		ok = w && ping(w, c->part);
		if (ok)
			atomic_store(&c->last_ok_ms, now_ms());
		if (c->part == PART_DB)
			pool_db_health(ok);
		clock_sleep_ms(HEALTH_PERIOD_MS);
	}
	worker_free_local(w);
	return NULL;
}

int health_start(void)
{
	int i;

	atomic_store(&stopping, 0);
	for (i = 0; i < NPARTS; i++) {
		checkers[i].part = (enum part)i;
		atomic_store(&checkers[i].last_ok_ms, 0);
		if (thread_start(&checkers[i].thread, checker_main, &checkers[i], "bo-health%d",
		                 i) != 0) {
			health_stop();
			return -1;
		}
		checkers[i].started = 1;
	}
	return 0;
}

void health_stop(void)
{
	int i;

	atomic_store(&stopping, 1);
	for (i = 0; i < NPARTS; i++) {
		if (checkers[i].started)
			pthread_join(checkers[i].thread, NULL);
		checkers[i].started = 0;
	}
}

static int up(enum part p)
{
	long long t = atomic_load(&checkers[p].last_ok_ms);

	return t > 0 && now_ms() - t < HEALTH_STALE_MS;
}

void health_get(struct health *h)
{
	h->db = up(PART_DB);
	h->redis = up(PART_REDIS);
	h->kafka = up(PART_KAFKA);
}

void health_answer_healthz(struct http_response *out)
{
	struct health h;
	char *printed;
	int ok;
	cJSON *o = cJSON_CreateObject();

	health_get(&h);
	ok = h.db && h.redis && h.kafka;

	cJSON_AddStringToObject(o, PROTO_KEY_STATUS, ok ? "ok" : "down");
	cJSON_AddStringToObject(o, "db", h.db ? "ok" : "down");
	cJSON_AddStringToObject(o, "redis", h.redis ? "ok" : "down");
	cJSON_AddStringToObject(o, "kafka", h.kafka ? "ok" : "down");
	cJSON_AddStringToObject(o, PROTO_KEY_VERSION, BOXOFFICE_VERSION);
	cJSON_AddStringToObject(o, "currency", cfg.currency);
	out->status = ok ? 200 : 503;
	out->ctype = "application/json";
	/* out->body is free()d by the transport: a copy, not cJSON's buffer. */
	printed = proto_json_print(o);
	out->body = printed ? strdup(printed) : NULL;
	out->len = out->body ? strlen(out->body) : 0;
	cJSON_free(printed);
	if (!ok)
		out->retry_after = 1;
	cJSON_Delete(o);
}

/* A gauge of /metrics: name, help, value. */
struct gauge {
	const char *name, *help;
	double value;
};

static void gauges_set(const struct gauge *g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		metrics_gauge_set(g[i].name, g[i].help, g[i].value);
}

static void kq_metrics(void)
{
	struct kq_cons_stats ks;

	kq_cons_stats_get(&ks);
	const struct gauge g[] = {
	    {"boxoffice_kafka_consumer_batches_total",
	     "Message batches the consumer applied in one transaction.", (double)ks.batches},
	    {"boxoffice_kafka_consumer_batched_messages_total",
	     "Messages applied in those batches.", (double)ks.batched},
	    {"boxoffice_kafka_consumer_single_messages_total",
	     "Messages applied alone (a batch of one, or after a failure in a batch).",
	     (double)ks.single},
	    {"boxoffice_kafka_consumer_poll_seconds_total", "Consumer time waiting for messages.",
	     ks.poll_s},
	    {"boxoffice_kafka_consumer_apply_seconds_total",
	     "Consumer time applying batches (their statements).", ks.apply_s},
	    {"boxoffice_kafka_consumer_commit_seconds_total", "Consumer time committing batches.",
	     ks.commit_s},
	    {"boxoffice_kafka_consumer_after_seconds_total",
	     "Consumer time in batches' after-commit work.", ks.after_s},
	    {"boxoffice_kafka_consumer_offsets_seconds_total",
	     "Consumer time committing batches' offsets.", ks.offsets_s},
	};

	gauges_set(g, sizeof(g) / sizeof(g[0]));
}

static void near_metrics(void)
{
	struct near_stats ns;

	near_stats_get(&ns);
	const struct gauge g[] = {
	    {"boxoffice_near_hits_total", "Answers from the near cache (loop thread).",
	     (double)ns.hits},
	    {"boxoffice_near_misses_total", "Near-cache lookups that went on to a worker.",
	     (double)(ns.misses + ns.unsynced)},
	    {"boxoffice_near_unsynced_total",
	     "Near-cache lookups refused: invalidations not yet applied.", (double)ns.unsynced},
	    {"boxoffice_near_stores_total", "Answers kept in the near cache.", (double)ns.stores},
	    {"boxoffice_near_evictions_total", "Near-cache entries evicted for the byte budget.",
	     (double)ns.evictions},
	    {"boxoffice_near_invalidations_total", "Key changes Redis reported to the near cache.",
	     (double)ns.invalidations},
	    {"boxoffice_near_flushes_total", "Times the near cache was dropped whole.",
	     (double)ns.flushes},
	    {"boxoffice_near_value_hits_total",
	     "Token versions and generations a worker read from the near cache.",
	     (double)ns.value_hits},
	    {"boxoffice_near_value_misses_total",
	     "Token versions and generations a worker read from Redis.", (double)ns.value_misses},
	    {"boxoffice_near_bytes", "Bytes held by the near cache.", (double)ns.bytes},
	    {"boxoffice_near_entries", "Entries in the near cache.", (double)ns.entries},
	    {"boxoffice_near_usable", "1 while invalidations are tracked.", ns.usable},
	};

	gauges_set(g, sizeof(g) / sizeof(g[0]));
}

void health_answer_metrics(struct http_response *out)
{
	struct cache_stats cs;

	cache_stats_get(&cs);
	const struct gauge g[] = {
	    {"boxoffice_worker_queue_depth", "Requests waiting for a worker.", pool_queue_depth()},
	    {"boxoffice_workers", "Worker threads.", pool_size()},
	    {"boxoffice_mysql_slots", "Workers that may be inside MySQL at once.", pool_db_slots()},
	    {"boxoffice_mysql_slots_busy", "Workers inside MySQL now.", pool_db_busy()},
	    {"boxoffice_mysql_slots_refused_total",
	     "Requests answered 503 because every MySQL slot was taken.",
	     (double)pool_db_refused()},
	    {"boxoffice_loop_blocking_calls_total",
	     "Blocking calls seen on the loop thread (must stay 0).",
	     (double)thread_role_violations()},
	    {"boxoffice_kafka_consumer_lag", "Messages not yet consumed.",
	     (double)kq_consumer_lag()},
	    {"boxoffice_cache_hits", "Read-cache hits.", (double)cs.hits},
	    {"boxoffice_cache_misses", "Read-cache misses.", (double)cs.misses},
	    {"boxoffice_cache_fallbacks", "Reads served from MySQL with Redis down.",
	     (double)cs.fallbacks},
	};

	gauges_set(g, sizeof(g) / sizeof(g[0]));
	kq_metrics();
	near_metrics();
	out->status = 200;
	out->ctype = "text/plain; version=0.0.4";
	out->body = metrics_render(&out->len);
	if (!out->body) {
		out->status = 500;
		out->body = strdup("out of memory\n");
		out->len = out->body ? strlen(out->body) : 0;
	}
}
