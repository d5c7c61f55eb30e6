/*
 * http.h: the libwebsockets transport: one listener for the API, the web
 * page, /healthz, /metrics and /ws, served by cfg.loops event loops (lws
 * contexts sharing the port through SO_REUSEPORT), one thread each. A loop
 * thread only parses and writes; requests go to the worker pool and
 * answers come back to the loop that owns the connection through a queue
 * and lws_cancel_service().
 */
#ifndef BOXOFFICE_HTTP_HTTP_H
#define BOXOFFICE_HTTP_HTTP_H

#include <stddef.h>

/* Create the lws contexts listening on "host:port". Returns 0 or -1 (logged). */
int http_start(const char *listen);
/*
 * Serve (loop 0 on the calling thread, the others on threads of their own)
 * until http_request_stop() is called; then each loop stops taking
 * requests, lets its in-flight ones finish (up to drain_s seconds), and
 * this returns when every loop has.
 */
void http_run(int drain_s);
/* Ask the loops to stop. Async-signal-safe enough: a flag and wakeups. */
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
/* The calling loop thread's lws context (struct lws_context *), for lws_sul timers of ws/. */
void *http_lws_context(void);
/* The calling loop thread's number (0..http_loop_count()-1), -1 on other threads. */
int http_loop_index(void);
int http_loop_count(void);
/* Wake loop number loop from any thread (ws_loop_wake runs on it). */
void http_wake(int loop);

#endif
