/* libFuzzer target for the DNS64's message handling (src/dns64/dns64_msg.c, through ldns): the bytes
 * are a client's query; when it parses, the same bytes are also taken as the upstream's AAAA, A and
 * PTR answers, and every answer dns64 writes must parse again with ldns and carry the client's ID. */
#include <ldns/ldns.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns64/dns64_msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "fz_check.h"

static const struct xlat_prefix6 WKP = { { 0x00, 0x64, 0xff, 0x9b }, 96 };

static void check_answer(uint8_t *w, size_t len, uint16_t id)
{
	ldns_pkt *p = NULL;
	if (!w)
		return;
	FZ_CHECK(len >= 12);
	FZ_CHECK(ldns_wire2pkt(&p, w, len) == LDNS_STATUS_OK);
	FZ_CHECK(ldns_pkt_id(p) == id);
	FZ_CHECK(ldns_pkt_qr(p));
	ldns_pkt_free(p);
	free(w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns64_q q;
	struct dns64_aaaa_facts f;
	struct dns64_exclude ex = { 1, { { { 0x20, 0x01, 0x0d, 0xb8 }, 32 } } };
	bool have_soa = false, bad;
	uint32_t soa_ttl = 0;
	unsigned n;
	size_t len;
	char target[DNS64_NAME_MAX];
	uint8_t *w;

	if (dns64_msg_query(data, size, &q) != DNS64_DROP_NONE)
		return 0;
	w = dns64_msg_empty(&q, DNS64_RCODE_SERVFAIL, true, &len);
	check_answer(w, len, q.id);
	w = dns64_msg_ipv4only(&q, &WKP, &len);
	check_answer(w, len, q.id);
	if (dns64_msg_aaaa_facts(data, size, &q, &ex, &f, &have_soa, &soa_ttl) == 0) {
		enum dns64_pass_reason why;
		(void)dns64_aaaa_decide(&f, &why);
	}
	w = dns64_msg_filtered(data, size, &ex, &len);
	if (w) {
		ldns_pkt *p = NULL;
		FZ_CHECK(ldns_wire2pkt(&p, w, len) == LDNS_STATUS_OK);
		ldns_pkt_free(p);
		free(w);
	}
	w = dns64_msg_synth(&q, data, size, &WKP, have_soa, soa_ttl, &n, &bad, &len);
	FZ_CHECK(!w || n > 0);
	check_answer(w, len, q.id);
	if (dns64_ptr_target(&WKP, q.qname, target, sizeof(target))) {
		w = dns64_msg_ptr(&q, target, data, size, &len);
		check_answer(w, len, q.id);
	}
	w = dns64_msg_ptr(&q, q.qname, data, size, &len);
	check_answer(w, len, q.id);
	w = dns64_msg_build_query(q.qname, DNS64_TYPE_A, &q, 9, &len);
	if (w) {
		struct dns64_q back;
		FZ_CHECK(dns64_msg_query(w, len, &back) == DNS64_DROP_NONE);
		FZ_CHECK(back.id == 9 && back.qtype == DNS64_TYPE_A);
		free(w);
	}
	return 0;
}
