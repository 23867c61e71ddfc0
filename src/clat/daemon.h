/* The CLAT daemon's state, shared by its two halves: clat.c (the decision, the events, the
 * configuration) and report.c (what the control socket answers). The modules below them (uplink,
 * addr, prefix, dns, datapath, fastpath, nft) do not include it: they are called, they do not call
 * up. */
#ifndef XLAT464_CLAT_DAEMON_H
#define XLAT464_CLAT_DAEMON_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "addr.h"
#include "config.h"
#include "datapath.h"
#include "dns.h"
#include "fastpath.h"
#include "nft.h"
#include "prefix.h"
#include "../common/daemon_frame.h"
#include "sys/loop.h"
#include "sys/netlink.h"
#include "uplink.h"

#define CLAT_CTL_PATH_MAX 108
#define CLAT_STATUS_TEXT_MAX 20480 /* the status lines of an answer on the control socket */
#define CLAT_DEFAULT_TUN "clat"
#define CLAT_PREFIX_WAIT_S 10 /* how long a new uplink may take to get a SLAAC /64 before we say so */
#define CLAT_SHARED_WAIT_S 3  /* ... when it has an address to share already (a DHCPv6 /128) */
#define CLAT_MACHINE_ID "/etc/machine-id"
#define CLAT_RESOLV_CONF "/etc/resolv.conf"
#define CLAT_WHY_MAX 160

#define IP6_HDR_LEN 40
#define IP6_OFF_HLIM 7
#define IP6_OFF_NEXT 6
#define IP6_OFF_SRC 8
#define IP6_OFF_DST 24

enum clat_state {
	CLAT_STATE_INIT,
	CLAT_STATE_DAD,
	CLAT_STATE_WAITING,
	CLAT_STATE_STANDBY,
	CLAT_STATE_RUNNING,
	CLAT_STATE_STOPPING
};
extern const char *const clat_state_name[];

struct clat_opts {
	const char *uplink, *pref64, *tun, *control, *pidfile, *resolv_conf, *config;
	bool force, daemon, debug, no_dns64;
	bool shared;       /* --shared: the shared address mode even when the uplink has a /64 */
	bool fast_path;    /* the kernel fast path (default yes; --no-fast-path, fast-path no) */
	bool check, print_config; /* validate (and print) the effective configuration, touch nothing */
	unsigned workers;  /* threads translating, both ways (the setting workers, default 1) */
	const char *tether[CLAT_TETHER_MAX];
	unsigned ntether;
};

struct clat_counters {
	uint64_t ra_seen, ra_bad, ra_pref64, prefix_changes;
	uint64_t nl_events, standby_count, uplink_changes;
	uint64_t reloads, reload_errors, mtu_changes, renumbers; /* the daemon's life (docs/clat.md) */
};

struct clat {
	struct clat_opts opt; /* effective: pointers into cfg, and the lifecycle options of cli */
	struct clat_opts cli; /* the command line's lifecycle options (--config, --check, ...) */
	struct clat_config cfg; /* the settings: the flags (words) over the config file over the defaults */
	char **words;           /* the settings flags, applied again over the file on a reload */
	int nwords;
	bool list_settings;
	enum clat_state state;
	char why[CLAT_WHY_MAX]; /* why the state is what it is */
	struct sys_nl nl;       /* requests */
	struct sys_nl mon;      /* notifications */
	struct sys_loop loop;
	struct daemon_frame frame; /* signals, control socket, pidfile */
	int timerfd, wakefd; /* wakefd: the address manager's deadlines (DAD) */
	uint8_t key[CLAT_IID_KEY_LEN];
	/* the modules */
	struct clat_uplink up;  /* up.ifindex 0: no uplink chosen */
	struct clat_uplink_addrs ua; /* its addresses, as last read */
	long up_since_ms;       /* when it was chosen (how long SLAAC has had) */
	bool ipv6_said;         /* "IPv6 is here" logged for this wait */
	char waiting_said[CLAT_WHY_MAX];
	bool mode_chosen;       /* dedicated or shared: chosen once, with the first uplink */
	struct clat_addr addr;
	struct clat_prefixes pm;
	int applied;            /* the source whose prefix is the translator's pool6, -1: none */
	struct clat_pfx applied_pfx;
	struct clat_dns dns;
	struct clat_dp dp;
	struct clat_fast fast;
	struct clat_nft nft;    /* tethering and the shared address mode (nft.h); nft.shared: the mode */
	/* what the routing table said at the last event */
	bool native4, default6;
	int native4_oif;
	char ctlpath[CLAT_CTL_PATH_MAX];
	char *status_text; /* CLAT_STATUS_TEXT_MAX bytes: the status lines of an answer */
	time_t started;
	struct clat_counters n;
};

static inline long clat_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static inline int64_t clat_now_s(void) { return clat_now_ms() / 1000; }

static inline const char *clat_ntop6(const uint8_t a[16], char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static inline const char *clat_pfx_str(const struct clat_pfx *p, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	snprintf(buf, cap, "%s/%u", clat_ntop6(p->prefix, a), p->len);
	return buf;
}

/* The control socket's answer (report.c): the status lines and the typed facts. */
void clat_write_status(void *arg, struct json_w *w);

#endif
