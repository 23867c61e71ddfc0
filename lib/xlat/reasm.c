/* IPv4 reassembly of zero-checksum UDP datagrams (reasm.h). */
#include "reasm.h"

#include "internal.h"

#define REASM_BLOCKS ((XLAT_REASM_DGRAM_MAX + 7) / 8) /* 8-byte blocks of a payload */

struct xlat_reasm_slot {
	bool used;
	uint8_t src[4], dst[4];
	uint16_t id;
	uint16_t hlen;       /* the first fragment's header length */
	uint16_t nfrags;
	bool have_last;
	uint32_t total;      /* payload length, known once the last fragment came */
	uint32_t have;       /* payload bytes received (no overlap is let in, so exact) */
	uint32_t end;        /* the furthest payload byte received, plus one */
	uint64_t expires_ms;
	uint8_t seen[REASM_BLOCKS / 8 + 1]; /* one bit per 8-byte block received */
	/* the first fragment's header ends at buf + XLAT_REASM_HDR_MAX, where the payload starts */
	uint8_t buf[XLAT_REASM_HDR_MAX + XLAT_REASM_DGRAM_MAX];
};

size_t xlat_reasm_slot_size(void) { return sizeof(struct xlat_reasm_slot); }

void xlat_reasm_init(struct xlat_reasm *r, void *slots, unsigned nslots, uint32_t timeout_ms)
{
	r->slots = slots;
	r->nslots = slots ? nslots : 0;
	r->used = 0;
	r->timeout_ms = timeout_ms;
	r->whole = -1;
	for (unsigned i = 0; i < r->nslots; i++)
		r->slots[i].used = false;
}

static void slot_free(struct xlat_reasm *r, struct xlat_reasm_slot *s)
{
	s->used = false;
	r->used--;
}

/* Drops a datagram being collected: its fragments so far count under why (this one included by the
 * caller). */
static void slot_drop(struct xlat_reasm *r, struct xlat_reasm_slot *s, enum xlat_drop why, struct xlat_stats *st)
{
	st->drops[why] += s->nfrags;
	slot_free(r, s);
}

void xlat_reasm_expire(struct xlat_reasm *r, uint64_t now_ms, struct xlat_stats *st)
{
	if (r->used == 0)
		return;
	for (unsigned i = 0; i < r->nslots; i++) {
		struct xlat_reasm_slot *s = &r->slots[i];
		if (s->used && (int)i != r->whole && now_ms >= s->expires_ms)
			slot_drop(r, s, XLAT_DROP_REASM_TIMEOUT, st);
	}
}

static struct xlat_reasm_slot *slot_find(struct xlat_reasm *r, const struct ip4_view *v)
{
	for (unsigned i = 0; i < r->nslots; i++) {
		struct xlat_reasm_slot *s = &r->slots[i];
		if (s->used && s->id == v->id && memcmp(s->src, v->src, 4) == 0 && memcmp(s->dst, v->dst, 4) == 0)
			return s;
	}
	return NULL;
}

static struct xlat_reasm_slot *slot_new(struct xlat_reasm *r, const struct ip4_view *v, uint64_t now_ms)
{
	for (unsigned i = 0; i < r->nslots; i++) {
		struct xlat_reasm_slot *s = &r->slots[i];
		if (s->used)
			continue;
		s->used = true;
		r->used++;
		memcpy(s->src, v->src, 4);
		memcpy(s->dst, v->dst, 4);
		s->id = v->id;
		s->hlen = (uint16_t)v->ihl;
		s->nfrags = 0;
		s->have_last = false;
		s->total = 0;
		s->have = 0;
		s->end = 0;
		s->expires_ms = now_ms + r->timeout_ms;
		memset(s->seen, 0, sizeof(s->seen));
		memcpy(s->buf + XLAT_REASM_HDR_MAX - v->ihl, v->hdr, v->ihl);
		return s;
	}
	return NULL;
}

/* Marks the blocks [first, last] seen; false if any already was (an overlap or a duplicate). */
static bool blocks_take(struct xlat_reasm_slot *s, unsigned first, unsigned last)
{
	for (unsigned b = first; b <= last; b++)
		if (s->seen[b / 8] & (1u << (b % 8)))
			return false;
	for (unsigned b = first; b <= last; b++)
		s->seen[b / 8] |= (uint8_t)(1u << (b % 8));
	return true;
}

/* The fragment's payload into the slot. False: the datagram is broken (reassembly-bad). */
static bool slot_put(struct xlat_reasm_slot *s, const struct ip4_view *v)
{
	uint32_t off = v->frag_off * 8u, n = v->l4_len;
	/* RFC 791: every fragment but the last carries a multiple of 8 bytes */
	if (s->nfrags >= XLAT_REASM_MAX_FRAGS || (v->mf && (n == 0 || n % 8)) ||
	    s->hlen + off + n > XLAT_REASM_DGRAM_MAX)
		return false;
	if (!v->mf) {
		if (s->have_last || off + n < s->end)
			return false;
		s->have_last = true;
		s->total = off + n;
	}
	if (s->have_last && off + n > s->total)
		return false;
	if (off + n > s->end)
		s->end = off + n;
	if (n && !blocks_take(s, off / 8, (off + n - 1) / 8))
		return false;
	memcpy(s->buf + XLAT_REASM_HDR_MAX + off, v->l4, n);
	s->have += n;
	s->nfrags++;
	return true;
}

