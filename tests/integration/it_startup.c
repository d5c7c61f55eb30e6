/*
 * it_startup.c: boxofficed refuses to start with a clear message, and the
 * right exit status, when its settings are wrong or MariaDB, Redis or its
 * port cannot be had; --help is generated from the settings table.
 * Runs the binary of the build (env BOXOFFICED) next to the fixture's stack.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <cmocka.h>

#include "harness.h"

struct run {
	int status; /* exit status, or 128 + signal */
	char out[8192];
};

/* Run boxofficed with extra environment words and flags, under a timeout. */
static void run_daemon(struct run *r, const char *env, const char *flags)
{
	char cmd[2048];
	FILE *p;
	size_t n = 0;
	int st;

	snprintf(cmd, sizeof(cmd),
	         "env -i PATH=/usr/bin:/bin ASAN_OPTIONS=detect_leaks=1 "
	         "BOXOFFICE_JWT_SECRET=%s BOXOFFICE_PAY_SECRET=%s "
	         "BOXOFFICE_DB_URL=mysql://%s:%s@127.0.0.1:%s/%s "
	         "BOXOFFICE_REDIS_URL=redis://127.0.0.1:%s/0 BOXOFFICE_LISTEN=127.0.0.1:1 %s "
	         "timeout -s KILL 30 %s %s 2>&1",
	         it_env("JWT_SECRET"), it_env("PAY_SECRET"), it_env("MYSQL_USER"),
	         it_env("MYSQL_PASSWORD"), it_env("MYSQL_PORT"), it_env("MYSQL_DB"),
	         it_env("REDIS_PORT"), env, getenv("BOXOFFICED"), flags);
	p = popen(cmd, "r");
	assert_non_null(p);
	while (n < sizeof(r->out) - 1) {
		size_t k = fread(r->out + n, 1, sizeof(r->out) - 1 - n, p);
		if (k == 0)
			break;
		n += k;
	}
	r->out[n] = '\0';
	st = pclose(p);
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void expect(const struct run *r, int status, const char *text)
{
	if (r->status != status || !strstr(r->out, text)) {
		print_error("expected exit %d and \"%s\", got exit %d:\n%s\n", status, text,
		            r->status, r->out);
		fail();
	}
}

static int setup(void **state)
{
	if (!getenv("BOXOFFICED"))
		return -1;
	return it_setup();
}

static void test_startup_mysql_unreachable_names_address(void **state)
{
	struct run r;

	run_daemon(&r, "BOXOFFICE_DB_URL=mysql://u:p@127.0.0.1:9/x", "");
	expect(&r, 1, "cannot connect to mysql '127.0.0.1:9'");
}

static void test_startup_redis_unreachable_names_address(void **state)
{
	struct run r;

	run_daemon(&r, "BOXOFFICE_REDIS_URL=redis://127.0.0.1:9/0", "");
	expect(&r, 1, "cannot connect to redis '127.0.0.1:9'");
}

static void test_startup_port_in_use_names_address(void **state)
{
	char env[128];
	struct run r;

	snprintf(env, sizeof(env), "BOXOFFICE_LISTEN=127.0.0.1:%s", it_env("HTTP_PORT"));
	run_daemon(&r, env, "");
	expect(&r, 1, it_env("HTTP_PORT"));
	expect(&r, 1, "cannot listen on '127.0.0.1:");
}

static void test_startup_invalid_settings_exit_2(void **state)
{
	struct run r;

	run_daemon(&r, "BOXOFFICE_HOLD_TTL=abc", "");
	expect(&r, 2, "hold_ttl");
	run_daemon(&r, "", "--hold_ttl 5");
	expect(&r, 2, "hold_ttl");
	run_daemon(&r, "BOXOFFICE_JWT_SECRET=short", "");
	expect(&r, 2, "jwt_secret");
	run_daemon(&r, "", "--no_such_setting 1");
	expect(&r, 2, "no_such_setting");
	run_daemon(&r, "BOXOFFICE_LISTEN=nowhere", "");
	expect(&r, 2, "listen");
	/* A secret never appears in a message. */
	assert_null(strstr(r.out, it_env("JWT_SECRET")));
}

static void test_startup_help_lists_every_setting(void **state)
{
	static const char *const names[] = {
	    "listen",     "db_url",   "redis_url",       "kafka_brokers",  "jwt_secret",
	    "pay_secret", "hold_ttl", "grace",           "checkin_window", "smtp_url",
	    "sms_url",    "currency", "bootstrap_admin", "workers",        "web_root"};
	struct run r;
	size_t i;

	run_daemon(&r, "", "--help");
	assert_int_equal(r.status, 0);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char up[64], *u;
		assert_non_null(strstr(r.out, names[i]));
		snprintf(up, sizeof(up), "BOXOFFICE_%s", names[i]);
		for (u = up; *u; u++)
			*u = (char)(*u >= 'a' && *u <= 'z' ? *u - 32 : *u);
		if (!strstr(r.out, up)) {
			print_error("--help lacks %s:\n%s\n", up, r.out);
			fail();
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_startup_mysql_unreachable_names_address),
	    cmocka_unit_test(test_startup_redis_unreachable_names_address),
	    cmocka_unit_test(test_startup_port_in_use_names_address),
	    cmocka_unit_test(test_startup_invalid_settings_exit_2),
	    cmocka_unit_test(test_startup_help_lists_every_setting),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
