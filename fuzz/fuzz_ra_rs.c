/* libFuzzer target for the Router Solicitation parser of `xlat464 ra` (src/mostly/ra_proto.c).
 * Byte 0 chooses the setting, the rest is the ICMPv6 message:
 *   bits 0-1 source: fe80::1, ::, 2001:db8::1, ff02::1
 *   bit 2    recompute the checksum (so that mutations get past it)
 *   bit 3    hop limit 64 instead of 255;  bit 4: link address length unknown (0) instead of 6
 * A message that parses must really be a well-framed RS; a rejected one leaves the result zeroed.
 * Valid ones then drive the answer scheduler, whose times must stay within the RFC 4861 bounds. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mostly/ra_proto.c"
#include "common/csum.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "fz_check.h"

static const uint8_t fz_src[4][16] = {
	{ 0xfe, 0x80, [15] = 1 },
	{ 0 },
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	{ 0xff, 0x02, [15] = 1 },
};
static const uint8_t fz_dst[16] = { 0xff, 0x02, [15] = 2 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t msg[2048];
	static struct ra_sched s;
	static const struct ra_rs zero;
	struct ra_rs rs;

	if (size < 1 || size - 1 > sizeof(msg))
		return 0;
	uint8_t set = data[0];
	size_t len = size - 1;
	memcpy(msg, data + 1, len);
	const uint8_t *src = fz_src[set & 3];
	if ((set & 4) && len >= RA_RS_HDR_LEN) {
		put_be16(msg + 2, 0);
		put_be16(msg + 2, csum_fold(csum_partial(msg, len, csum_pseudo6(src, fz_dst, 58, (uint32_t)len))));
	}
	int hop = (set & 8) ? 64 : 255;
	size_t ll = (set & 16) ? 0 : 6;
	enum ra_rs_result r = ra_parse_rs(src, fz_dst, hop, msg, len, ll, &rs);
	FZ_CHECK((unsigned)r < RA_RS__COUNT);
	FZ_CHECK(ra_rs_result_name(r)[0] != '?');
	if (r != RA_RS_OK) {
		FZ_CHECK(memcmp(&rs, &zero, sizeof(rs)) == 0);
		return 0;
	}
	FZ_CHECK(hop == 255 && len >= RA_RS_HDR_LEN && msg[0] == NDP_ICMP6_ROUTER_SOLICIT && msg[1] == 0);
	FZ_CHECK(src[0] != 0xff);
	FZ_CHECK(rs.noptions <= NDP_MAX_OPTIONS);
	FZ_CHECK(!rs.has_src_lladdr || (src[0] != 0 && ll == 6));
	/* Framing: the options tile the rest exactly, none of length 0. */
	size_t off = RA_RS_HDR_LEN;
	unsigned n = 0;
	while (off < len) {
		FZ_CHECK(len - off >= 2 && msg[off + 1] != 0 && (size_t)msg[off + 1] * 8 <= len - off);
		off += (size_t)msg[off + 1] * 8;
		n++;
	}
	FZ_CHECK(off == len && n == rs.noptions);

	/* The scheduler, on a clock driven by the input. */
	uint64_t now = (uint64_t)len * 37;
	ra_sched_start(&s, now);
	ra_sched_sent_multicast(&s, now, 3000 + (uint32_t)(len % 1000));
	for (size_t i = 0; i + 1 < len && i < 64; i += 2) {
		now += msg[i];
		uint8_t a[16];
		memcpy(a, src, 16);
		a[15] = msg[i + 1];
		enum ra_solicit_answer ans = ra_sched_solicit(&s, now, a, msg[i + 1] * 4u);
		FZ_CHECK(ans == RA_ANSWER_UNICAST || ans == RA_ANSWER_MULTICAST || ans == RA_ANSWER_ALREADY_PENDING);
		FZ_CHECK(s.nunicast <= RA_MAX_UNICAST && s.tokens <= RA_UNICAST_BURST);
		if (s.mcast_pending)
			FZ_CHECK(s.mcast_at <= s.next_periodic &&
				 s.mcast_at >= s.last_mcast + RA_MIN_DELAY_BETWEEN_RAS_MS);
		FZ_CHECK(ra_sched_next_ms(&s, now) <= 600000);
		unsigned due = ra_sched_due(&s, now);
		if (due & RA_DUE_MULTICAST) {
			FZ_CHECK(now >= s.last_mcast + RA_MIN_DELAY_BETWEEN_RAS_MS);
			ra_sched_sent_multicast(&s, now, 3000);
		}
		if (due & RA_DUE_UNICAST)
			ra_sched_sent_unicast(&s);
	}
	return 0;
}
