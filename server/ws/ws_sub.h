/*
 * ws_sub.h: the hub's Redis subscriber: its own thread and its own hiredis
 * connection, subscribed to the seat, order and announcement channels;
 * reconnects (every second at most) after Redis goes away. Each message
 * goes to the loop through ws_publish_in; a (re)connect is reported as a
 * message with channel "" so that subscribers get fresh snapshots.
 */
#ifndef BOXOFFICE_WS_WS_SUB_H
#define BOXOFFICE_WS_WS_SUB_H

#include <stddef.h>

/* Start the thread for "redis://host:port[/db]". 0 or -1 (logged). */
int ws_sub_start(const char *url);
void ws_sub_stop(void);

/* ws.c: queue a message for the loop (any thread). */
void ws_publish_in(const char *channel, const char *text, size_t len);

#endif
