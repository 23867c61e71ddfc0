#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static const char *log_ident = "xlat464";
static enum log_level log_level = LOG_LEVEL_INFO;

#define LOG_RATELIMIT_PER_SEC 5

void log_set_ident(const char *ident) { log_ident = ident; }
void log_set_level(enum log_level level) { log_level = level; }
bool log_enabled(enum log_level level) { return level <= log_level; }

static void log_vemit(const char *tag, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void log_vemit(const char *tag, const char *fmt, va_list ap)
{
	char line[1024];
	int n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	/* One fprintf per line, so concurrent writers do not interleave within a line. */
	fprintf(stderr, "%s: %s%s\n", log_ident, tag, line);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vemit("", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	if (!log_enabled(LOG_LEVEL_INFO))
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vemit("", fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	if (!log_enabled(LOG_LEVEL_DEBUG))
		return;
	va_list ap;
	va_start(ap, fmt);
	log_vemit("debug: ", fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	log_vemit("", fmt, ap);
	va_end(ap);
	exit(1);
}

bool log_ratelimit_ok(struct log_ratelimit *rl)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	if (ts.tv_sec != rl->window) {
		rl->window = ts.tv_sec;
		rl->n = 0;
	}
	return rl->n++ < LOG_RATELIMIT_PER_SEC;
}
