/*
 * net.c: the network thread. libcurl's multi interface runs the HTTP
 * requests and libwebsockets the WebSocket, both serviced from one loop:
 * lws_service() sleeps until a socket of lws is ready, a timer (sul) fires
 * (every 10 ms while transfers run, else 200 ms) or the UI thread calls
 * lws_cancel_service() after queueing something.
 */
#include "net.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <libwebsockets.h>

#include "proto_wire.h"

#define BODY_MAX (4u << 20)
#define WS_RX_MAX (1u << 20)
#define WS_TXQ 8
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000

struct req {
	struct req *next;
	int tag;
	int64_t ctx;
	char path[64];
	char *token;
	char *body;
	/* while running */
	CURL *easy;
	struct curl_slist *hdrs;
	char *resp;
	size_t len;
	int too_big;
};

struct evnode {
	struct evnode *next;
	struct net_event ev;
};

struct net {
	pthread_t thread;
	pthread_mutex_t mu;
	int stop;
	struct req *incoming;             /* under mu */
	struct evnode *ev_head, *ev_tail; /* under mu */
	char want_token[1024];            /* under mu */
	int64_t want_screening;           /* under mu */
	int resub;                        /* under mu */
	int want_changed;                 /* under mu */

	/* thread-only */
	char base[256];
	char host[128];
	int port;
	char path_prefix[128];
	CURLM *multi;
	struct req *running;
	int nrunning;
	struct lws_context *lws;
	lws_sorted_usec_list_t sul;
	struct lws *wsi;
	int ws_established, ws_authed, ws_closing;
	int64_t backoff_ms, next_try_ms;
	char token[1024];
	int64_t subscribed, screening;
	char *txq[WS_TXQ];
	int ntx;
	char *rx;
	size_t rxlen;
	int reported_down;
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void push_event(struct net *n, struct net_event *ev)
{
	struct evnode *e = calloc(1, sizeof(*e));

	if (!e) {
		free(ev->body);
		return;
	}
	e->ev = *ev;
	pthread_mutex_lock(&n->mu);
	if (n->ev_tail)
		n->ev_tail->next = e;
	else
		n->ev_head = e;
	n->ev_tail = e;
	pthread_mutex_unlock(&n->mu);
}

static void push_simple(struct net *n, enum net_event_kind k, char *body)
{
	struct net_event ev = {0};

	ev.kind = k;
	ev.body = body;
	push_event(n, &ev);
}

/* --- HTTP ------------------------------------------------------------------------ */

static size_t on_body(char *p, size_t sz, size_t nm, void *u)
{
	struct req *r = u;
	size_t k = sz * nm;
	char *nb;

	if (r->len + k > BODY_MAX) {
		r->too_big = 1;
		return 0;
	}
	if (!(nb = realloc(r->resp, r->len + k + 1)))
		return 0;
	r->resp = nb;
	memcpy(r->resp + r->len, p, k);
	r->len += k;
	r->resp[r->len] = '\0';
	return k;
}

static void req_free(struct req *r)
{
	if (!r)
		return;
	if (r->easy)
		curl_easy_cleanup(r->easy);
	curl_slist_free_all(r->hdrs);
	free(r->token);
	free(r->body);
	free(r->resp);
	free(r);
}

static void fail_req(struct net *n, struct req *r, const char *why)
{
	struct net_event ev = {0};

	ev.kind = NET_EV_HTTP;
	ev.tag = r->tag;
	ev.ctx = r->ctx;
	snprintf(ev.err, sizeof(ev.err), "%s", why);
	push_event(n, &ev);
	req_free(r);
}

static void start_req(struct net *n, struct req *r)
{
	char url[384], auth[1100];

	snprintf(url, sizeof(url), "%s%s", n->base, r->path);
	if (!(r->easy = curl_easy_init())) {
		fail_req(n, r, "out of memory");
		return;
	}
	r->hdrs = curl_slist_append(NULL, "Content-Type: application/json");
	if (r->token && r->token[0]) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s", r->token);
		r->hdrs = curl_slist_append(r->hdrs, auth);
	}
	curl_easy_setopt(r->easy, CURLOPT_URL, url);
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, r->hdrs);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body ? r->body : "{}");
	curl_easy_setopt(r->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->easy, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(r->easy, CURLOPT_PRIVATE, r);
	curl_easy_setopt(r->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->easy, CURLOPT_CONNECTTIMEOUT, 5L);
	curl_easy_setopt(r->easy, CURLOPT_TIMEOUT, 30L);
	if (curl_multi_add_handle(n->multi, r->easy) != CURLM_OK) {
		fail_req(n, r, "cannot start request");
		return;
	}
	n->nrunning++;
	r->next = n->running;
	n->running = r;
}

