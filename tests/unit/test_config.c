/* test_config.c: settings precedence, validation messages, --help. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"

#define JWT_OK_SECRET "0123456789abcdef0123456789abcdef"
#define PAY_OK_SECRET "fedcba9876543210fedcba9876543210"

struct fixture {
	struct config c;
	char err[512];
	char path[64];
};

static const char *const setting_names[] = {
#define NAME_ROW(name, type, def, min, max, help) #name,
    CONFIG_SETTINGS(NAME_ROW)
#undef NAME_ROW
};
#define NSETTINGS (sizeof(setting_names) / sizeof(setting_names[0]))

static void env_of(const char *name, char *out, size_t outlen)
{
	size_t i;

	snprintf(out, outlen, "BOXOFFICE_%s", name);
	for (i = 0; out[i]; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
}

static void clear_env(void)
{
	char env[64];
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		env_of(setting_names[i], env, sizeof(env));
		unsetenv(env);
	}
	unsetenv("BOXOFFICE_CONFIG");
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	clear_env();
	/* The secrets are required; most tests are about something else. */
	setenv("BOXOFFICE_JWT_SECRET", JWT_OK_SECRET, 1);
	setenv("BOXOFFICE_PAY_SECRET", PAY_OK_SECRET, 1);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	config_release(&f->c);
	if (f->path[0])
		unlink(f->path);
	clear_env();
	free(f);
	return 0;
}

static void write_file(struct fixture *f, const char *text)
{
	int fd;

	snprintf(f->path, sizeof(f->path), "/tmp/test_config_XXXXXX");
	fd = mkstemp(f->path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* Run config_load over a NULL-terminated flag list. */
static int load(struct fixture *f, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	char *a;

	argv[argc++] = "boxofficed";
	va_start(ap, f);
	while ((a = va_arg(ap, char *)) != NULL && argc < 31)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	config_release(&f->c);
	f->err[0] = '\0';
	return config_load(&f->c, argc, argv, f->err, sizeof(f->err));
}

static void assert_err(struct fixture *f, const char *want)
{
	if (!strstr(f->err, want))
		fail_msg("error '%s' does not contain '%s'", f->err, want);
}

static void test_config_defaults(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, NULL), 0);
	assert_string_equal(f->c.listen, "127.0.0.1:8080");
	assert_string_equal(f->c.db_url, "mysql://boxoffice:boxoffice@127.0.0.1:3306/boxoffice");
	assert_string_equal(f->c.redis_url, "redis://127.0.0.1:6379/0");
	assert_string_equal(f->c.kafka_brokers, "");
	assert_string_equal(f->c.kafka_topic_prefix, "boxoffice.");
	assert_int_equal(f->c.kafka_consume, 1);
	assert_int_equal(f->c.access_expire, 7200);
	assert_int_equal(f->c.hold_ttl, 600);
	assert_int_equal(f->c.grace, 120);
	assert_int_equal(f->c.checkin_window, 3600);
	assert_int_equal(f->c.require_phone_code, 0);
	assert_int_equal(f->c.rate_limits, 1);
	assert_string_equal(f->c.currency, "CNY");
	assert_string_equal(f->c.bootstrap_admin, "");
	assert_string_equal(f->c.web_root, BOXOFFICE_WEB_ROOT_DEFAULT);
	assert_int_equal(f->c.node_id, 0);
	assert_int_equal(f->c.argon2_memory_kib, 19456);
	assert_int_equal(f->c.argon2_iterations, 2);
	assert_string_equal(f->c.log_level, "info");
	assert_int_equal(f->c.migrate_only, 0);
	assert_null(f->c.config_file);
}

static void test_config_workers_zero_means_cores(void **state)
{
	struct fixture *f = *state;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	assert_int_equal(load(f, NULL), 0);
	assert_int_equal(f->c.workers, cores < 1 ? 1 : cores > 256 ? 256 : cores);
	assert_int_equal(load(f, "--workers", "3", NULL), 0);
	assert_int_equal(f->c.workers, 3);
}

