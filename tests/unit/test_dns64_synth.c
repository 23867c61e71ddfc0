/* The selective DNS64's decisions (lib/dns64/dns64_synth.c), its messages through ldns
 * (src/dns64/dns64_msg.c, compiled in), its settings and dhcp4's clients file lines. Test names say
 * the RFC 6147 section they check. Addresses are documentation ones. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <ldns/ldns.h>

#include "../../src/dns64/dns64_msg.c"
#include "../../src/dns64/dns64_settings.c"
#include "../../src/common/settings_table.c"
#include "../../src/common/value_parse.c"
#include "dhcp4/dhcp4_clients.h"
#include "testutil.h"

static const struct xlat_prefix6 WKP = { { 0x00, 0x64, 0xff, 0x9b }, 96 };

static void test_classify_by_option108(void **st)
{
	assert_int_equal(dns64_classify(true, true, true), DNS64_CLIENT_CLAT);
	assert_int_equal(dns64_classify(true, true, false), DNS64_CLIENT_NO_CLAT);
	assert_int_equal(dns64_classify(true, false, false), DNS64_CLIENT_UNKNOWN);
	assert_int_equal(dns64_classify(false, true, true), DNS64_CLIENT_UNKNOWN);
	assert_false(dns64_client_synthesizes(DNS64_CLIENT_CLAT, DNS64_UNKNOWN_SYNTHESIZE));
	assert_true(dns64_client_synthesizes(DNS64_CLIENT_NO_CLAT, DNS64_UNKNOWN_PASS));
	assert_true(dns64_client_synthesizes(DNS64_CLIENT_UNKNOWN, DNS64_UNKNOWN_SYNTHESIZE));
	assert_false(dns64_client_synthesizes(DNS64_CLIENT_UNKNOWN, DNS64_UNKNOWN_PASS));
}

static enum dns64_aaaa_action decide(uint8_t rcode, unsigned aaaa, unsigned excl, bool cd, bool dok,
				     enum dns64_pass_reason *why)
{
	struct dns64_aaaa_facts f = { .rcode = rcode, .aaaa = aaaa, .aaaa_excluded = excl, .cd = cd, .dok = dok };
	return dns64_aaaa_decide(&f, why);
}

static void test_rfc6147_5_1_1_real_aaaa_passes(void **st)
{
	enum dns64_pass_reason why;
	assert_int_equal(decide(0, 1, 0, false, false, &why), DNS64_PASS);
	assert_int_equal(why, DNS64_PASS_REAL_AAAA);
}

static void test_rfc6147_5_1_2_nxdomain_and_other_rcodes(void **st)
{
	enum dns64_pass_reason why;
	assert_int_equal(decide(DNS64_RCODE_NXDOMAIN, 0, 0, false, false, &why), DNS64_PASS);
	assert_int_equal(why, DNS64_PASS_NXDOMAIN);
	/* SERVFAIL, even with records, counts as an empty answer */
	assert_int_equal(decide(DNS64_RCODE_SERVFAIL, 1, 0, false, false, &why), DNS64_SYNTHESIZE);
}

static void test_rfc6147_5_1_3_empty_answer_synthesizes(void **st)
{
	enum dns64_pass_reason why;
	assert_int_equal(decide(0, 0, 0, false, false, &why), DNS64_SYNTHESIZE);
}

static void test_rfc6147_5_1_4_exclusion(void **st)
{
	enum dns64_pass_reason why;
	struct dns64_exclude ex = { 1, { { { 0x20, 0x01, 0x0d, 0xb8, 0x0b, 0xad }, 48 } } };
	uint8_t mapped[16] = { [10] = 0xff, [11] = 0xff, [12] = 192, [13] = 0, [14] = 2, [15] = 1 };
	uint8_t in[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x0b, 0xad, [15] = 1 };
	uint8_t out[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x02, [15] = 1 };
	assert_true(dns64_excluded(NULL, mapped)); /* ::ffff:0:0/96 always */
	assert_true(dns64_excluded(&ex, in));
	assert_false(dns64_excluded(&ex, out));
	assert_int_equal(decide(0, 2, 2, false, false, &why), DNS64_SYNTHESIZE);
	assert_int_equal(decide(0, 2, 1, false, false, &why), DNS64_PASS_FILTERED);
}

static void test_rfc6147_5_1_7_ttl(void **st)
{
	assert_int_equal(dns64_synth_ttl(300, true, 60), 60);
	assert_int_equal(dns64_synth_ttl(30, true, 60), 30);
	assert_int_equal(dns64_synth_ttl(3600, false, 0), DNS64_SYNTH_TTL_NO_SOA);
	assert_int_equal(dns64_synth_ttl(0x80000000u, true, 60), 0); /* RFC 2181 section 8 */
}

