#include "core/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto_json.h"

struct config cfg;

enum setting_type { SETTING_STR, SETTING_INT, SETTING_BOOL };

struct setting {
	const char *name;
	enum setting_type type;
	const char *def;
	long min, max;
	const char *help;
	size_t off; /* of the field in struct config */
};

static const struct setting settings[] = {
#define SETTING_ROW(name, type, def, min, max, help) \
	{#name, SETTING_##type, def, min, max, help, offsetof(struct config, name)},
    CONFIG_SETTINGS(SETTING_ROW)
#undef SETTING_ROW
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))
#define SECRET_MIN_LEN 32
#define LINE_MAX_LEN 4096

enum source_kind { SRC_DEFAULT, SRC_FILE, SRC_ENV, SRC_FLAG };

struct source {
	enum source_kind kind;
	int line; /* SRC_FILE */
};

/* Raw values of one load, converted and validated at the end so that only
 * the value that wins is judged, and its message names where it came from. */
struct load {
	char *val[NSETTINGS];
	struct source src[NSETTINGS];
	char *file;
	char *err;
	size_t errlen;
};

static void fail(struct load *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct load *l, const char *fmt, ...)
{
	va_list ap;

	if (!l->err || !l->errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(l->err, l->errlen, fmt, ap);
	va_end(ap);
}

static void env_name(const struct setting *s, char *out, size_t outlen)
{
	size_t i, n;

	n = (size_t)snprintf(out, outlen, "BOXOFFICE_%s", s->name);
	for (i = 0; i < n && i < outlen; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
}

static const struct setting *find_setting(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		if (strlen(settings[i].name) == len && !strncmp(settings[i].name, name, len))
			return &settings[i];
	}
	return NULL;
}

/* Flags may spell '_' as '-' (--hold-ttl); the table and --help use '_'. */
static const struct setting *find_flag(const char *name, size_t len)
{
	char buf[64];
	size_t i;

	if (len >= sizeof(buf))
		return NULL;
	for (i = 0; i < len; i++)
		buf[i] = name[i] == '-' ? '_' : name[i];
	return find_setting(buf, len);
}

static int set_value(struct load *l, const struct setting *s, const char *v, size_t len,
                     enum source_kind kind, int line)
{
	size_t i = (size_t)(s - settings);
	char *copy = strndup(v, len);

	if (!copy) {
		fail(l, "cannot load settings: out of memory");
		return -1;
	}
	free(l->val[i]);
	l->val[i] = copy;
	l->src[i].kind = kind;
	l->src[i].line = line;
	return 0;
}

static void describe_source(const struct load *l, size_t i, char *out, size_t outlen)
{
	char env[64];

	switch (l->src[i].kind) {
	case SRC_DEFAULT:
		snprintf(out, outlen, "default");
		break;
	case SRC_FILE:
		snprintf(out, outlen, "config file '%s' line %d", l->file ? l->file : "",
		         l->src[i].line);
		break;
	case SRC_ENV:
		env_name(&settings[i], env, sizeof(env));
		snprintf(out, outlen, "environment %s", env);
		break;
	case SRC_FLAG:
		snprintf(out, outlen, "flag --%s", settings[i].name);
		break;
	}
}

static char *trim(char *s)
{
	char *end;

	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	*end = '\0';
	return s;
}

static int read_file(struct load *l)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int lineno = 0;
	int rc = -1;

	f = fopen(l->file, "r");
	if (!f) {
		fail(l, "cannot read config file '%s': %s", l->file, strerror(errno));
		return -1;
	}
	while ((n = getline(&line, &cap, f)) >= 0) {
		char *p, *eq, *name, *val;
		size_t vlen;
		const struct setting *s;

		lineno++;
		if (n > LINE_MAX_LEN) {
			fail(l, "config file '%s' line %d: line longer than %d bytes", l->file,
			     lineno, LINE_MAX_LEN);
			goto out;
		}
		if ((size_t)n != strlen(line)) {
			fail(l, "config file '%s' line %d: NUL byte in line", l->file, lineno);
			goto out;
		}
		p = trim(line);
		if (*p == '\0' || *p == '#')
			continue;
		eq = strchr(p, '=');
		if (!eq) {
			fail(l, "config file '%s' line %d: expected 'name = value', got '%s'",
			     l->file, lineno, p);
			goto out;
		}
		*eq = '\0';
		name = trim(p);
		val = trim(eq + 1);
		s = find_setting(name, strlen(name));
		if (!s) {
			fail(l, "config file '%s' line %d: unknown setting '%s'", l->file, lineno,
			     name);
			goto out;
		}
		/* Quotes keep leading/trailing blanks of a value; '#' is not a comment
		 * after a value, since secrets may contain it. */
		vlen = strlen(val);
		if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') && val[vlen - 1] == val[0]) {
			val++;
			vlen -= 2;
		}
		if (set_value(l, s, val, vlen, SRC_FILE, lineno) < 0)
			goto out;
	}
	if (ferror(f)) {
		fail(l, "cannot read config file '%s': %s", l->file, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	return rc;
}

static int read_env(struct load *l)
{
	char env[64];
	const char *v;
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		env_name(&settings[i], env, sizeof(env));
		v = getenv(env);
		if (v && set_value(l, &settings[i], v, strlen(v), SRC_ENV, 0) < 0)
			return -1;
	}
	return 0;
}

