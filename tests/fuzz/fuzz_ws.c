/*
 * fuzz_ws.c: libFuzzer harness for the WebSocket reader and the client
 * message parser of the hub (server/ws/ws_frame.c).
 *
 * One input is used three ways:
 *
 * 1. as client bytes: ws_read gives the same events (kind and payload)
 *    whether the bytes come at once, one by one, or cut at a point taken
 *    from the input; messages are at most WS_MAX_MESSAGE bytes, control
 *    payloads at most 125; nothing is read after an error;
 * 2. as a text message: ws_parse_op accepts only the four ops with their
 *    fields (ids 1..2^53-1, a token without NUL), and refuses everything
 *    else with one of its two slugs and a message;
 * 3. as a payload: framed the way a client must (masked, maybe split into
 *    fragments with a ping between), it reads back exactly, or as
 *    WS_EV_TOO_LARGE past 4 KiB; the server's frame header encodes its
 *    length in the shortest form.
 *
 *   clang -fsanitize=fuzzer,address,undefined -I server -I protocol tests/fuzz/fuzz_ws.c \
 *       server/ws/ws_frame.c protocol/proto_*.c $(pkg-config --cflags --libs libcjson)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto_json.h"
#include "ws/ws_frame.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

#define MAX_EVENTS 64

struct events {
	int n;
	enum ws_event ev[MAX_EVENTS];
	size_t len[MAX_EVENTS];
	uint32_t hash[MAX_EVENTS];
};

static uint32_t fnv(const char *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)p[i]) * 16777619u;
	return h;
}

/* Feed data in pieces of at most step bytes (0: all at once; cut: first piece). */
static void run(const uint8_t *data, size_t size, size_t step, size_t cut, struct events *e)
{
	struct ws_reader r;
	size_t off = 0;

	memset(&r, 0, sizeof(r));
	memset(e, 0, sizeof(*e));
	while (off < size && e->n < MAX_EVENTS) {
		size_t piece = size - off, used;
		if (cut && off == 0 && cut < piece)
			piece = cut;
		else if (step && step < piece)
			piece = step;
		/* A private copy: ASan sees any read past the piece. */
		uint8_t *copy = malloc(piece);
		check(copy != NULL);
		memcpy(copy, data + off, piece);
		size_t p = 0;
		while (p < piece && e->n < MAX_EVENTS) {
			const char *msg;
			size_t len;
			enum ws_event ev = ws_read(&r, copy + p, piece - p, &used, &msg, &len);
			check(used <= piece - p);
			check(used > 0 || ev != WS_EV_NONE || piece - p == 0);
			p += used;
			if (ev == WS_EV_NONE)
				continue;
			if (ev == WS_EV_TEXT || ev == WS_EV_BINARY)
				check(len <= WS_MAX_MESSAGE && msg != NULL && msg[len] == '\0');
			if (ev == WS_EV_PING || ev == WS_EV_PONG)
				check(len <= 125);
			e->ev[e->n] = ev;
			e->len[e->n] = len;
			e->hash[e->n] = msg ? fnv(msg, len) : 0;
			e->n++;
			if (ev == WS_EV_ERROR) {
				free(copy);
				ws_reader_free(&r);
				return;
			}
		}
		free(copy);
		off += piece;
	}
	ws_reader_free(&r);
}

static int same(const struct events *a, const struct events *b)
{
	if (a->n != b->n)
		return 0;
	for (int i = 0; i < a->n; i++)
		if (a->ev[i] != b->ev[i] || a->len[i] != b->len[i] || a->hash[i] != b->hash[i])
			return 0;
	return 1;
}