static void test_rfc6147_5_5_dnssec(void **st)
{
	enum dns64_pass_reason why;
	assert_int_equal(decide(0, 0, 0, true, true, &why), DNS64_PASS);
	assert_int_equal(why, DNS64_PASS_CD_DO);
	assert_int_equal(decide(0, 0, 0, false, true, &why), DNS64_SYNTHESIZE);
	assert_int_equal(decide(0, 0, 0, true, false, &why), DNS64_SYNTHESIZE);
}

static void test_rfc6147_5_3_1_ptr_target(void **st)
{
	char out[DNS64_NAME_MAX];
	/* 64:ff9b::c000:20a = 64:ff9b::192.0.2.10 */
	const char *n = "a.0.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa.";
	assert_true(dns64_ptr_target(&WKP, n, out, sizeof(out)));
	assert_string_equal(out, "10.2.0.192.in-addr.arpa.");
	assert_true(dns64_ptr_target(&WKP, "A.0.2.0.0.0.0.C.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.B.9.F.F.4.6.0.0.IP6.ARPA", out,
				     sizeof(out)));
	/* outside the prefix, short, or not a nibble */
	assert_false(dns64_ptr_target(&WKP, "a.0.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.", out,
				      sizeof(out)));
	assert_false(dns64_ptr_target(&WKP, "4.6.0.0.ip6.arpa.", out, sizeof(out)));
	assert_false(dns64_ptr_target(&WKP, "x.0.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa.",
				      out, sizeof(out)));
}

static void test_rfc8880_ipv4only(void **st)
{
	assert_true(dns64_is_ipv4only("ipv4only.arpa."));
	assert_true(dns64_is_ipv4only("IPv4Only.Arpa"));
	assert_false(dns64_is_ipv4only("x.ipv4only.arpa."));
}

/* An upstream answer written with ldns from text records. */
static uint8_t *answer_wire(const char *qname, ldns_rr_type qt, uint8_t rcode, const char *const *an, int nan,
			    const char *soa, size_t *len)
{
	ldns_pkt *p = ldns_pkt_query_new(ldns_dname_new_frm_str(qname), qt, LDNS_RR_CLASS_IN, LDNS_RD);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_id(p, 7);
	ldns_pkt_set_rcode(p, rcode);
	for (int i = 0; i < nan; i++) {
		ldns_rr *rr = NULL;
		assert_int_equal(ldns_rr_new_frm_str(&rr, an[i], 0, NULL, NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_ANSWER, rr);
	}
	if (soa) {
		ldns_rr *rr = NULL;
		assert_int_equal(ldns_rr_new_frm_str(&rr, soa, 0, NULL, NULL), LDNS_STATUS_OK);
		ldns_pkt_push_rr(p, LDNS_SECTION_AUTHORITY, rr);
	}
	uint8_t *w = NULL;
	assert_int_equal(ldns_pkt2wire(&w, p, len), LDNS_STATUS_OK);
	ldns_pkt_free(p);
	return w;
}

static struct dns64_q client_query(const char *name, uint16_t type)
{
	struct dns64_q q;
	size_t len;
	struct dns64_q proto = { .rd = true };
	uint8_t *w = dns64_msg_build_query(name, type, &proto, 0x4242, &len);
	assert_non_null(w);
	assert_int_equal(dns64_msg_query(w, len, &q), DNS64_DROP_NONE);
	free(w);
	assert_int_equal(q.id, 0x4242);
	return q;
}

static void test_rfc6147_5_1_5_synthesis_keeps_cname_chain(void **st)
{
	struct dns64_q q = client_query("cname.example.", LDNS_RR_TYPE_AAAA);
	const char *an[] = { "cname.example. 300 IN CNAME v4only.example.", "v4only.example. 300 IN A 192.0.2.10" };
	size_t alen, olen;
	unsigned n;
	bool bad;
	uint8_t *a = answer_wire("cname.example.", LDNS_RR_TYPE_A, 0, an, 2, NULL, &alen);
	uint8_t *w = dns64_msg_synth(&q, a, alen, &WKP, true, 60, &n, &bad, &olen);
	assert_non_null(w);
	assert_int_equal(n, 1);
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, w, olen), LDNS_STATUS_OK);
	assert_int_equal(ldns_pkt_id(p), 0x4242);
	assert_false(ldns_pkt_ad(p));
	ldns_rr_list *l = ldns_pkt_answer(p);
	assert_int_equal(ldns_rr_list_rr_count(l), 2);
	assert_int_equal(ldns_rr_get_type(ldns_rr_list_rr(l, 0)), LDNS_RR_TYPE_CNAME);
	ldns_rr *aaaa = ldns_rr_list_rr(l, 1);
	assert_int_equal(ldns_rr_get_type(aaaa), LDNS_RR_TYPE_AAAA);
	assert_int_equal(ldns_rr_ttl(aaaa), 60); /* min(300, SOA 60): section 5.1.7 */
	static const uint8_t want[16] = { 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 10 };
	assert_memory_equal(ldns_rdf_data(ldns_rr_rdf(aaaa, 0)), want, 16);
	ldns_pkt_free(p);
	free(w);
	free(a);
}

