/*
 * flash.c: the flash-sale load generator (bench/flash.sh, tests/chaos/).
 *
 *   flash -a API_PORT[,API_PORT...] -y PAYSIM_PORT -s SCREENING -m FIRST_MOBILE -w PASSWORD
 *         [-n CUSTOMERS] [-t SALE_SECONDS] [-g DRAIN_SECONDS] [-r RAMP_MS]
 *         [-b ARRIVAL_S] [-o ACCEPTED_FILE] [-S SOLD_FILE]
 *
 * One thread, one epoll set. With several API ports (daemons sharing the
 * stack), customer i uses the (i mod n)-th for both HTTP and WebSocket.
 * Customer i (mobile FIRST_MOBILE + i, password
 * PASSWORD, accounts made beforehand) opens a WebSocket to /ws, subscribes
 * to the screening's seat map and keeps it by the rules of spec 6
 * (snapshot, deltas by version, a gap re-subscribes, a lost connection
 * reconnects and re-subscribes), logs in over its own keep-alive HTTP
 * connection (logins are started RAMP_MS apart) and authenticates its
 * WebSocket for order.update. When every customer is logged in and holds
 * a snapshot, the sale opens for all at once (or, with -b, customer i
 * arrives i * ARRIVAL_S / CUSTOMERS after the opening: the chaos suite keeps
 * its sale going while it injects faults). Each customer then wants
 * 1 + i % 4 seats and loops until it has them or the sale ends:
 *
 *   hold    /seat/hold {count} (only while its map shows a free seat;
 *           409 waits 50-250 ms and tries again)
 *   order   /order/create {holdId, items} with an idempotencyKey (a retry
 *           after a lost answer is the same order)
 *   confirm pending -> unpaid, from order.update or /order/detail polled
 *           when no update came within 2 s
 *   pay     /pay/create {oid}
 *   approve paysim POST /api/approve {payId, amount} (paysim then calls the
 *           signed /pay/callback)
 *   paid    unpaid -> paid, the same way as confirm
 *
 * A failed connection, a 5xx or a request without an answer within 15 s is
 * counted as an error of its step and retried after a backoff, so the same
 * program serves the chaos suite while parts are killed. The sale ends when
 * every sellable seat is paid (client view) or after SALE_SECONDS; then
 * purchases in flight may finish for DRAIN_SECONDS, and the program waits
 * (within the same bound) until every customer's WebSocket is live and all
 * their maps agree.
 *
 * WebSocket lag: every client notes when its map last turned each seat held.
 * At the end, for the last hold of each seat, every other client that saw
 * it held after that hold was sent counts one delivery: ws_lag = when it
 * saw it - when the holder sent /seat/hold (what a customer waits, from a
 * click to every screen showing the seat taken), ws_fanout = when it saw
 * it - when the first client saw it (the hub's spread over its clients).
 *
 * Output on stdout: one "RESULT key=value ..." line, "STEP name n= p50_ms=
 * p99_ms= max_ms=" lines, "ERROR name count" lines. ACCEPTED_FILE gets
 * "order ORDER_ID CUSTOMER" per order answered 2xx and "pay PAY_ID ORDER_ID"
 * per payment paysim approved (answered 2xx); SOLD_FILE the seats a
 * live client's map shows sold at the end, one per line, sorted. Exit 0
 * unless it could not run (bad options, no snapshot ever).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "fconn.h"
#include "proto_layout.h"
#include "stats.h"

#define NSEAT (PROTO_LAYOUT_MAX_ROWS * PROTO_LAYOUT_MAX_COLS)
#define REQ_TIMEOUT_S 15.0
#define POLL_AFTER_S 2.0
#define MAX_WANT 4

enum kind { K_API, K_PAY, K_WS };

enum state {
	ST_LOGIN,
	ST_WAIT_OPEN,
	ST_HOLD,
	ST_ORDER,
	ST_CONFIRM,
	ST_PAY,
	ST_APPROVE,
	ST_PAID,
	ST_DONE
};

static const char *const step_name[] = {"login", "wait",    "hold", "order", "confirm",
                                        "pay",   "approve", "paid", "done"};

enum ws_state { WS_CLOSED, WS_UPGRADING, WS_SNAPSHOT, WS_LIVE };

struct cust {
	int idx;
	char mobile[24];
	char token[768];
	struct fconn api, pay, ws;
	enum state st;
	double due;      /* when the next action of st is due (0: none) */
	double req_t0;   /* when the request in flight on api/pay was sent, 0: none */
	double req_sent; /* when the request just answered was sent */
	double step_t0;  /* when the current step started (latency) */
	double buy_t0;   /* when its purchase (first hold) started */
	int fails;       /* consecutive failures, for the backoff */
	int want;
	int try_k;     /* seats to ask for next: want, less after each 409 */
	double auth_t; /* when auth was last sent on the WebSocket */
	int64_t hold_id, order_id, pay_id, amount;
	int nseats;
	char seats[MAX_WANT][PROTO_SEAT_ID_SIZE];
	int seen_status; /* last order status from order.update for order_id, -1 none */
	/* WebSocket */
	enum ws_state ws_st;
	int authed, had_snapshot;
	double ws_due; /* reconnect at (0: none) */
	int64_t ver;
	unsigned char *map; /* NSEAT states */
	float *t_held;      /* per seat: when the map last turned it held, s since start */
	int nfree, nsold;
};

