#include "fastpath.h"

#include <stdio.h>
#include <string.h>

#include "sys/log.h"

static void give_up(struct clat_fast *f, const char *what, const char *err)
{
	snprintf(f->why, sizeof(f->why), "%.40s: %.150s", what, err);
	log_warn("kernel fast path: %s; the CLAT runs on its TUN alone", f->why);
	sys_clat_offload_close(f->off);
	f->off = NULL;
	f->uplink_ifindex = f->tun_ifindex = 0;
}

void clat_fast_open(struct clat_fast *f, bool wanted)
{
	char err[160];
	memset(f, 0, sizeof(*f));
	f->wanted = wanted;
	if (!wanted) {
		snprintf(f->why, sizeof(f->why), "off (fast-path no)");
		return;
	}
	f->off = sys_clat_offload_load(err, sizeof(err));
	if (!f->off) {
		snprintf(f->why, sizeof(f->why), "%s", err);
		log_warn("kernel fast path: %s; the CLAT runs on its TUN alone", err);
		return;
	}
	log_info("kernel fast path: loaded");
}

void clat_fast_uplink(struct clat_fast *f, const struct clat_uplink *u)
{
	char err[160];
	if (!f->off || f->uplink_ifindex == u->ifindex)
		return;
	if (sys_clat_offload_attach_uplink(f->off, u->ifindex, u->eth_header, err, sizeof(err)) < 0) {
		char what[64];
		snprintf(what, sizeof(what), "uplink %s", u->name);
		give_up(f, what, err);
		return;
	}
	f->uplink_ifindex = u->ifindex;
	log_info("kernel fast path: on %s (%s, %s)", u->name, clat_link_kind_name(u->kind),
		 u->eth_header ? "Ethernet header" : "no link-layer header");
}

void clat_fast_tun(struct clat_fast *f, int tun_ifindex)
{
	char err[160];
	if (!f->off)
		return;
	if (!tun_ifindex) {
		sys_clat_offload_detach_tun(f->off);
		f->tun_ifindex = 0;
		return;
	}
	if (sys_clat_offload_attach_tun(f->off, tun_ifindex, err, sizeof(err)) < 0) {
		give_up(f, "the TUN", err);
		return;
	}
	f->tun_ifindex = tun_ifindex;
}

void clat_fast_update(struct clat_fast *f, const struct sys_clat_offload_cfg *c)
{
	if (!f->off || (f->have_cfg && memcmp(&f->cfg, c, sizeof(*c)) == 0))
		return;
	if (sys_clat_offload_set(f->off, c) < 0) {
		log_warn("kernel fast path: updating its configuration failed; disabling it");
		give_up(f, "configuration", "the map refused an update");
		return;
	}
	f->cfg = *c;
	f->have_cfg = true;
}

bool clat_fast_active(const struct clat_fast *f) { return f->off && f->have_cfg && f->cfg.enabled; }

void clat_fast_counters(struct clat_fast *f, struct sys_clat_offload_counters *c)
{
	if (f->off)
		sys_clat_offload_counters(f->off, c);
	else
		memset(c, 0, sizeof(*c));
}

void clat_fast_close(struct clat_fast *f)
{
	sys_clat_offload_close(f->off);
	f->off = NULL;
	f->uplink_ifindex = f->tun_ifindex = 0;
}
