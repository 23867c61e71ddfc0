#include "siit_engine.h"

#include <stdlib.h>
#include <string.h>

int siit_engine_init(struct siit_engine *e, const struct xlat_config *cfg)
{
	memset(e, 0, sizeof(*e));
	/* struct xlat_out is large (several KiB of scratch): allocated once, never per packet */
	e->out = malloc(sizeof(*e->out));
	if (!e->out)
		return -1;
	xlat_ctx_init(&e->ctx, cfg);
	if (cfg->reasm_max) {
		e->reasm_slots = calloc(cfg->reasm_max, xlat_reasm_slot_size());
		if (!e->reasm_slots) {
			free(e->out);
			return -1;
		}
	}
	xlat_reasm_init(&e->reasm, e->reasm_slots, cfg->reasm_max, cfg->reasm_timeout_ms);
	e->direct = !cfg->amend_udp_zero_csum || e->reasm.nslots == 0;
	return 0;
}

void siit_engine_reconfigure(struct siit_engine *e, const struct xlat_config *cfg)
{
	e->ctx.cfg = cfg; /* cfg->policy carries the new map */
	e->reasm.timeout_ms = cfg->reasm_timeout_ms;
	e->direct = !cfg->amend_udp_zero_csum || e->reasm.nslots == 0;
}

void siit_engine_free(struct siit_engine *e)
{
	free(e->out);
	free(e->reasm_slots);
	e->out = NULL;
	e->reasm_slots = NULL;
}

void siit_engine_tick(struct siit_engine *e, uint64_t now_ms) { xlat_reasm_expire(&e->reasm, now_ms, &e->ctx.stats); }

void siit_engine_emit(struct siit_engine *e, const uint8_t *pkt, size_t len, siit_emit_fn emit, void *arg)
{
	const struct xlat_out *out = e->out;

	switch (out->action) {
	case XLAT_HELD:
		break; /* a fragment kept for reassembly */
	case XLAT_DROP:
		break; /* counted by the core in ctx.stats */
	case XLAT_REPLY:
		if (out->npkts > 0)
			emit(arg, &out->pkt[0], SIIT_EMIT_REPLY);
		break;
	case XLAT_FORWARD:
		/* The core hairpins by itself (RFC 7757 section 4.2): an IPv6 packet that comes out as IPv6
		 * went through the IPv4 side and back. */
		if (len && pkt[0] >> 4 == 6 && out->npkts && out->pkt[0].family == 6)
			e->hairpinned++;
		for (unsigned i = 0; i < out->npkts; i++)
			emit(arg, &out->pkt[i], out->pkt[0].family == (pkt[0] >> 4) ? SIIT_EMIT_HAIRPIN : SIIT_EMIT_FORWARD);
		break;
	}
}

void siit_engine_process(struct siit_engine *e, const uint8_t *pkt, size_t len, uint64_t now_ms, siit_emit_fn emit,
			 void *arg)
{
	xlat_translate_reasm(&e->ctx, e->ctx.cfg->amend_udp_zero_csum ? &e->reasm : NULL, pkt, len, now_ms, e->out);
	siit_engine_emit(e, pkt, len, emit, arg);
}
