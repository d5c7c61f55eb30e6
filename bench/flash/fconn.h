/*
 * fconn.h: one non-blocking loopback TCP connection of the flash-sale load
 * generator (bench/flash/flash.c), with what it speaks on it: HTTP/1.1
 * requests with keep-alive (answers framed by Content-Length) and a
 * WebSocket client (masked text frames out, frames of any size in).
 *
 * A connection buffers what it could not write yet (EPOLLOUT is armed
 * while something is queued) and what it has read but not consumed.
 * Every function is for the one thread that owns the epoll set.
 */
#ifndef BOXOFFICE_BENCH_FLASH_FCONN_H
#define BOXOFFICE_BENCH_FLASH_FCONN_H

#include <stddef.h>
#include <stdint.h>

/* Reads and writes of one connection stop growing past this (a bug or a flood). */
#define FCONN_BUF_MAX (8u << 20)

struct fconn {
	int fd; /* -1 while closed */
	int port;
	uint32_t src;   /* source address (host order), 0: any */
	int kind;       /* the owner's tag */
	void *owner;    /* the owner's object */
	char *in, *out; /* read and not consumed; queued and not written */
	size_t inlen, incap, outlen, outoff, outcap;
	int want_out; /* EPOLLOUT armed */
};

/* A closed connection to 127.0.0.1:port from src (0: any), owned by owner. */
void fconn_init(struct fconn *c, int port, uint32_t src, int kind, void *owner);
/* Start connecting (non-blocking) and add it to epoll set ep. Returns 0 or -1. */
int fconn_open(struct fconn *c, int ep);
/* Close it (buffers emptied, kept for reuse); a no-op when closed. */
void fconn_close(struct fconn *c, int ep);
/* Free its buffers (closes it first). */
void fconn_release(struct fconn *c, int ep);
/*
 * Queue n bytes and write as much as the socket takes. Returns 0, or -1 when
 * the connection failed (the caller closes it).
 */
int fconn_send(struct fconn *c, int ep, const void *p, size_t n);
/* EPOLLOUT: write what is queued. Returns 0 or -1 (failed). */
int fconn_flush(struct fconn *c, int ep);
/* EPOLLIN: read what is there into c->in. Returns 0, or -1 on EOF or error. */
int fconn_fill(struct fconn *c);
/* Drop the first n bytes of c->in. */
void fconn_consume(struct fconn *c, size_t n);

/*
 * Send POST path with the JSON body and, when token is not NULL, a bearer
 * token. Returns what fconn_send returns.
 */
int fconn_http_post(struct fconn *c, int ep, const char *path, const char *token, const char *body);
/*
 * A complete HTTP answer at the front of c->in: returns 1 with *status, the
 * body (*body, *blen, inside c->in) and *total (bytes to consume after use),
 * 0 while incomplete, -1 when it is not HTTP or has no Content-Length.
 */
int fconn_http_answer(struct fconn *c, int *status, const char **body, size_t *blen, size_t *total);

/* Send the upgrade request of GET path with subprotocol proto. */
int fconn_ws_upgrade(struct fconn *c, int ep, const char *path, const char *proto);
/*
 * The upgrade's answer at the front of c->in: 1 when it is a 101 (consumed),
 * 0 while incomplete, -1 when refused.
 */
int fconn_ws_upgraded(struct fconn *c);
/* Send one masked frame (opcode 1 text, 10 pong, 8 close) of n bytes. */
int fconn_ws_send(struct fconn *c, int ep, int opcode, const char *p, size_t n);
/*
 * A complete frame at the front of c->in: 1 with *opcode, *payload (inside
 * c->in), *n and *total (bytes to consume after use), 0 while incomplete.
 * Fragmented messages are not used by the server and are not joined.
 */
int fconn_ws_frame(struct fconn *c, int *opcode, const char **payload, size_t *n, size_t *total);

#endif
