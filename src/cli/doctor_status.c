/* The evidence `xlat464 doctor` reads from text: a daemon's status as JSON (json-c), dhcpcd's log, an
 * echo reply. Pure (no system calls), fuzzed by fuzz/fuzz_doctor.c. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "../common/siit_settings.h"
#include "doctor.h"

#define ICMP4_ECHO_REPLY 0
#define ICMP6_ECHO_REPLY_TYPE 129
#define IPPROTO_ICMP4 1

static struct json_object *member(struct json_object *o, const char *key, enum json_type t)
{
	struct json_object *v = NULL;
	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, t))
		return NULL;
	return v;
}

static void get_str(struct json_object *o, const char *key, char *out, size_t cap)
{
	struct json_object *v = member(o, key, json_type_string);
	if (v)
		snprintf(out, cap, "%s", json_object_get_string(v));
}

static bool get_bool(struct json_object *o, const char *key)
{
	struct json_object *v = member(o, key, json_type_boolean);
	return v && json_object_get_boolean(v);
}

/* An integer member; def when absent, not an integer, or negative. */
static int64_t get_int(struct json_object *o, const char *key, int64_t def)
{
	struct json_object *v = member(o, key, json_type_int);
	if (!v)
		return def;
	int64_t x = json_object_get_int64(v);
	return x < 0 ? def : x;
}

static uint64_t get_u64(struct json_object *o, const char *key)
{
	return (uint64_t)get_int(o, key, 0);
}

/* A NAT64 prefix: one of the lengths of RFC 6052 section 2.2. */
static bool parse_nat64_prefix(const char *s, struct xlat_prefix6 *p)
{
	return siit_parse_prefix6(s, p) && xlat_rfc6052_len_ok(p->len);
}

static void get_prefix6(struct json_object *o, const char *key, bool *has, struct xlat_prefix6 *p)
{
	char s[64] = "";
	get_str(o, key, s, sizeof(s));
	*has = s[0] && parse_nat64_prefix(s, p);
}

/* The drops object: total and the largest counters. */
static void get_drops(struct json_object *o, struct doctor_drops *d)
{
	struct json_object *drops = member(o, "drops", json_type_object);
	memset(d, 0, sizeof(*d));
	if (!drops)
		return;
	json_object_object_foreach(drops, key, val)
	{
		if (!json_object_is_type(val, json_type_int))
			continue;
		int64_t c = json_object_get_int64(val);
		if (c <= 0)
			continue;
		d->total += (uint64_t)c;
		/* insertion into the top list, largest first */
		unsigned i = d->n < DOCTOR_TOP_DROPS ? d->n : DOCTOR_TOP_DROPS;
		while (i > 0 && d->top[i - 1].count < (uint64_t)c) {
			if (i < DOCTOR_TOP_DROPS)
				d->top[i] = d->top[i - 1];
			i--;
		}
		if (i < DOCTOR_TOP_DROPS) {
			snprintf(d->top[i].name, sizeof(d->top[i].name), "%s", key);
			d->top[i].count = (uint64_t)c;
			if (d->n < DOCTOR_TOP_DROPS)
				d->n++;
		}
	}
}

/* The value of the settings line "KEY VALUE..." (the rest of the line after "KEY "), or NULL. */
static const char *setting(struct json_object *o, const char *key)
{
	struct json_object *a = member(o, "settings", json_type_array);
	size_t kl = strlen(key);
	if (!a)
		return NULL;
	for (size_t i = 0; i < json_object_array_length(a); i++) {
		struct json_object *l = json_object_array_get_idx(a, i);
		if (!json_object_is_type(l, json_type_string))
			continue;
		const char *s = json_object_get_string(l);
		if (strncmp(s, key, kl) == 0 && s[kl] == ' ')
			return s + kl + 1;
	}
	return NULL;
}

/* The first word of a setting's value, into out. */
static bool setting_word(struct json_object *o, const char *key, char *out, size_t cap)
{
	const char *v = setting(o, key);
	if (!v || cap == 0)
		return false;
	size_t n = strcspn(v, " ");
	if (n >= cap)
		return false;
	memcpy(out, v, n);
	out[n] = '\0';
	return n > 0;
}

