/*
 * fuzz_layout.c: libFuzzer harness for hall layouts and seat ids
 * (protocol/proto_layout.h).
 *
 * One input is used four ways:
 *   1. as a seat id (the bytes up to the first NUL): proto_seat_parse must
 *      accept exactly the canonical ids, so an accepted id formats back to
 *      the same text, and lookups in the layouts below agree with it;
 *   2. as the layout field of a request body, {"layout":<input>}, through
 *      proto_json_parse and proto_layout_from_json, the way /hall/create
 *      reads it;
 *   3. as stored layout text through proto_layout_from_text;
 *   4. as raw rows split at '\n' through proto_layout_parse, where a
 *      reference model decides acceptance (no JSON syntax to get past).
 * Every accepted layout is checked against the promises of proto_layout.h:
 * 1..26 rows of 0..60 positions of "SVWCHX.", seats = every letter,
 * sellable = every letter but X and at least 1, seat numbers counting
 * letters left to right; every id formatted from (row, number) parses back
 * and finds exactly the seats of the layout; number_at inverts lookup; the
 * text and JSON renderings parse back to an equal layout.
 *
 *   clang -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -I protocol tests/fuzz/fuzz_layout.c \
 *       protocol/proto_*.c $(pkg-config --cflags --libs libcjson)
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto_error.h"
#include "proto_json.h"
#include "proto_layout.h"

#define MAX_RAW_ROWS (PROTO_LAYOUT_MAX_ROWS + 4)
#define MAX_RAW_COLS (PROTO_LAYOUT_MAX_COLS + 4)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int ok)
{
	if (!ok)
		abort();
}

static int layout_char(char c)
{
	return c != '\0' && strchr("SVWCHX.", c) != NULL;
}

/* A refusal says why, within the buffer it was given. */
static void check_why(const char *why, size_t whylen)
{
	check(memchr(why, '\0', whylen) != NULL);
	check(why[0] != '\0');
}

/* The 26 x 60 canonical ids parse back; checked once. */
static void check_all_ids_once(void)
{
	static int done;
	char id[PROTO_SEAT_ID_SIZE];
	int r, n, rr, nn;

	if (done)
		return;
	done = 1;
	for (r = -1; r <= PROTO_LAYOUT_MAX_ROWS; r++)
		for (n = -1; n <= PROTO_LAYOUT_MAX_COLS + 1; n++) {
			int in = r >= 0 && r < PROTO_LAYOUT_MAX_ROWS && n >= 1 &&
			         n <= PROTO_LAYOUT_MAX_COLS;

			check(proto_seat_format(r, n, id) == (in ? 0 : -1));
			if (!in) {
				check(id[0] == '\0');
				continue;
			}
			check(strlen(id) < PROTO_SEAT_ID_SIZE);
			check(proto_seat_parse(id, &rr, &nn) == 0 && rr == r && nn == n);
		}
}

/* The invariants of one accepted layout; id is the input as a seat id. */
/* The layout accepted before by another path of the same input. */
static struct proto_layout prev;

