/*
 * svc_refund.c: see svc_refund.h.
 *
 * An online refund is two steps: the transaction that decides it (order
 * refunded, tickets void, a pending refund row) and the provider's answer,
 * sent outside any transaction and recorded in a second one. The provider
 * refunds a pay at most once whatever we send (paysim keys refunds by payId),
 * so a retry after a lost answer, or two instances sweeping at once, are
 * harmless.
 */
#include "svc/svc_refund.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "cache/holds.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/pool.h"
#include "core/thread_role.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "store/store_pay.h"
#include "store/store_shift.h"
#include "svc/events.h"
#include "svc/svc_film.h"
#include "svc/svc_order.h"
#include "svc/svc_pay.h"
#include "svc/txn.h"
#include "svc/routes.h"

#define SWEEP_MS 1000
#define SWEEP_BATCH 50
#define PROVIDER_TIMEOUT_S 3
#define RETRY_MAX_S 10
#define ANSWER_MAX 4096
#define SEARCH_MAX 100

/* ---- recording a refund ---- */

enum db_rc refund_record(struct worker *w, const struct pay_order *o, const struct pay_row *p,
                         int64_t actor, const char *reason, int64_t shift_id, int *pending)
{
	struct refund_row rf;
	char detail[400];
	enum db_rc rc;

	memset(&rf, 0, sizeof(rf));
	rf.id = ids_next();
	rf.order_id = o->id;
	rf.pay_id = p->id;
	rf.amount = p->amount;
	rf.actor = actor;
	snprintf(rf.method, sizeof(rf.method), "%s", p->method);
	snprintf(rf.reason, sizeof(rf.reason), "%s", reason);
	*pending = p->source == 1;
	if (*pending) {
		rf.status = 0;
	} else {
		rf.status = 1;
		rf.shift_id = shift_id;
	}
	rc = store_refund_insert(w, &rf);
	if (rc == DB_OK && !*pending)
		rc = store_pay_refunded(w, p->id, "");
	if (rc != DB_OK)
		return rc;
	snprintf(detail, sizeof(detail),
	         "pay=%" PRId64 " amount=%" PRId64 " method=%s shift=%" PRId64 " pending=%d "
	         "reason=%.200s",
	         p->id, p->amount, p->method, rf.shift_id, *pending, reason);
	return txn_audit_by(w, actor, actor ? "order.refund" : "order.refund.auto", "order", o->id,
	                    detail);
}

static void emit_refunded(int64_t oid, int64_t pay_id, int64_t amount, const char *method,
                          const char *reason)
{
	cJSON *ev = cJSON_CreateObject();

	if (ev) {
		cJSON_AddNumberToObject(ev, "payId", (double)pay_id);
		cJSON_AddNumberToObject(ev, "amount", (double)amount);
		cJSON_AddStringToObject(ev, "method", method);
		cJSON_AddStringToObject(ev, "reason", reason);
	}
	events_emit(EVENTS_ORDER_REFUNDED, oid, ev);
}

/* ---- the provider ---- */

struct answer {
	char buf[ANSWER_MAX + 1];
	size_t len;
};

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct answer *a = userdata;
	size_t n = size * nmemb, room = ANSWER_MAX - a->len;

	if (n > room)
		n = room;
	memcpy(a->buf + a->len, ptr, n);
	a->len += n;
	a->buf[a->len] = '\0';
	return size * nmemb;
}

/* POST /api/refund. Returns 0 with ref filled when the provider refunded. */
static int provider_refund(int64_t pay_id, int64_t amount, char *ref, size_t reflen)
{
	CURL *c = curl_easy_init();
	struct curl_slist *h = NULL;
	struct answer a = {.len = 0};
	char url[600], body[128], sig[65], hdr[120];
	long status = 0;
	cJSON *root = NULL;
	const cJSON *st, *rid;
	int rc = -1;

	if (!c)
		return -1;
	a.buf[0] = '\0';
	snprintf(url, sizeof(url), "%s/api/refund", cfg.paysim_url);
	snprintf(body, sizeof(body), "{\"payId\":%" PRId64 ",\"amount\":%" PRId64 "}", pay_id,
	         amount);
	if (pay_sign(cfg.pay_secret, body, strlen(body), sig) < 0)
		goto out;
	snprintf(hdr, sizeof(hdr), "%s: %s", PROTO_HDR_SIGNATURE, sig);
	h = curl_slist_append(h, "Content-Type: application/json");
	h = curl_slist_append(h, hdr);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)PROVIDER_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)PROVIDER_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
	if (curl_easy_perform(c) != CURLE_OK) {
		log_warn("cannot refund pay %" PRId64 " at '%s': provider unreachable", pay_id,
		         url);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	root = cJSON_Parse(a.buf);
	st = cJSON_GetObjectItemCaseSensitive(root, "status");
	rid = cJSON_GetObjectItemCaseSensitive(root, "refundId");
	if (status != 200 || !cJSON_IsString(st) || strcmp(st->valuestring, "refunded") != 0 ||
	    !cJSON_IsString(rid)) {
		log_warn("provider refused the refund of pay %" PRId64 ": HTTP %ld %.200s", pay_id,
		         status, a.buf);
		goto out;
	}
	snprintf(ref, reflen, "%s", rid->valuestring);
	rc = 0;
out:
	cJSON_Delete(root);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return rc;
}

