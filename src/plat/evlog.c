#include "evlog.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#define EVLOG_BUF (1 << 16)

int plat_evlog_open(struct plat_evlog *l, const char *target)
{
	unsigned sublen = l->subscriber_len;
	uint64_t lines = l->lines, errors = l->errors;
	memset(l, 0, sizeof(*l));
	l->subscriber_len = sublen;
	l->lines = lines;
	l->errors = errors;
	snprintf(l->target, sizeof(l->target), "%s", target);
	if (!target[0])
		return 0;
	if (strcmp(target, "syslog") == 0) {
		openlog("xlat464-plat", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		l->syslog = true;
		return 0;
	}
	l->f = fopen(target, "ae");
	if (!l->f)
		return -1;
	setvbuf(l->f, NULL, _IOFBF, EVLOG_BUF);
	return 0;
}

void plat_evlog_flush(struct plat_evlog *l)
{
	if (l->f && fflush(l->f) != 0)
		l->errors++;
}

void plat_evlog_close(struct plat_evlog *l)
{
	if (l->f) {
		plat_evlog_flush(l);
		fclose(l->f);
		l->f = NULL;
	}
	if (l->syslog) {
		closelog();
		l->syslog = false;
	}
}

static const char *ev_proto_name(enum nat64_proto p)
{
	return p == NAT64_TCP ? "tcp" : p == NAT64_UDP ? "udp" : p == NAT64_ICMP ? "icmp" : "?";
}

static const char *kind_name(enum nat64_event_kind k)
{
	switch (k) {
	case NAT64_EV_BIB_ADD: return "bib-add";
	case NAT64_EV_BIB_DEL: return "bib-del";
	case NAT64_EV_SESSION_ADD: return "session-add";
	case NAT64_EV_SESSION_DEL: return "session-del";
	case NAT64_EV_BLOCK_ADD: return "block-add";
	case NAT64_EV_BLOCK_DEL: return "block-del";
	case NAT64_EV_ADDRS_EXHAUSTED: return "addresses-exhausted";
	case NAT64_EV_PORTS_EXHAUSTED: return "ports-exhausted";
	case NAT64_EV_QUOTA_EXCEEDED: return "quota-exceeded";
	}
	return "?";
}

static const char *quota_name(enum nat64_quota q)
{
	switch (q) {
	case NAT64_QUOTA_SESSIONS: return "max-sessions";
	case NAT64_QUOTA_BIBS: return "max-bindings";
	case NAT64_QUOTA_SESSIONS_PER_SUBSCRIBER: return "max-sessions-per-subscriber";
	case NAT64_QUOTA_PORTS_PER_SUBSCRIBER: return "max-ports-per-subscriber";
	case NAT64_QUOTA_SUBSCRIBERS: return "max-subscribers";
	}
	return "?";
}

size_t plat_evlog_format(char *buf, size_t cap, const struct nat64_event *ev, unsigned subscriber_len)
{
	char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN], r4[INET_ADDRSTRLEN];
	int n;
	inet_ntop(AF_INET6, ev->v6, a6, sizeof(a6));
	inet_ntop(AF_INET, ev->v4, a4, sizeof(a4));
	switch (ev->kind) {
	case NAT64_EV_BLOCK_ADD:
	case NAT64_EV_BLOCK_DEL:
		n = snprintf(buf, cap, "nat64 %s %s/%u %s#%u-%u", kind_name(ev->kind), a6, subscriber_len, a4, ev->port4,
			     ev->port4_last);
		break;
	case NAT64_EV_ADDRS_EXHAUSTED:
		n = snprintf(buf, cap, "nat64 %s", kind_name(ev->kind));
		break;
	case NAT64_EV_PORTS_EXHAUSTED:
		n = snprintf(buf, cap, "nat64 %s %s", kind_name(ev->kind), a4);
		break;
	case NAT64_EV_QUOTA_EXCEEDED:
		if (ev->quota == NAT64_QUOTA_SESSIONS_PER_SUBSCRIBER || ev->quota == NAT64_QUOTA_PORTS_PER_SUBSCRIBER)
			n = snprintf(buf, cap, "nat64 %s %s %u %s/%u", kind_name(ev->kind), quota_name(ev->quota), ev->limit, a6,
				     subscriber_len);
		else
			n = snprintf(buf, cap, "nat64 %s %s %u", kind_name(ev->kind), quota_name(ev->quota), ev->limit);
		break;
	case NAT64_EV_SESSION_ADD:
	case NAT64_EV_SESSION_DEL:
		inet_ntop(AF_INET, ev->remote4, r4, sizeof(r4));
		n = snprintf(buf, cap, "nat64 %s %s %s#%u %s#%u %s#%u%s", kind_name(ev->kind), ev_proto_name(ev->proto), a6,
			     ev->port6, a4, ev->port4, r4, ev->remote_port, ev->is_static ? " static" : "");
		break;
	default:
		n = snprintf(buf, cap, "nat64 %s %s %s#%u %s#%u%s", kind_name(ev->kind), ev_proto_name(ev->proto), a6,
			     ev->port6, a4, ev->port4, ev->is_static ? " static" : "");
		break;
	}
	return n < 0 ? 0 : (size_t)n;
}

size_t plat_evlog_format_lease(char *buf, size_t cap, bool add, const uint8_t v6[16], const uint8_t v4[4])
{
	char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN];
	inet_ntop(AF_INET6, v6, a6, sizeof(a6));
	inet_ntop(AF_INET, v4, a4, sizeof(a4));
	int n = snprintf(buf, cap, "nat64 %s %s %s", add ? "lease-add" : "lease-del", a6, a4);
	return n < 0 ? 0 : (size_t)n;
}

static void emit(struct plat_evlog *l, const char *line)
{
	if (l->syslog) {
		syslog(LOG_INFO, "%s", line);
		l->lines++;
		return;
	}
	if (!l->f)
		return;
	struct timespec ts;
	struct tm tm;
	char when[32];
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	if (fprintf(l->f, "%s.%03ldZ %s\n", when, ts.tv_nsec / 1000000, line) < 0)
		l->errors++;
	else
		l->lines++;
}

void plat_evlog_nat64(void *arg, const struct nat64_event *ev)
{
	struct plat_evlog *l = arg;
	char line[256];
	if (!l->f && !l->syslog)
		return;
	plat_evlog_format(line, sizeof(line), ev, l->subscriber_len);
	emit(l, line);
}

void plat_evlog_lease(void *arg, bool add, const uint8_t v6[16], const uint8_t v4[4], uint64_t time_ms)
{
	struct plat_evlog *l = arg;
	char line[160];
	if (!l->f && !l->syslog)
		return;
	plat_evlog_format_lease(line, sizeof(line), add, v6, v4);
	emit(l, line);
}
