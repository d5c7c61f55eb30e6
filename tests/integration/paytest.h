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
/* Poll SQL until it yields want (an integer) or the deadline passes; returns the last value. */
int64_t pt_wait_sql(int64_t want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* /pay/create online for oid by tok; returns the pay id (asserts 200). */
int64_t pt_pay_online(const char *tok, int64_t oid);

/*
 * Read the events topic from the beginning until a message of type about
 * order oid shows up (PT_WAIT_MS). Returns it (cJSON_Delete) or NULL.
 */
cJSON *pt_event_find(const char *type, int64_t oid);

#endif
