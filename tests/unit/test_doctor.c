/* Unit tests for `xlat464 doctor`'s pure parts: reading a daemon's status JSON into evidence
 * (src/cli/doctor_status.c), dhcpcd's option-108 line, echo replies, and the verdicts the judges give
 * (src/cli/doctor_judge.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* The doctor is part of the xlat464 binary, not a library: compile its pure parts into this test. */
#include "../../src/cli/doctor_judge.c"
#include "../../src/cli/doctor_status.c"
#include "../../src/common/settings_table.c"
#include "../../src/common/value_parse.c"
#include "../../src/common/siit_settings.c"

static const char clat_json[] =
	"{ \"daemon\": \"clat\", \"pid\": 42, \"tun\": \"clat\", \"packets_4to6\": 9000, \"packets_6to4\": 1000,\n"
	"  \"settings\": [ \"state running\" ],\n"
	"  \"clat\": { \"state\": \"running\", \"why\": \"PLAT prefix 64:ff9b::/96 from ra-pref64\", \"uplink\": \"eth0\",\n"
	"    \"uplink_ifindex\": 2, \"uplink_up\": true, \"uplink_mtu\": 1500, \"native_ipv4\": false,\n"
	"    \"ipv6_default_route\": true, \"pref64\": \"64:ff9b::/96\", \"pref64_source\": \"ra-pref64\",\n"
	"    \"pref64_lifetime_seconds\": 1800, \"pref64_expires_in_seconds\": 1700, \"clat_ipv6\": \"2001:db8:1::5\",\n"
	"    \"tun\": \"clat\", \"tun_mtu\": 1480, \"tun_present\": true, \"route_present\": true,\n"
	"    \"dad_conflicts\": 0, \"conflicts_after_dad\": 0 },\n"
	"  \"drops\": { \"truncated\": 0, \"dst-unmapped\": 7, \"ttl-expired\": 30, \"policy\": 2 } }";

static const char plat_json[] =
	"{ \"daemon\": \"plat\", \"pid\": 7, \"tun\": \"nat64\", \"mode\": \"stateful\", \"pool6\": \"64:ff9b::/96\",\n"
	"  \"settings\": [ \"tun nat64\", \"pool4 198.51.100.0/28 1024-65535\", \"bpf-offload br0 r-s\" ],\n"
	"  \"drops\": {} }";

static const char ra_json[] = "{ \"daemon\": \"ra\", \"interface\": \"br0\", \"state\": \"advertising\",\n"
			      "  \"settings\": [ \"interface br0\", \"pref64 2001:db8:64::/96\", \"lifetime 32 (scaled 4)\" ] }";

static const char dhcp4_json[] = "{ \"daemon\": \"dhcp4\", \"interface\": \"br0\",\n"
				 "  \"settings\": [ \"mode mostly\", \"v6only-wait 1800\" ], \"clients\": 2,\n"
				 "  \"clients_option108\": 1, \"offers_option108\": 5 }";

static void parse_ok(const char *text, struct doctor_daemon *d)
{
	char err[128] = "";
	int rc = doctor_status_parse(text, strlen(text), d, err, sizeof(err));
	if (rc != 0)
		fail_msg("parse: %s", err);
}

static enum doctor_verdict v_of(const struct doctor_report *r, const char *check)
{
	const struct doctor_line *l = doctor_find(r, check);
	if (!l)
		fail_msg("no line %s", check);
	return l->verdict;
}

static void test_parse_clat(void **state)
{
	struct doctor_daemon d;
	parse_ok(clat_json, &d);
	assert_int_equal(d.kind, DOCTOR_CLAT);
	assert_int_equal(d.pid, 42);
	assert_string_equal(d.state, "running");
	assert_string_equal(d.ifname, "eth0");
	assert_int_equal(d.uplink_ifindex, 2);
	assert_true(d.has_pref64);
	assert_int_equal(d.pref64.len, 96);
	assert_int_equal(d.pref64.addr[1], 0x64);
	assert_int_equal(d.pref64_lifetime, 1800);
	assert_int_equal(d.tun_mtu, 1480);
	/* drops: the total and the largest first, zeros left out */
	assert_int_equal(d.drops.total, 39);
	assert_int_equal(d.drops.n, 3);
	assert_string_equal(d.drops.top[0].name, "ttl-expired");
	assert_string_equal(d.drops.top[1].name, "dst-unmapped");
	assert_string_equal(d.drops.top[2].name, "policy");
}

