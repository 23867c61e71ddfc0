/* The one logging API: printf-checked, to stderr (journald collects it when run in the foreground).
 * Never log per packet above debug level; log_debug_ratelimited() exists for the data path. */
#ifndef XLAT464_SYS_LOG_H
#define XLAT464_SYS_LOG_H

#include <stdbool.h>

enum log_level { LOG_LEVEL_WARN, LOG_LEVEL_INFO, LOG_LEVEL_DEBUG };

/* Every line starts with "ident: " (for example "xlat464 siit"). */
void log_set_ident(const char *ident);
void log_set_level(enum log_level level);
bool log_enabled(enum log_level level);

void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Logs and exits with status 1. */
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* At most a handful of lines per second per call site: pass a static counter owned by the caller. */
struct log_ratelimit {
	long window; /* second of the current window */
	unsigned n;
};
bool log_ratelimit_ok(struct log_ratelimit *rl);

#endif