static void unlink_running(struct net *n, struct req *r)
{
	for (struct req **pp = &n->running; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			return;
		}
}

static void finish_reqs(struct net *n)
{
	CURLMsg *m;
	int left;

	while ((m = curl_multi_info_read(n->multi, &left))) {
		struct req *r = NULL;
		struct net_event ev = {0};

		if (m->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		curl_multi_remove_handle(n->multi, m->easy_handle);
		n->nrunning--;
		unlink_running(n, r);
		ev.kind = NET_EV_HTTP;
		ev.tag = r->tag;
		ev.ctx = r->ctx;
		if (m->data.result == CURLE_OK) {
			curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &ev.status);
			ev.body = r->resp;
			r->resp = NULL;
		} else {
			snprintf(ev.err, sizeof(ev.err), "%s",
			         r->too_big ? "answer too large"
			                    : curl_easy_strerror(m->data.result));
		}
		push_event(n, &ev);
		req_free(r);
	}
}

/* --- WebSocket ----------------------------------------------------------------------- */

static void tx_push(struct net *n, char *msg)
{
	if (!msg)
		return;
	if (n->ntx >= WS_TXQ) {
		free(msg);
		return;
	}
	n->txq[n->ntx++] = msg;
	if (n->wsi)
		lws_callback_on_writable(n->wsi);
}

static char *op_msg(const char *op, int64_t screening, const char *token)
{
	char *m = malloc(1200);

	if (!m)
		return NULL;
	if (token)
		snprintf(m, 1200, "{\"op\":\"%s\",\"token\":\"%s\"}", op, token);
	else if (screening)
		snprintf(m, 1200, "{\"op\":\"%s\",\"screeningId\":%lld}", op, (long long)screening);
	else
		snprintf(m, 1200, "{\"op\":\"%s\"}", op);
	return m;
}

static void ws_reset(struct net *n)
{
	for (int i = 0; i < n->ntx; i++)
		free(n->txq[i]);
	n->ntx = 0;
	free(n->rx);
	n->rx = NULL;
	n->rxlen = 0;
	n->wsi = NULL;
	n->ws_established = n->ws_authed = n->ws_closing = 0;
	n->subscribed = 0;
}

static void ws_down(struct net *n)
{
	int was = n->ws_authed;

	ws_reset(n);
	if (n->backoff_ms < BACKOFF_MIN_MS)
		n->backoff_ms = BACKOFF_MIN_MS;
	else if ((n->backoff_ms *= 2) > BACKOFF_MAX_MS)
		n->backoff_ms = BACKOFF_MAX_MS;
	n->next_try_ms = mono_ms() + n->backoff_ms;
	if (was || !n->reported_down)
		push_simple(n, NET_EV_WS_DOWN, NULL);
	n->reported_down = 1;
}

/* Bring the subscription in line with what the UI wants. */
static void ws_sync_sub(struct net *n)
{
	if (!n->ws_authed || n->subscribed == n->screening)
		return;
	if (n->subscribed)
		tx_push(n, op_msg(PROTO_WS_OP_UNSUBSCRIBE, n->subscribed, NULL));
	if (n->screening)
		tx_push(n, op_msg(PROTO_WS_OP_SUBSCRIBE, n->screening, NULL));
	n->subscribed = n->screening;
}

static void ws_received(struct net *n, char *text)
{
	if (!n->ws_authed && strstr(text, "\"" PROTO_WS_TYPE_AUTH_OK "\"")) {
		n->ws_authed = 1;
		n->backoff_ms = 0;
		n->reported_down = 0;
		push_simple(n, NET_EV_WS_UP, NULL);
		ws_sync_sub(n);
	}
	push_simple(n, NET_EV_WS_MSG, text);
}