static void test_parse_others(void **state)
{
	struct doctor_daemon d;
	parse_ok(plat_json, &d);
	assert_int_equal(d.kind, DOCTOR_PLAT);
	assert_string_equal(d.ifname, "nat64");
	assert_true(d.pool6_known);
	assert_true(d.has_pool4);
	assert_int_equal(d.pool4.len, 28);
	assert_int_equal(d.pool4.addr[0], 198);
	assert_string_equal(d.bpf_ifaces, "br0 r-s");
	parse_ok(ra_json, &d);
	assert_int_equal(d.kind, DOCTOR_RA);
	assert_true(d.has_pref64);
	assert_int_equal(d.pref64.addr[2], 0x0d);
	assert_int_equal(d.pref64_lifetime, 32);
	assert_string_equal(d.ra_state, "advertising");
	parse_ok(dhcp4_json, &d);
	assert_int_equal(d.kind, DOCTOR_DHCP4);
	assert_string_equal(d.mode, "mostly");
	assert_int_equal(d.v6only_wait, 1800);
	assert_int_equal(d.clients_108, 1);
}

static void test_parse_bad(void **state)
{
	struct doctor_daemon d;
	char err[128];
	const char *bad[] = { "", "{", "[1,2]", "{\"daemon\": 3}", "{\"daemon\": \"nope\"}", "null", "{\"daemon\":\"clat\"" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(doctor_status_parse(bad[i], strlen(bad[i]), &d, err, sizeof(err)), -1);
		assert_true(err[0] != '\0');
	}
	/* members of the wrong type count as absent; a bad prefix is no prefix */
	const char *odd = "{\"daemon\":\"clat\",\"clat\":{\"state\":5,\"pref64\":\"64:ff9b::/95\",\"tun_mtu\":-3}}";
	assert_int_equal(doctor_status_parse(odd, strlen(odd), &d, err, sizeof(err)), 0);
	assert_string_equal(d.state, "");
	assert_false(d.has_pref64);
	assert_int_equal(d.tun_mtu, 0);
}

static void test_log_option108(void **state)
{
	const char log[] = "eth1: sending DISCOVER\n"
			   "eth0: IPv6-Only Preferred received (900 seconds) from 192.0.2.9\n"
			   "Dec  7 11:00:01 host dhcpcd[5]: eth0: IPv6-Only Preferred received (1800 seconds) from 192.0.2.1\n"
			   "eth0: no address given from 192.0.2.1";
	char out[128];
	assert_true(doctor_log_option108(log, strlen(log), "eth0", out, sizeof(out)));
	assert_string_equal(out, "eth0: IPv6-Only Preferred received (1800 seconds) from 192.0.2.1"); /* the last one */
	assert_false(doctor_log_option108(log, strlen(log), "eth1", out, sizeof(out)));
	assert_false(doctor_log_option108(log, strlen(log), "th0", out, sizeof(out)));
	/* cut short: only the first line is seen */
	assert_false(doctor_log_option108(log, 30, NULL, out, sizeof(out)));
	char small[8];
	assert_true(doctor_log_option108(log, strlen(log), NULL, small, sizeof(small)));
	assert_int_equal(strlen(small), 7);
}

static void test_echo_match(void **state)
{
	uint8_t v4[28] = { 0x45, 0, 0, 28, 0, 0, 0, 0, 64, 1 };
	v4[20] = 0; /* echo reply */
	v4[24] = 0x12;
	v4[25] = 0x34;
	v4[27] = 2;
	assert_true(doctor_echo_reply_match(v4, sizeof(v4), false, 0x1234, 2));
	assert_false(doctor_echo_reply_match(v4, sizeof(v4), false, 0x1234, 3));
	assert_false(doctor_echo_reply_match(v4, 27, false, 0x1234, 2));
	v4[0] = 0x4f; /* IHL 60 bytes, more than arrived */
	assert_false(doctor_echo_reply_match(v4, sizeof(v4), false, 0x1234, 2));
	uint8_t v6[8] = { 129, 0, 0, 0, 0xab, 0xcd, 0, 0 };
	assert_true(doctor_echo_reply_match(v6, 8, true, 0xabcd, 0));
	v6[0] = 128; /* a request, not a reply */
	assert_false(doctor_echo_reply_match(v6, 8, true, 0xabcd, 0));
}

