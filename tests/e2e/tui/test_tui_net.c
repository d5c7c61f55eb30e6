/*
 * test_tui_net.c: the network module's WebSocket client against a small
 * WebSocket server in this process (libwebsockets, subprotocol
 * boxoffice.v1, on a free loopback port). The server answers auth with
 * auth.ok and a subscribe with a snapshot, and drops the first connection
 * right after its snapshot (and refuses the very first handshake): the
 * client must report each failure, reconnect by
 * itself, authenticate and subscribe again, and so get a fresh snapshot.
 * HTTP is covered by the golden tests against the real daemon.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libwebsockets.h>

#include "net.h"

struct server {
	struct lws_context *ctx;
	pthread_t thread;
	atomic_int stop; /* set by teardown, read by the server thread */
	int port;
	int connections;
	int attempts;
	int version;
	char last_auth[512];
	char last_sub[512];
	char path[128];
};

struct session {
	char out[4][512];
	int nout;
	int close_after;
};

static struct server srv;

static int server_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                     size_t len)
{
	struct session *s = user;
	unsigned char buf[LWS_PRE + 512];
	char msg[512];

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		/* the very first handshake is refused: the client must try again */
		return ++srv.attempts == 1 ? -1 : 0;
	case LWS_CALLBACK_ESTABLISHED:
		memset(s, 0, sizeof(*s));
		lws_hdr_copy(wsi, srv.path, sizeof(srv.path), WSI_TOKEN_GET_URI);
		srv.connections++;
		break;
	case LWS_CALLBACK_RECEIVE:
		snprintf(msg, sizeof(msg), "%.*s", (int)len, (const char *)in);
		if (strstr(msg, "\"auth\"")) {
			snprintf(srv.last_auth, sizeof(srv.last_auth), "%s", msg);
			snprintf(s->out[s->nout++], sizeof(s->out[0]),
			         "{\"type\":\"auth.ok\",\"userId\":1}");
		} else if (strstr(msg, "\"subscribe\"")) {
			snprintf(srv.last_sub, sizeof(srv.last_sub), "%s", msg);
			srv.version++;
			snprintf(s->out[s->nout++], sizeof(s->out[0]),
			         "{\"type\":\"seats.snapshot\",\"screeningId\":7,\"version\":%d,"
			         "\"layout\":[\"SS\"],\"state\":[\"ff\"]}",
			         srv.version);
			/* the first connection breaks right after its snapshot */
			s->close_after = srv.connections == 1;
		}
		if (s->nout)
			lws_callback_on_writable(wsi);
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (s->nout == 0)
			break;
		len = strlen(s->out[0]);
		memcpy(buf + LWS_PRE, s->out[0], len);
		memmove(s->out[0], s->out[1], sizeof(s->out[0]) * 3);
		s->nout--;
		if (lws_write(wsi, buf + LWS_PRE, len, LWS_WRITE_TEXT) < (int)len)
			return -1;
		if (s->nout)
			lws_callback_on_writable(wsi);
		else if (s->close_after)
			return -1;
		break;
	default:
		break;
	}
	return 0;
}

static const struct lws_protocols server_protocols[] = {
    {"http-unused", lws_callback_http_dummy, 0, 0, 0, NULL, 0},
    {"boxoffice.v1", server_cb, sizeof(struct session), 1024, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static void *server_run(void *arg)
{
	while (!atomic_load(&srv.stop))
		lws_service(srv.ctx, 0);
	return NULL;
}

static int setup(void **state)
{
	struct lws_context_creation_info info;

	memset(&srv, 0, sizeof(srv));
	memset(&info, 0, sizeof(info));
	lws_set_log_level(0, NULL);
	info.port = 0; /* a free port */
	info.iface = "127.0.0.1";
	info.protocols = server_protocols;
	info.gid = -1;
	info.uid = -1;
	srv.ctx = lws_create_context(&info);
	if (!srv.ctx)
		return -1;
	srv.port = lws_get_vhost_listen_port(lws_get_vhost_by_name(srv.ctx, "default"));
	if (srv.port <= 0)
		return -1;
	return pthread_create(&srv.thread, NULL, server_run, NULL) ? -1 : 0;
}

static int teardown(void **state)
{
	atomic_store(&srv.stop, 1);
	lws_cancel_service(srv.ctx);
	pthread_join(srv.thread, NULL);
	lws_context_destroy(srv.ctx);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The next event within ms, or fail. */
static void next_event(struct net *n, struct net_event *ev, int ms)
{
	int64_t end = now_ms() + ms;

	while (now_ms() < end) {
		if (net_poll(n, ev) == 0)
			return;
		usleep(5000);
	}
	fail_msg("no network event within %d ms", ms);
}

static void expect_kind(struct net *n, enum net_event_kind k, const char *text)
{
	struct net_event ev;

	for (;;) {
		next_event(n, &ev, 10000);
		if (ev.kind == NET_EV_WS_MSG && strstr(ev.body ? ev.body : "", "auth.ok")) {
			net_event_release(&ev);
			continue; /* auth.ok comes as a message too */
		}
		break;
	}
	if (ev.kind != k)
		fail_msg("expected event %d, got %d (%s)", k, ev.kind, ev.body ? ev.body : "");
	if (text)
		assert_non_null(strstr(ev.body ? ev.body : "", text));
	net_event_release(&ev);
}

static void test_tui_net_ws_reconnects_and_resubscribes(void **state)
{
	char url[64], err[256];
	struct net *n;

	snprintf(url, sizeof(url), "http://127.0.0.1:%d", srv.port);
	n = net_new(url, err, sizeof(err));
	assert_non_null(n);
	net_ws_want(n, "tok-123", 7);
	expect_kind(n, NET_EV_WS_DOWN, NULL); /* the refused handshake */
	expect_kind(n, NET_EV_WS_UP, NULL);
	expect_kind(n, NET_EV_WS_MSG, "\"version\":1");
	assert_non_null(strstr(srv.last_auth, "tok-123"));
	assert_string_equal(srv.path, "/ws"); /* exactly the spec's path */
	assert_non_null(strstr(srv.last_sub, "\"screeningId\":7"));
	/* the server drops the connection: down, then up again by itself */
	expect_kind(n, NET_EV_WS_DOWN, NULL);
	expect_kind(n, NET_EV_WS_UP, NULL);
	expect_kind(n, NET_EV_WS_MSG, "\"version\":2");
	assert_int_equal(srv.connections, 2);
	net_free(n);
}

static void test_tui_net_bad_url_refused(void **state)
{
	char err[256];

	assert_null(net_new("ftp://x", err, sizeof(err)));
	assert_non_null(strstr(err, "ftp://x"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tui_net_ws_reconnects_and_resubscribes),
	    cmocka_unit_test(test_tui_net_bad_url_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