#define MAX_PORTS 8

static int ep, api_ports[MAX_PORTS], nports, pay_port, ncust = 2000, sale_s = 120, drain_s = 20;
static double ramp_ms = 2, arrival_s;
static int64_t sid, first_mobile;
static const char *password, *accepted_path, *sold_path;
static struct cust *cs;
static struct proto_layout layout;
static int have_layout, sellable;
static double hold_sent[NSEAT]; /* per seat: when its last hold was sent (0: never) */
static int hold_owner[NSEAT];
static double t_start, t_open, t_sold_out, t_end_sale;
static int open_now, sale_over, paid_seats, logged_in;
static long requests, ws_reconnects, ws_gaps, ws_snapshots, holds_ok, orders_ok, payments_ok;
static FILE *accepted;
static struct samples st_login = {.name = "login"}, st_hold = {.name = "hold"},
                      st_order = {.name = "order"}, st_confirm = {.name = "confirm"},
                      st_pay = {.name = "pay"}, st_approve = {.name = "approve"},
                      st_paid = {.name = "paid"}, st_buy = {.name = "purchase"},
                      st_lag = {.name = "ws_lag"}, st_fan = {.name = "ws_fanout"};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double jitter(double lo, double hi)
{
	return lo + (hi - lo) * ((double)rand() / RAND_MAX);
}

static double backoff(struct cust *c)
{
	int f = c->fails < 4 ? c->fails : 4;

	c->fails++;
	return jitter(0.1, 0.2) * (double)(1 << f);
}