static void test_judge_clat(void **state)
{
	struct doctor_report r = { 0 };
	struct doctor_daemon d;
	parse_ok(clat_json, &d);
	doctor_judge_clat(&r, &d, false);
	assert_int_equal(v_of(&r, "clat"), DOCTOR_PASS);
	assert_int_equal(v_of(&r, "clat-dad"), DOCTOR_PASS);
	assert_int_equal(v_of(&r, "mtu"), DOCTOR_PASS);
	/* not running and no native IPv4: FAIL with the CLAT's reason */
	memset(&r, 0, sizeof(r));
	snprintf(d.state, sizeof(d.state), "waiting");
	snprintf(d.why, sizeof(d.why), "no PLAT prefix");
	doctor_judge_clat(&r, &d, false);
	assert_int_equal(v_of(&r, "clat"), DOCTOR_FAIL);
	assert_non_null(strstr(doctor_find(&r, "clat")->evidence, "no PLAT prefix"));
	/* idle beside native IPv4 is right */
	memset(&r, 0, sizeof(r));
	doctor_judge_clat(&r, &d, true);
	assert_int_equal(v_of(&r, "clat"), DOCTOR_PASS);
	/* none at all */
	memset(&r, 0, sizeof(r));
	doctor_judge_clat(&r, NULL, false);
	assert_int_equal(v_of(&r, "clat"), DOCTOR_FAIL);
	/* MTU with no room for the IPv6 header; a DAD conflict */
	memset(&r, 0, sizeof(r));
	parse_ok(clat_json, &d);
	d.tun_mtu = 1500;
	d.conflicts_after_dad = 1;
	doctor_judge_clat(&r, &d, false);
	assert_int_equal(v_of(&r, "mtu"), DOCTOR_WARN);
	assert_int_equal(v_of(&r, "clat-dad"), DOCTOR_WARN);
}

static void dns64_answer(struct doctor_dns64 *q, const char *prefix)
{
	memset(q, 0, sizeof(*q));
	q->asked = q->answered = true;
	q->status = DNS64_OK;
	q->result.nprefix = 1;
	q->result.prefix[0].len = 96;
	inet_pton(AF_INET6, prefix, q->result.prefix[0].prefix);
	snprintf(q->server, sizeof(q->server), "2001:db8::53");
}

static void test_judge_prefixes(void **state)
{
	struct doctor_report r = { 0 };
	struct doctor_daemon d;
	struct doctor_dns64 q;
	parse_ok(clat_json, &d);
	dns64_answer(&q, "64:ff9b::");
	doctor_judge_prefixes(&r, &d, NULL, &q);
	assert_int_equal(v_of(&r, "pref64"), DOCTOR_PASS);
	assert_int_equal(v_of(&r, "dns64"), DOCTOR_PASS);
	assert_int_equal(v_of(&r, "prefix-agree"), DOCTOR_PASS);
	memset(&r, 0, sizeof(r));
	dns64_answer(&q, "2001:db8:64::");
	doctor_judge_prefixes(&r, &d, NULL, &q);
	assert_int_equal(v_of(&r, "prefix-agree"), DOCTOR_WARN);
	assert_non_null(strstr(doctor_find(&r, "prefix-agree")->evidence, "2001:db8:64::/96"));
	/* same address, other length: they differ */
	memset(&r, 0, sizeof(r));
	dns64_answer(&q, "64:ff9b::");
	q.result.prefix[0].len = 64;
	doctor_judge_prefixes(&r, &d, NULL, &q);
	assert_int_equal(v_of(&r, "prefix-agree"), DOCTOR_WARN);
	/* no DNS64 answer beside a PREF64: a warning, and nothing to compare */
	memset(&r, 0, sizeof(r));
	q.answered = false;
	doctor_judge_prefixes(&r, &d, NULL, &q);
	assert_int_equal(v_of(&r, "dns64"), DOCTOR_WARN);
	assert_null(doctor_find(&r, "prefix-agree"));
	/* no prefix at all: FAIL */
	memset(&r, 0, sizeof(r));
	d.has_pref64 = false;
	doctor_judge_prefixes(&r, &d, NULL, &q);
	assert_int_equal(v_of(&r, "pref64"), DOCTOR_FAIL);
	assert_int_equal(v_of(&r, "dns64"), DOCTOR_FAIL);
	/* a PREF64 about to expire */
	memset(&r, 0, sizeof(r));
	parse_ok(clat_json, &d);
	d.pref64_expires = 3;
	doctor_judge_prefixes(&r, &d, NULL, &q);
	assert_int_equal(v_of(&r, "pref64"), DOCTOR_WARN);
}

