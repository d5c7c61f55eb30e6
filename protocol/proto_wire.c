/*
 * proto_wire.c: the names behind the role and order status numbers.
 */
#include "proto_wire.h"

#include <string.h>

static const char *const role_names[] = {
    [PROTO_ROLE_CUSTOMER] = PROTO_ROLE_NAME_CUSTOMER,
    [PROTO_ROLE_ADMIN] = PROTO_ROLE_NAME_ADMIN,
    [PROTO_ROLE_CASHIER] = PROTO_ROLE_NAME_CASHIER,
};

static const char *const order_status_texts[] = {
    [PROTO_ORDER_UNPAID] = "unpaid",   [PROTO_ORDER_PAID] = "paid",
    [PROTO_ORDER_INVALID] = "invalid", [PROTO_ORDER_REFUNDED] = "refunded",
    [PROTO_ORDER_PENDING] = "pending",
};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))

const char *proto_role_name(int role)
{
	if (role < 0 || role >= COUNT(role_names))
		return PROTO_ROLE_NAME_CUSTOMER;
	return role_names[role];
}

int proto_role_from_name(const char *name)
{
	int i;

	if (!name)
		return -1;
	for (i = 0; i < COUNT(role_names); i++)
		if (strcmp(role_names[i], name) == 0)
			return i;
	return -1;
}

const char *proto_order_status_text(int status)
{
	if (status < 0 || status >= COUNT(order_status_texts))
		return "unknown";
	return order_status_texts[status];
}