static void test_config_precedence_default_file_env_flag(void **state)
{
	struct fixture *f = *state;

	write_file(f, "# comment\n"
	              "\n"
	              "hold_ttl = 100\n"
	              "grace=50\n"
	              "  checkin_window =  70  \n"
	              "currency = USD\n");
	setenv("BOXOFFICE_CONFIG", f->path, 1);
	setenv("BOXOFFICE_GRACE", "51", 1);
	setenv("BOXOFFICE_CHECKIN_WINDOW", "71", 1);
	assert_int_equal(load(f, "--checkin_window", "72", NULL), 0);
	assert_int_equal(f->c.access_expire, 7200); /* default */
	assert_int_equal(f->c.hold_ttl, 100);       /* file over default */
	assert_int_equal(f->c.grace, 51);           /* env over file */
	assert_int_equal(f->c.checkin_window, 72);  /* flag over env */
	assert_string_equal(f->c.currency, "USD");
	assert_string_equal(f->c.config_file, f->path);
}

static void test_config_flag_forms(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(
	    load(f, "--hold_ttl=30", "--grace", "40", "--hold-ttl", "31", "--kafka_brokers=", NULL),
	    0);
	assert_int_equal(f->c.hold_ttl, 31); /* the last flag wins */
	assert_int_equal(f->c.grace, 40);
	assert_string_equal(f->c.kafka_brokers, "");
}

static void test_config_flag_config_file(void **state)
{
	struct fixture *f = *state;

	write_file(f, "hold_ttl = 99\n");
	assert_int_equal(load(f, "--config", f->path, NULL), 0);
	assert_int_equal(f->c.hold_ttl, 99);
	assert_int_equal(load(f, NULL), 0);
	assert_int_equal(f->c.hold_ttl, 600);
}

static void test_config_file_quotes_and_equals_in_value(void **state)
{
	struct fixture *f = *state;

	write_file(f, "jwt_secret = \"  a#b=c with spaces 0123456789abcdef  \"\n"
	              "db_url = mysql://u:p=q@h/db\n");
	unsetenv("BOXOFFICE_JWT_SECRET");
	assert_int_equal(load(f, "--config", f->path, NULL), 0);
	assert_string_equal(f->c.jwt_secret, "  a#b=c with spaces 0123456789abcdef  ");
	assert_string_equal(f->c.db_url, "mysql://u:p=q@h/db");
}

static void test_config_file_unknown_key_names_line(void **state)
{
	struct fixture *f = *state;
	char want[128];

	write_file(f, "hold_ttl = 100\n# fine\n\nhold_tll = 5\n");
	assert_int_equal(load(f, "--config", f->path, NULL), -1);
	snprintf(want, sizeof(want), "config file '%s' line 4: unknown setting 'hold_tll'",
	         f->path);
	assert_string_equal(f->err, want);
}

static void test_config_file_line_without_equals(void **state)
{
	struct fixture *f = *state;
	char want[128];

	write_file(f, "hold_ttl 100\n");
	assert_int_equal(load(f, "--config", f->path, NULL), -1);
	snprintf(want, sizeof(want), "config file '%s' line 1: expected 'name = value'", f->path);
	assert_err(f, want);
}

static void test_config_file_missing(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "--config", "/nonexistent/boxoffice.conf", NULL), -1);
	assert_string_equal(f->err, "cannot read config file '/nonexistent/boxoffice.conf': "
	                            "No such file or directory");
}

static void test_config_file_value_error_names_file_and_line(void **state)
{
	struct fixture *f = *state;
	char want[200];

	write_file(f, "\nnode_id = 64\n");
	assert_int_equal(load(f, "--config", f->path, NULL), -1);
	snprintf(want, sizeof(want),
	         "invalid setting 'node_id' = '64' (from config file '%s' line 2): "
	         "expected an integer from 0 to 63",
	         f->path);
	assert_string_equal(f->err, want);
}

static void test_config_int_not_a_number(void **state)
{
	struct fixture *f = *state;

	setenv("BOXOFFICE_HOLD_TTL", "abc", 1);
	assert_int_equal(load(f, NULL), -1);
	assert_string_equal(f->err, "invalid setting 'hold_ttl' = 'abc' (from environment "
	                            "BOXOFFICE_HOLD_TTL): expected an integer from 10 to 86400");
}

