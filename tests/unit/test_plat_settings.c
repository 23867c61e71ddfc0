/* Unit tests for the PLAT settings parser (src/plat/plat_settings.c): every key, times with units, the
 * error messages (which name the problem and, for files, the line), the derived addresses, the
 * checks of plat_settings_finish, and the config-syntax printer round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* The parser is part of the xlat464 binary, not a library: compile it into this test. */
#include "../../src/plat/plat_settings.c"
#include "../../src/common/settings_table.c"
#include "../../src/common/value_parse.c"
/* and the event log's line format (docs/plat.md) */
#include "../../src/plat/evlog.c"
#include "testutil.h"

static struct plat_settings s, s2;

static int parse(struct plat_settings *p, const char *text, char *err)
{
	plat_settings_init(p);
	return plat_settings_parse_text(p, text, strlen(text), "plat.conf", err, PLAT_ERR_MAX);
}

static void test_defaults(void **state)
{
	plat_settings_init(&s);
	assert_string_equal(s.tun, "plat0");
	assert_int_equal(s.mode, PLAT_STATEFUL);
	assert_int_equal(s.nat.timeout_udp, 300);
	assert_int_equal(s.nat.timeout_tcp_est, 7440);
	assert_int_equal(s.nat.timeout_tcp_trans, 240);
	assert_int_equal(s.nat.timeout_icmp, 60);
	assert_int_equal(s.nat.subscriber_len, 64);
	assert_int_equal(s.lease_timeout, 7200);
	assert_int_equal(s.log_events, NAT64_LOG_BIB | NAT64_LOG_BLOCK);
	assert_true(s.routes);
	assert_true(s.offload);
	assert_string_equal(s.log_target, "");
}

static void test_full_file(void **state)
{
	static const char text[] = "# a conference network's PLAT\n"
				   "tun nat64\n"
				   "control /run/xlat464/p.sock\n"
				   "mode stateful\n"
				   "pool6 64:ff9b::/96\n"
				   "pool4 203.0.113.0/28\n"
				   "pool4 198.51.100.8/29 2000-2999   # a second range\n"
				   "filtering address-dependent\n"
				   "allow-wkp-non-global yes\n"
				   "timeout-udp 2m\n"
				   "timeout-tcp-est 2h4m\n"
				   "timeout-tcp-trans 240s\n"
				   "timeout-icmp 30\n"
				   "timeout-fragment-ms 1500\n"
				   "max-sessions 100000\n"
				   "max-sessions-per-subscriber 2000\n"
				   "max-ports-per-subscriber 1000\n"
				   "subscriber-len 128\n"
				   "port-block-size 128\n"
				   "static tcp 2001:db8::10#80 203.0.113.1#8080\n"
				   "static icmp 2001:db8::10#7 203.0.113.1#7\n"
				   "log /var/log/xlat464-plat.log\n"
				   "log-events bib,session\n"
				   "self4 192.0.2.1\n"
				   "mtu4 1500\n"
				   "mtu6 1400\n"
				   "reply-rate 50\n"
				   "reply-burst 10\n"
				   "routes no\n"
				   "offload no\n";
	char err[PLAT_ERR_MAX] = "";
	assert_int_equal(parse(&s, text, err), 0);
	assert_string_equal(s.tun, "nat64");
	assert_string_equal(s.control, "/run/xlat464/p.sock");
	assert_int_equal(s.nat.pool6.len, 96);
	assert_int_equal(s.nat.npool4, 2);
	assert_int_equal(s.nat.pool4[0].port_min, 1024);
	assert_int_equal(s.nat.pool4[0].port_max, 65535);
	assert_int_equal(s.nat.pool4[1].port_min, 2000);
	assert_int_equal(s.nat.pool4[1].port_max, 2999);
	assert_true(s.nat.address_dependent_filtering);
	assert_true(s.nat.allow_wkp_non_global);
	assert_int_equal(s.nat.timeout_udp, 120);
	assert_int_equal(s.nat.timeout_tcp_est, 7440);
	assert_int_equal(s.nat.timeout_tcp_trans, 240);
	assert_int_equal(s.nat.timeout_icmp, 30);
	assert_int_equal(s.nat.timeout_fragment_ms, 1500);
	assert_int_equal(s.nat.max_sessions, 100000);
	assert_int_equal(s.nat.max_sessions_per_subscriber, 2000);
	assert_int_equal(s.nat.max_ports_per_subscriber, 1000);
	assert_int_equal(s.nat.subscriber_len, 128);
	assert_int_equal(s.nat.port_block_size, 128);
	assert_int_equal(s.nat.nstatic, 2);
	assert_int_equal(s.nat.statics[0].proto, NAT64_TCP);
	assert_int_equal(s.nat.statics[0].port6, 80);
	assert_int_equal(s.nat.statics[0].port4, 8080);
	assert_int_equal(s.nat.statics[1].proto, NAT64_ICMP);
	assert_string_equal(s.log_target, "/var/log/xlat464-plat.log");
	assert_int_equal(s.log_events, NAT64_LOG_BIB | NAT64_LOG_SESSION);
	assert_true(s.self4_given);
	assert_int_equal(s.xcfg.mtu6, 1400);
	assert_int_equal(s.reply_rate, 50);
	assert_int_equal(s.reply_burst, 10);
	assert_false(s.routes);
	assert_false(s.offload);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), 0);
	/* self6 derived from self4 in pool6 */
	uint8_t want[16];
	t_v6("64:ff9b::c000:201", want);
	assert_memory_equal(s.xcfg.self6, want, 16);
}