/* The number m[key] as an integer, 0 when absent or not a number. */
static int64_t num(const cJSON *m, const char *key)
{
	const cJSON *v = cJSON_GetObjectItem(m, key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

static int seat_index(const char *id)
{
	int row, col;

	if (!have_layout || proto_layout_lookup(&layout, id, &row, &col, NULL) < 0)
		return -1;
	return row * PROTO_LAYOUT_MAX_COLS + col;
}

/* --- WebSocket ------------------------------------------------------------ */

static void ws_lost(struct cust *c);

static void ws_send_text(struct cust *c, const char *m, int n)
{
	if (n < 0 || fconn_ws_send(&c->ws, ep, 1, m, (size_t)n) < 0)
		ws_lost(c);
}

static void ws_subscribe(struct cust *c)
{
	char m[128];

	c->ws_st = WS_SNAPSHOT;
	ws_send_text(
	    c, m,
	    snprintf(m, sizeof(m), "{\"op\":\"subscribe\",\"screeningId\":%lld}", (long long)sid));
}

static void ws_auth(struct cust *c)
{
	char m[1024];

	if (!c->token[0] || c->ws_st < WS_SNAPSHOT || c->authed)
		return;
	c->auth_t = now_s();
	ws_send_text(c, m, snprintf(m, sizeof(m), "{\"op\":\"auth\",\"token\":\"%s\"}", c->token));
}

static void ws_connect(struct cust *c)
{
	c->ws_due = 0;
	c->authed = 0;
	if (fconn_open(&c->ws, ep) < 0 || fconn_ws_upgrade(&c->ws, ep, "/ws", "boxoffice.v1") < 0) {
		fconn_close(&c->ws, ep);
		c->ws_due = now_s() + jitter(0.2, 1.0);
		return;
	}
	c->ws_st = WS_UPGRADING;
}

static void ws_lost(struct cust *c)
{
	fconn_close(&c->ws, ep);
	c->ws_st = WS_CLOSED;
	c->ws_due = now_s() + jitter(0.2, 1.0);
	ws_reconnects++;
}

static void set_seat(struct cust *c, int i, char st, double t)
{
	char old = (char)c->map[i];

	if (old == st)
		return;
	c->nfree += (st == PROTO_STATE_FREE) - (old == PROTO_STATE_FREE);
	c->nsold += (st == PROTO_STATE_SOLD) - (old == PROTO_STATE_SOLD);
	c->map[i] = (unsigned char)st;
	if (st == PROTO_STATE_HELD)
		c->t_held[i] = (float)(t - t_start);
}

static void on_snapshot(struct cust *c, const cJSON *m)
{
	const cJSON *rows = cJSON_GetObjectItem(m, "state"), *row;
	int r = 0;

	if (!have_layout) {
		char why[128];
		if (proto_layout_from_json(&layout, cJSON_GetObjectItem(m, "layout"), why,
		                           sizeof(why)) < 0) {
			fprintf(stderr, "flash: bad layout in the snapshot: %s\n", why);
			exit(1);
		}
		have_layout = 1;
		sellable = layout.sellable;
	}
	c->ver = num(m, "version");
	memset(c->map, PROTO_STATE_NONE, NSEAT);
	c->nfree = c->nsold = 0;
	cJSON_ArrayForEach(row, rows)
	{
		const char *s = cJSON_GetStringValue(row);
		for (int k = 0; s && s[k] && k < PROTO_LAYOUT_MAX_COLS && r < PROTO_LAYOUT_MAX_ROWS;
		     k++) {
			int i = r * PROTO_LAYOUT_MAX_COLS + k;
			/* Held before this snapshot: when is not known. */
			if (s[k] == PROTO_STATE_HELD && c->map[i] != PROTO_STATE_HELD)
				c->t_held[i] = -1;
			c->map[i] = (unsigned char)s[k];
			c->nfree += s[k] == PROTO_STATE_FREE;
			c->nsold += s[k] == PROTO_STATE_SOLD;
		}
		r++;
	}
	c->had_snapshot = 1;
	c->ws_st = WS_LIVE;
	ws_snapshots++;
	ws_auth(c);
}

static void on_delta(struct cust *c, const cJSON *m, double t)
{
	int64_t from = num(m, "from");
	int64_t ver = num(m, "version");
	const cJSON *ch;

	if (c->ws_st != WS_LIVE || ver <= c->ver)
		return;
	if (from > c->ver) {
		ws_gaps++;
		ws_subscribe(c);
		return;
	}
	cJSON_ArrayForEach(ch, cJSON_GetObjectItem(m, "changes"))
	{
		const char *seat = cJSON_GetStringValue(cJSON_GetObjectItem(ch, "seat"));
		const char *st = cJSON_GetStringValue(cJSON_GetObjectItem(ch, "state"));
		int i = seat ? seat_index(seat) : -1;
		if (i >= 0 && st && st[0])
			set_seat(c, i, st[0], t);
	}
	c->ver = ver;
}

static void order_status(struct cust *c, int status);

static void on_ws_text(struct cust *c, const char *p, size_t n, double t)
{
	cJSON *m = cJSON_ParseWithLength(p, n);
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItem(m, "type"));

	if (!type) {
		errors_count("ws:bad_message");
	} else if (!strcmp(type, "seats.delta")) {
		on_delta(c, m, t);
	} else if (!strcmp(type, "seats.snapshot")) {
		on_snapshot(c, m);
	} else if (!strcmp(type, "order.update")) {
		int64_t oid = num(m, "orderId");
		if (oid && oid == c->order_id) {
			c->seen_status = (int)num(m, "status");
			order_status(c, c->seen_status);
		}
	} else if (!strcmp(type, "auth.ok")) {
		c->authed = 1;
	} else if (!strcmp(type, "error")) {
		const char *e = cJSON_GetStringValue(cJSON_GetObjectItem(m, "error"));
		errors_count("ws:%s", e ? e : "?");
	}
	cJSON_Delete(m);
}

static void on_ws_readable(struct cust *c)
{
	double t = now_s();
	int op;
	const char *p;
	size_t n, total;

	if (fconn_fill(&c->ws) < 0) {
		ws_lost(c);
		return;
	}
	if (c->ws_st == WS_UPGRADING) {
		int up = fconn_ws_upgraded(&c->ws);
		if (up < 0) {
			errors_count("ws:refused");
			ws_lost(c);
			return;
		}
		if (!up)
			return;
		ws_subscribe(c);
	}
	while (c->ws.fd >= 0 && fconn_ws_frame(&c->ws, &op, &p, &n, &total) == 1) {
		if (op == 1)
			on_ws_text(c, p, n, t);
		else if (op == 9 && fconn_ws_send(&c->ws, ep, 10, p, n) < 0)
			op = 8;
		if (op == 8) {
			ws_lost(c);
			return;
		}
		fconn_consume(&c->ws, total);
	}
}

/* --- HTTP steps ------------------------------------------------------------- */

static int api_post(struct cust *c, struct fconn *k, const char *path, const char *body)
{
	if (k->fd < 0 && fconn_open(k, ep) < 0)
		return -1;
	if (fconn_http_post(k, ep, path, k->kind == K_API ? c->token : NULL, body) < 0) {
		fconn_close(k, ep);
		return -1;
	}
	c->req_t0 = now_s();
	requests++;
	return 0;
}

static void retry(struct cust *c, const char *why)
{
	errors_count("%s:%s", step_name[c->st], why);
	c->req_t0 = 0;
	c->due = now_s() + backoff(c);
}

static void go(struct cust *c, enum state st, double due)
{
	c->st = st;
	c->due = due;
	c->step_t0 = now_s();
}

/* Start the action of c's state now (its timer came due). */
static void act(struct cust *c)
{
	char body[512];
	int rc = 0;

	c->due = 0;
	switch (c->st) {
	case ST_LOGIN:
		snprintf(body, sizeof(body), "{\"mobile\":\"%s\",\"password\":\"%s\"}", c->mobile,
		         password);
		c->step_t0 = now_s();
		rc = api_post(c, &c->api, "/user/login", body);
		break;
	case ST_HOLD: {
		int k = c->try_k < c->nfree ? c->try_k : c->nfree;
		if (sale_over || c->ws_st != WS_LIVE || k <= 0) {
			c->due = sale_over ? 0 : now_s() + jitter(0.1, 0.3);
			return;
		}
		snprintf(body, sizeof(body), "{\"screeningId\":%lld,\"count\":%d}", (long long)sid,
		         k);
		if (!c->buy_t0)
			c->buy_t0 = now_s();
		c->step_t0 = now_s();
		rc = api_post(c, &c->api, "/seat/hold", body);
		break;
	}
	case ST_ORDER: {
		int n = snprintf(body, sizeof(body),
		                 "{\"holdId\":%lld,\"idempotencyKey\":\"f%d-%lld\","
		                 "\"items\":[",
		                 (long long)c->hold_id, c->idx, (long long)c->hold_id);
		for (int i = 0; i < c->nseats; i++)
			n += snprintf(body + n, sizeof(body) - (size_t)n, "%s{\"seat\":\"%s\"}",
			              i ? "," : "", c->seats[i]);
		snprintf(body + n, sizeof(body) - (size_t)n, "]}");
		rc = api_post(c, &c->api, "/order/create", body);
		break;
	}
	case ST_CONFIRM:
	case ST_PAID:
		if (c->seen_status >= 0 && c->seen_status != 4 &&
		    !(c->st == ST_PAID && c->seen_status == 0)) {
			order_status(c, c->seen_status);
			return;
		}
		snprintf(body, sizeof(body), "{\"id\":%lld}", (long long)c->order_id);
		rc = api_post(c, &c->api, "/order/detail", body);
		break;
	case ST_PAY:
		snprintf(body, sizeof(body), "{\"oid\":%lld}", (long long)c->order_id);
		rc = api_post(c, &c->api, "/pay/create", body);
		break;
	case ST_APPROVE:
		snprintf(body, sizeof(body), "{\"payId\":%lld,\"amount\":%lld}",
		         (long long)c->pay_id, (long long)c->amount);
		rc = api_post(c, &c->pay, "/api/approve", body);
		break;
	default:
		return;
	}
	if (rc < 0)
		retry(c, "connect");
}

static void back_to_hold(struct cust *c, double delay)
{
	c->hold_id = c->order_id = c->pay_id = 0;
	c->seen_status = -1;
	go(c, ST_HOLD, now_s() + delay);
}

/* The order's status became known (order.update or /order/detail). */
static void order_status(struct cust *c, int status)
{
	double t = now_s();

	if (c->req_t0) /* a request is in flight: act() looks at seen_status when it is back */
		return;
	if (c->st == ST_CONFIRM) {
		if (status == 0) {
			samples_add(&st_confirm, (t - c->step_t0) * 1000.0);
			go(c, ST_PAY, t);
		} else if (status == 2 || status == 3) {
			errors_count("confirm:order_invalid");
			back_to_hold(c, 0);
		} else {
			c->due = t + 1.0;
		}
	} else if (c->st == ST_PAID) {
		if (status == 1) {
			samples_add(&st_paid, (t - c->step_t0) * 1000.0);
			samples_add(&st_buy, (t - c->buy_t0) * 1000.0);
			paid_seats += c->nseats;
			payments_ok++;
			go(c, ST_DONE, 0);
			if (paid_seats >= sellable && !t_sold_out)
				t_sold_out = t;
		} else if (status == 2 || status == 3) {
			errors_count("paid:order_%s", status == 2 ? "invalid" : "refunded");
			back_to_hold(c, 0);
		} else {
			c->due = t + 1.0;
		}
	}
}

/* The error slug of an answer, or for 409 conflict its reason ("conflict/no_seats"). */
static const char *slug(const cJSON *m)
{
	static char buf[64];
	const char *s = cJSON_GetStringValue(cJSON_GetObjectItem(m, "error"));
	const char *why =
	    cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "data"), "reason"));

	if (!s)
		return "none";
	if (!why)
		return s;
	snprintf(buf, sizeof(buf), "%s/%s", s, why);
	return buf;
}