static void test_config_int_out_of_range(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "--hold_ttl", "9", NULL), -1);
	assert_string_equal(f->err, "invalid setting 'hold_ttl' = '9' (from flag --hold_ttl): "
	                            "expected an integer from 10 to 86400");
	assert_int_equal(load(f, "--hold_ttl", "86401", NULL), -1);
	assert_int_equal(load(f, "--hold_ttl", "12x", NULL), -1);
	assert_int_equal(load(f, "--hold_ttl", " 12", NULL), -1);
	assert_int_equal(load(f, "--hold_ttl", "99999999999999999999999", NULL), -1);
	assert_int_equal(load(f, "--hold_ttl", "", NULL), -1);
	assert_int_equal(load(f, "--hold_ttl", "10", NULL), 0);
	assert_int_equal(load(f, "--hold_ttl", "86400", NULL), 0);
}

static void test_config_bool_only_0_or_1(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "--rate_limits", "yes", NULL), -1);
	assert_string_equal(f->err, "invalid setting 'rate_limits' = 'yes' (from flag "
	                            "--rate_limits): expected 0 or 1");
	assert_int_equal(load(f, "--rate_limits=0", "--require_phone_code=1", NULL), 0);
	assert_int_equal(f->c.rate_limits, 0);
	assert_int_equal(f->c.require_phone_code, 1);
	setenv("BOXOFFICE_KAFKA_CONSUME", "0", 1);
	assert_int_equal(load(f, NULL), 0);
	unsetenv("BOXOFFICE_KAFKA_CONSUME");
	assert_int_equal(f->c.kafka_consume, 0);
}

static void test_config_listen_host_port(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {
	    "8080", ":8080", "localhost:", "localhost:0", "localhost:65536", "localhost:http"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(f, "--listen", bad[i], NULL), -1);
		assert_err(f, "invalid setting 'listen'");
		assert_err(f, "expected host:port with a port from 1 to 65535");
	}
	assert_int_equal(load(f, "--listen", "0.0.0.0:65535", NULL), 0);
	assert_int_equal(load(f, "--listen", "[::1]:1", NULL), 0);
}

static void test_config_db_url_scheme(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "--db_url", "postgres://u:secret@h/db", NULL), -1);
	/* The password of a url is never echoed. */
	assert_string_equal(f->err, "invalid setting 'db_url' = 'postgres://u:***@h/db' (from "
	                            "flag --db_url): expected a url starting with mysql://");
}

static void test_config_redis_url_scheme(void **state)
{
	struct fixture *f = *state;

	setenv("BOXOFFICE_REDIS_URL", "127.0.0.1:6379", 1);
	assert_int_equal(load(f, NULL), -1);
	assert_string_equal(f->err, "invalid setting 'redis_url' = '127.0.0.1:6379' (from "
	                            "environment BOXOFFICE_REDIS_URL): expected a url starting "
	                            "with redis://");
}

static void test_config_jwt_secret_required(void **state)
{
	struct fixture *f = *state;

	unsetenv("BOXOFFICE_JWT_SECRET");
	assert_int_equal(load(f, NULL), -1);
	assert_err(f, "'jwt_secret'");
	assert_err(f, "BOXOFFICE_JWT_SECRET");
	assert_err(f, "required: at least 32 bytes");
}

static void test_config_pay_secret_required(void **state)
{
	struct fixture *f = *state;

	unsetenv("BOXOFFICE_PAY_SECRET");
	assert_int_equal(load(f, NULL), -1);
	assert_err(f, "'pay_secret'");
	assert_err(f, "BOXOFFICE_PAY_SECRET");
	assert_err(f, "required: at least 32 bytes");
}

static void test_config_secret_too_short_is_not_echoed(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "--jwt_secret", "shortsecret", NULL), -1);
	assert_string_equal(f->err, "invalid setting 'jwt_secret' = '(hidden)' (from flag "
	                            "--jwt_secret): expected at least 32 bytes, got 11");
	assert_null(strstr(f->err, "shortsecret"));
}