static void test_rfc6147_5_1_6_no_a_keeps_aaaa_answer(void **st)
{
	struct dns64_q q = client_query("v6none.example.", LDNS_RR_TYPE_AAAA);
	size_t alen, olen;
	unsigned n;
	bool bad;
	uint8_t *a = answer_wire("v6none.example.", LDNS_RR_TYPE_A, 0, NULL, 0, NULL, &alen);
	assert_null(dns64_msg_synth(&q, a, alen, &WKP, false, 0, &n, &bad, &olen));
	assert_int_equal(n, 0);
	assert_false(bad);
	free(a);
	a = answer_wire("v6none.example.", LDNS_RR_TYPE_A, DNS64_RCODE_SERVFAIL, NULL, 0, NULL, &alen);
	assert_null(dns64_msg_synth(&q, a, alen, &WKP, false, 0, &n, &bad, &olen));
	free(a);
	/* an answer for another name is not used */
	const char *an[] = { "other.example. 300 IN A 192.0.2.1" };
	a = answer_wire("other.example.", LDNS_RR_TYPE_A, 0, an, 1, NULL, &alen);
	assert_null(dns64_msg_synth(&q, a, alen, &WKP, false, 0, &n, &bad, &olen));
	assert_true(bad);
	free(a);
}

static void test_rfc6147_5_1_4_filtered_answer(void **st)
{
	struct dns64_q q = client_query("mix.example.", LDNS_RR_TYPE_AAAA);
	struct dns64_exclude ex = { 1, { { { 0x20, 0x01, 0x0d, 0xb8, 0x0b, 0xad }, 48 } } };
	const char *an[] = { "mix.example. 300 IN AAAA 2001:db8:bad::1", "mix.example. 300 IN AAAA 2001:db8:2::1" };
	struct dns64_aaaa_facts f;
	bool have_soa;
	uint32_t soa_ttl;
	size_t len, olen;
	uint8_t *r = answer_wire("mix.example.", LDNS_RR_TYPE_AAAA, 0, an, 2, NULL, &len);
	assert_int_equal(dns64_msg_aaaa_facts(r, len, &q, &ex, &f, &have_soa, &soa_ttl), 0);
	assert_int_equal(f.aaaa, 2);
	assert_int_equal(f.aaaa_excluded, 1);
	uint8_t *w = dns64_msg_filtered(r, len, &ex, &olen);
	ldns_pkt *p = NULL;
	assert_int_equal(ldns_wire2pkt(&p, w, olen), LDNS_STATUS_OK);
	assert_int_equal(ldns_rr_list_rr_count(ldns_pkt_answer(p)), 1);
	ldns_pkt_free(p);
	free(w);
	free(r);
}

static void test_rfc6147_5_1_7_soa_read(void **st)
{
	struct dns64_q q = client_query("v4only.example.", LDNS_RR_TYPE_AAAA);
	struct dns64_aaaa_facts f;
	bool have_soa;
	uint32_t soa_ttl;
	size_t len;
	uint8_t *r = answer_wire("v4only.example.", LDNS_RR_TYPE_AAAA, 0, NULL, 0,
				 "example. 45 IN SOA ns.example. admin.example. 1 3600 600 86400 60", &len);
	assert_int_equal(dns64_msg_aaaa_facts(r, len, &q, NULL, &f, &have_soa, &soa_ttl), 0);
	assert_true(have_soa);
	assert_int_equal(soa_ttl, 45);
	assert_int_equal(f.aaaa, 0);
	free(r);
}

