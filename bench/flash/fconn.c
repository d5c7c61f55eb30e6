/*
 * fconn.c: see fconn.h.
 */
#include "fconn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

void fconn_init(struct fconn *c, int port, uint32_t src, int kind, void *owner)
{
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->port = port;
	c->src = src;
	c->kind = kind;
	c->owner = owner;
}

static int arm(struct fconn *c, int ep, int op)
{
	struct epoll_event ev = {.events = EPOLLIN | (c->want_out ? EPOLLOUT : 0u), .data.ptr = c};

	return epoll_ctl(ep, op, c->fd, &ev);
}

int fconn_open(struct fconn *c, int ep)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (c->src) {
		a.sin_addr.s_addr = htonl(c->src);
		if (bind(c->fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			goto fail;
	}
	a.sin_port = htons((uint16_t)c->port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(c->fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS)
		goto fail;
	c->want_out = 1;
	if (arm(c, ep, EPOLL_CTL_ADD) == 0)
		return 0;
fail:
	close(c->fd);
	c->fd = -1;
	return -1;
}

void fconn_close(struct fconn *c, int ep)
{
	if (c->fd >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
	c->inlen = c->outlen = c->outoff = 0;
	c->want_out = 0;
}

void fconn_release(struct fconn *c, int ep)
{
	fconn_close(c, ep);
	free(c->in);
	free(c->out);
	c->in = c->out = NULL;
	c->incap = c->outcap = 0;
}

static int grow(char **buf, size_t *cap, size_t need)
{
	size_t n = *cap ? *cap : 4096;
	char *p;

	if (need <= *cap)
		return 0;
	if (need > FCONN_BUF_MAX)
		return -1;
	while (n < need)
		n *= 2;
	p = realloc(*buf, n);
	if (!p)
		return -1;
	*buf = p;
	*cap = n;
	return 0;
}

int fconn_flush(struct fconn *c, int ep)
{
	int was = c->want_out;

	while (c->outoff < c->outlen) {
		ssize_t k = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
		if (k < 0 && (errno == EAGAIN || errno == EINPROGRESS || errno == ENOTCONN))
			break;
		if (k <= 0)
			return -1;
		c->outoff += (size_t)k;
	}
	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	c->want_out = c->outlen > 0;
	if (c->want_out != was && arm(c, ep, EPOLL_CTL_MOD) < 0)
		return -1;
	return 0;
}

/* Append n bytes to what is to be written. Returns 0 or -1. */
static int queue(struct fconn *c, const void *p, size_t n)
{
	if (c->fd < 0 || grow(&c->out, &c->outcap, c->outlen + n) < 0)
		return -1;
	memcpy(c->out + c->outlen, p, n);
	c->outlen += n;
	return 0;
}

int fconn_send(struct fconn *c, int ep, const void *p, size_t n)
{
	return queue(c, p, n) < 0 ? -1 : fconn_flush(c, ep);
}

int fconn_fill(struct fconn *c)
{
	for (;;) {
		ssize_t k;

		if (grow(&c->in, &c->incap, c->inlen + 16384) < 0)
			return -1;
		k = recv(c->fd, c->in + c->inlen, c->incap - c->inlen, 0);
		if (k == 0)
			return -1;
		if (k < 0)
			return errno == EAGAIN ? 0 : -1;
		c->inlen += (size_t)k;
		if (c->inlen < c->incap)
			return 0;
	}
}

void fconn_consume(struct fconn *c, size_t n)
{
	if (n >= c->inlen) {
		c->inlen = 0;
		return;
	}
	memmove(c->in, c->in + n, c->inlen - n);
	c->inlen -= n;
}

int fconn_http_post(struct fconn *c, int ep, const char *path, const char *token, const char *body)
{
	char head[1024];
	size_t blen = strlen(body);
	int n = snprintf(head, sizeof(head),
	                 "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
	                 "Content-Length: %zu\r\n%s%s%s\r\n",
	                 path, blen, token ? "Authorization: Bearer " : "", token ? token : "",
	                 token ? "\r\n" : "");

	if (n < 0 || (size_t)n >= sizeof(head))
		return -1;
	if (queue(c, head, (size_t)n) < 0)
		return -1;
	return fconn_send(c, ep, body, blen);
}

/* The end of the header block at the front of c->in, or NULL. */
static const char *head_end(const struct fconn *c)
{
	return memmem(c->in, c->inlen, "\r\n\r\n", 4);
}

int fconn_http_answer(struct fconn *c, int *status, const char **body, size_t *blen, size_t *total)
{
	const char *e = head_end(c), *p;
	size_t hlen;
	long len = -1;

	if (!e)
		return c->inlen > 65536 ? -1 : 0;
	hlen = (size_t)(e + 4 - c->in);
	if (c->inlen < 12 || memcmp(c->in, "HTTP/1.", 7))
		return -1;
	*status = atoi(c->in + 9);
	for (p = c->in; p && p < e; p = memchr(p, '\n', (size_t)(e - p))) {
		p += *p == '\n';
		if (!strncasecmp(p, "Content-Length:", 15))
			len = atol(p + 15);
	}
	if (len < 0)
		return -1;
	if (c->inlen < hlen + (size_t)len)
		return 0;
	*body = c->in + hlen;
	*blen = (size_t)len;
	*total = hlen + (size_t)len;
	return 1;
}

int fconn_ws_upgrade(struct fconn *c, int ep, const char *path, const char *proto)
{
	char req[512];
	int n = snprintf(req, sizeof(req),
	                 "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
	                 "Connection: Upgrade\r\nSec-WebSocket-Key: Zmxhc2gtc2FsZS1rZXkxMg==\r\n"
	                 "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: %s\r\n\r\n",
	                 path, proto);

	return fconn_send(c, ep, req, (size_t)n);
}

int fconn_ws_upgraded(struct fconn *c)
{
	const char *e = head_end(c);

	if (!e)
		return 0;
	if (c->inlen < 12 || memcmp(c->in + 9, "101", 3))
		return -1;
	fconn_consume(c, (size_t)(e + 4 - c->in));
	return 1;
}

int fconn_ws_send(struct fconn *c, int ep, int opcode, const char *p, size_t n)
{
	static const unsigned char key[4] = {0x5a, 0x17, 0xc3, 0x8e};
	unsigned char f[14];
	size_t h = 0;
	char *m;
	int rc;

	if (n > 0xffff)
		return -1; /* the server takes at most 4 KiB anyway */
	/* FIN + opcode; MASK + a 7-bit length, or 126 and 16 bits. */
	f[0] = (unsigned char)(0x80 | opcode);
	f[1] = (unsigned char)(0x80 | (n < 126 ? n : 126));
	h = 2;
	if (n >= 126) {
		f[h++] = (unsigned char)(n >> 8);
		f[h++] = (unsigned char)(n & 0xff);
	}
	memcpy(f + h, key, 4);
	h += 4;
	m = malloc(n + 1);
	if (!m)
		return -1;
	for (size_t i = 0; i < n; i++)
		m[i] = (char)((unsigned char)p[i] ^ key[i & 3]);
	rc = queue(c, f, h) < 0 ? -1 : fconn_send(c, ep, m, n);
	free(m);
	return rc;
}

int fconn_ws_frame(struct fconn *c, int *opcode, const char **payload, size_t *n, size_t *total)
{
	const unsigned char *b = (const unsigned char *)c->in;
	size_t h = 2;
	uint64_t len;

	if (c->inlen < 2)
		return 0;
	len = b[1] & 0x7f;
	if (len == 126) {
		if (c->inlen < 4)
			return 0;
		len = (uint64_t)b[2] << 8 | b[3];
		h = 4;
	} else if (len == 127) {
		if (c->inlen < 10)
			return 0;
		len = 0;
		for (int i = 0; i < 8; i++)
			len = len << 8 | b[2 + i];
		h = 10;
	}
	if (len > FCONN_BUF_MAX || c->inlen < h + len)
		return 0;
	*opcode = b[0] & 0x0f;
	*payload = c->in + h;
	*n = (size_t)len;
	*total = h + (size_t)len;
	return 1;
}
