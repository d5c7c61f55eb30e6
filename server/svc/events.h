/*
 * events.h: outbound domain events on the events topic (spec 5:
 * order.paid, order.expired, order.refunded, ticket.checkedin), keyed by
 * order id, each with "type", a unique "eventId" and "at". Emitted after
 * the commit of the change they report and sent by a thread of their own,
 * in order, best effort (a failure is logged: the database stays the
 * truth). events_emit: any thread; start/stop: main.
 */
#ifndef BOXOFFICE_SVC_EVENTS_H
#define BOXOFFICE_SVC_EVENTS_H

#include <stdint.h>

#include <cjson/cJSON.h>

#define EVENTS_ORDER_PAID "order.paid"
#define EVENTS_ORDER_EXPIRED "order.expired"
#define EVENTS_ORDER_REFUNDED "order.refunded"
#define EVENTS_TICKET_CHECKEDIN "ticket.checkedin"

/* Start the sender thread (after kq_start). Returns 0 or -1. */
int events_start(void);
/* Send what is queued, then stop the sender (before kq_stop). */
void events_stop(void);

/*
 * Queue event type about order oid with the members of payload (taken:
 * freed here; may be NULL). Returns 0 when queued, -1 when dropped (logged).
 */
int events_emit(const char *type, int64_t oid, cJSON *payload);

#endif
