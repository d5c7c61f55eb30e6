/*
 * wsload.c: the load client of bench/ws.sh (one thread, epoll).
 *
 *   wsload -m hub|node -p PORT -n N -r RATE -d SECONDS -P SERVER_PID
 *          [-R REDIS_PORT -s SCREENING_ID]     (hub)
 *
 * Opens N WebSocket subscribers (hub: /ws, boxoffice.v1, subscribe to the
 * screening and wait for its snapshot; node: /sub), measures the server's
 * RSS before and 1 s after (idle bytes per client), then makes RATE seat
 * changes a second for SECONDS seconds:
 *   hub:  one Lua script on Redis per change (INCR bo:seatver, PUBLISH the
 *         change of 3 seats on boxoffice:seats:<id>), as the hold script does;
 *   node: one text frame to /pub with the seats.delta the hub would send for
 *         that change (the server sends the same bytes to every subscriber).
 * Every change is stamped when it is made (CLOCK_MONOTONIC); a subscriber
 * that receives a delta covering versions from+1..version counts one
 * delivery per change and its latency (receive time - stamp), so changes
 * the hub merged into one frame count each with the time it waited.
 * Prints one line of key=value.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define BUCKET_US 10
#define BUCKETS 1000000 /* 10 s */

struct cl {
	int fd, state; /* 0 handshake, 1 waiting for the snapshot, 2 live */
	unsigned char *buf;
	size_t len, cap;
};

static const char *mode = "hub";
static int port, redis_port, n_clients = 1000, rate = 100, secs = 10, pid;
static long long sid;
static struct cl *cls;
static double *stamp;
static long long v0, changes_made, total_changes;
static unsigned *hist;
static long long deliveries, frames, late;
static double t_first_pub, t_last_rx;

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *m)
{
	fprintf(stderr, "wsload: %s: %s\n", m, strerror(errno));
	exit(1);
}

static int tcp(int p)
{
	struct sockaddr_in a = {0};
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)p);
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

static void writeall(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t k = write(fd, c, n);
		if (k < 0 && errno == EAGAIN) {
			usleep(100);
			continue;
		}
		if (k <= 0)
			die("write");
		c += k;
		n -= (size_t)k;
	}
}

static void ws_send(int fd, const char *text)
{
	size_t n = strlen(text), h = 0;
	unsigned char f[8192];
	static const unsigned char mask[4] = {1, 2, 3, 4};

	f[h++] = 0x81;
	if (n < 126) {
		f[h++] = (unsigned char)(0x80 | n);
	} else {
		f[h++] = 0x80 | 126;
		f[h++] = (unsigned char)(n >> 8);
		f[h++] = (unsigned char)n;
	}
	memcpy(f + h, mask, 4);
	h += 4;
	for (size_t i = 0; i < n; i++)
		f[h + i] = (unsigned char)text[i] ^ mask[i & 3];
	writeall(fd, f, h + n);
}

static long rss_kib(void)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

static long cpu_ticks(void)
{
	char path[64];
	unsigned long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut,
	           &st) != 2)
		ut = st = 0;
	fclose(f);
	return (long)(ut + st);
}

static long long num_after(const char *p, size_t n, const char *key)
{
	const char *k = memmem(p, n, key, strlen(key));

	return k ? atoll(k + strlen(key)) : -1;
}

/* One text frame of client c. */
static void on_text(struct cl *c, const char *p, size_t n)
{
	double t = now_s();
	long long from, ver;

	if (c->state == 1) {
		if (memmem(p, n, "seats.snapshot", 14))
			c->state = 2;
		return;
	}
	from = num_after(p, n, "\"from\":");
	ver = num_after(p, n, "\"version\":");
	if (from < 0 || ver < 0)
		return;
	frames++;
	for (long long v = from + 1; v <= ver; v++) {
		long long k = v - v0;
		double us;
		if (k < 1 || k > changes_made)
			continue;
		us = (t - stamp[k]) * 1e6;
		if (us >= (double)BUCKET_US * BUCKETS)
			late++;
		else
			hist[(long)(us / BUCKET_US)]++;
		deliveries++;
	}
	t_last_rx = t;
}

