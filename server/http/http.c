/*
 * http.c: see http.h. The only file (with ws/) that includes libwebsockets.
 *
 * libwebsockets accepts every connection as a raw socket (listen_accept_role
 * "raw-skt") and this file speaks HTTP/1.1 itself, with the parser of
 * http_parse.c: libwebsockets 4.1.6's own HTTP server answers garbage, TRACE
 * and oversized heads with its HTML page or a closed socket, drops answers
 * when bytes follow a body, restarts its timeout with every chunk and accepts
 * a WebSocket upgrade on any path. Here every request that is read gets its
 * answer in the envelope, in order, before any close.
 *
 * Each connection (struct conn, lws' per-session data) reads a head, then
 * its body into a buffer that grows as bytes arrive, runs the request on a
 * worker or answers at once, writes the answer and goes on with the bytes
 * already received (pipelining). Every request gets a fresh 64-bit id; the
 * worker's answer finds its connection again by that id, so an answer for a
 * client that has gone (or moved on) is dropped instead of written to a stale
 * wsi.
 *
 * Time limits (lws_set_timeout, which closes): request_timeout from the first
 * byte of a request (or from the accept) to its last byte, whatever the
 * pace; IDLE_S between requests of a kept-alive connection; WAIT_S for a
 * worker's answer; request_timeout again for the client to read the answer.
 */
#include "http/http.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <libwebsockets.h>

#include "core/clock.h"
#include "core/config.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/pool.h"
#include "core/thread_role.h"
#include "core/trace.h"
#include "http/http_parse.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "svc/dispatch.h"
#include "ws/ws.h"

#define ID_BUCKETS 4096
#define WRITE_CHUNK 65536
#define IDLE_S 5   /* keep-alive: seconds between two requests */
#define WAIT_S 120 /* seconds a worker may take */
/* Bytes kept for a connection that pipelines while its answer is pending. */
#define IN_CAP (HTTP_MAX_HEAD + PROTO_MAX_BODY)
#define STATIC_MAX (16u << 20)

enum conn_state {
	ST_HEAD,    /* reading a head (or idle) */
	ST_BODY,    /* reading the body of a request to run */
	ST_DISCARD, /* reading a body nobody needs, then answering */
	ST_WAIT,    /* a worker runs the request */
	ST_WS,      /* upgraded: ws/ owns the bytes */
	ST_DEAD     /* answered with close: ignore what comes */
};

enum action { ACT_NONE, ACT_RUN, ACT_STATIC, ACT_ERROR };

struct conn {
	struct lws *wsi;
	uint64_t id;
	struct conn *next; /* in its id bucket */
	unsigned char in_table, state, rx_off, req_armed, head_only, close_after, action;
	unsigned char proto_err;
	char *in; /* received, not yet consumed */
	size_t in_len, in_cap;
	struct http_request *rq; /* the request being read */
	size_t expected;         /* body bytes still to come */
	char *out;               /* to write */
	size_t out_len, out_off;
	struct ws_client *ws;
};

struct job {
	struct http_request rq;
	struct http_response resp;
	int head_only;
	struct job *next;
};

static struct lws_context *ctx;
static struct conn *buckets[ID_BUCKETS];
static uint64_t next_id = 1;
static atomic_int stop_requested;
/*
 * ctx is published by the main thread and read by the signal thread
 * (http_request_stop): both under ctx_lock, so the signal thread never sees
 * a half-made or destroyed context.
 */
static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static int draining;
static long in_flight;

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static struct job *done_head, *done_tail;

static unsigned char wbuf[LWS_PRE + WRITE_CHUNK];

static void process(struct conn *c);
static int http_ws_upgrade(struct conn *c, const struct http_head *h);

static void table_add(struct conn *c)
{
	unsigned b = (unsigned)(c->id % ID_BUCKETS);

	c->next = buckets[b];
	buckets[b] = c;
	c->in_table = 1;
}