/* No CLAT: the PREF64 comes from the RAs that answered a Router Solicitation. */
static void test_judge_prefixes_ra(void **state)
{
	struct doctor_report r = { 0 };
	struct doctor_ra_seen ra = { .asked = true, .nra = 1, .has_pref64 = true, .lifetime = 600, .from = "fe80::1" };
	struct doctor_dns64 q;
	inet_pton(AF_INET6, "64:ff9b::", ra.pref64.addr);
	ra.pref64.len = 96;
	dns64_answer(&q, "64:ff9b::");
	doctor_judge_prefixes(&r, NULL, &ra, &q);
	assert_int_equal(v_of(&r, "pref64"), DOCTOR_PASS);
	assert_non_null(strstr(doctor_find(&r, "pref64")->evidence, "fe80::1"));
	assert_int_equal(v_of(&r, "prefix-agree"), DOCTOR_PASS);
	memset(&r, 0, sizeof(r));
	dns64_answer(&q, "2001:db8:64::");
	doctor_judge_prefixes(&r, NULL, &ra, &q);
	assert_int_equal(v_of(&r, "prefix-agree"), DOCTOR_WARN);
	memset(&r, 0, sizeof(r));
	ra.has_pref64 = false;
	doctor_judge_prefixes(&r, NULL, &ra, &q);
	assert_int_equal(v_of(&r, "pref64"), DOCTOR_WARN);
	assert_null(doctor_find(&r, "prefix-agree"));
	memset(&r, 0, sizeof(r));
	ra.nra = 0;
	doctor_judge_prefixes(&r, NULL, &ra, &q);
	assert_int_equal(v_of(&r, "pref64"), DOCTOR_WARN);
	assert_non_null(strstr(doctor_find(&r, "pref64")->evidence, "no RA answered"));
	memset(&r, 0, sizeof(r));
	doctor_judge_prefixes(&r, NULL, NULL, &q);
	assert_int_equal(v_of(&r, "pref64"), DOCTOR_WARN);
}

static void test_judge_probe(void **state)
{
	struct doctor_report r = { 0 };
	struct xlat_prefix6 p = { .addr = { 0, 0x64, 0xff, 0x9b }, .len = 96 };
	doctor_judge_probe(&r, "192.0.2.1", true, 1.0, "64:ff9b::c000:201", true, 1.0, &p);
	assert_int_equal(v_of(&r, "end-to-end"), DOCTOR_PASS);
	assert_int_equal(v_of(&r, "plat"), DOCTOR_PASS);
	memset(&r, 0, sizeof(r));
	doctor_judge_probe(&r, "192.0.2.1", false, 0, "64:ff9b::c000:201", false, 0, &p);
	assert_int_equal(v_of(&r, "end-to-end"), DOCTOR_FAIL);
	assert_int_equal(v_of(&r, "plat"), DOCTOR_FAIL);
	assert_non_null(strstr(doctor_find(&r, "plat")->evidence, "PLAT"));
	/* the PLAT answers, the CLAT does not: the fault is the CLAT's */
	memset(&r, 0, sizeof(r));
	doctor_judge_probe(&r, "192.0.2.1", false, 0, "64:ff9b::c000:201", true, 1.0, &p);
	assert_int_equal(v_of(&r, "end-to-end"), DOCTOR_FAIL);
	assert_int_equal(v_of(&r, "plat"), DOCTOR_PASS);
	/* no prefix known: no plat line, and the hint says why */
	memset(&r, 0, sizeof(r));
	doctor_judge_probe(&r, "192.0.2.1", false, 0, "", false, 0, NULL);
	assert_int_equal(v_of(&r, "end-to-end"), DOCTOR_FAIL);
	assert_null(doctor_find(&r, "plat"));
	assert_non_null(strstr(doctor_find(&r, "end-to-end")->hint, "pref64"));
	memset(&r, 0, sizeof(r));
	doctor_judge_probe(&r, NULL, false, 0, NULL, false, 0, NULL);
	assert_int_equal(v_of(&r, "end-to-end"), DOCTOR_WARN);
}

static void test_judge_drops(void **state)
{
	struct doctor_report r = { 0 };
	struct doctor_daemon d;
	parse_ok(clat_json, &d); /* 39 drops against 10000 packets: normal */
	doctor_judge_drops(&r, "clat", &d);
	assert_int_equal(v_of(&r, "clat-drops"), DOCTOR_PASS);
	assert_non_null(strstr(doctor_find(&r, "clat-drops")->evidence, "ttl-expired 30, dst-unmapped 7"));
	memset(&r, 0, sizeof(r));
	d.pkts_4to6 = 100;
	d.pkts_6to4 = 0;
	doctor_judge_drops(&r, "clat", &d);
	assert_int_equal(v_of(&r, "clat-drops"), DOCTOR_WARN);
}

