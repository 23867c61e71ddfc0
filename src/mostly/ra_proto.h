/* The pure protocol half of `xlat464 ra`: the strict Router Solicitation parser, the RA content the
 * announcer sends, and the RFC 4861 section 6.2.4-6.2.6 timing as a state machine on a caller's clock
 * (milliseconds) and caller's random numbers, so every rule is unit-testable without sockets.
 *
 *     struct ra_rs rs;
 *     enum ra_rs_result r = ra_parse_rs(src, dst, hop_limit, msg, len, 6, &rs);
 *     if (r != RA_RS_OK) { counter[r]++; ignore; }
 *     ra_sched_solicit(&sched, now, src, random_delay_ms);
 *     ... when ra_sched_next_ms() has passed: ra_sched_due() says what to send. */
#ifndef XLAT464_RA_PROTO_H
#define XLAT464_RA_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ndp/ndp.h"
#include "ra_config.h"

/* RFC 4861 section 10, router constants. */
#define RA_MAX_INITIAL_RTR_ADVERT_INTERVAL_MS 16000u
#define RA_MAX_INITIAL_RTR_ADVERTISEMENTS 3u
#define RA_MAX_FINAL_RTR_ADVERTISEMENTS 3u /* we send one: see docs/ra.md */
#define RA_MIN_DELAY_BETWEEN_RAS_MS 3000u
#define RA_MAX_RA_DELAY_TIME_MS 500u

#define RA_RS_HDR_LEN 8 /* type, code, checksum, reserved (RFC 4861 section 4.1) */

/* Unicast answers (RFC 4861 section 6.2.6 allows them to a soliciting link-local source): at most
 * RA_UNICAST_BURST at once, refilled one every RA_UNICAST_REFILL_MS, and at most RA_MAX_UNICAST
 * destinations waiting for the same send. Past either limit the answer is the (rate-limited)
 * multicast one, so a flood of solicitations cannot make us flood the link. */
#define RA_MAX_UNICAST 16
#define RA_UNICAST_BURST 10u
#define RA_UNICAST_REFILL_MS 200u

/* X(ENUM_SUFFIX, "short-name", "description"): why a solicitation was ignored (RFC 4861 6.1.1). */
#define RA_RS_RESULTS(X) \
	X(OK,                  "ok",                  "valid Router Solicitation") \
	X(NO_HOP_LIMIT,        "no-hop-limit",        "the kernel did not report the hop limit or destination (no ancillary data)") \
	X(HOP_LIMIT,           "hop-limit-not-255",   "IPv6 hop limit is not 255: it did not come from this link (RFC 4861 section 6.1.1)") \
	X(TOO_SHORT,           "too-short",           "ICMPv6 message shorter than the 8-byte solicitation (RFC 4861 section 6.1.1)") \
	X(BAD_TYPE,            "bad-type",            "ICMPv6 type is not Router Solicitation (133)") \
	X(BAD_CODE,            "bad-code",            "ICMPv6 code is not 0 (RFC 4861 section 6.1.1)") \
	X(BAD_CHECKSUM,        "bad-checksum",        "ICMPv6 checksum is wrong (RFC 4861 section 6.1.1)") \
	X(BAD_SOURCE,          "bad-source",          "source address is multicast") \
	X(ZERO_OPTION_LENGTH,  "zero-option-length",  "an option has length 0 (RFC 4861 section 6.1.1)") \
	X(OPTION_TRUNCATED,    "option-truncated",    "an option runs past the end of the message (RFC 4861 section 4.6)") \
	X(TOO_MANY_OPTIONS,    "too-many-options",    "more options than a solicitation has reason to carry (NDP_MAX_OPTIONS)") \
	X(BAD_LLADDR_LENGTH,   "bad-lladdr-length",   "source link-layer address option of the wrong length for this link (RFC 4861 section 4.6.1)") \
	X(UNSPEC_WITH_LLADDR,  "unspecified-with-lladdr", "from :: with a source link-layer address option (RFC 4861 section 6.1.1)")

enum ra_rs_result {
#define RA_X_ENUM(e, n, d) RA_RS_##e,
	RA_RS_RESULTS(RA_X_ENUM)
#undef RA_X_ENUM
	RA_RS__COUNT
};

const char *ra_rs_result_name(enum ra_rs_result r);
const char *ra_rs_result_desc(enum ra_rs_result r);

struct ra_rs {
	bool has_src_lladdr;
	uint8_t src_lladdr[6]; /* when the option holds 6 bytes (Ethernet) */
	unsigned noptions;
};

