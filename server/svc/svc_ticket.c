/*
 * svc_ticket.c: see svc_ticket.h.
 */
#include "svc/svc_ticket.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <qrencode.h>

#include "core/config.h"
#include "core/log.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "store/store_pay.h"
#include "svc/events.h"
#include "svc/txn.h"
#include "svc/routes.h"

#define CODE_MAX 64
#define QR_MARGIN 4

#define RESULT_ADMITTED "admitted"
#define RESULT_ALREADY_USED "already_used"
#define RESULT_VOID "void"
#define RESULT_WRONG_SCREENING "wrong_screening"
#define RESULT_TOO_EARLY "too_early"

static const char *status_text(int status)
{
	switch (status) {
	case STORE_TICKET_RESERVED:
		return "reserved";
	case STORE_TICKET_ISSUED:
		return "issued";
	default:
		return "void";
	}
}

static int is_staff(const struct req *r)
{
	return r->auth.role == PROTO_ROLE_ADMIN || r->auth.role == PROTO_ROLE_CASHIER;
}

/* The ticket of "code" as the caller may see it; 404 otherwise. */
static enum proto_err load(struct req *r, struct pay_ticket_info *ti, int staff_only)
{
	const char *code = NULL;
	enum db_rc rc;
	int found = 0, g;

	g = proto_get_str(r->body, "code", CODE_MAX, &code);
	if (g != 1 || !code[0])
		return req_fail_field(r, "code");
	rc = store_pay_ticket_by_code(r->w, code, ti, &found);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	if (!found || (!is_staff(r) && (staff_only || ti->uid != r->auth.uid)))
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such ticket");
	return PROTO_OK;
}

/* ---- /ticket/checkin ---- */

struct checkin_ctx {
	const struct pay_ticket_info *ti;
	int64_t now;
	uint64_t aff;
};

static enum proto_err checkin_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct checkin_ctx *c = arg;
	char detail[120];

	TXN_TRY(store_pay_ticket_checkin(r->w, c->ti->t.id, c->now, &c->aff));
	if (c->aff == 0)
		return PROTO_OK;
	snprintf(detail, sizeof(detail), "code=%s screening=%" PRId64 " seat=%s result=admitted",
	         c->ti->t.code, c->ti->t.screening_id, c->ti->t.seat);
	TXN_TRY(txn_audit(r, "ticket.checkin", "ticket", c->ti->t.id, detail));
	return PROTO_OK;
}

enum proto_err ticket_checkin(struct req *r)
{
	struct pay_ticket_info ti;
	struct checkin_ctx c;
	const char *result;
	enum proto_err e;
	int64_t door = 0, used_at;
	int g;

	e = load(r, &ti, 1);
	if (e != PROTO_OK)
		return e;
	g = proto_get_id(r->body, "screeningId", &door);
	if (g < 0)
		return req_fail_field(r, "screeningId");
	memset(&c, 0, sizeof(c));
	c.ti = &ti;
	c.now = (int64_t)time(NULL);
	used_at = ti.t.used_at;
	if (ti.t.status != STORE_TICKET_ISSUED || ti.order_status != PROTO_ORDER_PAID ||
	    ti.screening_status != 0)
		result = RESULT_VOID;
	else if (g == 1 && door != ti.t.screening_id)
		result = RESULT_WRONG_SCREENING;
	else if (ti.t.screening_id > 0 && c.now < ti.start_at - cfg.checkin_window)
		result = RESULT_TOO_EARLY;
	else if (ti.t.used_at != 0)
		result = RESULT_ALREADY_USED;
	else {
		e = txn_run(r, checkin_tx, &c);
		if (e != PROTO_OK)
			return e;
		if (c.aff == 1) {
			result = RESULT_ADMITTED;
			used_at = c.now;
		} else {
			/* Another door admitted it between our read and our write. */
			struct pay_ticket_info again;

			e = load(r, &again, 1);
			if (e != PROTO_OK)
				return e;
			result = RESULT_ALREADY_USED;
			used_at = again.t.used_at;
		}
	}
	if (strcmp(result, RESULT_ADMITTED) != 0) {
		char detail[120];

		/*
		 * A refused ticket changes nothing: the audit row is the only
		 * write, committed on its own, and a failure to write it does
		 * not change what the door is told.
		 */
		snprintf(detail, sizeof(detail), "code=%s door=%" PRId64 " result=%s", ti.t.code,
		         door, result);
		(void)txn_audit(r, "ticket.checkin", "ticket", ti.t.id, detail);
	} else {
		cJSON *ev = cJSON_CreateObject();

		if (ev) {
			cJSON_AddStringToObject(ev, "code", ti.t.code);
			cJSON_AddNumberToObject(ev, "screeningId", (double)ti.t.screening_id);
			cJSON_AddStringToObject(ev, "seat", ti.t.seat);
			cJSON_AddNumberToObject(ev, "usedAt", (double)used_at);
		}
		events_emit(EVENTS_TICKET_CHECKEDIN, ti.t.order_id, ev);
	}
	cJSON_AddStringToObject(r->data, "result", result);
	cJSON_AddStringToObject(r->data, "seat", ti.t.seat);
	cJSON_AddNumberToObject(r->data, "screeningId", (double)ti.t.screening_id);
	cJSON_AddStringToObject(r->data, "film", ti.film);
	cJSON_AddNumberToObject(r->data, "usedAt", (double)used_at);
	cJSON_AddNumberToObject(r->data, "startAt", (double)ti.start_at);
	return PROTO_OK;
}

