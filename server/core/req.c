/* req.c: error helpers and paging of struct req (see req.h). */
#include "core/req.h"

#include <stdarg.h>
#include <stdio.h>

#include "proto_json.h"
#include "proto_wire.h"

static void set_data(struct req *r, const char *key, const char *value)
{
	cJSON_Delete(r->err_data);
	r->err_data = cJSON_CreateObject();
	if (r->err_data)
		cJSON_AddStringToObject(r->err_data, key, value);
}

enum proto_err req_answer(struct req *r, cJSON *v)
{
	if (!v)
		return PROTO_ERR_INTERNAL;
	proto_json_move_members(r->data, v);
	cJSON_Delete(v);
	return PROTO_OK;
}

enum proto_err req_fail_field(struct req *r, const char *field)
{
	set_data(r, PROTO_KEY_FIELD, field);
	snprintf(r->err_msg, sizeof(r->err_msg), "invalid field '%s'", field);
	return PROTO_ERR_INVALID_FIELD;
}

enum proto_err req_fail_conflict(struct req *r, const char *reason)
{
	set_data(r, PROTO_KEY_REASON, reason);
	snprintf(r->err_msg, sizeof(r->err_msg), "conflict: %s", reason);
	return PROTO_ERR_CONFLICT;
}

enum proto_err req_fail_exists(struct req *r, const char *field)
{
	set_data(r, PROTO_KEY_FIELD, field);
	snprintf(r->err_msg, sizeof(r->err_msg), "'%s' is already in use", field);
	return PROTO_ERR_ALREADY_EXISTS;
}

enum proto_err req_fail_rate(struct req *r, int retry_after)
{
	r->retry_after = retry_after > 0 ? retry_after : 1;
	return PROTO_ERR_RATE_LIMITED;
}

enum proto_err req_fail_msg(struct req *r, enum proto_err e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err_msg, sizeof(r->err_msg), fmt, ap);
	va_end(ap);
	return e;
}

enum proto_err req_paging(struct req *r, int64_t *page, int64_t *page_size)
{
	*page = 1;
	*page_size = PROTO_PAGE_SIZE_DEFAULT;
	if (proto_get_int(r->body, "page", 1, 1000000, page) < 0)
		return req_fail_field(r, "page");
	if (proto_get_int(r->body, "pageSize", 1, PROTO_PAGE_SIZE_MAX, page_size) < 0)
		return req_fail_field(r, "pageSize");
	return PROTO_OK;
}