static int64_t data_num(const cJSON *m, const char *key)
{
	return num(cJSON_GetObjectItem(m, "data"), key);
}

/* A complete answer to c's request in flight. */
static void on_answer(struct cust *c, int status, const char *body, size_t blen)
{
	double t = now_s(), ms = (t - c->req_t0) * 1000.0;
	cJSON *m = cJSON_ParseWithLength(body, blen), *d = cJSON_GetObjectItem(m, "data");

	c->req_sent = c->req_t0;
	c->req_t0 = 0;
	if (status >= 500 || status == 429 || (status == 200 && !m)) {
		retry(c, status == 200 ? "bad_json" : status == 429 ? "429" : "5xx");
		goto out;
	}
	switch (c->st) {
	case ST_LOGIN: {
		const char *tok = cJSON_GetStringValue(cJSON_GetObjectItem(d, "accessToken"));
		if (status != 200 || !tok || strlen(tok) >= sizeof(c->token)) {
			retry(c, slug(m));
			break;
		}
		samples_add(&st_login, ms);
		strcpy(c->token, tok);
		logged_in++;
		c->fails = 0;
		ws_auth(c);
		go(c, open_now ? ST_HOLD : ST_WAIT_OPEN, open_now ? t : 0);
		break;
	}
	case ST_HOLD: {
		const cJSON *seat;
		samples_add(&st_hold, ms);
		if (status != 200) {
			errors_count("hold:%d:%s", status, slug(m));
			/* Fewer seats may still be had (no longer side by side). */
			if (status == 409 && c->try_k > 1)
				c->try_k--;
			c->due = t + jitter(0.05, 0.25);
			break;
		}
		holds_ok++;
		c->fails = 0;
		c->hold_id = data_num(m, "holdId");
		c->nseats = 0;
		cJSON_ArrayForEach(seat, cJSON_GetObjectItem(d, "seats"))
		{
			const char *id = cJSON_GetStringValue(seat);
			int i = id ? seat_index(id) : -1;
			if (!id || c->nseats == MAX_WANT)
				continue;
			snprintf(c->seats[c->nseats++], PROTO_SEAT_ID_SIZE, "%s", id);
			if (i < 0)
				continue;
			hold_sent[i] = c->req_sent;
			hold_owner[i] = c->idx;
		}
		go(c, ST_ORDER, t);
		break;
	}
	case ST_ORDER:
		samples_add(&st_order, ms);
		if (status == 200) {
			orders_ok++;
			c->fails = 0;
			c->order_id = data_num(m, "id");
			c->amount = data_num(m, "amount");
			c->seen_status = -1;
			if (accepted)
				fprintf(accepted, "order %lld %d\n", (long long)c->order_id,
				        c->idx);
			go(c, ST_CONFIRM, t + POLL_AFTER_S);
		} else {
			errors_count("order:%d:%s", status, slug(m));
			back_to_hold(c, 0);
		}
		break;
	case ST_CONFIRM:
	case ST_PAID:
		if (status != 200) {
			retry(c, slug(m));
			break;
		}
		c->fails = 0;
		order_status(c, (int)data_num(m, "status"));
		break;
	case ST_PAY:
		samples_add(&st_pay, ms);
		if (status != 200) {
			/* 409: a pay of this order is live (an answer lost): give the order up. */
			errors_count("pay:%d:%s", status, slug(m));
			fprintf(stderr, "flash: customer %d: /pay/create of order %lld: %d %.*s\n",
			        c->idx, (long long)c->order_id, status, (int)blen, body);
			back_to_hold(c, 0);
			break;
		}
		c->fails = 0;
		c->pay_id = data_num(m, "id");
		c->amount = data_num(m, "amount");
		go(c, ST_APPROVE, t);
		break;
	case ST_APPROVE:
		samples_add(&st_approve, ms);
		if (status != 200) {
			retry(c, slug(m));
			break;
		}
		c->fails = 0;
		if (accepted)
			fprintf(accepted, "pay %lld %lld\n", (long long)c->pay_id,
			        (long long)c->order_id);
		go(c, ST_PAID, t + POLL_AFTER_S);
		if (c->seen_status == 1)
			order_status(c, 1);
		break;
	default:
		break;
	}
out:
	cJSON_Delete(m);
}

