/* Result names, the checksum, the option walk and the address helpers shared by the parsers. */
#include <string.h>

#include "common/csum.h"
#include "common/cursor.h"
#include "ndp_internal.h"

static const char *const ndp_names[] = {
#define NDP_X_NAME(e, n, d) [NDP_##e] = n,
	NDP_RESULTS(NDP_X_NAME)
#undef NDP_X_NAME
};

static const char *const ndp_descs[] = {
#define NDP_X_DESC(e, n, d) [NDP_##e] = d,
	NDP_RESULTS(NDP_X_DESC)
#undef NDP_X_DESC
};

const char *ndp_result_name(enum ndp_result r)
{
	return (unsigned)r < NDP__RESULT_COUNT ? ndp_names[r] : "unknown";
}

const char *ndp_result_desc(enum ndp_result r)
{
	return (unsigned)r < NDP__RESULT_COUNT ? ndp_descs[r] : "unknown result";
}

/* ---- checksum ------------------------------------------------------------------------------- */

static uint32_t ndp_sum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len)
{
	return csum_partial(msg, len, csum_pseudo6(src, dst, NDP_NEXT_HEADER_ICMP6, (uint32_t)len));
}

uint16_t ndp_checksum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len)
{
	return csum_fold(ndp_sum(src, dst, msg, len));
}

bool ndp_checksum_ok(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len)
{
	/* The sum over everything, the checksum field included, is all ones (the pseudo-header's
	 * next-header word is never zero, so the sum cannot be the other zero, 0x0000). */
	return csum_fold16(ndp_sum(src, dst, msg, len)) == 0xffff;
}

void ndp_checksum_fill(const uint8_t src[16], const uint8_t dst[16], uint8_t *msg, size_t len)
{
	put_be16(msg + NDP_CSUM_OFF, 0);
	put_be16(msg + NDP_CSUM_OFF, ndp_checksum(src, dst, msg, len));
}

/* ---- option walk ---------------------------------------------------------------------------- */

enum ndp_result ndp_options_walk(const uint8_t *opts, size_t len, ndp_option_fn *fn, void *arg)
{
	struct cursor c = cursor_make(opts, len);
	unsigned count = 0;

	while (cursor_left(&c) > 0) {
		/* Every test compares against what is left, so no sum can overflow. */
		if (cursor_left(&c) < 2)
			return NDP_TRUNCATED;
		const uint8_t *opt = cursor_ptr(&c);
		size_t olen = (size_t)opt[1] * NDP_OPT_UNIT;
		if (olen == 0)
			return NDP_ZERO_OPTION_LENGTH; /* RFC 4861 section 4.6: silently discard */
		if (olen > cursor_left(&c))
			return NDP_TRUNCATED;
		if (++count > NDP_MAX_OPTIONS)
			return NDP_TOO_MANY_OPTIONS;
		cursor_skip(&c, olen);
		if (fn)
			fn(arg, opt[0], opt, olen);
	}
	return NDP_OK;
}

enum ndp_result ndp_option_lladdr(const uint8_t *opt, size_t len, uint8_t mac[6])
{
	if (len != NDP_LLADDR_OPT_LEN)
		return NDP_BAD_OPTION_LENGTH; /* not an Ethernet address (RFC 2464 section 8) */
	memcpy(mac, opt + 2, 6);
	return NDP_OK;
}

size_t ndp_option_put_lladdr(uint8_t *p, uint8_t type, const uint8_t mac[6])
{
	p[0] = type;
	p[1] = NDP_LLADDR_OPT_LEN / NDP_OPT_UNIT;
	memcpy(p + 2, mac, 6);
	return NDP_LLADDR_OPT_LEN;
}

/* ---- addresses ------------------------------------------------------------------------------ */

void ndp_solicited_node(const uint8_t addr[16], uint8_t out[16])
{
	static const uint8_t base[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
	uint8_t low[3];
	memcpy(low, addr + 13, 3); /* addr and out may be the same buffer */
	memcpy(out, base, 13);
	memcpy(out + 13, low, 3);
}

void ndp_multicast_mac(const uint8_t group[16], uint8_t mac[6])
{
	mac[0] = 0x33;
	mac[1] = 0x33;
	memcpy(mac + 2, group + 12, 4);
}

bool ndp_is_solicited_node(const uint8_t addr[16])
{
	static const uint8_t base[13] = { 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff };
	return memcmp(addr, base, 13) == 0;
}

bool ndp_is_link_local(const uint8_t addr[16]) { return addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80; }

bool ndp_is_multicast(const uint8_t addr[16]) { return addr[0] == 0xff; }

bool ndp_is_unspecified(const uint8_t addr[16])
{
	static const uint8_t zero[16];
	return memcmp(addr, zero, 16) == 0;
}