/*
 * Send pending refund rf to the provider and record the answer. Returns 1
 * done, 0 not now (retried later), -1 storage failure.
 */
static int refund_attempt(struct worker *w, const struct refund_row *rf)
{
	struct refund_row cur;
	struct pay_order o;
	char ref[STORE_PAY_TXN_MAX + 1];
	enum db_rc rc;
	int found = 0, ofound = 0;

	if (provider_refund(rf->pay_id, rf->amount, ref, sizeof(ref)) != 0) {
		int64_t wait = (int64_t)1 << (rf->attempts < 4 ? rf->attempts : 4);

		if (wait > RETRY_MAX_S)
			wait = RETRY_MAX_S;
		store_refund_later(w, rf->id, (int64_t)time(NULL) + wait);
		return 0;
	}
	rc = db_begin(w);
	if (rc == DB_OK)
		rc = store_pay_order_lock(w, rf->order_id, &o, &ofound);
	if (rc == DB_OK)
		rc = store_refund_lock(w, rf->id, &cur, &found);
	if (rc == DB_OK && found && cur.status == 0) {
		rc = store_refund_done(w, rf->id, ref, (int64_t)time(NULL));
		if (rc == DB_OK)
			rc = store_pay_refunded(w, rf->pay_id, ref);
		if (rc == DB_OK && ofound)
			rc = store_pay_order_refund_done(w, rf->order_id);
	}
	if (rc == DB_OK)
		rc = db_commit(w);
	if (rc != DB_OK) {
		db_rollback(w);
		return -1;
	}
	if (found && cur.status == 0) {
		log_info("refund of pay %" PRId64 " (order %" PRId64 ") done: %s", rf->pay_id,
		         rf->order_id, ref);
		emit_refunded(rf->order_id, rf->pay_id, rf->amount, rf->method,
		              ofound ? o.reason : rf->reason);
	}
	return 1;
}

/* ---- the sweeper ---- */

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thr;
	int running, kicked;
	atomic_int stop;
} sw = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

void refund_kick(void)
{
	pthread_mutex_lock(&sw.mu);
	sw.kicked = 1;
	pthread_cond_signal(&sw.cv);
	pthread_mutex_unlock(&sw.mu);
}

/*
 * An order marked refund_pending by someone else (a cancelled screening)
 * gets its refund row; one whose refund is already recorded waits for it.
 */
static void settle_marked(struct worker *w, int64_t oid)
{
	struct pay_order o;
	struct pay_row p;
	struct refund_row rf;
	enum db_rc rc;
	int found = 0, pfound = 0, rfound = 0, pending = 0, done_now = 0;

	rc = db_begin(w);
	if (rc == DB_OK)
		rc = store_pay_order_lock(w, oid, &o, &found);
	if (rc != DB_OK || !found || !o.refund_pending)
		goto end;
	rc = store_pay_paid_of_order(w, oid, &p, &pfound);
	if (rc != DB_OK)
		goto end;
	if (!pfound) {
		/* Nothing paid to give back (or already given back). */
		rc = store_pay_order_refund_done(w, oid);
		goto end;
	}
	rc = store_refund_of_pay(w, p.id, &rf, &rfound);
	if (rc != DB_OK || rfound)
		goto end;
	{
		struct shift_row s;
		int sfound = 0;
		int64_t shift = 0;

		if (p.source == 0) {
			rc = store_shift_open_of(w, p.cashier_id, 0, &s, &sfound);
			if (rc != DB_OK)
				goto end;
			shift = sfound ? s.id : 0;
		}
		rc = refund_record(w, &o, &p, 0, o.reason[0] ? o.reason : "cancelled", shift,
		                   &pending);
	}
	if (rc == DB_OK && !pending) {
		rc = store_pay_order_refund_done(w, oid);
		done_now = 1;
	}
end:
	if (rc == DB_OK)
		rc = db_commit(w);
	if (rc != DB_OK) {
		db_rollback(w);
		return;
	}
	if (done_now)
		emit_refunded(oid, p.id, p.amount, p.method, o.reason);
}

