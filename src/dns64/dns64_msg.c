/* DNS messages of `xlat464 dns64` through ldns (dns64_msg.h). */
#include "dns64_msg.h"

#include <ldns/ldns.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum dns64_drop dns64_msg_query(const uint8_t *buf, size_t len, struct dns64_q *q)
{
	ldns_pkt *p = NULL;
	memset(q, 0, sizeof(*q));
	if (len >= 2)
		q->id = (uint16_t)(buf[0] << 8 | buf[1]);
	if (len < LDNS_HEADER_SIZE)
		return DNS64_DROP_MALFORMED;
	if (buf[2] & 0x80)
		return DNS64_DROP_NOT_A_QUERY; /* QR: a response */
	if (ldns_wire2pkt(&p, buf, len) != LDNS_STATUS_OK)
		return DNS64_DROP_MALFORMED;
	enum dns64_drop why = DNS64_DROP_NONE;
	q->opcode = (uint8_t)ldns_pkt_get_opcode(p);
	q->rd = ldns_pkt_rd(p);
	q->cd = ldns_pkt_cd(p);
	q->edns = ldns_pkt_edns(p);
	q->dok = ldns_pkt_edns_do(p);
	q->udp_size = q->edns ? ldns_pkt_edns_udp_size(p) : 0;
	if (ldns_pkt_qdcount(p) != 1 || ldns_rr_list_rr_count(ldns_pkt_question(p)) != 1) {
		why = DNS64_DROP_NO_QUESTION;
	} else {
		ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
		char *name = ldns_rdf2str(ldns_rr_owner(qr));
		if (!name || strlen(name) >= sizeof(q->qname))
			why = DNS64_DROP_MALFORMED;
		else
			snprintf(q->qname, sizeof(q->qname), "%s", name);
		free(name);
		q->qtype = (uint16_t)ldns_rr_get_type(qr);
		q->qclass = (uint16_t)ldns_rr_get_class(qr);
	}
	ldns_pkt_free(p);
	return why;
}

size_t dns64_msg_udp_limit(const struct dns64_q *q)
{
	return q->edns && q->udp_size > DNS64_UDP_MIN ? q->udp_size : DNS64_UDP_MIN;
}

/* Does p's question equal name/type? (case-insensitive, RFC 4343) */
static bool same_question(const ldns_pkt *p, const char *name, uint16_t type)
{
	if (ldns_pkt_qdcount(p) != 1 || ldns_rr_list_rr_count(ldns_pkt_question(p)) != 1)
		return false;
	ldns_rr *qr = ldns_rr_list_rr(ldns_pkt_question(p), 0);
	ldns_rdf *want = ldns_dname_new_frm_str(name);
	bool same = want && ldns_rr_get_type(qr) == type && ldns_dname_compare(ldns_rr_owner(qr), want) == 0;
	ldns_rdf_deep_free(want);
	return same;
}

static const uint8_t *aaaa_data(const ldns_rr *rr)
{
	const ldns_rdf *d = ldns_rr_rd_count(rr) == 1 ? ldns_rr_rdf(rr, 0) : NULL;
	return d && ldns_rdf_size(d) == 16 ? ldns_rdf_data(d) : NULL;
}

int dns64_msg_aaaa_facts(const uint8_t *r, size_t len, const struct dns64_q *q, const struct dns64_exclude *ex,
			 struct dns64_aaaa_facts *f, bool *have_soa, uint32_t *soa_ttl)
{
	ldns_pkt *p = NULL;
	memset(f, 0, sizeof(*f));
	*have_soa = false;
	*soa_ttl = 0;
	if (ldns_wire2pkt(&p, r, len) != LDNS_STATUS_OK)
		return -1;
	if (!ldns_pkt_qr(p) || !same_question(p, q->qname, LDNS_RR_TYPE_AAAA)) {
		ldns_pkt_free(p);
		return -1;
	}
	f->rcode = (uint8_t)ldns_pkt_get_rcode(p);
	f->truncated = ldns_pkt_tc(p);
	f->cd = q->cd;
	f->dok = q->dok;
	ldns_rr_list *an = ldns_pkt_answer(p);
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		const uint8_t *a = ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA ? aaaa_data(rr) : NULL;
		if (!a)
			continue;
		f->aaaa++;
		if (dns64_excluded(ex, a))
			f->aaaa_excluded++;
	}
	ldns_rr_list *ns = ldns_pkt_authority(p);
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(ns, i);
		if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_SOA) {
			*have_soa = true;
			*soa_ttl = ldns_rr_ttl(rr);
			break;
		}
	}
	ldns_pkt_free(p);
	return 0;
}