/* ---- /ticket/detail ---- */

enum proto_err ticket_detail(struct req *r)
{
	struct pay_ticket_info ti;
	enum proto_err e = load(r, &ti, 0);

	if (e != PROTO_OK)
		return e;
	cJSON_AddStringToObject(r->data, "code", ti.t.code);
	cJSON_AddNumberToObject(r->data, "orderId", (double)ti.t.order_id);
	cJSON_AddStringToObject(r->data, "seat", ti.t.seat);
	cJSON_AddStringToObject(r->data, "ticketType", ti.t.ticket_type);
	cJSON_AddNumberToObject(r->data, "price", (double)ti.t.price);
	cJSON_AddNumberToObject(r->data, "screeningId", (double)ti.t.screening_id);
	cJSON_AddNumberToObject(r->data, "fid", (double)ti.t.fid);
	cJSON_AddStringToObject(r->data, "film", ti.film);
	cJSON_AddNumberToObject(r->data, "startAt", (double)ti.start_at);
	cJSON_AddNumberToObject(r->data, "status", ti.t.status);
	cJSON_AddStringToObject(r->data, "statusText", status_text(ti.t.status));
	cJSON_AddNumberToObject(r->data, "usedAt", (double)ti.t.used_at);
	return PROTO_OK;
}

/* ---- /ticket/qr ---- */

/* The QR code of text as an SVG document (malloc'd), or NULL. */
static char *qr_svg(const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	size_t cap, len = 0;
	char *out = NULL;
	int x, y, size, n;

	if (!q)
		return NULL;
	size = q->width + 2 * QR_MARGIN;
	/* Each dark module is at most "M%d %dh1v1h-1z" (about 20 bytes). */
	cap = 512 + (size_t)q->width * (size_t)q->width * 20;
	out = malloc(cap);
	if (!out)
		goto out;
	n = snprintf(out, cap,
	             "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
	             "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
	             "fill=\"#fff\"/><path fill=\"#000\" d=\"",
	             size, size, size, size);
	len = (size_t)n;
	for (y = 0; y < q->width; y++)
		for (x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1) {
				n = snprintf(out + len, cap - len, "M%d %dh1v1h-1z", x + QR_MARGIN,
				             y + QR_MARGIN);
				len += (size_t)n;
			}
	snprintf(out + len, cap - len, "\"/></svg>");
out:
	QRcode_free(q);
	return out;
}

enum proto_err ticket_qr(struct req *r)
{
	struct pay_ticket_info ti;
	enum proto_err e = load(r, &ti, 0);
	char *svg;

	if (e != PROTO_OK)
		return e;
	svg = qr_svg(ti.t.code);
	if (!svg) {
		log_error("cannot encode ticket %" PRId64 " as a QR code", ti.t.id);
		return PROTO_ERR_INTERNAL;
	}
	cJSON_AddStringToObject(r->data, "svg", svg);
	cJSON_AddStringToObject(r->data, "code", ti.t.code);
	free(svg);
	return PROTO_OK;
}
