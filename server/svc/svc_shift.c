/*
 * svc_shift.c: see svc_shift.h.
 */
#include "svc/svc_shift.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "store/store_shift.h"
#include "svc/txn.h"
#include "svc/routes.h"

#define MONEY_MAX INT64_C(100000000000)

/* Whose shift: the caller's, or for an admin the "cashierId" given. */
static enum proto_err shift_owner(struct req *r, int64_t *cashier)
{
	int g = proto_get_id(r->body, "cashierId", cashier);

	if (g < 0)
		return req_fail_field(r, "cashierId");
	if (g == 0 || *cashier == r->auth.uid) {
		*cashier = r->auth.uid;
		return PROTO_OK;
	}
	if (r->auth.role != PROTO_ROLE_ADMIN)
		return req_fail_msg(r, PROTO_ERR_FORBIDDEN, "only an admin sees another's shift");
	return PROTO_OK;
}

static int64_t expected_cash(const struct shift_row *s, const struct shift_figures *f)
{
	return s->float_amount + f->cash_sales - f->cash_refunds;
}

/* ---- /shift/open ---- */

static enum proto_err open_tx(struct req *r, void *arg, enum db_rc *db)
{
	const struct shift_row *s = arg;
	enum db_rc rc = store_shift_insert(r->w, s);
	char detail[64];

	if (rc == DB_DUPLICATE)
		return req_fail_conflict(r, "shift_open");
	TXN_TRY(rc);
	snprintf(detail, sizeof(detail), "float=%" PRId64, s->float_amount);
	TXN_TRY(txn_audit(r, "shift.open", "shift", s->id, detail));
	return PROTO_OK;
}

enum proto_err shift_open(struct req *r)
{
	struct shift_row s;
	enum proto_err e;

	memset(&s, 0, sizeof(s));
	if (proto_get_int(r->body, "float", 0, MONEY_MAX, &s.float_amount) != 1)
		return req_fail_field(r, "float");
	s.id = ids_next();
	s.cashier_id = r->auth.uid;
	s.opened_at = (int64_t)time(NULL);
	e = txn_run(r, open_tx, &s);
	if (e == PROTO_OK)
		cJSON_AddNumberToObject(r->data, "id", (double)s.id);
	return e;
}

/* ---- /shift/current ---- */

enum proto_err shift_current(struct req *r)
{
	struct shift_row s;
	struct shift_figures f;
	enum proto_err e;
	enum db_rc rc;
	int64_t cashier;
	cJSON *sales;
	int found = 0, i;

	e = shift_owner(r, &cashier);
	if (e != PROTO_OK)
		return e;
	rc = store_shift_open_of(r->w, cashier, 0, &s, &found);
	if (rc == DB_OK && found)
		rc = store_shift_figures(r->w, s.id, &f);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	if (!found)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no open shift");
	cJSON_AddNumberToObject(r->data, "id", (double)s.id);
	cJSON_AddNumberToObject(r->data, "cashierId", (double)s.cashier_id);
	cJSON_AddNumberToObject(r->data, "openedAt", (double)s.opened_at);
	cJSON_AddNumberToObject(r->data, "float", (double)s.float_amount);
	sales = cJSON_AddObjectToObject(r->data, "sales");
	for (i = 0; sales && i < f.nmethods; i++)
		cJSON_AddNumberToObject(sales, f.method[i], (double)f.sales[i]);
	cJSON_AddNumberToObject(r->data, "refunds", (double)f.refunds);
	cJSON_AddNumberToObject(r->data, "cashRefunds", (double)f.cash_refunds);
	cJSON_AddNumberToObject(r->data, "expectedCash", (double)expected_cash(&s, &f));
	return PROTO_OK;
}

/* ---- /shift/close ---- */

struct close_ctx {
	int64_t cashier, counted, expected, id;
};

static enum proto_err close_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct close_ctx *c = arg;
	struct shift_row s;
	struct shift_figures f;
	uint64_t aff = 0;
	int64_t pending = 0;
	char detail[160];
	int found = 0;

	TXN_TRY(store_shift_open_of(r->w, c->cashier, 1, &s, &found));
	if (!found)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no open shift");
	/*
	 * A counter payment still on its way to the consumer would land on the
	 * shift after its close and change a closed shift's cash: wait for it.
	 */
	TXN_TRY(store_shift_pending(r->w, s.id, &pending));
	if (pending > 0)
		return req_fail_conflict(r, "payments_pending");
	TXN_TRY(store_shift_figures(r->w, s.id, &f));
	c->id = s.id;
	c->expected = expected_cash(&s, &f);
	TXN_TRY(store_shift_close(r->w, s.id, c->counted, c->expected, (int64_t)time(NULL), &aff));
	if (aff == 0)
		return req_fail_conflict(r, "closed");
	snprintf(detail, sizeof(detail),
	         "cashier=%" PRId64 " expected=%" PRId64 " counted=%" PRId64 " variance=%" PRId64,
	         c->cashier, c->expected, c->counted, c->counted - c->expected);
	TXN_TRY(txn_audit(r, "shift.close", "shift", s.id, detail));
	return PROTO_OK;
}

enum proto_err shift_close(struct req *r)
{
	struct close_ctx c;
	enum proto_err e;

	memset(&c, 0, sizeof(c));
	if (proto_get_int(r->body, "counted", 0, MONEY_MAX, &c.counted) != 1)
		return req_fail_field(r, "counted");
	e = shift_owner(r, &c.cashier);
	if (e != PROTO_OK)
		return e;
	e = txn_run(r, close_tx, &c);
	if (e != PROTO_OK)
		return e;
	cJSON_AddNumberToObject(r->data, "id", (double)c.id);
	cJSON_AddNumberToObject(r->data, "expectedCash", (double)c.expected);
	cJSON_AddNumberToObject(r->data, "counted", (double)c.counted);
	cJSON_AddNumberToObject(r->data, "variance", (double)(c.counted - c.expected));
	return PROTO_OK;
}
