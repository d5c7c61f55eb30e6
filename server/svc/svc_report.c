/*
 * svc_report.c: see svc_report.h.
 */
#include "svc/svc_report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_buf.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "store/store_report.h"
#include "svc/txn.h"
#include "svc/routes.h"

#define TIME_MAX INT64_C(253402300799) /* 9999-12-31 */

/* from and to (required when need, else 0 and TIME_MAX), from < to. */
static enum proto_err get_range(struct req *r, int need, int64_t *from, int64_t *to)
{
	int g;

	*from = 0;
	*to = TIME_MAX;
	g = proto_get_int(r->body, "from", 0, TIME_MAX, from);
	if (g < 0 || (need && g == 0))
		return req_fail_field(r, "from");
	g = proto_get_int(r->body, "to", 0, TIME_MAX, to);
	if (g < 0 || (need && g == 0) || *to <= *from)
		return req_fail_field(r, "to");
	return PROTO_OK;
}

/* ---- csv (RFC 4180: CRLF, fields with , " CR LF quoted, " doubled) ---- */

static void csv_field(struct proto_buf *b, const char *s)
{
	const char *q;

	if (strpbrk(s, ",\"\r\n") == NULL) {
		proto_buf_add(b, s, strlen(s));
		return;
	}
	proto_buf_add(b, "\"", 1);
	while ((q = strchr(s, '"')) != NULL) {
		proto_buf_add(b, s, (size_t)(q - s) + 1);
		proto_buf_add(b, "\"", 1);
		s = q + 1;
	}
	proto_buf_add(b, s, strlen(s));
	proto_buf_add(b, "\"", 1);
}

static enum proto_err sales_csv(struct req *r, const struct report_sales_row *rows, int n)
{
	struct proto_buf b = {0};
	char nums[96];
	int i;

	proto_buf_add(&b, "key,id,tickets,amount,refunds\r\n", 31);
	for (i = 0; i < n; i++) {
		csv_field(&b, rows[i].key);
		snprintf(nums, sizeof(nums), ",%" PRId64 ",%" PRId64 ",%" PRId64 ",%" PRId64 "\r\n",
		         rows[i].id, rows[i].tickets, rows[i].amount, rows[i].refunds);
		proto_buf_add(&b, nums, strlen(nums));
	}
	if (b.failed) {
		cJSON_free(b.p);
		return PROTO_ERR_INTERNAL;
	}
	/* cJSON's allocator is malloc's (core/jsonguard.c): the dispatcher's free() frees it. */
	r->out_body = b.p;
	r->out_len = b.len;
	r->out_ctype = "text/csv; charset=utf-8";
	return PROTO_OK;
}

/* ---- /report/sales ---- */

enum proto_err report_sales(struct req *r)
{
	static const char *const groups[] = {"film", "day", "cashier", "method"};
	struct report_sales_row *rows = NULL;
	const char *group = NULL, *format = NULL;
	int64_t from, to;
	enum proto_err e;
	enum db_rc rc;
	int g = -1, csv = 0, n = 0, i;
	cJSON *list;

	if ((e = get_range(r, 1, &from, &to)) != PROTO_OK)
		return e;
	if (proto_get_str(r->body, "groupBy", 16, &group) != 1)
		return req_fail_field(r, "groupBy");
	for (i = 0; i < 4; i++)
		if (strcmp(group, groups[i]) == 0)
			g = i;
	if (g < 0)
		return req_fail_field(r, "groupBy");
	i = proto_get_str(r->body, "format", 8, &format);
	if (i < 0 || (i == 1 && strcmp(format, "json") != 0 && strcmp(format, "csv") != 0))
		return req_fail_field(r, "format");
	csv = i == 1 && strcmp(format, "csv") == 0;
	rc = store_report_sales(r->w, (enum report_group)g, from, to, &rows, &n);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	if (csv) {
		e = sales_csv(r, rows, n);
		free(rows);
		return e;
	}
	list = cJSON_AddArrayToObject(r->data, "list");
	for (i = 0; list && i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o)
			break;
		cJSON_AddStringToObject(o, "key", rows[i].key);
		cJSON_AddNumberToObject(o, "id", (double)rows[i].id);
		cJSON_AddNumberToObject(o, "tickets", (double)rows[i].tickets);
		cJSON_AddNumberToObject(o, "amount", (double)rows[i].amount);
		cJSON_AddNumberToObject(o, "refunds", (double)rows[i].refunds);
		cJSON_AddItemToArray(list, o);
	}
	free(rows);
	return PROTO_OK;
}

/* ---- /report/occupancy ---- */

enum proto_err report_occupancy(struct req *r)
{
	struct report_occ_row *rows = NULL;
	int64_t from, to;
	enum proto_err e;
	enum db_rc rc;
	int n = 0, i;
	cJSON *list;

	if ((e = get_range(r, 1, &from, &to)) != PROTO_OK)
		return e;
	rc = store_report_occupancy(r->w, from, to, &rows, &n);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	list = cJSON_AddArrayToObject(r->data, "list");
	for (i = 0; list && i < n; i++) {
		cJSON *o = cJSON_CreateObject();
		double pct = 0;

		if (!o)
			break;
		/* percent with one decimal, rounded half up */
		if (rows[i].total > 0)
			pct = (double)((rows[i].sold * 1000 + rows[i].total / 2) / rows[i].total) /
			      10.0;
		cJSON_AddNumberToObject(o, "screeningId", (double)rows[i].screening_id);
		cJSON_AddStringToObject(o, "film", rows[i].film);
		cJSON_AddNumberToObject(o, "startAt", (double)rows[i].start_at);
		cJSON_AddNumberToObject(o, "sold", (double)rows[i].sold);
		cJSON_AddNumberToObject(o, "total", (double)rows[i].total);
		cJSON_AddNumberToObject(o, "percent", pct);
		cJSON_AddItemToArray(list, o);
	}
	free(rows);
	return PROTO_OK;
}

/* ---- /audit/list ---- */

enum proto_err report_audit_list(struct req *r)
{
	struct audit_row *rows = NULL;
	int64_t from, to, actor = -1, page, size, total = 0;
	enum proto_err e;
	enum db_rc rc;
	int n = 0, i, g;
	cJSON *list;

	if ((e = get_range(r, 0, &from, &to)) != PROTO_OK)
		return e;
	g = proto_get_int(r->body, "actor", 0, INT64_C(9007199254740991), &actor);
	if (g < 0)
		return req_fail_field(r, "actor");
	if (g == 0)
		actor = -1;
	if ((e = req_paging(r, &page, &size)) != PROTO_OK)
		return e;
	rc = store_audit_list(r->w, from, to, actor, (page - 1) * size, size, &rows, &n, &total);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	list = cJSON_AddArrayToObject(r->data, "list");
	for (i = 0; list && i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		if (!o)
			break;
		cJSON_AddNumberToObject(o, "id", (double)rows[i].id);
		cJSON_AddNumberToObject(o, "at", (double)rows[i].at);
		cJSON_AddNumberToObject(o, "actor", (double)rows[i].actor);
		cJSON_AddStringToObject(o, "action", rows[i].action);
		cJSON_AddStringToObject(o, "target", rows[i].target);
		cJSON_AddStringToObject(o, "detail", rows[i].detail);
		cJSON_AddItemToArray(list, o);
	}
	free(rows);
	cJSON_AddNumberToObject(r->data, "total", (double)total);
	cJSON_AddNumberToObject(r->data, "page", (double)page);
	cJSON_AddNumberToObject(r->data, "pageSize", (double)size);
	return PROTO_OK;
}