/* Validates a Router Solicitation per RFC 4861 section 6.1.1. hop_limit is the IPv6 hop limit the
 * kernel reported (-1: unknown, which is refused); lladdr_len is the link's address length in bytes
 * (6 on Ethernet: a Source Link-Layer Address option must then be of length 1), or 0 when unknown
 * (any option length is accepted). Unknown options are skipped (RFC 4861 section 4.6). Returns
 * RA_RS_OK with rs filled, or the first reason found with rs zeroed. */
enum ra_rs_result ra_parse_rs(const uint8_t src[16], const uint8_t dst[16], int hop_limit, const uint8_t *msg,
			      size_t len, size_t lladdr_len, struct ra_rs *rs);

/* The RA we send, from the settings. mac: the interface's Ethernet address for the Source Link-Layer
 * Address option (RFC 4861 section 6.2.3: SHOULD), or NULL. final: the goodbye RA of RFC 4861
 * section 6.2.5 (router lifetime 0) that also withdraws what we announced: PREF64 lifetime 0
 * (RFC 8781 section 4.1), RDNSS lifetime 0 (RFC 8106 section 5.1), and in --router mode each prefix
 * with preferred lifetime 0, so hosts stop choosing its addresses (the valid lifetime 0 is raised to
 * two hours by hosts, RFC 4862 section 5.5.3 e). */
void ra_build_content(const struct ra_config *cfg, const uint8_t *mac, bool final, struct ndp_ra *ra);

/* A uniformly random interval in [min_ms, max_s * 1000] from rnd (any 32-bit random number); when
 * initial, capped at MAX_INITIAL_RTR_ADVERT_INTERVAL (RFC 4861 section 6.2.4). */
uint32_t ra_interval_ms(uint32_t min_ms, uint32_t max_s, bool initial, uint32_t rnd);

/* ---- the announcer's timing (RFC 4861 sections 6.2.4 - 6.2.6) --------------------------------- */

struct ra_sched {
	uint64_t next_periodic;  /* when the next unsolicited multicast RA is due */
	bool has_last_mcast;
	uint64_t last_mcast;     /* when the last multicast RA went out */
	unsigned initial_left;   /* fast initial advertisements still to schedule */
	bool mcast_pending;      /* a solicited multicast RA is scheduled at mcast_at */
	uint64_t mcast_at;
	unsigned nunicast;       /* link-local sources waiting for a unicast answer at unicast_at */
	uint8_t unicast[RA_MAX_UNICAST][16];
	uint64_t unicast_at;
	unsigned tokens;         /* unicast answers allowed now */
	uint64_t refill_at;      /* clock of the last token refill */
};

enum ra_solicit_answer { RA_ANSWER_UNICAST, RA_ANSWER_MULTICAST, RA_ANSWER_ALREADY_PENDING };

/* Starts advertising at now: the first RA is due at once. */
void ra_sched_start(struct ra_sched *s, uint64_t now);
/* A valid solicitation from src arrived at now; delay_ms is a random number in [0, MAX_RA_DELAY_TIME].
 * Link-local sources get a unicast answer (within the limits above); :: and other sources get the
 * multicast answer, scheduled as RFC 4861 section 6.2.6 describes: no earlier than
 * MIN_DELAY_BETWEEN_RAS + delay after the previous multicast RA, and no later than the next periodic
 * one; a second solicitation before the answer leaves it where it is. */
enum ra_solicit_answer ra_sched_solicit(struct ra_sched *s, uint64_t now, const uint8_t src[16], uint32_t delay_ms);

#define RA_DUE_MULTICAST 1u
#define RA_DUE_UNICAST 2u
/* What is due at now (a mask of RA_DUE_*). */
unsigned ra_sched_due(const struct ra_sched *s, uint64_t now);
/* Milliseconds from now to the next thing due (0 when something is due already). */
uint64_t ra_sched_next_ms(const struct ra_sched *s, uint64_t now);
/* A multicast RA went out at now: restarts the interval timer with a fresh random interval
 * (interval_ms from ra_interval_ms, initial = s->initial_left > 0) and clears a pending solicited one. */
void ra_sched_sent_multicast(struct ra_sched *s, uint64_t now, uint32_t interval_ms);
/* The unicast answers went out. */
void ra_sched_sent_unicast(struct ra_sched *s);
/* The announcement changed (a reload): the next multicast RA is due now, or MIN_DELAY_BETWEEN_RAS
 * after the last one, and the next few come at the initial pace (RFC 4861 section 6.2.4: a router
 * may treat changed information as a new start). */
void ra_sched_changed(struct ra_sched *s, uint64_t now);
/* When the final RA may go out, respecting MIN_DELAY_BETWEEN_RAS (RFC 4861 section 6.2.6). */
uint64_t ra_sched_final_at(const struct ra_sched *s, uint64_t now);

#endif