static void test_judge_router(void **state)
{
	struct doctor_report r = { 0 };
	struct doctor_daemon ra, plat, dh;
	parse_ok(ra_json, &ra);
	parse_ok(plat_json, &plat);
	parse_ok(dhcp4_json, &dh);
	doctor_judge_pref64_pool6(&r, &ra, &plat); /* 2001:db8:64::/96 against 64:ff9b::/96 */
	assert_int_equal(v_of(&r, "pref64-pool6"), DOCTOR_FAIL);
	memset(&r, 0, sizeof(r));
	ra.pref64 = plat.pool6;
	doctor_judge_pref64_pool6(&r, &ra, &plat);
	assert_int_equal(v_of(&r, "pref64-pool6"), DOCTOR_PASS);
	memset(&r, 0, sizeof(r));
	doctor_judge_forwarding(&r, 0, 1, true);
	assert_int_equal(v_of(&r, "forwarding"), DOCTOR_FAIL);
	assert_int_equal(v_of(&r, "forwarding4"), DOCTOR_PASS);
	memset(&r, 0, sizeof(r));
	doctor_judge_forwarding(&r, 1, 0, false);
	assert_int_equal(v_of(&r, "forwarding"), DOCTOR_PASS);
	assert_null(doctor_find(&r, "forwarding4"));
	memset(&r, 0, sizeof(r));
	doctor_judge_rp_filter(&r, "br0", 1);
	doctor_judge_rp_filter(&r, "br0", 2);
	assert_int_equal(r.line[0].verdict, DOCTOR_WARN);
	assert_int_equal(r.line[1].verdict, DOCTOR_PASS);
	memset(&r, 0, sizeof(r));
	doctor_judge_route_back(&r, "pool4", "198.51.100.0/28", "nat64", "nat64");
	doctor_judge_route_back(&r, "pool6", "64:ff9b::/96", "eth0", "nat64");
	doctor_judge_route_back(&r, "pool6", "64:ff9b::/96", "", "nat64");
	assert_int_equal(r.line[0].verdict, DOCTOR_PASS);
	assert_int_equal(r.line[1].verdict, DOCTOR_FAIL);
	assert_int_equal(r.line[2].verdict, DOCTOR_FAIL);
	memset(&r, 0, sizeof(r));
	doctor_judge_dhcp4(&r, &dh);
	assert_int_equal(v_of(&r, "option108"), DOCTOR_PASS);
	memset(&r, 0, sizeof(r));
	snprintf(dh.mode, sizeof(dh.mode), "plain");
	doctor_judge_dhcp4(&r, &dh);
	assert_int_equal(v_of(&r, "option108"), DOCTOR_FAIL);
	memset(&r, 0, sizeof(r));
	doctor_judge_pref64_route(&r, "64:ff9b::", 96, "", 0);
	doctor_judge_pref64_route(&r, "64:ff9b::", 96, "r-p1", 96);
	assert_int_equal(r.line[0].verdict, DOCTOR_FAIL);
	assert_int_equal(r.line[1].verdict, DOCTOR_PASS);
}

static void test_report(void **state)
{
	static struct doctor_report r;
	memset(&r, 0, sizeof(r));
	for (unsigned i = 0; i < DOCTOR_LINES_MAX + 5; i++)
		doctor_add(&r, "x", i % 3 == 0 ? DOCTOR_FAIL : DOCTOR_PASS, NULL, "line %u", i);
	assert_int_equal(r.n, DOCTOR_LINES_MAX);
	assert_int_equal(doctor_count(&r, DOCTOR_FAIL) + doctor_count(&r, DOCTOR_PASS), DOCTOR_LINES_MAX);
	assert_string_equal(doctor_verdict_name(DOCTOR_WARN), "WARN");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_clat),    cmocka_unit_test(test_parse_others),
		cmocka_unit_test(test_parse_bad),     cmocka_unit_test(test_log_option108),
		cmocka_unit_test(test_echo_match),    cmocka_unit_test(test_judge_clat),
		cmocka_unit_test(test_judge_prefixes), cmocka_unit_test(test_judge_prefixes_ra),
		cmocka_unit_test(test_judge_probe),
		cmocka_unit_test(test_judge_drops),   cmocka_unit_test(test_judge_router),
		cmocka_unit_test(test_report),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
