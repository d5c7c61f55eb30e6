/*
 * main.c: boxofficed. Loads settings, checks MariaDB and Redis, migrates,
 * bootstraps the first admin, starts Kafka, the worker pool and the lws
 * loop; on SIGTERM/SIGINT stops taking requests, finishes those in flight,
 * flushes the producer and exits 0.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <mysql.h>

#include "cache/near.h"
#include "cache/redis.h"
#include "core/config.h"
#include "svc/dispatch.h"
#include "svc/expiry.h"
#include "svc/registry.h"
#include "svc/svc_order.h"
#include "svc/events.h"
#include "svc/svc_pay.h"
#include "svc/otlp.h"
#include "svc/svc_refund.h"
#include "http/http.h"
#include "core/ids.h"
#include "core/jsonguard.h"
#include "core/log.h"
#include "core/password.h"
#include "queue/kq.h"
#include "store/db.h"
#include "store/migrate.h"
#include "core/pool.h"
#include "core/thread_role.h"
#include "svc/conns.h"
#include "svc/health.h"

static sigset_t stop_signals;

static void *signal_main(void *arg)
{
	int sig;

	if (sigwait(&stop_signals, &sig) == 0) {
		/*
		 * main cancels this thread once the loop has stopped, which may be
		 * while http_request_stop holds the context lock (lws_cancel_service
		 * writes, a cancellation point): the lock would stay taken and
		 * http_stop wait for it forever. From here on it runs to its end.
		 */
		pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, NULL);
		log_info("received signal %d", sig);
		http_request_stop();
	}
	return NULL;
}

static int set_log_level(const char *name)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	int i;

	for (i = 0; i < 4; i++)
		if (!strcmp(name, names[i])) {
			log_set_level((enum log_level)i);
			return 0;
		}
	return -1;
}

int main(int argc, char **argv)
{
	char err[512];
	struct worker *local = NULL;
	pthread_t sig_thread;
	int rc, exit_code = 1, sig_started = 0, kq_started = 0, pool_started = 0;
	int health_started = 0, threads;

	rc = config_load(&cfg, argc, argv, err, sizeof(err));
	if (rc == 1)
		return 0;
	if (rc < 0) {
		fprintf(stderr, "boxofficed: %s\n", err);
		config_release(&cfg);
		return 2;
	}
	if (set_log_level(cfg.log_level) < 0)
		log_warn("unknown log_level '%s'; using info", cfg.log_level);
	if (log_set_format(cfg.log_format) < 0)
		log_warn("unknown log_format '%s'; using json", cfg.log_format);
	if (db_configure(cfg.db_url) < 0 || redis_configure(cfg.redis_url) < 0) {
		fprintf(stderr, "boxofficed: invalid db_url or redis_url\n");
		config_release(&cfg);
		return 2;
	}
	pool_set_conn_ops(&svc_conn_ops);
	jsonguard_install();
	if (ids_init((int)cfg.node_id) < 0) {
		fprintf(stderr, "boxofficed: node_id %ld out of range\n", cfg.node_id);
		config_release(&cfg);
		return 2;
	}
	password_set_cost((unsigned)cfg.argon2_memory_kib, (unsigned)cfg.argon2_iterations);
	srand48((long)getpid() ^ (long)time(NULL));
	mysql_library_init(0, NULL, NULL);
	curl_global_init(CURL_GLOBAL_DEFAULT);

	/* Every thread started from here on inherits the blocked signals. */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* After the mask: the exporter thread must not take SIGTERM itself. */
	if (otlp_start(cfg.otlp_endpoint) < 0)
		goto out;

	if (db_check(err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	local = worker_new_local();
	if (!local) {
		log_error("cannot start: out of memory");
		goto out;
	}
	if (migrate_run(local) < 0) {
		log_error("cannot start: migrations failed");
		goto out;
	}
	if (cfg.migrate_only) {
		log_info("migrations applied");
		exit_code = 0;
		goto out;
	}
	if (redis_check(err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	/* Tracking is on one connection, to one node: no near cache on a cluster. */
	if (cfg.read_cache && redis_cluster_mode())
		log_info("near cache off: redis_url names a Redis Cluster");
	near_init(cfg.read_cache && !redis_cluster_mode() ? (size_t)cfg.near_cache_bytes : 0);
	if (near_track_start() < 0) {
		log_error("cannot start the near cache's invalidation thread");
		goto out;
	}
	if (dispatch_init(&svc_registry) < 0) {
		log_error("cannot start: the route table is invalid");
		goto out;
	}
	if (dispatch_bootstrap(local) < 0) {
		log_error("cannot start: the bootstrap admin could not be created");
		goto out;
	}
	if (thread_start(&sig_thread, signal_main, NULL, "bo-signals") != 0)
		goto out;
	sig_started = 1;
	order_register();
	pay_register_consumers();
	if (kq_start(cfg.kafka_brokers, cfg.kafka_topic_prefix, err, sizeof(err)) < 0) {
		log_error("%s", err);
		goto out;
	}
	kq_started = 1;
	if (health_start() < 0)
		goto out;
	health_started = 1;
	threads = pool_threads_for((int)cfg.workers);
	if (pool_start(threads) < 0) {
		log_error("cannot start %d worker threads", threads);
		goto out;
	}
	pool_started = 1;
	if (expiry_start() < 0) {
		log_error("cannot start the expiry sweeper");
		goto out;
	}
	if (events_start() < 0 || refund_sweeper_start() < 0) {
		log_error("cannot start the event publisher or the refund sweeper");
		goto out;
	}
	if (http_start(cfg.listen) < 0) {
		log_error("cannot start: cannot listen on '%s'", cfg.listen);
		goto out;
	}
	log_info("boxofficed %s ready (%d workers, %d may wait on mysql)", BOXOFFICE_VERSION,
	         pool_size(), pool_db_slots());
	http_run(10);
	exit_code = 0;
out:
	/* The signal thread first: it may still reach the lws context. */
	if (sig_started) {
		pthread_cancel(sig_thread);
		pthread_join(sig_thread, NULL);
	}
	refund_sweeper_stop();
	expiry_stop();
	if (pool_started)
		pool_stop();
	http_stop();
	near_track_stop();
	near_release();
	if (health_started)
		health_stop();
	events_stop(); /* before the producer goes; consumers may still emit: dropped, logged */
	if (kq_started)
		kq_stop();
	worker_free_local(local);
	otlp_stop(); /* last: every thread that makes spans has stopped */
	curl_global_cleanup();
	mysql_library_end();
	config_release(&cfg);
	if (exit_code == 0)
		log_info("stopped");
	else
		log_error("exiting with status %d", exit_code);
	return exit_code;
}
