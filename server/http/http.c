/*
 * http.c: see http.h. The only file (with ws/) that includes libwebsockets.
 *
 * Every HTTP request gets a fresh 64-bit id; its connection is found again
 * by that id when the worker's answer comes back, so an answer for a client
 * that has gone (or moved on) is dropped instead of written to a stale wsi.
 */
#include "http/http.h"

#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libwebsockets.h>

#include "core/config.h"
#include "svc/dispatch.h"
#include "core/log.h"
#include "core/metrics.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "core/thread_role.h"
#include "core/pool.h"
#include "core/clock.h"

#define ID_BUCKETS 4096
#define WRITE_CHUNK 32768

enum conn_state { ST_IDLE, ST_READING, ST_WAITING, ST_WRITING, ST_FILE };

struct pss {
	struct lws *wsi;
	uint64_t id;
	struct pss *next; /* in its id bucket */
	int in_table;
	enum conn_state state;
	struct http_request *rq; /* while reading the body */
	size_t expected;
	struct http_response resp;
	size_t sent;
	int headers_sent;
	char remote[64]; /* the peer, looked up once per connection */
};

struct job {
	struct http_request rq;
	struct http_response resp;
	struct job *next;
};

static struct lws_context *ctx;
static struct pss *buckets[ID_BUCKETS];
static uint64_t next_id = 1;
static volatile sig_atomic_t stop_requested;
static int draining;
static long in_flight;

static pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
static struct job *done_head, *done_tail;

static unsigned char wbuf[LWS_PRE + WRITE_CHUNK];

static void table_add(struct pss *p)
{
	unsigned b = (unsigned)(p->id % ID_BUCKETS);

	p->next = buckets[b];
	buckets[b] = p;
	p->in_table = 1;
}

