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
 * Loops: cfg.loops lws contexts (0: one per online core), each serviced by
 * its own thread and listening on the same port with SO_REUSEPORT, so the
 * kernel spreads the accepts. Debian's lws 4.1.6 (LWS_MAX_SMP 1) ignores
 * LWS_SERVER_OPTION_ALLOW_LISTEN_SHARE (it sets SO_REUSEPORT only with
 * several service threads per context), so each loop opens its listening
 * socket itself, hands it to lws as a raw file (readable: accept4 until
 * EAGAIN) and adopts every accepted socket as a raw socket of its context.
 * A connection lives and dies on the loop that accepted it: its struct
 * loop (the context's user pointer) holds the id table, the queue of
 * answers from the workers and the count in flight, and a worker's answer
 * goes back to that loop only (its done queue, lws_cancel_service on its
 * context). Each loop thread is a "loop" for core/thread_role.
 *
 * Writes: an answer (head and body together) or a WebSocket frame is
 * written at once with one send() when nothing is queued before it; only
 * what the socket does not take waits for a writable callback.
 *
 * Time limits (lws_set_timeout, which closes): request_timeout from the first
 * byte of a request (or from the accept) to its last byte, whatever the
 * pace; IDLE_S between requests of a kept-alive connection; WAIT_S for a
 * worker's answer; request_timeout again for the client to read the answer.
 */
#include "http/http.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
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

struct loop;

struct conn {
	struct lws *wsi;
	struct loop *lp; /* the loop that accepted it */
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
	char peer[64]; /* the client's address, read once */
};

struct job {
	struct http_request rq;
	struct http_response resp;
	struct loop *lp; /* where the answer goes */
	int head_only;
	struct job *next;
};

/* One event loop: an lws context and the thread that services it. */
struct loop {
	int idx;
	struct lws_context *ctx;
	pthread_t thread;
	int thread_started;
	/* loop thread only */
	struct conn *buckets[ID_BUCKETS];
	uint64_t next_id;
	int draining;
	long in_flight;
	/* near-cache candidates read in this iteration (loop thread only): near_flush */
	struct job *near_head, *near_tail;
	/* answers of the workers, under done_lock */
	pthread_mutex_t done_lock;
	struct job *done_head, *done_tail;
	unsigned char wbuf[LWS_PRE + WRITE_CHUNK];
};

static struct loop *loops;
static int nloops;
static int drain_seconds;
static atomic_int stop_requested;
/*
 * The contexts are published by the main thread and read by the signal
 * thread (http_request_stop): both under ctx_lock, so the signal thread
 * never sees a half-made or destroyed context.
 */
static pthread_mutex_t ctx_lock = PTHREAD_MUTEX_INITIALIZER;
static _Thread_local struct loop *cur_loop; /* on a loop thread: its loop */

static void process(struct conn *c);
static void idle_if_done(struct conn *c);
static void answered(struct conn *c);
static int http_ws_upgrade(struct conn *c, const struct http_head *h);

static void table_add(struct conn *c)
{
	unsigned b = (unsigned)(c->id % ID_BUCKETS);

	c->next = c->lp->buckets[b];
	c->lp->buckets[b] = c;
	c->in_table = 1;
}

static void table_del(struct conn *c)
{
	struct conn **pp;

	if (!c->in_table)
		return;
	for (pp = &c->lp->buckets[c->id % ID_BUCKETS]; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	c->in_table = 0;
}

static struct conn *table_find(struct loop *lp, uint64_t id)
{
	struct conn *c;

	for (c = lp->buckets[id % ID_BUCKETS]; c; c = c->next)
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

/*
 * Called on a worker thread: run the request, queue the answer on the loop
 * that owns the connection, wake that loop.
 */
static void job_run(struct worker *w, void *arg)
{
	struct job *j = arg;
	struct loop *lp = j->lp;
	int wake;

	dispatch_run(w, &j->rq, &j->resp);
	free(j->rq.body);
	j->rq.body = NULL;
	pthread_mutex_lock(&lp->done_lock);
	/* Only the first answer of a batch wakes the loop; it drains them all. */
	wake = lp->done_head == NULL;
	if (lp->done_tail)
		lp->done_tail->next = j;
	else
		lp->done_head = j;
	lp->done_tail = j;
	pthread_mutex_unlock(&lp->done_lock);
	if (wake)
		lws_cancel_service(lp->ctx);
}

/* Append n bytes to the connection's output. 0, or -1 (out of memory). */
static int out_append(struct conn *c, const void *data, size_t n)
{
	char *o;

	if (c->out_off && c->out_off == c->out_len) {
		free(c->out);
		c->out = NULL;
		c->out_len = c->out_off = 0;
	}
	if (n == 0)
		return 0;
	o = realloc(c->out, c->out_len + n);
	if (!o)
		return -1;
	memcpy(o + c->out_len, data, n);
	c->out = o;
	c->out_len += n;
	return 0;
}

/*
 * Queue a then b (either may be empty) for the client. When nothing waits
 * before them and they fit one chunk, they go out at once in one send();
 * what is left waits for a writable callback. A connection to be closed
 * after its answer gets the callback that closes it. 0, or -1 (out of
 * memory, or the socket failed: the connection is closing).
 */
static int conn_out(struct conn *c, const void *a, size_t an, const void *b, size_t bn)
{
	unsigned char *p = c->lp->wbuf + LWS_PRE;
	size_t n = an + bn;

	if (c->out_len == c->out_off && n <= WRITE_CHUNK && !lws_partial_buffered(c->wsi)) {
		memcpy(p, a, an);
		if (bn)
			memcpy(p + an, b, bn);
		if (lws_write(c->wsi, p, n, LWS_WRITE_RAW) < (int)n) {
			c->state = ST_DEAD;
			c->close_after = 1;
			lws_callback_on_writable(c->wsi);
			return -1;
		}
		if (c->close_after || c->state == ST_DEAD)
			lws_callback_on_writable(c->wsi);
		return 0;
	}
	if (out_append(c, a, an) < 0 || out_append(c, b, bn) < 0)
		return -1;
	lws_callback_on_writable(c->wsi);
	return 0;
}

int http_conn_send(struct conn *c, const void *data, size_t n)
{
	return conn_out(c, data, n, NULL, 0);
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
	arm(c, (int)cfg.request_timeout);
	return conn_out(c, h, (size_t)n, r->body, head_only ? 0 : r->len);
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

/* The path under web_root for GET / and /static/..., or 0. */
static int static_path(const char *uri, char *path, size_t len)
{
	int n;

	if (strcmp(uri, "/") && strncmp(uri, "/static/", 8))
		return 0;
	if (strstr(uri, "..") || strchr(uri, '\\'))
		return 0;
	n = snprintf(path, len, "%s%s", cfg.web_root, strcmp(uri, "/") ? uri : "/index.html");
	return n > 0 && (size_t)n < len;
}

/*
 * A regular file of at most STATIC_MAX bytes, read whole: open, fstat,
 * read, close (O_NONBLOCK: a FIFO put there never blocks the loop).
 */
static int serve_static(struct conn *c)
{
	char path[1024];
	struct http_response r;
	struct stat st;
	size_t got = 0;
	int fd, rc;

	fd = static_path(c->rq->path, path, sizeof(path))
	         ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
	         : -1;
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode) || (size_t)st.st_size > STATIC_MAX) {
		if (fd >= 0)
			close(fd);
		return answer_error(c, PROTO_ERR_NOT_FOUND, c->rq->request_id, 0, "no_such_path");
	}
	memset(&r, 0, sizeof(r));
	r.body = malloc((size_t)st.st_size + 1);
	while (r.body && got < (size_t)st.st_size) {
		ssize_t n = read(fd, r.body + got, (size_t)st.st_size - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	if (!r.body || got != (size_t)st.st_size) {
		free(r.body);
		return answer_error(c, PROTO_ERR_NOT_FOUND, c->rq->request_id, 0, "no_such_file");
	}
	r.status = 200;
	r.len = got;
	r.ctype = mime_of(path);
	snprintf(r.request_id, sizeof(r.request_id), "%s", c->rq->request_id);
	trace_format(&c->rq->trace, r.traceparent);
	metrics_observe("static", 200, 0);
	rc = respond(c, &r, c->head_only, "max-age=60");
	free(r.body);
	return rc;
}

/*
 * The hand-off: a request that is read goes to the worker pool here (its
 * answer comes back through job_run to drain_done on this loop), or, when
 * the near cache may hold its answer, waits for the end of this loop
 * iteration (near_flush).
 */
static int submit(struct conn *c)
{
	int near = dispatch_near_wanted(c->rq);
	struct job *j;

	j = calloc(1, sizeof(*j));
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
	j->lp = c->lp;
	j->head_only = c->head_only;
	if (!j->rq.body || (!near && pool_submit(job_run, j) < 0)) {
		char rid[80];
		snprintf(rid, sizeof(rid), "%s", j->rq.request_id);
		free(j->rq.body);
		free(j);
		return answer_error(c, PROTO_ERR_UNAVAILABLE, rid, 1, "queue_full");
	}
	if (near) {
		if (c->lp->near_tail)
			c->lp->near_tail->next = j;
		else
			c->lp->near_head = j;
		c->lp->near_tail = j;
	}
	c->lp->in_flight++;
	c->state = ST_WAIT;
	arm(c, WAIT_S);
	return 0;
}

/* The answer to c (waiting for it) is r: write it, go on with what c sent next. */
static void answer_waiting(struct conn *c, const struct http_response *r, int head_only)
{
	c->state = ST_HEAD;
	if (respond(c, r, head_only, "no-store") < 0) {
		c->state = ST_DEAD;
		lws_callback_on_writable(c->wsi);
	} else if (c->out_len == c->out_off) {
		answered(c);
	}
}

static void job_free(struct job *j)
{
	free(j->rq.body);
	free(j->resp.body);
	free(j);
}

/*
 * After each loop iteration: the near-cache candidates it read get one
 * freshness token for them all (cache/near.h: taken after every one of
 * them was read, so a write answered before any of them was sent is
 * covered), then each is answered from the near cache on the loop, with
 * no worker, or goes to the workers. One poll() per iteration with
 * candidates, none per hit. A pipelined request behind an answer is
 * read here and may be a candidate: it gets a token of its own.
 */
static void near_flush(struct loop *lp)
{
	while (lp->near_head) {
		struct job *j = lp->near_head, *next;
		unsigned long token = dispatch_near_sync();

		lp->near_head = lp->near_tail = NULL;
		for (; j; j = next) {
			struct conn *c = table_find(lp, j->rq.conn_id);
			struct http_response near;

			next = j->next;
			j->next = NULL;
			if (!c || c->state != ST_WAIT) { /* closed meanwhile */
				lp->in_flight--;
				job_free(j);
			} else if (dispatch_near(&j->rq, token, &near)) {
				lp->in_flight--;
				trace_format(&j->rq.trace, near.traceparent);
				answer_waiting(c, &near, j->head_only);
				free(near.body);
				job_free(j);
			} else if (pool_submit(job_run, j) < 0) {
				char rid[80];

				lp->in_flight--;
				snprintf(rid, sizeof(rid), "%s", j->rq.request_id);
				job_free(j);
				c->state = ST_HEAD;
				if (answer_error(c, PROTO_ERR_UNAVAILABLE, rid, 1, "queue_full") <
				    0) {
					c->state = ST_DEAD;
					lws_callback_on_writable(c->wsi);
				}
			}
		}
	}
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

/* The client's address (one getpeername per connection, not per request). */
static const char *conn_peer(struct conn *c)
{
	if (!c->peer[0] && !lws_get_peer_simple(c->wsi, c->peer, sizeof(c->peer)))
		c->peer[0] = '\0';
	return c->peer;
}

static void log_refusal(struct conn *c, int status, const char *method, const char *rid)
{
	log_info("http: %d for a request from %s (method '%.20s', request id %s)", status,
	         conn_peer(c), method, rid);
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
	c->id = c->lp->next_id++;
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
	trace_request_id(h->request_id, rq->request_id);
	trace_ids_from_header(&rq->trace, h->traceparent);
	snprintf(rq->remote, sizeof(rq->remote), "%s", conn_peer(c));
	snprintf(rq->authorization, sizeof(rq->authorization), "%s", h->authorization);
	snprintf(rq->signature, sizeof(rq->signature), "%s", h->signature);
	c->expected = h->has_cl ? (size_t)h->cl : 0;

	if (h->verb == HV_PRI)
		return refuse_h2(c);
	if (c->lp->draining)
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
			trace_request_id(h.request_id, rid);
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
	idle_if_done(c);
	/* Pipelined bytes behind a request in progress: stop reading past a cap. */
	if (c->in_len > IN_CAP && !c->rx_off) {
		c->rx_off = 1;
		lws_rx_flow_control(c->wsi, 0);
	}
	return 0;
}

/* Idle between two requests: everything read is answered and written. */
static void idle_if_done(struct conn *c)
{
	if (c->state == ST_HEAD && !c->close_after && c->in_len == 0 && c->out_len == c->out_off) {
		c->req_armed = 0;
		arm(c, IDLE_S);
	}
}

/* Every answer queued so far is written: go on with what was received. */
static void answered(struct conn *c)
{
	if (c->state != ST_HEAD || c->close_after)
		return;
	if (c->rx_off && c->in_len < IN_CAP) {
		c->rx_off = 0;
		lws_rx_flow_control(c->wsi, 1);
	}
	process(c);
	idle_if_done(c);
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
	memcpy(c->lp->wbuf + LWS_PRE, c->out + c->out_off, n);
	if (lws_write(c->wsi, c->lp->wbuf + LWS_PRE, n, LWS_WRITE_RAW) < (int)n)
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
	answered(c);
	return 0;
}

static void drain_done(struct loop *lp)
{
	struct job *j, *next;

	pthread_mutex_lock(&lp->done_lock);
	j = lp->done_head;
	lp->done_head = lp->done_tail = NULL;
	pthread_mutex_unlock(&lp->done_lock);
	for (; j; j = next) {
		struct conn *c = table_find(lp, j->rq.conn_id);
		next = j->next;
		lp->in_flight--;
		if (c && c->state == ST_WAIT)
			answer_waiting(c, &j->resp, j->head_only);
		job_free(j);
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
	return cur_loop ? cur_loop->ctx : NULL;
}

int http_loop_index(void)
{
	return cur_loop ? cur_loop->idx : -1;
}

int http_loop_count(void)
{
	return nloops;
}

void http_conn_close_soon(struct conn *c)
{
	c->state = ST_DEAD;
	c->close_after = 1;
	lws_callback_on_writable(c->wsi);
}

void http_wake(int loop)
{
	if (loop >= 0 && loop < nloops && loops[loop].ctx)
		lws_cancel_service(loops[loop].ctx);
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
		c->lp = lws_context_user(lws_get_context(wsi));
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
		drain_done(lws_context_user(lws_get_context(wsi)));
		ws_loop_wake();
		return 0;
	default:
		return 0;
	}
}

/* Options lws would set on a socket its own listener accepted. */
static void accepted_socket_options(int fd)
{
	int one = 1, idle = 60, intvl = 10, cnt = 3;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
	setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

/* The loop's listening socket is readable: take every waiting connection. */
static int callback_listen(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                           size_t len)
{
	(void)user;
	(void)in;
	(void)len;
	if (reason != LWS_CALLBACK_RAW_RX_FILE)
		return 0;
	for (;;) {
		lws_sock_file_fd_type fd;
		int s = accept4(lws_get_socket_fd(wsi), NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (s < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("http: accept: %s", strerror(errno));
			return 0;
		}
		accepted_socket_options(s);
		fd.sockfd = s;
		/* On failure lws closes the socket. */
		lws_adopt_descriptor_vhost(lws_get_vhost(wsi), LWS_ADOPT_SOCKET, fd,
		                           "boxoffice-raw", NULL);
	}
}

static const struct lws_protocols protocols[] = {
    {"boxoffice-raw", callback_raw, sizeof(struct conn), 0, 0, NULL, 0},
    {"boxoffice-listen", callback_listen, 0, 0, 0, NULL, 0},
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

/* cfg.loops, 0 meaning one per online core. */
static int loops_wanted(void)
{
	long n = cfg.loops;

	if (n <= 0)
		n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* A listening socket on host:port, with SO_REUSEPORT when shared. The socket, or -1 (logged). */
static int open_listener(const char *host, int port, int share)
{
	struct addrinfo hints, *ai = NULL;
	char service[16];
	int fd = -1, one = 1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(service, sizeof(service), "%d", port);
	if (getaddrinfo(host[0] ? host : NULL, service, &hints, &ai) || !ai)
		return -1;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	                (share && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one))) ||
	                bind(fd, ai->ai_addr, ai->ai_addrlen) || listen(fd, SOMAXCONN))) {
		log_error("cannot listen on %s port %d: %s", host[0] ? host : "*", port,
		          strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(ai);
	return fd;
}

/*
 * With SO_REUSEPORT a second daemon on the same port would share it
 * silently: first make sure nothing listens there (a plain bind, closed).
 */
static int port_free(const char *host, int port)
{
	int fd = open_listener(host, port, 0);

	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* Loop lp's listening socket, handed to its context. 0 or -1 (logged). */
static int loop_listen(struct loop *lp, const char *host, int port, int share)
{
	lws_sock_file_fd_type fd;

	fd.filefd = open_listener(host, port, share);
	if (fd.filefd < 0)
		return -1;
	if (!lws_adopt_descriptor_vhost(lws_get_vhost_by_name(lp->ctx, "default"),
	                                LWS_ADOPT_RAW_FILE_DESC, fd, "boxoffice-listen", NULL)) {
		log_error("cannot hand the listening socket to lws");
		return -1; /* lws closed it */
	}
	return 0;
}

static void http_stop_contexts(void);

int http_start(const char *listen)
{
	struct lws_context_creation_info info;
	static char host[256];
	const char *colon = strrchr(listen, ':');
	long port;
	int i, n = loops_wanted();

	if (!colon)
		return -1;
	snprintf(host, sizeof(host), "%.*s", (int)(colon - listen), listen);
	if (host[0] == '[') { /* [::1]:8080 */
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	port = strtol(colon + 1, NULL, 10);
	if (n > 1 && port == 0)
		n = 1; /* each loop would get a port of its own */
	if (n > 1 && !port_free(host, (int)port))
		return -1;
	loops = calloc((size_t)n, sizeof(*loops));
	if (!loops)
		return -1;
	lws_set_log_level(LLL_ERR | LLL_WARN, lws_log);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER; /* loop_listen */
	info.protocols = protocols;
	info.timeout_secs = (unsigned)cfg.request_timeout;
	info.pt_serv_buf_size = 65536;
	if (!strchr(host, ':'))
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	for (i = 0; i < n; i++) {
		struct loop *lp = &loops[i];
		lp->idx = i;
		lp->next_id = 1;
		pthread_mutex_init(&lp->done_lock, NULL);
		info.user = lp;
		pthread_mutex_lock(&ctx_lock);
		lp->ctx = lws_create_context(&info);
		if (lp->ctx)
			nloops = i + 1;
		pthread_mutex_unlock(&ctx_lock);
		if (!lp->ctx || loop_listen(lp, host, (int)port, n > 1) < 0) {
			log_error("cannot listen on '%s'", listen);
			http_stop_contexts();
			return -1;
		}
	}
	if (ws_start(nloops) < 0) {
		http_stop_contexts();
		return -1;
	}
	log_info("listening on http://%s (%d loop%s)", listen, nloops, nloops == 1 ? "" : "s");
	return 0;
}

static void http_stop_contexts(void)
{
	pthread_mutex_lock(&ctx_lock);
	for (int i = 0; i < nloops; i++) {
		/* Closing its connections runs ws/ code of that loop. */
		cur_loop = &loops[i];
		ws_loop_enter(i);
		if (loops[i].ctx)
			lws_context_destroy(loops[i].ctx);
		loops[i].ctx = NULL;
	}
	cur_loop = NULL;
	ws_loop_enter(-1);
	pthread_mutex_unlock(&ctx_lock);
}

void http_request_stop(void)
{
	atomic_store(&stop_requested, 1);
	pthread_mutex_lock(&ctx_lock);
	for (int i = 0; i < nloops; i++)
		if (loops[i].ctx)
			lws_cancel_service(loops[i].ctx);
	pthread_mutex_unlock(&ctx_lock);
}

/* One loop thread: serve, then drain what is in flight on this loop. */
static void *loop_main(void *arg)
{
	struct loop *lp = arg;
	double deadline = 0;

	cur_loop = lp;
	thread_role_set_loop();
	ws_loop_enter(lp->idx);
	ws_loop_begin();
	for (;;) {
		if (lws_service(lp->ctx, 0) < 0)
			break;
		near_flush(lp);
		ws_tick();
		if (atomic_load(&stop_requested) && !lp->draining) {
			lp->draining = 1;
			deadline = clock_s() + drain_seconds;
			log_info("stopping: loop %d finishes %ld requests in flight", lp->idx,
			         lp->in_flight);
		}
		if (lp->draining && (lp->in_flight <= 0 || clock_s() > deadline))
			break;
	}
	while (lp->near_head) { /* the loop failed with candidates unanswered */
		struct job *j = lp->near_head;

		lp->near_head = j->next;
		job_free(j);
	}
	lp->near_tail = NULL;
	return NULL;
}

void http_run(int drain_s)
{
	sigset_t all;
	int i;

	drain_seconds = drain_s;
	/* Loop threads take no signals (they are blocked already; be sure). */
	sigfillset(&all);
	for (i = 1; i < nloops; i++) {
		sigset_t old;
		pthread_sigmask(SIG_BLOCK, &all, &old);
		loops[i].thread_started =
		    thread_start(&loops[i].thread, loop_main, &loops[i], "bo-loop%d", i) == 0;
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (!loops[i].thread_started) {
			/* Its context accepts and nobody would serve: stop. */
			log_error("loop %d did not start: stopping", i);
			http_request_stop();
		}
	}
	loop_main(&loops[0]);
	for (i = 1; i < nloops; i++)
		if (loops[i].thread_started)
			pthread_join(loops[i].thread, NULL);
}

void http_stop(void)
{
	if (!loops)
		return;
	ws_stop();
	http_stop_contexts();
	ws_release();
	/* Answers that arrived after the loops ended. */
	for (int i = 0; i < nloops; i++)
		while (loops[i].done_head) {
			struct job *j = loops[i].done_head;
			loops[i].done_head = j->next;
			free(j->resp.body);
			free(j);
		}
	for (int i = 0; i < nloops; i++)
		pthread_mutex_destroy(&loops[i].done_lock);
	free(loops);
	loops = NULL;
	nloops = 0;
}
