/*
 * proto_json.c: request body decoding and envelope rendering over cJSON.
 *
 * cJSON 1.7.15 is more lenient than RFC 8259 (leading zeros, raw control
 * characters in strings, nesting up to CJSON_NESTING_LIMIT 1000) and turns a
 * \u0000 escape into an early NUL that silently cuts the string short. So a
 * body is first scanned here for what cJSON lets through, with the nesting
 * depth counted on the way, and only then handed to cJSON.
 */
#include "proto_json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_buf.h"

/* Envelope keys of spec section 2. */
#define KEY_CODE "code"
#define KEY_MSG "msg"
#define KEY_DATA "data"
#define KEY_ERROR "error"

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static int is_hex(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static size_t digits(const unsigned char *s, size_t n, size_t i)
{
	size_t start = i;

	while (i < n && is_digit(s[i]))
		i++;
	return i - start;
}

/* Length of the RFC 8259 number at the start of s[0..n), 0 if there is none. */
static size_t number_len(const unsigned char *s, size_t n)
{
	size_t i = 0, d;

	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0') {
		i++;
	} else {
		d = digits(s, n, i);
		if (d == 0)
			return 0;
		i += d;
	}
	if (i < n && s[i] == '.') {
		d = digits(s, n, ++i);
		if (d == 0)
			return 0;
		i += d;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		d = digits(s, n, i);
		if (d == 0)
			return 0;
		i += d;
	}
	return i;
}

/*
 * Length of the string literal at the start of s[0..n) (s[0] is the opening
 * quote), quotes included; 0 if it is unterminated, holds a raw control
 * character, a bad escape or \u0000 (which no C string can carry).
 */
static size_t string_len(const unsigned char *s, size_t n)
{
	size_t i = 1;

	while (i < n) {
		unsigned char c = s[i];

		if (c == '"')
			return i + 1;
		if (c < 0x20)
			return 0;
		if (c != '\\') {
			i++;
			continue;
		}
		if (i + 1 >= n)
			return 0;
		c = s[i + 1];
		if (c == 'u') {
			if (i + 5 >= n || !is_hex(s[i + 2]) || !is_hex(s[i + 3]) ||
			    !is_hex(s[i + 4]) || !is_hex(s[i + 5]))
				return 0;
			if (memcmp(s + i + 2, "0000", 4) == 0)
				return 0;
			i += 6;
		} else if (c != '\0' && strchr("\"\\/bfnrt", c)) {
			i += 2;
		} else {
			return 0;
		}
	}
	return 0;
}

/*
 * 0 if s[0..n) may go to cJSON, -1 if it is certainly not acceptable JSON.
 * Structure (balance, commas, literals) is left to cJSON; brackets inside
 * strings are skipped, so the depth counted is the depth of the value.
 */
static int scan(const unsigned char *s, size_t n)
{
	size_t i = 0, k;
	int depth = 0;

	while (i < n) {
		unsigned char c = s[i];

		if (c == '{' || c == '[') {
			if (++depth > PROTO_MAX_DEPTH)
				return -1;
			i++;
		} else if (c == '}' || c == ']') {
			if (depth > 0)
				depth--;
			i++;
		} else if (c == '"') {
			k = string_len(s + i, n - i);
			if (k == 0)
				return -1;
			i += k;
		} else if (c == '-' || is_digit(c)) {
			k = number_len(s + i, n - i);
			if (k == 0)
				return -1;
			i += k;
			/* "01", "1.5.2": a number runs into more number */
			if (i < n && !is_space(s[i]) && s[i] != ',' && s[i] != ']' && s[i] != '}')
				return -1;
		} else if (c < 0x20 && !is_space(c)) {
			return -1;
		} else {
			i++;
		}
	}
	return 0;
}

static int all_space(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_space(s[i]))
			return 0;
	return 1;
}

