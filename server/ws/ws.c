/*
 * ws.c: the seat hub of /ws (spec section 6; design "Seat hub").
 *
 * Loop thread only, except the two hand-offs: the Redis subscriber thread
 * (ws_sub.c) and the workers (snapshots, token checks) push onto one queue
 * under a mutex and wake the loop (lws_cancel_service); ws_loop_wake takes
 * everything queued. The loop never blocks: a snapshot is built by a worker
 * with seatmap_get, a token is checked by a worker through the dispatcher.
 *
 * Per screening with subscribers: the publications of boxoffice:seats:<id>
 * ({"screeningId","version","changes"}) are merged for 50 ms into one batch
 * (from, version, final state per seat); a flush sends each client the
 * batch as a delta from the client's own version C: skipped when version <=
 * C, sent with "from": C when the batch's from <= C (changes are final
 * states, so it takes C to version), and a gap (from > C) gets the client a
 * fresh snapshot instead. The last HISTORY batches are kept, so a client
 * whose snapshot was built before a flush catches up without a gap.
 *
 * Each client's output is its connection's buffer (http_conn_send); a
 * client with more than WS_BACKLOG_MAX bytes unsent is dropped at once.
 */
#include "ws/ws.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <libwebsockets.h>

#include "svc/seatmap.h"
#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/trace.h"
#include "core/metrics.h"
#include "core/pool.h"
#include "http/http.h"
#include "http/http_parse.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "svc/announce.h"
#include "svc/dispatch.h"
#include "ws/ws_frame.h"
#include "ws/ws_sub.h"

#define WS_MAX_SUBS 8
#define WS_BACKLOG_MAX (1u << 20)
#define MERGE_US (50 * LWS_US_PER_MS)
#define SWEEP_US (5 * LWS_US_PER_SEC)
#define HISTORY 64
#define SCREEN_BUCKETS 1024
#define GEN_BUCKETS 4096

struct sub {
	int64_t sid;
	int64_t ver;   /* the client's version; -1 while its snapshot is built */
	double t_snap; /* when its last snapshot was sent */
};

/* A gap within this long after a snapshot waits for the next batch (no snapshot storm). */
#define SNAPSHOT_MIN_S 1.0

struct ws_client {
	struct conn *c;
	struct ws_client *prev, *next; /* every client */
	struct ws_client *gnext;       /* in its gen bucket */
	uint64_t gen;
	int64_t uid; /* 0 until auth.ok */
	double last_rx;
	unsigned char nsubs, pinged, closing;
	struct sub subs[WS_MAX_SUBS];
	struct ws_reader rd;
};

struct change {
	char seat[8];
	char state[4];
};

struct batch {
	int64_t from, version;
	char *changes; /* JSON array text, malloc'd */
	size_t len;
};

struct screening {
	int64_t sid;
	struct screening *next;
	struct ws_client **subs; /* subscribers */
	size_t nsubs, cap;
	/* the batch being merged */
	int active;
	int64_t from, version;
	int64_t latest;          /* the newest version published */
	double t_due;            /* when the batch being merged goes out */
	struct screening *anext; /* in the list of active screenings */
	struct change *ch;
	size_t nch, chcap;
	lws_sorted_usec_list_t sul;
	/* flushed batches, oldest first in ring order */
	struct batch hist[HISTORY];
	unsigned hstart, hcount;
};

enum item_kind { IT_SEATS, IT_ORDER, IT_ANNOUNCE, IT_RESYNC, IT_SNAPSHOT, IT_AUTH };

/*
 * One publication on the order channel, read once by the subscriber thread
 * and shared by the item of every hub. A publication is one push: each
 * hub adds the connections it reached, and the last hub to be done records
 * the push's one span and one log line with the total (one context per
 * core must not turn one order into a span per loop).
 */
struct order_pub {
	atomic_int hubs_left; /* hubs that have not pushed it yet */
	atomic_int sent;      /* connections reached, over every hub */
	int64_t oid, uid, cashier;
	uint64_t t_recv_ns; /* when the publication came in: the span's start */
	char status_text[65];
	char traceparent[TRACE_HEADER_SIZE];
	char request_id[TRACE_REQUEST_ID_SIZE];
	char *frame; /* the order.update message, malloc'd */
};

struct item {
	enum item_kind kind;
	struct item *next;
	int hub;       /* the hub of the client it is for */
	double t_recv; /* when a publication came in (clock_s) */
	uint64_t gen;
	int64_t sid, version, uid;
	int status; /* of a worker's answer: 200, or an error's status */
	char slug[32];
	char *text; /* malloc'd */
	size_t len;
	struct order_pub *op; /* IT_ORDER: shared with the other hubs' items */
	char token[1000];
};

/* The hub of one loop: its clients, its screenings, its queue. */
struct hub {
	int idx; /* the loop's number */
	struct ws_client *clients;
	struct ws_client *gens[GEN_BUCKETS];
	uint64_t next_gen;
	struct screening *screens[SCREEN_BUCKETS];
	struct screening *active_list;
	lws_sorted_usec_list_t sweep_sul;
	pthread_mutex_t q_lock;
	struct item *q_head, *q_tail;
	int wake_pending; /* under q_lock: the loop was woken and has not taken the queue yet */
	/*
	 * 1 while the hub merges a batch: its flush timer wakes the loop within
	 * MERGE_US anyway, so seat publications are queued without a wakeup
	 * (each wakeup is a poll() over every connection of the loop).
	 */
	atomic_int merging;
	long deltas; /* sent, not yet added to deltas_sent */
};

