/* libFuzzer target: lib/xlat/reasm.c on a sequence of IPv4 packets, each datagram it makes whole
 * translated by xlat_4to6 and checked by fuzz/check_packet.h like any packet.
 * Input: records of [clock step (1 byte), length (2 bytes, big-endian), packet]; each packet's IPv4
 * header checksum is fixed so that fragments get past validation. Seeds: fuzz/make_corpus_reasm.py. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "xlat/reasm.h"

#define FZ_SLOTS 3
#define FZ_TIMEOUT 100

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_state st;
	static void *slots;
	static const uint8_t cfgbytes[FZ_CFG_BYTES] = { 0x45, 0x00, 0x00 }; /* /96, amend, MTUs 1280/576 */
	struct xlat_reasm r;
	if (!slots && !(slots = malloc(FZ_SLOTS * xlat_reasm_slot_size())))
		return 0;
	fz_setup(&st, cfgbytes);
	xlat_reasm_init(&r, slots, FZ_SLOTS, FZ_TIMEOUT);
	uint64_t now = 0;
	size_t pos = 0;
	while (pos + 3 <= size) {
		now += data[pos];
		size_t n = (size_t)data[pos + 1] << 8 | data[pos + 2];
		pos += 3;
		if (n > size - pos)
			n = size - pos;
		uint8_t *pkt = malloc(n ? n : 1); /* exact size: ASan sees any read past it */
		if (!pkt)
			return 0;
		memcpy(pkt, data + pos, n);
		pos += n;
		chk_fix_checksums(4, pkt, n, true, false);

		struct xlat_stats before = st.ctx.stats;
		const uint8_t *whole = NULL;
		size_t whole_len = 0;
		enum xlat_reasm_verdict v = xlat_reasm_add(&r, pkt, n, now, &whole, &whole_len, &st.ctx.stats);
		CHK(xlat_reasm_in_progress(&r) <= FZ_SLOTS, "%u slots in use of %u", xlat_reasm_in_progress(&r), FZ_SLOTS);
		switch (v) {
		case XLAT_REASM_PASS:
			CHK(memcmp(&before, &st.ctx.stats, sizeof(before)) == 0, "a passed packet changed the counters");
			break;
		case XLAT_REASM_HELD:
			CHK(st.ctx.stats.reasm_fragments == before.reasm_fragments + 1, "held fragment not counted");
			break;
		case XLAT_REASM_DROP:
			CHK(r.why == XLAT_DROP_REASM_FULL || r.why == XLAT_DROP_REASM_TIMEOUT || r.why == XLAT_DROP_REASM_BAD,
			    "drop for reason %s", xlat_drop_name(r.why));
			CHK(st.ctx.stats.drops[r.why] > before.drops[r.why], "drop not counted");
			break;
		case XLAT_REASM_WHOLE: {
			CHK(whole_len >= 28 && whole_len <= XLAT_REASM_DGRAM_MAX, "whole datagram of %zu bytes", whole_len);
			CHK(chk_sum_ok(chk_sum(whole, (size_t)(whole[0] & 0xf) * 4, 0)), "whole datagram's header checksum");
			CHK(chk_be16(whole + 2) == whole_len, "total length %u for %zu bytes", chk_be16(whole + 2), whole_len);
			CHK((chk_be16(whole + 6) & 0x3fff) == 0, "whole datagram still a fragment");
			CHK(st.ctx.stats.reasm_datagrams == before.reasm_datagrams + 1, "datagram not counted");
			/* the datagram is translated like any packet, and checked */
			uint8_t *copy = malloc(whole_len);
			if (!copy)
				break;
			memcpy(copy, whole, whole_len);
			struct xlat_stats b2 = st.ctx.stats;
			st.out.action = (enum xlat_action)99;
			xlat_4to6(&st.ctx, copy, whole_len, &st.out);
			if (setjmp(chk_jmp) == 0)
				chk_output(&st.su, 4, copy, whole_len, &st.ctx, &b2, &st.out);
			free(copy);
			break;
		}
		}
		free(pkt);
	}
	xlat_reasm_expire(&r, now + FZ_TIMEOUT, &st.ctx.stats);
	CHK(xlat_reasm_in_progress(&r) <= 1, "%u slots left after expiry", xlat_reasm_in_progress(&r));
	return 0;
}
