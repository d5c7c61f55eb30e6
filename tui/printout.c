/* printout.c: ticket text, lp or a file. */
#include "printout.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "app.h"
#include "qr.h"

static char printer[128];
static char folder[256] = ".";

void printout_config(const char *p, const char *dir)
{
	snprintf(printer, sizeof(printer), "%s", p ? p : "");
	snprintf(folder, sizeof(folder), "%s", dir && *dir ? dir : ".");
}

static const char *s_of(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	return cJSON_IsString(v) ? v->valuestring : "";
}

int printout_text(const struct app *a, const cJSON *it, char *out, size_t outlen)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(it, "price");
	char when[32] = "", money[32], qr[8192];
	time_t t = (time_t)a->map.start_at;
	struct tm tm;
	int n;

	if (t) {
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	}
	app_money(cJSON_IsNumber(p) ? (int64_t)p->valuedouble : 0, money, sizeof(money));
	if (qr_halfblock(s_of(it, "ticketCode"), 0, qr, sizeof(qr), NULL) < 0)
		qr[0] = '\0';
	n = snprintf(out, outlen, "%s\n%s\n%s  %s\n%s %s  %s\n%s %s\n%s %s\n%s %lld\n\n%s\n",
	             tr(S_APP_NAME), a->map.film, when, a->map.hall, tr(S_SEAT), s_of(it, "seat"),
	             tr_ticket_type(s_of(it, "ticketType")), tr(S_PRICE), money, tr(S_TICKET_CODE),
	             s_of(it, "ticketCode"), tr(S_COL_ORDER), (long long)a->order.id, qr);
	return n < 0 || (size_t)n >= outlen ? -1 : n;
}

int printout_ticket(const struct app *a, const cJSON *it, char *where, size_t wlen, char *err,
                    size_t errlen)
{
	char text[12288], cmd[300];
	FILE *f;
	int st;

	if (printout_text(a, it, text, sizeof(text)) < 0) {
		snprintf(err, errlen, "ticket text too long");
		return -1;
	}
	if (printer[0]) {
		/* the printer name comes from our own settings, quoted all the same */
		if (strchr(printer, '\'')) {
			snprintf(err, errlen, "bad printer name");
			return -1;
		}
		snprintf(cmd, sizeof(cmd), "lp -s -d '%s' >/dev/null 2>&1", printer);
		if (!(f = popen(cmd, "w"))) {
			snprintf(err, errlen, "cannot run lp: %s", strerror(errno));
			return -1;
		}
		fputs(text, f);
		st = pclose(f);
		if (st != 0) {
			snprintf(err, errlen, "lp exited with %d",
			         WIFEXITED(st) ? WEXITSTATUS(st) : st);
			return -1;
		}
		snprintf(where, wlen, "@%s", printer);
		return 0;
	}
	snprintf(where, wlen, "%s/ticket-%s.txt", folder, s_of(it, "ticketCode"));
	if (!(f = fopen(where, "w"))) {
		snprintf(err, errlen, "cannot write '%s': %s", where, strerror(errno));
		return -1;
	}
	fputs(text, f);
	if (fclose(f) != 0) {
		snprintf(err, errlen, "cannot write '%s': %s", where, strerror(errno));
		return -1;
	}
	return 0;
}
