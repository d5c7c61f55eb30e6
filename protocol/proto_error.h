/*
 * proto_error.h: the one error table of the wire contract (spec section 2).
 *
 * Every error the server can answer is a row here: enum value, HTTP status,
 * stable slug (clients branch on it) and the default human message. Handlers
 * return an enum proto_err; the transport renders it. Pure data, any thread.
 */
#ifndef BOXOFFICE_PROTO_ERROR_H
#define BOXOFFICE_PROTO_ERROR_H

/* X(name, http status, slug, default message) */
#define PROTO_ERRORS(X)                                                                           \
	X(OK, 200, "ok", "OK")                                                                    \
	X(BAD_REQUEST, 400, "bad_request", "malformed request body")                              \
	X(INVALID_FIELD, 400, "invalid_field", "a field is missing or invalid")                   \
	X(UNAUTHORIZED, 401, "unauthorized", "authentication required")                           \
	X(TOKEN_EXPIRED, 401, "token_expired", "token expired or revoked")                        \
	X(BAD_SIGNATURE, 401, "bad_signature", "signature does not match")                        \
	X(FORBIDDEN, 403, "forbidden", "not allowed for this role")                               \
	X(NOT_FOUND, 404, "not_found", "no such resource")                                        \
	X(METHOD_NOT_ALLOWED, 405, "method_not_allowed", "method not allowed")                    \
	X(SEAT_TAKEN, 409, "seat_taken", "some seats are already taken")                          \
	X(CONFLICT, 409, "conflict", "the current state does not allow this")                     \
	X(ALREADY_EXISTS, 409, "already_exists", "already exists")                                \
	X(HOLD_EXPIRED, 410, "hold_expired", "the seat hold has expired")                         \
	X(CODE_EXPIRED, 410, "code_expired", "the verification code is used or expired")          \
	X(LENGTH_REQUIRED, 411, "length_required", "a request body needs Content-Length")         \
	X(TOO_LARGE, 413, "too_large", "request body too large")                                  \
	X(URI_TOO_LONG, 414, "uri_too_long", "request target too long")                           \
	X(UNSUPPORTED_MEDIA_TYPE, 415, "unsupported_media_type", "body must be application/json") \
	X(RATE_LIMITED, 429, "rate_limited", "too many requests, retry later")                    \
	X(HEADERS_TOO_LARGE, 431, "headers_too_large", "request header fields too large")         \
	X(INTERNAL, 500, "internal", "internal error")                                            \
	X(UNAVAILABLE, 503, "unavailable", "a dependency is unavailable, retry later")

/* clang-format cannot indent a member after an X-macro expansion. */
/* clang-format off */
enum proto_err {
#define PROTO_ERR_ENUM(name, status, slug, msg) PROTO_ERR_##name,
	PROTO_ERRORS(PROTO_ERR_ENUM)
#undef PROTO_ERR_ENUM
	PROTO_ERR__COUNT
};
/* clang-format on */
#define PROTO_OK PROTO_ERR_OK

/* HTTP status of an error; 500 for an out-of-range value. */
int proto_err_status(enum proto_err e);
/* Stable slug ("seat_taken"); static storage. */
const char *proto_err_slug(enum proto_err e);
/* Default human message; static storage. */
const char *proto_err_message(enum proto_err e);
/* Reverse lookup by slug; PROTO_ERR__COUNT when unknown. */
enum proto_err proto_err_from_slug(const char *slug);

#endif
