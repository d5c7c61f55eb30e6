/*
 * http_parse.h: the HTTP/1.1 request head parser of the transport (RFC 9112).
 *
 * Pure: no I/O, no libwebsockets, any thread (the fuzzer links it alone).
 * http.c feeds it the bytes of a connection; it either needs more, or gives
 * the head's length and the few fields the server uses, or a status to
 * answer (400, 414, 431) after which the connection closes.
 */
#ifndef BOXOFFICE_HTTP_HTTP_PARSE_H
#define BOXOFFICE_HTTP_HTTP_PARSE_H

#include <stddef.h>

#define HTTP_MAX_LINE 8192     /* request line; a longer one is 414 */
#define HTTP_MAX_FIELD 8192    /* one header line; a longer one is 431 */
#define HTTP_MAX_HEAD 32768    /* the whole head; a longer one is 431 */
#define HTTP_MAX_FIELDS 100    /* header lines; more is 431 */
#define HTTP_MAX_PATH 255      /* decoded path without query; longer is 414 */
#define HTTP_MAX_EMPTY_LINES 8 /* CRLFs skipped before a request line */

enum http_verb { HV_GET, HV_HEAD, HV_POST, HV_OTHER, HV_PRI };

struct http_head {
	size_t head_len; /* bytes of the head, leading empty lines included */
	enum http_verb verb;
	char method[24];
	char path[HTTP_MAX_PATH + 1]; /* percent-decoded, without ?query */
	int minor;                    /* HTTP/1.minor */
	int has_cl;
	unsigned long long cl;
	int has_te;     /* any Transfer-Encoding */
	int conn_close; /* Connection: close, or HTTP/1.0 without keep-alive */
	int conn_upgrade;
	int upgrade_ws; /* Upgrade: websocket */
	int expect_continue;
	int ws_version;
	char ctype[128];
	char authorization[1024];
	char request_id[80];   /* "" when absent or too long */
	char traceparent[128]; /* "" when absent or too long; "-" when repeated (invalid) */
	char signature[160];
	char ws_key[64];
	char ws_protocol[256];
};

/*
 * Parse the head at the start of buf[0..len). Returns 1 when complete
 * (*h filled, h->head_len set), 0 when more bytes are needed (none of the
 * limits is reached yet), -1 when the head is refused: *status is 400, 414
 * or 431, and h->method/h->request_id hold what could be read. An HTTP/2
 * connection preface ("PRI * HTTP/2.0") is complete with verb HV_PRI.
 */
int http_parse_head(const char *buf, size_t len, struct http_head *h, int *status);

/* 1 when the comma-separated list value holds token (case-insensitive). */
int http_list_has(const char *value, size_t n, const char *token);

#endif