static struct hub *hubs;
static int nhubs;
static _Thread_local struct hub *H; /* the calling loop thread's hub */
/* Totals over every hub, for /metrics. */
static atomic_long n_clients, n_subs, deltas_sent, dropped;
static int started;

static void request_snapshot(struct ws_client *w, struct sub *s);
static void ws_free_hubs(void);

/* ------------------------------------------------------------ the queue */

/* Take every queued item at once: the list's head, the queue left empty. */
static struct item *q_take_all(void)
{
	struct item *it;

	pthread_mutex_lock(&H->q_lock);
	it = H->q_head;
	H->q_head = H->q_tail = NULL;
	H->wake_pending = 0;
	pthread_mutex_unlock(&H->q_lock);
	return it;
}

/* From any thread: queue it for the hub of loop it->hub and wake that loop. */
static void ws_push(struct item *it)
{
	struct hub *h = &hubs[it->hub];
	int wake;

	it->next = NULL;
	pthread_mutex_lock(&h->q_lock);
	if (h->q_tail)
		h->q_tail->next = it;
	else
		h->q_head = it;
	h->q_tail = it;
	/* One wakeup until the loop takes the queue; none for seats while merging. */
	wake = !h->wake_pending && !(it->kind == IT_SEATS && atomic_load(&h->merging));
	if (wake)
		h->wake_pending = 1;
	pthread_mutex_unlock(&h->q_lock);
	if (wake)
		http_wake(h->idx);
}

static void order_pub_free(struct order_pub *op)
{
	if (op) {
		cJSON_free(op->frame); /* proto_json_print */
		free(op);
	}
}

/*
 * Hub done with op, having reached sent connections. The last hub records
 * the push (record 1) or, at shutdown (record 0), only frees it.
 */
static void order_pub_done(struct order_pub *op, int sent, int record)
{
	struct trace_ids parent;
	struct trace_span span;
	int total;

	atomic_fetch_add(&op->sent, sent);
	if (atomic_fetch_sub(&op->hubs_left, 1) != 1)
		return;
	total = atomic_load(&op->sent);
	if (record) {
		/* The order's trace, from the request through the consumer (svc_order.c). */
		trace_parse(op->traceparent, &parent);
		trace_span_begin(&span, "ws push " PROTO_WS_TYPE_ORDER_UPDATE, TRACE_KIND_PRODUCER,
		                 &parent, op->request_id[0] ? op->request_id : NULL);
		/* From the publication's arrival to the last hub's push. */
		if (op->t_recv_ns && op->t_recv_ns < span.start_ns)
			span.start_ns = op->t_recv_ns;
		trace_span_attr_int(&span, "boxoffice.order_id", op->oid);
		trace_span_attr_int(&span, "boxoffice.ws.recipients", total);
		log_msg_id(LOG_INFO, "order_id", op->oid,
		           "ws: order %" PRId64 " %s pushed to %d connections", op->oid,
		           op->status_text, total);
		trace_span_end(&span);
	}
	order_pub_free(op);
}

static void item_free(struct item *it)
{
	if (it->op) /* never pushed by its hub: a shutdown */
		order_pub_done(it->op, 0, 0);
	free(it->text);
	free(it);
}

/*
 * An order publication read into a struct order_pub (the subscriber's
 * thread), or NULL (a bad one is logged, once).
 */
static struct order_pub *order_pub_new(const char *text, size_t len)
{
	enum proto_err err;
	cJSON *o = proto_json_parse(text, len, &err), *out;
	struct order_pub *op = NULL;
	const char *st = "", *tp = NULL, *rid = NULL;
	int64_t oid, status;

	if (!o || proto_get_id(o, "orderId", &oid) != 1 ||
	    proto_get_int(o, "status", 0, 100, &status) != 1) {
		log_warn("ws: an order publication without orderId/status: %.200s", text);
		goto out;
	}
	op = calloc(1, sizeof(*op));
	if (!op)
		goto out;
	op->oid = oid;
	op->t_recv_ns = trace_now_ns();
	proto_get_int(o, "uid", 0, PROTO_MAX_ID, &op->uid);
	proto_get_int(o, "cashierId", 0, PROTO_MAX_ID, &op->cashier);
	proto_get_str(o, "statusText", sizeof(op->status_text) - 1, &st);
	snprintf(op->status_text, sizeof(op->status_text), "%s", st);
	proto_get_str(o, TRACE_HEADER, 128, &tp);
	/* One that does not fit is not one (a cut one could parse): no parent. */
	if (tp && strlen(tp) < sizeof(op->traceparent))
		snprintf(op->traceparent, sizeof(op->traceparent), "%s", tp);
	proto_get_str(o, "requestId", 80, &rid);
	snprintf(op->request_id, sizeof(op->request_id), "%s", rid ? rid : "");
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "type", PROTO_WS_TYPE_ORDER_UPDATE);
	cJSON_AddNumberToObject(out, "orderId", (double)oid);
	cJSON_AddNumberToObject(out, "status", (double)status);
	cJSON_AddStringToObject(out, "statusText", st);
	op->frame = proto_json_print(out);
	cJSON_Delete(out);
	if (!op->frame) {
		free(op);
		op = NULL;
	}
