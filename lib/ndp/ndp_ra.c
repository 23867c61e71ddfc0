/* Router Advertisement (RFC 4861 section 4.2), validated per section 6.1.2. */
#include <string.h>

#include "common/cursor.h"
#include "ndp_internal.h"

/* Records an option skipped as malformed (see "Option handling" in ndp.h). */
static void ra_ignore(struct ndp_ra *ra, enum ndp_result why)
{
	if (ra->nignored++ == 0)
		ra->ignored_reason = why;
}

/* ---- one small function per option, each with its exact length check ------------------------ */

static enum ndp_result ra_opt_src_lladdr(struct ndp_ra *ra, const uint8_t *opt, size_t len)
{
	uint8_t mac[6];
	enum ndp_result r = ndp_option_lladdr(opt, len, mac);
	if (r == NDP_OK && !ra->has_src_lladdr) {
		memcpy(ra->src_lladdr, mac, 6);
		ra->has_src_lladdr = true;
	}
	return r;
}

static enum ndp_result ra_opt_mtu(struct ndp_ra *ra, const uint8_t *opt, size_t len)
{
	if (len != NDP_MTU_OPT_LEN)
		return NDP_BAD_OPTION_LENGTH;
	if (!ra->has_mtu) {
		ra->mtu = be32_at(opt + 4); /* after type, length and 2 reserved bytes */
		ra->has_mtu = true;
	}
	return NDP_OK;
}

/* RFC 4861 section 4.6.2: type, length, prefix length, L|A flags, valid, preferred, reserved2, prefix. */
static enum ndp_result ra_opt_prefix(struct ndp_ra *ra, const uint8_t *opt, size_t len)
{
	if (len != NDP_PIO_OPT_LEN)
		return NDP_BAD_OPTION_LENGTH;
	if (opt[2] > 128)
		return NDP_BAD_PREFIX_LENGTH;
	if (ra->nprefix >= NDP_MAX_PREFIX)
		return NDP_LIST_FULL;
	struct ndp_prefix_info *p = &ra->prefix[ra->nprefix++];
	p->len = opt[2];
	p->onlink = opt[3] & NDP_PIO_FLAG_ONLINK;
	p->autonomous = opt[3] & NDP_PIO_FLAG_AUTONOMOUS;
	p->valid = be32_at(opt + 4);
	p->preferred = be32_at(opt + 8);
	memcpy(p->prefix, opt + 16, 16);
	for (unsigned b = p->len; b < 128; b++) /* "ignored by the receiver" */
		p->prefix[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	return NDP_OK;
}

/* RFC 8106 section 5.1: type, length (3 + 2 per extra address), reserved, lifetime, addresses. */
static enum ndp_result ra_opt_rdnss(struct ndp_ra *ra, const uint8_t *opt, size_t len)
{
	if (len < NDP_RDNSS_HDR_LEN + 16 || (len - NDP_RDNSS_HDR_LEN) % 16 != 0)
		return NDP_BAD_OPTION_LENGTH;
	uint32_t lifetime = be32_at(opt + 4);
	unsigned before = ra->nrdnss;
	size_t off = NDP_RDNSS_HDR_LEN;
	for (; off < len && ra->nrdnss < NDP_MAX_RDNSS; off += 16)
		memcpy(ra->rdnss[ra->nrdnss++], opt + off, 16);
	/* One lifetime for the whole list: the smallest of the options that gave an address, so that
	 * no address outlives its option. */
	if (ra->nrdnss > before && (before == 0 || lifetime < ra->rdnss_lifetime))
		ra->rdnss_lifetime = lifetime;
	return off < len ? NDP_LIST_FULL : NDP_OK;
}

static enum ndp_result ra_opt_pref64(struct ndp_ra *ra, const uint8_t *opt, size_t len)
{
	if (len != NDP_PREF64_OPT_LEN)
		return NDP_BAD_OPTION_LENGTH; /* RFC 8781 section 4: ignore unless Length is 2 */
	struct ndp_pref64 p;
	enum ndp_result r = ndp_pref64_decode(opt, &p);
	if (r != NDP_OK)
		return r;
	if (ra->npref64 >= NDP_MAX_PREF64)
		return NDP_LIST_FULL;
	ra->pref64[ra->npref64++] = p;
	return NDP_OK;
}

static void ra_option(void *arg, uint8_t type, const uint8_t *opt, size_t len)
{
	struct ndp_ra *ra = arg;
	enum ndp_result r;

	switch (type) {
	case NDP_OPT_SOURCE_LLADDR: r = ra_opt_src_lladdr(ra, opt, len); break;
	case NDP_OPT_MTU:           r = ra_opt_mtu(ra, opt, len); break;
	case NDP_OPT_PREFIX_INFO:   r = ra_opt_prefix(ra, opt, len); break;
	case NDP_OPT_RDNSS:         r = ra_opt_rdnss(ra, opt, len); break;
	case NDP_OPT_PREF64:        r = ra_opt_pref64(ra, opt, len); break;
	default:                    r = NDP_OK; break; /* RFC 4861 section 4.6: skip unknown options */
	}
	if (r != NDP_OK)
		ra_ignore(ra, r);
}

enum ndp_result ndp_parse_ra(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len,
			     struct ndp_ra *out)
{
	memset(out, 0, sizeof(*out));
	if (len < NDP_RA_HDR_LEN)
		return NDP_TRUNCATED;

