/*
 * svc_pay.c: see svc_pay.h.
 *
 * The HTTP side only checks and queues; the consumer decides, under row
 * locks on the pay and then its order (always in that order), with every
 * change guarded by the status it expects, so a redelivered or duplicated
 * callback has no second effect (the eventId is derived from the txnId, and
 * a txnId already on a pay is ignored).
 */
#include "svc/svc_pay.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/redis.h"
#include "svc/seatmap.h"
#include "cache/holds.h"
#include "core/config.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/random.h"
#include "proto_json.h"
#include "proto_layout.h"
#include "proto_wire.h"
#include "queue/kq.h"
#include "store/store_pay.h"
#include "store/store_shift.h"
#include "svc/events.h"
#include "svc/svc_film.h"
#include "svc/svc_order.h"
#include "svc/svc_refund.h"
#include "svc/txn.h"
#include "svc/routes.h"

#define CODE_ALPHABET "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#define PRODUCE_TIMEOUT_MS 5000

static int is_staff(const struct req *r)
{
	return r->auth.role == PROTO_ROLE_ADMIN || r->auth.role == PROTO_ROLE_CASHIER;
}

static cJSON *pay_json(const struct pay_row *p)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)p->id);
	cJSON_AddNumberToObject(o, "uid", (double)p->uid);
	cJSON_AddNumberToObject(o, "oid", (double)p->oid);
	cJSON_AddNumberToObject(o, "amount", (double)p->amount);
	cJSON_AddNumberToObject(o, "source", p->source);
	cJSON_AddStringToObject(o, "method", p->method);
	cJSON_AddNumberToObject(o, "status", p->status);
	cJSON_AddStringToObject(o, "txnId", p->txn_id);
	cJSON_AddNumberToObject(o, "createTime", (double)p->create_time);
	cJSON_AddNumberToObject(o, "paidAt", (double)p->paid_at);
	cJSON_AddNumberToObject(o, "cashierId", (double)p->cashier_id);
	if (p->source == 0) {
		cJSON_AddNumberToObject(o, "tendered", (double)p->tendered);
		cJSON_AddNumberToObject(o, "change", (double)p->change_due);
	}
	if (!cJSON_AddStringToObject(o, "refundId", p->refund_id)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- /pay/create ---- */

struct create_ctx {
	struct pay_row p;
	struct pay_order o;
	int64_t now;
};

static enum proto_err queue_counter(struct req *r, const struct pay_row *p)
{
	cJSON *m = cJSON_CreateObject();
	char eid[40], key[24];
	int rc = -1;

	if (!m)
		return PROTO_ERR_INTERNAL;
	snprintf(eid, sizeof(eid), "counter-%" PRId64, p->id);
	snprintf(key, sizeof(key), "%" PRId64, p->oid);
	cJSON_AddStringToObject(m, "type", PAY_MSG_COUNTER);
	cJSON_AddStringToObject(m, "eventId", eid);
	cJSON_AddNumberToObject(m, "at", (double)time(NULL));
	cJSON_AddNumberToObject(m, "payId", (double)p->id);
	cJSON_AddStringToObject(m, "method", p->method);
	cJSON_AddNumberToObject(m, "amount", (double)p->amount);
	cJSON_AddNumberToObject(m, "cashierId", (double)p->cashier_id);
	rc = kq_produce_json(KQ_TOPIC_PAYMENTS, key, m, PRODUCE_TIMEOUT_MS);
	cJSON_Delete(m);
	if (rc != 0)
		return req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot queue the payment");
	return PROTO_OK;
}

static enum proto_err create_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct create_ctx *c = arg;
	struct shift_row s;
	enum db_rc rc;
	char detail[160];
	int found;

	TXN_TRY(store_pay_order_lock(r->w, c->p.oid, &c->o, &found));
	if (!found || (c->o.uid != r->auth.uid && !is_staff(r)))
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such order");
	if (c->o.status == PROTO_ORDER_INVALID && c->o.reason[0])
		return req_fail_conflict(r, c->o.reason); /* expired, cancelled, seat_taken */
	if (c->o.status != PROTO_ORDER_UNPAID)
		return req_fail_conflict(r, proto_order_status_text(c->o.status));
	if (c->o.expire_at > 0 && c->o.expire_at <= c->now)
		return req_fail_conflict(r, "expired");
	c->p.amount = c->o.amount;
	c->p.uid = c->o.uid;
	if (c->p.source == 0) {
		/* Locked: a close waits for this pay and then sees it pending. */
		TXN_TRY(store_shift_open_of(r->w, r->auth.uid, 1, &s, &found));
		if (!found)
			return req_fail_conflict(r, "no_open_shift");
		c->p.shift_id = s.id;
		c->p.cashier_id = r->auth.uid;
		if (strcmp(c->p.method, "cash") == 0) {
			if (c->p.tendered < c->p.amount)
				return req_fail_field(r, "tendered");
			c->p.change_due = c->p.tendered - c->p.amount;
		}
	}
	rc = store_pay_insert(r->w, &c->p);
	if (rc == DB_DUPLICATE)
		return req_fail_conflict(r, "live_pay");
	TXN_TRY(rc);
	if (c->p.source == 0) {
		snprintf(detail, sizeof(detail),
		         "order=%" PRId64 " method=%s amount=%" PRId64 " shift=%" PRId64, c->p.oid,
		         c->p.method, c->p.amount, c->p.shift_id);
		TXN_TRY(txn_audit(r, "pay.counter", "pay", c->p.id, detail));
		/*
		 * Queued inside the transaction, after the insert: the consumer's
		 * locking read of the pay waits for this commit, and finds no
		 * pay (no effect) if it rolls back.
		 */
		return queue_counter(r, &c->p);
	}
	return PROTO_OK;
}