out:
	cJSON_Delete(o);
	return op;
}

/*
 * Called by ws_sub.c on its thread: a message of one of our channels, for
 * every loop's hub (each has clients of its own). The items are made
 * first, so that a publication reaches every hub or none.
 */
void ws_publish_in(const char *channel, const char *text, size_t len)
{
	size_t pl = strlen(PROTO_CHANNEL_SEATS);
	enum item_kind kind;
	struct item *first = NULL, *it, *next;
	struct order_pub *op = NULL;
	double now = clock_s();

	if (!strncmp(channel, PROTO_CHANNEL_SEATS, pl))
		kind = IT_SEATS;
	else if (!strcmp(channel, PROTO_CHANNEL_ORDERS))
		kind = IT_ORDER;
	else if (!strcmp(channel, PROTO_CHANNEL_ANNOUNCE))
		kind = IT_ANNOUNCE;
	else if (!strcmp(channel, "")) /* the subscriber (re)connected */
		kind = IT_RESYNC;
	else
		return;
	if (nhubs == 0)
		return;
	if (kind == IT_ORDER) {
		op = order_pub_new(text, len);
		if (!op)
			return;
		atomic_store(&op->hubs_left, nhubs);
		len = 0; /* the hubs send op->frame */
	}
	for (int i = nhubs - 1; i >= 0; i--) {
		it = calloc(1, sizeof(*it));
		if (!it)
			goto fail;
		it->next = first;
		first = it;
		it->kind = kind;
		it->hub = i;
		it->t_recv = now;
		if (len) {
			it->text = malloc(len + 1);
			if (!it->text)
				goto fail;
			memcpy(it->text, text, len);
			it->text[len] = '\0';
			it->len = len;
		}
	}
	for (it = first; it; it = next) {
		next = it->next;
		it->op = op;
		ws_push(it);
	}
	return;
fail:
	log_warn("ws: out of memory: a publication on '%s' is dropped", channel);
	for (it = first; it; it = next) {
		next = it->next;
		item_free(it);
	}
	order_pub_free(op);
}

/* ------------------------------------------------------------ tables */

static struct ws_client *gen_find(uint64_t gen)
{
	struct ws_client *w;

	for (w = H->gens[gen % GEN_BUCKETS]; w; w = w->gnext)
		if (w->gen == gen)
			return w;
	return NULL;
}

static void gen_del(struct ws_client *w)
{
	struct ws_client **pp;

	for (pp = &H->gens[w->gen % GEN_BUCKETS]; *pp; pp = &(*pp)->gnext)
		if (*pp == w) {
			*pp = w->gnext;
			return;
		}
}

static struct screening *screen_get(int64_t sid, int create)
{
	unsigned b = (unsigned)((uint64_t)sid % SCREEN_BUCKETS);
	struct screening *s;

	for (s = H->screens[b]; s; s = s->next)
		if (s->sid == sid)
			return s;
	if (!create)
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->sid = sid;
	s->next = H->screens[b];
	H->screens[b] = s;
	return s;
}

