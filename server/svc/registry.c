/*
 * registry.c: see registry.h. Add a service's table here when it lands.
 */
#include "svc/registry.h"

#include <stddef.h>

#include "svc/health.h"
#include "svc/svc_advert.h"
#include "svc/svc_comment.h"
#include "svc/svc_film.h"
#include "svc/svc_hall.h"
#include "svc/svc_order.h"
#include "svc/svc_pay.h"
#include "svc/svc_refund.h"
#include "svc/svc_report.h"
#include "svc/svc_screening.h"
#include "svc/svc_seat.h"
#include "svc/svc_shift.h"
#include "svc/svc_ticket.h"
#include "svc/svc_user.h"

static const struct route *const tables[] = {
    user_routes,   film_routes,  hall_routes, screening_routes, comment_routes, advert_routes,
    seat_routes,   order_routes, pay_routes,  shift_routes,     ticket_routes,  refund_routes,
    report_routes, NULL,
};

const struct dispatch_services svc_registry = {
    .tables = tables,
    .auth_check = user_auth_check,
    .bootstrap_admin = user_bootstrap_admin,
    .healthz = health_answer_healthz,
    .metrics = health_answer_metrics,
};