static int flag_split(struct load *l, const char *a, const char **name, size_t *nlen,
                      const char **val)
{
	const char *eq;

	if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
		fail(l, "unexpected argument '%s' (see --help)", a);
		return -1;
	}
	*name = a + 2;
	eq = strchr(*name, '=');
	if (eq) {
		*nlen = (size_t)(eq - *name);
		*val = eq + 1;
		return 0;
	}
	*nlen = strlen(*name);
	*val = NULL;
	return 0;
}

static int take_value(struct load *l, int argc, char **argv, int *i, const char *flag,
                      const char **val)
{
	if (*val)
		return 0;
	/* "--listen --workers 4" is a forgotten value, not a listen address. */
	if (*i + 1 >= argc || !strncmp(argv[*i + 1], "--", 2)) {
		fail(l, "flag '%s' needs a value", flag);
		return -1;
	}
	*val = argv[++*i];
	return 0;
}

/*
 * First pass over argv: --help, --version, --migrate, --config and the
 * syntax of every flag. Setting flags are applied by apply_flags after the
 * file and the environment, whatever their position.
 */
enum scan_rc { SCAN_OK = 0, SCAN_DONE = 1, SCAN_ERR = -1 };

static enum scan_rc scan_flags(struct load *l, struct config *c, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *name, *val;
		size_t nlen;

		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			config_usage(stdout, argv[0]);
			return SCAN_DONE;
		}
		if (!strcmp(argv[i], "--version")) {
			printf("boxofficed %s\n", BOXOFFICE_VERSION);
			return SCAN_DONE;
		}
		if (!strcmp(argv[i], "--migrate")) {
			c->migrate_only = 1;
			continue;
		}
		if (flag_split(l, argv[i], &name, &nlen, &val) < 0)
			return SCAN_ERR;
		if (nlen == 6 && !strncmp(name, "config", 6)) {
			if (take_value(l, argc, argv, &i, "--config", &val) < 0)
				return SCAN_ERR;
			free(l->file);
			l->file = strdup(val);
			if (!l->file) {
				fail(l, "cannot load settings: out of memory");
				return SCAN_ERR;
			}
			continue;
		}
		if (!find_flag(name, nlen)) {
			fail(l, "unknown flag '--%.*s' (see --help)", (int)nlen, name);
			return SCAN_ERR;
		}
		if (take_value(l, argc, argv, &i, argv[i], &val) < 0)
			return SCAN_ERR;
	}
	return SCAN_OK;
}