static void test_config_migrate_needs_no_secrets(void **state)
{
	struct fixture *f = *state;

	unsetenv("BOXOFFICE_JWT_SECRET");
	unsetenv("BOXOFFICE_PAY_SECRET");
	assert_int_equal(load(f, "--migrate", NULL), 0);
	assert_int_equal(f->c.migrate_only, 1);
	assert_string_equal(f->c.db_url, "mysql://boxoffice:boxoffice@127.0.0.1:3306/boxoffice");
	/* Everything else is still checked. */
	assert_int_equal(load(f, "--migrate", "--db_url", "x", NULL), -1);
	assert_err(f, "invalid setting 'db_url'");
}

static void test_config_currency_three_upper_letters(void **state)
{
	struct fixture *f = *state;
	const char *bad[] = {"cny", "CN", "CNYY", "C1Y", ""};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(load(f, "--currency", bad[i], NULL), -1);
		assert_err(f, "expected 3 upper-case letters (ISO 4217)");
	}
	assert_int_equal(load(f, "--currency", "EUR", NULL), 0);
	assert_string_equal(f->c.currency, "EUR");
}

static void test_config_log_level_names(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "--log_level", "verbose", NULL), -1);
	assert_string_equal(f->err, "invalid setting 'log_level' = 'verbose' (from flag "
	                            "--log_level): expected one of error, warn, info, debug");
	assert_int_equal(load(f, "--log_level", "debug", NULL), 0);
	assert_int_equal(load(f, "--log_level", "error", NULL), 0);
	assert_int_equal(load(f, "--log_level", "warn", NULL), 0);
}

static void test_config_bootstrap_admin_format(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "--bootstrap_admin", "13800000000", NULL), -1);
	assert_string_equal(f->err, "invalid setting 'bootstrap_admin' = '(hidden)' (from flag "
	                            "--bootstrap_admin): expected 'mobile:password'");
	assert_int_equal(load(f, "--bootstrap_admin", ":password1", NULL), -1);
	assert_err(f, "expected 'mobile:password'");
	assert_int_equal(load(f, "--bootstrap_admin", "13800000000:short", NULL), -1);
	assert_err(f, "the password must have at least 8 characters");
	assert_null(strstr(f->err, "short'"));
	assert_int_equal(load(f, "--bootstrap_admin", "13800000000:pass:word", NULL), 0);
	assert_string_equal(f->c.bootstrap_admin, "13800000000:pass:word");
}

static void test_config_node_id_range(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "--node_id", "64", NULL), -1);
	assert_string_equal(f->err, "invalid setting 'node_id' = '64' (from flag --node_id): "
	                            "expected an integer from 0 to 63");
	assert_int_equal(load(f, "--node_id", "-1", NULL), -1);
	assert_int_equal(load(f, "--node_id", "63", NULL), 0);
	assert_int_equal(f->c.node_id, 63);
}

static void test_config_other_urls(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "--paysim_url", "127.0.0.1:8090", NULL), -1);
	assert_err(f, "invalid setting 'paysim_url'");
	assert_int_equal(load(f, "--smtp_url", "http://mail", NULL), -1);
	assert_err(f, "invalid setting 'smtp_url'");
	assert_int_equal(load(f, "--sms_url", "ftp://sms", NULL), -1);
	assert_err(f, "invalid setting 'sms_url'");
	assert_int_equal(load(f, "--kafka_topic_prefix", "bad prefix", NULL), -1);
	assert_err(f, "invalid setting 'kafka_topic_prefix'");
	assert_int_equal(load(f, "--smtp_url", "smtp://127.0.0.1:2525", "--sms_url",
	                      "https://sms.example/send", NULL),
	                 0);
}

static void test_config_unknown_flag(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "--hold_tll", "5", NULL), -1);
	assert_string_equal(f->err, "unknown flag '--hold_tll' (see --help)");
	assert_int_equal(load(f, "--bogus=1", NULL), -1);
	assert_string_equal(f->err, "unknown flag '--bogus' (see --help)");
	assert_int_equal(load(f, "stray", NULL), -1);
	assert_string_equal(f->err, "unexpected argument 'stray' (see --help)");
	assert_int_equal(load(f, "-x", NULL), -1);
	assert_string_equal(f->err, "unexpected argument '-x' (see --help)");
}