cJSON *proto_json_parse(const char *buf, size_t len, enum proto_err *err)
{
	enum proto_err e = PROTO_ERR_BAD_REQUEST;
	const unsigned char *s = (const unsigned char *)buf;
	cJSON *root = NULL;
	char *copy = NULL;

	if (len > PROTO_MAX_BODY) {
		e = PROTO_ERR_TOO_LARGE;
		goto out;
	}
	if (len == 0 || (s && all_space(s, len))) {
		root = cJSON_CreateObject();
		if (!root)
			e = PROTO_ERR_INTERNAL;
		goto out;
	}
	if (!s || scan(s, len) < 0)
		goto out;
	/*
	 * cJSON reads a NUL-terminated copy: with require_null_terminated it
	 * wants the NUL inside the length, and the scan has made sure there is
	 * no earlier NUL, so the NUL marks exactly buf + len.
	 */
	copy = malloc(len + 1);
	if (!copy) {
		e = PROTO_ERR_INTERNAL;
		goto out;
	}
	memcpy(copy, buf, len);
	copy[len] = '\0';
	root = cJSON_ParseWithLengthOpts(copy, len + 1, NULL, 1);
	if (!root)
		goto out;
	if (!cJSON_IsObject(root) || proto_json_depth(root) > PROTO_MAX_DEPTH) {
		cJSON_Delete(root);
		root = NULL;
	}
out:
	free(copy);
	if (err)
		*err = root ? PROTO_OK : e;
	return root;
}

int proto_json_depth(const cJSON *v)
{
	const cJSON *c;
	int d, max = 0;

	if (!v || !(cJSON_IsObject(v) || cJSON_IsArray(v)))
		return 0;
	for (c = v->child; c; c = c->next) {
		d = proto_json_depth(c);
		if (d > max)
			max = d;
	}
	return max + 1;
}

static const cJSON *field(const cJSON *obj, const char *key)
{
	if (!obj || !key || !cJSON_IsObject(obj))
		return NULL;
	/* JSON keys are case sensitive; cJSON_GetObjectItem is not */
	return cJSON_GetObjectItemCaseSensitive(obj, key);
}

int proto_get_int(const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out)
{
	const cJSON *item = field(obj, key);
	double d;
	int64_t v;

	if (!item || cJSON_IsNull(item))
		return 0;
	if (!cJSON_IsNumber(item))
		return -1;
	d = item->valuedouble;
	/*
	 * Beyond 2^53 a double no longer tells neighbouring integers apart
	 * (9007199254740993 arrives as ...992), so no integer of the contract
	 * lies there (spec section 1). The test is written so NaN fails it.
	 */
	if (!(d >= -(double)PROTO_MAX_ID && d <= (double)PROTO_MAX_ID))
		return -1;
	v = (int64_t)d;
	if ((double)v != d)
		return -1;
	if (v < min || v > max)
		return -1;
	*out = v;
	return 1;
}

int proto_get_str(const cJSON *obj, const char *key, size_t max_chars, const char **out)
{
	const cJSON *item = field(obj, key);
	long n;

	if (!item || cJSON_IsNull(item))
		return 0;
	if (!cJSON_IsString(item) || !item->valuestring)
		return -1;
	n = proto_utf8_len(item->valuestring);
	if (n < 0 || (size_t)n > max_chars)
		return -1;
	if (!proto_text_ok(item->valuestring, !strcmp(key, "desc") || !strcmp(key, "content")))
		return -1;
	*out = item->valuestring;
	return 1;
}

int proto_text_ok(const char *s, int long_text)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		if (*p < 0x20 || *p == 0x7f) {
			if (long_text && (*p == '\n' || *p == '\t'))
				continue;
			return 0;
		}
		/* C1: U+0080..U+009F, in UTF-8 C2 80..C2 9F. */
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return 0;
	}
	return 1;
}

int proto_get_id(const cJSON *obj, const char *key, int64_t *out)
{
	return proto_get_int(obj, key, 1, PROTO_MAX_ID, out);
}

