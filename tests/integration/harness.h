/*
 * harness.h: what an integration test needs to talk to the real stack that
 * the ctest fixture started (tests/stack.sh): MariaDB, Redis, the embedded
 * Kafka, the SMTP and SMS sinks, and boxofficed.
 *
 * The fixture's folder comes in BOXOFFICE_TEST_STACK; its file "env" holds
 * KEY=VALUE lines (BOXOFFICE_URL, BOXOFFICE_URL2 when a second daemon runs,
 * REDIS_PORT, REDIS_CLUSTER, MYSQL_PORT, MAIL_DIR, SMS_DIR,
 * ADMIN_MOBILE, ADMIN_PASSWORD, PAY_SECRET, KAFKA_BOOTSTRAP, ...).
 *
 * Requests leave from a source address in 127.0.0.0/8 picked per process,
 * so per-address rate limits of one test do not spill into another.
 */
#ifndef BOXOFFICE_TESTS_HARNESS_H
#define BOXOFFICE_TESTS_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <cjson/cJSON.h>

struct it_resp {
	long status;
	char *body; /* NUL-terminated */
	size_t len;
	cJSON *json;         /* parsed body, NULL if not JSON */
	char request_id[80]; /* X-Request-Id */
	char retry_after[16];
	char content_type[80];
	char allow[32]; /* Allow (of a 405) */
	char traceparent[64];
};

/* Read the fixture's env file. Returns 0, or -1 (message printed). */
int it_setup(void);
/* A value of the env file, or NULL. */
const char *it_env(const char *key);

/*
 * The daemon the next request goes to: BOXOFFICE_URL, or with a second
 * daemon in the stack (BOXOFFICE_URL2), the two in turn.
 */
const char *it_base_url(void);
/* How many daemons the stack runs (1 or 2), and the base url of daemon i (0, 1). */
int it_daemons(void);
const char *it_daemon_url(int i);

/* POST a JSON body (NULL = empty body) with an optional token. */
struct it_resp *it_post(const char *path, const char *token, const char *json);
struct it_resp *it_postf(const char *path, const char *token, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Any request: method, path, extra headers (NULL-terminated array of
 * "Name: value", may be NULL), body (may be NULL) of body_len bytes.
 */
struct it_resp *it_request(const char *method, const char *path, const char *const *headers,
                           const char *body, size_t body_len);
void it_resp_free(struct it_resp *r);

/* The "error" slug of an answer, or "" */
const char *it_err(const struct it_resp *r);
/* The "data" object of an answer, or NULL. */
cJSON *it_data(const struct it_resp *r);
/* data[key] as an integer; INT64_MIN if absent. */
int64_t it_data_int(const struct it_resp *r, const char *key);
/* data[key] as a string (borrowed), or NULL. */
const char *it_data_str(const struct it_resp *r, const char *key);

/* Set the source address of this process's requests ("127.0.0.9"); NULL = default. */
void it_set_source(const char *addr);
/* A fresh random source address in 127.0.0.0/8 (static buffer). */
const char *it_random_source(void);

/* A string unique to this run: prefix + counter + pid + time (static buffer rotation of 8). */
const char *it_unique(const char *prefix);
/* A unique 11-digit mobile number and a unique email address (static buffers rotation of 8). */
const char *it_unique_mobile(void);
const char *it_unique_email(void);

/* The newest code mailed to / texted to a destination; waits up to 5 s. malloc'd or NULL. */
char *it_mail_code(const char *email);
char *it_sms_code(const char *phone);

/* Log in as the bootstrap admin; malloc'd token. */
char *it_admin_token(void);
/*
 * Register a customer through the real email-code flow (fresh source
 * address) and log in. Returns a malloc'd token; *uid, *mobile_out (static
 * rotation) may be NULL. password is "password-123".
 */
char *it_customer(int64_t *uid, const char **mobile_out);
/* Create a cashier with /admin/register and log in; malloc'd token. */
char *it_cashier(int64_t *uid);
#define IT_PASSWORD "password-123"

/*
 * Send this process's requests to url ("http://127.0.0.1:PORT"); NULL:
 * back to the stack's daemon.
 */
void it_set_base(const char *url);
/*
 * Start another boxofficed on a free port of 127.0.0.1 (its base url into
 * url) with the stack's MariaDB, Redis, Kafka and secrets, its log in
 * STACK_DIR/<name>.log; returns its pid once it answers, or -1 (it did not come up in 60 s, or no
 * BOXOFFICED in the environment). It only produces to Kafka (kafka_consume
 * 0): it never joins the consumer group, so its start and stop do not hold
 * other tests' orders in a rebalance. it_daemon_stop sends SIGTERM and returns
 * its exit status (-1 if it could not be reaped).
 */
pid_t it_daemon_start(const char *name, char *url, size_t urllen);
int it_daemon_stop(pid_t pid);
/* Run tests/stack.sh CMD on the fixture (e.g. "redis-stop"); returns exit status. */
int it_stack(const char *cmd);
/* Run a shell command; returns its exit status. */
int it_sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Run SQL through the mariadb client on the fixture's server; output (malloc'd) or NULL. */
char *it_sql(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* cmocka helpers: assert status and (for errors) slug, printing the body on failure. */
#define it_assert_status(r, st)                                                   \
	do {                                                                      \
		if ((r) == NULL || (r)->status != (st)) {                         \
			print_error("expected HTTP %d, got %ld: %s\n", (int)(st), \
			            (r) ? (r)->status : -1L,                      \
			            (r) && (r)->body ? (r)->body : "(none)");     \
			fail();                                                   \
		}                                                                 \
	} while (0)
#define it_assert_error(r, st, slug)                    \
	do {                                            \
		it_assert_status(r, st);                \
		assert_string_equal(it_err(r), (slug)); \
	} while (0)

#endif
