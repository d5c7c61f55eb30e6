/*
 * ws_frame.h: WebSocket framing (RFC 6455) of the server side and the
 * client messages of spec section 6. Pure: no I/O, any thread (the fuzzer
 * links it alone).
 *
 * The reader takes client bytes as they come (frames must be masked),
 * reassembles fragmented messages up to WS_MAX_MESSAGE bytes, and skips the
 * payload of a larger message without keeping it (the client gets an
 * error and stays connected). Its buffer is allocated only while a message
 * is being read, so an idle client costs sizeof(struct ws_reader).
 */
#ifndef BOXOFFICE_WS_WS_FRAME_H
#define BOXOFFICE_WS_WS_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define WS_MAX_MESSAGE 4096 /* spec 6: client frames of at most 4 KiB */

enum ws_opcode {
	WS_OP_CONT = 0,
	WS_OP_TEXT = 1,
	WS_OP_BINARY = 2,
	WS_OP_CLOSE = 8,
	WS_OP_PING = 9,
	WS_OP_PONG = 10
};

enum ws_event {
	WS_EV_NONE,   /* all bytes used, no complete message */
	WS_EV_TEXT,   /* a complete text message in msg/len */
	WS_EV_BINARY, /* a complete binary message (refused by the hub) */
	WS_EV_PING,   /* payload in msg/len (at most 125 bytes) */
	WS_EV_PONG,
	WS_EV_CLOSE,     /* the client closes */
	WS_EV_TOO_LARGE, /* a message over WS_MAX_MESSAGE was skipped */
	WS_EV_ERROR      /* a protocol error: the connection must close */
};

struct ws_reader {
	unsigned char hdr[14];
	unsigned char hlen;
	unsigned char mask[4];
	unsigned char opcode; /* of the frame being read */
	unsigned char fin;
	unsigned char msg_op;   /* opcode of the message being assembled, 0 none */
	unsigned char skipping; /* the current message is too large */
	unsigned char in_payload;
	uint64_t left; /* payload bytes of the frame still to come */
	uint64_t pos;  /* payload bytes of the frame read so far */
	char *buf;     /* message being assembled (malloc'd), or NULL */
	size_t len;
	unsigned char ctl[125]; /* a control frame's payload */
	unsigned char ctl_len;
};

/*
 * Read from data[0..n). Stops after each complete event: returns it with
 * *used set to the bytes consumed; call again with the rest. For TEXT,
 * BINARY, PING and PONG, *msg and *len give the payload, valid until the next call.
 */
enum ws_event ws_read(struct ws_reader *r, const unsigned char *data, size_t n, size_t *used,
                      const char **msg, size_t *len);
/* Free what the reader holds. */
void ws_reader_free(struct ws_reader *r);

/* Write a server frame header (unmasked, FIN) for len payload bytes into h; returns its size (<=
 * 10). */
size_t ws_frame_header(unsigned char *h, enum ws_opcode op, size_t len);

/* A client message of spec 6. */
enum ws_op_kind { WS_OPK_AUTH, WS_OPK_SUBSCRIBE, WS_OPK_UNSUBSCRIBE, WS_OPK_PING };

struct ws_op {
	enum ws_op_kind kind;
	int64_t screening_id;
	char token[1000];
};

/*
 * Parse a client text message. Returns 0 with *op filled, or -1 with *slug
 * ("bad_request": not a JSON object, or an unknown op; "invalid_field": a
 * missing or bad field, named in *field, else NULL) and a message in msg.
 */
int ws_parse_op(const char *text, size_t len, struct ws_op *op, const char **slug,
                const char **field, char *msg, size_t msglen);

#endif
