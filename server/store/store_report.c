/*
 * store_report.c: see store_report.h.
 */
#include "store/store_report.h"

#include <string.h>

/*
 * The sales of a range, one inner aggregation over the covering index
 * idx_report_sales of pays alone (a pay carries its order's ticket count
 * and film, 006_report_pays.sql); names are joined to the grouped rows only. A refund always
 * returns the whole pay (svc_refund.c: refund_record), and a pay turns 3 once its money is back, so
 * the refunds are the amounts of the pays in status 3: refunds still pending at the provider are
 * not counted yet.
 */
#define SALES_INNER(gcol)                                                            \
	"SELECT " gcol " AS g, SUM(p.tickets) AS tickets, SUM(p.amount) AS amount, " \
	"SUM(IF(p.status = 3, p.amount, 0)) AS refunds FROM pays p "                 \
	"WHERE p.paid_at >= ? AND p.paid_at < ? AND p.status IN (1, 3) GROUP BY g"

static const char *const sales_sql[] = {
    [REPORT_FILM] = "SELECT COALESCE(f.name, ''), t.g, t.tickets, t.amount, t.refunds FROM "
                    "(" SALES_INNER("p.fid") ") t LEFT JOIN films f ON f.id = t.g "
                                             "ORDER BY t.amount DESC, t.g LIMIT 20000",
    /*
     * Days: the time zone conversion (FROM_UNIXTIME in @@time_zone) is slow
     * per row, so rows are summed by quarter hour first (every real UTC
     * offset is a whole number of quarter hours) and only those buckets are
     * converted to days.
     */
    [REPORT_DAY] = "SELECT DATE_FORMAT(FROM_UNIXTIME(t.g * 900), '%Y-%m-%d') AS d, 0, "
                   "SUM(t.tickets), SUM(t.amount), SUM(t.refunds) FROM "
                   "(" SALES_INNER("p.paid_at DIV 900") ") t GROUP BY d ORDER BY d LIMIT 20000",
    [REPORT_CASHIER] =
        "SELECT IF(t.g = 0, 'online', COALESCE(u.name, '')), t.g, t.tickets, "
        "t.amount, t.refunds FROM (" SALES_INNER(
            "p.cashier_id") ") t "
                            "LEFT JOIN users u ON u.id = t.g ORDER BY t.g LIMIT 20000",
    [REPORT_METHOD] = "SELECT t.g, 0, t.tickets, t.amount, t.refunds FROM "
                      "(" SALES_INNER("p.method") ") t ORDER BY t.g LIMIT 20000",
};

static const struct db_col sales_cols[] = {
    DB_COLS(struct report_sales_row, key, id, tickets, amount, refunds)};

enum db_rc store_report_sales(struct worker *w, enum report_group g, int64_t from, int64_t to,
                              struct report_sales_row **rows, int *n)
{
	return db_get_rows(w, sales_sql[g], DB_PARAMS(DB_I64(from), DB_I64(to)), sales_cols,
	                   (void **)rows, n);
}

static const struct db_col occ_cols[] = {
    DB_COLS(struct report_occ_row, screening_id, film, start_at, sold, total)};

enum db_rc store_report_occupancy(struct worker *w, int64_t from, int64_t to,
                                  struct report_occ_row **rows, int *n)
{
	return db_get_rows(w,
	                   "SELECT s.id, COALESCE(f.name, ''), s.start_at, "
	                   "(SELECT COUNT(*) FROM tickets t WHERE t.screening_id = s.id AND "
	                   "t.status = 1), s.seats_total FROM screenings s "
	                   "LEFT JOIN films f ON f.id = s.film_id "
	                   "WHERE s.start_at >= ? AND s.start_at < ? AND s.status = 0 "
	                   "ORDER BY s.start_at, s.id LIMIT 20000",
	                   DB_PARAMS(DB_I64(from), DB_I64(to)), occ_cols, (void **)rows, n);
}

static const struct db_col audit_cols[] = {
    DB_COLS(struct audit_row, id, at, actor, action, target, detail)};

enum db_rc store_audit_list(struct worker *w, int64_t from, int64_t to, int64_t actor,
                            int64_t offset, int64_t limit, struct audit_row **rows, int *n,
                            int64_t *total)
{
	struct db_res res;
	enum db_rc rc;

	*rows = NULL;
	*n = 0;
	if (actor >= 0)
		rc =
		    db_query(w, "SELECT COUNT(*) FROM audit WHERE actor = ? AND at >= ? AND at < ?",
		             DB_PARAMS(DB_I64(actor), DB_I64(from), DB_I64(to)), &res);
	else
		rc = db_query(w, "SELECT COUNT(*) FROM audit WHERE at >= ? AND at < ?",
		              DB_PARAMS(DB_I64(from), DB_I64(to)), &res);
	if (rc != DB_OK)
		return rc;
	*total = res.nrows > 0 ? db_cell_i64(&res, 0, 0) : 0;
	db_res_release(&res);
	if (actor >= 0)
		rc = db_query(w,
		              "SELECT id, at, actor, action, target, detail FROM audit "
		              "WHERE actor = ? AND at >= ? AND at < ? "
		              "ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
		              DB_PARAMS(DB_I64(actor), DB_I64(from), DB_I64(to), DB_I64(limit),
		                        DB_I64(offset)),
		              &res);
	else
		rc = db_query(w,
		              "SELECT id, at, actor, action, target, detail FROM audit "
		              "WHERE at >= ? AND at < ? ORDER BY at DESC, id DESC LIMIT ? OFFSET ?",
		              DB_PARAMS(DB_I64(from), DB_I64(to), DB_I64(limit), DB_I64(offset)),
		              &res);
	return db_all_rows(rc, &res, audit_cols, (void **)rows, n);
}
