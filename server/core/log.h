/*
 * log.h: leveled logging to stderr, one line per message, any thread.
 * Messages are lower case, what failed first, the subject quoted.
 *
 * A line is one JSON object (log_format "json", the default):
 *   {"ts":"2026-01-02T03:04:05.678Z","level":"info","msg":"...",
 *    "request_id":"...","trace_id":"<32 hex>","span_id":"<16 hex>"}
 * where the last three come from the thread's current span (core/trace.h)
 * and are left out when there is none, plus the fields a caller adds with
 * log_msg_id. Or, with log_format "text", the older
 *   2026-01-02T03:04:05.678Z info ... [request_id=... trace_id=... span_id=...]
 * Both are safe to grep by message text; json escapes '"', '\' and
 * control characters.
 */
#ifndef BOXOFFICE_CORE_LOG_H
#define BOXOFFICE_CORE_LOG_H

#include <stdint.h>

enum log_level { LOG_ERROR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };
enum log_format { LOG_FORMAT_JSON = 0, LOG_FORMAT_TEXT = 1 };

void log_set_level(enum log_level lvl);
/* Returns 0, or -1 for a name other than "json" or "text". */
int log_set_format(const char *name);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line with one more integer field, key (a JSON-safe name) = value. */
void log_msg_id(enum log_level lvl, const char *key, int64_t value, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

#endif