static void test_config_flag_needs_value(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, "--listen", NULL), -1);
	assert_string_equal(f->err, "flag '--listen' needs a value");
	assert_int_equal(load(f, "--listen", "--workers", "2", NULL), -1);
	assert_string_equal(f->err, "flag '--listen' needs a value");
	assert_int_equal(load(f, "--config", NULL), -1);
	assert_string_equal(f->err, "flag '--config' needs a value");
}

static void test_config_help_and_version_return_1(void **state)
{
	struct fixture *f = *state;
	FILE *saved;

	/* Keep the test's output readable: --help goes to a scratch stdout. */
	fflush(stdout);
	saved = stdout;
	stdout = tmpfile();
	assert_non_null(stdout);
	assert_int_equal(load(f, "--help", NULL), 1);
	assert_int_equal(load(f, "-h", NULL), 1);
	assert_int_equal(load(f, "--version", NULL), 1);
	fclose(stdout);
	stdout = saved;
	assert_null(f->c.listen);
}

static void test_config_help_lists_every_setting(void **state)
{
	char buf[16384];
	char want[80];
	size_t n, i;
	FILE *out = tmpfile();

	(void)state;
	assert_non_null(out);
	config_usage(out, "boxofficed");
	rewind(out);
	n = fread(buf, 1, sizeof(buf) - 1, out);
	buf[n] = '\0';
	fclose(out);
	assert_true(n < sizeof(buf) - 1);
	assert_non_null(strstr(buf, "usage: boxofficed"));
	assert_non_null(strstr(buf, "--config FILE"));
	assert_non_null(strstr(buf, "--migrate"));
	assert_non_null(strstr(buf, "--version"));
	for (i = 0; i < NSETTINGS; i++) {
		snprintf(want, sizeof(want), "--%s ", setting_names[i]);
		if (!strstr(buf, want))
			fail_msg("--help lacks '%s'", want);
		env_of(setting_names[i], want, sizeof(want));
		if (!strstr(buf, want))
			fail_msg("--help lacks '%s'", want);
	}
	assert_non_null(strstr(buf, "seat hold lifetime in seconds"));
	assert_non_null(strstr(buf, "default: 600"));
	assert_non_null(strstr(buf, "default: 127.0.0.1:8080"));
}

static void test_config_release_twice_is_safe(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(load(f, NULL), 0);
	config_release(&f->c);
	config_release(&f->c);
	assert_null(f->c.listen);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	    T(test_config_defaults),
	    T(test_config_workers_zero_means_cores),
	    T(test_config_precedence_default_file_env_flag),
	    T(test_config_flag_forms),
	    T(test_config_flag_config_file),
	    T(test_config_file_quotes_and_equals_in_value),
	    T(test_config_file_unknown_key_names_line),
	    T(test_config_file_line_without_equals),
	    T(test_config_file_missing),
	    T(test_config_file_value_error_names_file_and_line),
	    T(test_config_int_not_a_number),
	    T(test_config_int_out_of_range),
	    T(test_config_bool_only_0_or_1),
	    T(test_config_listen_host_port),
	    T(test_config_db_url_scheme),
	    T(test_config_redis_url_scheme),
	    T(test_config_jwt_secret_required),
	    T(test_config_pay_secret_required),
	    T(test_config_secret_too_short_is_not_echoed),
	    T(test_config_migrate_needs_no_secrets),
	    T(test_config_currency_three_upper_letters),
	    T(test_config_log_level_names),
	    T(test_config_bootstrap_admin_format),
	    T(test_config_node_id_range),
	    T(test_config_other_urls),
	    T(test_config_unknown_flag),
	    T(test_config_flag_needs_value),
	    T(test_config_help_and_version_return_1),
	    T(test_config_help_lists_every_setting),
	    T(test_config_release_twice_is_safe),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