static void expect_error(const char *text, const char *needle)
{
	char err[PLAT_ERR_MAX] = "";
	assert_int_equal(parse(&s, text, err), -1);
	if (!strstr(err, needle)) {
		fprintf(stderr, "error '%s' lacks '%s'\n", err, needle);
		fail();
	}
}

static void test_errors_name_the_line(void **state)
{
	expect_error("tun a\n\nbogus 1\n", "plat.conf:3: bogus: unknown setting");
	expect_error("pool6 64:ff9b::/95\n", "plat.conf:1: pool6: prefix length 95 is not an RFC 6052 length");
	expect_error("pool6 64:ff9b::1/96\n", "bits set beyond its length");
	expect_error("pool6 2001:db8:0:0:ff00::/96\n", "u-octet");
	expect_error("pool4 203.0.113.1/28\n", "bits set beyond");
	expect_error("pool4 203.0.113.0/28 5-4\n", "not a port range");
	expect_error("pool4 203.0.113.0/28 0-100\n", "not a port range");
	expect_error("pool4 203.0.113.0/28 10-70000\n", "not a port range");
	expect_error("pool4 203.0.113.0/28\npool4 203.0.113.8/29\n", "plat.conf:2: pool4: '203.0.113.8/29' overlaps");
	expect_error("pool4 203.0.113.0/28 1-2 3\n", "expects 1 to 2 values, got 3");
	expect_error("mode fast\n", "neither stateful nor stateless");
	expect_error("filtering strict\n", "neither endpoint-independent nor address-dependent");
	expect_error("timeout-udp 5x\n", "is not a time");
	expect_error("timeout-udp 0\n", "is not a time from 1 s");
	expect_error("timeout-udp 400d\n", "is not a time");
	expect_error("timeout-udp 99999999999\n", "is not a time");
	expect_error("max-sessions 0\n", "is not a number from 1");
	expect_error("max-sessions -1\n", "is not a number");
	expect_error("subscriber-len 129\n", "from 1 to 128");
	expect_error("static sctp 2001:db8::1#1 203.0.113.1#1\n", "not tcp, udp or icmp");
	expect_error("static tcp 2001:db8::1 203.0.113.1#1\n", "is not IPV6#PORT");
	expect_error("static tcp 2001:db8::1#1 203.0.113.1#65536\n", "is not IPV4#PORT");
	expect_error("static tcp 2001:db8::1#1 203.0.113.1#1\nstatic tcp 2001:db8::2#1 203.0.113.1#1\n",
		     "plat.conf:2: static: tcp 203.0.113.1#1 is already taken");
	expect_error("log relative.log\n", "not an absolute path, none or syslog");
	expect_error("log-events bib,foo\n", "'foo' is not bib, session, block or alarm");
	expect_error("log-events ,\n", "names no event");
	expect_error("control run.sock\n", "not an absolute path");
	expect_error("mtu6 1279\n", "from 1280 to 65535");
	expect_error("routes maybe\n", "neither yes nor no");
	expect_error("offload sometimes\n", "neither yes nor no");
	expect_error("tun a/b\n", "not a valid interface name");
	expect_error("tun abcdefghijklmnop\n", "1 to 15 characters");
	expect_error("self4 ::1\n", "not an IPv4 address");
	expect_error("pool6\n", "expects 1 value, got 0");
	expect_error("a b c d e f g h i\n", "too many words");
	char nul[] = "tun a\n\0\n";
	char err[PLAT_ERR_MAX];
	plat_settings_init(&s);
	assert_int_equal(plat_settings_parse_text(&s, nul, sizeof(nul) - 1, "f", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "f:2: NUL byte"));
}