/*
 * Readable: one read into a shared buffer after the bytes left over from the
 * last time (a partial frame), then every complete frame. Level-triggered
 * epoll brings the client back when more is waiting.
 */
static int on_read(struct cl *c)
{
	static unsigned char rbuf[1 << 18];
	size_t have = c->len, off = 0;
	ssize_t k;

	if (have)
		memcpy(rbuf, c->buf, have);
	k = read(c->fd, rbuf + have, sizeof(rbuf) - have);
	if (k == 0)
		return -1;
	if (k < 0)
		return errno == EAGAIN ? 0 : -1;
	have += (size_t)k;
	if (c->state == 0) {
		unsigned char *e = memmem(rbuf, have, "\r\n\r\n", 4);
		if (!e)
			goto keep;
		if (memcmp(rbuf, "HTTP/1.1 101", 12)) {
			fprintf(stderr, "wsload: refused: %.120s\n", (const char *)rbuf);
			return -1;
		}
		off = (size_t)(e + 4 - rbuf);
		if (!strcmp(mode, "hub")) {
			char m[96];
			snprintf(m, sizeof(m), "{\"op\":\"subscribe\",\"screeningId\":%lld}", sid);
			ws_send(c->fd, m);
			c->state = 1;
		} else {
			c->state = 2;
		}
	}
	for (;;) {
		unsigned char *b = rbuf + off;
		size_t left = have - off, h = 2;
		uint64_t n;
		if (left < 2)
			break;
		n = b[1] & 0x7f;
		if (n == 126) {
			if (left < 4)
				break;
			n = ((uint64_t)b[2] << 8) | b[3];
			h = 4;
		} else if (n == 127) {
			if (left < 10)
				break;
			n = 0;
			for (int i = 0; i < 8; i++)
				n = (n << 8) | b[2 + i];
			h = 10;
		}
		if (left < h + n)
			break;
		if ((b[0] & 0x0f) == 1)
			on_text(c, (const char *)b + h, n);
		off += h + n;
	}
keep:
	c->len = have - off;
	if (c->len > c->cap) {
		c->cap = c->len;
		c->buf = realloc(c->buf, c->cap);
		if (!c->buf)
			die("realloc");
	}
	memcpy(c->buf, rbuf + off, c->len);
	return 0;
}

static int redis_fd = -1;

static void redis_send(int argc, const char **argv)
{
	char req[4096];
	size_t n = (size_t)snprintf(req, sizeof(req), "*%d\r\n", argc);

	for (int i = 0; i < argc; i++)
		n += (size_t)snprintf(req + n, sizeof(req) - n, "$%zu\r\n%s\r\n", strlen(argv[i]), argv[i]);
	writeall(redis_fd, req, n);
}

static const char changes3[] = "[{\"seat\":\"A1\",\"state\":\"h\"},{\"seat\":\"A2\",\"state\":\"h\"},"
                               "{\"seat\":\"A3\",\"state\":\"h\"}]";