static void check_layout(const struct proto_layout *l, const char *id)
{
	char seat[PROTO_SEAT_ID_SIZE], cat;
	char text[PROTO_LAYOUT_JSON_MAX + 1];
	struct proto_layout back;
	int r, c, n, seats = 0, sellable = 0, len, rr, cc, pr, pn;
	cJSON *arr;

	check(l->nrows >= 1 && l->nrows <= PROTO_LAYOUT_MAX_ROWS);
	for (r = 0; r < l->nrows; r++) {
		check(l->width[r] >= 0 && l->width[r] <= PROTO_LAYOUT_MAX_COLS);
		check((int)strlen(l->rows[r]) == l->width[r]);
		n = 0;
		for (c = 0; c < l->width[r]; c++) {
			char ch = l->rows[r][c];

			check(layout_char(ch));
			check(proto_seat_sellable(ch) == (ch != '.' && ch != 'X'));
			if (ch == '.') {
				check(proto_layout_number_at(l, r, c) == 0);
				continue;
			}
			n++;
			seats++;
			if (ch != 'X')
				sellable++;
			check(l->col[r][n] == c);
			check(proto_layout_number_at(l, r, c) == n);
		}
		check(l->nseats[r] == n);
		check(proto_layout_number_at(l, r, -1) == 0);
		check(proto_layout_number_at(l, r, l->width[r]) == 0);
	}
	check(l->seats == seats && l->sellable == sellable && sellable >= 1);

	/* Every possible id: found exactly when it names a seat of the layout. */
	for (r = 0; r < PROTO_LAYOUT_MAX_ROWS; r++) {
		check(proto_layout_number_at(l, r, 0) == 0 || r < l->nrows);
		for (n = 1; n <= PROTO_LAYOUT_MAX_COLS; n++) {
			int in = r < l->nrows && n <= l->nseats[r];

			check(proto_seat_format(r, n, seat) == 0);
			rr = cc = -1;
			cat = 0;
			if (!in) {
				check(proto_layout_lookup(l, seat, &rr, &cc, &cat) == -1);
				continue;
			}
			check(proto_layout_lookup(l, seat, &rr, &cc, &cat) == 0);
			check(rr == r && cc >= 0 && cc < l->width[r]);
			check(cat == l->rows[r][cc] && cat != '.');
			check(proto_layout_number_at(l, r, cc) == n);
			check(proto_layout_lookup(l, seat, NULL, NULL, NULL) == 0);
		}
	}

	/* The input as a seat id: found iff canonical and inside. */
	if (proto_layout_lookup(l, id, &rr, &cc, &cat) == 0) {
		check(proto_seat_parse(id, &pr, &pn) == 0);
		check(pr == rr && pr < l->nrows && pn <= l->nseats[pr]);
		check(proto_layout_number_at(l, rr, cc) == pn);
	} else if (proto_seat_parse(id, &pr, &pn) == 0) {
		check(pr >= l->nrows || pn > l->nseats[pr]);
	}

	/* Text rendering: exact size, refused one byte short, parses back. */
	len = proto_layout_to_text(l, text, sizeof(text));
	check(len > 0 && len <= PROTO_LAYOUT_JSON_MAX && (size_t)len == strlen(text));
	check(proto_layout_to_text(l, text, (size_t)len) == -1);
	check(proto_layout_to_text(l, text, (size_t)len + 1) == len);
	check(proto_layout_from_text(&back, text, NULL, 0) == 0);
	check(proto_layout_equal(l, &back) && proto_layout_equal(&back, l));
	check(back.seats == l->seats && back.sellable == l->sellable);

	/* Equality against the layout of the previous path: same rows, same answer. */
	if (prev.nrows) {
		int same = prev.nrows == l->nrows;

		for (r = 0; same && r < l->nrows; r++)
			same = strcmp(prev.rows[r], l->rows[r]) == 0;
		check(proto_layout_equal(&prev, l) == same && proto_layout_equal(l, &prev) == same);
	}
	prev = *l;

	/* JSON rendering: parses back. */
	arr = proto_layout_to_json(l);
	if (arr) {
		check(cJSON_GetArraySize(arr) == l->nrows);
		check(proto_layout_from_json(&back, arr, NULL, 0) == 0);
		check(proto_layout_equal(l, &back));
		cJSON_Delete(arr);
	}
}

/*
 * Characters in each string literal of JSON text that holds only an array
 * of strings (an escape counts as one, as every layout character is ASCII).
 * Returns the number of strings, at most max.
 */
static int string_widths(const char *s, size_t len, int *widths, int max)
{
	size_t i = 0;
	int n = 0;

	while (i < len && n < max) {
		if (s[i++] != '"')
			continue;
		widths[n] = 0;
		while (i < len && s[i] != '"') {
			if (s[i] == '\\')
				i += i + 1 < len && s[i + 1] == 'u' ? 6 : 2;
			else
				i++;
			widths[n]++;
		}
		i++;
		n++;
	}
	return n;
}

/* 2. The layout field of a request body. */
static void from_request(const uint8_t *data, size_t size, const char *id, const char *text)
{
	static const char pre[] = "{\"layout\":";
	enum proto_err err;
	struct proto_layout l, stored;
	int widths[PROTO_LAYOUT_MAX_ROWS];
	char why[64];
	cJSON *body = NULL;
	const cJSON *v;
	char *buf;
	int r, n;

	buf = malloc(sizeof(pre) + size + 1);
	if (!buf)
		return;
	memcpy(buf, pre, sizeof(pre) - 1);
	memcpy(buf + sizeof(pre) - 1, data, size);
	buf[sizeof(pre) - 1 + size] = '}';
	body = proto_json_parse(buf, sizeof(pre) + size, &err);
	if (!body)
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(body, "layout");
	memset(why, 'z', sizeof(why));
	if (proto_layout_from_json(&l, v, why, sizeof(why)) < 0) {
		check_why(why, sizeof(why));
		goto out;
	}
	check_layout(&l, id);
	/*
	 * With the input the whole value (one member), the rows kept every
	 * character sent, and the stored-text reader, which is laxer (any
	 * depth, trailing text), reads the same layout.
	 */
	if (cJSON_GetArraySize(body) != 1)
		goto out;
	n = string_widths((const char *)data, size, widths, PROTO_LAYOUT_MAX_ROWS);
	check(n == l.nrows);
	for (r = 0; r < n; r++)
		check(widths[r] == l.width[r]);
	if (text) {
		check(proto_layout_from_text(&stored, text, NULL, 0) == 0);
		check(proto_layout_equal(&l, &stored));
	}
out:
	cJSON_Delete(body);
	free(buf);
}

