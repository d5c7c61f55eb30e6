/*
 * it_ws.c: the WebSocket hub /ws (spec section 6, issue 8) with a client
 * written here over raw sockets (RFC 6455 framing, masked frames): every op
 * and error; snapshot then ordered deltas while other clients hold and
 * release; two subscribers converge on /screening/seats; a gap brings a
 * fresh snapshot; a slow reader is dropped at 1 MiB while a fast one keeps
 * receiving; order.update to owner and cashier only; announcements to
 * everyone; a second daemon on another port sharing Redis delivers a hold
 * made on the first within 100 ms. Publications are made with a small RESP
 * client on the fixture's Redis where no route makes them yet.
 */
// ctest: RUN_SERIAL
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixtures.h"
#include "core/clock.h"

#define DAY 86400
#define LAYOUT "[\"SSSSSSSS\",\"SSSSSSSS\",\"SSSSSSSS\"]"

static char *admin, *cust, *cust2, *cashier;
static int64_t cust_uid, cust2_uid, cashier_uid, film, hall;

static int tcp_connect(int port, int rcvbuf)
{
	struct sockaddr_in dst = {0};
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	if (rcvbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0) {
		print_error("connect %d: %s\n", port, strerror(errno));
		fail();
	}
	return fd;
}

/* ------------------------------------------------------------ RESP */