static void on_http_readable(struct cust *c, struct fconn *k)
{
	int status;
	const char *body;
	size_t blen, total;
	int rc;

	if (fconn_fill(k) < 0) {
		fconn_close(k, ep);
		if (c->req_t0)
			retry(c, "net");
		return;
	}
	while ((rc = fconn_http_answer(k, &status, &body, &blen, &total)) == 1) {
		if (!c->req_t0) {
			fconn_consume(k, total);
			continue;
		}
		on_answer(c, status, body, blen);
		fconn_consume(k, total);
		if (k->fd >= 0 && c->due && c->due <= now_s())
			act(c);
	}
	if (rc < 0) {
		fconn_close(k, ep);
		if (c->req_t0)
			retry(c, "bad_http");
	}
}

/* --- the loop ----------------------------------------------------------------- */

static void on_event(struct fconn *k, uint32_t events)
{
	struct cust *c = k->owner;

	if (events & EPOLLOUT && fconn_flush(k, ep) < 0)
		events |= EPOLLERR;
	if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
		if (k->kind == K_WS)
			on_ws_readable(c);
		else
			on_http_readable(c, k);
	}
}

static void tick(double t)
{
	int all_ready = 1;

	for (int i = 0; i < ncust; i++) {
		struct cust *c = &cs[i];

		if (c->ws_st == WS_CLOSED && c->ws_due && t >= c->ws_due)
			ws_connect(c);
		/* An auth answered with an error (503 while a part was down): again. */
		if (c->ws_st == WS_LIVE && c->token[0] && !c->authed && t - c->auth_t > 2)
			ws_auth(c);
		if (c->req_t0 && t - c->req_t0 > REQ_TIMEOUT_S) {
			fconn_close(c->st == ST_APPROVE ? &c->pay : &c->api, ep);
			retry(c, "timeout");
		}
		if (!c->req_t0 && c->due && t >= c->due)
			act(c);
		if (c->st == ST_LOGIN || c->ws_st != WS_LIVE || !c->authed)
			all_ready = 0;
	}
	if (!open_now && (all_ready || t - t_start > 120)) {
		open_now = 1;
		t_open = t;
		for (int i = 0; i < ncust; i++)
			if (cs[i].st == ST_WAIT_OPEN)
				go(&cs[i], ST_HOLD,
				   t + jitter(0, 0.05) + arrival_s * (double)i / (double)ncust);
	}
	if (open_now && !sale_over &&
	    ((sellable && paid_seats >= sellable) || t - t_open > sale_s)) {
		sale_over = 1;
		t_end_sale = t;
	}
}