static int apply_flags(struct load *l, int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *name, *val;
		size_t nlen;
		const struct setting *s;

		if (!strcmp(argv[i], "--migrate"))
			continue;
		if (flag_split(l, argv[i], &name, &nlen, &val) < 0)
			return -1;
		if (take_value(l, argc, argv, &i, argv[i], &val) < 0)
			return -1;
		if (nlen == 6 && !strncmp(name, "config", 6))
			continue;
		s = find_flag(name, nlen);
		if (!s) {
			fail(l, "unknown flag '--%.*s' (see --help)", (int)nlen, name);
			return -1;
		}
		if (set_value(l, s, val, strlen(val), SRC_FLAG, 0) < 0)
			return -1;
	}
	return 0;
}

/* Settings whose value must never be echoed into a message or a log. */
static int is_secret(const struct setting *s)
{
	return !strcmp(s->name, "jwt_secret") || !strcmp(s->name, "pay_secret") ||
	       !strcmp(s->name, "bootstrap_admin");
}

/* A value as shown in a message: secrets hidden, a url's password masked. */
static void shown_value(const struct setting *s, const char *v, char *out, size_t outlen)
{
	const char *scheme, *at, *colon, *slash;

	if (is_secret(s)) {
		snprintf(out, outlen, "(hidden)");
		return;
	}
	scheme = strstr(v, "://");
	if (scheme) {
		slash = strchr(scheme + 3, '/');
		at = strchr(scheme + 3, '@');
		if (at && (!slash || at < slash)) {
			colon = memchr(scheme + 3, ':', (size_t)(at - (scheme + 3)));
			if (colon) {
				snprintf(out, outlen, "%.*s:***%s", (int)(colon - v), v, at);
				return;
			}
		}
	}
	snprintf(out, outlen, "%s", v);
}

static int invalid(struct load *l, size_t i, const char *expected)
{
	char from[PATH_MAX + 64];
	char shown[256];

	describe_source(l, i, from, sizeof(from));
	shown_value(&settings[i], l->val[i], shown, sizeof(shown));
	fail(l, "invalid setting '%s' = '%s' (from %s): %s", settings[i].name, shown, from,
	     expected);
	return -1;
}

static int parse_long(const char *v, long *out)
{
	char *end;
	long n;

	if (!(isdigit((unsigned char)v[0]) || (v[0] == '-' && isdigit((unsigned char)v[1]))))
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end != '\0')
		return -1;
	*out = n;
	return 0;
}

static int has_prefix(const char *v, const char *prefix)
{
	return !strncmp(v, prefix, strlen(prefix));
}

static int check_listen(const char *v)
{
	const char *colon = strrchr(v, ':');
	long port;

	if (!colon || colon == v)
		return -1;
	if (parse_long(colon + 1, &port) < 0 || port < 1 || port > 65535)
		return -1;
	return 0;
}

static int check_bootstrap_admin(struct load *l, size_t i)
{
	const char *v = l->val[i];
	const char *colon = strchr(v, ':');
	char msg[128];
	size_t plen;

	if (*v == '\0')
		return 0;
	if (!colon || colon == v)
		return invalid(l, i, "expected 'mobile:password'");
	plen = strlen(colon + 1);
	if ((size_t)(colon - v) > PROTO_LEN_MOBILE)
		snprintf(msg, sizeof(msg), "the mobile must have at most %d characters",
		         PROTO_LEN_MOBILE);
	else if (plen < PROTO_LEN_PASSWORD_MIN)
		snprintf(msg, sizeof(msg), "the password must have at least %d characters",
		         PROTO_LEN_PASSWORD_MIN);
	else if (plen > PROTO_LEN_PASSWORD_MAX)
		snprintf(msg, sizeof(msg), "the password must have at most %d characters",
		         PROTO_LEN_PASSWORD_MAX);
	else
		return 0;
	return invalid(l, i, msg);
}

