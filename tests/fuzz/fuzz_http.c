/*
 * fuzz_http.c: libFuzzer harness for the HTTP request head parser
 * (server/http/http_parse.c), which reads every byte a client sends before
 * the head is complete.
 *
 * Any input: http_parse_head must not crash or read past len, and answers
 * 1 (complete), 0 (needs more) or -1 with status 400, 414 or 431. It must be
 * the same whether the bytes came at once or in pieces, since the transport
 * parses again after every read: for a complete head of length L, every
 * prefix shorter than L is "needs more" or the same refusal a shorter input
 * would give (never complete), and the first L bytes alone give the same
 * head. A complete head has a path that starts with '/' (or is "*"), holds no
 * NUL and fits HTTP_MAX_PATH; a head of more than HTTP_MAX_HEAD bytes is
 * never complete; "needs more" is never answered past the limits.
 *
 *   clang -fsanitize=fuzzer,address,undefined -I server tests/fuzz/fuzz_http.c \
 *       server/http/http_parse.c -o fuzz_http
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

/* The parser on a private copy of exactly n bytes (ASan sees any overread). */
static int parse_n(const uint8_t *data, size_t n, struct http_head *h, int *status)
{
	char *copy = malloc(n ? n : 1);
	int rc;

	check(copy != NULL);
	if (n)
		memcpy(copy, data, n);
	rc = http_parse_head(copy, n, h, status);
	free(copy);
	return rc;
}

static int same_head(const struct http_head *a, const struct http_head *b)
{
	return a->head_len == b->head_len && a->verb == b->verb && !strcmp(a->method, b->method) &&
	       !strcmp(a->path, b->path) && a->has_cl == b->has_cl && a->cl == b->cl &&
	       a->has_te == b->has_te && a->conn_close == b->conn_close &&
	       a->upgrade_ws == b->upgrade_ws && !strcmp(a->ctype, b->ctype) &&
	       !strcmp(a->authorization, b->authorization) &&
	       !strcmp(a->request_id, b->request_id) && !strcmp(a->ws_key, b->ws_key) &&
	       !strcmp(a->ws_protocol, b->ws_protocol);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct http_head h, h2;
	int status = 0, status2 = 0, rc, rc2;
	size_t cuts[4];

	if (size > 3 * HTTP_MAX_HEAD)
		return 0;
	rc = parse_n(data, size, &h, &status);
	check(rc >= -1 && rc <= 1);
	if (rc < 0)
		check(status == 400 || status == 414 || status == 431);
	if (rc == 0)
		check(size <= HTTP_MAX_HEAD + HTTP_MAX_LINE);
	if (rc != 1)
		return 0;

	check(h.head_len > 0 && h.head_len <= size && h.head_len <= HTTP_MAX_HEAD);
	check(h.path[0] == '/' || !strcmp(h.path, "*"));
	check(strlen(h.path) <= HTTP_MAX_PATH);
	check(h.verb >= HV_GET && h.verb <= HV_PRI);
	check(strlen(h.method) > 0 && strlen(h.method) < sizeof(h.method));
	check(!(h.has_te && h.has_cl) || h.verb == HV_PRI);
	check(data[h.head_len - 1] == '\n');
	check(h.verb != HV_GET || !strcmp(h.method, "GET"));
	check(h.verb != HV_POST || !strcmp(h.method, "POST"));

	/* The head alone parses the same. */
	rc2 = parse_n(data, h.head_len, &h2, &status2);
	check(rc2 == 1 && same_head(&h, &h2));
	/* Shorter prefixes are never complete. */
	cuts[0] = h.head_len - 1;
	cuts[1] = h.head_len / 2;
	cuts[2] = h.head_len > 2 ? h.head_len - 2 : 0;
	cuts[3] = size & 0xff ? (size & 0xff) % h.head_len : 0;
	for (size_t i = 0; i < 4; i++) {
		rc2 = parse_n(data, cuts[i], &h2, &status2);
		check(rc2 != 1);
	}
	/* Bytes after the head do not change it. */
	{
		static const char tail[] = "GET /x HTTP/1.1\r\n\r\n";
		char *more = malloc(h.head_len + sizeof(tail));
		check(more != NULL);
		memcpy(more, data, h.head_len);
		memcpy(more + h.head_len, tail, sizeof(tail));
		rc2 = http_parse_head(more, h.head_len + sizeof(tail) - 1, &h2, &status2);
		free(more);
		check(rc2 == 1 && same_head(&h, &h2));
	}
	return 0;
}