static void screen_free_if_unused(struct screening *s)
{
	struct screening **pp;

	if (s->nsubs || s->active)
		return;
	for (pp = &H->screens[(uint64_t)s->sid % SCREEN_BUCKETS]; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	for (unsigned i = 0; i < s->hcount; i++)
		free(s->hist[(s->hstart + i) % HISTORY].changes);
	free(s->subs);
	free(s->ch);
	free(s);
}

static int screen_add(struct screening *s, struct ws_client *w)
{
	if (s->nsubs == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 8;
		struct ws_client **n = realloc(s->subs, cap * sizeof(*n));
		if (!n)
			return -1;
		s->subs = n;
		s->cap = cap;
	}
	s->subs[s->nsubs++] = w;
	n_subs++;
	return 0;
}

static void screen_del(struct screening *s, struct ws_client *w)
{
	for (size_t i = 0; i < s->nsubs; i++)
		if (s->subs[i] == w) {
			s->subs[i] = s->subs[--s->nsubs];
			n_subs--;
			break;
		}
	screen_free_if_unused(s);
}

/* ------------------------------------------------------------ sending */

/* This hub's deltas sent since the last call join the process's total. */
static void deltas_commit(void)
{
	if (H && H->deltas) {
		atomic_fetch_add(&deltas_sent, H->deltas);
		H->deltas = 0;
	}
}

/* The gauges of /metrics, read when it renders (metrics_gauge_fn). */
static double g_clients(void)
{
	return (double)atomic_load(&n_clients);
}

static double g_subs(void)
{
	return (double)atomic_load(&n_subs);
}

static double g_deltas(void)
{
	return (double)atomic_load(&deltas_sent);
}

static double g_dropped(void)
{
	return (double)atomic_load(&dropped);
}

/* Drop client w (its backlog passed the cap or a send failed): always -1. */
static int drop_client(struct ws_client *w)
{
	log_info("ws: dropping client %" PRIu64 " with %zu bytes unsent", w->gen,
	         http_conn_pending(w->c));
	dropped++;
	w->closing = 1;
	http_conn_drop(w->c);
	return -1;
}

/* A frame already built (header and payload), as sent to many clients. */
static int send_built(struct ws_client *w, const char *frame, size_t n)
{
	if (w->closing)
		return -1;
	if (http_conn_send(w->c, frame, n) < 0 || http_conn_pending(w->c) > WS_BACKLOG_MAX)
		return drop_client(w);
	return 0;
}

/* Queue one frame; drops the client past the backlog cap. 0, or -1 when dropped. */
static int send_frame(struct ws_client *w, enum ws_opcode op, const char *p, size_t n)
{
	unsigned char h[10];
	size_t hl;
	char *buf;
	int rc;

	if (w->closing)
		return -1;
	hl = ws_frame_header(h, op, n);
	buf = malloc(hl + n);
	if (!buf)
		return drop_client(w);
	memcpy(buf, h, hl);
	memcpy(buf + hl, p, n);
	rc = send_built(w, buf, hl + n);
	free(buf);
	return rc;
}

static void send_text(struct ws_client *w, const char *text)
{
	send_frame(w, WS_OP_TEXT, text, strlen(text));
}

static void send_error(struct ws_client *w, const char *slug, const char *msg, const char *field)
{
	cJSON *o = cJSON_CreateObject();
	char *t;

	if (!o)
		return;
	cJSON_AddStringToObject(o, "type", PROTO_WS_TYPE_ERROR);
	cJSON_AddStringToObject(o, "error", slug);
	cJSON_AddStringToObject(o, "msg", msg);
	if (field)
		cJSON_AddStringToObject(o, "field", field);
	t = proto_json_print(o);
	cJSON_Delete(o);
	if (t)
		send_text(w, t);
	free(t);
}

/* A delta frame for screening sid, from..version with the changes array text. */
static char *build_delta(int64_t sid, int64_t from, int64_t version, const char *changes,
                         size_t clen, size_t *n)
{
	char head[160];
	unsigned char h[10];
	int hl = snprintf(head, sizeof(head),
	                  "{\"type\":\"" PROTO_WS_TYPE_SEATS_DELTA "\",\"screeningId\":%" PRId64
	                  ",\"from\":%" PRId64 ",\"version\":%" PRId64 ",\"changes\":",
	                  sid, from, version);
	size_t plen = (size_t)hl + clen + 1, fl = ws_frame_header(h, WS_OP_TEXT, plen);
	char *f = malloc(fl + plen);

	if (!f)
		return NULL;
	memcpy(f, h, fl);
	memcpy(f + fl, head, (size_t)hl);
	memcpy(f + fl + hl, changes, clen);
	f[fl + plen - 1] = '}';
	*n = fl + plen;
	return f;
}

/* Send batch b to the client's subscription s (see the top of the file). */
static void deliver(struct screening *sc, struct ws_client *w, struct sub *s, const struct batch *b,
                    const char *common, size_t common_len)
{
	if (s->ver < 0 || b->version <= s->ver)
		return;
	if (b->from > s->ver) {
		/*
		 * A gap: a fresh snapshot, unless one was just sent (then the
		 * publications themselves are out of line, e.g. versions lost
		 * with Redis; the next batch tries again).
		 */
		if (common || clock_s() - s->t_snap >= SNAPSHOT_MIN_S)
			request_snapshot(w, s);
		return;
	}
	if (b->from == s->ver && common) {
		if (send_built(w, common, common_len) < 0)
			return;
	} else {
		size_t n;
		char *f = build_delta(sc->sid, s->ver, b->version, b->changes, b->len, &n);
		if (!f || send_built(w, f, n) < 0) {
			free(f);
			return;
		}
		free(f);
	}
	s->ver = b->version;
	H->deltas++;
}

static struct sub *find_sub(struct ws_client *w, int64_t sid)
{
	for (int i = 0; i < w->nsubs; i++)
		if (w->subs[i].sid == sid)
			return &w->subs[i];
	return NULL;
}

/* ------------------------------------------------------------ merging */

static void flush(struct screening *sc)
{
	struct batch b;
	char *common;
	size_t clen = 0, cap = 2 + sc->nch * 32, n = 0;
	struct ws_client **subs;
	size_t nsubs;

	if (!sc->active)
		return;
	sc->active = 0;
	lws_sul_cancel(&sc->sul);
	for (struct screening **pp = &H->active_list; *pp; pp = &(*pp)->anext)
		if (*pp == sc) {
			*pp = sc->anext;
			break;
		}
	b.from = sc->from;
	b.version = sc->version;
	b.changes = malloc(cap);
	if (!b.changes) {
		sc->nch = 0;
		return;
	}
	b.changes[n++] = '[';
	for (size_t i = 0; i < sc->nch; i++)
		n +=
		    (size_t)snprintf(b.changes + n, cap - n, "%s{\"seat\":\"%s\",\"state\":\"%s\"}",
		                     i ? "," : "", sc->ch[i].seat, sc->ch[i].state);
	b.changes[n++] = ']';
	b.len = n;
	sc->nch = 0;
	common = build_delta(sc->sid, b.from, b.version, b.changes, b.len, &clen);
	/* Subscribers may be dropped while sending: work on a copy of the list. */
	nsubs = sc->nsubs;
	subs = malloc(nsubs * sizeof(*subs) + 1);
	if (subs) {
		memcpy(subs, sc->subs, nsubs * sizeof(*subs));
		for (size_t i = 0; i < nsubs; i++) {
			struct sub *s = find_sub(subs[i], sc->sid);
			if (s && !subs[i]->closing)
				deliver(sc, subs[i], s, &b, common, clen);
		}
		free(subs);
	}
	free(common);
	/* Keep it for clients whose snapshot is older. */
	if (sc->hcount == HISTORY) {
		free(sc->hist[sc->hstart].changes);
		sc->hstart = (sc->hstart + 1) % HISTORY;
		sc->hcount--;
	}
	sc->hist[(sc->hstart + sc->hcount) % HISTORY] = b;
	sc->hcount++;
	deltas_commit();
	screen_free_if_unused(sc);
	if (!H->active_list && atomic_load(&H->merging)) {
		/*
		 * No timer is due any more (a flush from the timer runs before
		 * lws polls, maybe for seconds): publishers wake the loop again,
		 * and one wakeup takes what they queued meanwhile.
		 */
		atomic_store(&H->merging, 0);
		http_wake(H->idx);
	}
}

static void flush_cb(lws_sorted_usec_list_t *sul)
{
	struct screening *sc = lws_container_of(sul, struct screening, sul);
	int64_t sid = sc->sid;

	/* Changes queued without a wakeup go out with this batch (taking them may flush or free
	 * sc). */
	if (atomic_load(&H->merging))
		ws_loop_wake();
	sc = screen_get(sid, 0);
	if (sc)
		flush(sc);
}

/*
 * The timer alone fires late when the loop has thousands of sockets to
 * poll; every turn of the loop also sends what is due.
 */
void ws_tick(void)
{
	double now;

	/* Publications queued without a wakeup while merging join their batch first. */
	if (atomic_load(&H->merging))
		ws_loop_wake();
	if (H->active_list) {
		now = clock_s();
		for (struct screening *sc = H->active_list, *next; sc; sc = next) {
			next = sc->anext;
			if (now >= sc->t_due)
				flush(sc);
		}
	}
	if (!H->active_list && atomic_load(&H->merging)) {
		/* Publishers wake the loop again from here on; take what came meanwhile. */
		atomic_store(&H->merging, 0);
		ws_loop_wake();
	}
	if (H->active_list)
		atomic_store(&H->merging, 1);
}

static void merge_change(struct screening *sc, const char *seat, const char *state)
{
	for (size_t i = 0; i < sc->nch; i++)
		if (!strcmp(sc->ch[i].seat, seat)) {
			snprintf(sc->ch[i].state, sizeof(sc->ch[i].state), "%s", state);
			return;
		}
	if (sc->nch == sc->chcap) {
		size_t cap = sc->chcap ? sc->chcap * 2 : 16;
		struct change *n = realloc(sc->ch, cap * sizeof(*n));
		if (!n)
			return;
		sc->ch = n;
		sc->chcap = cap;
	}
	snprintf(sc->ch[sc->nch].seat, sizeof(sc->ch[sc->nch].seat), "%s", seat);
	snprintf(sc->ch[sc->nch].state, sizeof(sc->ch[sc->nch].state), "%s", state);
	sc->nch++;
}

static void on_seats(const char *text, size_t len, double t_recv)
{
	enum proto_err err;
	cJSON *o = proto_json_parse(text, len, &err), *changes, *c;
	int64_t sid, ver;
	struct screening *sc;

	if (!o)
		goto bad;
	if (proto_get_id(o, "screeningId", &sid) != 1 || proto_get_id(o, "version", &ver) != 1 ||
	    !cJSON_IsArray(changes = cJSON_GetObjectItem(o, "changes")))
		goto bad;
	sc = screen_get(sid, 0);
	if (!sc || !sc->nsubs) {
		cJSON_Delete(o);
		return;
	}
	if (sc->active && ver <= sc->version) {
		cJSON_Delete(o); /* an old or repeated publication */
		return;
	}
	if (sc->active && ver != sc->version + 1)
		flush(sc); /* a gap: what we have goes out alone */
	if (!sc->active) {
		sc->active = 1;
		/* 50 ms from when the publication came in, however long it was queued. */
		double left = t_recv + MERGE_US / 1e6 - clock_s();
		sc->t_due = t_recv + MERGE_US / 1e6;
		sc->anext = H->active_list;
		H->active_list = sc;
		sc->from = ver - 1;
		lws_sul_schedule(http_lws_context(), 0, &sc->sul, flush_cb,
		                 left > 0 ? (lws_usec_t)(left * 1e6) : 1);
	}
	sc->version = ver;
	if (ver > sc->latest)
		sc->latest = ver;
	cJSON_ArrayForEach(c, changes)
	{
		const char *seat = NULL, *state = NULL;
		if (proto_get_str(c, "seat", 4, &seat) == 1 &&
		    proto_get_str(c, "state", 1, &state) == 1)
			merge_change(sc, seat, state);
	}
	cJSON_Delete(o);
	return;
bad:
	log_warn("ws: a seat publication that is not {screeningId, version, changes}: %.200s",
	         text);
	cJSON_Delete(o);
}

/* ------------------------------------------------------------ worker jobs */

static void snapshot_job(struct worker *wk, void *arg)
{
	struct item *it = arg;
	cJSON *v = NULL, *o;
	enum proto_err e = seatmap_get(wk, it->sid, &v);

	/*
	 * A cached snapshot older than what the hub has seen published would
	 * only bring the client a gap: build it afresh.
	 */
	if (e == PROTO_OK &&
	    (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(v, "version")) < it->version) {
		struct seatmap *m = malloc(sizeof(*m));
		cJSON_Delete(v);
		v = NULL;
		e = m ? seatmap_build(wk, it->sid, m) : PROTO_ERR_INTERNAL;
		if (e == PROTO_OK && !(v = seatmap_to_json(m)))
			e = PROTO_ERR_INTERNAL;
		free(m);
	}

	it->kind = IT_SNAPSHOT;
	if (e != PROTO_OK) {
		it->status = proto_err_status(e);
		snprintf(it->slug, sizeof(it->slug), "%s", proto_err_slug(e));
	} else {
		it->version = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(v, "version"));
		o = cJSON_CreateObject();
		if (o) {
			cJSON_AddStringToObject(o, "type", PROTO_WS_TYPE_SEATS_SNAPSHOT);
			proto_json_move_members(o, v);
			it->text = proto_json_print(o);
			cJSON_Delete(o);
		}
		it->status = it->text ? 200 : 500;
		if (!it->text)
			snprintf(it->slug, sizeof(it->slug), "internal");
	}
	cJSON_Delete(v);
	ws_push(it);
}

