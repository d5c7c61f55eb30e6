/*
 * ws_frame.c: see ws_frame.h.
 */
#include "ws/ws_frame.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_json.h"
#include "proto_wire.h"

/* Header bytes needed once the first hlen bytes are known. */
static size_t header_need(const unsigned char *h, size_t hlen)
{
	size_t need = 2;

	if (hlen < 2)
		return need;
	if ((h[1] & 0x7f) == 126)
		need += 2;
	else if ((h[1] & 0x7f) == 127)
		need += 8;
	if (h[1] & 0x80)
		need += 4;
	return need;
}

void ws_reader_free(struct ws_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = 0;
}

/* A complete header in r->hdr: check it and start the payload. 0 or -1 (protocol error). */
static int start_frame(struct ws_reader *r)
{
	const unsigned char *h = r->hdr;
	uint64_t plen = h[1] & 0x7f;
	size_t p = 2;

	if (h[0] & 0x70)
		return -1; /* RSV bits: no extension was negotiated */
	if (!(h[1] & 0x80))
		return -1; /* client frames must be masked */
	r->fin = (h[0] & 0x80) != 0;
	r->opcode = h[0] & 0x0f;
	if (plen == 126) {
		plen = ((uint64_t)h[2] << 8) | h[3];
		p = 4;
	} else if (plen == 127) {
		plen = 0;
		for (int i = 0; i < 8; i++)
			plen = (plen << 8) | h[2 + i];
		if (plen >> 63)
			return -1;
		p = 10;
	}
	memcpy(r->mask, h + p, 4);
	switch (r->opcode) {
	case WS_OP_CLOSE:
	case WS_OP_PING:
	case WS_OP_PONG:
		if (!r->fin || plen > 125)
			return -1;
		r->ctl_len = 0;
		break;
	case WS_OP_CONT:
		if (!r->msg_op)
			return -1;
		break;
	case WS_OP_TEXT:
	case WS_OP_BINARY:
		if (r->msg_op)
			return -1;
		r->msg_op = r->opcode;
		r->skipping = 0;
		ws_reader_free(r);
		break;
	default:
		return -1;
	}
	if (r->opcode < WS_OP_CLOSE && !r->skipping && r->len + plen > WS_MAX_MESSAGE) {
		r->skipping = 1;
		ws_reader_free(r);
	}
	r->left = plen;
	r->pos = 0;
	r->in_payload = 1;
	return 0;
}

/* The frame's payload is all read: the event it completes, or WS_EV_NONE. */
static enum ws_event end_frame(struct ws_reader *r, const char **msg, size_t *len)
{
	enum ws_event ev;

	r->in_payload = 0;
	r->hlen = 0;
	switch (r->opcode) {
	case WS_OP_CLOSE:
		return WS_EV_CLOSE;
	case WS_OP_PING:
	case WS_OP_PONG:
		*msg = (const char *)r->ctl;
		*len = r->ctl_len;
		return r->opcode == WS_OP_PING ? WS_EV_PING : WS_EV_PONG;
	default:
		break;
	}
	if (!r->fin)
		return WS_EV_NONE;
	if (r->skipping)
		ev = WS_EV_TOO_LARGE;
	else
		ev = r->msg_op == WS_OP_TEXT ? WS_EV_TEXT : WS_EV_BINARY;
	r->msg_op = 0;
	r->skipping = 0;
	*msg = r->buf ? r->buf : "";
	*len = r->len;
	return ev;
}

enum ws_event ws_read(struct ws_reader *r, const unsigned char *data, size_t n, size_t *used,
                      const char **msg, size_t *len)
{
	size_t i = 0;

	*msg = NULL;
	*len = 0;
	/* The message delivered last time is done with. */
	if (!r->msg_op && r->buf)
		ws_reader_free(r);
	while (i < n) {
		if (!r->in_payload) {
			r->hdr[r->hlen++] = data[i++];
			if (r->hlen < header_need(r->hdr, r->hlen))
				continue;
			if (start_frame(r) < 0) {
				*used = i;
				return WS_EV_ERROR;
			}
		} else {
			size_t k = n - i;
			if (k > r->left)
				k = (size_t)r->left;
			if (r->opcode >= WS_OP_CLOSE) {
				for (size_t j = 0; j < k; j++)
					r->ctl[r->ctl_len++] =
					    data[i + j] ^ r->mask[(r->pos + j) & 3];
			} else if (!r->skipping) {
				char *b = realloc(r->buf, r->len + k + 1);
				if (!b) {
					*used = i;
					return WS_EV_ERROR;
				}
				r->buf = b;
				for (size_t j = 0; j < k; j++)
					b[r->len + j] =
					    (char)(data[i + j] ^ r->mask[(r->pos + j) & 3]);
				r->len += k;
				b[r->len] = '\0';
			}
			r->pos += k;
			r->left -= k;
			i += k;
		}
		if (r->in_payload && r->left == 0) {
			enum ws_event ev = end_frame(r, msg, len);
			if (ev != WS_EV_NONE) {
				*used = i;
				return ev;
			}
		}
	}
	*used = i;
	return WS_EV_NONE;
}

size_t ws_frame_header(unsigned char *h, enum ws_opcode op, size_t len)
{
	h[0] = (unsigned char)(0x80 | op);
	if (len < 126) {
		h[1] = (unsigned char)len;
		return 2;
	}
	if (len <= 0xffff) {
		h[1] = 126;
		h[2] = (unsigned char)(len >> 8);
		h[3] = (unsigned char)len;
		return 4;
	}
	h[1] = 127;
	for (int i = 0; i < 8; i++)
		h[2 + i] = (unsigned char)((uint64_t)len >> (56 - 8 * i));
	return 10;
}

int ws_parse_op(const char *text, size_t len, struct ws_op *op, const char **slug,
                const char **field, char *msg, size_t msglen)
{
	enum proto_err err;
	cJSON *o = proto_json_parse(text, len, &err);
	const char *name = NULL, *tok = NULL;
	int rc = -1;

	memset(op, 0, sizeof(*op));
	*slug = "bad_request";
	*field = NULL;
	if (!o) {
		snprintf(msg, msglen, "not a JSON object");
		return -1;
	}
	if (proto_get_str(o, "op", 32, &name) != 1) {
		*slug = "invalid_field";
		*field = "op";
		snprintf(msg, msglen, "invalid field 'op'");
		goto out;
	}
	if (!strcmp(name, PROTO_WS_OP_AUTH)) {
		op->kind = WS_OPK_AUTH;
		if (proto_get_str(o, "token", sizeof(op->token) - 1, &tok) != 1 ||
		    strlen(tok) >= sizeof(op->token)) {
			*slug = "invalid_field";
			*field = "token";
			snprintf(msg, msglen, "invalid field 'token'");
			goto out;
		}
		snprintf(op->token, sizeof(op->token), "%s", tok);
	} else if (!strcmp(name, PROTO_WS_OP_SUBSCRIBE) || !strcmp(name, PROTO_WS_OP_UNSUBSCRIBE)) {
		op->kind = name[0] == 's' ? WS_OPK_SUBSCRIBE : WS_OPK_UNSUBSCRIBE;
		if (proto_get_id(o, "screeningId", &op->screening_id) != 1) {
			*slug = "invalid_field";
			*field = "screeningId";
			snprintf(msg, msglen, "invalid field 'screeningId'");
			goto out;
		}
	} else if (!strcmp(name, PROTO_WS_OP_PING)) {
		op->kind = WS_OPK_PING;
	} else {
		snprintf(msg, msglen, "unknown op");
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(o);
	return rc;
}
