/* The SIIT per-packet step shared by the daemon (TUN) and `xlat464 translate` (pcap): translate one
 * packet and hand each resulting packet to an emit callback. Hairpinning (RFC 7757 section 4.2) is
 * done by the core: an IPv6 packet that comes out as IPv6 went to the IPv4 side and back. The output
 * space is allocated once in siit_engine_init(). */
#ifndef XLAT464_SIIT_ENGINE_H
#define XLAT464_SIIT_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xlat/reasm.h"
#include "xlat/xlat.h"

#define SIIT_PKT_MAX 65536

enum siit_emit_kind { SIIT_EMIT_FORWARD, SIIT_EMIT_REPLY, SIIT_EMIT_HAIRPIN };

typedef void (*siit_emit_fn)(void *arg, const struct xlat_pkt *p, enum siit_emit_kind kind);

struct siit_engine {
	struct xlat_ctx ctx;
	struct xlat_out *out;
	uint64_t hairpinned; /* IPv6 in, IPv6 out */
	/* zero-checksum UDP from IPv4 made whole when cfg->amend_udp_zero_csum (lib/xlat/reasm.h);
	 * cfg->reasm_max slots, fixed at init */
	struct xlat_reasm reasm;
	void *reasm_slots;
	bool direct; /* no reassembly: packets go straight to xlat_4to6 / xlat_6to4 (siit_engine_step) */
};

/* Returns 0, or -1 when out of memory. */
int siit_engine_init(struct siit_engine *e, const struct xlat_config *cfg);
/* Switches to new settings, keeping the counters (and the reassembly slots: their number is fixed at
 * init; the timeout follows cfg). */
void siit_engine_reconfigure(struct siit_engine *e, const struct xlat_config *cfg);
void siit_engine_free(struct siit_engine *e);

/* now_ms: a monotonic clock in milliseconds (the pcap's timestamps for `translate`), for reassembly. */
void siit_engine_process(struct siit_engine *e, const uint8_t *pkt, size_t len, uint64_t now_ms, siit_emit_fn emit,
			 void *arg);
/* What siit_engine_process does after the translation: hands out's packets to emit. */
void siit_engine_emit(struct siit_engine *e, const uint8_t *pkt, size_t len, siit_emit_fn emit, void *arg);

/* The common case of siit_engine_process, inline for a daemon's read loop, when the engine is direct
 * (no reassembly: e->direct): translates the packet and returns the packet to write when the outcome
 * is the usual one, a single packet forwarded to the other family (xlat_translate_fwd). NULL when it
 * is anything else; the caller then calls siit_engine_emit with the same arguments, and the result
 * is that of siit_engine_process. */
static inline const struct xlat_pkt *siit_engine_step(struct siit_engine *e, const uint8_t *pkt, size_t len)
{
	return xlat_translate_fwd(&e->ctx, pkt, len, e->out);
}

/* Frees reassembly slots whose time ran out (counted as reassembly-timeout). */
void siit_engine_tick(struct siit_engine *e, uint64_t now_ms);


#endif
