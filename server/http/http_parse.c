/*
 * http_parse.c: see http_parse.h. Strict where a lenient reading could be
 * used to smuggle a request (white space before a colon, folded lines,
 * conflicting Content-Length), lenient where clients differ harmlessly
 * (a bare LF ends a line, leading empty lines are skipped).
 */
#include "http/http_parse.h"

#include <string.h>
#include <strings.h>

static int is_tchar(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
		return 1;
	return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* End of the line starting at p (index of its LF), or -1 when none before end. */
static long line_end(const char *buf, size_t p, size_t end)
{
	const char *lf = memchr(buf + p, '\n', end - p);

	return lf ? (long)(lf - buf) : -1;
}

static void copy_value(char *dst, size_t cap, const char *v, size_t n)
{
	if (n >= cap) {
		dst[0] = '\0';
		return;
	}
	memcpy(dst, v, n);
	dst[n] = '\0';
}

int http_list_has(const char *value, size_t n, const char *token)
{
	size_t tl = strlen(token), i = 0;

	while (i < n) {
		size_t s, e;
		while (i < n && (value[i] == ' ' || value[i] == '\t' || value[i] == ','))
			i++;
		s = i;
		while (i < n && value[i] != ',')
			i++;
		e = i;
		while (e > s && (value[e - 1] == ' ' || value[e - 1] == '\t'))
			e--;
		if (e - s == tl && strncasecmp(value + s, token, tl) == 0)
			return 1;
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decode the path of target t[0..n) into h->path; returns 0, or a status. */
static int set_path(struct http_head *h, const char *t, size_t n)
{
	size_t i, o = 0;

	/* absolute-form: http://authority/path */
	if (n >= 7 && strncasecmp(t, "http://", 7) == 0) {
		const char *slash = memchr(t + 7, '/', n - 7);
		if (!slash) {
			h->path[0] = '/';
			h->path[1] = '\0';
			return 0;
		}
		n -= (size_t)(slash - t);
		t = slash;
	}
	if (n == 1 && t[0] == '*') {
		strcpy(h->path, "*");
		return 0;
	}
	if (n == 0 || t[0] != '/')
		return 400;
	for (i = 0; i < n && t[i] != '?' && t[i] != '#'; i++) {
		int c = (unsigned char)t[i];
		if (c == '%') {
			int hi = i + 2 < n ? hexval(t[i + 1]) : -1;
			int lo = i + 2 < n ? hexval(t[i + 2]) : -1;
			if (hi < 0 || lo < 0)
				return 400;
			c = hi * 16 + lo;
			if (c == 0)
				return 400;
			i += 2;
		}
		if (o >= HTTP_MAX_PATH)
			return 414;
		h->path[o++] = (char)c;
	}
	h->path[o] = '\0';
	return 0;
}

static int request_line(struct http_head *h, const char *l, size_t n)
{
	size_t i = 0, m, ts;
	const char *ver;

	while (i < n && is_tchar((unsigned char)l[i]))
		i++;
	m = i;
	if (m > 0 && m < sizeof(h->method)) {
		memcpy(h->method, l, m);
		h->method[m] = '\0';
	}
	if (m == 0 || m >= sizeof(h->method) || i >= n || l[i] != ' ')
		return 400;
	ts = ++i;
	while (i < n && l[i] != ' ') {
		unsigned char c = (unsigned char)l[i];
		if (c <= 0x20 || c == 0x7f)
			return 400;
		i++;
	}
	if (i >= n || i == ts)
		return 400;
	ver = l + i + 1;
	if (n - i - 1 != 8 || strncmp(ver, "HTTP/", 5) || ver[6] != '.' || ver[5] < '0' ||
	    ver[5] > '9' || ver[7] < '0' || ver[7] > '9')
		return 400;
	if (!strcmp(h->method, "PRI") && i - ts == 1 && l[ts] == '*' &&
	    !strncmp(ver, "HTTP/2.0", 8)) {
		h->verb = HV_PRI;
		strcpy(h->path, "*");
		return 0;
	}
	if (ver[5] != '1')
		return 400;
	h->minor = ver[7] - '0';
	if (!strcmp(h->method, "GET"))
		h->verb = HV_GET;
	else if (!strcmp(h->method, "HEAD"))
		h->verb = HV_HEAD;
	else if (!strcmp(h->method, "POST"))
		h->verb = HV_POST;
	else
		h->verb = HV_OTHER;
	if (!strcmp(h->method, "CONNECT")) { /* authority-form: answered 405 */
		strcpy(h->path, "*");
		return 0;
	}
	return set_path(h, l + ts, i - ts);
}

static int field(struct http_head *h, const char *l, size_t n)
{
	size_t i = 0, nl, vs, ve;
	const char *name = l, *v;

	while (i < n && is_tchar((unsigned char)l[i]))
		i++;
	nl = i;
	if (nl == 0 || i >= n || l[i] != ':')
		return 400; /* no name, white space before the colon, or no colon */
	i++;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	vs = i;
	ve = n;
	while (ve > vs && (l[ve - 1] == ' ' || l[ve - 1] == '\t'))
		ve--;
	for (i = vs; i < ve; i++) {
		unsigned char c = (unsigned char)l[i];
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return 400;
	}
	v = l + vs;
	n = ve - vs;
#define IS(s) (nl == sizeof(s) - 1 && strncasecmp(name, s, nl) == 0)
	if (IS("content-length")) {
		unsigned long long x = 0;
		if (n == 0 || n > 18)
			return 400;
		for (i = 0; i < n; i++) {
			if (v[i] < '0' || v[i] > '9')
				return 400;
			x = x * 10 + (unsigned)(v[i] - '0');
		}
		if (h->has_cl && h->cl != x)
			return 400;
		h->has_cl = 1;
		h->cl = x;
	} else if (IS("transfer-encoding")) {
		h->has_te = 1;
	} else if (IS("connection")) {
		if (http_list_has(v, n, "close"))
			h->conn_close = 1;
		if (http_list_has(v, n, "keep-alive") && h->minor == 0)
			h->conn_close = 0;
		if (http_list_has(v, n, "upgrade"))
			h->conn_upgrade = 1;
	} else if (IS("upgrade")) {
		if (http_list_has(v, n, "websocket"))
			h->upgrade_ws = 1;
	} else if (IS("expect")) {
		if (n == 12 && strncasecmp(v, "100-continue", 12) == 0)
			h->expect_continue = 1;
	} else if (IS("content-type")) {
		copy_value(h->ctype, sizeof(h->ctype), v, n);
	} else if (IS("authorization")) {
		copy_value(h->authorization, sizeof(h->authorization), v, n);
	} else if (IS("x-request-id")) {
		copy_value(h->request_id, sizeof(h->request_id), v, n);
	} else if (IS("traceparent")) {
		/* W3C Trace Context: more than one traceparent is invalid. */
		if (h->traceparent[0])
			memcpy(h->traceparent, "-", 2);
		else
			copy_value(h->traceparent, sizeof(h->traceparent), v, n);
	} else if (IS("x-boxoffice-signature")) {
		copy_value(h->signature, sizeof(h->signature), v, n);
	} else if (IS("sec-websocket-key")) {
		copy_value(h->ws_key, sizeof(h->ws_key), v, n);
	} else if (IS("sec-websocket-protocol")) {
		size_t have = strlen(h->ws_protocol);
		/* Repeated fields form one list. */
		if (have && have + 1 < sizeof(h->ws_protocol))
			h->ws_protocol[have++] = ',';
		copy_value(h->ws_protocol + have, sizeof(h->ws_protocol) - have, v, n);
	} else if (IS("sec-websocket-version")) {
		h->ws_version = (n == 2 && v[0] == '1' && v[1] == '3') ? 13 : -1;
	}
#undef IS
	return 0;
}

int http_parse_head(const char *buf, size_t len, struct http_head *h, int *status)
{
	size_t p = 0, skipped = 0;
	long e;
	int st, fields = 0;

	memset(h, 0, sizeof(*h));
	*status = 0;
	/* RFC 9112 2.2: empty lines before a request line are ignored. */
	while (p < len && (buf[p] == '\n' || buf[p] == '\r')) {
		if (++skipped > 2 * HTTP_MAX_EMPTY_LINES) {
			*status = 400;
			return -1;
		}
		p++;
	}
	e = line_end(buf, p, len);
	if (e < 0) {
		if (len - p <= HTTP_MAX_LINE)
			return 0;
		/* A method and the start of a target, then too long: 414. */
		size_t i = p;
		while (i < len && i - p < 24 && is_tchar((unsigned char)buf[i]))
			i++;
		*status = (i > p && i < len && buf[i] == ' ') ? 414 : 400;
		if (i > p && i - p < sizeof(h->method)) {
			memcpy(h->method, buf + p, i - p);
			h->method[i - p] = '\0';
		}
		return -1;
	}
	{
		size_t n = (size_t)e - p;
		if (n && buf[e - 1] == '\r')
			n--;
		if (n > HTTP_MAX_LINE) {
			*status = 414;
			return -1;
		}
		st = request_line(h, buf + p, n);
		if (st) {
			*status = st;
			return -1;
		}
		if (h->minor == 0)
			h->conn_close = 1;
	}
	p = (size_t)e + 1;
	for (;;) {
		size_t n;
		e = line_end(buf, p, len);
		if (e < 0) {
			if (len - p > HTTP_MAX_FIELD || len > HTTP_MAX_HEAD) {
				*status = 431;
				return -1;
			}
			return 0;
		}
		n = (size_t)e - p;
		if (n && buf[e - 1] == '\r')
			n--;
		if (n == 0) {
			p = (size_t)e + 1;
			if (p > HTTP_MAX_HEAD) {
				*status = 431;
				return -1;
			}
			break;
		}
		if (h->verb == HV_PRI) {
			p = (size_t)e + 1;
			continue; /* the preface's "SM" line and what follows are not ours */
		}
		if (n > HTTP_MAX_FIELD || ++fields > HTTP_MAX_FIELDS ||
		    (size_t)e + 1 > HTTP_MAX_HEAD) {
			*status = 431;
			return -1;
		}
		if (buf[p] == ' ' || buf[p] == '\t') {
			*status = 400; /* obsolete line folding */
			return -1;
		}
		st = field(h, buf + p, n);
		if (st) {
			*status = st;
			return -1;
		}
		p = (size_t)e + 1;
	}
	if (h->verb == HV_PRI) {
		h->head_len = p;
		return 1;
	}
	if (h->has_te && h->has_cl) {
		*status = 400; /* RFC 9112 6.1: a smuggling attempt */
		return -1;
	}
	h->head_len = p;
	return 1;
}