static void check_op(const char *text, size_t len)
{
	struct ws_op op;
	const char *slug = NULL, *field = NULL;
	char msg[120];
	int rc = ws_parse_op(text, len, &op, &slug, &field, msg, sizeof(msg));

	check(rc == 0 || rc == -1);
	if (rc == 0) {
		check(op.kind >= WS_OPK_AUTH && op.kind <= WS_OPK_PING);
		if (op.kind == WS_OPK_SUBSCRIBE || op.kind == WS_OPK_UNSUBSCRIBE)
			check(op.screening_id >= 1 && op.screening_id <= PROTO_MAX_ID);
		if (op.kind == WS_OPK_AUTH)
			check(strlen(op.token) < sizeof(op.token));
		check(memchr(text, '{', len) != NULL);
	} else {
		check(slug && (!strcmp(slug, "bad_request") || !strcmp(slug, "invalid_field")));
		check(strlen(msg) > 0);
		check(!field || !strcmp(slug, "invalid_field"));
	}
}

/* Frame payload as a client would: masked, in fragments of frag bytes, a ping between. */
static void check_roundtrip(const uint8_t *payload, size_t n, size_t frag)
{
	uint8_t *f = malloc(n + 14 * (n / (frag ? frag : 1) + 2) + 64);
	size_t o = 0, off = 0;
	struct events e;
	int first = 1;

	check(f != NULL);
	if (!frag)
		frag = n ? n : 1;
	if (frag < n / 32 + 1) /* at most 32 fragments: their pings fit MAX_EVENTS */
		frag = n / 32 + 1;
	do {
		size_t k = n - off < frag ? n - off : frag;
		int fin = off + k == n;
		uint8_t mask[4] = {(uint8_t)k, 0x5a, (uint8_t)off, 0xa5};
		f[o++] = (uint8_t)((fin ? 0x80 : 0) | (first ? 1 : 0));
		if (k < 126) {
			f[o++] = (uint8_t)(0x80 | k);
		} else if (k <= 0xffff) {
			f[o++] = 0x80 | 126;
			f[o++] = (uint8_t)(k >> 8);
			f[o++] = (uint8_t)k;
		} else {
			f[o++] = 0x80 | 127;
			for (int i = 7; i >= 0; i--)
				f[o++] = (uint8_t)((uint64_t)k >> (8 * i));
		}
		memcpy(f + o, mask, 4);
		o += 4;
		for (size_t i = 0; i < k; i++)
			f[o + i] = payload[off + i] ^ mask[i & 3];
		o += k;
		off += k;
		first = 0;
		if (!fin) { /* a ping may come between fragments */
			f[o++] = 0x89;
			f[o++] = 0x80;
			memset(f + o, 0, 4);
			o += 4;
		}
	} while (off < n);
	run(f, o, 0, 0, &e);
	check(e.n >= 1);
	if (n > WS_MAX_MESSAGE) {
		check(e.ev[e.n - 1] == WS_EV_TOO_LARGE);
	} else {
		check(e.ev[e.n - 1] == WS_EV_TEXT && e.len[e.n - 1] == n &&
		      e.hash[e.n - 1] == fnv((const char *)payload, n));
	}
	for (int i = 0; i + 1 < e.n; i++)
		check(e.ev[i] == WS_EV_PING);
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct events whole, bytes, cut;
	unsigned char h[10];

	if (size > 65536)
		return 0;
	/* 1. client bytes */
	run(data, size, 0, 0, &whole);
	run(data, size, 1, 0, &bytes);
	check(same(&whole, &bytes));
	run(data, size, 7, size ? data[0] % (size + 1) : 0, &cut);
	check(same(&whole, &cut));
	/* 2. a text message */
	check_op((const char *)data, size);
	/* 3. a payload */
	check_roundtrip(data, size, size > 1 ? (size_t)data[size - 1] * 17 + 1 : 0);
	{
		size_t hl = ws_frame_header(h, WS_OP_TEXT, size);
		check(h[0] == 0x81);
		check(hl == (size < 126 ? 2u : size <= 0xffff ? 4u : 10u));
		if (hl == 2)
			check(h[1] == size);
		if (hl == 4)
			check(((size_t)h[2] << 8 | h[3]) == size && size >= 126);
	}
	return 0;
}
