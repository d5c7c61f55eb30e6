/*
 * events.h: outbound domain events on the events topic (spec 5:
 * order.paid, order.expired, order.refunded, ticket.checkedin), keyed by
 * order id, each with "type", a unique "eventId" and "at". Sent after the
 * commit of the change they report, best effort (a failure is logged: the
 * database stays the truth). Worker and consumer threads.
 */
#ifndef BOXOFFICE_SVC_EVENTS_H
#define BOXOFFICE_SVC_EVENTS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#define EVENTS_ORDER_PAID "order.paid"
#define EVENTS_ORDER_EXPIRED "order.expired"
#define EVENTS_ORDER_REFUNDED "order.refunded"
#define EVENTS_TICKET_CHECKEDIN "ticket.checkedin"

/*
 * Send event type about order oid with the members of payload (taken:
 * freed here; may be NULL). Returns 0 once the broker acknowledged, -1
 * otherwise (logged).
 */
int events_emit(const char *type, int64_t oid, cJSON *payload);

#endif