enum proto_err pay_create(struct req *r)
{
	struct create_ctx c;
	const char *method = NULL;
	int64_t source = 1, tendered = 0;
	enum proto_err e;
	char url[512];
	int g;

	memset(&c, 0, sizeof(c));
	if (proto_get_id(r->body, "oid", &c.p.oid) != 1)
		return req_fail_field(r, "oid");
	if (proto_get_int(r->body, "source", 0, 1, &source) < 0)
		return req_fail_field(r, "source");
	c.p.source = (int)source;
	if (source == 0) {
		if (!is_staff(r))
			return req_fail_msg(r, PROTO_ERR_FORBIDDEN,
			                    "counter payments are for staff");
		g = proto_get_str(r->body, "method", 10, &method);
		if (g != 1 || (strcmp(method, "cash") != 0 && strcmp(method, "card") != 0))
			return req_fail_field(r, "method");
		if (strcmp(method, "cash") == 0 &&
		    proto_get_int(r->body, "tendered", 0, PAY_AMOUNT_MAX, &tendered) != 1)
			return req_fail_field(r, "tendered");
		snprintf(c.p.method, sizeof(c.p.method), "%s", method);
		c.p.tendered = tendered;
	} else {
		snprintf(c.p.method, sizeof(c.p.method), "online");
	}
	c.p.id = ids_next();
	c.now = (int64_t)time(NULL);
	e = txn_run(r, create_tx, &c);
	if (e != PROTO_OK)
		return e;
	cJSON_AddNumberToObject(r->data, "id", (double)c.p.id);
	cJSON_AddNumberToObject(r->data, "amount", (double)c.p.amount);
	if (source == 0) {
		cJSON_AddNumberToObject(r->data, "change", (double)c.p.change_due);
	} else {
		snprintf(url, sizeof(url), "%s/pay/%" PRId64 "?amount=%" PRId64 "&oid=%" PRId64,
		         cfg.paysim_url, c.p.id, c.p.amount, c.p.oid);
		cJSON_AddStringToObject(r->data, "payUrl", url);
	}
	return PROTO_OK;
}

/* ---- /pay/detail ---- */

enum proto_err pay_detail(struct req *r)
{
	struct pay_row p;
	struct pay_order o;
	enum db_rc rc;
	cJSON *v;
	int64_t id;
	int found, ofound = 0;

