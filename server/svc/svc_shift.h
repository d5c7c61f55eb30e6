/*
 * svc_shift.h: cashier shifts (spec 4.11): /shift/open with a float,
 * /shift/current with the sales by method, refunds and the expected cash
 * (float + cash sales - cash refunds), /shift/close with the counted cash
 * and the variance. One open shift per cashier; an admin may see and close
 * any cashier's shift (optional "cashierId"). A closed shift is immutable:
 * a close waits for (locks out) the counter payments of the shift being
 * made and is refused (409 payments_pending) while one is still on its way
 * to the payment consumer; refunds later go to the open shift of the
 * cashier (or the refunding staff member), never to a closed one.
 */
#ifndef BOXOFFICE_SVC_SVC_SHIFT_H
#define BOXOFFICE_SVC_SVC_SHIFT_H

#include "core/req.h"

#endif
