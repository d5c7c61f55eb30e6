/*
 * proto_buf.h: a growing text buffer, kept NUL-terminated, for output built
 * piece by piece (JSON printed by proto_json_print, CSV reports). Memory
 * comes from cJSON's allocator, so the daemon's allocation guard
 * (server/core/jsonguard.h) sees a failure: free it with cJSON_free.
 *
 * A failed allocation sets failed and makes every later append a no-op, so
 * a builder checks once at the end. Pure; any thread.
 */
#ifndef BOXOFFICE_PROTO_BUF_H
#define BOXOFFICE_PROTO_BUF_H

#include <stddef.h>

struct proto_buf {
	char *p; /* NULL until the first append */
	size_t len, cap;
	int failed;
};

/* Append n bytes of s. */
void proto_buf_add(struct proto_buf *b, const char *s, size_t n);
/* Append the string s. */
void proto_buf_str(struct proto_buf *b, const char *s);

#endif
