/*
 * fixtures.h: helpers that many integration tests share on top of
 * harness.h: ids for rows made with SQL, SQL one-liners, reading numbers,
 * strings and list items out of answers (failing the test when they are
 * missing), making films, halls and screenings with defaults, redis-cli on
 * the fixture's Redis, and the cmocka setup and teardown functions most
 * groups use. Every function that checks something fails the running
 * cmocka test, so they are for use inside tests only.
 */
#ifndef BOXOFFICE_TESTS_FIXTURES_H
#define BOXOFFICE_TESTS_FIXTURES_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "harness.h"

/* cmocka group setup that only reads the fixture (it_setup). */
int it_group_setup(void **state);
/* it_setup, then log in as the bootstrap admin into *tok (malloc'd). Returns 0 or -1. */
int it_setup_admin(char **tok);
/*
 * it_setup_admin, then register and log in a customer into *customer
 * (malloc'd, see it_customer). Returns 0 or -1.
 */
int it_setup_admin_customer(char **admin, char **customer);
/*
 * it_setup_admin_customer, then a film through /film/create (name, amount,
 * length; stock 0, seats chosen) into *film_id. Returns 0 or -1.
 */
int it_setup_admin_customer_film(char **admin, char **customer, int64_t *film_id, const char *name,
                                 int64_t amount, int length);
/*
 * The group of a test that needs the bootstrap admin: it_admin_setup is a
 * cmocka group setup (it_setup_admin into it_admin), it_admin_teardown frees
 * the token.
 */
extern char *it_admin;
int it_admin_setup(void **state);
int it_admin_teardown(void **state);
/*
 * Start Redis again (stack.sh redis-start) and wait until the daemons have
 * rebuilt the seat holds and subscribed again: 0, or -1 after 30 s.
 */
int it_redis_start(void);
/* cmocka teardown: start Redis again whatever the test did (it may have failed with Redis stopped).
 */
int it_redis_back(void **state);