	if (proto_get_id(r->body, "id", &id) != 1)
		return req_fail_field(r, "id");
	rc = store_pay_get(r->w, id, &p, &found);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	if (!found || (p.uid != r->auth.uid && !is_staff(r)))
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such pay");
	v = pay_json(&p);
	if (!v)
		return PROTO_ERR_INTERNAL;
	rc = store_pay_order_get(r->w, p.oid, &o, &ofound);
	if (rc == DB_OK && ofound)
		cJSON_AddNumberToObject(v, "refundPending", o.refund_pending);
	return req_answer(r, v);
}

/* ---- /pay/callback ---- */

enum proto_err pay_callback(struct req *r)
{
	int64_t now = (int64_t)time(NULL);
	struct pay_callback cb;
	struct pay_row p;
	enum db_rc rc;
	cJSON *m = NULL;
	char key[24];
	const char *bad;
	int found, ok = -1;

	if (!pay_signature_ok(cfg.pay_secret, r->raw, r->raw_len, r->signature))
		return req_fail_msg(r, PROTO_ERR_BAD_SIGNATURE, "signature does not match");
	bad = pay_callback_parse(r->body, now, &cb);
	if (bad)
		return req_fail_field(r, bad);
	rc = store_pay_get(r->w, cb.pay_id, &p, &found);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	if (!found)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such pay");
	m = cJSON_CreateObject();
	if (!m)
		return PROTO_ERR_INTERNAL;
	snprintf(key, sizeof(key), "%" PRId64, p.oid);
	cJSON_AddStringToObject(m, "type", PAY_MSG_CALLBACK);
	cJSON_AddStringToObject(m, "eventId", cb.event_id);
	cJSON_AddNumberToObject(m, "at", (double)now);
	cJSON_AddNumberToObject(m, "payId", (double)cb.pay_id);
	cJSON_AddNumberToObject(m, "amount", (double)cb.amount);
	cJSON_AddNumberToObject(m, "status", (double)cb.status);
	cJSON_AddStringToObject(m, "txnId", cb.txn_id);
	cJSON_AddStringToObject(m, "raw", r->raw);
	ok = kq_produce_json(KQ_TOPIC_PAYMENTS, key, m, PRODUCE_TIMEOUT_MS);
	cJSON_Delete(m);
	if (ok != 0)
		return req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot queue the callback");
	return PROTO_OK;
}

/* ---- publication after a commit ---- */

void pay_publish_seats(struct worker *w, int64_t sid, int64_t oid, const struct pay_ticket *t,
                       int n, enum pay_seats what)
{
	char(*seats)[PROTO_SEAT_ID_SIZE] = NULL;
	int i, k = 0;

	if (sid <= 0 || n <= 0)
		return;
	seats = calloc((size_t)n, sizeof(*seats));
	if (!seats)
		return;
	for (i = 0; i < n; i++)
		if (t[i].seat[0] && strlen(t[i].seat) < PROTO_SEAT_ID_SIZE)
			memcpy(seats[k++], t[i].seat, strlen(t[i].seat) + 1);
	if (k > 0) {
		if (what == PAY_SEATS_FREE) {
			order_free_seats(w, sid, oid, (const char(*)[PROTO_SEAT_ID_SIZE])seats, k);
		} else {
			/* A late sale takes its seats again: mark them ticketed first. */
			if ((what == PAY_SEATS_RESOLD &&
			     holds_seats(w, sid, oid, 't', (const char(*)[PROTO_SEAT_ID_SIZE])seats,
			                 NULL, k) < 0) ||
			    holds_seats(w, sid, oid, 's', (const char(*)[PROTO_SEAT_ID_SIZE])seats,
			                NULL, k) < 0)
				log_warn("cannot publish the sale of order %" PRId64 ": redis down",
				         oid);
		}
		seatmap_invalidate(w, sid);
	}
	free(seats);
}

/* ---- the payment consumer ---- */

struct after_pay {
	int64_t oid, uid, cashier_id, sid, fid, pay_id, amount;
	int status; /* the order's new status, -1: unchanged */
	int sellout, refund, late;
	char method[STORE_PAY_METHOD_MAX + 1];
	struct pay_ticket *t;
	int n;
};

static void after_pay_run(struct worker *w, void *arg);