long proto_utf8_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	long n = 0;

	if (!s)
		return -1;
	while (*p) {
		unsigned long cp, lo;
		unsigned c = *p, more, i;

		if (c < 0x80) {
			p++;
			n++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			more = 1;
			cp = c & 0x1f;
			lo = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			more = 2;
			cp = c & 0x0f;
			lo = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			more = 3;
			cp = c & 0x07;
			lo = 0x10000;
		} else {
			return -1; /* continuation byte, 0xc0/0xc1 overlong, > 0xf4 */
		}
		/* stops at the terminating NUL, which is no continuation byte */
		for (i = 1; i <= more; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return -1;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if (cp < lo || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return -1;
		p += more + 1;
		n++;
	}
	return n;
}

static cJSON *envelope(enum proto_err e, const char *msg)
{
	cJSON *root = cJSON_CreateObject();

	if (!root || !cJSON_AddNumberToObject(root, KEY_CODE, proto_err_status(e)) ||
	    !cJSON_AddStringToObject(root, KEY_MSG, msg ? msg : proto_err_message(e))) {
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

/*
 * Adds data under "data" without copying it: a reference item is a copy of
 * the cJSON struct flagged so cJSON_Delete of the envelope leaves data's
 * children alone; data itself is not written to, hence the cast.
 */
static int add_data(cJSON *root, const cJSON *data)
{
	return cJSON_AddItemReferenceToObject(root, KEY_DATA, (cJSON *)data) ? 0 : -1;
}

/*
 * The printer of proto_json_print: cJSON_PrintUnformatted's text (same
 * escapes, same layout), except for integral numbers, printed as their
 * digits, into a proto_buf (cJSON's allocator: cJSON_free frees it).
 */

/* s between quotes, escaped as cJSON escapes (NULL: ""). */
static void put_quoted(struct proto_buf *b, const char *s)
{
	const char *run;
	char esc[8];

	proto_buf_add(b, "\"", 1);
	for (run = s; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		proto_buf_add(b, run, (size_t)(s - run));
		run = s + 1;
		switch (c) {
		case '"':
		case '\\':
			esc[0] = '\\';
			esc[1] = (char)c;
			esc[2] = '\0';
			break;
		case '\b':
			strcpy(esc, "\\b");
			break;
		case '\f':
			strcpy(esc, "\\f");
			break;
		case '\n':
			strcpy(esc, "\\n");
			break;
		case '\r':
			strcpy(esc, "\\r");
			break;
		case '\t':
			strcpy(esc, "\\t");
			break;
		default:
			snprintf(esc, sizeof(esc), "\\u%04x", c);
		}
		proto_buf_str(b, esc);
	}
	if (s)
		proto_buf_add(b, run, (size_t)(s - run));
	proto_buf_add(b, "\"", 1);
}

/*
 * A number: an integral one below 2^63 in magnitude as its digits (cJSON
 * would print 9007199254740991 as 9.00719925474099e+15 and 1e15 as 1e+15),
 * anything else with 15 significant digits when they read back as the
 * same double, else 17 (cJSON takes 15 within DBL_EPSILON, so it prints
 * 2.0000000000000004 as 2); never a locale's decimal comma.
 */
static void put_number(struct proto_buf *b, double d)
{
	char num[64], *comma;
	double test;

	if (d != d || d - d != 0) { /* NaN, infinite */
		proto_buf_str(b, "null");
		return;
	}
	if (d > -9223372036854775808.0 && d < 9223372036854775808.0 && (double)(int64_t)d == d) {
		snprintf(num, sizeof(num), "%lld", (long long)(int64_t)d);
		proto_buf_str(b, num);
		return;
	}
	snprintf(num, sizeof(num), "%1.15g", d);
	if (sscanf(num, "%lg", &test) != 1 || test != d)
		snprintf(num, sizeof(num), "%1.17g", d);
	comma = strpbrk(num, ",");
	if (comma)
		*comma = '.';
	proto_buf_str(b, num);
}

static void put_item(struct proto_buf *b, const cJSON *item)
{
	const cJSON *c;

	switch (item->type & 0xff) {
	case cJSON_False:
		proto_buf_str(b, "false");
		break;
	case cJSON_True:
		proto_buf_str(b, "true");
		break;
	case cJSON_NULL:
		proto_buf_str(b, "null");
		break;
	case cJSON_Number:
		put_number(b, item->valuedouble);
		break;
	case cJSON_String:
		put_quoted(b, item->valuestring);
		break;
	case cJSON_Raw:
		if (!item->valuestring)
			b->failed = 1;
		else
			proto_buf_str(b, item->valuestring);
		break;
	case cJSON_Array:
		proto_buf_add(b, "[", 1);
		for (c = item->child; c; c = c->next) {
			put_item(b, c);
			if (c->next)
				proto_buf_add(b, ",", 1);
		}
		proto_buf_add(b, "]", 1);
		break;
	case cJSON_Object:
		proto_buf_add(b, "{", 1);
		for (c = item->child; c; c = c->next) {
			put_quoted(b, c->string);
			proto_buf_add(b, ":", 1);
			put_item(b, c);
			if (c->next)
				proto_buf_add(b, ",", 1);
		}
		proto_buf_add(b, "}", 1);
		break;
	default:
		b->failed = 1; /* cJSON_Invalid */
	}
}

char *proto_json_print(const cJSON *item)
{
	struct proto_buf b = {0};

	if (!item)
		return NULL;
	put_item(&b, item);
	if (b.failed || !b.p) {
		cJSON_free(b.p);
		return NULL;
	}
	return b.p;
}

/* Prints root into memory from malloc (the header promises free()). */
static char *print(const cJSON *root, size_t *len)
{
	char *printed = proto_json_print(root);
	char *s = NULL;
	size_t n = 0;

	if (!printed)
		goto out;
	n = strlen(printed);
	s = malloc(n + 1);
	if (s)
		memcpy(s, printed, n + 1);
	else
		n = 0;
out:
	cJSON_free(printed);
	if (len)
		*len = n;
	return s;
}

/* print() of root when built is set, then root deleted; NULL (*len 0) on any failure. */
static char *render(cJSON *root, int built, size_t *len)
{
	char *s = built ? print(root, len) : NULL;

	cJSON_Delete(root);
	if (!s && len)
		*len = 0;
	return s;
}

char *proto_render_ok(const cJSON *data, size_t *len)
{
	cJSON *root = envelope(PROTO_OK, NULL);

	return render(root,
	              root && (data ? add_data(root, data) == 0
	                            : cJSON_AddObjectToObject(root, KEY_DATA) != NULL),
	              len);
}

/* 1 if cJSON prints s between quotes as it is (nothing to escape). */
static int plain_string(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

#define DATA_SEP ",\"" KEY_DATA "\":"
#define HEAD_MAX 256

/*
 * The envelope of a success up to its data, {"code":200,"msg":"OK","data":,
 * into buf (HEAD_MAX bytes), written as cJSON writes it: an integer code
 * prints as %d, a message with nothing to escape as it is; anything else is
 * printed by cJSON itself. Returns its length, or -1.
 */
static int ok_head(char *buf)
{
	const char *msg = proto_err_message(PROTO_OK);
	cJSON *root = NULL;
	char *printed = NULL;
	size_t n;
	int k = -1;

	if (plain_string(msg)) {
		k = snprintf(buf, HEAD_MAX, "{\"" KEY_CODE "\":%d,\"" KEY_MSG "\":\"%s\"" DATA_SEP,
		             proto_err_status(PROTO_OK), msg);
		if (k >= HEAD_MAX)
			k = -1;
		goto out;
	}
	root = envelope(PROTO_OK, NULL);
	printed = root ? proto_json_print(root) : NULL;
	if (!printed)
		goto out;
	n = strlen(printed); /* its closing brace is cut off */
	if (n < 2 || n - 1 + sizeof(DATA_SEP) > HEAD_MAX)
		goto out;
	memcpy(buf, printed, n - 1);
	memcpy(buf + n - 1, DATA_SEP, sizeof(DATA_SEP));
	k = (int)(n - 1 + sizeof(DATA_SEP) - 1);
out:
	cJSON_free(printed);
	cJSON_Delete(root);
	return k;
}

char *proto_render_ok_raw(const char *raw, size_t raw_len, size_t *len)
{
	char head[HEAD_MAX], *s = NULL;
	int hn = -1;

	if (!raw || raw_len < 2 || raw[0] != '{' || raw[raw_len - 1] != '}')
		goto out;
	hn = ok_head(head);
	if (hn < 0 || !(s = malloc((size_t)hn + raw_len + 2)))
		goto out;
	memcpy(s, head, (size_t)hn);
	memcpy(s + hn, raw, raw_len);
	s[(size_t)hn + raw_len] = '}';
	s[(size_t)hn + raw_len + 1] = '\0';
out:
	if (len)
		*len = s ? (size_t)hn + raw_len + 1 : 0;
	return s;
}

char *proto_render_error(enum proto_err e, const char *msg, const cJSON *data, size_t *len)
{
	cJSON *root = envelope(e, msg);

	return render(root,
	              root && cJSON_AddStringToObject(root, KEY_ERROR, proto_err_slug(e)) &&
	                  (!data || add_data(root, data) == 0),
	              len);
}

void proto_json_move_members(cJSON *dst, cJSON *src)
{
	cJSON *it;

	while ((it = src->child) != NULL) {
		cJSON_DetachItemViaPointer(src, it);
		cJSON_AddItemToObject(dst, it->string, it);
	}
}
