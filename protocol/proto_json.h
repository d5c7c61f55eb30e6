/*
 * proto_json.h: JSON request decoding and envelope rendering under the limits
 * of spec section 1 (body size, nesting depth, string lengths, types).
 *
 * Pure functions over cJSON; no I/O, no globals; any thread.
 */
#ifndef BOXOFFICE_PROTO_JSON_H
#define BOXOFFICE_PROTO_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "proto_error.h"

#define PROTO_MAX_BODY (64 * 1024)
#define PROTO_MAX_DEPTH 16
#define PROTO_MAX_ID ((INT64_C(1) << 53) - 1)

/* Column sizes of spec section 4, in characters (UTF-8 code points). */
#define PROTO_LEN_NAME 100
#define PROTO_LEN_TEXT 2000
#define PROTO_LEN_MOBILE 20
#define PROTO_LEN_EMAIL 254
#define PROTO_LEN_PASSWORD_MIN 8
#define PROTO_LEN_PASSWORD_MAX 128

/*
 * Parse a request body. An empty body (len 0, or only white space) gives an
 * empty object. Returns a new object the caller frees with cJSON_Delete, or
 * NULL with *err set to PROTO_ERR_BAD_REQUEST (not JSON, not an object, deeper
 * than PROTO_MAX_DEPTH) or PROTO_ERR_TOO_LARGE (len > PROTO_MAX_BODY).
 */
cJSON *proto_json_parse(const char *buf, size_t len, enum proto_err *err);

/* Nesting depth of a value: a scalar is 0, {} or [] is 1. */
int proto_json_depth(const cJSON *v);

/*
 * Field getters. Each returns 1 when the key is present and valid (and sets
 * *out), 0 when the key is absent or JSON null (leaves *out alone), and -1 when
 * present but invalid: wrong type, out of range, too long, not UTF-8.
 * Integers must be JSON numbers with no fraction within [min, max].
 * Strings are borrowed from obj; max_chars counts code points.
 */
int proto_get_int(const cJSON *obj, const char *key, int64_t min, int64_t max, int64_t *out);
int proto_get_str(const cJSON *obj, const char *key, size_t max_chars, const char **out);
/*
 * Stored text (spec section 1): 1 when s holds no C0 or C1 control character
 * and no DEL; long_text allows line feed and tab. proto_get_str applies it to
 * every string, with long_text for the keys "desc" and "content".
 */
int proto_text_ok(const char *s, int long_text);
/* An id: integer in 1 .. PROTO_MAX_ID. */
int proto_get_id(const cJSON *obj, const char *key, int64_t *out);

/* Move every member of object src to the end of object dst (src ends empty). */
void proto_json_move_members(cJSON *dst, cJSON *src);

/*
 * item as JSON text: what cJSON_PrintUnformatted prints (the same escapes,
 * no spaces), except that an integral number prints as its digits and
 * any other number as the shortest of 15 or 17 digits that reads back as
 * that very double. cJSON
 * 1.7 prints 1031234567890120 as 1.03123456789012e+15 and, from 2^52 on,
 * rounds (9007199254740991 came out as 9.00719925474099e+15), while our
 * ids are 16-digit integers up to 2^53 - 1 (spec section 1) that clients
 * must read as integers. Every JSON text the daemon and its client send
 * is printed through here. Returns memory to free with cJSON_free, or NULL
 * (out of memory, an invalid item, a raw item without text).
 */
char *proto_json_print(const cJSON *item);

/* Number of UTF-8 code points in s, or -1 if s is not valid UTF-8. */
long proto_utf8_len(const char *s);

/*
 * Envelope rendering (spec section 2). Both return a malloc'd NUL-terminated
 * string the caller frees with free(); *len receives its length.
 * proto_render_ok takes data (may be NULL: rendered as {}) by reference only.
 * proto_render_error: msg NULL means the table's default message; data may be
 * NULL (no "data" key).
 */
char *proto_render_ok(const cJSON *data, size_t *len);
char *proto_render_error(enum proto_err e, const char *msg, const cJSON *data, size_t *len);
/*
 * The success envelope around data that is already JSON text (a cached
 * answer): the bytes proto_render_ok gives for the same object, built by
 * concatenation, without parsing raw. raw[0..raw_len) must be one JSON object
 * as proto_json_print prints it (only its first and last bytes are
 * checked). Returns a malloc'd NUL-terminated string (free()), or NULL when
 * raw is not '{'...'}' or memory ran out; *len receives its length (0 then).
 */
char *proto_render_ok_raw(const char *raw, size_t raw_len, size_t *len);

#endif
