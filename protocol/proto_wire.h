/*
 * proto_wire.h: wire constants of the contract (spec/api.md) defined once:
 * route paths, roles, status texts, WebSocket names. Server, client and tests
 * use these names and never retype the strings.
 */
#ifndef BOXOFFICE_PROTO_WIRE_H
#define BOXOFFICE_PROTO_WIRE_H

#define PROTO_API_VERSION "1"
#define PROTO_WS_SUBPROTOCOL "boxoffice.v1"

/* Roles: stored as users.type, the original numbering plus cashier. */
enum proto_role { PROTO_ROLE_CUSTOMER = 0, PROTO_ROLE_ADMIN = 1, PROTO_ROLE_CASHIER = 2 };
#define PROTO_ROLE_NAME_CUSTOMER "customer"
#define PROTO_ROLE_NAME_ADMIN "admin"
#define PROTO_ROLE_NAME_CASHIER "cashier"
/* "customer"/"admin"/"cashier"; "customer" for an unknown value. */
const char *proto_role_name(int role);
/* Role by name; -1 when unknown. */
int proto_role_from_name(const char *name);

/* 4.1 user */
#define PROTO_PATH_EMAIL_CODE_SEND "/email/code/send"
#define PROTO_PATH_PHONE_CODE_SEND "/phone/code/send"
#define PROTO_PATH_USER_REGISTER "/user/register"
#define PROTO_PATH_ADMIN_REGISTER "/admin/register"
#define PROTO_PATH_USER_LOGIN "/user/login"
#define PROTO_PATH_ADMIN_LOGIN "/admin/login"
#define PROTO_PATH_REFRESH_AUTH "/refresh/auth"
#define PROTO_PATH_USER_INFO "/user/userinfo"
#define PROTO_PATH_USER_UPDATE_INFO "/user/update/info"
#define PROTO_PATH_USER_UPDATE_PASS "/user/update/pass"
#define PROTO_PATH_USER_LIST "/user/list"
#define PROTO_PATH_USER_DISABLE "/user/disable"
/* 4.2 film */
#define PROTO_PATH_FILM_CREATE "/film/create"
#define PROTO_PATH_FILM_UPDATE "/film/update"
#define PROTO_PATH_FILM_REMOVE "/film/remove"
#define PROTO_PATH_FILM_DETAIL "/film/detail"
#define PROTO_PATH_FILM_SALE_LIST "/film/sale/list"
#define PROTO_PATH_FILM_LIST "/film/list"
/* 4.3 hall */
#define PROTO_PATH_HALL_CREATE "/hall/create"
#define PROTO_PATH_HALL_UPDATE "/hall/update"
#define PROTO_PATH_HALL_REMOVE "/hall/remove"
#define PROTO_PATH_HALL_DETAIL "/hall/detail"
#define PROTO_PATH_HALL_LIST "/hall/list"
/* 4.4 screening */
#define PROTO_PATH_SCREENING_CREATE "/screening/create"
#define PROTO_PATH_SCREENING_UPDATE "/screening/update"
#define PROTO_PATH_SCREENING_CANCEL "/screening/cancel"
#define PROTO_PATH_SCREENING_DETAIL "/screening/detail"
#define PROTO_PATH_SCREENING_LIST "/screening/list"
#define PROTO_PATH_SCREENING_SEATS "/screening/seats"
/* 4.5 seat holds */
#define PROTO_PATH_SEAT_HOLD "/seat/hold"
#define PROTO_PATH_SEAT_RELEASE "/seat/release"
/* 4.6 order */
#define PROTO_PATH_ORDER_CREATE "/order/create"
#define PROTO_PATH_ORDER_DETAIL "/order/detail"
#define PROTO_PATH_ORDER_LIST "/order/list"
#define PROTO_PATH_ORDER_PAID_LIST "/order/paid/list"
#define PROTO_PATH_ORDER_REMOVE "/order/remove"
#define PROTO_PATH_ORDER_UPDATE "/order/update"
#define PROTO_PATH_ORDER_REFUND "/order/refund"
#define PROTO_PATH_ORDER_SEARCH "/order/search"
/* 4.7 pay */
#define PROTO_PATH_PAY_CREATE "/pay/create"
#define PROTO_PATH_PAY_DETAIL "/pay/detail"
#define PROTO_PATH_PAY_CALLBACK "/pay/callback"
/* 4.8 ticket */
#define PROTO_PATH_TICKET_CHECKIN "/ticket/checkin"
#define PROTO_PATH_TICKET_DETAIL "/ticket/detail"
#define PROTO_PATH_TICKET_QR "/ticket/qr"
/* 4.9 comment */
#define PROTO_PATH_COMMENT_CREATE "/comment/create"
#define PROTO_PATH_COMMENT_UPDATE "/comment/update"
#define PROTO_PATH_COMMENT_REMOVE "/comment/remove"
#define PROTO_PATH_COMMENT_DETAIL "/comment/detail"
#define PROTO_PATH_COMMENT_LIST "/comment/list"
#define PROTO_PATH_COMMENT_FILM_LIST "/comment/film/list"
#define PROTO_PATH_COMMENT_HIDE "/comment/hide"
/* 4.10 advert */
#define PROTO_PATH_ADVERT_CREATE "/advert/create"
#define PROTO_PATH_ADVERT_UPDATE "/advert/update"
#define PROTO_PATH_ADVERT_REMOVE "/advert/remove"
#define PROTO_PATH_ADVERT_DETAIL "/advert/detail"
#define PROTO_PATH_ADVERT_COMMER_LIST "/advert/commer/list"
#define PROTO_PATH_ADVERT_NORMAL_LIST "/advert/normal/list"
/* 4.11 shifts, reports, audit */
#define PROTO_PATH_SHIFT_OPEN "/shift/open"
#define PROTO_PATH_SHIFT_CURRENT "/shift/current"
#define PROTO_PATH_SHIFT_CLOSE "/shift/close"
#define PROTO_PATH_REPORT_SALES "/report/sales"
#define PROTO_PATH_REPORT_OCCUPANCY "/report/occupancy"
#define PROTO_PATH_AUDIT_LIST "/audit/list"
/* section 1 */
#define PROTO_PATH_HEALTHZ "/healthz"
#define PROTO_PATH_METRICS "/metrics"
#define PROTO_PATH_WS "/ws"

