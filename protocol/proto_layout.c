/*
 * proto_layout.c: see proto_layout.h.
 */
#include "proto_layout.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_seat_char(char c)
{
	return c == PROTO_SEAT_STANDARD || c == PROTO_SEAT_VIP || c == PROTO_SEAT_WHEELCHAIR ||
	       c == PROTO_SEAT_COMPANION || c == PROTO_SEAT_HOUSE || c == PROTO_SEAT_BLOCKED;
}

int proto_seat_sellable(char c)
{
	return is_seat_char(c) && c != PROTO_SEAT_BLOCKED;
}

static int fail(char *why, size_t whylen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

int proto_layout_parse(struct proto_layout *l, const char *const *rows, int nrows, char *why,
                       size_t whylen)
{
	int r, c;

	memset(l, 0, sizeof(*l));
	if (why && whylen)
		why[0] = '\0';
	if (nrows < 1)
		return fail(why, whylen, "no rows");
	if (nrows > PROTO_LAYOUT_MAX_ROWS)
		return fail(why, whylen, "%d rows, at most %d", nrows, PROTO_LAYOUT_MAX_ROWS);
	for (r = 0; r < nrows; r++) {
		const char *s = rows[r];
		size_t len;

		if (!s)
			return fail(why, whylen, "row %c: not a string", 'A' + r);
		len = strlen(s);
		if (len > PROTO_LAYOUT_MAX_COLS)
			return fail(why, whylen, "row %c: more than %d positions", 'A' + r,
			            PROTO_LAYOUT_MAX_COLS);
		for (c = 0; c < (int)len; c++) {
			char ch = s[c];

			if (ch == PROTO_SEAT_NONE)
				continue;
			if (!is_seat_char(ch)) {
				if (why && whylen) {
					if ((unsigned char)ch >= 0x20 && (unsigned char)ch < 0x7f)
						snprintf(why, whylen,
						         "row %c: invalid character '%c' at %d",
						         'A' + r, ch, c + 1);
					else
						snprintf(why, whylen,
						         "row %c: invalid character at %d", 'A' + r,
						         c + 1);
				}
				return -1;
			}
			l->nseats[r]++;
			l->col[r][l->nseats[r]] = (unsigned char)c;
			l->seats++;
			if (ch != PROTO_SEAT_BLOCKED)
				l->sellable++;
		}
		memcpy(l->rows[r], s, len + 1);
		l->width[r] = (int)len;
	}
	l->nrows = nrows;
	if (l->sellable == 0)
		return fail(why, whylen, "no sellable seat");
	return 0;
}

int proto_layout_from_json(struct proto_layout *l, const cJSON *arr, char *why, size_t whylen)
{
	const char *rows[PROTO_LAYOUT_MAX_ROWS];
	const cJSON *it;
	int n = 0;

	memset(l, 0, sizeof(*l));
	if (!cJSON_IsArray(arr))
		return fail(why, whylen, "not an array of strings");
	cJSON_ArrayForEach(it, arr)
	{
		if (n == PROTO_LAYOUT_MAX_ROWS)
			return fail(why, whylen, "more than %d rows", PROTO_LAYOUT_MAX_ROWS);
		if (!cJSON_IsString(it) || !it->valuestring)
			return fail(why, whylen, "row %c: not a string", 'A' + n);
		rows[n++] = it->valuestring;
	}
	return proto_layout_parse(l, rows, n, why, whylen);
}

int proto_layout_from_text(struct proto_layout *l, const char *text, char *why, size_t whylen)
{
	cJSON *arr;
	int rc;

	memset(l, 0, sizeof(*l));
	if (!text)
		return fail(why, whylen, "no layout");
	arr = cJSON_Parse(text);
	if (!arr)
		return fail(why, whylen, "not JSON");
	rc = proto_layout_from_json(l, arr, why, whylen);
	cJSON_Delete(arr);
	return rc;
}

cJSON *proto_layout_to_json(const struct proto_layout *l)
{
	cJSON *arr = cJSON_CreateArray();
	int r;

	if (!arr)
		return NULL;
	for (r = 0; r < l->nrows; r++) {
		cJSON *s = cJSON_CreateString(l->rows[r]);
		if (!s) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, s);
	}
	return arr;
}

int proto_layout_to_text(const struct proto_layout *l, char *buf, size_t buflen)
{
	size_t n = 0;
	int r;

	/* Layout characters need no JSON escaping, so this is the compact form. */
	if (buflen < 3)
		return -1;
	buf[n++] = '[';
	for (r = 0; r < l->nrows; r++) {
		size_t w = (size_t)l->width[r];
		if (n + w + 4 > buflen)
			return -1;
		if (r)
			buf[n++] = ',';
		buf[n++] = '"';
		memcpy(buf + n, l->rows[r], w);
		n += w;
		buf[n++] = '"';
	}
	if (n + 2 > buflen)
		return -1;
	buf[n++] = ']';
	buf[n] = '\0';
	return (int)n;
}

int proto_layout_equal(const struct proto_layout *a, const struct proto_layout *b)
{
	int r;

	if (a->nrows != b->nrows)
		return 0;
	for (r = 0; r < a->nrows; r++)
		if (strcmp(a->rows[r], b->rows[r]) != 0)
			return 0;
	return 1;
}

int proto_seat_parse(const char *id, int *row, int *number)
{
	int n = 0, i;

	if (!id || id[0] < 'A' || id[0] > 'Z')
		return -1;
	/* 1 or 2 digits, no leading zero. */
	if (id[1] < '1' || id[1] > '9')
		return -1;
	for (i = 1; i <= 2 && id[i] >= '0' && id[i] <= '9'; i++)
		n = n * 10 + (id[i] - '0');
	if (id[i] != '\0' || n > PROTO_LAYOUT_MAX_COLS)
		return -1;
	if (row)
		*row = id[0] - 'A';
	if (number)
		*number = n;
	return 0;
}

int proto_seat_format(int row, int number, char out[PROTO_SEAT_ID_SIZE])
{
	if (row < 0 || row >= PROTO_LAYOUT_MAX_ROWS || number < 1 ||
	    number > PROTO_LAYOUT_MAX_COLS) {
		out[0] = '\0';
		return -1;
	}
	snprintf(out, PROTO_SEAT_ID_SIZE, "%c%d", 'A' + row, number);
	return 0;
}

int proto_layout_lookup(const struct proto_layout *l, const char *id, int *row, int *col,
                        char *category)
{
	int r, n, c;

	if (proto_seat_parse(id, &r, &n) < 0)
		return -1;
	if (r >= l->nrows || n > l->nseats[r])
		return -1;
	c = l->col[r][n];
	if (row)
		*row = r;
	if (col)
		*col = c;
	if (category)
		*category = l->rows[r][c];
	return 0;
}

int proto_layout_number_at(const struct proto_layout *l, int row, int col)
{
	int n = 0, c;

	if (row < 0 || row >= l->nrows || col < 0 || col >= l->width[row])
		return 0;
	if (l->rows[row][col] == PROTO_SEAT_NONE)
		return 0;
	for (c = 0; c <= col; c++)
		if (l->rows[row][c] != PROTO_SEAT_NONE)
			n++;
	return n;
}
