/*
 * svc_order.c: see svc_order.h.
 */
#include "svc/svc_order.h"

#include "svc/events.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"
#include "cache/holds.h"
#include "svc/seatmap.h"
#include "core/config.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/trace.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "queue/kq.h"
#include "store/store_order.h"
#include "store/store_screening.h"
#include "svc/pricing.h"
#include "svc/sale_facts.h"
#include "svc/txn.h"
#include "svc/routes.h"
#include "svc/jsonfield.h"

#define MSG_ORDER_REQUESTED "order.requested"
#define MSG_ORDER_CANCEL "order.cancel"
#define PRODUCE_TIMEOUT_MS 5000
#define GA_MAX 10
#define FILM_NS "film"
#define GA_TTL_S 60
#define PENDING_LIST_MAX 100
/* After expireAt, how long an ordered hold waits for its order to be written. */
#define ORDERED_SETTLE_S 120

static int is_staff(const struct req *r)
{
	return r->auth.role == PROTO_ROLE_ADMIN || r->auth.role == PROTO_ROLE_CASHIER;
}

/* ---- publication -------------------------------------------------------- */

/* Orders by the status they were last moved to (gauges of /metrics, counting up). */
static atomic_long by_status[5];

static void count_status(int status)
{
	static const char *const names[5] = {
	    "boxoffice_orders_unpaid_total", "boxoffice_orders_paid_total",
	    "boxoffice_orders_invalid_total", "boxoffice_orders_refunded_total",
	    "boxoffice_orders_pending_total"};

	if (status < 0 || status > 4)
		return;
	metrics_gauge_set(names[status], "orders moved to this status (counter)",
	                  (double)atomic_fetch_add(&by_status[status], 1) + 1);
}

void order_publish_status(struct worker *w, int64_t oid, int64_t uid, int64_t cashier_id,
                          int status)
{
	char msg[512], tp[TRACE_HEADER_SIZE] = "";
	const struct trace_span *sp = trace_current();

	count_status(status);
	/* The trace goes on to the WebSocket push (ws.c reads and drops these two). */
	if (sp)
		trace_format(&sp->ids, tp);
	snprintf(msg, sizeof(msg),
	         "{\"orderId\":%" PRId64 ",\"uid\":%" PRId64 ",\"cashierId\":%" PRId64
	         ",\"status\":%d,\"statusText\":\"%s\",\"" TRACE_HEADER "\":\"%s\","
	         "\"requestId\":\"%.80s\"}",
	         oid, uid, cashier_id, status, proto_order_status_text(status), tp,
	         sp ? sp->request_id : "");
	log_msg_id(LOG_INFO, "order_id", oid, "order %" PRId64 " is %s: published", oid,
	           proto_order_status_text(status));
	if (holds_publish_order(w, msg) < 0)
		log_warn("order %" PRId64 ": cannot publish its status", oid);
}

void order_free_seats(struct worker *w, int64_t sid, int64_t oid,
                      const char seats[][PROTO_SEAT_ID_SIZE], int n)
{
	char states[HOLDS_MAX_SEATS + 1];
	struct sale_facts *f = malloc(sizeof(*f));
	int i;

	if (n <= 0) {
		free(f);
		return;
	}
	if (f && sale_facts_get(w, sid, f) != PROTO_OK) {
		free(f);
		f = NULL;
	}
	for (i = 0; i < n; i++) {
		char cat = PROTO_SEAT_STANDARD;

		if (f)
			proto_layout_lookup(&f->layout, seats[i], NULL, NULL, &cat);
		states[i] = sale_facts_free_state(cat);
	}
	states[n] = '\0';
	free(f);
	if (holds_seats(w, sid, oid, 'f', seats, states, n) < 0)
		log_warn("order %" PRId64 ": cannot free its seats in redis", oid);
	seatmap_invalidate(w, sid);
}

/* ---- rendering ------------------------------------------------------------ */