static int check_secret(struct load *l, size_t i, int migrate_only)
{
	char env[64];
	char msg[128];

	/* --migrate only talks to the database: no token is signed. */
	if (migrate_only)
		return 0;
	if (l->val[i][0] == '\0') {
		env_name(&settings[i], env, sizeof(env));
		fail(l,
		     "missing setting '%s' (environment %s, flag --%s or the config file): "
		     "required: at least %d bytes",
		     settings[i].name, env, settings[i].name, SECRET_MIN_LEN);
		return -1;
	}
	if (strlen(l->val[i]) < SECRET_MIN_LEN) {
		snprintf(msg, sizeof(msg), "expected at least %d bytes, got %zu", SECRET_MIN_LEN,
		         strlen(l->val[i]));
		return invalid(l, i, msg);
	}
	return 0;
}

static int check_topic_prefix(const char *v)
{
	for (; *v; v++) {
		if (!isalnum((unsigned char)*v) && *v != '.' && *v != '_' && *v != '-')
			return -1;
	}
	return 0;
}

/* Checks of single STR settings beyond the table. */
static int check_str(struct load *l, size_t i, int migrate_only)
{
	const char *name = settings[i].name;
	const char *v = l->val[i];

	if (!strcmp(name, "listen")) {
		if (check_listen(v) < 0)
			return invalid(l, i, "expected host:port with a port from 1 to 65535");
	} else if (!strcmp(name, "db_url")) {
		if (!has_prefix(v, "mysql://"))
			return invalid(l, i, "expected a url starting with mysql://");
	} else if (!strcmp(name, "redis_url")) {
		if (!has_prefix(v, "redis://"))
			return invalid(l, i, "expected a url starting with redis://");
	} else if (!strcmp(name, "kafka_topic_prefix")) {
		if (check_topic_prefix(v) < 0)
			return invalid(l, i, "expected letters, digits, '.', '_' or '-'");
	} else if (!strcmp(name, "jwt_secret") || !strcmp(name, "pay_secret")) {
		return check_secret(l, i, migrate_only);
	} else if (!strcmp(name, "smtp_url")) {
		if (*v && !has_prefix(v, "smtp://") && !has_prefix(v, "smtps://"))
			return invalid(l, i,
			               "expected empty or a url starting with smtp:// or smtps://");
	} else if (!strcmp(name, "sms_url")) {
		if (*v && !has_prefix(v, "http://") && !has_prefix(v, "https://"))
			return invalid(l, i,
			               "expected empty or a url starting with http:// or https://");
	} else if (!strcmp(name, "paysim_url")) {
		if (!has_prefix(v, "http://") && !has_prefix(v, "https://"))
			return invalid(l, i, "expected a url starting with http:// or https://");
	} else if (!strcmp(name, "currency")) {
		if (strlen(v) != 3 || !isupper((unsigned char)v[0]) ||
		    !isupper((unsigned char)v[1]) || !isupper((unsigned char)v[2]))
			return invalid(l, i, "expected 3 upper-case letters (ISO 4217)");
	} else if (!strcmp(name, "log_level")) {
		if (strcmp(v, "error") && strcmp(v, "warn") && strcmp(v, "info") &&
		    strcmp(v, "debug"))
			return invalid(l, i, "expected one of error, warn, info, debug");
	} else if (!strcmp(name, "log_format")) {
		if (strcmp(v, "json") && strcmp(v, "text"))
			return invalid(l, i, "expected json or text");
	} else if (!strcmp(name, "otlp_endpoint")) {
		if (*v && !has_prefix(v, "http://") && !has_prefix(v, "https://"))
			return invalid(l, i,
			               "expected empty or a url starting with http:// or https://");
	} else if (!strcmp(name, "bootstrap_admin")) {
		return check_bootstrap_admin(l, i);
	} else if (!strcmp(name, "web_root")) {
		if (*v == '\0')
			return invalid(l, i, "expected a folder");
	}
	return 0;
}