static uint8_t *to_wire(const ldns_pkt *p, size_t *len)
{
	uint8_t *w = NULL;
	if (ldns_pkt2wire(&w, p, len) != LDNS_STATUS_OK) {
		free(w);
		return NULL;
	}
	return w;
}

uint8_t *dns64_msg_build_query(const char *name, uint16_t type, const struct dns64_q *q, uint16_t id, size_t *len)
{
	ldns_rdf *n = ldns_dname_new_frm_str(name);
	if (!n)
		return NULL;
	ldns_pkt *p = ldns_pkt_query_new(n, (ldns_rr_type)type, LDNS_RR_CLASS_IN, 0);
	if (!p)
		return NULL;
	ldns_pkt_set_id(p, id);
	ldns_pkt_set_rd(p, q->rd);
	ldns_pkt_set_cd(p, q->cd);
	if (q->edns) {
		ldns_pkt_set_edns_udp_size(p, DNS64_EDNS_SIZE);
		ldns_pkt_set_edns_do(p, q->dok);
	}
	uint8_t *w = to_wire(p, len);
	ldns_pkt_free(p);
	return w;
}

/* Does rr sign records of type t? */
static bool rrsig_covers(const ldns_rr *rr, ldns_rr_type t)
{
	if (ldns_rr_get_type(rr) != LDNS_RR_TYPE_RRSIG)
		return false;
	const ldns_rdf *c = ldns_rr_rrsig_typecovered(rr);
	return c && ldns_rdf_size(c) == 2 && ldns_rdf2rr_type(c) == t;
}

uint8_t *dns64_msg_filtered(const uint8_t *r, size_t len, const struct dns64_exclude *ex, size_t *outlen)
{
	ldns_pkt *p = NULL;
	if (ldns_wire2pkt(&p, r, len) != LDNS_STATUS_OK)
		return NULL;
	ldns_rr_list *an = ldns_pkt_answer(p), *keep = ldns_rr_list_new();
	for (size_t i = 0; keep && i < ldns_rr_list_rr_count(an); i++) {
		ldns_rr *rr = ldns_rr_list_rr(an, i);
		const uint8_t *a = ldns_rr_get_type(rr) == LDNS_RR_TYPE_AAAA ? aaaa_data(rr) : NULL;
		/* the signature covered the whole RRset: without some of it, it no longer verifies */
		if ((a && dns64_excluded(ex, a)) || rrsig_covers(rr, LDNS_RR_TYPE_AAAA))
			ldns_rr_free(rr);
		else
			ldns_rr_list_push_rr(keep, rr);
	}
	if (!keep) {
		ldns_pkt_free(p);
		return NULL;
	}
	ldns_rr_list_free(an); /* the records moved to keep or were freed */
	ldns_pkt_set_answer(p, keep);
	ldns_pkt_set_ancount(p, (uint16_t)ldns_rr_list_rr_count(keep));
	ldns_pkt_set_ad(p, false);
	uint8_t *w = to_wire(p, outlen);
	ldns_pkt_free(p);
	return w;
}

/* A response to q: its ID, question, RD and CD, QR and RA set, EDNS when q had it. */
static ldns_pkt *answer_for(const struct dns64_q *q, uint16_t qtype)
{
	ldns_rdf *n = ldns_dname_new_frm_str(q->qname);
	if (!n)
		return NULL;
	ldns_pkt *p = ldns_pkt_query_new(n, (ldns_rr_type)qtype, (ldns_rr_class)q->qclass, 0);
	if (!p)
		return NULL;
	ldns_pkt_set_id(p, q->id);
	ldns_pkt_set_qr(p, true);
	ldns_pkt_set_rd(p, q->rd);
	ldns_pkt_set_cd(p, q->cd);
	ldns_pkt_set_ra(p, true);
	if (q->edns) {
		ldns_pkt_set_edns_udp_size(p, DNS64_EDNS_SIZE);
		ldns_pkt_set_edns_do(p, q->dok);
	}
	return p;
}