static cJSON *order_json(const struct order_row *o, const struct ticket_row *t, int n)
{
	cJSON *j = cJSON_CreateObject(), *items, *it;
	int i;

	if (!j)
		return NULL;
	cJSON_AddNumberToObject(j, "id", (double)o->id);
	cJSON_AddNumberToObject(j, "uid", (double)o->uid);
	cJSON_AddNumberToObject(j, "fid", (double)o->fid);
	cJSON_AddNumberToObject(j, "screeningId", (double)o->screening_id);
	cJSON_AddNumberToObject(j, "amount", (double)o->amount);
	cJSON_AddNumberToObject(j, "status", o->status);
	cJSON_AddStringToObject(j, "statusText", proto_order_status_text(o->status));
	cJSON_AddStringToObject(j, "reason", o->reason);
	items = cJSON_AddArrayToObject(j, "items");
	for (i = 0; items && i < n; i++) {
		it = cJSON_CreateObject();
		if (!it)
			break;
		cJSON_AddStringToObject(it, "seat", t[i].seat);
		cJSON_AddStringToObject(it, "ticketType", t[i].ticket_type);
		cJSON_AddNumberToObject(it, "price", (double)t[i].price);
		if (o->status == PROTO_ORDER_PAID && t[i].code[0])
			cJSON_AddStringToObject(it, "ticketCode", t[i].code);
		cJSON_AddItemToArray(items, it);
	}
	cJSON_AddNumberToObject(j, "quantity", o->quantity);
	cJSON_AddNumberToObject(j, "createTime", (double)o->create_time);
	cJSON_AddNumberToObject(j, "expireAt", (double)o->expire_at);
	cJSON_AddNumberToObject(j, "cashierId", (double)o->cashier_id);
	if (!cJSON_AddNumberToObject(j, "refundPending", o->refund_pending)) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

/* ---- /order/create -------------------------------------------------------- */

struct create {
	struct order_row o;
	struct ticket_row t[STORE_ORDER_MAX_ITEMS];
	int n;
	int64_t ga_taken; /* stock taken from the Redis counter */
};

/* The order.requested message of c (malloc'd text). */
static char *requested_msg(const struct create *c)
{
	cJSON *m = cJSON_CreateObject(), *items;
	char eid[32];
	char *s;
	int i;

	if (!m)
		return NULL;
	snprintf(eid, sizeof(eid), "or-%" PRId64, c->o.id);
	cJSON_AddStringToObject(m, "type", MSG_ORDER_REQUESTED);
	cJSON_AddStringToObject(m, "eventId", eid);
	cJSON_AddNumberToObject(m, "at", (double)c->o.create_time);
	cJSON_AddNumberToObject(m, "orderId", (double)c->o.id);
	cJSON_AddNumberToObject(m, "uid", (double)c->o.uid);
	cJSON_AddNumberToObject(m, "screeningId", (double)c->o.screening_id);
	cJSON_AddNumberToObject(m, "fid", (double)c->o.fid);
	cJSON_AddNumberToObject(m, "holdId", (double)c->o.hold_id);
	cJSON_AddNumberToObject(m, "quantity", c->o.quantity);
	cJSON_AddNumberToObject(m, "amount", (double)c->o.amount);
	cJSON_AddNumberToObject(m, "expireAt", (double)c->o.expire_at);
	cJSON_AddNumberToObject(m, "cashierId", (double)c->o.cashier_id);
	cJSON_AddStringToObject(m, "idempotencyKey", c->o.idem);
	items = cJSON_AddArrayToObject(m, "items");
	for (i = 0; items && i < c->n; i++) {
		cJSON *it = cJSON_CreateObject();

		if (!it)
			break;
		cJSON_AddNumberToObject(it, "ticketId", (double)c->t[i].id);
		cJSON_AddStringToObject(it, "seat", c->t[i].seat);
		cJSON_AddStringToObject(it, "ticketType", c->t[i].ticket_type);
		cJSON_AddNumberToObject(it, "price", (double)c->t[i].price);
		cJSON_AddItemToArray(items, it);
	}
	s = proto_json_print(m);
	cJSON_Delete(m);
	return s;
}

static enum proto_err seated(struct req *r, struct create *c, int64_t hold_id, int64_t now)
{
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(r->body, "items"), *it;
	struct sale_facts *f = NULL;
	struct hold_rec h;
	enum proto_err e = PROTO_OK;
	int rc, j, used[HOLDS_MAX_SEATS] = {0};

	rc = holds_get(r->w, hold_id, &h);
	if (rc < 0)
		return req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot reach redis");
	if (rc == 0)
		return PROTO_ERR_HOLD_EXPIRED;
	if (!is_staff(r) && h.uid != r->auth.uid)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such hold");
	if (h.oid != 0)
		return req_fail_conflict(r, "ordered");
	if (h.exp_ms <= now * 1000)
		return PROTO_ERR_HOLD_EXPIRED;
	if (!cJSON_IsArray(items) || cJSON_GetArraySize(items) != h.n)
		return req_fail_field(r, "items");
	f = malloc(sizeof(*f));
	if (!f)
		return PROTO_ERR_INTERNAL;
	e = sale_facts_get(r->w, h.sid, f);
	if (e == PROTO_OK)
		e = sale_facts_on_sale(r, f, now);
	if (e != PROTO_OK)
		goto out;
	c->n = 0;
	cJSON_ArrayForEach(it, items)
	{
		const char *seat = NULL, *type = PRICING_ADULT;
		char cat;

		if (!cJSON_IsObject(it) || proto_get_str(it, "seat", 3, &seat) != 1 ||
		    proto_get_str(it, "ticketType", PRICING_TYPE_MAX, &type) < 0) {
			e = req_fail_field(r, "items");
			goto out;
		}
		for (j = 0; j < h.n && (used[j] || strcmp(h.seats[j], seat) != 0); j++)
			;
		if (j == h.n || proto_layout_lookup(&f->layout, seat, NULL, NULL, &cat) < 0) {
			e = req_fail_field(r, "items");
			goto out;
		}
		used[j] = 1;
		if (cat == PROTO_SEAT_HOUSE)
			cat = PROTO_SEAT_STANDARD;
		if (pricing_ticket(&f->pricing, cat, type, &c->t[c->n].price) < 0) {
			e = req_fail_field(r, "items");
			goto out;
		}
		c->t[c->n].id = ids_next();
		snprintf(c->t[c->n].seat, sizeof(c->t[c->n].seat), "%s", seat);
		snprintf(c->t[c->n].ticket_type, sizeof(c->t[c->n].ticket_type), "%s", type);
		c->o.amount += c->t[c->n].price;
		c->n++;
	}
	c->o.screening_id = h.sid;
	c->o.fid = f->film_id;
	c->o.hold_id = hold_id;
	c->o.quantity = c->n;
	c->o.expire_at = h.exp_ms / 1000 + cfg.grace;
out:
	free(f);
	return e;
}

/* General-admission film facts: amount and whether it sells by quantity. */
static enum proto_err ga_load(struct worker *w, void *arg, cJSON **out)
{
	const int64_t *fid = arg;
	int64_t stock, amount;
	enum db_rc rc;
	int found;
	cJSON *o;

	*out = NULL;
	rc = store_order_film_stock(w, *fid, &stock, &amount, &found);
	if (rc != DB_OK)
		return txn_err(rc);
	if (!found)
		return PROTO_OK;
	o = cJSON_CreateObject();
	if (!o || !cJSON_AddNumberToObject(o, "amount", (double)amount)) {
		cJSON_Delete(o);
		return PROTO_ERR_INTERNAL;
	}
	*out = o;
	return PROTO_OK;
}

/* Load the counter from films.stock unless someone did. Returns 0 or -1. */
static int stock_load(struct worker *w, int64_t fid)
{
	int64_t stock = 0, amount;
	int found;

	if (store_order_film_stock(w, fid, &stock, &amount, &found) != DB_OK)
		return -1;
	return holds_stock_load(w, fid, stock);
}

static enum proto_err general(struct req *r, struct create *c, int64_t fid, int64_t now)
{
	char head[48];
	int64_t q = 1;
	enum proto_err e;
	cJSON *o = NULL;
	int i, rc, tries;

	if (proto_get_int(r->body, "quantity", 1, GA_MAX, &q) < 0)
		return req_fail_field(r, "quantity");
	snprintf(head, sizeof(head), "gafilm:%" PRId64 ":", fid);
	e = cache_get_gen(r->w, FILM_NS, head, "", GA_TTL_S, ga_load, &fid, &o);
	if (e == PROTO_ERR_NOT_FOUND)
		return req_fail_field(r, "fid");
	if (e != PROTO_OK)
		return e;
	c->o.amount = 0;
	for (i = 0; i < q; i++) {
		c->t[i].id = ids_next();
		c->t[i].seat[0] = '\0';
		snprintf(c->t[i].ticket_type, sizeof(c->t[i].ticket_type), "%s", PRICING_ADULT);
		c->t[i].price = (int64_t)cJSON_GetObjectItemCaseSensitive(o, "amount")->valuedouble;
		c->o.amount += c->t[i].price;
	}
	cJSON_Delete(o);
	c->n = (int)q;
	c->o.fid = fid;
	c->o.quantity = (int)q;
	c->o.expire_at = now + cfg.hold_ttl + cfg.grace;
	for (tries = 0; tries < 2; tries++) {
		rc = holds_stock_take(r->w, fid, (int)q);
		if (rc != -2)
			break;
		if (stock_load(r->w, fid) < 0)
			return req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot load the stock");
	}
	if (rc == 0)
		return req_fail_conflict(r, "sold_out");
	if (rc != 1)
		return req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot reach redis");
	c->ga_taken = q;
	return PROTO_OK;
}

/* Idempotency: 1 a stored answer was put in r, 0 go on (key reserved), or an error. */
static int idem_begin(struct req *r, const char *key, enum proto_err *e)
{
	switch (holds_idem_begin(r->w, r->auth.uid, key, &r->data_raw, &r->data_raw_len)) {
	case HOLDS_IDEM_NEW:
		return 0;
	case HOLDS_IDEM_DONE:
		*e = r->data_raw ? PROTO_OK : PROTO_ERR_INTERNAL;
		return 1;
	case HOLDS_IDEM_BUSY:
		*e = req_fail_conflict(r, "in_progress");
		return -1;
	case HOLDS_IDEM_DOWN:
		*e = req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot reach redis");
		return -1;
	default:
		*e = PROTO_ERR_INTERNAL;
		return -1;
	}
}

enum proto_err order_create(struct req *r)
{
	const char *idem = NULL;
	struct create *c = calloc(1, sizeof(*c));
	int64_t now = (int64_t)time(NULL), hold_id = 0, fid = 0, prev = 0;
	enum proto_err e = PROTO_OK;
	char *msg = NULL, *pending = NULL, *answer = NULL, key[32];
	int gh, gf, reserved = 0, claimed = 0, rc;
	cJSON *pj = NULL;

	if (!c)
		return PROTO_ERR_INTERNAL;
	gh = proto_get_id(r->body, "holdId", &hold_id);
	gf = proto_get_id(r->body, "fid", &fid);
	if (gh < 0 || (gh == 0 && gf != 1)) {
		e = req_fail_field(r, gh < 0 || gf == 0 ? "holdId" : "fid");
		goto out;
	}
	if (proto_get_str(r->body, "idempotencyKey", STORE_ORDER_IDEM_MAX, &idem) < 0 ||
	    (idem && (!idem[0] || strpbrk(idem, " \t\r\n")))) {
		e = req_fail_field(r, "idempotencyKey");
		goto out;
	}
	if (idem) {
		rc = idem_begin(r, idem, &e);
		if (rc != 0)
			goto out;
		reserved = 1;
	}
	c->o.id = ids_next();
	c->o.uid = r->auth.uid;
	c->o.status = PROTO_ORDER_PENDING;
	c->o.cashier_id = is_staff(r) ? r->auth.uid : 0;
	c->o.create_time = c->o.update_time = now;
	snprintf(c->o.idem, sizeof(c->o.idem), "%s", idem ? idem : "");
	e = gh == 1 ? seated(r, c, hold_id, now) : general(r, c, fid, now);
	if (e != PROTO_OK)
		goto out;
	pj = order_json(&c->o, c->t, c->n);
	if (!pj || !(pending = proto_json_print(pj)) || !(msg = requested_msg(c))) {
		e = PROTO_ERR_INTERNAL;
		goto out;
	}
	if (gh == 1) {
		/* Staff may order any hold; the order is still the caller's. */
		rc = holds_claim(r->w, hold_id, is_staff(r) ? 0 : r->auth.uid, now * 1000, c->o.id,
		                 c->o.uid, now, pending, (c->o.expire_at + ORDERED_SETTLE_S) * 1000,
		                 &prev);
		if (rc < 0) {
			e = req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot reach redis");
			goto out;
		}
		if (rc == 0 || rc == 3) {
			e = PROTO_ERR_HOLD_EXPIRED;
			goto out;
		}
		if (rc == 2) {
			e = req_fail_conflict(r, "ordered");
			goto out;
		}
		claimed = 1;
		snprintf(key, sizeof(key), "%" PRId64, c->o.screening_id);
	} else {
		if (holds_pending_put(r->w, c->o.id, c->o.uid, now, pending) < 0) {
			e = req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot reach redis");
			goto out;
		}
		claimed = 1;
		snprintf(key, sizeof(key), "f%" PRId64, c->o.fid);
	}
	if (kq_produce_sync(KQ_TOPIC_ORDERS, key, msg, strlen(msg), PRODUCE_TIMEOUT_MS) != 0) {
		/*
		 * Not acknowledged in time, yet librdkafka may still deliver it:
		 * the marker makes the consumer write such a late order invalid
		 * ("not_queued"), so that the 503 changed nothing.
		 */
		holds_not_queued_set(r->w, c->o.id);
		e = req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot queue the order");
		goto out;
	}
	claimed = 0;
	c->ga_taken = 0;
	count_status(PROTO_ORDER_PENDING);
	log_msg_id(LOG_INFO, "order_id", c->o.id, "order %" PRId64 " queued, pending", c->o.id);
	cJSON_AddNumberToObject(r->data, "id", (double)c->o.id);
	cJSON_AddNumberToObject(r->data, "status", PROTO_ORDER_PENDING);
	cJSON_AddStringToObject(r->data, "statusText",
	                        proto_order_status_text(PROTO_ORDER_PENDING));
	cJSON_AddNumberToObject(r->data, "amount", (double)c->o.amount);
	cJSON_AddNumberToObject(r->data, "expireAt", (double)c->o.expire_at);
	if (reserved) {
		answer = proto_json_print(r->data);
		holds_idem_end(r->w, r->auth.uid, idem, answer);
		reserved = 0;
	}
out:
	if (claimed) {
		if (gh == 1)
			holds_unclaim(r->w, hold_id, c->o.id);
		holds_pending_del(r->w, c->o.id, c->o.uid);
	}
	if (c->ga_taken)
		holds_stock_give(r->w, c->o.fid, (int)c->ga_taken);
	if (reserved)
		holds_idem_end(r->w, r->auth.uid, idem, NULL);
	cJSON_free(answer);
	cJSON_free(msg);
	cJSON_free(pending);
	cJSON_Delete(pj);
	free(c);
	return e;
}

/* ---- the consumer --------------------------------------------------------- */

/* What to do in Redis once an order's transaction committed. */
struct after_order {
	int64_t oid, uid, cashier_id, sid, hold_id, fid;
	int status, quantity, n, stock_back;
	char seats[HOLDS_MAX_SEATS][PROTO_SEAT_ID_SIZE];
};

/* The order-row part of *a: o's ids, quantity, and status (o's, or the one it moves to). */
static void after_set(struct after_order *a, const struct order_row *o, int status)
{
	a->oid = o->id;
	a->uid = o->uid;
	a->cashier_id = o->cashier_id;
	a->sid = o->screening_id;
	a->fid = o->fid;
	a->status = status;
	a->quantity = o->quantity;
}

static void after_order(struct worker *w, void *arg)
{
	struct after_order *a = arg;

	if (a->sid && a->hold_id) {
		if (a->status == PROTO_ORDER_UNPAID) {
			/*
			 * The tickets hold the seats now; the hold becomes their markers.
			 * A hold Redis lost (a restart) leaves seats that others may hold
			 * or see free meanwhile: mark them and tell the clients they are held.
			 */
			char held[HOLDS_MAX_SEATS];

			memset(held, PROTO_STATE_HELD, sizeof(held));
			if (holds_drop(w, a->hold_id, HOLDS_KEEP, 0, a->oid) == 0 &&
			    holds_seats(w, a->sid, a->oid, 't',
			                (const char(*)[PROTO_SEAT_ID_SIZE])a->seats, NULL,
			                a->n) == 0)
				holds_seats(w, a->sid, a->oid, 's',
				            (const char(*)[PROTO_SEAT_ID_SIZE])a->seats, held,
				            a->n);
		} else if (holds_drop(w, a->hold_id, HOLDS_FREE, 0, a->oid) < 0) {
			log_warn("order %" PRId64 ": cannot free its hold", a->oid);
		}
		seatmap_invalidate(w, a->sid);
	} else if (a->sid && a->status == PROTO_ORDER_INVALID) {
		order_free_seats(w, a->sid, a->oid, (const char(*)[PROTO_SEAT_ID_SIZE])a->seats,
		                 a->n);
	}
	if (a->stock_back) {
		/* Redis thought there was stock MySQL did not have: reload it next time. */
		holds_stock_forget(w, a->fid);
	}
	holds_pending_del(w, a->oid, a->uid);
	order_publish_status(w, a->oid, a->uid, a->cashier_id, a->status);
}

static int on_requested(struct worker *w, const cJSON *msg, char *err, size_t errlen)
{
	struct order_row o = {0};
	struct ticket_row t[STORE_ORDER_MAX_ITEMS];
	struct after_order *a = NULL;
	const cJSON *items = cJSON_GetObjectItemCaseSensitive(msg, "items"), *it;
	enum db_rc rc;
	int n = 0, status = 0, found = 0, changed, taken;
	int64_t start_at = 0;

	o.id = jsonfield_i64(msg, "orderId");
	o.uid = jsonfield_i64(msg, "uid");
	o.fid = jsonfield_i64(msg, "fid");
	o.screening_id = jsonfield_i64(msg, "screeningId");
	o.hold_id = jsonfield_i64(msg, "holdId");
	o.quantity = (int)jsonfield_i64(msg, "quantity");
	o.amount = jsonfield_i64(msg, "amount");
	o.expire_at = jsonfield_i64(msg, "expireAt");
	o.cashier_id = jsonfield_i64(msg, "cashierId");
	o.create_time = o.update_time = jsonfield_i64(msg, "at");
	o.status = PROTO_ORDER_UNPAID;
	snprintf(o.idem, sizeof(o.idem), "%s", jsonfield_str(msg, "idempotencyKey", ""));
	cJSON_ArrayForEach(it, items)
	{
		if (n >= STORE_ORDER_MAX_ITEMS)
			break;
		memset(&t[n], 0, sizeof(t[n]));
		t[n].id = jsonfield_i64(it, "ticketId");
		snprintf(t[n].seat, sizeof(t[n].seat), "%s", jsonfield_str(it, "seat", ""));
		snprintf(t[n].ticket_type, sizeof(t[n].ticket_type), "%s",
		         jsonfield_str(it, "ticketType", ""));
		t[n].price = jsonfield_i64(it, "price");
		n++;
	}
	if (o.id <= 0 || o.uid <= 0 || n < 1 || (o.screening_id == 0) != (o.hold_id == 0)) {
		snprintf(err, errlen, "malformed order.requested");
		return -1;
	}
	a = calloc(1, sizeof(*a));
	if (!a)
		return -1;
	if (holds_not_queued(w, o.id)) {
		/* Its API call answered 503: record it as never made, touch nothing else. */
		o.status = PROTO_ORDER_INVALID;
		snprintf(o.reason, sizeof(o.reason), "not_queued");
		o.idem[0] = '\0';
		rc = store_order_insert(w, &o);
		free(a);
		if (rc != DB_OK) {
			snprintf(err, errlen, "cannot write order %" PRId64, o.id);
			return -1;
		}
		return 0;
	}
	if (o.screening_id) {
		rc = store_order_screening_state(w, o.screening_id, &status, &start_at, &found);
		if (rc != DB_OK)
			goto fail;
		if (!found || status == STORE_SCREENING_CANCELLED) {
			o.status = PROTO_ORDER_INVALID;
			snprintf(o.reason, sizeof(o.reason), "cancelled");
		}
	} else {
		rc = store_order_take_stock(w, o.fid, o.quantity, &taken);
		if (rc != DB_OK)
			goto fail;
		if (!taken) {
			o.status = PROTO_ORDER_INVALID;
			snprintf(o.reason, sizeof(o.reason), "sold_out");
			a->stock_back = 1;
		}
	}
	rc = store_order_insert(w, &o);
	if (rc == DB_DUPLICATE) {
		/* The idempotency key was used by an order already written. */
		log_warn("order %" PRId64 ": idempotency key of user %" PRId64 " already used (%s)",
		         o.id, o.uid, db_dup_key(w));
		o.status = PROTO_ORDER_INVALID;
		snprintf(o.reason, sizeof(o.reason), "duplicate");
		o.idem[0] = '\0';
		rc = store_order_insert(w, &o);
	}
	if (rc != DB_OK)
		goto fail;
	if (o.status == PROTO_ORDER_UNPAID) {
		rc = store_order_insert_tickets(w, &o, t, n);
		if (rc == DB_DUPLICATE) {
			rc = store_order_set_status(w, o.id, 1u << PROTO_ORDER_UNPAID,
			                            PROTO_ORDER_INVALID, "seat_taken", &changed);
			o.status = PROTO_ORDER_INVALID;
		}
		if (rc != DB_OK)
			goto fail;
	}
	after_set(a, &o, o.status);
	a->hold_id = o.hold_id;
	a->n = n;
	for (n = 0; n < a->n; n++)
		snprintf(a->seats[n], PROTO_SEAT_ID_SIZE, "%.3s", t[n].seat);
	if (kq_after_commit(after_order, a, free) < 0) {
		free(a);
		return -1;
	}
	return 0;
fail:
	free(a);
	snprintf(err, errlen, "cannot write order %" PRId64, o.id);
	return -1;
}

/*
 * Cancel order oid in the open transaction if its status is in mask: it
 * becomes invalid with reason, its tickets void, general stock returned.
 * *a (calloc'd by the caller) is filled for after_order. Returns DB_OK
 * (*changed says whether it moved) or the failure.
 */
static enum db_rc cancel_tx(struct worker *w, int64_t oid, unsigned mask, const char *reason,
                            struct after_order *a, int *changed)
{
	struct order_row o;
	struct ticket_row *t = NULL;
	enum db_rc rc;
	int found = 0, n = 0, i;

	*changed = 0;
	rc = store_order_lock(w, oid, &o, &found);
	if (rc != DB_OK || !found)
		return rc;
	if (!((1u << o.status) & mask))
		return DB_OK;
	rc = store_order_tickets(w, oid, &t, &n);
	if (rc == DB_OK)
		rc = store_order_set_status(w, oid, mask, PROTO_ORDER_INVALID, reason, changed);
	if (rc == DB_OK && *changed)
		rc = store_order_void_tickets(w, oid);
	if (rc == DB_OK && *changed && !o.screening_id)
		rc = store_order_return_stock(w, o.fid, o.quantity);
	if (rc == DB_OK) {
		after_set(a, &o, PROTO_ORDER_INVALID);
		for (i = 0; i < n && a->n < HOLDS_MAX_SEATS; i++)
			if (t[i].seat[0])
				snprintf(a->seats[a->n++], PROTO_SEAT_ID_SIZE, "%.3s", t[i].seat);
	}
	free(t);
	return rc;
}

/* After a cancel: seats freed, general stock back in the counter (if loaded), status out. */
static void after_cancel(struct worker *w, void *arg)
{
	struct after_order *a = arg;

	if (a->sid)
		order_free_seats(w, a->sid, a->oid, (const char(*)[PROTO_SEAT_ID_SIZE])a->seats,
		                 a->n);
	else if (a->quantity > 0)
		holds_stock_forget(w, a->fid);
	holds_pending_del(w, a->oid, a->uid);
	order_publish_status(w, a->oid, a->uid, a->cashier_id, a->status);
}

static int on_cancel(struct worker *w, const cJSON *msg, char *err, size_t errlen)
{
	struct after_order *a = calloc(1, sizeof(*a));
	int64_t oid = jsonfield_i64(msg, "orderId");
	const char *reason = jsonfield_str(msg, "reason", "");
	enum db_rc rc;
	int changed = 0;

	if (!a)
		return -1;
	rc = cancel_tx(w, oid, (1u << PROTO_ORDER_UNPAID) | (1u << PROTO_ORDER_PENDING),
	               reason[0] ? reason : "cancelled", a, &changed);
	if (rc != DB_OK) {
		free(a);
		snprintf(err, errlen, "cannot cancel order %" PRId64, oid);
		return -1;
	}
	if (!changed) {
		free(a);
		return 0;
	}
	if (kq_after_commit(after_cancel, a, free) < 0) {
		free(a);
		return -1;
	}
	return 0;
}

void order_register(void)
{
	kq_register(MSG_ORDER_REQUESTED, on_requested);
	kq_register(MSG_ORDER_CANCEL, on_cancel);
}

int order_expire(struct worker *w, int64_t oid)
{
	struct after_order *a = calloc(1, sizeof(*a));
	struct order_row o;
	enum db_rc rc;
	int changed = 0, found = 0;

	if (!a)
		return -1;
	rc = db_begin(w);
	if (rc == DB_OK)
		rc = store_order_lock(w, oid, &o, &found);
	if (rc == DB_OK && found && o.status == PROTO_ORDER_UNPAID &&
	    o.expire_at <= (int64_t)time(NULL))
		rc = cancel_tx(w, oid, 1u << PROTO_ORDER_UNPAID, "expired", a, &changed);
	if (rc == DB_OK)
		rc = db_commit(w);
	if (rc != DB_OK) {
		db_rollback(w);
		free(a);
		return -1;
	}
	if (changed) {
		after_cancel(w, a);
		/* Outbound domain event (spec 5), after the commit. */
		events_emit(EVENTS_ORDER_EXPIRED, oid, NULL);
	}
	free(a);
	return 0;
}

int order_settle_hold(struct worker *w, int64_t hold_id, int64_t oid, int64_t uid)
{
	struct order_row o;
	int found = 0, rc;

	if (store_order_get(w, oid, &o, &found) != DB_OK)
		return -1;
	if (found && (o.status == PROTO_ORDER_UNPAID || o.status == PROTO_ORDER_PAID)) {
		rc = holds_drop(w, hold_id, HOLDS_KEEP, 0, oid);
	} else {
		if (!found)
			log_warn("order %" PRId64 " of hold %" PRId64
			         " was never written: seats freed",
			         oid, hold_id);
		rc = holds_drop(w, hold_id, HOLDS_FREE, 0, oid);
		holds_pending_del(w, oid, uid);
	}
	return rc < 0 ? -1 : 0;
}

/* ---- reads ------------------------------------------------------------------ */

/*
 * Order id as JSON (MySQL, else the pending record) if the caller may see
 * it. Returns PROTO_OK with *out, PROTO_ERR_NOT_FOUND, or a failure.
 */
static enum proto_err load_order(struct req *r, int64_t id, cJSON **out)
{
	struct order_row o;
	struct ticket_row *t = NULL;
	enum db_rc rc;
	int found = 0, n = 0;
	char *p;

	*out = NULL;
	rc = store_order_get(r->w, id, &o, &found);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	if (found) {
		if (!is_staff(r) && o.uid != r->auth.uid)
			return PROTO_ERR_NOT_FOUND;
		rc = store_order_tickets(r->w, id, &t, &n);
		if (rc != DB_OK)
			return txn_fail(r, rc);
		*out = order_json(&o, t, n);
		free(t);
		return *out ? PROTO_OK : PROTO_ERR_INTERNAL;
	}
	p = holds_pending_get(r->w, id);
	if (!p)
		return PROTO_ERR_NOT_FOUND;
	*out = cJSON_Parse(p);
	free(p);
	if (!*out)
		return PROTO_ERR_NOT_FOUND;
	if (!is_staff(r) && jsonfield_i64(*out, "uid") != r->auth.uid) {
		cJSON_Delete(*out);
		*out = NULL;
		return PROTO_ERR_NOT_FOUND;
	}
	return PROTO_OK;
}

enum proto_err order_detail(struct req *r)
{
	enum proto_err e;
	int64_t id;
	cJSON *o;

	if (proto_get_id(r->body, "id", &id) != 1)
		return req_fail_field(r, "id");
	e = load_order(r, id, &o);
	if (e == PROTO_ERR_NOT_FOUND)
		return req_fail_msg(r, e, "no such order");
	if (e != PROTO_OK)
		return e;
	return req_answer(r, o);
}

static enum proto_err list_common(struct req *r, int paid_only)
{
	struct order_row *rows = NULL;
	int64_t page = 1, page_size = PROTO_PAGE_SIZE_MAX, total = 0;
	int64_t pend[PENDING_LIST_MAX];
	int n = 0, np = 0, i, j, extra = 0;
	enum proto_err e;
	enum db_rc rc;
	cJSON *list;

	e = req_paging(r, &page, &page_size);
	if (e != PROTO_OK)
		return e;
	rc = store_order_list(r->w, r->auth.uid, paid_only, (page - 1) * page_size, page_size,
	                      &rows, &n, &total);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	list = cJSON_AddArrayToObject(r->data, "list");
	/* Pending orders are the newest: they lead the first page. */
	if (!paid_only) {
		np = holds_pending_list(r->w, r->auth.uid, pend, PENDING_LIST_MAX);
		for (i = 0; i < np; i++) {
			cJSON *o;
			char *p;

			for (j = 0; j < n && rows[j].id != pend[i]; j++)
				;
			if (j < n)
				continue; /* written meanwhile: MySQL has it */
			extra++;
			if (page != 1 || !(p = holds_pending_get(r->w, pend[i])))
				continue;
			o = cJSON_Parse(p);
			free(p);
			if (o)
				cJSON_AddItemToArray(list, o);
		}
	}
	for (i = 0; i < n; i++) {
		struct ticket_row *t = NULL;
		int nt = 0;
		cJSON *o;

		rc = store_order_tickets(r->w, rows[i].id, &t, &nt);
		if (rc != DB_OK) {
			free(rows);
			return txn_fail(r, rc);
		}
		o = order_json(&rows[i], t, nt);
		free(t);
		if (o)
			cJSON_AddItemToArray(list, o);
	}
	free(rows);
	cJSON_AddNumberToObject(r->data, "total", (double)(total + extra));
	return PROTO_OK;
}

enum proto_err order_list(struct req *r)
{
	return list_common(r, 0);
}

enum proto_err order_paid_list(struct req *r)
{
	return list_common(r, 1);
}

/* ---- remove / update -------------------------------------------------------- */

struct cancel_ctx {
	int64_t id;
	const char *reason;
	int strict; /* /order/update: an order already invalid is a conflict too */
	struct after_order a;
	int changed, status, found;
};

static enum proto_err cancel_txn(struct req *r, void *arg, enum db_rc *db)
{
	struct cancel_ctx *c = arg;
	struct order_row o;

	memset(&c->a, 0, sizeof(c->a));
	c->changed = 0;
	TXN_TRY(store_order_lock(r->w, c->id, &o, &c->found));
	if (!c->found)
		return PROTO_OK;
	if (!is_staff(r) && o.uid != r->auth.uid)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such order");
	c->status = o.status;
	if (o.status == PROTO_ORDER_PAID || o.status == PROTO_ORDER_REFUNDED)
		return req_fail_conflict(r, "paid");
	if (c->strict && o.status == PROTO_ORDER_INVALID)
		return req_fail_conflict(r, "status");
	TXN_TRY(cancel_tx(r->w, c->id, 1u << PROTO_ORDER_UNPAID, c->reason, &c->a, &c->changed));
	if (c->changed && is_staff(r))
		TXN_TRY(txn_audit(r, "order.cancel", "order", c->id, c->reason));
	return PROTO_OK;
}

/* Cancel order id for the caller (owner or staff): remove and update. */
static enum proto_err cancel_order(struct req *r, int64_t id, int strict)
{
	struct cancel_ctx c = {.id = id, .reason = "cancelled", .strict = strict};
	enum proto_err e;
	cJSON *p;
	char key[32], eid[48];

	e = txn_run(r, cancel_txn, &c);
	if (e != PROTO_OK)
		return e;
	if (c.found) {
		if (c.changed)
			after_cancel(r->w, &c.a);
		return PROTO_OK;
	}
	/* Not written yet: a pending order, cancelled through its partition. */
	e = load_order(r, id, &p);
	if (e == PROTO_ERR_NOT_FOUND)
		return req_fail_msg(r, e, "no such order");
	if (e != PROTO_OK)
		return e;
	if (jsonfield_i64(p, "screeningId"))
		snprintf(key, sizeof(key), "%" PRId64, jsonfield_i64(p, "screeningId"));
	else
		snprintf(key, sizeof(key), "f%" PRId64, jsonfield_i64(p, "fid"));
	cJSON_Delete(p);
	p = cJSON_CreateObject();
	if (!p)
		return PROTO_ERR_INTERNAL;
	snprintf(eid, sizeof(eid), "oc-%" PRId64 "-%" PRId64, id, ids_next());
	cJSON_AddStringToObject(p, "type", MSG_ORDER_CANCEL);
	cJSON_AddStringToObject(p, "eventId", eid);
	cJSON_AddNumberToObject(p, "at", (double)time(NULL));
	cJSON_AddNumberToObject(p, "orderId", (double)id);
	cJSON_AddStringToObject(p, "reason", "cancelled");
	if (kq_produce_json(KQ_TOPIC_ORDERS, key, p, PRODUCE_TIMEOUT_MS) != 0)
		e = req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "cannot queue the cancellation");
	cJSON_Delete(p);
	return e;
}

enum proto_err order_remove(struct req *r)
{
	int64_t id;

	if (proto_get_id(r->body, "id", &id) != 1)
		return req_fail_field(r, "id");
	return cancel_order(r, id, 0);
}

enum proto_err order_update(struct req *r)
{
	int64_t id, status;

	if (proto_get_id(r->body, "id", &id) != 1)
		return req_fail_field(r, "id");
	if (proto_get_int(r->body, "status", 0, 4, &status) != 1)
		return req_fail_field(r, "status");
	if (status != PROTO_ORDER_INVALID)
		return req_fail_conflict(r, "status");
	return cancel_order(r, id, 1);
}