static void sweep(struct worker *w)
{
	struct refund_row *rows = NULL;
	int64_t *ids = NULL;
	int n = 0, i;

	if (store_pay_order_refund_pending(w, SWEEP_BATCH, &ids, &n) == DB_OK)
		for (i = 0; i < n && !atomic_load(&sw.stop); i++)
			settle_marked(w, ids[i]);
	free(ids);
	n = 0;
	if (store_refund_due(w, (int64_t)time(NULL), SWEEP_BATCH, &rows, &n) == DB_OK)
		for (i = 0; i < n && !atomic_load(&sw.stop); i++)
			refund_attempt(w, &rows[i]);
	free(rows);
}

static void *sweeper_main(void *arg)
{
	struct worker *w = NULL;

	(void)arg;
	while (!atomic_load(&sw.stop)) {
		struct timespec ts;

		if (!w)
			w = worker_new_local();
		if (w)
			sweep(w);
		pthread_mutex_lock(&sw.mu);
		if (!sw.kicked && !atomic_load(&sw.stop)) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += SWEEP_MS / 1000;
			pthread_cond_timedwait(&sw.cv, &sw.mu, &ts);
		}
		sw.kicked = 0;
		pthread_mutex_unlock(&sw.mu);
	}
	worker_free_local(w);
	return NULL;
}

int refund_sweeper_start(void)
{
	atomic_store(&sw.stop, 0);
	if (thread_start(&sw.thr, sweeper_main, NULL, "bo-refund-sweep") != 0)
		return -1;
	sw.running = 1;
	return 0;
}

void refund_sweeper_stop(void)
{
	if (!sw.running)
		return;
	atomic_store(&sw.stop, 1);
	refund_kick();
	pthread_join(sw.thr, NULL);
	sw.running = 0;
}

/* ---- /order/refund ---- */

struct refund_ctx {
	int64_t id;
	const char *reason;
	struct pay_order o;
	struct pay_row p;
	int paid, pending;
	struct pay_ticket *t;
	int n;
};

static enum proto_err refund_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct refund_ctx *c = arg;
	struct shift_row s;
	uint64_t aff = 0;
	int found = 0, sfound = 0;
	int64_t shift = 0;
	char detail[300];

	free(c->t);
	c->t = NULL;
	c->n = 0;
	c->paid = c->pending = 0;
	TXN_TRY(store_pay_order_lock(r->w, c->id, &c->o, &found));
	if (!found)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such order");
	if (c->o.status == PROTO_ORDER_REFUNDED)
		return req_fail_conflict(r, "already_refunded");
	if (c->o.status != PROTO_ORDER_PAID)
		return req_fail_conflict(r, "not_paid");
	TXN_TRY(store_pay_paid_of_order(r->w, c->id, &c->p, &c->paid));
	TXN_TRY(store_pay_tickets_of_order(r->w, c->id, &c->t, &c->n));
	if (c->paid && c->p.source == 0) {
		/* Cash back from the drawer of the cashier who took it, else the admin's. */
		TXN_TRY(store_shift_open_of(r->w, c->p.cashier_id, 0, &s, &sfound));
		if (!sfound)
			TXN_TRY(store_shift_open_of(r->w, r->auth.uid, 0, &s, &sfound));
		shift = sfound ? s.id : 0;
	}
	TXN_TRY(store_pay_order_refunded(r->w, c->id, PROTO_ORDER_PAID, "refunded",
	                                 c->paid && c->p.source == 1, &aff));
	TXN_TRY(store_pay_tickets_void(r->w, c->id));
	if (c->o.screening_id == 0 && c->o.quantity > 0)
		TXN_TRY(store_pay_film_restock(r->w, c->o.fid, c->o.quantity));
	if (c->paid) {
		TXN_TRY(
		    refund_record(r->w, &c->o, &c->p, r->auth.uid, c->reason, shift, &c->pending));
	} else {
		snprintf(detail, sizeof(detail), "no pay on record; reason=%.200s", c->reason);
		TXN_TRY(txn_audit(r, "order.refund", "order", c->id, detail));
	}
	return PROTO_OK;
}

enum proto_err refund_order(struct req *r)
{
	struct refund_ctx c;
	struct refund_row rf;
	enum proto_err e;
	int found = 0;

	memset(&c, 0, sizeof(c));
	if (proto_get_id(r->body, "id", &c.id) != 1)
		return req_fail_field(r, "id");
	if (proto_get_str(r->body, "reason", PROTO_LEN_TEXT, &c.reason) != 1 || !c.reason[0])
		return req_fail_field(r, "reason");
	e = txn_run(r, refund_tx, &c);
	if (e == PROTO_OK) {
		pay_publish_seats(r->w, c.o.screening_id, c.o.id, c.t, c.n, PAY_SEATS_FREE);
		order_publish_status(r->w, c.o.id, c.o.uid, c.o.cashier_id, PROTO_ORDER_REFUNDED);
		film_cache_invalidate(r->w, c.o.fid);
		/* The order module reloads its stock counter from films.stock. */
		if (c.o.screening_id == 0)
			holds_stock_forget(r->w, c.o.fid);
		if (c.pending) {
			/* One try now; the sweeper retries while the provider is down. */
			if (store_refund_of_pay(r->w, c.p.id, &rf, &found) == DB_OK && found &&
			    rf.status == 0 && refund_attempt(r->w, &rf) == 1)
				c.pending = 0;
		} else {
			emit_refunded(c.o.id, c.paid ? c.p.id : 0, c.paid ? c.p.amount : c.o.amount,
			              c.paid ? c.p.method : "", "refunded");
		}
		cJSON_AddNumberToObject(r->data, "refundPending", c.pending);
	}
	free(c.t);
	return e;
}

