/*
 * it_pipeline.c: HTTP/1.1 pipelining never hangs the server. Requests sent
 * back to back in one packet are answered in order, also behind a request
 * with a body and behind static files, and the connection stays open.
 * Afterwards the loop thread is idle and other clients are served.
 */
// ctest: RUN_SERIAL
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixtures.h"

#define POST_BODY                                                                   \
	"POST /film/list HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n" \
	"Content-Length: 2\r\n\r\n{}"
#define GET_HEALTH "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
#define GET_FILE "GET /static/posters/lighthouse.svg HTTP/1.1\r\nHost: t\r\n\r\n"

/* Send bytes in one write; count status lines until close or 3 s. */
static int answers(const char *bytes, int *closed)
{
	struct sockaddr_in dst = {0};
	char buf[65536];
	size_t got = 0;
	int fd, n = 0, waited = 0;
	const char *p;

	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(it_env("HTTP_PORT")));
	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&dst, sizeof(dst)), 0);
	assert_int_equal(write(fd, bytes, strlen(bytes)), (ssize_t)strlen(bytes));
	*closed = 0;
	while (waited < 3000 && got < sizeof(buf) - 1) {
		struct pollfd pfd = {fd, POLLIN, 0};
		ssize_t k;
		if (poll(&pfd, 1, 100) == 0) {
			waited += 100;
			continue;
		}
		k = read(fd, buf + got, sizeof(buf) - 1 - got);
		if (k <= 0) {
			*closed = 1;
			break;
		}
		got += (size_t)k;
	}
	buf[got] = '\0';
	close(fd);
	for (p = buf; (p = strstr(p, "HTTP/1.1 ")) != NULL; p++)
		n++;
	return n;
}

/* CPU ticks the daemon used over one second. */
static long daemon_ticks_per_s(void)
{
	char path[64];
	long a = 0, b = 0;

	snprintf(path, sizeof(path), "/proc/%s/stat", it_env("DAEMON_PID"));
	for (int i = 0; i < 2; i++) {
		FILE *f = fopen(path, "r");
		unsigned long ut = 0, st = 0;
		assert_non_null(f);
		assert_int_equal(
		    fscanf(f, "%*d (%*[^)]) %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
		           &ut, &st),
		    2);
		fclose(f);
		if (i == 0) {
			a = (long)(ut + st);
			sleep(1);
		} else {
			b = (long)(ut + st);
		}
	}
	return b - a;
}

static void test_pipeline_gets_answered_in_order(void **state)
{
	int closed;

	assert_int_equal(answers(GET_HEALTH GET_HEALTH GET_HEALTH, &closed), 3);
	assert_int_equal(answers(GET_FILE GET_HEALTH, &closed), 2);
	assert_int_equal(answers(GET_FILE GET_HEALTH GET_FILE, &closed), 3);
	assert_false(closed);
}

static void test_pipeline_behind_a_body_is_answered_without_spinning(void **state)
{
	static const char *const cases[] = {POST_BODY POST_BODY, GET_HEALTH POST_BODY,
	                                    POST_BODY GET_HEALTH POST_BODY};
	static const int want[] = {2, 2, 3};
	struct it_resp *r;
	int closed;
	long ticks;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(answers(cases[i], &closed), want[i]);
		assert_false(closed);
	}
	/* The loop is idle again (well under half a core)... */
	ticks = daemon_ticks_per_s();
	print_message("daemon used %ld ticks in 1 s after the pipelines\n", ticks);
	assert_true(ticks < 50);
	/* ...and serves everyone else at once. */
	r = it_request("GET", "/healthz", NULL, NULL, 0);
	it_assert_status(r, 200);
	it_resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pipeline_gets_answered_in_order),
	    cmocka_unit_test(test_pipeline_behind_a_body_is_answered_without_spinning),
	};
	return cmocka_run_group_tests(tests, it_group_setup, NULL);
}