	struct cursor c = cursor_make(msg, len);
	uint8_t type = cursor_u8(&c);
	uint8_t code = cursor_u8(&c);
	cursor_skip(&c, 2); /* checksum */
	struct ndp_ra ra;
	memset(&ra, 0, sizeof(ra));
	ra.cur_hop_limit = cursor_u8(&c);
	uint8_t flags = cursor_u8(&c);
	ra.managed = flags & NDP_RA_FLAG_MANAGED;
	ra.other = flags & NDP_RA_FLAG_OTHER;
	ra.router_lifetime = cursor_be16(&c);
	ra.reachable = cursor_be32(&c);
	ra.retrans = cursor_be32(&c);
	if (!cursor_ok(&c))
		return NDP_TRUNCATED;

	if (type != NDP_ICMP6_ROUTER_ADVERT)
		return NDP_BAD_TYPE;
	if (!ndp_checksum_ok(src, dst, msg, len))
		return NDP_BAD_CHECKSUM;
	if (code != 0)
		return NDP_BAD_CODE;
	if (!ndp_is_link_local(src))
		return NDP_SRC_NOT_LINK_LOCAL; /* RFC 4861 section 6.1.2 */

	/* Framing of every option first; only then read them. */
	enum ndp_result r = ndp_options_walk(cursor_ptr(&c), cursor_left(&c), NULL, NULL);
	if (r != NDP_OK)
		return r;
	ndp_options_walk(cursor_ptr(&c), cursor_left(&c), ra_option, &ra);
	*out = ra;
	return NDP_OK;
}

size_t ndp_build_ra(const uint8_t src[16], const uint8_t dst[16], const struct ndp_ra *ra, uint8_t *buf,
		    size_t cap)
{
	if (ra->npref64 > NDP_MAX_PREF64 || ra->nprefix > NDP_MAX_PREFIX || ra->nrdnss > NDP_MAX_RDNSS ||
	    ra->dnssl_len > NDP_DNSSL_WIRE_MAX)
		return 0;
	/* RFC 8106 section 5.2: the names padded with zeros to a multiple of 8 octets */
	size_t dnssl_opt = ra->dnssl_len ? (NDP_DNSSL_HDR_LEN + ra->dnssl_len + NDP_OPT_UNIT - 1) / NDP_OPT_UNIT * NDP_OPT_UNIT : 0;
	uint8_t pref64[NDP_MAX_PREF64][NDP_PREF64_OPT_LEN];
	for (unsigned i = 0; i < ra->npref64; i++)
		if (!ndp_pref64_encode(&ra->pref64[i], pref64[i]))
			return 0;
	for (unsigned i = 0; i < ra->nprefix; i++)
		if (ra->prefix[i].len > 128)
			return 0;
	size_t need = NDP_RA_HDR_LEN + (ra->has_src_lladdr ? NDP_LLADDR_OPT_LEN : 0) +
		      (ra->has_mtu ? NDP_MTU_OPT_LEN : 0) + NDP_PIO_OPT_LEN * (size_t)ra->nprefix +
		      (ra->nrdnss ? NDP_RDNSS_HDR_LEN + 16 * (size_t)ra->nrdnss : 0) + dnssl_opt +
		      NDP_PREF64_OPT_LEN * (size_t)ra->npref64;
	if (need > cap)
		return 0;

	uint8_t *p = buf;
	memset(buf, 0, need);
	p[0] = NDP_ICMP6_ROUTER_ADVERT;
	p[4] = ra->cur_hop_limit;
	p[5] = (uint8_t)((ra->managed ? NDP_RA_FLAG_MANAGED : 0) | (ra->other ? NDP_RA_FLAG_OTHER : 0));
	put_be16(p + 6, ra->router_lifetime);
	put_be32(p + 8, ra->reachable);
	put_be32(p + 12, ra->retrans);
	p += NDP_RA_HDR_LEN;

	if (ra->has_src_lladdr)
		p += ndp_option_put_lladdr(p, NDP_OPT_SOURCE_LLADDR, ra->src_lladdr);
	if (ra->has_mtu) {
		p[0] = NDP_OPT_MTU;
		p[1] = NDP_MTU_OPT_LEN / NDP_OPT_UNIT;
		put_be32(p + 4, ra->mtu);
		p += NDP_MTU_OPT_LEN;
	}
	for (unsigned i = 0; i < ra->nprefix; i++) {
		const struct ndp_prefix_info *pi = &ra->prefix[i];
		p[0] = NDP_OPT_PREFIX_INFO;
		p[1] = NDP_PIO_OPT_LEN / NDP_OPT_UNIT;
		p[2] = pi->len;
		p[3] = (uint8_t)((pi->onlink ? NDP_PIO_FLAG_ONLINK : 0) | (pi->autonomous ? NDP_PIO_FLAG_AUTONOMOUS : 0));
		put_be32(p + 4, pi->valid);
		put_be32(p + 8, pi->preferred);
		memcpy(p + 16, pi->prefix, 16);
		for (unsigned b = pi->len; b < 128; b++) /* RFC 4861 4.6.2: the sender zeroes them */
			p[16 + b / 8] &= (uint8_t)~(0x80u >> (b % 8));
		p += NDP_PIO_OPT_LEN;
	}
	if (ra->nrdnss) {
		p[0] = NDP_OPT_RDNSS;
		p[1] = (uint8_t)((NDP_RDNSS_HDR_LEN + 16 * ra->nrdnss) / NDP_OPT_UNIT);
		put_be32(p + 4, ra->rdnss_lifetime);
		p += NDP_RDNSS_HDR_LEN;
		for (unsigned i = 0; i < ra->nrdnss; i++, p += 16)
			memcpy(p, ra->rdnss[i], 16);
	}
	if (dnssl_opt) {
		p[0] = NDP_OPT_DNSSL;
		p[1] = (uint8_t)(dnssl_opt / NDP_OPT_UNIT);
		put_be32(p + 4, ra->dnssl_lifetime);
		memcpy(p + NDP_DNSSL_HDR_LEN, ra->dnssl, ra->dnssl_len); /* the padding: zero from the memset */
		p += dnssl_opt;
	}
	for (unsigned i = 0; i < ra->npref64; i++, p += NDP_PREF64_OPT_LEN)
		memcpy(p, pref64[i], NDP_PREF64_OPT_LEN);

	ndp_checksum_fill(src, dst, buf, need);
	return need;
}

size_t ndp_dnssl_encode(const char *name, uint8_t *out, size_t cap)
{
	size_t n = strlen(name), w = 0;
	if (n && name[n - 1] == '.')
		n--; /* the root's dot */
	if (n == 0 || n + 2 > NDP_DNSSL_NAME_MAX || n + 2 > cap)
		return 0;
	for (size_t start = 0; start < n;) {
		size_t len = 0;
		while (start + len < n && name[start + len] != '.')
			len++;
		if (len == 0 || len > 63 || name[start] == '-' || name[start + len - 1] == '-')
			return 0;
		out[w++] = (uint8_t)len;
		for (size_t k = 0; k < len; k++) {
			char c = name[start + k];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'))
				return 0;
			out[w++] = (uint8_t)c;
		}
		start += len + 1;
		if (start == n) /* "a..": an empty label at the end */
			return 0;
	}
	out[w++] = 0; /* the root label */
	return w;
}

static bool pref64_same(const struct ndp_pref64 *a, const struct ndp_pref64 *b)
{
	return a->len == b->len && a->lifetime == b->lifetime && memcmp(a->prefix, b->prefix, 16) == 0;
}

static bool prefix_same(const struct ndp_prefix_info *a, const struct ndp_prefix_info *b)
{
	return a->len == b->len && a->onlink == b->onlink && a->autonomous == b->autonomous &&
	       a->valid == b->valid && a->preferred == b->preferred && memcmp(a->prefix, b->prefix, 16) == 0;
}

bool ndp_ra_same(const struct ndp_ra *a, const struct ndp_ra *b)
{
	if (a->cur_hop_limit != b->cur_hop_limit || a->managed != b->managed || a->other != b->other ||
	    a->router_lifetime != b->router_lifetime || a->reachable != b->reachable || a->retrans != b->retrans)
		return false;
	if (a->has_src_lladdr != b->has_src_lladdr ||
	    (a->has_src_lladdr && memcmp(a->src_lladdr, b->src_lladdr, 6) != 0))
		return false;
	if (a->has_mtu != b->has_mtu || (a->has_mtu && a->mtu != b->mtu))
		return false;
	if (a->npref64 != b->npref64 || a->nprefix != b->nprefix || a->nrdnss != b->nrdnss ||
	    a->npref64 > NDP_MAX_PREF64 || a->nprefix > NDP_MAX_PREFIX || a->nrdnss > NDP_MAX_RDNSS)
		return false;
	for (unsigned i = 0; i < a->npref64; i++)
		if (!pref64_same(&a->pref64[i], &b->pref64[i]))
			return false;
	for (unsigned i = 0; i < a->nprefix; i++)
		if (!prefix_same(&a->prefix[i], &b->prefix[i]))
			return false;
	for (unsigned i = 0; i < a->nrdnss; i++)
		if (memcmp(a->rdnss[i], b->rdnss[i], 16) != 0)
			return false;
	if (a->dnssl_len != b->dnssl_len || a->dnssl_len > NDP_DNSSL_WIRE_MAX ||
	    memcmp(a->dnssl, b->dnssl, a->dnssl_len) != 0 || (a->dnssl_len && a->dnssl_lifetime != b->dnssl_lifetime))
		return false;
	return a->nrdnss == 0 || a->rdnss_lifetime == b->rdnss_lifetime;
}
