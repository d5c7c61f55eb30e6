/*
 * http.h: the libwebsockets transport: one listener for the API, the web
 * page, /healthz, /metrics and /ws. Runs the lws loop on the calling
 * thread, which only parses and writes; requests go to the worker pool and
 * answers come back through a queue and lws_cancel_service().
 */
#ifndef BOXOFFICE_HTTP_HTTP_H
#define BOXOFFICE_HTTP_HTTP_H

#include <stddef.h>

/* Create the lws context listening on "host:port". Returns 0 or -1 (logged). */
int http_start(const char *listen);
/*
 * Serve until http_request_stop() is called; then stop taking requests,
 * let in-flight ones finish (up to drain_s seconds) and return.
 */
void http_run(int drain_s);
/* Ask the loop to stop. Async-signal-safe enough: a flag and a wakeup. */
void http_request_stop(void);
/* Destroy the context. */
void http_stop(void);

/* For ws/ (loop thread): a connection's output and its end. */
struct conn;
/* Queue bytes to write. 0, or -1 (out of memory). */
int http_conn_send(struct conn *c, const void *data, size_t n);
/* Bytes queued and not yet written. */
size_t http_conn_pending(const struct conn *c);
/* Close once what is queued is written. */
void http_conn_close_soon(struct conn *c);
/* Close now, dropping what is queued. */
void http_conn_drop(struct conn *c);
/* The lws context (struct lws_context *), for lws_sul timers of ws/. */
void *http_lws_context(void);
/* Wake the loop from any thread (ws_loop_wake runs on it). */
void http_wake(void);

#endif
