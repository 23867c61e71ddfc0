/* `xlat464 metrics --listen`: GET /metrics over HTTP, with libmicrohttpd (one internal thread; each
 * request reads the daemons afresh), until SIGTERM or SIGINT. It listens on the loopback address
 * unless given another: the counters say what the network carries, and a scrape from elsewhere is
 * the operator's choice (docs/metrics.md). It needs no privilege, so it keeps whatever it is run with. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "listen_addr.h"
#include "metrics.h"
#include "sys/log.h"

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define METRICS_CONN_MAX 16
#define METRICS_CONN_TIMEOUT_SEC 10

struct server {
	const char (*paths)[256];
	unsigned n, timeout_ms;
};

static enum MHD_Result reply_static(struct MHD_Connection *conn, unsigned status, const char *body)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	enum MHD_Result ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			      const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	const struct server *srv = cls;

	if (strcmp(url, "/metrics") != 0)
		return reply_static(conn, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return reply_static(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "method not allowed: GET or HEAD\n");
	size_t len = 0;
	char *text = metrics_collect(srv->paths, srv->n, srv->timeout_ms, &len);
	if (!text)
		return reply_static(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	struct MHD_Response *r = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, METRICS_CONTENT_TYPE);
	enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ret;
}

int metrics_serve(const char *listen, const char (*paths)[256], unsigned n, unsigned timeout_ms)
{
	struct sockaddr_storage ss;
	socklen_t sslen = 0;
	struct server srv = { .paths = paths, .n = n, .timeout_ms = timeout_ms };
	sigset_t set;
	int sig = 0;

	if (listen_addr_parse(listen, &ss, &sslen) < 0) {
		log_warn("--listen %s: want [ADDR:]PORT or [IPV6]:PORT, with a numeric address", listen);
		return 2;
	}
	/* The server's thread inherits this mask, so the signals reach sigwait below. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	char addr[INET6_ADDRSTRLEN], where[INET6_ADDRSTRLEN + 10];
	uint16_t port;
	if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&ss;
		flags |= MHD_USE_IPv6;
		port = ntohs(v6->sin6_port);
		inet_ntop(AF_INET6, &v6->sin6_addr, addr, sizeof(addr));
		snprintf(where, sizeof(where), "[%s]:%u", addr, port);
	} else {
		const struct sockaddr_in *v4 = (const struct sockaddr_in *)&ss;
		port = ntohs(v4->sin_port);
		inet_ntop(AF_INET, &v4->sin_addr, addr, sizeof(addr));
		snprintf(where, sizeof(where), "%s:%u", addr, port);
	}
	/* the port is in the address too; given here as well, it is the one libmicrohttpd's errors name */
	struct MHD_Daemon *d = MHD_start_daemon(flags, port, NULL, NULL, handle, &srv,
						MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
						MHD_OPTION_CONNECTION_LIMIT, (unsigned)METRICS_CONN_MAX,
						MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)METRICS_CONN_TIMEOUT_SEC,
						MHD_OPTION_END);
	if (!d) {
		log_warn("--listen %s: cannot listen on %s (address in use, or not on this host?)", listen, where);
		return 1;
	}
	log_info("serving http://%s/metrics", where);
	while (sigwait(&set, &sig) != 0)
		;
	log_info("signal %d: stopping", sig);
	MHD_stop_daemon(d);
	return 0;
}
