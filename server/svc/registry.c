/*
 * registry.c: see registry.h. Every route of the daemon is one row of the
 * table below, grouped by service in the order of the spec; a new route is
 * added here, its handler declared in svc/routes.h.
 */
#include "svc/registry.h"

#include <stddef.h>

#include "proto_wire.h"

#include "svc/health.h"
#include "svc/routes.h"
#include "svc/svc_user.h"

static const struct route routes[] = {
    {PROTO_PATH_EMAIL_CODE_SEND, user_email_code_send, ROUTE_PUBLIC},
    {PROTO_PATH_PHONE_CODE_SEND, user_phone_code_send, ROUTE_PUBLIC},
    {PROTO_PATH_USER_REGISTER, user_register, ROUTE_PUBLIC},
    {PROTO_PATH_ADMIN_REGISTER, user_admin_register, ROUTE_ADMIN},
    {PROTO_PATH_USER_LOGIN, user_login, ROUTE_PUBLIC},
    {PROTO_PATH_ADMIN_LOGIN, user_admin_login, ROUTE_PUBLIC},
    {PROTO_PATH_REFRESH_AUTH, user_refresh_auth, ROUTE_USER},
    {PROTO_PATH_USER_INFO, user_info, ROUTE_USER},
    {PROTO_PATH_USER_UPDATE_INFO, user_update_info, ROUTE_USER},
    {PROTO_PATH_USER_UPDATE_PASS, user_update_pass, ROUTE_USER},
    {PROTO_PATH_USER_LIST, user_list, ROUTE_ADMIN},
    {PROTO_PATH_USER_DISABLE, user_disable, ROUTE_ADMIN},
    {PROTO_PATH_FILM_CREATE, film_create, ROUTE_ADMIN},
    {PROTO_PATH_FILM_UPDATE, film_update, ROUTE_ADMIN},
    {PROTO_PATH_FILM_REMOVE, film_remove, ROUTE_ADMIN},
    {PROTO_PATH_FILM_DETAIL, film_detail, ROUTE_NEAR},
    {PROTO_PATH_FILM_SALE_LIST, film_sale_list, ROUTE_NEAR},
    {PROTO_PATH_FILM_LIST, film_list, ROUTE_PUBLIC},
    {PROTO_PATH_HALL_CREATE, hall_create, ROUTE_ADMIN},
    {PROTO_PATH_HALL_UPDATE, hall_update, ROUTE_ADMIN},
    {PROTO_PATH_HALL_REMOVE, hall_remove, ROUTE_ADMIN},
    {PROTO_PATH_HALL_DETAIL, hall_detail, ROUTE_PUBLIC},
    {PROTO_PATH_HALL_LIST, hall_list, ROUTE_PUBLIC},
    {PROTO_PATH_SCREENING_CREATE, screening_create, ROUTE_ADMIN},
    {PROTO_PATH_SCREENING_UPDATE, screening_update, ROUTE_ADMIN},
    {PROTO_PATH_SCREENING_CANCEL, screening_cancel, ROUTE_ADMIN},
    {PROTO_PATH_SCREENING_DETAIL, screening_detail, ROUTE_PUBLIC},
    {PROTO_PATH_SCREENING_LIST, screening_list, ROUTE_NEAR},
    {PROTO_PATH_SCREENING_SEATS, screening_seats, ROUTE_NEAR},
    {PROTO_PATH_COMMENT_CREATE, comment_create, ROUTE_USER},
    {PROTO_PATH_COMMENT_UPDATE, comment_update, ROUTE_USER},
    {PROTO_PATH_COMMENT_REMOVE, comment_remove, ROUTE_USER},
    {PROTO_PATH_COMMENT_DETAIL, comment_detail, ROUTE_AUTH_OPTIONAL},
    {PROTO_PATH_COMMENT_LIST, comment_list, ROUTE_USER},
    {PROTO_PATH_COMMENT_FILM_LIST, comment_film_list, ROUTE_AUTH_OPTIONAL},
    {PROTO_PATH_COMMENT_HIDE, comment_hide, ROUTE_ADMIN},
    {PROTO_PATH_ADVERT_CREATE, advert_create, ROUTE_ADMIN},
    {PROTO_PATH_ADVERT_UPDATE, advert_update, ROUTE_ADMIN},
    {PROTO_PATH_ADVERT_REMOVE, advert_remove, ROUTE_ADMIN},
    {PROTO_PATH_ADVERT_DETAIL, advert_detail, ROUTE_PUBLIC},
    {PROTO_PATH_ADVERT_COMMER_LIST, advert_commer_list, ROUTE_AUTH_OPTIONAL},
    {PROTO_PATH_ADVERT_NORMAL_LIST, advert_normal_list, ROUTE_PUBLIC},
    {PROTO_PATH_SEAT_HOLD, seat_hold, ROUTE_USER},
    {PROTO_PATH_SEAT_RELEASE, seat_release, ROUTE_USER},
    {PROTO_PATH_ORDER_CREATE, order_create, ROUTE_USER},
    {PROTO_PATH_ORDER_DETAIL, order_detail, ROUTE_USER},
    {PROTO_PATH_ORDER_LIST, order_list, ROUTE_USER},
    {PROTO_PATH_ORDER_PAID_LIST, order_paid_list, ROUTE_USER},
    {PROTO_PATH_ORDER_REMOVE, order_remove, ROUTE_USER},
    {PROTO_PATH_ORDER_UPDATE, order_update, ROUTE_ADMIN},
    {PROTO_PATH_PAY_CREATE, pay_create, ROUTE_USER},
    {PROTO_PATH_PAY_DETAIL, pay_detail, ROUTE_USER},
    {PROTO_PATH_PAY_CALLBACK, pay_callback, ROUTE_PUBLIC},
    {PROTO_PATH_SHIFT_OPEN, shift_open, ROUTE_STAFF},
    {PROTO_PATH_SHIFT_CURRENT, shift_current, ROUTE_STAFF},
    {PROTO_PATH_SHIFT_CLOSE, shift_close, ROUTE_STAFF},
    {PROTO_PATH_TICKET_CHECKIN, ticket_checkin, ROUTE_STAFF},
    {PROTO_PATH_TICKET_DETAIL, ticket_detail, ROUTE_USER},
    {PROTO_PATH_TICKET_QR, ticket_qr, ROUTE_USER},
    {PROTO_PATH_ORDER_REFUND, refund_order, ROUTE_ADMIN},
    {PROTO_PATH_ORDER_SEARCH, refund_order_search, ROUTE_STAFF},
    {PROTO_PATH_REPORT_SALES, report_sales, ROUTE_ADMIN},
    {PROTO_PATH_REPORT_OCCUPANCY, report_occupancy, ROUTE_ADMIN},
    {PROTO_PATH_AUDIT_LIST, report_audit_list, ROUTE_ADMIN},
    {NULL, NULL, 0},
};

static const struct route *const tables[] = {routes, NULL};

const struct dispatch_services svc_registry = {
    .tables = tables,
    .auth_check = user_auth_check,
    .bootstrap_admin = user_bootstrap_admin,
    .healthz = health_answer_healthz,
    .metrics = health_answer_metrics,
};
