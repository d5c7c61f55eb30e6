/*
 * paytest.h: what the payment tests share (it_pay*.c): screenings in a
 * hall of their own, unpaid orders with reserved tickets made with SQL (the
 * selling branch makes them for real), signed callbacks, the payment
 * simulator's API, and polling with a deadline.
 */
#ifndef BOXOFFICE_TESTS_PAYTEST_H
#define BOXOFFICE_TESTS_PAYTEST_H

#include <stdint.h>

#include "fixtures.h"

#define PT_WAIT_MS 20000

/*
 * The group of a payment test: the admin, ncust (1 or 2) customers with
 * their uids (cust_mobile: the first one's mobile) and, when genre is not
 * NULL, a film made with SQL (it_film_sql(genre)). pt_setup makes them (0,
 * or -1 when a token is missing); pt_teardown is a cmocka group teardown
 * that frees the tokens.
 */
struct pt_group {
	char *admin, *cust, *cust2;
	int64_t cust_uid, cust2_uid, film;
	const char *cust_mobile;
};
extern struct pt_group pt;
int pt_setup(int ncust, const char *genre);
int pt_teardown(void **state);

/* A screening of film fid in a new hall (rows "SSSSH","SSSSS"), starting at now + offset. */
int64_t pt_screening(const char *admin, int64_t fid, int64_t offset);
/*
 * An order of uid for screening sid with seats "A1,A2" (one reserved
 * ticket each, the amount shared equally), status and expireAt now + expire_in.
 */
int64_t pt_order(int64_t uid, int64_t fid, int64_t sid, const char *seats, int64_t amount,
                 int status, int64_t expire_in);
/* hex(HMAC-SHA256(PAY_SECRET, body)) into out[65]. */
void pt_sign(const char *body, char out[65]);
/* POST /pay/callback with body, signed (sig NULL) or with sig as given ("" = no header). */
struct it_resp *pt_callback(const char *body, const char *sig);
/* A callback body for pay id. */
const char *pt_cb_body(int64_t pay_id, int64_t amount, int status, const char *txn, int64_t ts);
/* POST path on paysim with a JSON body; the answer's JSON (cJSON_Delete) or NULL; *status. */
cJSON *pt_paysim(const char *method, const char *path, const char *json, long *status);
/* pt_paysim, asserting that paysim answers HTTP status want. */
void pt_paysim_expect(const char *method, const char *path, const char *json, long want);
/* Poll SQL until it yields want (an integer) or the deadline passes; returns the last value. */
int64_t pt_wait_sql(int64_t want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Approve pay id for amount at paysim (asserts it answers "approved") and,
 * when oid is not 0, wait for that order to be paid.
 */
void pt_approve(int64_t pay_id, int64_t amount, int64_t oid);
/*
 * /seat/hold seats_json on sid, then /order/create with items_json, by tok
 * (both 200, the order answered pending); waits until the order is unpaid.
 * Returns the order id; *amount (may be NULL) is its amount, asserted > 0.
 */
int64_t pt_hold_and_order(const char *tok, int64_t sid, const char *seats_json,
                          const char *items_json, int64_t *amount);
/* /pay/create online for oid by tok; returns the pay id (asserts 200). */
int64_t pt_pay_online(const char *tok, int64_t oid);

/*
 * Read the events topic from the beginning until a message of type about
 * order oid shows up (PT_WAIT_MS). Returns it (cJSON_Delete) or NULL.
 */
cJSON *pt_event_find(const char *type, int64_t oid);

#endif
