/* IPv4 reassembly of UDP datagrams sent with checksum zero, so that a translator can compute the
 * checksum IPv6 requires (RFC 7915 section 4.5, RFC 6146 section 3.4). Only such datagrams are
 * collected: their first fragment (offset 0, UDP checksum 0) opens a slot, and the fragments that
 * follow it go there. Every other packet passes through untouched, and so does a later fragment
 * that no slot waits for: it is translated on its own, as before.
 *
 * Pure like the rest of lib/xlat: the caller owns the slots (xlat_reasm_slot_size() bytes each) and
 * the clock. Bounded: at most nslots datagrams at once, each at most 65,535 bytes and
 * XLAT_REASM_MAX_FRAGS fragments, each slot freed after timeout_ms. Every fragment it keeps from
 * the translator is either part of a datagram that comes out whole or counted under a drop reason.
 *
 *     enum xlat_reasm_verdict v = xlat_reasm_add(&r, pkt, len, now_ms, &whole, &whole_len, &stats);
 *     PASS: translate pkt;  HELD: nothing yet;  WHOLE: translate whole (valid until the next call);
 *     DROP: counted in stats under its reason. */
#ifndef XLAT464_XLAT_REASM_H
#define XLAT464_XLAT_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xlat.h"

#define XLAT_REASM_MAX_FRAGS 64    /* fragments of one datagram; more is refused (reassembly-bad) */
#define XLAT_REASM_HDR_MAX 60      /* the largest IPv4 header */
#define XLAT_REASM_DGRAM_MAX 65535 /* an IPv4 Total Length */

struct xlat_reasm_slot;

struct xlat_reasm {
	struct xlat_reasm_slot *slots; /* nslots of them, xlat_reasm_slot_size() bytes each */
	unsigned nslots;
	unsigned used;
	uint32_t timeout_ms;
	int whole;            /* the slot whose datagram the last call returned, freed by the next */
	enum xlat_drop why;   /* the reason of the last XLAT_REASM_DROP */
};

enum xlat_reasm_verdict { XLAT_REASM_PASS, XLAT_REASM_HELD, XLAT_REASM_WHOLE, XLAT_REASM_DROP };

size_t xlat_reasm_slot_size(void);
/* slots: nslots * xlat_reasm_slot_size() bytes, any content. nslots 0 turns reassembly off. */
void xlat_reasm_init(struct xlat_reasm *r, void *slots, unsigned nslots, uint32_t timeout_ms);

/* One IPv4 packet. st counts what is dropped (drops[]) and what is kept and made whole
 * (reasm_fragments, reasm_datagrams). */
enum xlat_reasm_verdict xlat_reasm_add(struct xlat_reasm *r, const uint8_t *pkt, size_t len, uint64_t now_ms,
				       const uint8_t **whole, size_t *whole_len, struct xlat_stats *st);

/* Frees the slots older than timeout_ms, counting their fragments as reassembly-timeout. */
void xlat_reasm_expire(struct xlat_reasm *r, uint64_t now_ms, struct xlat_stats *st);

/* Datagrams being collected now. */
static inline unsigned xlat_reasm_in_progress(const struct xlat_reasm *r) { return r->used; }

/* xlat_4to6 or xlat_translate behind the reassembly: a whole datagram is translated at once
 * (and fragmented for IPv6 by the core). r NULL, or with no slots, is plain translation. A
 * fragment kept for later leaves out->action XLAT_HELD. */
void xlat_translate_reasm(struct xlat_ctx *ctx, struct xlat_reasm *r, const uint8_t *pkt, size_t len,
			  uint64_t now_ms, struct xlat_out *out);

#endif