/* The lag samples (see the top of the file), from every client's t_held. */
static void ws_lags(void)
{
	for (int i = 0; i < NSEAT; i++) {
		float first = -1, sent = (float)(hold_sent[i] - t_start);

		if (!hold_sent[i])
			continue;
		for (int k = 0; k < ncust; k++)
			if (k != hold_owner[i] && cs[k].t_held[i] >= sent &&
			    (first < 0 || cs[k].t_held[i] < first))
				first = cs[k].t_held[i];
		for (int k = 0; k < ncust && first >= 0; k++)
			if (k != hold_owner[i] && cs[k].t_held[i] >= sent) {
				samples_add(&st_lag, (cs[k].t_held[i] - sent) * 1000.0);
				samples_add(&st_fan, (cs[k].t_held[i] - first) * 1000.0);
			}
	}
}

/*
 * 1 when every customer's map is live, equal to the first one's, and shows
 * at least the seats the customers saw paid (the last deltas are in).
 */
static int maps_agree(void)
{
	for (int i = 0; i < ncust; i++)
		if (cs[i].ws_st != WS_LIVE || memcmp(cs[i].map, cs[0].map, NSEAT))
			return 0;
	return cs[0].nsold >= paid_seats;
}

/* No purchase in flight any more (all done, waiting to hold, or never started). */
static int settled(void)
{
	for (int i = 0; i < ncust; i++)
		if (cs[i].st != ST_DONE && cs[i].st != ST_HOLD && cs[i].st != ST_WAIT_OPEN &&
		    cs[i].st != ST_LOGIN)
			return 0;
	return 1;
}