static void publish_one(int pub_fd)
{
	long long v = v0 + changes_made + 1;

	stamp[changes_made + 1] = now_s();
	if (!t_first_pub)
		t_first_pub = stamp[changes_made + 1];
	if (!strcmp(mode, "hub")) {
		static const char script[] =
		    "local v = redis.call('INCR', KEYS[1]) "
		    "redis.call('PUBLISH', ARGV[1], '{\"screeningId\":' .. ARGV[2] .. ',\"version\":' .. v "
		    ".. ',\"changes\":' .. ARGV[3] .. '}') return v";
		char key[64], ch[64], id[32];
		const char *argv[] = {"EVAL", script, "1", key, ch, id, changes3};
		snprintf(key, sizeof(key), "bo:{s%d}:seatver:%lld", (int)(sid % 16), sid);
		snprintf(ch, sizeof(ch), "boxoffice:seats:%lld", sid);
		snprintf(id, sizeof(id), "%lld", sid);
		redis_send(7, argv);
	} else {
		char m[512];
		snprintf(m, sizeof(m),
		         "{\"type\":\"seats.delta\",\"screeningId\":%lld,\"from\":%lld,\"version\":%lld,"
		         "\"changes\":%s}",
		         sid, v - 1, v, changes3);
		ws_send(pub_fd, m);
	}
	changes_made++;
}

static double pct(double p)
{
	long long want = (long long)(p * (double)deliveries), seen = 0;

	for (long i = 0; i < BUCKETS; i++) {
		seen += hist[i];
		if (seen > want)
			return (double)(i * BUCKET_US) / 1000.0;
	}
	return (double)BUCKET_US * BUCKETS / 1000.0;
}