static void test_comments_and_hash_ports(void **state)
{
	char err[PLAT_ERR_MAX] = "";
	/* '#' starts a comment only at the start of a word */
	assert_int_equal(parse(&s, "static udp 2001:db8::5#53 203.0.113.2#53 # DNS\n#pool4 1.2.3.4\n", err), 0);
	assert_int_equal(s.nat.nstatic, 1);
	assert_int_equal(s.nat.statics[0].port6, 53);
	assert_int_equal(s.nat.npool4, 0);
}

static void test_finish_checks(void **state)
{
	char err[PLAT_ERR_MAX] = "";
	plat_settings_init(&s);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no pool6"));
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\n", err), 0);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no pool4"));
	/* a static entry outside the pool's ports */
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\npool4 203.0.113.0/28 2000-3000\n"
				   "static tcp 2001:db8::1#80 203.0.113.1#80\n", err), 0);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "static tcp 203.0.113.1#80: not in any pool4"));
	/* ICMP identifiers need only the address */
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\npool4 203.0.113.0/28 2000-3000\n"
				   "static icmp 2001:db8::1#80 203.0.113.1#80\n", err), 0);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), 0);
	/* self4 defaults to the first pool4 address, self6 to it in pool6 */
	uint8_t w4[4], w6[16];
	t_v4("203.0.113.0", w4);
	t_v6("64:ff9b::cb00:7100", w6);
	assert_memory_equal(s.xcfg.self4, w4, 4);
	assert_memory_equal(s.xcfg.self6, w6, 16);
	assert_true(s.xcfg.has_rfc6791v4 && s.xcfg.has_rfc6791v6);
	/* stateless mode refuses what only stateful mode has */
	assert_int_equal(parse(&s, "mode stateless\npool6 64:ff9b::/96\npool4 203.0.113.0/28\n"
				   "static tcp 2001:db8::1#80 203.0.113.1#80\n", err), 0);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "need mode stateful"));
	assert_int_equal(parse(&s, "mode stateless\npool6 64:ff9b::/96\npool4 203.0.113.0/28 1-2\n", err), 0);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "port ranges need mode stateful"));
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\npool4 203.0.113.0/28 1000-1010\nport-block-size 64\n", err), 0);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "larger than a pool4 port range"));
	/* the stateless pool: the translator's own address is not leased */
	assert_int_equal(parse(&s, "mode stateless\npool6 64:ff9b::/96\npool4 203.0.113.0/28\nlease-timeout 1h\n", err), 0);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), 0);
	struct nat64_dynpool_config dc;
	plat_settings_dynpool(&s, &dc);
	assert_int_equal(dc.nranges, 1);
	assert_int_equal(dc.idle_timeout, 3600);
	assert_true(dc.has_reserved);
	assert_memory_equal(dc.reserved, w4, 4);
}

/* bpf-offload: interface names (checked, no duplicates), none, the stateful mode, a /96 pool6; the
 * printer gives the same line back. */
static void test_bpf_offload(void **state)
{
	static char out[65536];
	char err[PLAT_ERR_MAX] = "";
	plat_settings_init(&s);
	assert_int_equal(s.nbpf_ifs, 0);
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\npool4 203.0.113.0/28\nbpf-offload eth0 eth1.100\n", err), 0);
	assert_int_equal(s.nbpf_ifs, 2);
	assert_string_equal(s.bpf_ifs[0], "eth0");
	assert_string_equal(s.bpf_ifs[1], "eth1.100");
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), 0);
	plat_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "\nbpf-offload eth0 eth1.100\n"));
	assert_int_equal(parse(&s2, out, err), 0);
	assert_int_equal(s2.nbpf_ifs, 2);
	/* none clears what the file said */
	assert_int_equal(parse(&s, "bpf-offload eth0\nbpf-offload none\n", err), 0);
	assert_int_equal(s.nbpf_ifs, 0);
	plat_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "\nbpf-offload none\n"));
	expect_error("bpf-offload eth0 eth0\n", "eth0 is given twice");
	expect_error("bpf-offload a/b\n", "not a valid interface name");
	expect_error("bpf-offload a b c d e f g h i\n", "too many words");
	int max;
	assert_int_equal(plat_settings_arity("bpf-offload", &max), 1);
	assert_int_equal(max, PLAT_BPF_IFS_MAX);
	assert_int_equal(parse(&s, "mode stateless\npool6 64:ff9b::/96\npool4 203.0.113.0/28\nbpf-offload eth0\n", err), 0);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bpf-offload needs mode stateful"));
	assert_int_equal(parse(&s, "pool6 2001:db8:64::/64\npool4 203.0.113.0/28\nbpf-offload eth0\n", err), 0);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs a /96 pool6"));
}

