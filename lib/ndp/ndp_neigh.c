/* Neighbor Solicitation and Advertisement (RFC 4861 sections 4.3 and 4.4), validated per sections
 * 7.1.1 and 7.1.2. */
#include <string.h>

#include "common/cursor.h"
#include "ndp_internal.h"

#define NEIGH_TARGET_OFF 8

/* What the NS and NA option walks collect: one link-layer address option of the wanted type. */
struct neigh_walk {
	uint8_t want;      /* NDP_OPT_SOURCE_LLADDR or NDP_OPT_TARGET_LLADDR */
	bool seen;         /* an option of that type was present, whatever its length */
	bool has_lladdr;   /* and the first well-formed one gave this address */
	uint8_t lladdr[6];
};

static void neigh_option(void *arg, uint8_t type, const uint8_t *opt, size_t len)
{
	struct neigh_walk *w = arg;
	if (type != w->want)
		return; /* other options, known or not, do not belong here: skipped */
	w->seen = true;
	if (!w->has_lladdr && ndp_option_lladdr(opt, len, w->lladdr) == NDP_OK)
		w->has_lladdr = true;
}

/* The checks both messages share, in order: length, type, checksum, code, target, option framing. */
static enum ndp_result neigh_common(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg,
				    size_t len, uint8_t want_type, size_t hdr_len)
{
	if (len < hdr_len)
		return NDP_TRUNCATED;
	if (msg[0] != want_type)
		return NDP_BAD_TYPE;
	if (!ndp_checksum_ok(src, dst, msg, len))
		return NDP_BAD_CHECKSUM;
	if (msg[1] != 0)
		return NDP_BAD_CODE;
	if (ndp_is_multicast(msg + NEIGH_TARGET_OFF))
		return NDP_BAD_TARGET;
	return ndp_options_walk(msg + hdr_len, len - hdr_len, NULL, NULL);
}

enum ndp_result ndp_parse_ns(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len,
			     struct ndp_ns *out)
{
	memset(out, 0, sizeof(*out));
	enum ndp_result r = neigh_common(src, dst, msg, len, NDP_ICMP6_NEIGHBOR_SOLICIT, NDP_NS_HDR_LEN);
	if (r != NDP_OK)
		return r;
	struct neigh_walk w = { .want = NDP_OPT_SOURCE_LLADDR };
	ndp_options_walk(msg + NDP_NS_HDR_LEN, len - NDP_NS_HDR_LEN, neigh_option, &w);
	if (ndp_is_unspecified(src)) {
		/* RFC 4861 section 7.1.1: a DAD probe has no source link-layer address option and goes to
		 * a solicited-node multicast address. */
		if (w.seen)
			return NDP_DAD_WITH_LLADDR;
		if (!ndp_is_solicited_node(dst))
			return NDP_DAD_NOT_SOLICITED_NODE;
	}
	memcpy(out->target, msg + NEIGH_TARGET_OFF, 16);
	out->has_src_lladdr = w.has_lladdr;
	if (w.has_lladdr)
		memcpy(out->src_lladdr, w.lladdr, 6);
	return NDP_OK;
}

enum ndp_result ndp_parse_na(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len,
			     struct ndp_na *out)
{
	memset(out, 0, sizeof(*out));
	enum ndp_result r = neigh_common(src, dst, msg, len, NDP_ICMP6_NEIGHBOR_ADVERT, NDP_NA_HDR_LEN);
	if (r != NDP_OK)
		return r;
	uint8_t flags = msg[4];
	if (ndp_is_multicast(dst) && (flags & NDP_NA_FLAG_SOLICITED))
		return NDP_SOLICITED_TO_MULTICAST; /* RFC 4861 section 7.1.2 */
	struct neigh_walk w = { .want = NDP_OPT_TARGET_LLADDR };
	ndp_options_walk(msg + NDP_NA_HDR_LEN, len - NDP_NA_HDR_LEN, neigh_option, &w);
	memcpy(out->target, msg + NEIGH_TARGET_OFF, 16);
	out->router = flags & NDP_NA_FLAG_ROUTER;
	out->solicited = flags & NDP_NA_FLAG_SOLICITED;
	out->override = flags & NDP_NA_FLAG_OVERRIDE;
	out->has_tgt_lladdr = w.has_lladdr;
	if (w.has_lladdr)
		memcpy(out->tgt_lladdr, w.lladdr, 6);
	return NDP_OK;
}

size_t ndp_build_ns(const uint8_t src[16], const uint8_t dst[16], const struct ndp_ns *ns, uint8_t *buf,
		    size_t cap)
{
	bool lladdr = ns->has_src_lladdr && !ndp_is_unspecified(src); /* RFC 4862 section 5.4.2 */
	size_t need = NDP_NS_HDR_LEN + (lladdr ? NDP_LLADDR_OPT_LEN : 0);
	if (need > cap)
		return 0;
	memset(buf, 0, NDP_NS_HDR_LEN);
	buf[0] = NDP_ICMP6_NEIGHBOR_SOLICIT;
	memcpy(buf + NEIGH_TARGET_OFF, ns->target, 16);
	if (lladdr)
		ndp_option_put_lladdr(buf + NDP_NS_HDR_LEN, NDP_OPT_SOURCE_LLADDR, ns->src_lladdr);
	ndp_checksum_fill(src, dst, buf, need);
	return need;
}

size_t ndp_build_na(const uint8_t src[16], const uint8_t dst[16], const struct ndp_na *na, uint8_t *buf,
		    size_t cap)
{
	size_t need = NDP_NA_HDR_LEN + (na->has_tgt_lladdr ? NDP_LLADDR_OPT_LEN : 0);
	if (need > cap)
		return 0;
	memset(buf, 0, NDP_NA_HDR_LEN);
	buf[0] = NDP_ICMP6_NEIGHBOR_ADVERT;
	buf[4] = (uint8_t)((na->router ? NDP_NA_FLAG_ROUTER : 0) | (na->solicited ? NDP_NA_FLAG_SOLICITED : 0) |
			   (na->override ? NDP_NA_FLAG_OVERRIDE : 0));
	memcpy(buf + NEIGH_TARGET_OFF, na->target, 16);
	if (na->has_tgt_lladdr)
		ndp_option_put_lladdr(buf + NDP_NA_HDR_LEN, NDP_OPT_TARGET_LLADDR, na->tgt_lladdr);
	ndp_checksum_fill(src, dst, buf, need);
	return need;
}
