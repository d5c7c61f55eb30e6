/*
 * net.h: the network module of the terminal client. One thread of its own
 * runs every HTTP request (libcurl multi) and the WebSocket (libwebsockets
 * client, subprotocol boxoffice.v1, spec 6), so the UI never waits on the
 * network. The UI thread submits requests and states what the WebSocket
 * should do; answers and messages come back as events it polls. The
 * WebSocket reconnects with a growing backoff (0.5 s doubling to 30 s),
 * authenticates with the token and subscribes again after each reconnect,
 * which makes the server send a fresh snapshot. No curses here.
 *
 * All functions are called from the UI thread only.
 */
#ifndef BOXOFFICE_TUI_NET_H
#define BOXOFFICE_TUI_NET_H

#include <stddef.h>
#include <stdint.h>

enum net_event_kind { NET_EV_HTTP, NET_EV_WS_MSG, NET_EV_WS_UP, NET_EV_WS_DOWN };

struct net_event {
	enum net_event_kind kind;
	int tag;       /* HTTP: the caller's tag */
	int64_t ctx;   /* HTTP: the caller's context */
	long status;   /* HTTP status, 0 when the transport failed */
	char *body;    /* HTTP body or WebSocket text (malloc'd; net_event_release frees) */
	char err[160]; /* transport error in words */
};

struct net;

/*
 * Start the network thread for the server at base_url ("http://host:port").
 * log may be NULL. Returns NULL with a message in err.
 */
struct net *net_new(const char *base_url, char *err, size_t errlen);
/* Stop the thread, drop what is pending, free everything. NULL is a no-op. */
void net_free(struct net *n);
/*
 * POST body (JSON text, may be NULL; ownership taken) to path with token
 * (may be NULL or ""). The answer arrives as one NET_EV_HTTP event.
 */
void net_submit(struct net *n, int tag, int64_t ctx, const char *path, const char *token,
                char *body);
/*
 * What the WebSocket should do: connected and authenticated with token
 * ("" = closed), subscribed to screening (0 = none).
 */
void net_ws_want(struct net *n, const char *token, int64_t screening);
/* Subscribe again to the current screening (after a version gap). */
void net_ws_resubscribe(struct net *n);
/* Take the next event; 0 when one was taken, -1 when none is waiting. */
int net_poll(struct net *n, struct net_event *ev);
void net_event_release(struct net_event *ev);

#endif