static void table_del(struct pss *p)
{
	struct pss **pp;

	if (!p->in_table)
		return;
	for (pp = &buckets[p->id % ID_BUCKETS]; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	p->in_table = 0;
}

static struct pss *table_find(uint64_t id)
{
	struct pss *p;

	for (p = buckets[id % ID_BUCKETS]; p; p = p->next)
		if (p->id == id)
			return p;
	return NULL;
}

static void resp_release(struct http_response *r)
{
	free(r->body);
	memset(r, 0, sizeof(*r));
}

static void pss_reset(struct pss *p)
{
	table_del(p);
	if (p->rq) {
		free(p->rq->body);
		free(p->rq);
		p->rq = NULL;
	}
	resp_release(&p->resp);
	p->sent = 0;
	p->headers_sent = 0;
	p->expected = 0;
	p->state = ST_IDLE;
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

static int hdr_copy(struct lws *wsi, enum lws_token_indexes t, char *buf, size_t len)
{
	buf[0] = '\0';
	if (lws_hdr_total_length(wsi, t) <= 0)
		return 0;
	if (lws_hdr_copy(wsi, buf, (int)len, t) < 0) {
		buf[0] = '\0';
		return -1;
	}
	return 1;
}

static int custom_copy(struct lws *wsi, const char *name, char *buf, size_t len)
{
	int n = (int)strlen(name);

	buf[0] = '\0';
	if (lws_hdr_custom_length(wsi, name, n) <= 0)
		return 0;
	if (lws_hdr_custom_copy(wsi, buf, (int)len, name, n) < 0) {
		buf[0] = '\0';
		return -1;
	}
	return 1;
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

/* Write the headers of p->resp; returns -1 on failure. */
static int write_headers(struct lws *wsi, struct pss *p)
{
	unsigned char hbuf[LWS_PRE + 2048];
	unsigned char *start = hbuf + LWS_PRE, *q = start, *end = hbuf + sizeof(hbuf) - 1;
	char ra[16];

	if (lws_add_http_common_headers(wsi, (unsigned)p->resp.status, p->resp.ctype,
	                                (lws_filepos_t)p->resp.len, &q, end))
		return -1;
	if (lws_add_http_header_by_name(wsi, (const unsigned char *)"x-request-id:",
	                                (const unsigned char *)p->resp.request_id,
	                                (int)strlen(p->resp.request_id), &q, end))
		return -1;
	if (lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
	                                (const unsigned char *)"no-store", 8, &q, end))
		return -1;
	if (p->resp.retry_after > 0) {
		int n = snprintf(ra, sizeof(ra), "%d", p->resp.retry_after);
		if (lws_add_http_header_by_name(wsi, (const unsigned char *)"retry-after:",
		                                (const unsigned char *)ra, n, &q, end))
			return -1;
	}
	if (p->resp.allow && lws_add_http_header_by_name(wsi, (const unsigned char *)"allow:",
	                                                 (const unsigned char *)p->resp.allow,
	                                                 (int)strlen(p->resp.allow), &q, end))
		return -1;
	if (p->resp.close &&
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"connection:",
	                                (const unsigned char *)"close", 5, &q, end))
		return -1;
	if (lws_finalize_write_http_header(wsi, start, &q, end))
		return -1;
	p->headers_sent = 1;
	return 0;
}

/*
 * Answer at once from the loop thread (404/405/411/413/415/503). Used when
 * no worker is involved, typically with a body left unread: then the
 * connection closes after the answer (returns -1 for lws to close).
 */
static int answer_now(struct lws *wsi, struct pss *p, enum proto_err e, const char *rid,
                      int close_after)
{
	size_t n;

	dispatch_error(e, rid, &p->resp);
	p->resp.close = close_after;
	if (e == PROTO_ERR_METHOD_NOT_ALLOWED)
		p->resp.allow = p->rq && p->rq->route ? "POST" : "GET";
	metrics_observe("other", p->resp.status, 0);
	if (write_headers(wsi, p) < 0)
		goto fail;
	n = p->resp.len < WRITE_CHUNK ? p->resp.len : WRITE_CHUNK;
	memcpy(wbuf + LWS_PRE, p->resp.body, n);
	if (lws_write(wsi, wbuf + LWS_PRE, n, LWS_WRITE_HTTP_FINAL) != (int)n)
		goto fail;
	pss_reset(p);
	if (close_after)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
fail:
	pss_reset(p);
	return -1;
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

/* GET / and /static/...: returns 1 if a file is being served, 0 if none. */
static int serve_static(struct lws *wsi, struct pss *p, const char *uri, int *rc)
{
	char path[1024], extra[128];
	struct stat st;
	int n;

	if (strcmp(uri, "/") && strncmp(uri, "/static/", 8))
		return 0;
	if (strstr(uri, "..") || strchr(uri, '\\'))
		return 0;
	n = snprintf(path, sizeof(path), "%s%s", cfg.web_root,
	             strcmp(uri, "/") ? uri : "/index.html");
	if (n < 0 || (size_t)n >= sizeof(path) || stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;
	p->state = ST_FILE;
	metrics_observe("static", 200, 0);
	/* Static answers carry the request id too (spec 2: every response). */
	n = snprintf(extra, sizeof(extra), "x-request-id: %s\x0d\x0a", p->rq->request_id);
	*rc = lws_serve_http_file(wsi, path, mime_of(path), extra, n) < 0 ? -1 : 0;
	return 1;
}

static int submit(struct lws *wsi, struct pss *p)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return answer_now(wsi, p, PROTO_ERR_UNAVAILABLE, p->rq->request_id, 1);
	j->rq = *p->rq;
	free(p->rq);
	p->rq = NULL;
	j->rq.conn_id = p->id;
	if (pool_submit(job_run, j) < 0) {
		char rid[80];
		snprintf(rid, sizeof(rid), "%s", j->rq.request_id);
		free(j->rq.body);
		free(j);
		return answer_now(wsi, p, PROTO_ERR_UNAVAILABLE, rid, 1);
	}
	in_flight++;
	p->state = ST_WAITING;
	lws_set_timeout(wsi, PENDING_TIMEOUT_USER_OK, 120);
	return 0;
}

static int content_type_ok(const char *ct)
{
	size_t n = strlen("application/json");

	if (strncasecmp(ct, "application/json", n))
		return 0;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

static int on_http(struct lws *wsi, struct pss *p, const char *uri)
{
	struct http_request *rq;
	char clen[32], te[64], ctype[128];
	enum http_method m;
	enum dispatch_get get;
	int has_cl, rc = 0;
	unsigned long long cl = 0;

	pss_reset(p);
	p->wsi = wsi;
	p->id = next_id++;
	table_add(p);
	rq = calloc(1, sizeof(*rq));
	if (!rq)
		return -1;
	p->rq = rq;
	rq->t_start = clock_s();
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) > 0)
		m = HTTP_GET;
	else if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) > 0)
		m = HTTP_POST;
	else if (lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0)
		m = HTTP_HEAD;
	else
		m = HTTP_OTHER;
	rq->method = m;
	snprintf(rq->path, sizeof(rq->path), "%s", uri ? uri : "/");
	if (custom_copy(wsi, "x-request-id:", rq->request_id, sizeof(rq->request_id)) <= 0 ||
	    !valid_request_id(rq->request_id))
		snprintf(rq->request_id, sizeof(rq->request_id), "%08x%08llx", (unsigned)lrand48(),
		         (unsigned long long)p->id);
	if (!p->remote[0])
		lws_get_peer_simple(wsi, p->remote, sizeof(p->remote));
	memcpy(rq->remote, p->remote, sizeof(rq->remote));
	hdr_copy(wsi, WSI_TOKEN_HTTP_AUTHORIZATION, rq->authorization, sizeof(rq->authorization));
	custom_copy(wsi, "x-boxoffice-signature:", rq->signature, sizeof(rq->signature));
	has_cl = hdr_copy(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, clen, sizeof(clen)) > 0;
	if (has_cl) {
		char *endp;
		cl = strtoull(clen, &endp, 10);
		if (endp == clen || *endp)
			return answer_now(wsi, p, PROTO_ERR_BAD_REQUEST, rq->request_id, 1);
	}
	hdr_copy(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING, te, sizeof(te));
	hdr_copy(wsi, WSI_TOKEN_HTTP_CONTENT_TYPE, ctype, sizeof(ctype));
	/* A body we will not read means the connection cannot be reused. */
	int body_pending = (has_cl && cl > 0) || te[0];

	if (draining)
		return answer_now(wsi, p, PROTO_ERR_UNAVAILABLE, rq->request_id, 1);
	rq->route = dispatch_find(rq->path);
	get = dispatch_find_get(rq->path);
	if (m == HTTP_POST && rq->route) {
		/*
		 * Chunked bodies are not read (lws 4.1.6 would wait forever): 411.
		 * No Content-Length and no Transfer-Encoding is an empty body
		 * (RFC 9112 6.3), answered at once rather than waited for.
		 */
		if (te[0])
			return answer_now(wsi, p, PROTO_ERR_LENGTH_REQUIRED, rq->request_id, 1);
		if (cl > PROTO_MAX_BODY)
			return answer_now(wsi, p, PROTO_ERR_TOO_LARGE, rq->request_id, 1);
		if (cl > 0 && !content_type_ok(ctype))
			return answer_now(wsi, p, PROTO_ERR_UNSUPPORTED_MEDIA_TYPE, rq->request_id,
			                  1);
		rq->body = malloc(cl + 1);
		if (!rq->body)
			return -1;
		rq->body[0] = '\0';
		p->expected = cl;
		/*
		 * lws reports the end of a body, even an empty one, with
		 * BODY_COMPLETION when a Content-Length was given; a POST
		 * without one gets no such callback and is run now.
		 */
		if (!has_cl)
			return submit(wsi, p);
		p->state = ST_READING;
		lws_set_timeout(wsi, PENDING_TIMEOUT_HTTP_CONTENT, (int)cfg.request_timeout);
		return 0;
	}
	if (m == HTTP_GET && get != DISPATCH_GET_NONE)
		return submit(wsi, p);
	if (m == HTTP_GET && serve_static(wsi, p, rq->path, &rc))
		return rc;
	if (rq->route || get != DISPATCH_GET_NONE)
		return answer_now(wsi, p, PROTO_ERR_METHOD_NOT_ALLOWED, rq->request_id,
		                  body_pending);
	return answer_now(wsi, p, PROTO_ERR_NOT_FOUND, rq->request_id, body_pending);
}