/* Ask a worker for a fresh snapshot of s; until it comes s->ver is -1. 0 or -1. */
static int submit_snapshot(struct ws_client *w, struct sub *s)
{
	struct item *it = calloc(1, sizeof(*it));
	struct screening *sc;

	s->ver = -1;
	if (!it)
		return -1;
	it->gen = w->gen;
	it->hub = H->idx;
	it->sid = s->sid;
	sc = screen_get(s->sid, 0);
	it->version = sc ? sc->latest : 0; /* the least version the snapshot must have */
	if (pool_submit(snapshot_job, it) < 0) {
		free(it);
		return -1;
	}
	return 0;
}

/*
 * A client needs a fresh snapshot. Without a worker for it, the client is
 * told and gets no more deltas of that screening (version -2) until it
 * subscribes again.
 */
static void request_snapshot(struct ws_client *w, struct sub *s)
{
	if (submit_snapshot(w, s) == 0)
		return;
	s->ver = -2;
	send_error(w, "unavailable", "cannot build a snapshot now: subscribe again", NULL);
}

static void auth_job(struct worker *wk, void *arg)
{
	struct item *it = arg;
	struct http_request rq;
	struct http_response rs;
	cJSON *o;

	memset(&rq, 0, sizeof(rq));
	memset(&rs, 0, sizeof(rs));
	snprintf(rq.path, sizeof(rq.path), "%s", PROTO_PATH_USER_INFO);
	snprintf(rq.request_id, sizeof(rq.request_id), "ws-auth-%" PRIu64, it->gen);
	snprintf(rq.authorization, sizeof(rq.authorization), "Bearer %s", it->token);
	rq.method = HTTP_POST;
	rq.body = "";
	rq.route = dispatch_find(rq.path);
	dispatch_run(wk, &rq, &rs);
	it->kind = IT_AUTH;
	it->status = rs.status;
	o = rs.body ? cJSON_ParseWithLength(rs.body, rs.len) : NULL;
	if (rs.status == 200) {
		cJSON *d = cJSON_GetObjectItem(o, "data");
		it->uid = (int64_t)cJSON_GetNumberValue(cJSON_GetObjectItem(d, "id"));
	} else {
		cJSON *e = cJSON_GetObjectItem(o, "error");
		snprintf(it->slug, sizeof(it->slug), "%s",
		         cJSON_IsString(e) ? e->valuestring : "unauthorized");
	}
	cJSON_Delete(o);
	free(rs.body);
	memset(it->token, 0, sizeof(it->token));
	ws_push(it);
}

