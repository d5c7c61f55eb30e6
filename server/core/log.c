/* log.c: see log.h. One fprintf per line keeps lines whole across threads. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static volatile enum log_level level = LOG_INFO;

void log_set_level(enum log_level lvl)
{
	level = lvl;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warn", "info", "debug"};
	char line[1024];
	char stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (lvl > level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s.%03ldZ %s %s\n", stamp, ts.tv_nsec / 1000000, names[lvl], line);
}
