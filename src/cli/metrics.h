/* `xlat464 metrics`: every daemon's counters and gauges in the Prometheus text format, printed (for
 * node_exporter's textfile collector) or served over HTTP (docs/metrics.md). */
#ifndef XLAT464_CLI_METRICS_H
#define XLAT464_CLI_METRICS_H

#include <stddef.h>

#define METRICS_CONTROL_MAX 64

/* `xlat464 metrics [--control PATH]... [--listen [ADDR:]PORT] [--timeout MS]`. The timeout's default
 * (CTL_TIMEOUT_MS, 1 s) is well under Prometheus' scrape timeout (10 s by default), so that a wedged
 * daemon costs a scrape this much and no more. */
int metrics_main(int argc, char **argv);

/* The exposition of the daemons at paths (n of them; with n 0, every socket in SYS_CTL_DIR), read
 * now, all at once, each given timeout_ms: a string the caller frees, its length in *len. NULL when
 * memory ran out. A socket that does not answer in time, or answers with a message of another build,
 * is xlat464_up 0 and warned about (once, until it answers again); one that did not answer in time
 * is xlat464_scrape_timed_out 1 as well. */
char *metrics_collect(const char (*paths)[256], unsigned n, unsigned timeout_ms, size_t *len);

/* Serves metrics_collect on GET /metrics at listen ([ADDR:]PORT, [IPv6]:PORT; ADDR 127.0.0.1 when
 * left out) until SIGTERM or SIGINT (src/cli/metrics_http.c). Returns the exit status. */
int metrics_serve(const char *listen, const char (*paths)[256], unsigned n, unsigned timeout_ms);

#endif