/* ------------------------------------------------------------ client ops */

static void on_op(struct ws_client *w, const char *text, size_t len)
{
	struct ws_op op;
	const char *slug, *field;
	char msg[120];
	struct sub *s;
	struct screening *sc;

	if (ws_parse_op(text, len, &op, &slug, &field, msg, sizeof(msg)) < 0) {
		send_error(w, slug, msg, field);
		return;
	}
	switch (op.kind) {
	case WS_OPK_PING:
		send_text(w, "{\"type\":\"" PROTO_WS_TYPE_PONG "\"}");
		return;
	case WS_OPK_AUTH: {
		struct item *it = calloc(1, sizeof(*it));
		if (!it) {
			send_error(w, "unavailable", "try again", NULL);
			return;
		}
		it->gen = w->gen;
		it->hub = H->idx;
		snprintf(it->token, sizeof(it->token), "%s", op.token);
		if (pool_submit(auth_job, it) < 0) {
			free(it);
			send_error(w, "unavailable", "try again", NULL);
		}
		return;
	}
	case WS_OPK_SUBSCRIBE:
		s = find_sub(w, op.screening_id);
		if (s) { /* again: a fresh snapshot (how a client recovers from a gap) */
			if (s->ver != -1)
				request_snapshot(w, s);
			return;
		}
		if (w->nsubs >= WS_MAX_SUBS) {
			send_error(w, "conflict", "at most 8 subscriptions per connection", NULL);
			return;
		}
		sc = screen_get(op.screening_id, 1);
		if (!sc || screen_add(sc, w) < 0) {
			send_error(w, "unavailable", "try again", NULL);
			return;
		}
		s = &w->subs[w->nsubs++];
		s->sid = op.screening_id;
		if (submit_snapshot(w, s) < 0) {
			w->nsubs--;
			screen_del(sc, w);
			send_error(w, "unavailable", "try again", NULL);
		}
		return;
	case WS_OPK_UNSUBSCRIBE:
		s = find_sub(w, op.screening_id);
		if (!s) {
			send_error(w, "not_found", "not subscribed to this screening", NULL);
			return;
		}
		*s = w->subs[--w->nsubs];
		sc = screen_get(op.screening_id, 0);
		if (sc)
			screen_del(sc, w);
		return;
	}
}

