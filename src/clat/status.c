/* `xlat464 status --json` for a CLAT: the "clat" object from the typed fields of its message. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../common/json.h"
#include "clat_ctl.h"
#include "sys/clat_offload.h"

/* The daemon fills the strings, but the client trusts nothing it reads: cut each at its size. */
static void member_str(const char *name, const char *s, size_t cap, bool first)
{
	char b[256];
	size_t n = cap < sizeof(b) ? cap : sizeof(b);
	memcpy(b, s, n);
	b[n - 1] = '\0';
	printf("%s\n    \"%s\": ", first ? "" : ",", name);
	json_str(b);
}
#define STR(name, field, first) member_str(name, c->field, sizeof(c->field), first)

static void member_u(const char *name, uint64_t v) { printf(",\n    \"%s\": %" PRIu64, name, v); }
static void member_bool(const char *name, bool v) { printf(",\n    \"%s\": %s", name, v ? "true" : "false"); }
/* -1 (none) is JSON null. */
static void member_opt(const char *name, int64_t v)
{
	if (v < 0)
		printf(",\n    \"%s\": null", name);
	else
		printf(",\n    \"%s\": %" PRId64, name, v);
}

void clat_status_json(const struct clat_status_info *c)
{
	STR("state", state, true);
	STR("why", why, false);
	STR("uplink", uplink, false);
	STR("uplink_kind", uplink_kind, false);
	member_bool("uplink_neighbour_discovery", c->uplink_nd);
	member_bool("uplink_up", c->uplink_up);
	member_u("uplink_changes", c->uplink_changes);
	member_u("uplink_ifindex", (uint64_t)(c->uplink_ifindex > 0 ? c->uplink_ifindex : 0));
	member_u("uplink_mtu", c->uplink_mtu);
	member_bool("native_ipv4", c->native_ipv4);
	member_bool("ipv6_default_route", c->ipv6_default);
	member_bool("force", c->force);
	if (c->pref64[0]) {
		STR("pref64", pref64, false);
		STR("pref64_source", pref64_source, false);
	} else {
		printf(",\n    \"pref64\": null,\n    \"pref64_source\": null");
	}
	member_opt("pref64_lifetime_seconds", c->pref64_lifetime_s);
	member_opt("pref64_expires_in_seconds", c->pref64_expires_in_s);
	member_bool("dns64_enabled", c->dns64_enabled);
	member_opt("dns64_next_query_in_seconds", c->dns64_next_query_in_s);
	member_u("dns64_queries", c->dns64_queries);
	member_u("dns64_answers", c->dns64_answers);
	member_u("dns64_failures", c->dns64_failures);
	STR("address_mode", address_mode, false);
	STR("clat_ipv6", clat_ipv6, false);
	STR("clat_ipv4", clat_ipv4, false);
	STR("tun", tun, false);
	member_u("tun_mtu", c->tun_mtu);
	member_bool("tun_present", c->tun_present);
	member_bool("route_present", c->route_present);
	printf(",\n    \"tether\": [");
	unsigned n = c->ntether < CLAT_TETHER_MAX ? c->ntether : CLAT_TETHER_MAX;
	for (unsigned i = 0; i < n; i++) {
		char b[sizeof(c->tether[i])];
		memcpy(b, c->tether[i], sizeof(b));
		b[sizeof(b) - 1] = '\0';
		printf("%s", i ? ", " : "");
		json_str(b);
	}
	printf("]");
	member_bool("tether_nat44_in_place", c->tether_applied);
	member_u("dad_conflicts", c->dad_conflicts);
	member_u("conflicts_after_dad", c->conflicts_after_dad);
	member_u("ns_answered", c->ns_answered);
	member_u("na_sent", c->na_sent);
	member_u("renumbers", c->renumbers);
	member_u("mtu_changes", c->mtu_changes);
	member_u("reloads", c->reloads);
	member_u("reload_errors", c->reload_errors);
	member_u("shared_left_to_host", c->shared_left_to_host);
	member_u("shared_malformed", c->shared_malformed);
	member_u("checksums_finished", c->checksums_finished);
	member_u("uplink_queue_full", c->uplink_queue_full);
	member_bool("fast_path_active", c->fast_path_active);
	if (c->fast_path_why[0])
		STR("fast_path_not_in_use", fast_path_why, false);
	else
		printf(",\n    \"fast_path_not_in_use\": null");
	printf(",\n    \"fast_path\": {");
	for (unsigned i = 0; i < SYS_CLAT_OFFLOAD_NCOUNTERS && i < CLAT_FAST_COUNTERS_MAX; i++)
		printf("%s\n      \"%s\": %" PRIu64, i ? "," : "", sys_clat_offload_counter_name(i), c->fast_path[i]);
	printf("\n    }");
}