static void test_query_drops(void **st)
{
	struct dns64_q q;
	uint8_t resp[12] = { 0x12, 0x34, 0x80 };
	uint8_t noq[12] = { 0x12, 0x34, 0x01 };
	uint8_t cut[14] = { 0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 'a' };
	assert_int_equal(dns64_msg_query(resp, sizeof(resp), &q), DNS64_DROP_NOT_A_QUERY);
	assert_int_equal(dns64_msg_query(noq, sizeof(noq), &q), DNS64_DROP_NO_QUESTION);
	assert_int_equal(q.id, 0x1234);
	assert_int_equal(dns64_msg_query(cut, sizeof(cut), &q), DNS64_DROP_MALFORMED);
	assert_int_equal(dns64_msg_query(cut, 5, &q), DNS64_DROP_MALFORMED);
}

static void test_rfc8880_ipv4only_answer(void **st)
{
	struct dns64_q q = client_query("ipv4only.arpa.", LDNS_RR_TYPE_AAAA);
	size_t len;
	uint8_t *w = dns64_msg_ipv4only(&q, &WKP, &len);
	struct dns64_result res;
	assert_int_equal(dns64_parse_response(w, len, 0x4242, &res), DNS64_OK); /* the CLAT's own parser */
	assert_int_equal(res.nprefix, 1);
	assert_int_equal(res.prefix[0].len, 96);
	free(w);
}

static void test_settings(void **st)
{
	struct dns64_settings s;
	char err[256];
	const char *text = "upstream 2001:db8::53\nprefix 2001:db8:64::/64\nexclude 2001:db8:bad::/48\n"
			   "unknown-clients pass\n";
	dns64_settings_init(&s);
	assert_int_equal(dns64_settings_parse_text(&s, text, strlen(text), "t", err, sizeof(err)), 0);
	assert_int_equal(dns64_settings_finish(&s, err, sizeof(err)), 0);
	assert_int_equal(s.prefix.len, 64);
	assert_int_equal(s.unknown, DNS64_UNKNOWN_PASS);
	assert_int_equal(s.exclude.n, 1);
	const char *badp = "prefix 2001:db8::/60\n";
	assert_int_equal(dns64_settings_parse_text(&s, badp, strlen(badp), "t", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t:1: prefix"));
	dns64_settings_init(&s);
	assert_int_equal(dns64_settings_finish(&s, err, sizeof(err)), -1);
}

static void test_clients_lines(void **st)
{
	uint8_t mac[6], want[6] = { 0, 0, 0x5e, 0, 0x53, 0x21 };
	bool asked;
	char line[DHCP4_CLIENTS_LINE_MAX];
	assert_int_equal(dhcp4_clients_format(want, true, line, sizeof(line)), strlen("00:00:5e:00:53:21 yes\n"));
	assert_int_equal(dhcp4_clients_parse(line, mac, &asked), 1);
	assert_memory_equal(mac, want, 6);
	assert_true(asked);
	assert_int_equal(dhcp4_clients_parse("00:00:5E:00:53:22 no\n", mac, &asked), 1);
	assert_false(asked);
	assert_int_equal(dhcp4_clients_parse("# comment\n", mac, &asked), 0);
	assert_int_equal(dhcp4_clients_parse("00:00:5e:00:53 yes\n", mac, &asked), -1);
	assert_int_equal(dhcp4_clients_parse("00:00:5e:00:53:22 maybe\n", mac, &asked), -1);
	assert_int_equal(dhcp4_clients_parse("00:00:5e:00:53:22 yes x\n", mac, &asked), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify_by_option108),
		cmocka_unit_test(test_rfc6147_5_1_1_real_aaaa_passes),
		cmocka_unit_test(test_rfc6147_5_1_2_nxdomain_and_other_rcodes),
		cmocka_unit_test(test_rfc6147_5_1_3_empty_answer_synthesizes),
		cmocka_unit_test(test_rfc6147_5_1_4_exclusion),
		cmocka_unit_test(test_rfc6147_5_1_7_ttl),
		cmocka_unit_test(test_rfc6147_5_5_dnssec),
		cmocka_unit_test(test_rfc6147_5_3_1_ptr_target),
		cmocka_unit_test(test_rfc8880_ipv4only),
		cmocka_unit_test(test_rfc6147_5_1_5_synthesis_keeps_cname_chain),
		cmocka_unit_test(test_rfc6147_5_1_6_no_a_keeps_aaaa_answer),
		cmocka_unit_test(test_rfc6147_5_1_4_filtered_answer),
		cmocka_unit_test(test_rfc6147_5_1_7_soa_read),
		cmocka_unit_test(test_query_drops),
		cmocka_unit_test(test_rfc8880_ipv4only_answer),
		cmocka_unit_test(test_settings),
		cmocka_unit_test(test_clients_lines),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