/* 4. Raw rows split at '\n', against a model of the rules. */
static void from_rows(const uint8_t *data, size_t size, const char *id)
{
	char rows[MAX_RAW_ROWS][MAX_RAW_COLS + 1];
	const char *ptrs[MAX_RAW_ROWS];
	struct proto_layout l;
	char why[32];
	int nrows = 0, want = 1, sellable = 0, rc;
	size_t i = 0, start, w;

	while (nrows < MAX_RAW_ROWS) {
		start = i;
		while (i < size && data[i] != '\n')
			i++;
		w = i - start;
		if (w > MAX_RAW_COLS)
			w = MAX_RAW_COLS;
		memcpy(rows[nrows], data + start, w);
		rows[nrows][w] = '\0';
		ptrs[nrows] = rows[nrows];
		/* the model: a NUL ends the row, like any C string */
		w = strlen(rows[nrows]);
		if (w > PROTO_LAYOUT_MAX_COLS)
			want = 0;
		for (start = 0; start < w; start++) {
			char ch = rows[nrows][start];

			if (!layout_char(ch))
				want = 0;
			else if (ch != '.' && ch != 'X')
				sellable++;
		}
		nrows++;
		if (i >= size)
			break;
		i++;
	}
	if (nrows > PROTO_LAYOUT_MAX_ROWS || sellable == 0)
		want = 0;
	memset(why, 'z', sizeof(why));
	rc = proto_layout_parse(&l, ptrs, nrows, why, sizeof(why));
	check(rc == (want ? 0 : -1));
	if (rc == 0)
		check_layout(&l, id);
	else
		check_why(why, sizeof(why));
	/* A first-row-only layout too, and no rows at all. */
	check(proto_layout_parse(&l, ptrs, 0, NULL, 0) == -1);
	if (proto_layout_parse(&l, ptrs, 1, why, 1) == 0)
		check_layout(&l, id);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[16], seat[PROTO_SEAT_ID_SIZE], why[48];
	struct proto_layout l;
	const uint8_t *tail;
	char *text;
	size_t n;
	int row = -1, number = -1;

	check_all_ids_once();
	prev.nrows = 0;

	/*
	 * 1. A seat id: accepted exactly when canonical. It is the text after
	 * the last NUL, if any (paths 3 and 4 stop at the first NUL, so one
	 * input carries a layout and an id to look up), else the input.
	 */
	tail = memrchr(data, '\0', size);
	tail = tail ? tail + 1 : data;
	n = size - (size_t)(tail - data);
	n = n < sizeof(id) - 1 ? n : sizeof(id) - 1;
	memcpy(id, tail, n);
	id[n] = '\0';
	if (proto_seat_parse(id, &row, &number) == 0) {
		check(row >= 0 && row < PROTO_LAYOUT_MAX_ROWS);
		check(number >= 1 && number <= PROTO_LAYOUT_MAX_COLS);
		check(proto_seat_format(row, number, seat) == 0 && strcmp(seat, id) == 0);
	}
	check(proto_seat_parse(id, NULL, NULL) == proto_seat_parse(id, &row, &number));

	/* 3. Stored layout text (a C string: up to the first NUL). */
	text = malloc(size + 1);
	if (text) {
		memcpy(text, data, size);
		text[size] = '\0';
		memset(why, 'z', sizeof(why));
		if (proto_layout_from_text(&l, text, why, sizeof(why)) == 0)
			check_layout(&l, id);
		else
			check_why(why, sizeof(why));
	}
	/* 2. The request path; it compares with 3 only for NUL-free input. */
	from_request(data, size, id, text && strlen(text) == size ? text : NULL);
	free(text);

	/* 4. Raw rows. */
	from_rows(data, size, id);
	return 0;
}