static int on_body(struct lws *wsi, struct pss *p, const void *in, size_t len)
{
	struct http_request *rq = p->rq;

	if (p->state != ST_READING || !rq || len == 0)
		return 0;
	if (rq->body_len + len > p->expected)
		return answer_now(wsi, p, PROTO_ERR_TOO_LARGE, rq->request_id, 1);
	memcpy(rq->body + rq->body_len, in, len);
	rq->body_len += len;
	rq->body[rq->body_len] = '\0';
	return 0;
}

static int on_writeable(struct lws *wsi, struct pss *p)
{
	size_t n;
	int final;

	if (p->state != ST_WRITING)
		return 0;
	if (!p->headers_sent) {
		if (write_headers(wsi, p) < 0)
			return -1;
		if (p->resp.len) {
			lws_callback_on_writable(wsi);
			return 0;
		}
	}
	n = p->resp.len - p->sent;
	if (n > WRITE_CHUNK)
		n = WRITE_CHUNK;
	final = p->sent + n == p->resp.len;
	memcpy(wbuf + LWS_PRE, p->resp.body + p->sent, n);
	if (lws_write(wsi, wbuf + LWS_PRE, n, final ? LWS_WRITE_HTTP_FINAL : LWS_WRITE_HTTP) !=
	    (int)n)
		return -1;
	p->sent += n;
	if (!final) {
		lws_callback_on_writable(wsi);
		return 0;
	}
	final = p->resp.close;
	pss_reset(p);
	if (final)
		return -1;
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}