int main(int argc, char **argv)
{
	int opt, ep, tfd, pub_fd = -1, live = 0;
	long rss0, rss1, peak;
	long t0c, t1c;
	double t_end;
	char req[512];
	struct epoll_event ev, evs[256];

	while ((opt = getopt(argc, argv, "m:p:n:r:d:P:R:s:")) != -1) {
		switch (opt) {
		case 'm': mode = optarg; break;
		case 'p': port = atoi(optarg); break;
		case 'n': n_clients = atoi(optarg); break;
		case 'r': rate = atoi(optarg); break;
		case 'd': secs = atoi(optarg); break;
		case 'P': pid = atoi(optarg); break;
		case 'R': redis_port = atoi(optarg); break;
		case 's': sid = atoll(optarg); break;
		default: fprintf(stderr, "usage: see the top of wsload.c\n"); return 2;
		}
	}
	total_changes = (long long)rate * secs;
	stamp = calloc((size_t)total_changes + 2, sizeof(*stamp));
	hist = calloc(BUCKETS, sizeof(*hist));
	cls = calloc((size_t)n_clients, sizeof(*cls));
	if (!stamp || !hist || !cls)
		die("calloc");
	ep = epoll_create1(0);
	rss0 = rss_kib();
	for (int i = 0; i < n_clients; i++) {
		int n;
		cls[i].fd = tcp(port);
		n = snprintf(req, sizeof(req),
		             "GET %s HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
		             "%s\r\n",
		             strcmp(mode, "hub") ? "/sub" : "/ws",
		             strcmp(mode, "hub") ? "" : "Sec-WebSocket-Protocol: boxoffice.v1\r\n");
		writeall(cls[i].fd, req, (size_t)n);
		fcntl(cls[i].fd, F_SETFL, O_NONBLOCK);
		ev.events = EPOLLIN;
		ev.data.u32 = (uint32_t)i;
		epoll_ctl(ep, EPOLL_CTL_ADD, cls[i].fd, &ev);
	}
	/* Everyone upgraded (and, for the hub, holding a snapshot). */
	t_end = now_s() + 120;
	while (live < n_clients && now_s() < t_end) {
		int k = epoll_wait(ep, evs, 256, 100);
		live = 0;
		for (int i = 0; i < k; i++) {
			struct cl *c = &cls[evs[i].data.u32];
			if (on_read(c) < 0) {
				fprintf(stderr, "wsload: a client was refused or closed\n");
				return 1;
			}
		}
		for (int i = 0; i < n_clients; i++)
			live += cls[i].state == 2;
	}
	if (live < n_clients) {
		fprintf(stderr, "wsload: only %d of %d clients ready\n", live, n_clients);
		return 1;
	}
	{
		double settle = now_s() + 1;
		while (now_s() < settle)
			epoll_wait(ep, evs, 256, 100);
	}
	rss1 = rss_kib();
	peak = rss1;
	/* The publisher. */
	if (!strcmp(mode, "hub")) {
		char line[128];
		ssize_t k;
		redis_fd = tcp(redis_port);
		snprintf(req, sizeof(req), "bo:{s%d}:seatver:%lld", (int)(sid % 16), sid);
		{
			const char *a[] = {"GET", req};
			redis_send(2, a);
		}
		k = read(redis_fd, line, sizeof(line) - 1);
		line[k > 0 ? k : 0] = '\0';
		/* "$-1" (absent: 0) or "$N\r\n<digits>" */
		v0 = line[1] == '-' ? 0 : atoll(strstr(line, "\r\n") + 2);
		fcntl(redis_fd, F_SETFL, O_NONBLOCK);
		ev.events = EPOLLIN;
		ev.data.u32 = 0xfffffffe;
		epoll_ctl(ep, EPOLL_CTL_ADD, redis_fd, &ev);
	} else {
		char hs[4096];
		int n;
		pub_fd = tcp(port);
		n = snprintf(req, sizeof(req),
		             "GET /pub HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
		writeall(pub_fd, req, (size_t)n);
		if (read(pub_fd, hs, sizeof(hs)) <= 0)
			die("publisher");
		v0 = 0;
	}
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
	{
		struct itimerspec its = {{0, 1000000000L / rate}, {0, 1000000000L / rate}};
		timerfd_settime(tfd, 0, &its, NULL);
	}
	ev.events = EPOLLIN;
	ev.data.u32 = 0xffffffff;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	t0c = cpu_ticks();
	t_end = 0;
	for (;;) {
		int k = epoll_wait(ep, evs, 256, 50);
		for (int i = 0; i < k; i++) {
			uint32_t id = evs[i].data.u32;
			if (id == 0xffffffff) {
				uint64_t ticks;
				if (read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks))
					while (ticks-- && changes_made < total_changes)
						publish_one(pub_fd);
				continue;
			}
			if (id == 0xfffffffe) {
				char junk[65536];
				while (read(redis_fd, junk, sizeof(junk)) > 0)
					;
				continue;
			}
			if (on_read(&cls[id]) < 0) {
				fprintf(stderr, "wsload: the server closed a subscriber\n");
				epoll_ctl(ep, EPOLL_CTL_DEL, cls[id].fd, NULL);
			}
		}
		if (changes_made >= total_changes && !t_end)
			t_end = now_s() + 5;
		if (deliveries >= (long long)n_clients * total_changes || (t_end && now_s() > t_end))
			break;
		{
			static double next_rss;
			if (now_s() > next_rss) {
				long r = rss_kib();
				if (r > peak)
					peak = r;
				next_rss = now_s() + 0.1;
			}
		}
	}
	t1c = cpu_ticks();
	{
		double window = t_last_rx - t_first_pub;
		printf("mode=%s clients=%d rate=%d changes=%lld deliveries=%lld expected=%lld "
		       "frames=%lld window_s=%.2f deliveries_per_s=%.0f frames_per_s=%.0f "
		       "p50_ms=%.2f p99_ms=%.2f max_late=%lld rss_idle_kib=%ld rss_clients_kib=%ld "
		       "bytes_per_idle_client=%.0f rss_peak_kib=%ld server_cpu_pct=%.0f\n",
		       mode, n_clients, rate, changes_made, deliveries,
		       (long long)n_clients * changes_made, frames, window,
		       window > 0 ? (double)deliveries / window : 0, window > 0 ? (double)frames / window : 0,
		       pct(0.50), pct(0.99), late, rss0, rss1,
		       (double)(rss1 - rss0) * 1024.0 / n_clients, peak,
		       window > 0 ? 100.0 * (double)(t1c - t0c) / (double)sysconf(_SC_CLK_TCK) / window : 0);
	}
	return 0;
}