static bool push(ldns_pkt *p, ldns_pkt_section s, ldns_rr *rr)
{
	if (!rr)
		return false;
	if (!ldns_pkt_push_rr(p, s, rr)) {
		ldns_rr_free(rr);
		return false;
	}
	return true;
}

static ldns_rr *make_addr_rr(const ldns_rdf *owner, const char *owner_str, ldns_rr_type t, uint32_t ttl,
			     const uint8_t *addr)
{
	ldns_rr *rr = ldns_rr_new(); /* ldns_rr_new_frm_type would leave an empty rdata slot */
	if (!rr)
		return NULL;
	ldns_rr_set_type(rr, t);
	ldns_rdf *o = owner ? ldns_rdf_clone(owner) : ldns_dname_new_frm_str(owner_str);
	ldns_rdf *d = ldns_rdf_new_frm_data(t == LDNS_RR_TYPE_AAAA ? LDNS_RDF_TYPE_AAAA : LDNS_RDF_TYPE_A,
					    t == LDNS_RR_TYPE_AAAA ? 16 : 4, addr);
	if (!o || !d) {
		ldns_rdf_deep_free(o);
		ldns_rdf_deep_free(d);
		ldns_rr_free(rr);
		return NULL;
	}
	ldns_rr_set_owner(rr, o);
	ldns_rr_set_ttl(rr, ttl);
	ldns_rr_set_class(rr, LDNS_RR_CLASS_IN);
	ldns_rr_push_rdf(rr, d);
	return rr;
}

uint8_t *dns64_msg_synth(const struct dns64_q *q, const uint8_t *a, size_t alen, const struct xlat_prefix6 *prefix,
			 bool have_soa, uint32_t soa_ttl, unsigned *nsynth, bool *unparsable, size_t *outlen)
{
	ldns_pkt *ap = NULL, *out = NULL;
	uint8_t *w = NULL;
	*nsynth = 0;
	*unparsable = false;
	if (ldns_wire2pkt(&ap, a, alen) != LDNS_STATUS_OK || !ldns_pkt_qr(ap) ||
	    !same_question(ap, q->qname, LDNS_RR_TYPE_A)) {
		*unparsable = true;
		goto done;
	}
	/* Section 5.1.6: an A answer with an error, or without an A record, gives nothing to synthesize */
	if (ldns_pkt_get_rcode(ap) != LDNS_RCODE_NOERROR)
		goto done;
	ldns_rr_list *an = ldns_pkt_answer(ap);
	out = answer_for(q, LDNS_RR_TYPE_AAAA);
	if (!out)
		goto done;
	unsigned made = 0;
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++) {
		const ldns_rr *rr = ldns_rr_list_rr(an, i);
		ldns_rr_type t = ldns_rr_get_type(rr);
		if (t == LDNS_RR_TYPE_A) {
			const ldns_rdf *d = ldns_rr_rd_count(rr) == 1 ? ldns_rr_rdf(rr, 0) : NULL;
			uint8_t v6[16];
			if (!d || ldns_rdf_size(d) != 4)
				continue;
			dns64_synth_addr(prefix, ldns_rdf_data(d), v6);
			/* Section 5.1.7: the smaller of the A record's TTL and the negative answer's SOA */
			if (push(out, LDNS_SECTION_ANSWER, make_addr_rr(ldns_rr_owner(rr), NULL, LDNS_RR_TYPE_AAAA,
									 dns64_synth_ttl(ldns_rr_ttl(rr), have_soa, soa_ttl), v6)))
				made++;
		} else if (t == LDNS_RR_TYPE_CNAME || t == LDNS_RR_TYPE_DNAME ||
			   (q->dok && (rrsig_covers(rr, LDNS_RR_TYPE_CNAME) || rrsig_covers(rr, LDNS_RR_TYPE_DNAME)))) {
			/* Section 5.1.5: the chain that led to the A records stays; section 5.5: its
			 * signatures still verify, those of the A records would not */
			push(out, LDNS_SECTION_ANSWER, ldns_rr_clone(rr));
		}
	}
	if (!made)
		goto done;
	ldns_pkt_set_ad(out, false); /* section 5.5: synthesized data is not validated data */
	w = to_wire(out, outlen);
	if (w)
		*nsynth = made;
done:
	ldns_pkt_free(ap);
	ldns_pkt_free(out);
	return w;
}