static void read_clat(struct json_object *root, struct doctor_daemon *d)
{
	struct json_object *c = member(root, "clat", json_type_object);
	if (!c)
		return;
	get_str(c, "state", d->state, sizeof(d->state));
	get_str(c, "why", d->why, sizeof(d->why));
	get_str(c, "uplink", d->ifname, sizeof(d->ifname));
	d->uplink_ifindex = (int)get_int(c, "uplink_ifindex", 0);
	d->uplink_up = get_bool(c, "uplink_up");
	d->uplink_mtu = (unsigned)get_int(c, "uplink_mtu", 0);
	d->native_ipv4 = get_bool(c, "native_ipv4");
	d->ipv6_default = get_bool(c, "ipv6_default_route");
	get_prefix6(c, "pref64", &d->has_pref64, &d->pref64);
	get_str(c, "pref64_source", d->pref64_source, sizeof(d->pref64_source));
	d->pref64_lifetime = (long)get_int(c, "pref64_lifetime_seconds", -1);
	d->pref64_expires = (long)get_int(c, "pref64_expires_in_seconds", -1);
	d->dns64_enabled = get_bool(c, "dns64_enabled");
	d->dns64_answers = get_u64(c, "dns64_answers");
	d->dns64_failures = get_u64(c, "dns64_failures");
	get_str(c, "clat_ipv6", d->clat_ipv6, sizeof(d->clat_ipv6));
	get_str(c, "clat_ipv4", d->clat_ipv4, sizeof(d->clat_ipv4));
	get_str(c, "tun", d->tun, sizeof(d->tun));
	d->tun_mtu = (unsigned)get_int(c, "tun_mtu", 0);
	d->tun_present = get_bool(c, "tun_present");
	d->route_present = get_bool(c, "route_present");
	d->dad_conflicts = get_u64(c, "dad_conflicts");
	d->conflicts_after_dad = get_u64(c, "conflicts_after_dad");
}

static void read_plat(struct json_object *root, struct doctor_daemon *d)
{
	char s[64] = "";
	const char *bpf;
	get_str(root, "tun", d->ifname, sizeof(d->ifname));
	get_str(root, "mode", d->mode, sizeof(d->mode));
	get_prefix6(root, "pool6", &d->pool6_known, &d->pool6);
	if (!d->pool6_known && setting_word(root, "pool6", s, sizeof(s)))
		d->pool6_known = parse_nat64_prefix(s, &d->pool6);
	if (setting_word(root, "pool4", s, sizeof(s)))
		d->has_pool4 = siit_parse_prefix4(s, &d->pool4);
	bpf = setting(root, "bpf-offload");
	if (bpf && strcmp(bpf, "none") != 0 && strcmp(bpf, "no") != 0)
		snprintf(d->bpf_ifaces, sizeof(d->bpf_ifaces), "%s", bpf);
}