/* WebSocket (spec 6): client ops and server message types. */
#define PROTO_WS_OP_AUTH "auth"
#define PROTO_WS_OP_SUBSCRIBE "subscribe"
#define PROTO_WS_OP_UNSUBSCRIBE "unsubscribe"
#define PROTO_WS_OP_PING "ping"
#define PROTO_WS_TYPE_AUTH_OK "auth.ok"
#define PROTO_WS_TYPE_PONG "pong"
#define PROTO_WS_TYPE_SEATS_SNAPSHOT "seats.snapshot"
#define PROTO_WS_TYPE_SEATS_DELTA "seats.delta"
#define PROTO_WS_TYPE_ORDER_UPDATE "order.update"
#define PROTO_WS_TYPE_ANNOUNCEMENT "announcement"
#define PROTO_WS_TYPE_ERROR "error"

/* Headers */
#define PROTO_HDR_REQUEST_ID "X-Request-Id"
#define PROTO_HDR_SIGNATURE "X-Boxoffice-Signature"
#define PROTO_HDR_RETRY_AFTER "Retry-After"

/* Paging (spec 4.2): page 1.., pageSize 1..100, default 20. */
#define PROTO_PAGE_SIZE_DEFAULT 20
#define PROTO_PAGE_SIZE_MAX 100

/* Order status numbers and texts (spec 4.6). */
enum proto_order_status {
	PROTO_ORDER_UNPAID = 0,
	PROTO_ORDER_PAID = 1,
	PROTO_ORDER_INVALID = 2,
	PROTO_ORDER_REFUNDED = 3,
	PROTO_ORDER_PENDING = 4
};
/* "unpaid", "paid", ...; "unknown" out of range. */
const char *proto_order_status_text(int status);

/*
 * Redis pub/sub channels between the sellers and the WebSocket hub (spec 6):
 * seat changes on PROTO_CHANNEL_SEATS "<screeningId>", order status changes.
 */
#define PROTO_CHANNEL_SEATS "boxoffice:seats:"
#define PROTO_CHANNEL_ORDERS "boxoffice:orders"

/* Verification codes (spec 4.1). */
#define PROTO_CODE_DIGITS 6
#define PROTO_CODE_TTL 300
#define PROTO_CODE_MAX_TRIES 5

#endif