/* The datagram made whole: the first fragment's header, no longer a fragment, over all the payload. */
static const uint8_t *slot_whole(struct xlat_reasm_slot *s, size_t *len)
{
	uint8_t *h = s->buf + XLAT_REASM_HDR_MAX - s->hlen;
	unsigned tot = s->hlen + s->total;
	h[2] = (uint8_t)(tot >> 8);
	h[3] = (uint8_t)tot;
	h[6] &= (uint8_t)~((IPV4_MF | IPV4_OFFSET_MASK) >> 8);
	h[7] = 0;
	h[10] = h[11] = 0;
	uint16_t c = csum_fold(csum_words(h, s->hlen));
	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
	*len = tot;
	return h;
}

/* This fragment dropped: counted, and remembered for the caller. */
static enum xlat_reasm_verdict reasm_drop(struct xlat_reasm *r, enum xlat_drop why, struct xlat_stats *st)
{
	st->drops[why]++;
	r->why = why;
	return XLAT_REASM_DROP;
}

enum xlat_reasm_verdict xlat_reasm_add(struct xlat_reasm *r, const uint8_t *pkt, size_t len, uint64_t now_ms,
				       const uint8_t **whole, size_t *whole_len, struct xlat_stats *st)
{
	if (r->whole >= 0) {
		slot_free(r, &r->slots[r->whole]);
		r->whole = -1;
	}
	/* Anything that is not a UDP fragment, or that the core would refuse, is the core's to judge;
	 * the first test costs an unfragmented packet three loads. */
	if (r->nslots == 0 || len < IPV4_HDR_LEN || pkt[9] != PROTO_UDP || !(be16_at(pkt + 6) & (IPV4_MF | IPV4_OFFSET_MASK)))
		return XLAT_REASM_PASS;
	struct ip4_view v;
	if (ip4_parse(pkt, len, PARSE_OUTER, &v) != XLAT_DROP_NONE || v.l4_avail < v.l4_len)
		return XLAT_REASM_PASS;
	struct xlat_reasm_slot *s = slot_find(r, &v);
	if (!s) {
		/* Only the first fragment tells whether the datagram has a checksum. */
		if (v.frag_off != 0 || v.l4_len < UDP_HDR_LEN || be16_at(v.l4 + UDP_CSUM_OFF) != 0)
			return XLAT_REASM_PASS;
		xlat_reasm_expire(r, now_ms, st);
		s = slot_new(r, &v, now_ms);
		if (!s)
			return reasm_drop(r, XLAT_DROP_REASM_FULL, st);
	} else if (now_ms >= s->expires_ms) {
		/* too late: what came before is lost, and so is this fragment */
		slot_drop(r, s, XLAT_DROP_REASM_TIMEOUT, st);
		return reasm_drop(r, XLAT_DROP_REASM_TIMEOUT, st);
	}
	if (!slot_put(s, &v)) {
		slot_drop(r, s, XLAT_DROP_REASM_BAD, st);
		return reasm_drop(r, XLAT_DROP_REASM_BAD, st);
	}
	st->reasm_fragments++;
	if (!s->have_last || s->have != s->total)
		return XLAT_REASM_HELD;
	st->reasm_datagrams++;
	r->whole = (int)(s - r->slots);
	*whole = slot_whole(s, whole_len);
	return XLAT_REASM_WHOLE;
}

void xlat_translate_reasm(struct xlat_ctx *ctx, struct xlat_reasm *r, const uint8_t *pkt, size_t len,
			  uint64_t now_ms, struct xlat_out *out)
{
	if (!r || r->nslots == 0 || len == 0 || pkt[0] >> 4 != 4) {
		xlat_translate(ctx, pkt, len, out);
		return;
	}
	const uint8_t *whole;
	size_t whole_len;
	switch (xlat_reasm_add(r, pkt, len, now_ms, &whole, &whole_len, &ctx->stats)) {
	case XLAT_REASM_PASS:
		xlat_4to6(ctx, pkt, len, out);
		return;
	case XLAT_REASM_WHOLE:
		xlat_4to6(ctx, whole, whole_len, out);
		return;
	case XLAT_REASM_HELD:
		out->action = XLAT_HELD;
		out->reason = XLAT_DROP_NONE;
		out->npkts = 0;
		return;
	case XLAT_REASM_DROP:
		out->action = XLAT_DROP;
		out->reason = r->why; /* already counted in ctx->stats */
		out->npkts = 0;
		return;
	}
}