int doctor_status_parse(const char *text, size_t len, struct doctor_daemon *out, char *err, size_t errcap)
{
	memset(out, 0, sizeof(*out));
	out->pref64_lifetime = out->pref64_expires = -1;
	if (len > INT_MAX) {
		snprintf(err, errcap, "status too long");
		return -1;
	}
	struct json_tokener *tok = json_tokener_new();
	if (!tok) {
		snprintf(err, errcap, "out of memory");
		return -1;
	}
	struct json_object *root = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	json_tokener_free(tok);
	if (!root || e != json_tokener_success) {
		snprintf(err, errcap, "not JSON: %s", json_tokener_error_desc(e));
		json_object_put(root);
		return -1;
	}
	if (!json_object_is_type(root, json_type_object)) {
		snprintf(err, errcap, "not a JSON object");
		json_object_put(root);
		return -1;
	}
	get_str(root, "daemon", out->name, sizeof(out->name));
	out->pid = (long)get_int(root, "pid", 0);
	out->pkts_4to6 = get_u64(root, "packets_4to6");
	out->pkts_6to4 = get_u64(root, "packets_6to4");
	get_drops(root, &out->drops);
	if (strcmp(out->name, "clat") == 0) {
		out->kind = DOCTOR_CLAT;
		read_clat(root, out);
	} else if (strcmp(out->name, "plat") == 0 || strcmp(out->name, "siit") == 0) {
		out->kind = out->name[0] == 'p' ? DOCTOR_PLAT : DOCTOR_SIIT;
		read_plat(root, out);
	} else if (strcmp(out->name, "ra") == 0) {
		char s[64] = "";
		out->kind = DOCTOR_RA;
		get_str(root, "interface", out->ifname, sizeof(out->ifname));
		get_str(root, "state", out->ra_state, sizeof(out->ra_state));
		/* one process on several interfaces: the first that is not advertising is the one to name */
		struct json_object *ifs = NULL;
		if (json_object_object_get_ex(root, "interfaces", &ifs) && json_object_is_type(ifs, json_type_array)) {
			for (size_t k = 0; k < json_object_array_length(ifs); k++) {
				struct json_object *one = json_object_array_get_idx(ifs, k);
				char st[sizeof(out->ra_state)] = "";
				get_str(one, "state", st, sizeof(st));
				if (strcmp(st, "advertising") != 0) {
					get_str(one, "interface", out->ifname, sizeof(out->ifname));
					memcpy(out->ra_state, st, sizeof(st));
					break;
				}
			}
		}
		if (setting_word(root, "pref64", s, sizeof(s)))
			out->has_pref64 = parse_nat64_prefix(s, &out->pref64);
		if (setting_word(root, "lifetime", s, sizeof(s)))
			out->pref64_lifetime = strtol(s, NULL, 10);
	} else if (strcmp(out->name, "dhcp4") == 0) {
		char s[32] = "";
		out->kind = DOCTOR_DHCP4;
		get_str(root, "interface", out->ifname, sizeof(out->ifname));
		setting_word(root, "mode", out->mode, sizeof(out->mode));
		if (setting_word(root, "v6only-wait", s, sizeof(s)))
			out->v6only_wait = (unsigned)strtoul(s, NULL, 10);
		out->clients = get_u64(root, "clients");
		out->clients_108 = get_u64(root, "clients_option108");
		out->offers_108 = get_u64(root, "offers_option108");
	} else {
		out->kind = DOCTOR_UNKNOWN;
	}
	json_object_put(root);
	if (out->kind == DOCTOR_UNKNOWN) {
		snprintf(err, errcap, "no known \"daemon\" member");
		return -1;
	}
	return 0;
}

bool doctor_log_option108(const char *text, size_t len, const char *ifname, char *out, size_t cap)
{
	static const char needle[] = "IPv6-Only Preferred received";
	bool found = false;
	size_t pos = 0;
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - line) : len - pos;
		pos += ll + 1;
		if (ll < sizeof(needle) - 1 || !memmem(line, ll, needle, sizeof(needle) - 1))
			continue;
		/* dhcpcd writes "IFNAME: IPv6-Only ...", maybe after a timestamp */
		const char *start = line;
		if (ifname && ifname[0]) {
			size_t il = strlen(ifname);
			const char *m = NULL;
			for (const char *p = line; p + il + 1 <= line + ll; p++)
				if (memcmp(p, ifname, il) == 0 && p[il] == ':' && (p == line || p[-1] == ' ')) {
					m = p;
					break;
				}
			if (!m)
				continue;
			start = m;
		}
		size_t n = ll - (size_t)(start - line);
		if (cap > 0) {
			if (n >= cap)
				n = cap - 1;
			for (size_t i = 0; i < n; i++) /* no control bytes in a report */
				out[i] = (start[i] >= 0x20 && start[i] < 0x7f) ? start[i] : '?';
			out[n] = '\0';
		}
		found = true;
	}
	return found;
}

bool doctor_echo_reply_match(const uint8_t *buf, size_t n, bool v6, uint16_t id, uint16_t seq)
{
	size_t off = 0;
	if (!v6) {
		if (n < 20 || (buf[0] >> 4) != 4)
			return false;
		size_t ihl = (size_t)(buf[0] & 0x0f) * 4;
		if (ihl < 20 || n < ihl + 8 || buf[9] != IPPROTO_ICMP4)
			return false;
		off = ihl;
	} else if (n < 8) {
		return false;
	}
	const uint8_t *icmp = buf + off;
	uint8_t want = v6 ? ICMP6_ECHO_REPLY_TYPE : ICMP4_ECHO_REPLY;
	return icmp[0] == want && icmp[1] == 0 && (((unsigned)icmp[4] << 8) | icmp[5]) == id &&
	       (((unsigned)icmp[6] << 8) | icmp[7]) == seq;
}