static void on_snapshot(struct item *it)
{
	struct ws_client *w = gen_find(it->gen);
	struct sub *s = w ? find_sub(w, it->sid) : NULL;
	struct screening *sc;

	if (!w || w->closing || !s || s->ver != -1)
		return; /* gone, unsubscribed, or not waiting for one */
	if (it->status != 200) {
		send_error(w, it->slug, it->status == 404 ? "no such screening" : "try again",
		           NULL);
		*s = w->subs[--w->nsubs];
		sc = screen_get(it->sid, 0);
		if (sc)
			screen_del(sc, w);
		return;
	}
	if (send_frame(w, WS_OP_TEXT, it->text, strlen(it->text)) < 0)
		return;
	s->ver = it->version;
	s->t_snap = clock_s();
	/* Batches flushed since the snapshot was read. */
	sc = screen_get(it->sid, 0);
	if (!sc)
		return;
	for (unsigned i = 0; i < sc->hcount && s->ver >= 0 && !w->closing; i++)
		deliver(sc, w, s, &sc->hist[(sc->hstart + i) % HISTORY], NULL, 0);
}

static void on_auth(struct item *it)
{
	struct ws_client *w = gen_find(it->gen);
	char t[96];

	if (!w || w->closing)
		return;
	if (it->status != 200) {
		send_error(w, it->slug[0] ? it->slug : "unauthorized", "token refused", NULL);
		return;
	}
	w->uid = it->uid;
	snprintf(t, sizeof(t), "{\"type\":\"" PROTO_WS_TYPE_AUTH_OK "\",\"userId\":%" PRId64 "}",
	         w->uid);
	send_text(w, t);
}

/* This hub's part of an order push: the connections of its owner and cashier. */
static void on_order(struct order_pub *op)
{
	int sent = 0;

	for (struct ws_client *w = H->clients, *next; w; w = next) {
		next = w->next;
		if (w->uid > 0 && (w->uid == op->uid || w->uid == op->cashier)) {
			send_text(w, op->frame);
			sent++;
		}
	}
	order_pub_done(op, sent, 1);
}

static void on_announce(const char *text, size_t len)
{
	unsigned char h[10];
	size_t hl = ws_frame_header(h, WS_OP_TEXT, len);
	char *f = malloc(hl + len);

	if (!f)
		return;
	memcpy(f, h, hl);
	memcpy(f + hl, text, len);
	for (struct ws_client *w = H->clients, *next; w; w = next) {
		next = w->next;
		send_built(w, f, hl + len);
	}
	free(f);
}

/* After a subscriber reconnect: publications may be lost, so every subscriber gets a snapshot. */
static void on_resync(void)
{
	for (struct ws_client *w = H->clients; w; w = w->next)
		for (int i = 0; i < w->nsubs && !w->closing; i++)
			if (w->subs[i].ver != -1)
				request_snapshot(w, &w->subs[i]);
}

void ws_loop_wake(void)
{
	struct item *it, *next;

	it = q_take_all();
	for (; it; it = next) {
		next = it->next;
		switch (it->kind) {
		case IT_SEATS:
			on_seats(it->text, it->len, it->t_recv);
			break;
		case IT_ORDER:
			on_order(it->op);
			it->op = NULL;
			break;
		case IT_ANNOUNCE:
			on_announce(it->text, it->len);
			break;
		case IT_RESYNC:
			on_resync();
			break;
		case IT_SNAPSHOT:
			on_snapshot(it);
			break;
		case IT_AUTH:
			on_auth(it);
			break;
		}
		item_free(it);
	}
}

/* ------------------------------------------------------------ connections */

int ws_handshake_ok(const char *protocols, const char *key, int version)
{
	return version == 13 && key[0] &&
	       http_list_has(protocols, strlen(protocols), PROTO_WS_SUBPROTOCOL);
}

int ws_accept_key(const char *key, char *out, size_t outlen)
{
	static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	char buf[128];
	unsigned char md[20];
	int n = snprintf(buf, sizeof(buf), "%s%s", key, guid);

	if (n < 0 || (size_t)n >= sizeof(buf) || strlen(key) > 60)
		return -1;
	if (!lws_SHA1((const unsigned char *)buf, (size_t)n, md))
		return -1;
	return lws_b64_encode_string((const char *)md, 20, out, (int)outlen) < 0 ? -1 : 0;
}

struct ws_client *ws_client_new(struct conn *c, const char *remote)
{
	struct ws_client *w = calloc(1, sizeof(*w));

	(void)remote;
	if (!w)
		return NULL;
	w->c = c;
	w->gen = H->next_gen++;
	w->last_rx = clock_s();
	w->next = H->clients;
	if (H->clients)
		H->clients->prev = w;
	H->clients = w;
	w->gnext = H->gens[w->gen % GEN_BUCKETS];
	H->gens[w->gen % GEN_BUCKETS] = w;
	n_clients++;
	return w;
}