static void drain_done(void)
{
	struct job *j, *next;

	pthread_mutex_lock(&done_lock);
	j = done_head;
	done_head = done_tail = NULL;
	pthread_mutex_unlock(&done_lock);
	for (; j; j = next) {
		struct pss *p = table_find(j->rq.conn_id);
		next = j->next;
		in_flight--;
		if (p && p->state == ST_WAITING) {
			p->resp = j->resp;
			j->resp.body = NULL;
			p->state = ST_WRITING;
			lws_set_timeout(p->wsi, NO_PENDING_TIMEOUT, 0);
			lws_callback_on_writable(p->wsi);
		}
		free(j->resp.body);
		free(j);
	}
}

static int callback_http(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                         size_t len)
{
	struct pss *p = user;

	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return on_http(wsi, p, in);
	case LWS_CALLBACK_HTTP_BODY:
		return on_body(wsi, p, in, len);
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		if (p->state == ST_WAITING) {
			/*
			 * lws 4.1.6 re-feeds bytes pipelined behind a request
			 * body to a connection still in its body state: this
			 * callback repeats, consuming nothing, in a busy loop
			 * that starves every other connection until the answer
			 * is out (and, after a GET, never ends). Closing at once
			 * is the only safe way out: the client sends again what
			 * went unanswered (RFC 9112 9.3.2: a client should not
			 * pipeline after a request with a body anyway).
			 */
			log_debug("closing a connection that pipelined behind a body");
			return -1;
		}
		if (p->state != ST_READING || !p->rq)
			return 0;
		if (p->rq->body_len != p->expected)
			return answer_now(wsi, p, PROTO_ERR_BAD_REQUEST, p->rq->request_id, 1);
		lws_set_timeout(wsi, NO_PENDING_TIMEOUT, 0);
		return submit(wsi, p);
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return on_writeable(wsi, p);
	case LWS_CALLBACK_HTTP_FILE_COMPLETION:
		pss_reset(p);
		return lws_http_transaction_completed(wsi) ? -1 : 0;
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		if (p)
			pss_reset(p);
		break;
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		drain_done();
		break;
	default:
		break;
	}
	return lws_callback_http_dummy(wsi, reason, user, in, len);
}

static const struct lws_protocols protocols[] = {
    {"http", callback_http, sizeof(struct pss), 0, 0, NULL, 0}, {NULL, NULL, 0, 0, 0, NULL, 0}};

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
	info.timeout_secs = (unsigned)cfg.request_timeout;
	info.keepalive_timeout = 5;
	info.max_http_header_data = 4096;
	info.pt_serv_buf_size = 65536;
	info.ka_time = 60;
	info.ka_probes = 3;
	info.ka_interval = 10;
	if (!strchr(host, ':'))
		info.options |= LWS_SERVER_OPTION_DISABLE_IPV6;
	ctx = lws_create_context(&info);
	if (!ctx) {
		log_error("cannot listen on '%s'", listen);
		return -1;
	}
	log_info("listening on http://%s", listen);
	return 0;
}

void http_request_stop(void)
{
	stop_requested = 1;
	if (ctx)
		lws_cancel_service(ctx);
}

void http_run(int drain_s)
{
	double deadline = 0;

	thread_role_set_loop();
	for (;;) {
		if (lws_service(ctx, 0) < 0)
			break;
		if (stop_requested && !draining) {
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
	if (ctx)
		lws_context_destroy(ctx);
	ctx = NULL;
	/* Answers that arrived after the loop ended. */
	while (done_head) {
		struct job *j = done_head;
		done_head = j->next;
		free(j->resp.body);
		free(j);
	}
	done_tail = NULL;
}