static void after_pay_free(struct after_pay *a)
{
	free(a->t);
	free(a);
}

static void after_pay_release(void *arg)
{
	after_pay_free(arg);
}

static void after_pay_run(struct worker *w, void *arg)
{
	struct after_pay *a = arg;
	cJSON *ev;

	if (a->status == PROTO_ORDER_PAID)
		pay_publish_seats(w, a->sid, a->oid, a->t, a->n,
		                  a->late ? PAY_SEATS_RESOLD : PAY_SEATS_SOLD);
	if (a->status >= 0)
		order_publish_status(w, a->oid, a->uid, a->cashier_id, a->status);
	if (a->sellout)
		film_cache_invalidate(w, a->fid);
	if (a->status == PROTO_ORDER_PAID) {
		ev = cJSON_CreateObject();
		if (ev) {
			cJSON_AddNumberToObject(ev, "uid", (double)a->uid);
			cJSON_AddNumberToObject(ev, "payId", (double)a->pay_id);
			cJSON_AddNumberToObject(ev, "amount", (double)a->amount);
			cJSON_AddStringToObject(ev, "method", a->method);
			cJSON_AddBoolToObject(ev, "late", a->late);
		}
		events_emit(EVENTS_ORDER_PAID, a->oid, ev);
	}
	if (a->refund)
		refund_kick();
}

/* Issue (or, late, revive) every ticket of the order with a fresh code. */
static enum db_rc issue_tickets(struct worker *w, struct after_pay *a, int late, int *taken)
{
	enum db_rc rc;
	int i;

