/*
 * config.h: the settings of spec section 7 and a few additions, from one
 * table. Precedence: default < config file < BOXOFFICE_* environment < flag.
 * Loaded once by main before any thread starts; read-only afterwards, so any
 * thread may read the global `cfg` without a lock.
 */
#ifndef BOXOFFICE_CORE_CONFIG_H
#define BOXOFFICE_CORE_CONFIG_H

#include <stddef.h>
#include <stdio.h>

/*
 * X(name, type, default, min, max, help)
 * type: STR (string), INT (integer within [min, max]), BOOL (0/1).
 */
#define CONFIG_SETTINGS(X)                                                                         \
	X(listen, STR, "127.0.0.1:8080", 0, 0, "address:port of the HTTP/WebSocket listener")      \
	X(db_url, STR, "mysql://boxoffice:boxoffice@127.0.0.1:3306/boxoffice", 0, 0,               \
	  "MySQL/MariaDB url")                                                                     \
	X(redis_url, STR, "redis://127.0.0.1:6379/0", 0, 0, "Redis url")                           \
	X(kafka_brokers, STR, "", 0, 0,                                                            \
	  "comma-separated Kafka bootstrap servers; empty = embedded")                             \
	X(kafka_topic_prefix, STR, "boxoffice.", 0, 0, "prefix of every Kafka topic")              \
	X(kafka_bootstrap_file, STR, "", 0, 0, "write the embedded Kafka's address to this file")  \
	X(kafka_broker_file, STR, "", 0, 0,                                                        \
	  "address file of the embedded broker process (kbroker); empty = broker in the daemon")   \
	X(kafka_consume, BOOL, "1", 0, 1,                                                          \
	  "run the order and payment consumers (0: produce only, join no consumer group)")         \
	X(jwt_secret, STR, "", 0, 0, "HS256 key of access tokens, at least 32 bytes (required)")   \
	X(pay_secret, STR, "", 0, 0,                                                               \
	  "HMAC key of payment callbacks, at least 32 bytes (required)")                           \
	X(access_expire, INT, "7200", 60, 31536000, "access token lifetime in seconds")            \
	X(hold_ttl, INT, "600", 10, 86400, "seat hold lifetime in seconds")                        \
	X(grace, INT, "120", 0, 86400, "seconds an unpaid order outlives its hold")                \
	X(checkin_window, INT, "3600", 0, 86400, "seconds before startAt when check-in opens")     \
	X(smtp_url, STR, "", 0, 0, "SMTP server for email codes; empty = codes are logged")        \
	X(smtp_from, STR, "boxoffice@localhost", 0, 0, "sender address of email codes")            \
	X(sms_url, STR, "", 0, 0, "HTTP endpoint of the SMS gateway; empty = codes are logged")    \
	X(require_phone_code, BOOL, "0", 0, 1, "registration needs a phone code too")              \
	X(paysim_url, STR, "http://127.0.0.1:8090", 0, 0, "payment provider: payUrls and refunds") \
	X(currency, STR, "CNY", 0, 0, "ISO 4217 code of every amount")                             \
	X(bootstrap_admin, STR, "", 0, 0, "mobile:password of the first admin, created if none")   \
	X(workers, INT, "0", 0, 256,                                                               \
	  "cores the worker pool is sized for (8 threads each, at least 16); 0 = number of cores") \
	X(loops, INT, "0", 0, 64,                                                                  \
	  "event loop threads sharing the listen port (SO_REUSEPORT); 0 = number of cores")        \
	X(web_root, STR, BOXOFFICE_WEB_ROOT_DEFAULT, 0, 0, "folder served at /")                   \
	X(node_id, INT, "0", 0, 63, "this instance's number in distributed ids (0..63)")           \
	X(argon2_memory_kib, INT, "19456", 1024, 1048576,                                          \
	  "Argon2id memory cost per password hash")                                                \
	X(argon2_iterations, INT, "2", 1, 16, "Argon2id time cost")                                \
	X(rate_limits, BOOL, "1", 0, 1, "enforce the rate limits of spec section 3")               \
	X(read_cache, BOOL, "1", 0, 1,                                                             \
	  "cache public reads in Redis (0: always read MySQL; for benchmarks)")                    \
	X(near_cache_bytes, INT, "67108864", 0, 68719476736,                                       \
	  "bytes of rendered hot reads kept in memory (near cache); 0 = off")                      \
	X(request_timeout, INT, "30", 1, 600, "seconds a client may take to send a request")       \
	X(log_level, STR, "info", 0, 0, "error, warn, info or debug")                              \
	X(log_format, STR, "json", 0, 0,                                                           \
	  "json (one object per line with request_id, trace_id, span_id) or text")                 \
	X(otlp_endpoint, STR, "", 0, 0,                                                            \
	  "OTLP/HTTP collector url; spans are POSTed to <url>/v1/traces; empty = no export")

#ifndef BOXOFFICE_WEB_ROOT_DEFAULT
#define BOXOFFICE_WEB_ROOT_DEFAULT "/usr/share/boxoffice/web"
#endif

struct config {
#define CONFIG_FIELD_STR(name) char *name;
#define CONFIG_FIELD_INT(name) long name;
#define CONFIG_FIELD_BOOL(name) long name;
#define CONFIG_FIELD(name, type, def, min, max, help) CONFIG_FIELD_##type(name)
	CONFIG_SETTINGS(CONFIG_FIELD)
#undef CONFIG_FIELD
	char *config_file;
	int migrate_only; /* --migrate: apply migrations and exit */
};

extern struct config cfg;

/*
 * Fill c from defaults, the file named by --config (or BOXOFFICE_CONFIG),
 * the environment and argv. Returns 0; 1 when --help or --version was
 * printed (exit 0); -1 with a precise message in err (exit 2).
 * Strings in c are malloc'd; config_release frees them.
 */
int config_load(struct config *c, int argc, char **argv, char *err, size_t errlen);
void config_release(struct config *c);
/* Print --help, generated from the table, to f. */
void config_usage(FILE *f, const char *argv0);

#endif
