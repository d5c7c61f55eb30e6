/*
 * svc_report.h: the manager's reports of spec 4.11, admin only:
 * /report/sales (groupBy film|day|cashier|method, format json|csv),
 * /report/occupancy per screening, and /audit/list (newest first, paged).
 * from/to are unix seconds, the range [from, to). Read-only: nothing in
 * the API changes or deletes an audit row.
 */
#ifndef BOXOFFICE_SVC_SVC_REPORT_H
#define BOXOFFICE_SVC_SVC_REPORT_H

#include "core/req.h"

#endif