/* ---- /order/search ---- */

static cJSON *order_json(struct worker *w, const struct pay_order *o, enum db_rc *rc)
{
	struct pay_ticket *t = NULL;
	cJSON *v = cJSON_CreateObject(), *items;
	char mobile[32];
	int n = 0, i;

	if (!v)
		return NULL;
	*rc = store_pay_tickets_of_order(w, o->id, &t, &n);
	if (*rc == DB_OK)
		*rc = store_pay_user_mobile(w, o->uid, mobile, sizeof(mobile));
	if (*rc != DB_OK) {
		cJSON_Delete(v);
		free(t);
		return NULL;
	}
	cJSON_AddNumberToObject(v, "id", (double)o->id);
	cJSON_AddNumberToObject(v, "uid", (double)o->uid);
	cJSON_AddStringToObject(v, "mobile", mobile);
	cJSON_AddNumberToObject(v, "fid", (double)o->fid);
	cJSON_AddNumberToObject(v, "screeningId", (double)o->screening_id);
	cJSON_AddNumberToObject(v, "amount", (double)o->amount);
	cJSON_AddNumberToObject(v, "status", o->status);
	cJSON_AddStringToObject(v, "statusText", proto_order_status_text(o->status));
	cJSON_AddStringToObject(v, "reason", o->reason);
	cJSON_AddNumberToObject(v, "refundPending", o->refund_pending);
	cJSON_AddNumberToObject(v, "createTime", (double)o->create_time);
	cJSON_AddNumberToObject(v, "expireAt", (double)o->expire_at);
	cJSON_AddNumberToObject(v, "paidAt", (double)o->paid_at);
	cJSON_AddNumberToObject(v, "cashierId", (double)o->cashier_id);
	items = cJSON_AddArrayToObject(v, "items");
	for (i = 0; items && i < n; i++) {
		cJSON *it = cJSON_CreateObject();

		if (!it)
			break;
		cJSON_AddStringToObject(it, "seat", t[i].seat);
		cJSON_AddStringToObject(it, "ticketType", t[i].ticket_type);
		cJSON_AddNumberToObject(it, "price", (double)t[i].price);
		if (t[i].code[0] && o->status == PROTO_ORDER_PAID)
			cJSON_AddStringToObject(it, "ticketCode", t[i].code);
		cJSON_AddItemToArray(items, it);
	}
	free(t);
	return v;
}

enum proto_err refund_order_search(struct req *r)
{
	const char *code = NULL, *mobile = NULL;
	int64_t sid = 0, *ids = NULL;
	cJSON *list;
	enum db_rc rc;
	int n = 0, i, g;

	g = proto_get_str(r->body, "ticketCode", 64, &code);
	if (g < 0 || (g == 1 && !code[0]))
		return req_fail_field(r, "ticketCode");
	if (g == 0)
		code = NULL;
	g = proto_get_str(r->body, "mobile", PROTO_LEN_MOBILE, &mobile);
	if (g < 0 || (g == 1 && !mobile[0]))
		return req_fail_field(r, "mobile");
	if (g == 0)
		mobile = NULL;
	g = proto_get_id(r->body, "screeningId", &sid);
	if (g < 0)
		return req_fail_field(r, "screeningId");
	if (!code && !mobile && g == 0)
		return req_fail_field(r, "ticketCode");
	rc = store_pay_order_search(r->w, code, code ? NULL : mobile, code || mobile ? 0 : sid,
	                            SEARCH_MAX, &ids, &n);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	list = cJSON_AddArrayToObject(r->data, "list");
	for (i = 0; list && i < n; i++) {
		struct pay_order o;
		int found = 0;
		cJSON *v;

		rc = store_pay_order_get(r->w, ids[i], &o, &found);
		if (rc != DB_OK)
			break;
		if (!found)
			continue;
		v = order_json(r->w, &o, &rc);
		if (!v)
			break;
		cJSON_AddItemToArray(list, v);
	}
	free(ids);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	cJSON_AddNumberToObject(r->data, "total", cJSON_GetArraySize(list));
	return PROTO_OK;
}
