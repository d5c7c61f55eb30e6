/*
 * settings.h: the client's settings. Each setting `name` comes from (later
 * wins) its default, the config file (`name = value` lines; the file is
 * --config, else $BOXOFFICE_CONFIG, else ~/.config/boxoffice/client.conf when
 * it exists), the environment (BOXOFFICE_URL, BOXOFFICE_PRINTER,
 * BOXOFFICE_LANG, BOXOFFICE_TICKET_DIR, BOXOFFICE_LOG, BOXOFFICE_MOBILE) and
 * the flags (--url, --printer, --lang, --ticket-dir, --log, --mobile). The token is never a
 * setting: it lives in memory only. Pure, no curses; call from main only.
 */
#ifndef BOXOFFICE_TUI_SETTINGS_H
#define BOXOFFICE_TUI_SETTINGS_H

#include <stddef.h>

struct settings {
	char url[256];        /* server base URL, no trailing slash */
	char printer[128];    /* lp destination; "" = write a text file */
	char lang[32];        /* "en", "zh" or "" (= LANG) */
	char ticket_dir[256]; /* where unprinted tickets are written */
	char log[256];        /* log file; "" = none */
	char mobile[24];      /* filled into the login form (not a secret) */
	char config[256];     /* the file read, or "" */
};

/*
 * Fill *s from defaults, file, environment and argv (argv[0] skipped).
 * Returns 0; 1 when --help or --version was asked (text in err); -1 with a
 * message in err for an unknown flag, a missing value or a bad file line.
 */
int settings_load(struct settings *s, int argc, char **argv, char *err, size_t errlen);

#endif
