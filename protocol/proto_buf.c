/* proto_buf.c: see proto_buf.h. */
#include "proto_buf.h"

#include <string.h>

#include <cjson/cJSON.h>

void proto_buf_add(struct proto_buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		/* cJSON's hooks have no realloc: a new block and a copy. */
		p = cJSON_malloc(cap);
		if (!p) {
			b->failed = 1;
			return;
		}
		if (b->len)
			memcpy(p, b->p, b->len);
		cJSON_free(b->p);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void proto_buf_str(struct proto_buf *b, const char *s)
{
	proto_buf_add(b, s, strlen(s));
}
