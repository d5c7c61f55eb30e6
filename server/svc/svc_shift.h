/*
 * svc_shift.h: cashier shifts (spec 4.11): /shift/open with a float,
 * /shift/current with the sales by method, refunds and the expected cash
 * (float + cash sales - cash refunds), /shift/close with the counted cash
 * and the variance. One open shift per cashier; an admin may see and close
 * any cashier's shift (optional "cashierId"). A closed shift is immutable.
 */
#ifndef BOXOFFICE_SVC_SVC_SHIFT_H
#define BOXOFFICE_SVC_SVC_SHIFT_H

#include "core/req.h"

extern const struct route shift_routes[];

#endif