/* RFC 7915 sections 4.1 and 5.1 options, as for the SIIT; the eBPF fast path takes them too. */
static void test_tos_options(void **state)
{
	static char out[65536];
	char err[PLAT_ERR_MAX] = "";
	plat_settings_init(&s);
	assert_false(s.xcfg.zero_tclass);
	assert_false(s.xcfg.set_tos);
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\npool4 203.0.113.0/28\nzero-traffic-class yes\ntos 32\n", err), 0);
	assert_true(s.xcfg.zero_tclass);
	assert_true(s.xcfg.set_tos);
	assert_int_equal(s.xcfg.tos, 32);
	plat_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "\nzero-traffic-class yes\n"));
	assert_non_null(strstr(out, "\ntos 32\n"));
	assert_int_equal(parse(&s2, out, err), 0);
	assert_true(s2.xcfg.zero_tclass && s2.xcfg.set_tos && s2.xcfg.tos == 32);
	assert_int_equal(parse(&s, "tos copy\n", err), 0);
	assert_false(s.xcfg.set_tos);
	expect_error("tos 256\n", "neither copy nor a TOS value 0 to 255");
	expect_error("tos\n", "tos");
	expect_error("zero-traffic-class 1\n", "neither yes nor no");
}

/* RFC 6146 section 3.4: a whole zero-checksum UDP datagram always gets its checksum; fragmented ones
 * are reassembled within these bounds. */
static void test_reassembly_settings(void **state)
{
	static char out[65536];
	char err[PLAT_ERR_MAX] = "";
	plat_settings_init(&s);
	assert_true(s.xcfg.amend_udp_zero_csum);
	assert_int_equal(s.xcfg.reasm_max, 16);
	assert_int_equal(s.xcfg.reasm_timeout_ms, 5000);
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\npool4 203.0.113.0/28\nreassembly-max 0\nreassembly-timeout-ms 700\n", err), 0);
	assert_int_equal(s.xcfg.reasm_max, 0);
	assert_int_equal(s.xcfg.reasm_timeout_ms, 700);
	plat_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "\nreassembly-max 0\nreassembly-timeout-ms 700\n"));
	assert_int_equal(parse(&s2, out, err), 0);
	assert_true(s2.xcfg.reasm_max == 0 && s2.xcfg.reasm_timeout_ms == 700);
	expect_error("reassembly-max 1025\n", "not a number from 0 to 1024");
	/* the kernel's per-subscriber limits before the TUN */
	plat_settings_init(&s);
	assert_int_equal(s.subscriber_rate, 0);
	assert_int_equal(s.subscriber_hold_ms, 1000);
	assert_int_equal(parse(&s, "subscriber-rate 500\nsubscriber-burst 50\nsubscriber-hold-ms 0\n", err), 0);
	assert_true(s.subscriber_rate == 500 && s.subscriber_burst == 50 && s.subscriber_hold_ms == 0);
	plat_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "\nsubscriber-rate 500\nsubscriber-burst 50\nsubscriber-hold-ms 0\n"));
	expect_error("subscriber-burst 0\n", "not a number from 1 to 10000000");
	expect_error("subscriber-hold-ms 60001\n", "not a number from 0 to 60000");
	expect_error("reassembly-timeout-ms 60001\n", "not a number from 100 to 60000");
}

/* RFC 6146 section 3.5.2.2: the policy for IPv4 SYNs without a binding and the bounds of the store. */
static void test_syn4_settings(void **state)
{
	static char out[65536];
	char err[PLAT_ERR_MAX] = "";
	plat_settings_init(&s);
	assert_false(s.nat.drop_external_tcp);
	assert_int_equal(s.nat.max_stored_syns, 1024);
	assert_int_equal(s.nat.max_stored_syns_per_source, 8);
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\npool4 203.0.113.0/28\ndrop-externally-initiated-tcp yes\n"
				   "max-stored-syns 10\nmax-stored-syns-per-source 2\n", err), 0);
	assert_true(s.nat.drop_external_tcp);
	assert_int_equal(s.nat.max_stored_syns, 10);
	assert_int_equal(s.nat.max_stored_syns_per_source, 2);
	plat_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "\ndrop-externally-initiated-tcp yes\n"));
	assert_non_null(strstr(out, "\nmax-stored-syns 10\n"));
	assert_non_null(strstr(out, "\nmax-stored-syns-per-source 2\n"));
	assert_int_equal(parse(&s2, out, err), 0);
	assert_true(s2.nat.drop_external_tcp && s2.nat.max_stored_syns == 10 && s2.nat.max_stored_syns_per_source == 2);
	expect_error("max-stored-syns 65537\n", "max-stored-syns");
	expect_error("max-stored-syns -1\n", "max-stored-syns");
	expect_error("drop-externally-initiated-tcp maybe\n", "neither yes nor no");
}

