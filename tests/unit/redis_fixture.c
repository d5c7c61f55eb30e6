/* redis_fixture.c: the private redis-server of redis_fixture.h. */
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <hiredis/hiredis.h>

#include "redis_fixture.h"

int redis_fixture_free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	if (fd < 0)
		return -1;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	close(fd);
	return port;
}

void redis_fixture_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* 1 when the server answers PING. */
static int ready(const struct redis_fixture *rf)
{
	struct timeval tv = {1, 0};
	redisContext *c = redisConnectWithTimeout("127.0.0.1", rf->port, tv);
	redisReply *r;
	int ok = 0;

	if (c && !c->err) {
		r = redisCommand(c, "PING");
		ok = r && r->type == REDIS_REPLY_STATUS;
		if (r)
			freeReplyObject(r);
	}
	if (c)
		redisFree(c);
	return ok;
}

int redis_fixture_start(struct redis_fixture *rf, const char *name)
{
	char port[16];
	int i, devnull;

	memset(rf, 0, sizeof(*rf));
	snprintf(rf->dir, sizeof(rf->dir), "/tmp/%s.XXXXXX", name);
	if (!mkdtemp(rf->dir))
		return -1;
	rf->port = redis_fixture_free_port();
	if (rf->port < 0)
		return -1;
	snprintf(port, sizeof(port), "%d", rf->port);
	rf->pid = fork();
	if (rf->pid < 0)
		return -1;
	if (rf->pid == 0) {
		devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execlp("redis-server", "redis-server", "--port", port, "--bind", "127.0.0.1",
		       "--save", "", "--appendonly", "no", "--dir", rf->dir, (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 100 && !ready(rf); i++)
		redis_fixture_sleep_ms(50);
	if (!ready(rf)) {
		fprintf(stderr, "cannot start redis-server on port %d\n", rf->port);
		redis_fixture_stop(rf);
		return -1;
	}
	snprintf(rf->url, sizeof(rf->url), "redis://127.0.0.1:%d/0", rf->port);
	return 0;
}

void redis_fixture_stop(struct redis_fixture *rf)
{
	if (rf->pid > 0) {
		kill(rf->pid, SIGTERM);
		waitpid(rf->pid, NULL, 0);
		rf->pid = 0;
	}
}

void redis_fixture_remove(struct redis_fixture *rf)
{
	redis_fixture_stop(rf);
	if (rf->dir[0])
		rmdir(rf->dir);
}