static int write_sold(const char *path, const struct cust *c)
{
	FILE *f = fopen(path, "w");
	char id[PROTO_SEAT_ID_SIZE];

	if (!f)
		return -1;
	for (int r = 0; r < layout.nrows; r++)
		for (int n = 1; n <= layout.nseats[r]; n++)
			if (c->map[r * PROTO_LAYOUT_MAX_COLS + layout.col[r][n]] ==
			        PROTO_STATE_SOLD &&
			    proto_seat_format(r, n, id) == 0)
				fprintf(f, "%s\n", id);
	return fclose(f);
}

/* One option but -a: its value into its variable. Returns 0, or -1 for an unknown option. */
static int set_option(int opt, char *arg)
{
	static const struct {
		int opt;
		char type; /* i int, l int64, d double, s string */
		void *dst;
	} table[] = {{'y', 'i', &pay_port},      {'s', 'l', &sid},      {'m', 'l', &first_mobile},
	             {'w', 's', &password},      {'n', 'i', &ncust},    {'t', 'i', &sale_s},
	             {'g', 'i', &drain_s},       {'r', 'd', &ramp_ms},  {'b', 'd', &arrival_s},
	             {'o', 's', &accepted_path}, {'S', 's', &sold_path}};

	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		if (table[i].opt != opt)
			continue;
		if (table[i].type == 'i')
			*(int *)table[i].dst = atoi(arg);
		else if (table[i].type == 'l')
			*(int64_t *)table[i].dst = atoll(arg);
		else if (table[i].type == 'd')
			*(double *)table[i].dst = atof(arg);
		else
			*(const char **)table[i].dst = arg;
		return 0;
	}
	return -1;
}

