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
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"

struct run {
	int status; /* exit status, or 128 + signal */
	char out[8192];
};

/* Split words (separated by spaces) of s into v (at most max-1, NULL-terminated). */
static int split(char *s, char **v, int max)
{
	int n = 0;
	char *save = NULL, *w;

	for (w = strtok_r(s, " ", &save); w && n < max - 1; w = strtok_r(NULL, " ", &save))
		v[n++] = w;
	v[n] = NULL;
	return n;
}

/*
 * Run boxofficed with a clean environment plus extra words (later ones win)
 * and flags, killed after 30 s. The secrets go through the environment of
 * execve, never on a command line (ps shows those).
 */
static void run_daemon(struct run *r, const char *env, const char *flags)
{
	char e_jwt[256], e_pay[256], e_db[512], e_redis[128], e_tsan[512], e_extra[512];
	char f_copy[512], *envp[32], *argv[16];
	int pfd[2], st, ne = 0;
	size_t n = 0;
	pid_t pid;

	snprintf(e_jwt, sizeof(e_jwt), "BOXOFFICE_JWT_SECRET=%s", it_env("JWT_SECRET"));
	snprintf(e_pay, sizeof(e_pay), "BOXOFFICE_PAY_SECRET=%s", it_env("PAY_SECRET"));
	snprintf(e_db, sizeof(e_db), "BOXOFFICE_DB_URL=mysql://%s:%s@127.0.0.1:%s/%s",
	         it_env("MYSQL_USER"), it_env("MYSQL_PASSWORD"), it_env("MYSQL_PORT"),
	         it_env("MYSQL_DB"));
	snprintf(e_redis, sizeof(e_redis), "BOXOFFICE_REDIS_URL=redis://127.0.0.1:%s/0",
	         it_env("REDIS_PORT"));
	snprintf(e_tsan, sizeof(e_tsan), "TSAN_OPTIONS=%s",
	         getenv("TSAN_OPTIONS") ? getenv("TSAN_OPTIONS") : "");
	snprintf(e_extra, sizeof(e_extra), "%s", env);
	snprintf(f_copy, sizeof(f_copy), "%s", flags);
	envp[ne++] = "PATH=/usr/bin:/bin";
	envp[ne++] = "ASAN_OPTIONS=detect_leaks=1";
	envp[ne++] = e_tsan;
	envp[ne++] = e_jwt;
	envp[ne++] = e_pay;
	envp[ne++] = e_db;
	envp[ne++] = e_redis;
	envp[ne++] = "BOXOFFICE_LISTEN=127.0.0.1:1";
	/* An extra word replaces the default of the same name, or is added. */
	{
		char *extra[16];
		int k = split(e_extra, extra, 16), i, j;

		for (i = 0; i < k; i++) {
			size_t klen = strcspn(extra[i], "=") + 1;

			for (j = 0; j < ne; j++)
				if (!strncmp(envp[j], extra[i], klen))
					break;
			if (j == ne && ne < 30)
				ne++;
			envp[j] = extra[i];
		}
	}
	envp[ne] = NULL;
	argv[0] = getenv("BOXOFFICED");
	split(f_copy, argv + 1, 15);

	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pfd[1], 1);
		dup2(pfd[1], 2);
		close(pfd[0]);
		close(pfd[1]);
		alarm(30); /* SIGALRM kills it: a daemon that did not stop is a failure */
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(pfd[1]);
	while (n < sizeof(r->out) - 1) {
		ssize_t k = read(pfd[0], r->out + n, sizeof(r->out) - 1 - n);
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	close(pfd[0]);
	r->out[n] = '\0';
	assert_int_equal(waitpid(pid, &st, 0), pid);
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
	/* Two loops listen with SO_REUSEPORT, and still never share a port already taken. */
	run_daemon(&r, env, "--loops 2");
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