/* A fresh positive id below 2^53 for rows made with SQL. */
int64_t it_sql_id(void);
/* Assert that an it_sql() call answered (out not NULL), then free out. */
void it_sql_ok(char *out);
/* One integer out of SQL; fails the test if the query fails. */
int64_t it_sql_int(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* r after asserting that it answered HTTP 200 (the body is printed if not). */
struct it_resp *it_ok(struct it_resp *r);
/* data.id of r after asserting that it answered HTTP 200; frees r. */
int64_t it_ok_id(struct it_resp *r);
/* POST a JSON body (see it_post), assert HTTP 200 and free the answer. */
void it_post_ok(const char *path, const char *tok, const char *json);
/* it_post_ok with a printf-style body. */
void it_postf_ok(const char *path, const char *tok, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Assert that r is an error answer (HTTP status and error slug) and, when
 * field is not NULL, that data.field is field; free r.
 */
void it_refused(struct it_resp *r, int status, const char *slug, const char *field);
/* Assert that r is 409 "conflict" with data.reason reason; free r. */
void it_conflict(struct it_resp *r, const char *reason);
/*
 * POST a JSON body (see it_post), assert the error answer (HTTP status and
 * error slug) and, when field is not NULL, that data.field is field; free
 * the answer. On another status the request body is printed too.
 */
void it_post_refused(const char *path, const char *tok, const char *json, int status,
                     const char *slug, const char *field);
/*
 * Each of the npaths admin-only paths refuses json: 401 "unauthorized"
 * without a token, then 403 "forbidden" with each of the ntoks tokens.
 */
void it_admin_only(const char *const *paths, size_t npaths, const char *const *toks, size_t ntoks,
                   const char *json);
/* A request body and the field its 400 "invalid_field" answer must name. */
struct it_bad_field {
	const char *body;
	const char *field;
};
/* it_post_refused with a printf-style body. */
void it_postf_refused(const char *path, const char *tok, int status, const char *slug,
                      const char *field, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* o[key] as an integer; fails the test if it is not a number. */
int64_t it_json_int(const cJSON *o, const char *key);
/* o[key] as a string (borrowed); fails the test if it is not a string. */
const char *it_json_str(const cJSON *o, const char *key);
/* The array data.list of an answer; fails the test if there is none. */
cJSON *it_data_list(const struct it_resp *r);
/* The item of data.list whose "id" is id, or NULL; fails the test if there is no list. */
cJSON *it_list_find(const struct it_resp *r, int64_t id);

/*
 * Assert that r answered HTTP 200 and that its data.list holds the item of
 * id id (want 1) or does not (want 0); free r.
 */
void it_listed(struct it_resp *r, int64_t id, int want);

/*
 * The id of a creation's answer r: asserts 200 and an id in 1..2^53-1, frees
 * r and returns the id.
 */
int64_t it_created_id(struct it_resp *r);
/*
 * A film row made with SQL (unique name "film-...", genre, length 100,
 * amount 4500, stock 0, seats chosen); returns its id.
 */
int64_t it_film_sql(const char *genre);
/*
 * A screening row made with SQL: id sid, film fid, hall hid, seats_total
 * seats, prices and discounts '{}', from start to end, both SQL expressions
 * such as "UNIX_TIMESTAMP() - 600".
 */
void it_screening_sql(int64_t sid, int64_t fid, int64_t hid, const char *start, const char *end,
                      int seats);
/*
 * A hall with a unique name "hall-..." and layout_json (a JSON array of
 * rows) through /hall/create; asserts 200 and an id in 1..2^53-1, returns it.
 */
int64_t it_hall_new(const char *tok, const char *layout_json);
/*
 * A screening of film fid in hall hid at start through /screening/create;
 * asserts 200 and an id in 1..2^53-1, returns it.
 */
int64_t it_screening_new(const char *tok, int64_t fid, int64_t hid, int64_t start);

/*
 * POST /seat/hold of seats (a JSON array of seat ids) on screening sid by
 * tok. it_hold_id asserts HTTP 200 and a holdId above 0 and returns it.
 */
struct it_resp *it_hold(const char *tok, int64_t sid, const char *seats);
int64_t it_hold_id(const char *tok, int64_t sid, const char *seats);
/*
 * POST /order/create for hold hold_id with items (a JSON array) by tok.
 * it_order_id asserts HTTP 200 and returns the order's id.
 */
struct it_resp *it_order(const char *tok, int64_t hold_id, const char *items);
int64_t it_order_id(const char *tok, int64_t hold_id, const char *items);

/*
 * The group of a selling test (it_order, it_seat): an admin, a customer
 * (cust, with its uid), a second customer, a cashier (tokens, malloc'd), a
 * film made with SQL (it_film_sql(genre)) and a hall with layout.
 * it_sale_setup makes them (0, or -1 when a token is missing);
 * it_sale_teardown is a cmocka group teardown that frees the tokens.
 */
struct it_sale {
	char *admin, *cust, *cust2, *cashier;
	int64_t cust_uid, film, hall;
};
extern struct it_sale it_sale;
int it_sale_setup(const char *genre, const char *layout);
int it_sale_teardown(void **state);

/* free() each of the n pointers that follow n (tokens of a test group). */
void it_free_n(int n, ...);
/* free() v[0] .. v[n - 1]. */
void it_free_each(char **v, int n);

/*
 * The state letter of seat (row, col) of screening sid in /screening/seats
 * (asserts 200), '?' when the row is missing. it_wait_seat_state polls it
 * until it is want, up to 10 s, and fails the test if it never is.
 */
char it_seat_state(int64_t sid, int row, int col);
void it_wait_seat_state(int64_t sid, int row, int col, char want);

/*
 * Read Kafka topic (its full name) from the beginning of every partition,
 * without joining a group, until a JSON message satisfies match, for up to
 * wait_ms. Returns that message (cJSON_Delete it) or NULL. Needs
 * KAFKA_BOOTSTRAP in the fixture's env.
 */
typedef int (*it_kafka_match_fn)(const cJSON *msg, const void *arg);
cJSON *it_kafka_find(const char *topic, it_kafka_match_fn match, const void *arg, int64_t wait_ms);

/*
 * redis-cli ARGS (printf-style) on the fixture's Redis: the first line of
 * its output (stdout and stderr, line end cut) into out. it_redis_try
 * returns redis-cli's exit status; it_redis asserts that it is 0.
 */
int it_redis_try(char *out, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/*
 * The daemon's Redis key of kind "seats", "seatver", "seatfence" (of a
 * screening), "hold" (of a hold) or "holdexp" (the expiry set of that
 * hold's shard): "bo:{sN}:kind:id", N the id's shard (REDIS_SHARDS).
 * Static buffers, a rotation of 8.
 */
const char *it_rkey(const char *kind, int64_t id);
/* The stack's redis_url (every master of a Redis Cluster as a seed) into buf. */
void it_redis_url(char *buf, size_t len);
#define it_redis(out, len, ...) assert_int_equal(it_redis_try((out), (len), __VA_ARGS__), 0)

#endif