static void table_del(struct conn *c)
{
	struct conn **pp;

	if (!c->in_table)
		return;
	for (pp = &buckets[c->id % ID_BUCKETS]; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->in_table = 0;
}

static struct conn *table_find(uint64_t id)
{
	struct conn *c;

	for (c = buckets[id % ID_BUCKETS]; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static void rq_free(struct conn *c)
{
	if (c->rq) {
		free(c->rq->body);
		free(c->rq);
		c->rq = NULL;
	}
}

static void arm(struct conn *c, int secs)
{
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, secs);
}

/* Called on a worker thread: run the request, queue the answer, wake the loop. */
static void job_run(struct worker *w, void *arg)
{
	struct job *j = arg;
	int wake;

	dispatch_run(w, &j->rq, &j->resp);
	free(j->rq.body);
	j->rq.body = NULL;
	pthread_mutex_lock(&done_lock);
	/* Only the first answer of a batch wakes the loop; it drains them all. */
	wake = done_head == NULL;
	if (done_tail)
		done_tail->next = j;
	else
		done_head = j;
	done_tail = j;
	pthread_mutex_unlock(&done_lock);
	if (wake)
		lws_cancel_service(ctx);
}

static int valid_request_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.:", *s))
			return 0;
	return 1;
}

/* Append n bytes to the connection's output and ask for a writable callback. */
int http_conn_send(struct conn *c, const void *data, size_t n)
{
	size_t pending = c->out_len - c->out_off;
	char *o;

	if (c->out_off && c->out_off == c->out_len) {
		free(c->out);
		c->out = NULL;
		c->out_len = c->out_off = 0;
		pending = 0;
	}
	o = realloc(c->out, c->out_len + n);
	if (!o)
		return -1;
	memcpy(o + c->out_len, data, n);
	c->out = o;
	c->out_len += n;
	if (pending == 0)
		lws_callback_on_writable(c->wsi);
	return 0;
}

size_t http_conn_pending(const struct conn *c)
{
	return c->out_len - c->out_off;
}

static const char *reason_of(int status)
{
	switch (status) {
	case 200:
		return "OK";
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 409:
		return "Conflict";
	case 410:
		return "Gone";
	case 411:
		return "Length Required";
	case 413:
		return "Content Too Large";
	case 414:
		return "URI Too Long";
	case 415:
		return "Unsupported Media Type";
	case 429:
		return "Too Many Requests";
	case 431:
		return "Request Header Fields Too Large";
	case 500:
		return "Internal Server Error";
	case 503:
		return "Service Unavailable";
	default:
		return "Status";
	}
}

/* Queue a whole answer (head, and body unless head_only). */
static int respond(struct conn *c, const struct http_response *r, int head_only, const char *cache)
{
	char h[1024];
	int n;

	n = snprintf(h, sizeof(h),
	             "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
	             "X-Request-Id: %s\r\nCache-Control: %s\r\n",
	             r->status, reason_of(r->status), r->ctype ? r->ctype : "application/json",
	             r->len, r->request_id, cache);
	if (r->traceparent[0])
		n +=
		    snprintf(h + n, sizeof(h) - (size_t)n, TRACE_HEADER ": %s\r\n", r->traceparent);
	if (r->retry_after > 0)
		n += snprintf(h + n, sizeof(h) - (size_t)n, "Retry-After: %d\r\n", r->retry_after);
	if (r->allow)
		n += snprintf(h + n, sizeof(h) - (size_t)n, "Allow: %s\r\n", r->allow);
	if (r->close || c->close_after)
		n += snprintf(h + n, sizeof(h) - (size_t)n, "Connection: close\r\n");
	n += snprintf(h + n, sizeof(h) - (size_t)n, "\r\n");
	if (r->close)
		c->close_after = 1;
	if (http_conn_send(c, h, (size_t)n) < 0)
		return -1;
	if (!head_only && r->len && http_conn_send(c, r->body, r->len) < 0)
		return -1;
	arm(c, (int)cfg.request_timeout);
	return 0;
}

/*
 * Answer an error from the loop thread (no worker involved). reason (a
 * static label: "queue_full", "draining", ...) goes to /metrics
 * (boxoffice_transport_answers_total) and, for a 5xx, to the log with the
 * request id.
 */
static int answer_error(struct conn *c, enum proto_err e, const char *rid, int close_after,
                        const char *reason)
{
	struct http_response r;
	int rc;

	memset(&r, 0, sizeof(r));
	dispatch_error(e, rid, &r);
	if (c->rq)
		trace_format(&c->rq->trace, r.traceparent);
	metrics_transport_answer(reason, r.status);
	if (r.status >= 500)
		log_warn("request %s answered %d by the transport: %s", rid, r.status, reason);
	else
		log_debug("request %s answered %d by the transport: %s", rid, r.status, reason);
	r.close = close_after;
	if (e == PROTO_ERR_METHOD_NOT_ALLOWED)
		r.allow = (c->rq && c->rq->route) ? "POST" : "GET";
	metrics_observe("other", r.status, 0);
	rc = respond(c, &r, c->head_only, "no-store");
	free(r.body);
	if (close_after)
		c->state = ST_DEAD;
	return rc;
}

static const char *mime_of(const char *path)
{
	static const struct {
		const char *ext, *mime;
	} types[] = {{".html", "text/html; charset=utf-8"},
	             {".js", "text/javascript; charset=utf-8"},
	             {".css", "text/css; charset=utf-8"},
	             {".svg", "image/svg+xml"},
	             {".png", "image/png"},
	             {".ico", "image/x-icon"},
	             {".json", "application/json"},
	             {".txt", "text/plain; charset=utf-8"}};
	const char *dot = strrchr(path, '.');
	size_t i;

	if (dot)
		for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (!strcmp(dot, types[i].ext))
				return types[i].mime;
	return "application/octet-stream";
}

/* The file under web_root for GET / and /static/..., or 0. */
static int static_path(const char *uri, char *path, size_t len)
{
	struct stat st;
	int n;

	if (strcmp(uri, "/") && strncmp(uri, "/static/", 8))
		return 0;
	if (strstr(uri, "..") || strchr(uri, '\\'))
		return 0;
	n = snprintf(path, len, "%s%s", cfg.web_root, strcmp(uri, "/") ? uri : "/index.html");
	if (n < 0 || (size_t)n >= len || stat(path, &st) || !S_ISREG(st.st_mode) ||
	    (size_t)st.st_size > STATIC_MAX)
		return 0;
	return 1;
}

static int serve_static(struct conn *c)
{
	char path[1024];
	struct http_response r;
	FILE *f;
	long sz;
	int rc;

	if (!static_path(c->rq->path, path, sizeof(path)))
		return answer_error(c, PROTO_ERR_NOT_FOUND, c->rq->request_id, 0, "no_such_path");
	memset(&r, 0, sizeof(r));
	f = fopen(path, "rb");
	if (!f || fseek(f, 0, SEEK_END) || (sz = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(r.body = malloc((size_t)sz + 1)) || fread(r.body, 1, (size_t)sz, f) != (size_t)sz) {
		if (f)
			fclose(f);
		free(r.body);
		return answer_error(c, PROTO_ERR_NOT_FOUND, c->rq->request_id, 0, "no_such_file");
	}
	fclose(f);
	r.status = 200;
	r.len = (size_t)sz;
	r.ctype = mime_of(path);
	snprintf(r.request_id, sizeof(r.request_id), "%s", c->rq->request_id);
	trace_format(&c->rq->trace, r.traceparent);
	metrics_observe("static", 200, 0);
	rc = respond(c, &r, c->head_only, "max-age=60");
	free(r.body);
	return rc;
}

static int submit(struct conn *c)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return answer_error(c, PROTO_ERR_UNAVAILABLE, c->rq->request_id, 1,
		                    "out_of_memory");
	j->rq = *c->rq;
	free(c->rq);
	c->rq = NULL;
	if (!j->rq.body) {
		j->rq.body = calloc(1, 1);
		j->rq.body_len = 0;
	}
	j->rq.conn_id = c->id;
	j->head_only = c->head_only;
	if (!j->rq.body || pool_submit(job_run, j) < 0) {
		char rid[80];
		snprintf(rid, sizeof(rid), "%s", j->rq.request_id);
		free(j->rq.body);
		free(j);
		return answer_error(c, PROTO_ERR_UNAVAILABLE, rid, 1, "queue_full");
	}
	in_flight++;
	c->state = ST_WAIT;
	arm(c, WAIT_S);
	return 0;
}

static int content_type_ok(const char *ct)
{
	size_t n = strlen("application/json");

	if (strncasecmp(ct, "application/json", n))
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* The request is read (its body too): act on it. */
static int finish_request(struct conn *c)
{
	enum action a = (enum action)c->action;
	int rc = 0;

	c->req_armed = 0;
	c->action = ACT_NONE;
	if (c->state != ST_DEAD)
		c->state = ST_HEAD;
	if (a == ACT_RUN)
		return submit(c);
	if (a == ACT_STATIC)
		rc = serve_static(c);
	else if (a == ACT_ERROR)
		rc = answer_error(
		    c, (enum proto_err)c->proto_err, c->rq->request_id, c->close_after,
		    c->proto_err == PROTO_ERR_NOT_FOUND ? "no_such_route" : "bad_method");
	rq_free(c);
	return rc;
}

static void log_refusal(struct conn *c, int status, const char *method, const char *rid)
{
	char peer[64] = "";

	lws_get_peer_simple(c->wsi, peer, sizeof(peer));
	log_info("http: %d for a request from %s (method '%.20s', request id %s)", status, peer,
	         method, rid);
}

/* An HTTP/2 client with prior knowledge: SETTINGS, then GOAWAY HTTP_1_1_REQUIRED. */
static int refuse_h2(struct conn *c)
{
	static const unsigned char frames[] = {0, 0, 0, 4,   0, 0, 0, 0, 0, /* SETTINGS, empty */
	                                       0, 0, 8, 7,   0, 0, 0, 0, 0,
	                                       0, 0, 0, 0, /* GOAWAY, last stream 0 */
	                                       0, 0, 0, 0x0d /* HTTP_1_1_REQUIRED */};

	log_refusal(c, 505, "PRI", "-");
	metrics_observe("other", 505, 0);
	c->close_after = 1;
	c->state = ST_DEAD;
	return http_conn_send(c, frames, sizeof(frames));
}

/* A complete head: decide what the request is, and how its body is read. */
static int on_head(struct conn *c, const struct http_head *h)
{
	struct http_request *rq;
	enum dispatch_get get;
	int is_get;

	rq_free(c);
	table_del(c);
	c->id = next_id++;
	table_add(c);
	rq = calloc(1, sizeof(*rq));
	if (!rq)
		return -1;
	c->rq = rq;
	rq->t_start = clock_s();
	rq->method = h->verb == HV_GET    ? HTTP_GET
	             : h->verb == HV_POST ? HTTP_POST
	             : h->verb == HV_HEAD ? HTTP_HEAD
	                                  : HTTP_OTHER;
	c->head_only = h->verb == HV_HEAD;
	c->close_after = (unsigned char)h->conn_close;
	snprintf(rq->path, sizeof(rq->path), "%s", h->path);
	if (valid_request_id(h->request_id))
		snprintf(rq->request_id, sizeof(rq->request_id), "%s", h->request_id);
	else
		snprintf(rq->request_id, sizeof(rq->request_id), "%08x%08llx", (unsigned)lrand48(),
		         (unsigned long long)c->id);
	trace_ids_from_header(&rq->trace, h->traceparent);
	lws_get_peer_simple(c->wsi, rq->remote, sizeof(rq->remote));
	snprintf(rq->authorization, sizeof(rq->authorization), "%s", h->authorization);
	snprintf(rq->signature, sizeof(rq->signature), "%s", h->signature);
	c->expected = h->has_cl ? (size_t)h->cl : 0;

	if (h->verb == HV_PRI)
		return refuse_h2(c);
	if (draining)
		return answer_error(c, PROTO_ERR_UNAVAILABLE, rq->request_id, 1, "draining");
	/* A body whose end we cannot find, or that we will not read. */
	if (h->has_te) {
		log_refusal(c, 411, h->method, rq->request_id);
		return answer_error(c, PROTO_ERR_LENGTH_REQUIRED, rq->request_id, 1,
		                    "chunked_body");
	}
	if (h->has_cl && h->cl > PROTO_MAX_BODY)
		return answer_error(c, PROTO_ERR_TOO_LARGE, rq->request_id, 1, "body_too_large");

	rq->route = dispatch_find(rq->path);
	get = dispatch_find_get(rq->path);
	is_get = h->verb == HV_GET || h->verb == HV_HEAD;
	if (h->upgrade_ws && h->verb == HV_GET && !strcmp(rq->path, PROTO_PATH_WS)) {
		if (c->expected == 0 && ws_handshake_ok(h->ws_protocol, h->ws_key, h->ws_version))
			return http_ws_upgrade(c, h);
		return answer_error(c, PROTO_ERR_BAD_REQUEST, rq->request_id, 0,
		                    "bad_ws_handshake");
	}
	c->state = ST_DISCARD;
	if (h->verb == HV_POST && rq->route) {
		if (c->expected > 0 && !content_type_ok(h->ctype))
			return answer_error(c, PROTO_ERR_UNSUPPORTED_MEDIA_TYPE, rq->request_id, 1,
			                    "content_type");
		c->action = ACT_RUN;
		c->state = ST_BODY;
		if (h->expect_continue && c->expected > 0 && c->in_len == 0) {
			static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
			if (http_conn_send(c, cont, sizeof(cont) - 1) < 0)
				return -1;
		}
	} else if (is_get && get != DISPATCH_GET_NONE) {
		c->action = ACT_RUN;
	} else if (is_get && !rq->route && strcmp(rq->path, PROTO_PATH_WS)) {
		c->action = ACT_STATIC;
	} else {
		c->action = ACT_ERROR;
		c->proto_err = (rq->route || get != DISPATCH_GET_NONE ||
		                !strcmp(rq->path, PROTO_PATH_WS) || h->verb == HV_OTHER)
		                   ? PROTO_ERR_METHOD_NOT_ALLOWED
		                   : PROTO_ERR_NOT_FOUND;
		if (h->verb == HV_OTHER) {
			log_refusal(c, 405, h->method, rq->request_id);
			/* CONNECT's "body" is a tunnel: never read it. */
			if (!strcmp(h->method, "CONNECT"))
				c->close_after = 1;
		}
	}
	if (c->expected == 0)
		return finish_request(c);
	return 0;
}

/* Move body bytes from c->in; the body buffer grows as they arrive. */
static int take_body(struct conn *c)
{
	size_t n = c->in_len < c->expected ? c->in_len : c->expected;

	if (n == 0)
		return 0;
	if (c->state == ST_BODY) {
		struct http_request *rq = c->rq;
		char *b = realloc(rq->body, rq->body_len + n + 1);
		if (!b)
			return -1;
		memcpy(b + rq->body_len, c->in, n);
		rq->body = b;
		rq->body_len += n;
		b[rq->body_len] = '\0';
	}
	c->expected -= n;
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
	return 0;
}

/* Consume what was received, as far as the connection's state allows. */
static void process(struct conn *c)
{
	for (;;) {
		struct http_head h;
		int status, rc;

		if (c->state == ST_DEAD || c->state == ST_WAIT || c->state == ST_WS)
			return;
		if (c->out_len - c->out_off > WRITE_CHUNK)
			return; /* let the answers drain first */
		if (c->state == ST_BODY || c->state == ST_DISCARD) {
			if (take_body(c) < 0)
				goto fail;
			if (c->expected > 0)
				return;
			if (finish_request(c) < 0)
				goto fail;
			continue;
		}
		/* ST_HEAD; after an answer with Connection: close nothing more is read. */
		if (c->close_after)
			return;
		if (c->in_len == 0) {
			if (c->in) {
				free(c->in);
				c->in = NULL;
				c->in_cap = 0;
			}
			return;
		}
		if (!c->req_armed) {
			c->req_armed = 1;
			arm(c, (int)cfg.request_timeout);
		}
		rc = http_parse_head(c->in, c->in_len, &h, &status);
		if (rc == 0)
			return;
		if (rc < 0) {
			char rid[80];
			enum proto_err e = status == 414   ? PROTO_ERR_URI_TOO_LONG
			                   : status == 431 ? PROTO_ERR_HEADERS_TOO_LARGE
			                                   : PROTO_ERR_BAD_REQUEST;
			if (valid_request_id(h.request_id))
				snprintf(rid, sizeof(rid), "%s", h.request_id);
			else
				snprintf(rid, sizeof(rid), "%08x%08llx", (unsigned)lrand48(),
				         (unsigned long long)next_id++);
			log_refusal(c, status, h.method, rid);
			rq_free(c);
			c->head_only = 0;
			if (answer_error(c, e, rid, 1, "bad_request_head") < 0)
				goto fail;
			return;
		}
		memmove(c->in, c->in + h.head_len, c->in_len - h.head_len);
		c->in_len -= h.head_len;
		if (on_head(c, &h) < 0)
			goto fail;
	}
fail:
	c->state = ST_DEAD;
	c->close_after = 1;
	lws_callback_on_writable(c->wsi);
}

static int on_rx(struct conn *c, const void *data, size_t len)
{
	if (c->state == ST_DEAD)
		return 0;
	if (c->state == ST_WS)
		return ws_client_rx(c->ws, data, len);
	if (c->in_len + len > c->in_cap) {
		size_t cap = c->in_cap ? c->in_cap : 1024;
		char *b;
		while (cap < c->in_len + len)
			cap *= 2;
		b = realloc(c->in, cap);
		if (!b)
			return -1;
		c->in = b;
		c->in_cap = cap;
	}
	memcpy(c->in + c->in_len, data, len);
	c->in_len += len;
	process(c);
	/* Pipelined bytes behind a request in progress: stop reading past a cap. */
	if (c->in_len > IN_CAP && !c->rx_off) {
		c->rx_off = 1;
		lws_rx_flow_control(c->wsi, 0);
	}
	return 0;
}

static int on_writeable(struct conn *c)
{
	size_t n = c->out_len - c->out_off;

	if (n == 0) {
		if (c->state == ST_WS)
			return ws_client_writeable(c->ws);
		if (c->state == ST_DEAD || (c->close_after && c->state == ST_HEAD))
			return -1;
		return 0;
	}
	if (n > WRITE_CHUNK)
		n = WRITE_CHUNK;
	memcpy(wbuf + LWS_PRE, c->out + c->out_off, n);
	if (lws_write(c->wsi, wbuf + LWS_PRE, n, LWS_WRITE_RAW) < (int)n)
		return -1;
	c->out_off += n;
	if (c->out_off < c->out_len) {
		lws_callback_on_writable(c->wsi);
		return 0;
	}
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	if (c->state == ST_WS)
		return ws_client_writeable(c->ws);
	if (c->state == ST_DEAD || (c->close_after && c->state == ST_HEAD))
		return -1;
	if (c->state == ST_HEAD) {
		if (c->rx_off && c->in_len < IN_CAP) {
			c->rx_off = 0;
			lws_rx_flow_control(c->wsi, 1);
		}
		process(c);
		if (c->state == ST_HEAD && c->in_len == 0 && c->out_len == 0) {
			c->req_armed = 0;
			arm(c, IDLE_S);
		}
	}
	return 0;
}

static void drain_done(void)
{
	struct job *j, *next;

	pthread_mutex_lock(&done_lock);
	j = done_head;
	done_head = done_tail = NULL;
	pthread_mutex_unlock(&done_lock);
	for (; j; j = next) {
		struct conn *c = table_find(j->rq.conn_id);
		next = j->next;
		in_flight--;
		if (c && c->state == ST_WAIT) {
			c->state = ST_HEAD;
			if (respond(c, &j->resp, j->head_only, "no-store") < 0) {
				c->state = ST_DEAD;
				lws_callback_on_writable(c->wsi);
			}
		}
		free(j->resp.body);
		free(j);
	}
}

static void conn_close(struct conn *c)
{
	table_del(c);
	rq_free(c);
	if (c->ws) {
		ws_client_closed(c->ws);
		c->ws = NULL;
	}
	free(c->in);
	free(c->out);
	c->in = c->out = NULL;
	c->in_len = c->out_len = c->out_off = 0;
}

/* ------------------------------------------------------------------ ws glue */

static int http_ws_upgrade(struct conn *c, const struct http_head *h)
{
	char accept[64], resp[512];
	int n;

	if (ws_accept_key(h->ws_key, accept, sizeof(accept)) < 0)
		return answer_error(c, PROTO_ERR_BAD_REQUEST, c->rq->request_id, 1, "bad_ws_key");
	c->ws = ws_client_new(c, c->rq->remote);
	if (!c->ws)
		return answer_error(c, PROTO_ERR_UNAVAILABLE, c->rq->request_id, 1,
		                    "out_of_memory");
	n = snprintf(resp, sizeof(resp),
	             "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
	             "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
	             "Sec-WebSocket-Protocol: %s\r\nX-Request-Id: %s\r\n\r\n",
	             accept, PROTO_WS_SUBPROTOCOL, c->rq->request_id);
	metrics_observe("ws", 101, 0);
	rq_free(c);
	table_del(c);
	c->state = ST_WS;
	c->req_armed = 0;
	c->action = ACT_NONE;
	if (http_conn_send(c, resp, (size_t)n) < 0)
		return -1;
	/* ws.c pings silent clients and drops those that stay silent. */
	lws_set_timeout(c->wsi, NO_PENDING_TIMEOUT, 0);
	/* Bytes the client sent right behind its handshake are frames. */
	if (c->in_len) {
		int rc = ws_client_rx(c->ws, c->in, c->in_len);
		c->in_len = 0;
		if (rc < 0)
			return -1;
	}
	free(c->in);
	c->in = NULL;
	c->in_cap = 0;
	return 0;
}

void http_conn_drop(struct conn *c)
{
	free(c->out);
	c->out = NULL;
	c->out_len = c->out_off = 0;
	c->state = ST_DEAD;
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

void *http_lws_context(void)
{
	return ctx;
}

void http_conn_close_soon(struct conn *c)
{
	c->state = ST_DEAD;
	c->close_after = 1;
	lws_callback_on_writable(c->wsi);
}

void http_wake(void)
{
	if (ctx)
		lws_cancel_service(ctx);
}

/* ------------------------------------------------------------------ lws */

static int callback_raw(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                        size_t len)
{
	struct conn *c = user;

	switch (reason) {
	case LWS_CALLBACK_RAW_ADOPT:
		memset(c, 0, sizeof(*c));
		c->wsi = wsi;
		c->state = ST_HEAD;
		/* The first request's deadline runs from the accept. */
		c->req_armed = 1;
		arm(c, (int)cfg.request_timeout);
		return 0;
	case LWS_CALLBACK_RAW_RX:
		if (!c || !c->wsi)
			return -1;
		return on_rx(c, in, len) < 0 ? -1 : 0;
	case LWS_CALLBACK_RAW_WRITEABLE:
		if (!c || !c->wsi)
			return -1;
		return on_writeable(c);
	case LWS_CALLBACK_RAW_CLOSE:
		if (c && c->wsi)
			conn_close(c);
		return 0;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		drain_done();
		ws_loop_wake();
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
    {"boxoffice-raw", callback_raw, sizeof(struct conn), 0, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0}};

static void lws_log(int level, const char *line)
{
	size_t n = strlen(line);

	while (n && line[n - 1] == '\n')
		n--;
	if (level & LLL_ERR)
		log_error("lws: %.*s", (int)n, line);
	else
		log_debug("lws: %.*s", (int)n, line);
}

static void http_stop_context(void);

int http_start(const char *listen)
{
	struct lws_context_creation_info info;
	static char host[256];
	const char *colon = strrchr(listen, ':');
	long port;

	if (!colon)
		return -1;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	if (host[0] == '[') { /* [::1]:8080 */
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	port = strtol(colon + 1, NULL, 10);
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
	memset(&info, 0, sizeof(info));
	info.port = (int)port;
	info.iface = host[0] ? host : NULL;
	info.protocols = protocols;
	info.options |= LWS_SERVER_OPTION_ADOPT_APPLY_LISTEN_ACCEPT_CONFIG;
	info.listen_accept_role = "raw-skt";
	info.listen_accept_protocol = "boxoffice-raw";
	info.timeout_secs = (unsigned)cfg.request_timeout;
	info.pt_serv_buf_size = 65536;
	info.ka_time = 60;
	info.ka_probes = 3;
	info.ka_interval = 10;
	if (!strchr(host, ':'))
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	pthread_mutex_lock(&ctx_lock);
	ctx = lws_create_context(&info);
	pthread_mutex_unlock(&ctx_lock);
	if (!ctx) {
		log_error("cannot listen on '%s'", listen);
		return -1;
	}
	if (ws_start() < 0) {
		http_stop_context();
		return -1;
	}
	log_info("listening on http://%s", listen);
	return 0;
}

static void http_stop_context(void)
{
	pthread_mutex_lock(&ctx_lock);
	if (ctx)
		lws_context_destroy(ctx);
	ctx = NULL;
	pthread_mutex_unlock(&ctx_lock);
}

void http_request_stop(void)
{
	atomic_store(&stop_requested, 1);
	pthread_mutex_lock(&ctx_lock);
	if (ctx)
		lws_cancel_service(ctx);
	pthread_mutex_unlock(&ctx_lock);
}

void http_run(int drain_s)
{
	double deadline = 0;

	thread_role_set_loop();
	for (;;) {
		if (lws_service(ctx, 0) < 0)
			break;
		ws_tick();
		if (atomic_load(&stop_requested) && !draining) {
			draining = 1;
			deadline = clock_s() + drain_s;
			log_info("stopping: finishing %ld requests in flight", in_flight);
		}
		if (draining && (in_flight <= 0 || clock_s() > deadline))
			break;
	}
}

void http_stop(void)
{
	ws_stop();
	http_stop_context();
	/* Answers that arrived after the loop ended. */
	while (done_head) {
		struct job *j = done_head;
		done_head = j->next;
		free(j->resp.body);
		free(j);
	}
	done_tail = NULL;
}
