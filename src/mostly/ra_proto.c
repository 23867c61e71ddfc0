/* Router Solicitation parsing, RA content and RA timing for `xlat464 ra`. Pure: no system calls. */
#include "ra_proto.h"

#include <string.h>

#include "common/cursor.h"

#define RA_OPT_UNIT 8 /* option lengths count 8-octet units (RFC 4861 section 4.6) */
#define RA_OPT_HDR_LEN 2
#define RA_MS_PER_S 1000u

static const char *const rs_names[] = {
#define RA_X_NAME(e, n, d) n,
	RA_RS_RESULTS(RA_X_NAME)
#undef RA_X_NAME
};
static const char *const rs_descs[] = {
#define RA_X_DESC(e, n, d) d,
	RA_RS_RESULTS(RA_X_DESC)
#undef RA_X_DESC
};

const char *ra_rs_result_name(enum ra_rs_result r) { return (unsigned)r < RA_RS__COUNT ? rs_names[r] : "?"; }
const char *ra_rs_result_desc(enum ra_rs_result r) { return (unsigned)r < RA_RS__COUNT ? rs_descs[r] : "?"; }

/* What the option walk (lib/ndp's, shared with the ND parsers) hands each Router Solicitation option
 * to; the first problem found is kept, as the walk goes on to check the framing of the rest. */
struct rs_walk {
	const uint8_t *src;
	size_t lladdr_len;
	struct ra_rs *rs;
	enum ra_rs_result first_error;
};

static void rs_option(void *arg, uint8_t type, const uint8_t *opt, size_t olen)
{
	struct rs_walk *w = arg;
	struct ra_rs *rs = w->rs;

	rs->noptions++;
	if (w->first_error != RA_RS_OK || type != NDP_OPT_SOURCE_LLADDR)
		return; /* unknown options are ignored (RFC 4861 section 4.6) */
	if (ndp_is_unspecified(w->src)) {
		w->first_error = RA_RS_UNSPEC_WITH_LLADDR;
		return;
	}
	/* The option is type, length, then the address padded to 8-octet units. */
	if (w->lladdr_len && olen != (w->lladdr_len + RA_OPT_HDR_LEN + RA_OPT_UNIT - 1) / RA_OPT_UNIT * RA_OPT_UNIT) {
		w->first_error = RA_RS_BAD_LLADDR_LENGTH;
		return;
	}
	if (!rs->has_src_lladdr && w->lladdr_len == sizeof(rs->src_lladdr)) {
		memcpy(rs->src_lladdr, opt + RA_OPT_HDR_LEN, sizeof(rs->src_lladdr));
		rs->has_src_lladdr = true; /* the first one counts */
	}
}

/* The walk calls rs_option for an option only after that option's framing passed, and stops at the
 * first framing error: so an option error recorded before it came first in the message, and wins. */
static enum ra_rs_result rs_options(const uint8_t *opts, size_t len, const uint8_t src[16], size_t lladdr_len,
				    struct ra_rs *rs)
{
	struct rs_walk w = { src, lladdr_len, rs, RA_RS_OK };
	enum ndp_result r = ndp_options_walk(opts, len, rs_option, &w);
	if (w.first_error != RA_RS_OK)
		return w.first_error;
	switch (r) {
	case NDP_OK:
		return RA_RS_OK;
	case NDP_ZERO_OPTION_LENGTH:
		return RA_RS_ZERO_OPTION_LENGTH;
	case NDP_TOO_MANY_OPTIONS:
		return RA_RS_TOO_MANY_OPTIONS;
	default:
		return RA_RS_OPTION_TRUNCATED;
	}
}

enum ra_rs_result ra_parse_rs(const uint8_t src[16], const uint8_t dst[16], int hop_limit, const uint8_t *msg,
			      size_t len, size_t lladdr_len, struct ra_rs *rs)
{
	struct ra_rs tmp = { 0 };
	enum ra_rs_result r;

	memset(rs, 0, sizeof(*rs));
	if (hop_limit < 0)
		return RA_RS_NO_HOP_LIMIT;
	if (hop_limit != NDP_HOP_LIMIT)
		return RA_RS_HOP_LIMIT;
	struct cursor c = cursor_make(msg, len);
	uint8_t type = cursor_u8(&c), code = cursor_u8(&c);
	cursor_skip(&c, RA_RS_HDR_LEN - 2); /* checksum, reserved (ignored by receivers) */
	if (!cursor_ok(&c))
		return RA_RS_TOO_SHORT;
	if (type != NDP_ICMP6_ROUTER_SOLICIT)
		return RA_RS_BAD_TYPE;
	if (code != 0)
		return RA_RS_BAD_CODE;
	if (len > UINT32_MAX || !ndp_checksum_ok(src, dst, msg, len))
		return RA_RS_BAD_CHECKSUM;
	if (src[0] == 0xff)
		return RA_RS_BAD_SOURCE;
	r = rs_options(cursor_ptr(&c), cursor_left(&c), src, lladdr_len, &tmp);
	if (r != RA_RS_OK)
		return r;
	*rs = tmp;
	return RA_RS_OK;
}