	*taken = 0;
	if (late) {
		/* A locking read per seat: nobody can take it until we commit. */
		for (i = 0; i < a->n; i++) {
			struct db_res res;
			int yes = 0;

			if (!a->t[i].seat[0] || a->t[i].live)
				continue;
			rc = db_query(w,
			              "SELECT 1 FROM tickets WHERE screening_id = ? AND seat = ? "
			              "AND live = 1 FOR UPDATE",
			              DB_PARAMS(DB_I64(a->t[i].screening_id), DB_STR(a->t[i].seat)),
			              &res);
			rc = db_any_row(rc, &res, &yes);
			if (rc != DB_OK)
				return rc;
			if (yes) {
				*taken = 1;
				return DB_OK;
			}
		}
	}
	for (i = 0; i < a->n; i++) {
		uint64_t aff = 0;

		if (random_string(a->t[i].code, STORE_TICKET_CODE_LEN, CODE_ALPHABET) < 0)
			return DB_ERROR;
		if (late && !a->t[i].live) {
			rc = store_pay_ticket_revive(w, a->t[i].id, a->t[i].code);
		} else {
			rc = store_pay_ticket_issue(w, a->t[i].id, a->t[i].code, &aff);
			if (rc == DB_OK && aff == 0)
				log_warn("ticket %" PRId64 " of order %" PRId64 " was not reserved",
				         a->t[i].id, a->oid);
		}
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

/* Held in Redis by a hold (not one of ours)? 1 yes, 0 no, -1 cannot tell. */
static int seats_held(struct worker *w, const struct after_pay *a)
{
	char key[64], mine[32];
	int i, held = 0;

	if (a->sid <= 0)
		return 0;
	snprintf(mine, sizeof(mine), "t%" PRId64, a->oid);
	SEATMAP_KEY(key, sizeof(key), SEATMAP_HOLDS_KEY, a->sid);
	for (i = 0; i < a->n && !held; i++) {
		redisReply *rep;

		if (!a->t[i].seat[0])
			continue;
		rep = redis_cmd(w, "HGET %s %s", key, a->t[i].seat);
		if (!rep)
			return -1;
		/* A hold id, or another order's ticket marker ("t<oid>"; ours is fine). */
		held = rep->type == REDIS_REPLY_STRING && strcmp(rep->str, mine) != 0;
		freeReplyObject(rep);
	}
	return held;
}

/*
 * Apply one payment of pay_id: status 1 paid / 2 declined, txn (NULL at the
 * counter). Runs inside the consumer's transaction.
 */
static int apply_payment(struct worker *w, int64_t pay_id, int64_t amount, int status,
                         const char *txn, char *err, size_t errlen)
{
	struct pay_row p;
	struct pay_order o;
	struct after_pay *a = NULL;
	enum db_rc rc;
	uint64_t aff = 0;
	int64_t now = (int64_t)time(NULL);
	int found = 0, ofound = 0, used = 0, taken = 0, pending = 0;

	/* Locks in the order /pay/create takes them: the order, then the pay. */
	rc = store_pay_get(w, pay_id, &p, &found);
	/*
	 * Not there yet: a counter pay is queued before its transaction
	 * commits, and a plain read does not see it. A locking read waits for
	 * that insert and then sees it (or nothing, if it rolled back).
	 */
	if (rc == DB_OK && !found)
		rc = store_pay_lock(w, pay_id, &p, &found);
	if (rc == DB_OK && found)
		rc = store_pay_order_lock(w, p.oid, &o, &ofound);
	if (rc == DB_OK && found)
		rc = store_pay_lock(w, pay_id, &p, &found);
	if (rc != DB_OK)
		goto fail;
	if (!found) {
		log_warn("payment for unknown pay %" PRId64 " ignored", pay_id);
		return 0;
	}
	if (txn) {
		if (strcmp(p.txn_id, txn) == 0)
			return 0;
		rc = store_pay_txn_used(w, txn, &used);
		if (rc != DB_OK)
			goto fail;
		if (used) {
			log_info("txn '%s' already applied: no second effect", txn);
			return 0;
		}
	}
	if (p.status != STORE_PAY_UNPAID) {
		if (status == 1)
			log_error("ALERT: pay %" PRId64
			          " (status %d) got another payment, txn '%s', "
			          "amount %" PRId64 ": not applied, settle with the provider",
			          pay_id, p.status, txn ? txn : "", amount);
		return 0;
	}
	if (status == 2) {
		rc = store_pay_settle(w, pay_id, STORE_PAY_INVALID, txn, 0, &aff);
		if (rc != DB_OK)
			goto fail;
		log_info("pay %" PRId64 " declined; order %" PRId64 " stays unpaid", pay_id, p.oid);
		return 0;
	}
	if (amount != p.amount) {
		rc = store_pay_settle(w, pay_id, STORE_PAY_INVALID, txn, 0, &aff);
		if (rc != DB_OK)
			goto fail;
		log_error("ALERT: pay %" PRId64 " of order %" PRId64 ": paid amount %" PRId64
		          " differs from %" PRId64 " (txn '%s'): pay invalid, order unchanged",
		          pay_id, p.oid, amount, p.amount, txn ? txn : "");
		return 0;
	}
	rc = store_pay_settle(w, pay_id, STORE_PAY_PAID, txn, now, &aff);
	if (rc != DB_OK)
		goto fail;
	p.status = STORE_PAY_PAID;
	p.paid_at = now;
	a = calloc(1, sizeof(*a));
	if (!a) {
		rc = DB_ERROR;
		goto fail;
	}
	a->status = -1;
	a->pay_id = pay_id;
	a->amount = amount;
	snprintf(a->method, sizeof(a->method), "%s", p.method);
	if (!ofound) {
		log_error("ALERT: pay %" PRId64 " paid for unknown order %" PRId64, pay_id, p.oid);
		free(a);
		return 0;
	}
	a->oid = o.id;
	a->uid = o.uid;
	a->cashier_id = o.cashier_id ? o.cashier_id : p.cashier_id;
	a->sid = o.screening_id;
	a->fid = o.fid;
	rc = store_pay_tickets_of_order(w, o.id, &a->t, &a->n);
	if (rc != DB_OK)
		goto fail;
	if (o.status == PROTO_ORDER_UNPAID) {
		rc = issue_tickets(w, a, 0, &taken);
		if (rc != DB_OK)
			goto fail;
		rc = store_pay_order_paid(w, o.id, PROTO_ORDER_UNPAID, now, &aff);
		if (rc != DB_OK)
			goto fail;
		a->status = PROTO_ORDER_PAID;
	} else if (o.status == PROTO_ORDER_INVALID && o.screening_id > 0 && a->n > 0 &&
	           strcmp(o.reason, "cancelled") != 0) {
		/* Late: sold again if every seat is still free, else refunded. */
		int held = seats_held(w, a);

		a->late = 1;
		if (held == 0) {
			rc = issue_tickets(w, a, 1, &taken);
			if (rc != DB_OK)
				goto fail;
		}
		if (held == 0 && !taken) {
			rc = store_pay_order_paid(w, o.id, PROTO_ORDER_INVALID, now, &aff);
			if (rc != DB_OK)
				goto fail;
			a->status = PROTO_ORDER_PAID;
			log_info("late payment of order %" PRId64
			         ": its seats were free, sold again",
			         o.id);
		} else {
			rc = store_pay_order_refunded(w, o.id, PROTO_ORDER_INVALID, "late_payment",
			                              1, &aff);
			if (rc == DB_OK)
				rc = refund_record(w, &o, &p, 0, "late_payment", p.shift_id,
				                   &pending);
			if (rc == DB_OK && !pending)
				rc = store_pay_order_refund_done(w, o.id);
			if (rc != DB_OK)
				goto fail;
			a->status = PROTO_ORDER_REFUNDED;
			a->refund = 1;
			log_info("late payment of order %" PRId64 ": a seat is taken, refunded",
			         o.id);
		}
	} else {
		/* Nothing to sell any more (cancelled, general admission, paid twice). */
		const char *why =
		    o.status == PROTO_ORDER_INVALID ? "late_payment" : "duplicate_payment";

		if (o.status == PROTO_ORDER_INVALID) {
			rc = store_pay_order_refunded(w, o.id, PROTO_ORDER_INVALID, why, 1, &aff);
			if (rc != DB_OK)
				goto fail;
			a->status = PROTO_ORDER_REFUNDED;
		} else {
			log_error("ALERT: order %" PRId64 " (status %d) paid again by pay %" PRId64
			          ": refunding",
			          o.id, o.status, pay_id);
		}
		rc = refund_record(w, &o, &p, 0, why, p.shift_id, &pending);
		if (rc == DB_OK && !pending && o.status == PROTO_ORDER_INVALID)
			rc = store_pay_order_refund_done(w, o.id);
		if (rc != DB_OK)
			goto fail;
		a->refund = 1;
	}
	if (a->status == PROTO_ORDER_PAID && a->sid > 0) {
		rc = store_pay_screening_full(w, a->sid, &a->sellout);
		if (rc != DB_OK)
			goto fail;
	}
	if (kq_after_commit(after_pay_run, a, after_pay_release) < 0) {
		rc = DB_ERROR;
		goto fail;
	}
	return 0;
fail:
	if (a)
		after_pay_free(a);
	snprintf(err, errlen, "payment of pay %" PRId64 ": storage error %d", pay_id, (int)rc);
	return -1;
}

static int on_callback(struct worker *w, const cJSON *msg, char *err, size_t errlen)
{
	int64_t pay_id, amount, status;
	const char *txn = NULL;

	if (proto_get_id(msg, "payId", &pay_id) != 1 ||
	    proto_get_int(msg, "amount", 0, PAY_AMOUNT_MAX, &amount) != 1 ||
	    proto_get_int(msg, "status", 1, 2, &status) != 1 ||
	    proto_get_str(msg, "txnId", PAY_TXN_MAX, &txn) != 1 || !txn[0]) {
		log_warn("malformed payment.callback ignored");
		return 0;
	}
	return apply_payment(w, pay_id, amount, (int)status, txn, err, errlen);
}

static int on_counter(struct worker *w, const cJSON *msg, char *err, size_t errlen)
{
	int64_t pay_id, amount;

	if (proto_get_id(msg, "payId", &pay_id) != 1 ||
	    proto_get_int(msg, "amount", 0, PAY_AMOUNT_MAX, &amount) != 1) {
		log_warn("malformed payment.counter ignored");
		return 0;
	}
	return apply_payment(w, pay_id, amount, 1, NULL, err, errlen);
}

void pay_register_consumers(void)
{
	kq_register(PAY_MSG_CALLBACK, on_callback);
	kq_register(PAY_MSG_COUNTER, on_counter);
}
