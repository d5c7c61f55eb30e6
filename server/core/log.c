/* log.c: see log.h. One write per line keeps lines whole across threads. */
#include "core/log.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/trace.h"

#define MSG_MAX 1024
#define LINE_MAX_BYTES 8192

static volatile enum log_level level = LOG_INFO;
static volatile enum log_format format = LOG_FORMAT_JSON;

struct line {
	char buf[LINE_MAX_BYTES];
	size_t len;
};

void log_set_level(enum log_level lvl)
{
	level = lvl;
}

int log_set_format(const char *name)
{
	if (!strcmp(name, "json"))
		format = LOG_FORMAT_JSON;
	else if (!strcmp(name, "text"))
		format = LOG_FORMAT_TEXT;
	else
		return -1;
	return 0;
}

static void put(struct line *l, const char *s, size_t n)
{
	/*
	 * Room is kept for the closing "}\n". A piece that does not fit is left
	 * out whole, so an escape is never cut (a 1 KiB message escaped is far
	 * below the cap: this is a backstop).
	 */
	if (l->len + n > sizeof(l->buf) - 3)
		return;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t k, i;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;
	k = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (k > n)
		return 0;
	for (i = 1; i < k; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return k;
}

/* s as the inside of a JSON string; a byte that is not UTF-8 becomes \u00XX. */
static void put_escaped(struct line *l, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s);
	char e[8];

	while (n) {
		size_t k = 1;

		if (*p == '"' || *p == '\\') {
			e[0] = '\\';
			e[1] = (char)*p;
			put(l, e, 2);
		} else if (*p < 0x20 || *p == 0x7f) {
			snprintf(e, sizeof(e), "\\u%04x", *p);
			put(l, e, 6);
		} else if (*p < 0x80) {
			put(l, (const char *)p, 1);
		} else if ((k = utf8_len(p, n)) > 0) {
			put(l, (const char *)p, k);
		} else {
			k = 1;
			snprintf(e, sizeof(e), "\\u%04x", *p);
			put(l, e, 6);
		}
		p += k;
		n -= k;
	}
}

static void put_field(struct line *l, const char *key, const char *value)
{
	puts_(l, ",\"");
	puts_(l, key);
	puts_(l, "\":\"");
	put_escaped(l, value);
	puts_(l, "\"");
}

static void emit(enum log_level lvl, const char *key, int64_t value, const char *fmt, va_list ap)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	const struct trace_span *sp = trace_current();
	char msg[MSG_MAX], stamp[40], tid[33], sid[17], num[32];
	struct line l;
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + strlen(stamp), sizeof(stamp) - strlen(stamp), ".%03ldZ",
	         ts.tv_nsec / 1000000);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (sp) {
		trace_hex(sp->ids.trace_id, 16, tid);
		trace_hex(sp->ids.span_id, 8, sid);
	}
	if (key)
		snprintf(num, sizeof(num), "%" PRId64, value);
	l.len = 0;
	if (format == LOG_FORMAT_TEXT) {
		puts_(&l, stamp);
		puts_(&l, " ");
		puts_(&l, names[lvl]);
		puts_(&l, " ");
		puts_(&l, msg);
		if (sp || key) {
			puts_(&l, " [");
			if (sp && sp->request_id[0]) {
				puts_(&l, "request_id=");
				puts_(&l, sp->request_id);
				puts_(&l, " ");
			}
			if (sp) {
				puts_(&l, "trace_id=");
				puts_(&l, tid);
				puts_(&l, " span_id=");
				puts_(&l, sid);
			}
			if (key) {
				puts_(&l, sp ? " " : "");
				puts_(&l, key);
				puts_(&l, "=");
				puts_(&l, num);
			}
			puts_(&l, "]");
		}
		l.buf[l.len++] = '\n';
	} else {
		puts_(&l, "{\"ts\":\"");
		puts_(&l, stamp);
		puts_(&l, "\",\"level\":\"");
		puts_(&l, names[lvl]);
		puts_(&l, "\"");
		put_field(&l, "msg", msg);
		if (sp && sp->request_id[0])
			put_field(&l, "request_id", sp->request_id);
		if (sp) {
			put_field(&l, "trace_id", tid);
			put_field(&l, "span_id", sid);
		}
		if (key) {
			puts_(&l, ",\"");
			puts_(&l, key);
			puts_(&l, "\":");
			puts_(&l, num);
		}
		l.buf[l.len++] = '}';
		l.buf[l.len++] = '\n';
	}
	fwrite(l.buf, 1, l.len, stderr);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	if (lvl > level)
		return;
	va_start(ap, fmt);
	emit(lvl, NULL, 0, fmt, ap);
	va_end(ap);
}

void log_msg_id(enum log_level lvl, const char *key, int64_t value, const char *fmt, ...)
{
	va_list ap;

	if (lvl > level)
		return;
	va_start(ap, fmt);
	emit(lvl, key, value, fmt, ap);
	va_end(ap);
}