void ws_client_closed(struct ws_client *w)
{
	for (int i = 0; i < w->nsubs; i++) {
		struct screening *sc = screen_get(w->subs[i].sid, 0);
		if (sc)
			screen_del(sc, w);
	}
	if (w->prev)
		w->prev->next = w->next;
	else
		H->clients = w->next;
	if (w->next)
		w->next->prev = w->prev;
	gen_del(w);
	ws_reader_free(&w->rd);
	n_clients--;
	free(w);
}

int ws_client_rx(struct ws_client *w, const void *data, size_t len)
{
	const unsigned char *p = data;

	w->last_rx = clock_s();
	w->pinged = 0;
	while (len > 0 && !w->closing) {
		const char *msg;
		size_t used, mlen;
		enum ws_event ev = ws_read(&w->rd, p, len, &used, &msg, &mlen);

		p += used;
		len -= used;
		switch (ev) {
		case WS_EV_NONE:
			break;
		case WS_EV_TEXT:
			on_op(w, msg, mlen);
			break;
		case WS_EV_BINARY:
			send_error(w, "bad_request", "binary messages are not read", NULL);
			break;
		case WS_EV_TOO_LARGE:
			send_error(w, "too_large", "a message is at most 4 KiB", NULL);
			break;
		case WS_EV_PING:
			send_frame(w, WS_OP_PONG, msg, mlen);
			break;
		case WS_EV_PONG:
			break;
		case WS_EV_CLOSE:
			send_frame(w, WS_OP_CLOSE, "\x03\xe8", 2);
			w->closing = 1;
			http_conn_close_soon(w->c);
			return 0;
		case WS_EV_ERROR:
			send_frame(w, WS_OP_CLOSE, "\x03\xea", 2); /* 1002 protocol error */
			w->closing = 1;
			http_conn_close_soon(w->c);
			return 0;
		}
	}
	return 0;
}

int ws_client_writeable(struct ws_client *w)
{
	(void)w;
	return 0;
}

/* Every few seconds: ping the silent, drop the silent after a ping. */
static void sweep_cb(lws_sorted_usec_list_t *sul)
{
	double now = clock_s();

	(void)sul;
	for (struct ws_client *w = H->clients, *next; w; w = next) {
		next = w->next;
		if (w->closing || now - w->last_rx < WS_IDLE_S)
			continue;
		if (!w->pinged) {
			w->pinged = 1;
			send_frame(w, WS_OP_PING, "", 0);
		} else if (now - w->last_rx > 2 * WS_IDLE_S) {
			w->closing = 1;
			http_conn_drop(w->c);
		}
	}
	deltas_commit();
	lws_sul_schedule(http_lws_context(), 0, &H->sweep_sul, sweep_cb, SWEEP_US);
}

int ws_start(int loops)
{
	hubs = calloc((size_t)loops, sizeof(*hubs));
	if (!hubs)
		return -1;
	for (int i = 0; i < loops; i++) {
		hubs[i].idx = i;
		hubs[i].next_gen = 1;
		pthread_mutex_init(&hubs[i].q_lock, NULL);
	}
	nhubs = loops;
	if (ws_sub_start(cfg.redis_url) < 0) {
		ws_release();
		return -1;
	}
	started = 1;
	metrics_gauge_fn("boxoffice_ws_clients", "Connected WebSocket clients.", g_clients);
	metrics_gauge_fn("boxoffice_ws_subscriptions",
	                 "Seat-map subscriptions of WebSocket clients.", g_subs);
	metrics_gauge_fn("boxoffice_ws_deltas_sent_total", "seats.delta messages sent.", g_deltas);
	metrics_gauge_fn("boxoffice_ws_clients_dropped_total",
	                 "WebSocket clients dropped with 1 MiB unsent.", g_dropped);
	return 0;
}

void ws_loop_enter(int loop)
{
	H = loop >= 0 && loop < nhubs ? &hubs[loop] : NULL;
}

void ws_loop_begin(void)
{
	lws_sul_schedule(http_lws_context(), 0, &H->sweep_sul, sweep_cb, SWEEP_US);
}

/* Every hub's screenings and queued items (the loops have ended). */
static void ws_free_hubs(void)
{
	struct item *it, *next;

	for (int i = 0; i < nhubs; i++) {
		H = &hubs[i];
		lws_sul_cancel(&H->sweep_sul);
		H->active_list = NULL;
		for (unsigned b = 0; b < SCREEN_BUCKETS; b++)
			while (H->screens[b]) {
				struct screening *s = H->screens[b];
				lws_sul_cancel(&s->sul);
				s->nsubs = 0;
				s->active = 0;
				screen_free_if_unused(s);
			}
		it = q_take_all();
		for (; it; it = next) {
			next = it->next;
			item_free(it);
		}
	}
	H = NULL;
}

void ws_stop(void)
{
	if (!started)
		return;
	started = 0;
	ws_sub_stop();
	ws_free_hubs();
}

void ws_release(void)
{
	for (int i = 0; i < nhubs; i++)
		pthread_mutex_destroy(&hubs[i].q_lock);
	free(hubs);
	hubs = NULL;
	nhubs = 0;
	H = NULL;
}
