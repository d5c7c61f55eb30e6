/*
 * store_report.h: the reports of spec 4.11 (sales, occupancy) and the audit
 * list, read-only SQL over indexed columns. Times are unix seconds, ranges
 * are [from, to). Days are MariaDB's DATE(FROM_UNIXTIME(paid_at)), that is
 * in the session's @@time_zone (SYSTEM unless configured: the database
 * host's TZ). Worker threads only.
 */
#ifndef BOXOFFICE_STORE_STORE_REPORT_H
#define BOXOFFICE_STORE_STORE_REPORT_H

#include <stdint.h>

#include "store/db.h"

struct worker;

enum report_group { REPORT_FILM, REPORT_DAY, REPORT_CASHIER, REPORT_METHOD };

struct report_sales_row {
	char key[101];
	int64_t id, tickets, amount, refunds;
};

struct report_occ_row {
	char film[101];
	int64_t screening_id, start_at, sold, total;
};

struct audit_row {
	char action[65], target[101], detail[2001];
	int64_t id, at, actor;
};

#define REPORT_ROWS_MAX 20000
#define AUDIT_PAGE_MAX 100

/*
 * Sales paid in [from, to) (pays paid, or paid and later refunded), grouped:
 * tickets (order quantity), amount paid, amount refunded of those pays
 * (refunds done; one still pending at the provider is not counted yet).
 * *rows malloc'd (free), *n rows.
 */
enum db_rc store_report_sales(struct worker *w, enum report_group g, int64_t from, int64_t to,
                              struct report_sales_row **rows, int *n);
/* Scheduled screenings starting in [from, to): issued tickets and seats. */
enum db_rc store_report_occupancy(struct worker *w, int64_t from, int64_t to,
                                  struct report_occ_row **rows, int *n);
/* Audit rows in [from, to) of actor (-1: anyone), newest first, and the total. */
enum db_rc store_audit_list(struct worker *w, int64_t from, int64_t to, int64_t actor,
                            int64_t offset, int64_t limit, struct audit_row **rows, int *n,
                            int64_t *total);

#endif
