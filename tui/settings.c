/* settings.c: defaults < file < environment < flags. */
#include "settings.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct key {
	const char *name;
	const char *env;
	size_t off;
	size_t size;
};

#define FIELD(n) offsetof(struct settings, n), sizeof(((struct settings *)0)->n)
static const struct key keys[] = {
    {"url", "BOXOFFICE_URL", FIELD(url)},
    {"printer", "BOXOFFICE_PRINTER", FIELD(printer)},
    {"lang", "BOXOFFICE_LANG", FIELD(lang)},
    {"ticket-dir", "BOXOFFICE_TICKET_DIR", FIELD(ticket_dir)},
    {"log", "BOXOFFICE_LOG", FIELD(log)},
    {"mobile", "BOXOFFICE_MOBILE", FIELD(mobile)},
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const struct key *find(const char *name, size_t len)
{
	for (size_t i = 0; i < NKEYS; i++) {
		const char *n = keys[i].name;
		if (strlen(n) == len && !strncmp(n, name, len))
			return &keys[i];
		/* ticket_dir in a file reads as well as ticket-dir */
		if (strlen(n) == len && !strncmp(name, "ticket_dir", len) &&
		    !strcmp(n, "ticket-dir"))
			return &keys[i];
	}
	return NULL;
}

static int set(struct settings *s, const struct key *k, const char *v, char *err, size_t errlen)
{
	char *dst = (char *)s + k->off;
	size_t n = strlen(v);

	if (n >= k->size) {
		snprintf(err, errlen, "setting '%s' is too long", k->name);
		return -1;
	}
	memcpy(dst, v, n + 1);
	if (!strcmp(k->name, "url"))
		while (n > 0 && dst[n - 1] == '/')
			dst[--n] = '\0';
	return 0;
}

static char *trim(char *p)
{
	char *e;

	while (*p == ' ' || *p == '\t')
		p++;
	e = p + strlen(p);
	while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
		*--e = '\0';
	return p;
}

static int load_file(struct settings *s, const char *path, int must, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char line[512];
	int lineno = 0, rc = -1;

	if (!f) {
		if (!must)
			return 0;
		snprintf(err, errlen, "cannot open config '%s'", path);
		return -1;
	}
	snprintf(s->config, sizeof(s->config), "%s", path);
	while (fgets(line, sizeof(line), f)) {
		char *p = trim(line), *eq, *name, *val;
		const struct key *k;

		lineno++;
		if (!*p || *p == '#')
			continue;
		if (!(eq = strchr(p, '='))) {
			snprintf(err, errlen, "config '%s' line %d: expected name = value", path,
			         lineno);
			goto out;
		}
		*eq = '\0';
		name = trim(p);
		val = trim(eq + 1);
		if (!(k = find(name, strlen(name)))) {
			snprintf(err, errlen, "config '%s' line %d: unknown setting '%s'", path,
			         lineno, name);
			goto out;
		}
		if (set(s, k, val, err, errlen) < 0)
			goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

int settings_load(struct settings *s, int argc, char **argv, char *err, size_t errlen)
{
	const char *cfg = NULL, *home;
	char path[300];

	memset(s, 0, sizeof(*s));
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:8080");
	snprintf(s->ticket_dir, sizeof(s->ticket_dir), ".");
	err[0] = '\0';

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			snprintf(err, errlen,
			         "usage: boxoffice [--config FILE] [--url URL] [--printer NAME] "
			         "[--lang en|zh] [--ticket-dir DIR] [--log FILE] [--mobile N]\n");
			return 1;
		}
		if (!strcmp(argv[i], "--version")) {
			snprintf(err, errlen, "boxoffice %s\n", BOXOFFICE_VERSION);
			return 1;
		}
		if (!strncmp(argv[i], "--config", 8)) {
			if (argv[i][8] == '=')
				cfg = argv[i] + 9;
			else if (argv[i][8] == '\0' && i + 1 < argc)
				cfg = argv[++i];
		}
	}
	if (!cfg || !*cfg)
		cfg = getenv("BOXOFFICE_CONFIG");
	if (cfg && *cfg) {
		if (load_file(s, cfg, 1, err, errlen) < 0)
			return -1;
	} else if ((home = getenv("HOME")) && *home) {
		snprintf(path, sizeof(path), "%s/.config/boxoffice/client.conf", home);
		if (load_file(s, path, 0, err, errlen) < 0)
			return -1;
	}
	for (size_t i = 0; i < NKEYS; i++) {
		const char *v = getenv(keys[i].env);
		if (v && set(s, &keys[i], v, err, errlen) < 0)
			return -1;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq, *val;
		const struct key *k;
		size_t len;

		if (strncmp(a, "--", 2)) {
			snprintf(err, errlen, "unexpected argument '%s' (try --help)", a);
			return -1;
		}
		a += 2;
		eq = strchr(a, '=');
		len = eq ? (size_t)(eq - a) : strlen(a);
		if (len == 6 && !strncmp(a, "config", 6)) {
			if (!eq)
				i++;
			continue;
		}
		if (!(k = find(a, len))) {
			snprintf(err, errlen, "unknown flag '%s' (try --help)", argv[i]);
			return -1;
		}
		if (eq) {
			val = eq + 1;
		} else if (i + 1 < argc) {
			val = argv[++i];
		} else {
			snprintf(err, errlen, "flag '--%s' needs a value", k->name);
			return -1;
		}
		if (set(s, k, val, err, errlen) < 0)
			return -1;
	}
	return 0;
}