void ra_build_content(const struct ra_config *cfg, const uint8_t *mac, bool final, struct ndp_ra *ra)
{
	memset(ra, 0, sizeof(*ra));
	if (mac) {
		ra->has_src_lladdr = true;
		memcpy(ra->src_lladdr, mac, sizeof(ra->src_lladdr));
	}
	ra->npref64 = cfg->npref64;
	for (unsigned i = 0; i < cfg->npref64; i++) {
		ra->pref64[i] = cfg->pref64[i];
		if (final)
			ra->pref64[i].lifetime = 0;
	}
	if (cfg->mode != RA_MODE_ROUTER)
		return; /* beside a router: hop limit, lifetimes and timers 0 ("unspecified"), no prefixes */
	ra->cur_hop_limit = RA_CUR_HOP_LIMIT;
	ra->router_lifetime = final ? 0 : cfg->router_lifetime;
	ra->nprefix = cfg->nprefix;
	for (unsigned i = 0; i < cfg->nprefix; i++) {
		ra->prefix[i] = cfg->prefix[i];
		if (final)
			ra->prefix[i].preferred = ra->prefix[i].valid = 0;
	}
	ra->nrdnss = cfg->nrdnss;
	memcpy(ra->rdnss, cfg->rdnss, sizeof(ra->rdnss));
	ra->rdnss_lifetime = final ? 0 : cfg->rdnss_lifetime;
	ra->dnssl_len = cfg->dnssl_wire_len;
	memcpy(ra->dnssl, cfg->dnssl_wire, sizeof(ra->dnssl));
	ra->dnssl_lifetime = final ? 0 : cfg->dnssl_lifetime;
}

uint32_t ra_interval_ms(uint32_t min_ms, uint32_t max_s, bool initial, uint32_t rnd)
{
	uint32_t max_ms = max_s * RA_MS_PER_S;
	if (min_ms > max_ms)
		min_ms = max_ms;
	uint32_t ms = min_ms + rnd % (max_ms - min_ms + 1);
	if (initial && ms > RA_MAX_INITIAL_RTR_ADVERT_INTERVAL_MS)
		ms = RA_MAX_INITIAL_RTR_ADVERT_INTERVAL_MS;
	return ms;
}

void ra_sched_start(struct ra_sched *s, uint64_t now)
{
	memset(s, 0, sizeof(*s));
	s->next_periodic = now;
	s->initial_left = RA_MAX_INITIAL_RTR_ADVERTISEMENTS;
	s->tokens = RA_UNICAST_BURST;
	s->refill_at = now;
}

static void refill(struct ra_sched *s, uint64_t now)
{
	if (now <= s->refill_at)
		return;
	uint64_t add = (now - s->refill_at) / RA_UNICAST_REFILL_MS;
	if (add == 0)
		return;
	s->refill_at += add * RA_UNICAST_REFILL_MS;
	s->tokens = s->tokens + add >= RA_UNICAST_BURST ? RA_UNICAST_BURST : s->tokens + (unsigned)add;
	if (s->tokens == RA_UNICAST_BURST)
		s->refill_at = now;
}

enum ra_solicit_answer ra_sched_solicit(struct ra_sched *s, uint64_t now, const uint8_t src[16], uint32_t delay_ms)
{
	if (delay_ms > RA_MAX_RA_DELAY_TIME_MS)
		delay_ms = RA_MAX_RA_DELAY_TIME_MS;
	bool link_local = src[0] == 0xfe && (src[1] & 0xc0) == 0x80;
	if (link_local) {
		for (unsigned i = 0; i < s->nunicast; i++)
			if (memcmp(s->unicast[i], src, 16) == 0)
				return RA_ANSWER_ALREADY_PENDING;
		refill(s, now);
		if (s->nunicast < RA_MAX_UNICAST && s->tokens > 0) {
			s->tokens--;
			if (s->nunicast == 0)
				s->unicast_at = now + delay_ms; /* the delay runs from the first one */
			memcpy(s->unicast[s->nunicast++], src, 16);
			return RA_ANSWER_UNICAST;
		}
	}
	if (s->mcast_pending)
		return RA_ANSWER_ALREADY_PENDING;
	uint64_t at = now + delay_ms;
	if (s->has_last_mcast && now < s->last_mcast + RA_MIN_DELAY_BETWEEN_RAS_MS)
		at = s->last_mcast + RA_MIN_DELAY_BETWEEN_RAS_MS + delay_ms;
	if (at > s->next_periodic)
		at = s->next_periodic;
	s->mcast_pending = true;
	s->mcast_at = at;
	return RA_ANSWER_MULTICAST;
}

unsigned ra_sched_due(const struct ra_sched *s, uint64_t now)
{
	unsigned due = 0;
	if (now >= s->next_periodic || (s->mcast_pending && now >= s->mcast_at))
		due |= RA_DUE_MULTICAST;
	if (s->nunicast && now >= s->unicast_at)
		due |= RA_DUE_UNICAST;
	return due;
}

uint64_t ra_sched_next_ms(const struct ra_sched *s, uint64_t now)
{
	uint64_t t = s->next_periodic;
	if (s->mcast_pending && s->mcast_at < t)
		t = s->mcast_at;
	if (s->nunicast && s->unicast_at < t)
		t = s->unicast_at;
	return t > now ? t - now : 0;
}

void ra_sched_sent_multicast(struct ra_sched *s, uint64_t now, uint32_t interval_ms)
{
	s->has_last_mcast = true;
	s->last_mcast = now;
	s->mcast_pending = false;
	if (s->initial_left)
		s->initial_left--;
	s->next_periodic = now + interval_ms;
}

void ra_sched_sent_unicast(struct ra_sched *s) { s->nunicast = 0; }

uint64_t ra_sched_final_at(const struct ra_sched *s, uint64_t now)
{
	if (s->has_last_mcast && now < s->last_mcast + RA_MIN_DELAY_BETWEEN_RAS_MS)
		return s->last_mcast + RA_MIN_DELAY_BETWEEN_RAS_MS;
	return now;
}

void ra_sched_changed(struct ra_sched *s, uint64_t now)
{
	s->next_periodic = ra_sched_final_at(s, now);
	s->initial_left = RA_MAX_INITIAL_RTR_ADVERTISEMENTS;
}