static int ws_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                 size_t len)
{
	struct net *n = lws_context_user(lws_get_context(wsi));
	unsigned char buf[LWS_PRE + 1200];
	char *nb;

	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		n->ws_established = 1;
		tx_push(n, op_msg(PROTO_WS_OP_AUTH, 0, n->token));
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (n->rxlen + len > WS_RX_MAX)
			return -1;
		if (!(nb = realloc(n->rx, n->rxlen + len + 1)))
			return -1;
		n->rx = nb;
		memcpy(n->rx + n->rxlen, in, len);
		n->rxlen += len;
		n->rx[n->rxlen] = '\0';
		if (lws_is_final_fragment(wsi)) {
			char *t = n->rx;
			n->rx = NULL;
			n->rxlen = 0;
			ws_received(n, t);
		}
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE: {
		size_t k;
		if (n->ws_closing)
			return -1;
		if (n->ntx == 0)
			break;
		k = strlen(n->txq[0]);
		if (k > sizeof(buf) - LWS_PRE)
			k = sizeof(buf) - LWS_PRE;
		memcpy(buf + LWS_PRE, n->txq[0], k);
		free(n->txq[0]);
		memmove(&n->txq[0], &n->txq[1], (size_t)(n->ntx - 1) * sizeof(n->txq[0]));
		n->ntx--;
		if (lws_write(wsi, buf + LWS_PRE, k, LWS_WRITE_TEXT) < (int)k)
			return -1;
		if (n->ntx)
			lws_callback_on_writable(wsi);
		break;
	}
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		/* lws may have cleared *pwsi already: there is one connection at a time */
		if (wsi == n->wsi || !n->wsi)
			ws_down(n);
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
		if (wsi == n->wsi)
			ws_down(n);
		break;
	default:
		break;
	}
	(void)user;
	return 0;
}