/* Convert and validate every value into c; STR values move into c. */
static int convert(struct load *l, struct config *c)
{
	char msg[128];
	size_t i;
	long n;

	for (i = 0; i < NSETTINGS; i++) {
		const struct setting *s = &settings[i];
		char *field = (char *)c + s->off;

		switch (s->type) {
		case SETTING_STR:
			if (check_str(l, i, c->migrate_only) < 0)
				return -1;
			*(char **)(void *)field = l->val[i];
			l->val[i] = NULL;
			break;
		case SETTING_INT:
			if (parse_long(l->val[i], &n) < 0 || n < s->min || n > s->max) {
				snprintf(msg, sizeof(msg), "expected an integer from %ld to %ld",
				         s->min, s->max);
				return invalid(l, i, msg);
			}
			*(long *)(void *)field = n;
			break;
		case SETTING_BOOL:
			if (strcmp(l->val[i], "0") && strcmp(l->val[i], "1"))
				return invalid(l, i, "expected 0 or 1");
			*(long *)(void *)field = l->val[i][0] == '1';
			break;
		}
	}
	if (c->workers == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		const struct setting *w = find_setting("workers", strlen("workers"));

		c->workers = cores < 1 ? 1 : cores;
		if (c->workers > w->max)
			c->workers = w->max;
	}
	return 0;
}

int config_load(struct config *c, int argc, char **argv, char *err, size_t errlen)
{
	struct load l;
	const char *env_file;
	enum scan_rc sc;
	size_t i;
	int rc = -1;

	memset(c, 0, sizeof(*c));
	memset(&l, 0, sizeof(l));
	l.err = err;
	l.errlen = errlen;
	if (err && errlen)
		err[0] = '\0';

	sc = scan_flags(&l, c, argc, argv);
	if (sc == SCAN_DONE) {
		rc = 1;
		goto out;
	}
	if (sc == SCAN_ERR)
		goto out;

	for (i = 0; i < NSETTINGS; i++) {
		if (set_value(&l, &settings[i], settings[i].def, strlen(settings[i].def),
		              SRC_DEFAULT, 0) < 0)
			goto out;
	}
	env_file = getenv("BOXOFFICE_CONFIG");
	if (!l.file && env_file && *env_file) {
		l.file = strdup(env_file);
		if (!l.file) {
			fail(&l, "cannot load settings: out of memory");
			goto out;
		}
	}
	if (l.file && read_file(&l) < 0)
		goto out;
	if (read_env(&l) < 0)
		goto out;
	if (apply_flags(&l, argc, argv) < 0)
		goto out;
	if (convert(&l, c) < 0)
		goto out;
	c->config_file = l.file;
	l.file = NULL;
	rc = 0;
out:
	for (i = 0; i < NSETTINGS; i++)
		free(l.val[i]);
	free(l.file);
	if (rc != 0) {
		int migrate = c->migrate_only;

		config_release(c);
		c->migrate_only = migrate;
	}
	return rc;
}

void config_release(struct config *c)
{
	size_t i;

	for (i = 0; i < NSETTINGS; i++) {
		if (settings[i].type == SETTING_STR) {
			char **field = (char **)(void *)((char *)c + settings[i].off);

			free(*field);
			*field = NULL;
		}
	}
	free(c->config_file);
	c->config_file = NULL;
}

void config_usage(FILE *f, const char *argv0)
{
	static const char *const metavar[] = {"TEXT", "N", "0|1"};
	char env[64];
	char flag[80];
	size_t i;

	fprintf(f,
	        "usage: %s [--config FILE] [--migrate] [--SETTING VALUE | --SETTING=VALUE]...\n"
	        "\n"
	        "Settings come from: default < config file < environment < flag.\n"
	        "\n"
	        "  --config FILE       (BOXOFFICE_CONFIG) config file of 'name = value' lines\n"
	        "  --migrate           apply the database migrations and exit\n"
	        "  --help, -h          print this help and exit\n"
	        "  --version           print the version and exit\n"
	        "\n"
	        "Settings:\n",
	        argv0 && *argv0 ? argv0 : "boxofficed");
	for (i = 0; i < NSETTINGS; i++) {
		const struct setting *s = &settings[i];

		env_name(s, env, sizeof(env));
		snprintf(flag, sizeof(flag), "--%s %s", s->name, metavar[s->type]);
		fprintf(f, "  %-30s %-34s default: %s\n      %s\n", flag, env,
		        *s->def ? s->def : "(empty)", s->help);
	}
}