static void test_format_round_trip(void **state)
{
	static char out1[65536], out2[65536];
	char err[PLAT_ERR_MAX] = "";
	assert_int_equal(parse(&s, "pool6 2001:db8:64::/96\npool4 203.0.113.0/28\npool4 198.51.100.0/24 5000-6000\n"
				   "static udp 2001:db8::5#53 203.0.113.2#53\nlog syslog\nlog-events block\n"
				   "self6 2001:db8::1\nmode stateless\ncontrol /tmp/x.sock\n", err), 0);
	size_t n = plat_settings_format(&s, out1, sizeof(out1));
	assert_true(n < sizeof(out1));
	assert_non_null(strstr(out1, "pool4 198.51.100.0/24 5000-6000\n"));
	assert_non_null(strstr(out1, "static udp 2001:db8::5#53 203.0.113.2#53\n"));
	assert_non_null(strstr(out1, "log syslog\n"));
	assert_non_null(strstr(out1, "log-events block\n"));
	assert_non_null(strstr(out1, "mode stateless\n"));
	assert_int_equal(parse(&s2, out1, err), 0);
	plat_settings_format(&s2, out2, sizeof(out2));
	assert_string_equal(out1, out2);
	/* every event set prints and parses back */
	for (unsigned m = 0; m < 16; m++) {
		s.log_events = m;
		plat_settings_format(&s, out1, sizeof(out1));
		assert_int_equal(parse(&s2, out1, err), 0);
		assert_int_equal(s2.log_events, m);
	}
}

/* The IPFIX export's settings: collector ADDR PORT (IPv4, IPv6, [IPv6]) or none, and the rest. */
static void test_ipfix_settings(void **state)
{
	static char out[65536];
	char err[PLAT_ERR_MAX] = "";
	uint8_t a[16] = { 0 };
	plat_settings_init(&s);
	assert_false(s.ipfix_on);
	assert_int_equal(s.ipfix_refresh, 60);
	assert_int_equal(s.ipfix_mtu, 1400);
	assert_int_equal(s.ipfix_domain, 0);
	assert_int_equal(s.ipfix_events, NAT64_LOG_BIB | NAT64_LOG_SESSION | NAT64_LOG_BLOCK | NAT64_LOG_ALARM);
	assert_int_equal(parse(&s, "ipfix-collector 192.0.2.9 4739\nipfix-domain 4294967295\n"
				   "ipfix-template-refresh 5m\nipfix-mtu 9000\nipfix-events block,alarm\n", err), 0);
	assert_true(s.ipfix_on);
	assert_false(s.ipfix_v6);
	t_v4("192.0.2.9", a);
	assert_memory_equal(s.ipfix_addr, a, 4);
	assert_int_equal(s.ipfix_port, 4739);
	assert_int_equal(s.ipfix_domain, 4294967295u);
	assert_int_equal(s.ipfix_refresh, 300);
	assert_int_equal(s.ipfix_mtu, 9000);
	assert_int_equal(s.ipfix_events, NAT64_LOG_BLOCK | NAT64_LOG_ALARM);
	plat_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "ipfix-collector 192.0.2.9 4739\n"));
	assert_non_null(strstr(out, "ipfix-events block,alarm\n"));
	assert_int_equal(parse(&s2, out, err), 0);
	assert_true(s2.ipfix_on && !s2.ipfix_v6 && s2.ipfix_port == 4739 && s2.ipfix_mtu == 9000);

	assert_int_equal(parse(&s, "ipfix-collector [2001:db8::9] 9995\nipfix-events all\n", err), 0);
	assert_true(s.ipfix_v6);
	t_v6("2001:db8::9", a);
	assert_memory_equal(s.ipfix_addr, a, 16);
	plat_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "ipfix-collector [2001:db8::9] 9995\n"));
	assert_non_null(strstr(out, "ipfix-events bib,session,block,alarm\n"));
	assert_int_equal(parse(&s2, out, err), 0);
	assert_memory_equal(s2.ipfix_addr, a, 16);
	assert_int_equal(parse(&s, "ipfix-collector 2001:db8::9 9995\nipfix-collector none\n", err), 0);
	assert_false(s.ipfix_on);

	expect_error("ipfix-collector 192.0.2.9\n", "ipfix-collector: '192.0.2.9': ADDR PORT, or none");
	expect_error("ipfix-collector collector.example 4739\n", "ipfix-collector: 'collector.example' is not an IPv4 or IPv6");
	expect_error("ipfix-collector 192.0.2.9 0\n", "ipfix-collector: '0' is not a port");
	expect_error("ipfix-collector 192.0.2.9 65536\n", "is not a port");
	expect_error("ipfix-collector [192.0.2.9] 4739\n", "is not an IPv4 or IPv6");
	expect_error("ipfix-mtu 511\n", "ipfix-mtu: '511' is not a number from 512 to 65000");
	expect_error("ipfix-template-refresh 0\n", "ipfix-template-refresh:");
	expect_error("ipfix-domain 4294967296\n", "ipfix-domain:");
	expect_error("ipfix-events sessions\n", "ipfix-events: 'sessions' is not bib, session, block or alarm");
	char ferr[PLAT_ERR_MAX] = "";
	assert_int_equal(parse(&s, "mode stateless\npool6 64:ff9b::/96\npool4 203.0.113.0/28\n"
				   "ipfix-collector 192.0.2.9 4739\n", err), 0);
	assert_int_equal(plat_settings_finish(&s, ferr, sizeof(ferr)), 0); /* leases: address bindings */
}

