/*
 * ws.h: the WebSocket side of /ws (spec section 6), behind http.c.
 *
 * http.c does the HTTP upgrade and then hands every byte of the connection
 * to ws_client_rx; the client writes through http_conn_send. Each loop has
 * a hub of its own (its clients, their subscriptions, its timers); every
 * publication goes to every hub. Loop thread only, except where said.
 */
#ifndef BOXOFFICE_WS_WS_H
#define BOXOFFICE_WS_WS_H

#include <stddef.h>

struct conn;
struct ws_client;

#define WS_IDLE_S 30 /* a client silent this long gets a ping; twice as long: dropped */

/* Make one hub per loop and start the Redis subscriber thread. 0 or -1 (logged). */
int ws_start(int loops);
/* Stop the subscriber, free every hub's screenings and queue (loops ended). */
void ws_stop(void);
/* Free the hubs (after the loops' connections are closed). */
void ws_release(void);
/* The calling thread works on hub number loop from now on (-1: none). */
void ws_loop_enter(int loop);
/* On a loop thread, before it serves: start its hub's timers. */
void ws_loop_begin(void);

/* 1 when an upgrade request may be accepted: version 13, a key, boxoffice.v1 offered. */
int ws_handshake_ok(const char *protocols, const char *key, int version);
/* Sec-WebSocket-Accept of key into out; 0 or -1. */
int ws_accept_key(const char *key, char *out, size_t outlen);

struct ws_client *ws_client_new(struct conn *c, const char *remote);
/* Bytes from the client. -1: close the connection. */
int ws_client_rx(struct ws_client *w, const void *data, size_t len);
/* The connection's output is written out. -1: close it. */
int ws_client_writeable(struct ws_client *w);
/* The connection is gone (frees w). */
void ws_client_closed(struct ws_client *w);
/* After every turn of the loop: send the merged batches that are due. */
void ws_tick(void);
/* The loop was woken (lws_cancel_service): take what other threads queued. */
void ws_loop_wake(void);

#endif