static const struct lws_protocols protocols[] = {
    {PROTO_WS_SUBPROTOCOL, ws_cb, 0, 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void ws_connect(struct net *n)
{
	struct lws_client_connect_info ci;
	char path[192];

	memset(&ci, 0, sizeof(ci));
	snprintf(path, sizeof(path), "%s%s", n->path_prefix, PROTO_PATH_WS);
	ci.context = n->lws;
	ci.address = n->host;
	ci.port = n->port;
	ci.path = path;
	ci.host = n->host;
	ci.origin = n->host;
	ci.protocol = PROTO_WS_SUBPROTOCOL;
	ci.pwsi = &n->wsi;
	n->ws_established = n->ws_authed = 0;
	if (!lws_client_connect_via_info(&ci)) {
		n->wsi = NULL;
		ws_down(n);
	}
}

static void tick(lws_sorted_usec_list_t *sul)
{
	(void)sul; /* only wakes lws_service up */
}

/* --- the thread ------------------------------------------------------------------------ */

static void *run(void *arg)
{
	struct net *n = arg;

	for (;;) {
		struct req *in, *next;
		int still, stop, changed, resub;
		char token[1024];
		int64_t screening;

		pthread_mutex_lock(&n->mu);
		stop = n->stop;
		in = n->incoming;
		n->incoming = NULL;
		changed = n->want_changed;
		n->want_changed = 0;
		resub = n->resub;
		n->resub = 0;
		memcpy(token, n->want_token, sizeof(token));
		screening = n->want_screening;
		pthread_mutex_unlock(&n->mu);
		if (stop) {
			while (in) {
				next = in->next;
				req_free(in);
				in = next;
			}
			break;
		}
		/* requests were pushed at the head: start them oldest first */
		{
			struct req *rev = NULL;
			while (in) {
				next = in->next;
				in->next = rev;
				rev = in;
				in = next;
			}
			for (in = rev; in; in = next) {
				next = in->next;
				in->next = NULL;
				start_req(n, in);
			}
		}
		curl_multi_perform(n->multi, &still);
		finish_reqs(n);

		if (changed) {
			if (strcmp(token, n->token)) {
				memcpy(n->token, token, sizeof(n->token));
				if (n->wsi) {
					n->ws_closing = 1;
					lws_callback_on_writable(n->wsi);
				}
				n->backoff_ms = 0;
				n->next_try_ms = 0;
			}
			n->screening = screening;
			ws_sync_sub(n);
		}
		if (resub && n->ws_authed && n->screening) {
			n->subscribed = 0;
			tx_push(n, op_msg(PROTO_WS_OP_UNSUBSCRIBE, n->screening, NULL));
			ws_sync_sub(n);
		}
		if (!n->wsi && n->token[0] && mono_ms() >= n->next_try_ms)
			ws_connect(n);

		lws_sul_schedule(n->lws, 0, &n->sul, tick,
		                 (n->nrunning ? 10 : 200) * LWS_US_PER_MS);
		lws_service(n->lws, 0);
	}
	return NULL;
}

struct net *net_new(const char *base_url, char *err, size_t errlen)
{
	struct net *n = calloc(1, sizeof(*n));
	struct lws_context_creation_info info;
	char tmp[256];
	const char *prot, *ads, *path;

	if (!n) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&n->mu, NULL);
	snprintf(n->base, sizeof(n->base), "%s", base_url);
	snprintf(tmp, sizeof(tmp), "%s", base_url);
	if (lws_parse_uri(tmp, &prot, &ads, &n->port, &path) || strcmp(prot, "http")) {
		snprintf(err, errlen, "server url '%s' is not http://host:port", base_url);
		goto fail;
	}
	snprintf(n->host, sizeof(n->host), "%s", ads);
	/* "" for "http://h:p" and "http://h:p/", "/bo" for "http://h:p/bo/" */
	while (*path == '/')
		path++;
	snprintf(n->path_prefix, sizeof(n->path_prefix), "%s%s", path[0] ? "/" : "", path);
	{
		size_t k = strlen(n->path_prefix);
		while (k && n->path_prefix[k - 1] == '/')
			n->path_prefix[--k] = '\0';
	}
	if (!(n->multi = curl_multi_init())) {
		snprintf(err, errlen, "cannot start libcurl");
		goto fail;
	}
	/*
	 * lws logs to stderr by default, which would scribble over curses; with
	 * BOXOFFICE_LWS_LOG set (and --log sending stderr to a file) it may.
	 */
	lws_set_log_level(
	    getenv("BOXOFFICE_LWS_LOG") ? LLL_ERR | LLL_WARN | LLL_NOTICE | LLL_INFO : 0, NULL);
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.user = n;
	info.gid = -1;
	info.uid = -1;
	if (!(n->lws = lws_create_context(&info))) {
		snprintf(err, errlen, "cannot start libwebsockets");
		goto fail;
	}
	if (pthread_create(&n->thread, NULL, run, n)) {
		snprintf(err, errlen, "cannot start the network thread");
		goto fail;
	}
	return n;
fail:
	if (n->lws)
		lws_context_destroy(n->lws);
	if (n->multi)
		curl_multi_cleanup(n->multi);
	pthread_mutex_destroy(&n->mu);
	free(n);
	return NULL;
}

void net_free(struct net *n)
{
	struct evnode *e, *en;

	if (!n)
		return;
	pthread_mutex_lock(&n->mu);
	n->stop = 1;
	pthread_mutex_unlock(&n->mu);
	lws_cancel_service(n->lws);
	pthread_join(n->thread, NULL);
	lws_context_destroy(n->lws);
	ws_reset(n);
	for (struct req *r = n->running; r; r = n->running) {
		n->running = r->next;
		curl_multi_remove_handle(n->multi, r->easy);
		req_free(r);
	}
	curl_multi_cleanup(n->multi);
	for (e = n->ev_head; e; e = en) {
		en = e->next;
		free(e->ev.body);
		free(e);
	}
	pthread_mutex_destroy(&n->mu);
	free(n);
}

void net_submit(struct net *n, int tag, int64_t ctx, const char *path, const char *token,
                char *body)
{
	struct req *r = calloc(1, sizeof(*r));

	if (!r) {
		free(body);
		return;
	}
	r->tag = tag;
	r->ctx = ctx;
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->token = strdup(token ? token : "");
	r->body = body;
	pthread_mutex_lock(&n->mu);
	r->next = n->incoming;
	n->incoming = r;
	pthread_mutex_unlock(&n->mu);
	lws_cancel_service(n->lws);
}

void net_ws_want(struct net *n, const char *token, int64_t screening)
{
	pthread_mutex_lock(&n->mu);
	if (strcmp(n->want_token, token) || n->want_screening != screening) {
		snprintf(n->want_token, sizeof(n->want_token), "%s", token);
		n->want_screening = screening;
		n->want_changed = 1;
	}
	pthread_mutex_unlock(&n->mu);
	lws_cancel_service(n->lws);
}

void net_ws_resubscribe(struct net *n)
{
	pthread_mutex_lock(&n->mu);
	n->resub = 1;
	pthread_mutex_unlock(&n->mu);
	lws_cancel_service(n->lws);
}

int net_poll(struct net *n, struct net_event *ev)
{
	struct evnode *e;

	pthread_mutex_lock(&n->mu);
	e = n->ev_head;
	if (e) {
		n->ev_head = e->next;
		if (!n->ev_head)
			n->ev_tail = NULL;
	}
	pthread_mutex_unlock(&n->mu);
	if (!e)
		return -1;
	*ev = e->ev;
	free(e);
	return 0;
}

void net_event_release(struct net_event *ev)
{
	free(ev->body);
	ev->body = NULL;
}
