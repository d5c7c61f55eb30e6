/*
 * kq.h: Kafka producer and consumers (librdkafka) for spec section 5.
 *
 * With kafka_brokers empty, kq_start() starts librdkafka's mock cluster in
 * process (or, with kafka_broker_file set, reaches the one tools/kbroker
 * runs) and every client reaches it over TCP like a real broker. The
 * producer is idempotent; kq_produce_sync waits for the broker's ack.
 * Consumers (group boxoffice-confirm) run on their own threads, call the
 * handler registered for the message's "type" inside one MySQL transaction
 * that also records its eventId, and commit the offset after that commit.
 */
#ifndef BOXOFFICE_QUEUE_KQ_H
#define BOXOFFICE_QUEUE_KQ_H

#include <stddef.h>

#include <cjson/cJSON.h>

struct worker;

/* Topic names without the prefix. */
#define KQ_TOPIC_ORDERS "orders"
#define KQ_TOPIC_PAYMENTS "payments"
#define KQ_TOPIC_EVENTS "events"
#define KQ_TOPIC_DLQ "dlq"
#define KQ_GROUP "boxoffice-confirm"
#define KQ_MAX_ATTEMPTS 5

/*
 * A message handler: runs on a consumer thread inside a transaction already
 * begun on w. Returns 0 to commit, -1 to roll back and retry (up to
 * KQ_MAX_ATTEMPTS, then the message goes to the dlq with err).
 */
typedef int (*kq_handler_fn)(struct worker *w, const cJSON *msg, char *err, size_t errlen);

/*
 * Work a handler wants done only once its transaction has committed (seat
 * and order publications, outbound events): fn(w, arg) runs on the
 * consumer thread right after the commit; when the transaction rolls back
 * instead (or the message's savepoint does, in a batch), it does not run.
 * free_fn(arg) (may be NULL) runs in both cases. Call only from inside a
 * handler. Returns 0, or -1 when too many are queued (the caller then frees
 * arg itself and should fail: the message is retried).
 */
typedef void (*kq_after_fn)(struct worker *w, void *arg);
int kq_after_commit(kq_after_fn fn, void *arg, void (*free_fn)(void *));

/* Register a handler for a message type before kq_start. */
void kq_register(const char *type, kq_handler_fn fn);

/*
 * Start the producer (and the embedded cluster when brokers is empty) and,
 * unless the setting kafka_consume is 0, the consumer threads. Returns 0 or
 * -1 with *msg set.
 */
int kq_start(const char *brokers, const char *topic_prefix, char *msg, size_t msglen);
/*
 * The embedded broker alone, for its own process (tools/kbroker): start the
 * mock cluster with the topics of topic_prefix and write its address to
 * bootstrap_file. Returns 0 or -1 with *msg set. kq_stop ends it.
 *
 * With kafka_brokers empty and the setting kafka_broker_file naming that
 * file, kq_start connects to that process instead of starting a cluster of
 * its own: queued messages then survive a crash of the daemon (not of the
 * broker process: it keeps them in memory).
 */
int kq_broker_start(const char *topic_prefix, const char *bootstrap_file, char *msg, size_t msglen);
/* The address of the cluster kq_broker_start started (static storage). */
const char *kq_broker_address(void);

/* Flush the producer, stop consumers, destroy everything. */
void kq_stop(void);

/*
 * Produce one message to prefix+topic and wait up to timeout_ms for the
 * broker's acknowledgement. Returns 0 when durably queued, -1 otherwise.
 * Worker and consumer threads only.
 */
int kq_produce_sync(const char *topic, const char *key, const char *payload, size_t len,
                    int timeout_ms);
/*
 * kq_produce_sync of m printed unformatted. Returns 0 when durably queued,
 * -1 otherwise (also when m is NULL or cannot be printed). m stays the
 * caller's.
 */
int kq_produce_json(const char *topic, const char *key, const cJSON *m, int timeout_ms);
/* 1 if the cluster answered a metadata request within timeout_ms. */
int kq_healthy(int timeout_ms);
/* Consumer lag summed over assigned partitions (for /metrics); -1 unknown. */
long kq_consumer_lag(void);

/*
 * Where the consumer's time goes (for /metrics): batches applied in one
 * transaction and their messages, messages applied alone, and seconds
 * spent waiting for messages (poll), applying them (statements), in the
 * commit, in the after-commit work and in the offset commit.
 */
struct kq_cons_stats {
	unsigned long batches, batched, single;
	double poll_s, apply_s, commit_s, after_s, offsets_s;
};
void kq_cons_stats_get(struct kq_cons_stats *s);

#endif