static void usage(void)
{
	fprintf(
	    stderr,
	    "usage: flash -a API_PORT[,API_PORT...] -y PAYSIM_PORT -s SCREENING -m FIRST_MOBILE "
	    "-w PASSWORD [-n CUSTOMERS] [-t SALE_S] [-g DRAIN_S] [-r RAMP_MS] [-b ARRIVAL_S] "
	    "[-o ACCEPTED_FILE] [-S SOLD_FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct epoll_event evs[512];
	double t, t_drain_end = 0;
	int opt, agree = 0, ws_live = 0;
	char sold_out[32] = "none";
	long errs;

	while ((opt = getopt(argc, argv, "a:y:s:m:w:n:t:g:r:b:o:S:")) != -1) {
		if (opt == 'a') {
			for (char *p = optarg; *p && nports < MAX_PORTS; p += *p == ',')
				api_ports[nports++] = (int)strtol(p, &p, 10);
		} else if (set_option(opt, optarg) < 0) {
			usage();
		}
	}
	if (!nports || !api_ports[0] || !pay_port || !sid || !first_mobile || !password ||
	    ncust < 1 || ncust > 60000)
		usage();
	if (accepted_path && !(accepted = fopen(accepted_path, "w"))) {
		fprintf(stderr, "flash: cannot write '%s': %s\n", accepted_path, strerror(errno));
		return 1;
	}
	/* Read while the sale runs (tests/chaos/run.sh waits for progress). */
	if (accepted)
		setvbuf(accepted, NULL, _IOLBF, 0);
	srand((unsigned)getpid());
	ep = epoll_create1(EPOLL_CLOEXEC);
	cs = calloc((size_t)ncust, sizeof(*cs));
	if (ep < 0 || !cs)
		return 1;
	t_start = now_s();
	for (int i = 0; i < ncust; i++) {
		struct cust *c = &cs[i];
		/* Customers come from 127.1.0.1, 127.1.0.2, ...: per-address limits see people. */
		uint32_t src = (127u << 24 | 1u << 16) + 1u + (uint32_t)i;

		c->idx = i;
		c->want = c->try_k = 1 + i % MAX_WANT;
		c->seen_status = -1;
		snprintf(c->mobile, sizeof(c->mobile), "%lld", (long long)(first_mobile + i));
		fconn_init(&c->api, api_ports[i % nports], src, K_API, c);
		fconn_init(&c->pay, pay_port, src, K_PAY, c);
		fconn_init(&c->ws, api_ports[i % nports], src, K_WS, c);
		c->map = malloc(NSEAT);
		c->t_held = calloc(NSEAT, sizeof(*c->t_held));
		if (!c->map || !c->t_held)
			return 1;
		memset(c->map, PROTO_STATE_NONE, NSEAT);
		c->ws_due = t_start + (double)i * ramp_ms / 1000.0;
		go(c, ST_LOGIN, t_start + (double)i * ramp_ms / 1000.0);
	}
	for (;;) {
		int k = epoll_wait(ep, evs, 512, 5);

		for (int i = 0; i < k; i++)
			on_event(evs[i].data.ptr, evs[i].events);
		t = now_s();
		tick(t);
		if (!sale_over)
			continue;
		if (!t_drain_end)
			t_drain_end = t + drain_s;
		if (settled() && (agree = maps_agree()))
			break;
		if (t > t_drain_end)
			break;
	}
	for (int i = 0; i < ncust; i++)
		ws_live += cs[i].ws_st == WS_LIVE;
	agree = maps_agree();
	if (!have_layout) {
		fprintf(stderr, "flash: no snapshot ever arrived\n");
		return 1;
	}
	if (sold_path) {
		int i = 0;
		while (i < ncust - 1 && cs[i].ws_st != WS_LIVE)
			i++;
		if (write_sold(sold_path, &cs[i]) < 0)
			fprintf(stderr, "flash: cannot write '%s'\n", sold_path);
	}
	if (accepted)
		fclose(accepted);
	ws_lags();
	if (t_sold_out)
		snprintf(sold_out, sizeof(sold_out), "%.2f", t_sold_out - t_open);
	printf("RESULT customers=%d sellable=%d paid_seats=%d payments=%ld holds=%ld orders=%ld "
	       "requests=%ld open_after_s=%.2f sold_out_s=%s sale_s=%.2f ws_live=%d "
	       "ws_maps_agree=%d ws_sold=%d ws_deliveries=%zu ws_lag_p50_ms=%.1f "
	       "ws_lag_p99_ms=%.1f ws_lag_max_ms=%.1f ws_reconnects=%ld ws_gaps=%ld "
	       "ws_snapshots=%ld settled=%d\n",
	       ncust, sellable, paid_seats, payments_ok, holds_ok, orders_ok, requests,
	       t_open - t_start, sold_out, t_end_sale - t_open, ws_live, agree, cs[0].nsold,
	       st_lag.n, samples_pct(&st_lag, 0.5), samples_pct(&st_lag, 0.99),
	       samples_pct(&st_lag, 1), ws_reconnects, ws_gaps, ws_snapshots, settled());
	samples_print(&st_login, stdout);
	samples_print(&st_hold, stdout);
	samples_print(&st_order, stdout);
	samples_print(&st_confirm, stdout);
	samples_print(&st_pay, stdout);
	samples_print(&st_approve, stdout);
	samples_print(&st_paid, stdout);
	samples_print(&st_buy, stdout);
	samples_print(&st_lag, stdout);
	samples_print(&st_fan, stdout);
	errs = errors_print(stdout);
	printf("ERRORS_TOTAL %ld\n", errs);
	for (int i = 0; i < ncust; i++) {
		fconn_release(&cs[i].api, ep);
		fconn_release(&cs[i].pay, ep);
		fconn_release(&cs[i].ws, ep);
		free(cs[i].map);
		free(cs[i].t_held);
	}
	free(cs);
	close(ep);
	return 0;
}