/* Run a Redis command on port; returns the first line of the reply (static). */
static const char *redis_on(int port, int argc, const char **argv)
{
	static char line[512];
	char *req;
	size_t n = 0, cap = 64;
	int fd = tcp_connect(port, 0);
	size_t got = 0;

	for (int i = 0; i < argc; i++)
		cap += strlen(argv[i]) + 32;
	req = malloc(cap);
	assert_non_null(req);
	n += (size_t)snprintf(req + n, cap - n, "*%d\r\n", argc);
	for (int i = 0; i < argc; i++)
		n += (size_t)snprintf(req + n, cap - n, "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
	assert_int_equal(send(fd, req, n, MSG_NOSIGNAL), (ssize_t)n);
	free(req);
	while (got < sizeof(line) - 1) {
		ssize_t k = recv(fd, line + got, sizeof(line) - 1 - got, 0);
		if (k <= 0)
			break;
		got += (size_t)k;
		line[got] = '\0';
		if (strstr(line, "\r\n"))
			break;
	}
	line[got] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	close(fd);
	return line;
}

/*
 * Run a Redis command; returns the first line of the reply (static). On a
 * Redis Cluster the key's owner answers "-MOVED slot host:port": go there.
 */
static const char *redis(int argc, const char **argv)
{
	const char *line = redis_on(atoi(it_env("REDIS_PORT")), argc, argv);

	for (int hop = 0; hop < 3 && !strncmp(line, "-MOVED ", 7); hop++)
		line = redis_on(atoi(strrchr(line, ':') + 1), argc, argv);
	return line;
}

static void publish(const char *channel, const char *text)
{
	const char *argv[] = {"PUBLISH", channel, text};
	const char *r = redis(3, argv);

	assert_int_equal(r[0], ':');
}

/* A seat change as the contract says: the hold hash, the version, the publication, in one script.
 */
static int64_t seat_change(int64_t sid, const char *seat, const char *state)
{
	static const char script[] =
	    "if ARGV[2] == 'h' then redis.call('HSET', KEYS[1], ARGV[1], '1') "
	    "else redis.call('HDEL', KEYS[1], ARGV[1]) end "
	    "local v = redis.call('INCR', KEYS[2]) "
	    "redis.call('PUBLISH', ARGV[3], '{\"screeningId\":' .. ARGV[4] .. ',\"version\":' .. v "
	    ".. "
	    "',\"changes\":[{\"seat\":\"' .. ARGV[1] .. '\",\"state\":\"' .. ARGV[2] .. '\"}]}') "
	    "return v";
	char k1[64], k2[64], ch[64], id[32];
	const char *argv[] = {"EVAL", script, "2", k1, k2, seat, state, ch, id};
	const char *r;

	snprintf(k1, sizeof(k1), "%s", it_rkey("seats", sid));
	snprintf(k2, sizeof(k2), "%s", it_rkey("seatver", sid));
	snprintf(ch, sizeof(ch), "boxoffice:seats:%lld", (long long)sid);
	snprintf(id, sizeof(id), "%lld", (long long)sid);
	r = redis(9, argv);
	assert_int_equal(r[0], ':');
	return atoll(r + 1);
}

/* ------------------------------------------------------------ WebSocket client */

struct ws {
	int fd;
	unsigned char buf[1 << 20];
	size_t len;
	int closed;
};

static struct ws *ws_open_port(int port, const char *protocol, int rcvbuf, int *status)
{
	struct ws *w = calloc(1, sizeof(*w));
	char req[512];
	double end = clock_s() + 5;
	char *he;
	int n;

	assert_non_null(w);
	w->fd = tcp_connect(port, rcvbuf);
	n = snprintf(req, sizeof(req),
	             "GET /ws HTTP/1.1\r\nHost: t\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
	             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
	             "%s%s%s\r\n",
	             protocol ? "Sec-WebSocket-Protocol: " : "", protocol ? protocol : "",
	             protocol ? "\r\n" : "");
	assert_int_equal(send(w->fd, req, (size_t)n, MSG_NOSIGNAL), n);
	while (!(he = memmem(w->buf, w->len, "\r\n\r\n", 4)) && clock_s() < end) {
		struct pollfd p = {.fd = w->fd, .events = POLLIN};
		ssize_t k;
		if (poll(&p, 1, 100) <= 0)
			continue;
		k = recv(w->fd, w->buf + w->len, 4096, 0);
		if (k <= 0)
			break;
		w->len += (size_t)k;
	}
	assert_non_null(he);
	*status = atoi((char *)w->buf + 9);
	if (*status == 101) {
		/* RFC 6455 1.3: the accept value of the sample nonce. */
		assert_non_null(memmem(w->buf, w->len,
		                       "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", 50));
		assert_non_null(memmem(w->buf, w->len, "Sec-WebSocket-Protocol: boxoffice.v1", 36));
	}
	{
		size_t hl = (size_t)(he + 4 - (char *)w->buf);
		memmove(w->buf, w->buf + hl, w->len - hl);
		w->len -= hl;
	}
	return w;
}

static struct ws *ws_open(void)
{
	int st;
	struct ws *w = ws_open_port(atoi(it_env("HTTP_PORT")), "boxoffice.v1", 0, &st);

	assert_int_equal(st, 101);
	return w;
}

static void ws_close(struct ws *w)
{
	close(w->fd);
	free(w);
}

static void ws_send_frame(struct ws *w, int op, const void *p, size_t n, int fin)
{
	unsigned char *f = malloc(n + 14);
	static const unsigned char mask[4] = {0x12, 0x34, 0x56, 0x78};
	size_t h = 0;

	assert_non_null(f);
	f[h++] = (unsigned char)((fin ? 0x80 : 0) | op);
	if (n < 126) {
		f[h++] = (unsigned char)(0x80 | n);
	} else if (n <= 0xffff) {
		f[h++] = 0x80 | 126;
		f[h++] = (unsigned char)(n >> 8);
		f[h++] = (unsigned char)n;
	} else {
		f[h++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			f[h++] = (unsigned char)((uint64_t)n >> (8 * i));
	}
	memcpy(f + h, mask, 4);
	h += 4;
	for (size_t i = 0; i < n; i++)
		f[h + i] = ((const unsigned char *)p)[i] ^ mask[i & 3];
	assert_int_equal(send(w->fd, f, h + n, MSG_NOSIGNAL), (ssize_t)(h + n));
	free(f);
}

static void ws_send(struct ws *w, const char *text)
{
	ws_send_frame(w, 1, text, strlen(text), 1);
}

/*
 * The next text message within ms (malloc'd), or NULL. Answers pings; a
 * close frame or EOF sets closed.
 */
static char *ws_recv(struct ws *w, int ms)
{
	double end = clock_s() + ms / 1000.0;

	for (;;) {
		if (w->len >= 2) {
			unsigned op = w->buf[0] & 0x0f;
			uint64_t n = w->buf[1] & 0x7f;
			size_t h = 2;
			if (n == 126 && w->len >= 4) {
				n = ((uint64_t)w->buf[2] << 8) | w->buf[3];
				h = 4;
			} else if (n == 127 && w->len >= 10) {
				n = 0;
				for (int i = 0; i < 8; i++)
					n = (n << 8) | w->buf[2 + i];
				h = 10;
			} else if (n >= 126) {
				goto more;
			}
			assert_false(w->buf[1] & 0x80); /* server frames are not masked */
			if (w->len >= h + n) {
				char *msg = NULL;
				if (op == 1) {
					msg = malloc(n + 1);
					assert_non_null(msg);
					memcpy(msg, w->buf + h, n);
					msg[n] = '\0';
				} else if (op == 9) {
					ws_send_frame(w, 10, w->buf + h, n, 1);
				} else if (op == 8) {
					w->closed = 1;
				}
				memmove(w->buf, w->buf + h + n, w->len - h - n);
				w->len -= h + n;
				if (msg)
					return msg;
				if (w->closed)
					return NULL;
				continue;
			}
		}
	more:
		if (w->closed)
			return NULL;
		{
			double left = end - clock_s();
			struct pollfd p = {.fd = w->fd, .events = POLLIN};
			ssize_t k;
			if (left <= 0 || poll(&p, 1, (int)(left * 1000) + 1) <= 0)
				return NULL;
			if (w->len == sizeof(w->buf))
				fail();
			k = recv(w->fd, w->buf + w->len, sizeof(w->buf) - w->len, 0);
			if (k <= 0) {
				w->closed = 1;
				return NULL;
			}
			w->len += (size_t)k;
		}
	}
}

/* The next message as JSON; fails when none comes within ms or when its type is not type. */
static cJSON *ws_expect(struct ws *w, const char *type, int ms)
{
	char *m = ws_recv(w, ms);
	cJSON *j;
	const cJSON *t;

	if (!m) {
		print_error("no '%s' message within %d ms\n", type, ms);
		fail();
	}
	j = cJSON_Parse(m);
	assert_non_null(j);
	t = cJSON_GetObjectItem(j, "type");
	if (!cJSON_IsString(t) || strcmp(t->valuestring, type)) {
		print_error("expected '%s', got %.300s\n", type, m);
		fail();
	}
	free(m);
	return j;
}

static void ws_expect_error(struct ws *w, const char *slug)
{
	cJSON *j = ws_expect(w, "error", 5000);

	assert_string_equal(cJSON_GetObjectItem(j, "error")->valuestring, slug);
	assert_true(cJSON_IsString(cJSON_GetObjectItem(j, "msg")));
	cJSON_Delete(j);
}

/* ping -> pong: the connection is open and everything sent before was answered. */
static void ws_roundtrip(struct ws *w)
{
	ws_send(w, "{\"op\":\"ping\"}");
	cJSON_Delete(ws_expect(w, "pong", 5000));
}

static int64_t jint(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItem(o, k);

	assert_true(cJSON_IsNumber(v));
	return (int64_t)v->valuedouble;
}

/* ------------------------------------------------------------ seat model */

/* A client's view of a screening: seat id -> state, built from a snapshot and deltas. */
struct view {
	int64_t sid, version;
	char layout[26][64], state[26][64];
	int rows;
};

static void view_snapshot(struct view *v, const cJSON *snap)
{
	const cJSON *layout = cJSON_GetObjectItem(snap, "layout"),
	            *state = cJSON_GetObjectItem(snap, "state");

	v->sid = jint(snap, "screeningId");
	v->version = jint(snap, "version");
	v->rows = cJSON_GetArraySize(layout);
	assert_int_equal(cJSON_GetArraySize(state), v->rows);
	for (int r = 0; r < v->rows; r++) {
		snprintf(v->layout[r], sizeof(v->layout[r]), "%s",
		         cJSON_GetArrayItem(layout, r)->valuestring);
		snprintf(v->state[r], sizeof(v->state[r]), "%s",
		         cJSON_GetArrayItem(state, r)->valuestring);
	}
}

/* The position of seat "C7" in the state rows (7th letter of row C). */
static char *view_seat(struct view *v, const char *seat)
{
	int r = seat[0] - 'A', want = atoi(seat + 1), n = 0;

	assert_true(r >= 0 && r < v->rows);
	for (char *p = v->layout[r]; *p; p++)
		if (*p != '.' && ++n == want)
			return &v->state[r][p - v->layout[r]];
	fail();
	return NULL;
}

/* Apply one delta as spec 6 says; asserts the order without gaps. */
static void view_delta(struct view *v, const cJSON *d)
{
	int64_t from = jint(d, "from"), ver = jint(d, "version");
	const cJSON *c;

	assert_int_equal(jint(d, "screeningId"), v->sid);
	if (from != v->version && !(from < v->version && ver > v->version)) {
		print_error("delta %lld..%lld on a view at %lld\n", (long long)from, (long long)ver,
		            (long long)v->version);
		fail();
	}
	assert_true(ver > v->version);
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(d, "changes"))
	{
		*view_seat(v, cJSON_GetObjectItem(c, "seat")->valuestring) =
		    cJSON_GetObjectItem(c, "state")->valuestring[0];
	}
	v->version = ver;
}

/* Read messages into v until it reaches version want (snapshots reset it). */
static void view_follow(struct ws *w, struct view *v, int64_t want, int ms)
{
	double end = clock_s() + ms / 1000.0;

	while (v->version < want) {
		double left = end - clock_s();
		char *m = left > 0 ? ws_recv(w, (int)(left * 1000) + 1) : NULL;
		cJSON *j;
		const char *type;
		if (!m) {
			print_error("view at %lld, wanted %lld\n", (long long)v->version,
			            (long long)want);
			fail();
		}
		j = cJSON_Parse(m);
		free(m);
		assert_non_null(j);
		type = cJSON_GetObjectItem(j, "type")->valuestring;
		if (!strcmp(type, "seats.delta"))
			view_delta(v, j);
		else if (!strcmp(type, "seats.snapshot"))
			view_snapshot(v, j);
		cJSON_Delete(j);
	}
}

/* /screening/seats of sid as a view. */
static void view_http(struct view *v, int64_t sid)
{
	struct it_resp *r = it_postf("/screening/seats", NULL, "{\"id\":%lld}", (long long)sid);

	it_assert_status(r, 200);
	view_snapshot(v, it_data(r));
	it_resp_free(r);
}

static int64_t screening(void)
{
	static int n;

	return it_screening_new(admin, film, hall, time(NULL) + (++n + 1) * DAY);
}

static void subscribe(struct ws *w, struct view *v, int64_t sid)
{
	char m[96];
	cJSON *j;

	snprintf(m, sizeof(m), "{\"op\":\"subscribe\",\"screeningId\":%lld}", (long long)sid);
	ws_send(w, m);
	j = ws_expect(w, "seats.snapshot", 5000);
	view_snapshot(v, j);
	cJSON_Delete(j);
}

/* ------------------------------------------------------------ tests */

static void test_ws_upgrade_only_with_the_subprotocol(void **state)
{
	int st;
	struct ws *w;

	(void)state;
	w = ws_open_port(atoi(it_env("HTTP_PORT")), "chat, boxoffice.v1", 0, &st);
	assert_int_equal(st, 101);
	ws_roundtrip(w);
	ws_close(w);
	w = ws_open_port(atoi(it_env("HTTP_PORT")), "chat", 0, &st);
	assert_int_equal(st, 400);
	ws_close(w);
	w = ws_open_port(atoi(it_env("HTTP_PORT")), NULL, 0, &st);
	assert_int_equal(st, 400);
	ws_close(w);
}

static void test_ws_every_op_and_error(void **state)
{
	struct ws *w = ws_open();
	char big[5000], m[2048];
	cJSON *j;
	struct view v;
	int64_t sids[9];

	(void)state;
	ws_roundtrip(w);
	ws_send(w, "{\"op\":");
	ws_expect_error(w, "bad_request");
	ws_send(w, "[1,2]");
	ws_expect_error(w, "bad_request");
	ws_send(w, "{\"op\":\"dance\"}");
	ws_expect_error(w, "bad_request");
	ws_send(w, "{\"op\":\"subscribe\"}");
	ws_expect_error(w, "invalid_field");
	ws_send(w, "{\"op\":\"subscribe\",\"screeningId\":999999999999}");
	ws_expect_error(w, "not_found");
	ws_send(w, "{\"op\":\"unsubscribe\",\"screeningId\":5}");
	ws_expect_error(w, "not_found");
	/* Over 4 KiB: refused, and the connection stays. */
	memset(big, ' ', sizeof(big));
	memcpy(big, "{\"op\":\"ping\"}", 13);
	ws_send_frame(w, 1, big, sizeof(big), 1);
	ws_expect_error(w, "too_large");
	ws_roundtrip(w);
	/* A fragmented message, with a control frame between the fragments. */
	ws_send_frame(w, 1, "{\"op\":", 6, 0);
	ws_send_frame(w, 9, "hi", 2, 1);
	ws_send_frame(w, 0, "\"ping\"}", 7, 1);
	cJSON_Delete(ws_expect(w, "pong", 5000));
	/* Binary frames are not read. */
	ws_send_frame(w, 2, "\x01\x02", 2, 1);
	ws_expect_error(w, "bad_request");
	/* auth: a wrong token, then a good one. */
	ws_send(w, "{\"op\":\"auth\",\"token\":\"not.a.token\"}");
	ws_expect_error(w, "unauthorized");
	snprintf(m, sizeof(m), "{\"op\":\"auth\",\"token\":\"%s\"}", cust);
	ws_send(w, m);
	j = ws_expect(w, "auth.ok", 5000);
	assert_int_equal(jint(j, "userId"), cust_uid);
	cJSON_Delete(j);
	/* At most 8 subscriptions. */
	for (int i = 0; i < 9; i++)
		sids[i] = screening();
	for (int i = 0; i < 8; i++)
		subscribe(w, &v, sids[i]);
	snprintf(m, sizeof(m), "{\"op\":\"subscribe\",\"screeningId\":%lld}", (long long)sids[8]);
	ws_send(w, m);
	ws_expect_error(w, "conflict");
	snprintf(m, sizeof(m), "{\"op\":\"unsubscribe\",\"screeningId\":%lld}", (long long)sids[0]);
	ws_send(w, m);
	subscribe(w, &v, sids[8]);
	assert_int_equal(v.sid, sids[8]);
	/* Unsubscribed: no delta of it any more. */
	seat_change(sids[0], "A1", "h");
	ws_roundtrip(w);
	{
		char *x = ws_recv(w, 300);
		if (x)
			fail_msg("a message after unsubscribing: %.300s", x);
	}
	ws_close(w);
}

static void test_ws_snapshot_then_ordered_deltas(void **state)
{
	int64_t sid = screening(), h1, h2;
	struct ws *a = ws_open(), *b = ws_open();
	struct view va, vb, vh;

	(void)state;
	subscribe(a, &va, sid);
	view_http(&vh, sid);
	assert_int_equal(va.version, vh.version);
	assert_int_equal(va.rows, vh.rows);
	for (int i = 0; i < va.rows; i++)
		assert_string_equal(va.state[i], vh.state[i]);
	subscribe(b, &vb, sid);

	/* Other clients hold and release: each client follows without a gap. */
	h1 = it_hold_id(cust, sid, "[\"A1\",\"A2\"]");
	h2 = it_hold_id(cust2, sid, "[\"B3\"]");
	for (int i = 0; i < 20; i++)
		seat_change(sid, "C8", i % 2 ? "f" : "h");
	it_postf_ok("/seat/release", cust, "{\"holdId\":%lld}", (long long)h1);
	/* Converge on what /screening/seats says (its cache lives 2 s). */
	{
		double end = clock_s() + 10;
		int same = 0;
		while (!same && clock_s() < end) {
			view_http(&vh, sid);
			view_follow(a, &va, vh.version, 5000);
			view_follow(b, &vb, vh.version, 5000);
			same = va.version == vh.version && vb.version == vh.version;
			for (int i = 0; same && i < vh.rows; i++)
				same = !strcmp(va.state[i], vh.state[i]) &&
				       !strcmp(vb.state[i], vh.state[i]);
			if (!same)
				usleep(200000); /* the cached snapshot may be older */
		}
		assert_true(same);
	}
	assert_int_equal(*view_seat(&va, "A1"), 'f');
	assert_int_equal(*view_seat(&va, "B3"), 'h');
	assert_int_equal(*view_seat(&va, "C8"), 'f');
	(void)h2;
	ws_close(a);
	ws_close(b);
}

static void test_ws_gap_brings_a_fresh_snapshot(void **state)
{
	int64_t sid = screening(), v;
	struct ws *w = ws_open();
	struct view view;
	char ch[64], text[256];
	cJSON *j;

	(void)state;
	subscribe(w, &view, sid);
	v = seat_change(sid, "A3", "h");
	view_follow(w, &view, v, 5000);
	/* A publication that skips versions (one was lost): a snapshot, never a gap. */
	{
		const char *argv[] = {"INCRBY", "", "5"};
		char key[64];
		snprintf(key, sizeof(key), "%s", it_rkey("seatver", sid));
		argv[1] = key;
		v = atoll(redis(3, argv) + 1);
	}
	snprintf(ch, sizeof(ch), "boxoffice:seats:%lld", (long long)sid);
	snprintf(text, sizeof(text),
	         "{\"screeningId\":%lld,\"version\":%lld,\"changes\":[{\"seat\":\"A4\",\"state\":"
	         "\"h\"}]}",
	         (long long)sid, (long long)v);
	publish(ch, text);
	j = ws_expect(w, "seats.snapshot", 5000);
	assert_true(jint(j, "version") >= v - 1);
	cJSON_Delete(j);
	ws_close(w);
}

static void test_ws_slow_reader_dropped_fast_one_served(void **state)
{
	struct ws *slow, *fast;
	int st, got = 0;
	char *text;
	size_t n = 60000;
	double t0;

	(void)state;
	slow = ws_open_port(atoi(it_env("HTTP_PORT")), "boxoffice.v1", 4096, &st);
	assert_int_equal(st, 101);
	fast = ws_open();
	ws_roundtrip(slow);
	ws_roundtrip(fast);
	text = malloc(n + 64);
	assert_non_null(text);
	/* 200 announcements of 60 KB: 12 MB, more than 1 MiB and the kernel's buffers. */
	t0 = clock_s();
	for (int i = 0; i < 200; i++) {
		int k = snprintf(text, 64,
		                 "{\"type\":\"announcement\",\"advert\":{\"n\":%d,\"pad\":\"", i);
		memset(text + k, 'x', n);
		strcpy(text + k + n, "\"}}");
		publish("boxoffice:announce", text);
		/* The fast reader keeps up. */
		while (got <= i) {
			cJSON *j = ws_expect(fast, "announcement", 5000);
			assert_int_equal(jint(cJSON_GetObjectItem(j, "advert"), "n"), got);
			got++;
			cJSON_Delete(j);
		}
	}
	print_message("200 x 60 KB announcements in %.2f s\n", clock_s() - t0);
	free(text);
	assert_int_equal(got, 200);
	ws_roundtrip(fast);
	/* The slow one was dropped: reading it now ends in EOF well before 200 messages. */
	{
		int msgs = 0;
		char *m;
		while ((m = ws_recv(slow, 3000)) != NULL) {
			free(m);
			msgs++;
		}
		print_message("the slow reader got %d messages before the close\n", msgs);
		assert_true(slow->closed);
		assert_true(msgs < 190);
	}
	{
		struct it_resp *r = it_request("GET", "/metrics", NULL, NULL, 0);
		it_assert_status(r, 200);
		assert_non_null(strstr(r->body, "boxoffice_ws_clients_dropped_total"));
		assert_null(strstr(r->body, "boxoffice_ws_clients_dropped_total 0\n"));
		it_resp_free(r);
	}
	ws_close(slow);
	ws_close(fast);
}

static void auth_as(struct ws *w, const char *tok)
{
	char m[1200];

	snprintf(m, sizeof(m), "{\"op\":\"auth\",\"token\":\"%s\"}", tok);
	ws_send(w, m);
	cJSON_Delete(ws_expect(w, "auth.ok", 5000));
}

static void test_ws_order_update_to_owner_and_cashier(void **state)
{
	struct ws *owner = ws_open(), *seller = ws_open(), *other = ws_open(), *anon = ws_open();
	char text[256];
	cJSON *j;

	(void)state;
	auth_as(owner, cust);
	auth_as(seller, cashier);
	auth_as(other, cust2);
	snprintf(text, sizeof(text),
	         "{\"orderId\":4242,\"uid\":%lld,\"cashierId\":%lld,\"status\":1,\"statusText\":"
	         "\"paid\"}",
	         (long long)cust_uid, (long long)cashier_uid);
	publish("boxoffice:orders", text);
	j = ws_expect(owner, "order.update", 5000);
	assert_int_equal(jint(j, "orderId"), 4242);
	assert_int_equal(jint(j, "status"), 1);
	assert_string_equal(cJSON_GetObjectItem(j, "statusText")->valuestring, "paid");
	cJSON_Delete(j);
	cJSON_Delete(ws_expect(seller, "order.update", 5000));
	/* Nobody else: their next message is the pong. */
	ws_roundtrip(other);
	ws_roundtrip(anon);
	ws_close(owner);
	ws_close(seller);
	ws_close(other);
	ws_close(anon);
}

static void test_ws_announcement_reaches_everyone(void **state)
{
	struct ws *w[5];

	(void)state;
	for (int i = 0; i < 5; i++)
		w[i] = ws_open();
	auth_as(w[0], cust);
	ws_roundtrip(w[4]);
	publish("boxoffice:announce",
	        "{\"type\":\"announcement\",\"advert\":{\"id\":7,\"title\":\"Tonight\"}}");
	for (int i = 0; i < 5; i++) {
		cJSON *j = ws_expect(w[i], "announcement", 5000);
		assert_string_equal(
		    cJSON_GetObjectItem(cJSON_GetObjectItem(j, "advert"), "title")->valuestring,
		    "Tonight");
		cJSON_Delete(j);
		ws_close(w[i]);
	}
}

/* A free TCP port on loopback. */
static int free_port(void)
{
	struct sockaddr_in a = {0};
	socklen_t l = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_family = AF_INET;
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &l);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/*
 * The second instance runs four loops on its port (SO_REUSEPORT): its
 * clients land on several loops, and every one of them gets the delta.
 */
#define SECOND_LOOPS 4
#define SECOND_CLIENTS 8

static void test_ws_two_instances_share_redis(void **state)
{
	int port = free_port(), st, i;
	char cmd[4096], log[512];
	pid_t pid;
	int64_t sid = screening();
	struct ws *w[SECOND_CLIENTS];
	struct view v[SECOND_CLIENTS];
	double t0, up = clock_s() + 60;

	(void)state;
	if (!getenv("BOXOFFICED"))
		skip();
	snprintf(log, sizeof(log), "%s/daemon2.log", it_env("STACK_DIR"));
	snprintf(cmd, sizeof(cmd),
	         "exec env BOXOFFICE_LISTEN=127.0.0.1:%d BOXOFFICE_NODE_ID=7 BOXOFFICE_LOOPS=%d "
	         "BOXOFFICE_KAFKA_BROKERS=%s BOXOFFICE_KAFKA_CONSUME=0 %s >%s 2>&1",
	         port, SECOND_LOOPS, it_env("KAFKA_BOOTSTRAP"), getenv("BOXOFFICED"), log);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* The stack's own settings: secrets and urls from its env file. */
		setenv("BOXOFFICE_JWT_SECRET", it_env("JWT_SECRET"), 1);
		setenv("BOXOFFICE_PAY_SECRET", it_env("PAY_SECRET"), 1);
		snprintf(log + 256, 256, "mysql://%s:%s@127.0.0.1:%s/%s", it_env("MYSQL_USER"),
		         it_env("MYSQL_PASSWORD"), it_env("MYSQL_PORT"), it_env("MYSQL_DB"));
		setenv("BOXOFFICE_DB_URL", log + 256, 1);
		it_redis_url(log + 256, 256);
		setenv("BOXOFFICE_REDIS_URL", log + 256, 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	/* Up when /ws answers. */
	for (;;) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = {0};
		a.sin_family = AF_INET;
		a.sin_port = htons((uint16_t)port);
		inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
		st = connect(fd, (struct sockaddr *)&a, sizeof(a));
		close(fd);
		if (st == 0)
			break;
		if (clock_s() > up) {
			kill(pid, SIGKILL);
			fail_msg("the second daemon did not come up (see %s)", log);
		}
		usleep(100000);
	}
	for (i = 0; i < SECOND_CLIENTS; i++) {
		w[i] = ws_open_port(port, "boxoffice.v1", 0, &st);
		assert_int_equal(st, 101);
		subscribe(w[i], &v[i], sid);
	}
	/* A hold on the first instance reaches the second's clients within 100 ms. */
	t0 = clock_s();
	it_hold_id(cust, sid, "[\"C2\"]");
	{
		double t_hold = clock_s() - t0;
		for (i = 0; i < SECOND_CLIENTS; i++)
			view_follow(w[i], &v[i], v[i].version + 1, 2000);
		print_message("hold answered in %.1f ms, delta to %d clients on the other instance "
		              "(%d loops) after %.1f ms\n",
		              t_hold * 1000, SECOND_CLIENTS, SECOND_LOOPS, (clock_s() - t0) * 1000);
		assert_true(clock_s() - t0 - t_hold < 0.100);
	}
	for (i = 0; i < SECOND_CLIENTS; i++) {
		assert_int_equal(*view_seat(&v[i], "C2"), 'h');
		ws_close(w[i]);
	}
	/* SIGTERM drains every loop and exits 0. */
	kill(pid, SIGTERM);
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* The subscriber thread reconnects after Redis comes back, and every subscriber gets a fresh
 * snapshot. */
static void test_ws_hub_resubscribes_after_redis_returns(void **state)
{
	int64_t sid = screening();
	struct ws *w = ws_open();
	struct view v;
	int got_snapshot = 0, got_announcement = 0;
	double end;

	(void)state;
	subscribe(w, &v, sid);
	assert_int_equal(it_stack("redis-stop"), 0);
	ws_roundtrip(w); /* the hub itself does not depend on Redis */
	assert_int_equal(it_redis_start(), 0);
	/* Publish until the hub has subscribed again (it retries every second). */
	end = clock_s() + 15;
	while ((!got_snapshot || !got_announcement) && clock_s() < end) {
		char *m;
		if (!got_announcement)
			publish("boxoffice:announce",
			        "{\"type\":\"announcement\",\"advert\":{\"title\":\"back\"}}");
		while ((m = ws_recv(w, 300)) != NULL) {
			got_snapshot |= strstr(m, "\"seats.snapshot\"") != NULL;
			got_announcement |= strstr(m, "\"announcement\"") != NULL;
			free(m);
		}
	}
	assert_true(got_announcement);
	assert_true(got_snapshot);
	ws_roundtrip(w);
	ws_close(w);
}

static int setup(void **state)
{
	(void)state;
	if (it_setup_admin_customer(&admin, &cust) < 0)
		return -1;
	{
		struct it_resp *r = it_post("/user/userinfo", cust, NULL);
		cust_uid = it_data_int(r, "id");
		it_resp_free(r);
	}
	cust2 = it_customer(&cust2_uid, NULL);
	cashier = it_cashier(&cashier_uid);
	film = it_film_sql("drama");
	hall = it_hall_new(admin, LAYOUT);
	return cust2 && cashier ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_ws_upgrade_only_with_the_subprotocol),
	    cmocka_unit_test(test_ws_every_op_and_error),
	    cmocka_unit_test(test_ws_snapshot_then_ordered_deltas),
	    cmocka_unit_test(test_ws_gap_brings_a_fresh_snapshot),
	    cmocka_unit_test(test_ws_slow_reader_dropped_fast_one_served),
	    cmocka_unit_test(test_ws_order_update_to_owner_and_cashier),
	    cmocka_unit_test(test_ws_announcement_reaches_everyone),
	    cmocka_unit_test(test_ws_two_instances_share_redis),
	    cmocka_unit_test_teardown(test_ws_hub_resubscribes_after_redis_returns, it_redis_back),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
