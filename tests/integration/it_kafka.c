/*
 * it_kafka.c: the daemon's Kafka consumer seen from outside, over TCP, as
 * another Kafka client would see it: messages it cannot apply land in the
 * dlq with the reason, and group boxoffice-confirm commits its offsets.
 * Needs KAFKA_BOOTSTRAP (the daemon's embedded broker) in the fixture's env;
 * KAFKA_TOPIC_PREFIX is optional (default "boxoffice.").
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <cjson/cJSON.h>
#include <librdkafka/rdkafka.h>

#include "fixtures.h"
#include "core/clock.h"

#define GROUP "boxoffice-confirm" /* KQ_GROUP in server/queue/kq.h */
#define WAIT_MS 30000             /* the daemon's first group join takes a few seconds */

static const char *bootstrap;
static char topic_orders[160], topic_dlq[160];

/* Where a produced message landed. */
struct landed {
	int done;
	rd_kafka_resp_err_t err;
	int32_t partition;
	int64_t offset;
};

static int group_setup(void **state)
{
	const char *prefix;

	(void)state;
	if (it_setup() != 0)
		return -1;
	bootstrap = it_env("KAFKA_BOOTSTRAP");
	if (!bootstrap || !*bootstrap) {
		print_error("no KAFKA_BOOTSTRAP in the fixture's env\n");
		return -1;
	}
	prefix = it_env("KAFKA_TOPIC_PREFIX");
	if (!prefix)
		prefix = "boxoffice.";
	snprintf(topic_orders, sizeof(topic_orders), "%sorders", prefix);
	snprintf(topic_dlq, sizeof(topic_dlq), "%sdlq", prefix);
	return 0;
}

static rd_kafka_conf_t *conf_base(void)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char errstr[256];

	if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, errstr, sizeof(errstr)) ||
	    rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr)))
		fail_msg("kafka conf: %s", errstr);
	return conf;
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct landed *l = m->_private;

	(void)rk;
	(void)opaque;
	l->done = 1;
	l->err = m->err;
	l->partition = m->partition;
	l->offset = m->offset;
}

/* Produce one message to topic and wait for the broker's ack. */
static struct landed produce(const char *topic, const char *key, const char *payload)
{
	rd_kafka_conf_t *conf = conf_base();
	struct landed l = {0};
	char errstr[256];
	rd_kafka_t *rk;

	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!rk)
		fail_msg("kafka producer: %s", errstr);
	assert_int_equal(rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic),
	                                   RD_KAFKA_V_KEY((void *)key, strlen(key)),
	                                   RD_KAFKA_V_VALUE((void *)payload, strlen(payload)),
	                                   RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
	                                   RD_KAFKA_V_OPAQUE(&l), RD_KAFKA_V_END),
	                 RD_KAFKA_RESP_ERR_NO_ERROR);
	rd_kafka_flush(rk, 10000);
	rd_kafka_destroy(rk);
	if (!l.done || l.err)
		fail_msg("cannot produce to '%s': %s", topic,
		         l.done ? rd_kafka_err2str(l.err) : "no delivery report");
	return l;
}

/* The dlq entry that satisfies match for arg (see it_kafka_find); fails the test if none. */
static cJSON *dlq_entry(it_kafka_match_fn match, const char *arg)
{
	cJSON *entry = it_kafka_find(topic_dlq, match, arg, WAIT_MS);

	if (!entry)
		fail_msg("no dlq entry for '%s' within %d ms", arg, WAIT_MS);
	return entry;
}

static int match_event_id(const cJSON *entry, const void *arg)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(entry, "message");
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(msg, "eventId");

	return cJSON_IsString(id) && strcmp(id->valuestring, arg) == 0;
}

static int match_raw_text(const cJSON *entry, const void *arg)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(entry, "message");

	return cJSON_IsString(msg) && strcmp(msg->valuestring, arg) == 0;
}

static int match_tag(const cJSON *entry, const void *arg)
{
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(entry, "message");
	const cJSON *tag = cJSON_GetObjectItemCaseSensitive(msg, "tag");

	return cJSON_IsString(tag) && strcmp(tag->valuestring, arg) == 0;
}

static const char *str_of(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(it) ? it->valuestring : "";
}

static int64_t int_of(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(it) ? (int64_t)it->valuedouble : INT64_MIN;
}

/* The dlq entry names the message's place exactly. */
static void assert_place(const cJSON *entry, const struct landed *l)
{
	assert_string_equal(str_of(entry, "topic"), topic_orders);
	assert_int_equal(int_of(entry, "partition"), l->partition);
	assert_int_equal(int_of(entry, "offset"), l->offset);
}