uint8_t *dns64_msg_ptr(const struct dns64_q *q, const char *target, const uint8_t *pw, size_t plen, size_t *outlen)
{
	ldns_pkt *pp = NULL, *out = NULL;
	uint8_t *w = NULL;
	if (ldns_wire2pkt(&pp, pw, plen) != LDNS_STATUS_OK || !ldns_pkt_qr(pp) ||
	    !same_question(pp, target, LDNS_RR_TYPE_PTR))
		goto done;
	out = answer_for(q, q->qtype);
	if (!out)
		goto done;
	ldns_rr_list *an = ldns_pkt_answer(pp), *ns = ldns_pkt_authority(pp);
	/* the CNAME lives as long as what it leads to, or 600 s (section 5.1.7's figure) without it */
	uint32_t ttl = DNS64_SYNTH_TTL_NO_SOA;
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++)
		if (ldns_rr_ttl(ldns_rr_list_rr(an, i)) < ttl)
			ttl = ldns_rr_ttl(ldns_rr_list_rr(an, i));
	ldns_rr *cn = ldns_rr_new();
	ldns_rdf *o = ldns_dname_new_frm_str(q->qname), *t = ldns_dname_new_frm_str(target);
	if (!cn || !o || !t) {
		ldns_rr_free(cn);
		ldns_rdf_deep_free(o);
		ldns_rdf_deep_free(t);
		goto done;
	}
	ldns_rr_set_type(cn, LDNS_RR_TYPE_CNAME);
	ldns_rr_set_owner(cn, o);
	ldns_rr_set_ttl(cn, ttl);
	ldns_rr_set_class(cn, LDNS_RR_CLASS_IN);
	ldns_rr_push_rdf(cn, t);
	push(out, LDNS_SECTION_ANSWER, cn);
	for (size_t i = 0; i < ldns_rr_list_rr_count(an); i++)
		push(out, LDNS_SECTION_ANSWER, ldns_rr_clone(ldns_rr_list_rr(an, i)));
	for (size_t i = 0; i < ldns_rr_list_rr_count(ns); i++)
		push(out, LDNS_SECTION_AUTHORITY, ldns_rr_clone(ldns_rr_list_rr(ns, i)));
	ldns_pkt_set_rcode(out, (uint8_t)ldns_pkt_get_rcode(pp));
	ldns_pkt_set_ad(out, false);
	w = to_wire(out, outlen);
done:
	ldns_pkt_free(pp);
	ldns_pkt_free(out);
	return w;
}

uint8_t *dns64_msg_ipv4only(const struct dns64_q *q, const struct xlat_prefix6 *prefix, size_t *outlen)
{
	ldns_pkt *out = answer_for(q, q->qtype);
	if (!out)
		return NULL;
	ldns_pkt_set_aa(out, true);
	for (int i = 0; i < 2 && q->qclass == LDNS_RR_CLASS_IN; i++) {
		uint8_t v6[16];
		if (q->qtype == LDNS_RR_TYPE_A) {
			push(out, LDNS_SECTION_ANSWER, make_addr_rr(NULL, q->qname, LDNS_RR_TYPE_A, DNS64_IPV4ONLY_TTL,
								    dns64_ipv4only_addrs[i]));
		} else if (q->qtype == LDNS_RR_TYPE_AAAA) {
			dns64_synth_addr(prefix, dns64_ipv4only_addrs[i], v6);
			push(out, LDNS_SECTION_ANSWER, make_addr_rr(NULL, q->qname, LDNS_RR_TYPE_AAAA, DNS64_IPV4ONLY_TTL, v6));
		}
	}
	uint8_t *w = to_wire(out, outlen);
	ldns_pkt_free(out);
	return w;
}

uint8_t *dns64_msg_empty(const struct dns64_q *q, uint8_t rcode, bool tc, size_t *outlen)
{
	ldns_pkt *out = answer_for(q, q->qtype);
	if (!out)
		return NULL;
	ldns_pkt_set_rcode(out, rcode);
	ldns_pkt_set_tc(out, tc);
	uint8_t *w = to_wire(out, outlen);
	ldns_pkt_free(out);
	return w;
}

void dns64_msg_header_error(uint16_t id, uint8_t rcode, uint8_t out[12])
{
	memset(out, 0, 12);
	out[0] = (uint8_t)(id >> 8);
	out[1] = (uint8_t)id;
	out[2] = 0x80; /* QR */
	out[3] = rcode & 0x0f;
}