static void test_set_arity(void **state)
{
	int max;
	assert_int_equal(plat_settings_arity("pool4", &max), 1);
	assert_int_equal(max, 2);
	assert_int_equal(plat_settings_arity("static", &max), 3);
	assert_int_equal(plat_settings_arity("nope", &max), -1);
	char err[PLAT_ERR_MAX];
	const char *v[] = { "1h30m15s" };
	plat_settings_init(&s);
	assert_int_equal(plat_settings_set(&s, "lease-timeout", v, 1, err, sizeof(err)), 0);
	assert_int_equal(s.lease_timeout, 5415);
}

/* The table is the description: every key parses with an example value, prints, and is in --help
 * and the Markdown of docs/plat-settings.md; a reload keeps the keys marked restart. */
static void test_table_is_the_description(void **state)
{
	static const struct {
		const char *key, *val[3];
	} examples[] = {
		{ "tun", { "nat64" } }, { "control", { "/run/p.sock" } }, { "mode", { "stateless" } },
		{ "pool6", { "64:ff9b::/96" } }, { "pool4", { "203.0.113.0/28", "2000-2999" } },
		{ "filtering", { "address-dependent" } }, { "allow-wkp-non-global", { "yes" } },
		{ "timeout-udp", { "2m" } }, { "timeout-tcp-est", { "2h4m" } }, { "timeout-tcp-trans", { "240s" } },
		{ "timeout-icmp", { "30" } }, { "timeout-tcp-syn4", { "7" } }, { "timeout-fragment-ms", { "1500" } },
		{ "lease-timeout", { "1d" } }, { "max-sessions", { "1000" } }, { "max-sessions-per-subscriber", { "10" } },
		{ "max-ports-per-subscriber", { "10" } }, { "drop-externally-initiated-tcp", { "yes" } },
		{ "max-stored-syns", { "10" } }, { "max-stored-syns-per-source", { "2" } }, { "reassembly-max", { "4" } },
		{ "reassembly-timeout-ms", { "700" } }, { "subscriber-len", { "128" } }, { "port-block-size", { "64" } },
		{ "static", { "tcp", "2001:db8::1#80", "203.0.113.1#8080" } }, { "log", { "syslog" } },
		{ "log-events", { "bib,alarm" } }, { "self4", { "192.0.2.1" } }, { "self6", { "2001:db8::1" } },
		{ "mtu4", { "1400" } }, { "mtu6", { "1400" } }, { "reply-rate", { "5" } }, { "reply-burst", { "5" } },
		{ "routes", { "no" } }, { "offload", { "no" } }, { "bpf-offload", { "eth0", "eth1" } },
		{ "bpf-redirect", { "no" } }, { "subscriber-rate", { "50" } }, { "subscriber-burst", { "5" } },
		{ "subscriber-hold-ms", { "0" } }, { "workers", { "4" } }, { "worker-cpus", { "0-3" } }, { "zero-traffic-class", { "yes" } },
		{ "tos", { "32" } },
		{ "ipfix-collector", { "[2001:db8::9]", "4739" } }, { "ipfix-domain", { "7" } },
		{ "ipfix-template-refresh", { "5m" } }, { "ipfix-mtu", { "9000" } }, { "ipfix-events", { "none" } },
	};
	static char help[32768], md[32768], out[65536], out2[65536];
	char err[PLAT_ERR_MAX];
	FILE *f = fmemopen(help, sizeof(help) - 1, "w");
	settings_help(&plat_settings_table, f);
	fclose(f);
	f = fmemopen(md, sizeof(md) - 1, "w");
	settings_markdown(&plat_settings_table, f);
	fclose(f);
	assert_int_equal(plat_settings_table.n, sizeof(examples) / sizeof(examples[0]));
	plat_settings_init(&s);
	for (size_t i = 0; i < plat_settings_table.n; i++) {
		const struct setting *e = &plat_settings_table.s[i];
		char flag[96], row[64];
		int nval = 0, max = 0;
		assert_string_equal(examples[i].key, e->key); /* an example for each key, in table order */
		while (nval < 3 && examples[i].val[nval])
			nval++;
		assert_int_equal(plat_settings_arity(e->key, &max), (int)e->nval);
		assert_true(nval >= (int)e->nval && nval <= max);
		if (plat_settings_set(&s, e->key, examples[i].val, nval, err, sizeof(err)) < 0) {
			fprintf(stderr, "%s: %s\n", e->key, err);
			fail();
		}
		snprintf(flag, sizeof(flag), "  --%s %s", e->key, e->syntax);
		snprintf(row, sizeof(row), "| `%s ", e->key);
		assert_non_null(strstr(help, flag));
		assert_non_null(strstr(md, row));
		assert_non_null(e->doc);
		assert_non_null(e->dflt);
	}
	size_t n = plat_settings_format(&s, out, sizeof(out));
	assert_true(n < sizeof(out));
	for (size_t i = 0; i < plat_settings_table.n; i++) {
		char line[64];
		snprintf(line, sizeof(line), "\n%s ", plat_settings_table.s[i].key);
		if (i == 0)
			assert_memory_equal(out, line + 1, strlen(line + 1));
		else
			assert_non_null(strstr(out, line));
	}
	assert_int_equal(parse(&s2, out, err), 0);
	plat_settings_format(&s2, out2, sizeof(out2));
	assert_string_equal(out, out2);

	/* a reload: the keys marked restart keep their running values, the others take the new ones */
	assert_int_equal(parse(&s2, "tun a\ncontrol /a.sock\nbpf-offload eth0 eth1\nreassembly-max 4\nworkers 2\n"
				    "mtu4 1400\n", err), 0);
	assert_int_equal(parse(&s, "tun b\ncontrol /a.sock\nbpf-offload eth2\nreassembly-max 8\nworkers 2\n"
				   "mtu4 1300\nmode stateless\n", err), 0);
	char kept[128];
	assert_int_equal(settings_keep_restart(&plat_settings_table, &s, &s2, kept, sizeof(kept)), 4);
	assert_string_equal(kept, "tun, mode, reassembly-max, bpf-offload");
	assert_string_equal(s.tun, "a");
	assert_int_equal(s.mode, PLAT_STATEFUL);
	assert_int_equal(s.nbpf_ifs, 2);
	assert_string_equal(s.bpf_ifs[1], "eth1");
	assert_int_equal(s.xcfg.reasm_max, 4);
	assert_int_equal(s.xcfg.mtu4, 1300); /* live: the new value */
	/* a flag after a longer file value leaves nothing behind that would look like a change */
	assert_int_equal(parse(&s, "tun longer-name\ncontrol /a/longer.sock\nbpf-offload eth0 eth1 eth2\n", err), 0);
	const char *v1[] = { "a" }, *v2[] = { "/a.sock" }, *v3[] = { "eth0", "eth1" };
	assert_int_equal(plat_settings_set(&s, "tun", v1, 1, err, sizeof(err)), 0);
	assert_int_equal(plat_settings_set(&s, "control", v2, 1, err, sizeof(err)), 0);
	assert_int_equal(plat_settings_set(&s, "bpf-offload", v3, 2, err, sizeof(err)), 0);
	s.xcfg.reasm_max = 4;
	s.workers = 2;
	assert_int_equal(settings_keep_restart(&plat_settings_table, &s, &s2, kept, sizeof(kept)), 0);
}