/* Committed offset of group boxoffice-confirm on topic_orders[partition]. */
static int64_t committed(int32_t partition)
{
	rd_kafka_conf_t *conf = conf_base();
	rd_kafka_topic_partition_list_t *parts;
	char errstr[256];
	rd_kafka_t *rk;
	int64_t off = RD_KAFKA_OFFSET_INVALID;

	/* Same group id, never subscribed: reads the group's offsets, joins nothing. */
	rd_kafka_conf_set(conf, "group.id", GROUP, errstr, sizeof(errstr));
	rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof(errstr));
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (!rk)
		fail_msg("kafka consumer: %s", errstr);
	parts = rd_kafka_topic_partition_list_new(1);
	rd_kafka_topic_partition_list_add(parts, topic_orders, partition);
	if (rd_kafka_committed(rk, parts, 10000) == RD_KAFKA_RESP_ERR_NO_ERROR &&
	    parts->elems[0].err == RD_KAFKA_RESP_ERR_NO_ERROR)
		off = parts->elems[0].offset;
	rd_kafka_topic_partition_list_destroy(parts);
	rd_kafka_destroy(rk);
	return off;
}

/*
 * Produce payload (with key) to the orders topic: its dlq entry (found by
 * match for arg) says error and where the message landed. Returns the entry.
 */
static cJSON *to_dlq(const char *key, const char *payload, it_kafka_match_fn match, const char *arg,
                     const char *error)
{
	struct landed l = produce(topic_orders, key, payload);
	cJSON *entry = dlq_entry(match, arg);

	assert_string_equal(str_of(entry, "error"), error);
	assert_place(entry, &l);
	return entry;
}

static void test_kafka_unknown_type_goes_to_dlq(void **state)
{
	const char *event_id = it_unique("it-kafka-unknown-");
	char type[64], payload[256], want[96];
	cJSON *entry;

	(void)state;
	snprintf(type, sizeof(type), "it.nosuch%ld", (long)(clock_ms() % 100000));
	snprintf(payload, sizeof(payload), "{\"type\":\"%s\",\"eventId\":\"%s\",\"at\":%ld}", type,
	         event_id, (long)time(NULL));
	snprintf(want, sizeof(want), "unknown type '%s'", type);
	entry = to_dlq(event_id, payload, match_event_id, event_id, want);
	/* The original message travels as JSON, untouched. */
	assert_string_equal(str_of(cJSON_GetObjectItemCaseSensitive(entry, "message"), "type"),
	                    type);
	cJSON_Delete(entry);
}

static void test_kafka_malformed_message_goes_to_dlq(void **state)
{
	char payload[128];

	(void)state;
	snprintf(payload, sizeof(payload), "this is not json %s {", it_unique("it-kafka-bad-"));
	cJSON_Delete(to_dlq("it-kafka", payload, match_raw_text, payload, "malformed message"));
}

static void test_kafka_message_without_event_id_goes_to_dlq(void **state)
{
	const char *tag = it_unique("it-kafka-noid-");
	char payload[160];

	(void)state;
	/* Valid JSON of a known type, but no eventId to record: refused, not guessed. */
	snprintf(payload, sizeof(payload), "{\"type\":\"order.requested\",\"tag\":\"%s\"}", tag);
	cJSON_Delete(to_dlq(tag, payload, match_tag, tag, "malformed message: no valid 'eventId'"));
}

static void test_kafka_offsets_committed_after_processing(void **state)
{
	const char *event_id = it_unique("it-kafka-commit-");
	char payload[256];
	struct landed l;
	int64_t off = RD_KAFKA_OFFSET_INVALID, end;

	(void)state;
	snprintf(payload, sizeof(payload),
	         "{\"type\":\"it.nosuch.commit\",\"eventId\":\"%s\",\"at\":%ld}", event_id,
	         (long)time(NULL));
	l = produce(topic_orders, event_id, payload);
	cJSON_Delete(dlq_entry(match_event_id, event_id));

	/* The offset is committed right after the dlq ack: allow a moment. */
	end = clock_ms() + WAIT_MS;
	while (clock_ms() < end) {
		struct timespec ts = {0, 200 * 1000000L};

		off = committed(l.partition);
		if (off > l.offset)
			break;
		nanosleep(&ts, NULL);
	}
	if (off <= l.offset)
		fail_msg("group %s committed %lld on %s [%d], want > %lld", GROUP, (long long)off,
		         topic_orders, (int)l.partition, (long long)l.offset);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_kafka_unknown_type_goes_to_dlq),
	    cmocka_unit_test(test_kafka_malformed_message_goes_to_dlq),
	    cmocka_unit_test(test_kafka_message_without_event_id_goes_to_dlq),
	    cmocka_unit_test(test_kafka_offsets_committed_after_processing),
	};

	return cmocka_run_group_tests(tests, group_setup, NULL);
}