/* workers N: 1 to 16, stateful only (the stateless pool leases whole addresses from one table). */
static void test_workers(void **state)
{
	char err[PLAT_ERR_MAX] = "";
	plat_settings_init(&s);
	assert_int_equal(s.workers, 1);
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\npool4 203.0.113.0/28\nworkers 16\n", err), 0);
	assert_int_equal(s.workers, 16);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), 0);
	expect_error("workers 0\n", "plat.conf:1: workers: '0' is not a number from 1 to 16");
	expect_error("workers 17\n", "'17' is not a number from 1 to 16");
	assert_int_equal(parse(&s, "mode stateless\npool6 64:ff9b::/96\npool4 203.0.113.0/28\nworkers 2\n", err), 0);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "workers 2 needs mode stateful"));
	assert_int_equal(parse(&s, "mode stateless\npool6 64:ff9b::/96\npool4 203.0.113.0/28\nworkers 1\n", err), 0);
	assert_int_equal(plat_settings_finish(&s, err, sizeof(err)), 0);
}

static void test_event_lines(void **state)
{
	char line[256];
	struct nat64_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = NAT64_EV_BIB_ADD;
	ev.proto = NAT64_TCP;
	t_v6("2001:db8::10", ev.v6);
	ev.port6 = 40000;
	t_v4("198.51.100.1", ev.v4);
	ev.port4 = 61001;
	plat_evlog_format(line, sizeof(line), &ev, 64);
	assert_string_equal(line, "nat64 bib-add tcp 2001:db8::10#40000 198.51.100.1#61001");
	ev.kind = NAT64_EV_SESSION_DEL;
	t_v4("203.0.113.2", ev.remote4);
	ev.remote_port = 80;
	plat_evlog_format(line, sizeof(line), &ev, 64);
	assert_string_equal(line, "nat64 session-del tcp 2001:db8::10#40000 198.51.100.1#61001 203.0.113.2#80");
	ev.kind = NAT64_EV_BIB_ADD;
	ev.proto = NAT64_ICMP;
	ev.is_static = true;
	plat_evlog_format(line, sizeof(line), &ev, 64);
	assert_string_equal(line, "nat64 bib-add icmp 2001:db8::10#40000 198.51.100.1#61001 static");
	ev.kind = NAT64_EV_BLOCK_ADD;
	t_v6("2001:db8:1::", ev.v6);
	ev.port4 = 61000;
	ev.port4_last = 61127;
	plat_evlog_format(line, sizeof(line), &ev, 64);
	assert_string_equal(line, "nat64 block-add 2001:db8:1::/64 198.51.100.1#61000-61127");
	plat_evlog_format_lease(line, sizeof(line), false, ev.v6, ev.v4);
	assert_string_equal(line, "nat64 lease-del 2001:db8:1:: 198.51.100.1");
	/* the alarms */
	struct nat64_event al = ev;
	al.kind = NAT64_EV_QUOTA_EXCEEDED;
	al.quota = NAT64_QUOTA_SESSIONS_PER_SUBSCRIBER;
	al.limit = 5;
	plat_evlog_format(line, sizeof(line), &al, 64);
	assert_string_equal(line, "nat64 quota-exceeded max-sessions-per-subscriber 5 2001:db8:1::/64");
	al.quota = NAT64_QUOTA_SESSIONS;
	al.limit = 262144;
	plat_evlog_format(line, sizeof(line), &al, 64);
	assert_string_equal(line, "nat64 quota-exceeded max-sessions 262144");
	al.kind = NAT64_EV_PORTS_EXHAUSTED;
	plat_evlog_format(line, sizeof(line), &al, 64);
	assert_string_equal(line, "nat64 ports-exhausted 198.51.100.1");
	al.kind = NAT64_EV_ADDRS_EXHAUSTED;
	plat_evlog_format(line, sizeof(line), &al, 64);
	assert_string_equal(line, "nat64 addresses-exhausted");

	/* to a file: timestamped, buffered until flushed */
	char path[] = "/tmp/test_plat_evlog.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct plat_evlog l;
	memset(&l, 0, sizeof(l));
	l.subscriber_len = 64;
	assert_int_equal(plat_evlog_open(&l, path), 0);
	plat_evlog_lease(&l, true, ev.v6, ev.v4, 0);
	plat_evlog_nat64(&l, &ev);
	plat_evlog_close(&l);
	assert_int_equal(l.lines, 2);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char got[256];
	assert_non_null(fgets(got, sizeof(got), f));
	/* 2026-11-22T10:00:00.123Z nat64 lease-add ... */
	assert_int_equal(strlen(got), 25 + strlen("nat64 lease-add 2001:db8:1:: 198.51.100.1\n"));
	assert_int_equal(got[4], '-');
	assert_int_equal(got[10], 'T');
	assert_int_equal(got[19], '.');
	assert_int_equal(got[23], 'Z');
	assert_string_equal(got + 25, "nat64 lease-add 2001:db8:1:: 198.51.100.1\n");
	assert_non_null(fgets(got, sizeof(got), f));
	assert_string_equal(got + 25, "nat64 block-add 2001:db8:1::/64 198.51.100.1#61000-61127\n");
	fclose(f);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_comments_and_hash_ports),
		cmocka_unit_test(test_finish_checks),
		cmocka_unit_test(test_bpf_offload),
		cmocka_unit_test(test_tos_options),
		cmocka_unit_test(test_reassembly_settings),
		cmocka_unit_test(test_syn4_settings),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_ipfix_settings),
		cmocka_unit_test(test_set_arity),
		cmocka_unit_test(test_table_is_the_description),
		cmocka_unit_test(test_workers),
		cmocka_unit_test(test_event_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
