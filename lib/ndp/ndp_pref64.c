/* The PREF64 option (RFC 8781 section 4):
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   |     Type      |    Length     |     Scaled Lifetime     | PLC |
 *   |              Highest 96 bits of the Prefix (12 bytes)          |
 * Type 38, Length 2. Scaled Lifetime: 13 bits of 8-second units. PLC: prefix length code. */
#include <string.h>

#include "common/cursor.h"
#include "ndp_internal.h"

#define PREF64_PREFIX_BYTES 12
#define PREF64_PLC_MASK 0x7
#define PREF64_SCALED_SHIFT 3
#define PREF64_LIFETIME_UNIT 8

/* RFC 8781 section 4, "PLC": the code's index is the code. */
static const uint8_t pref64_plc_len[] = { 96, 64, 56, 48, 40, 32 };
#define PREF64_NPLC (sizeof(pref64_plc_len) / sizeof(pref64_plc_len[0]))

unsigned ndp_pref64_plc_to_len(unsigned plc) { return plc < PREF64_NPLC ? pref64_plc_len[plc] : 0; }

int ndp_pref64_len_to_plc(unsigned len)
{
	for (unsigned i = 0; i < PREF64_NPLC; i++)
		if (pref64_plc_len[i] == len)
			return (int)i;
	return -1;
}

/* Keeps the first len bits of a 16-byte prefix, zeroes the rest. */
static void pref64_mask(uint8_t prefix[16], unsigned len)
{
	for (unsigned b = len; b < 128; b++)
		prefix[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
}

enum ndp_result ndp_pref64_decode(const uint8_t opt[16], struct ndp_pref64 *p)
{
	if (opt[0] != NDP_OPT_PREF64)
		return NDP_BAD_OPTION_TYPE;
	if (opt[1] != NDP_PREF64_OPT_LEN / NDP_OPT_UNIT)
		return NDP_BAD_OPTION_LENGTH; /* "the receiver MUST ignore the PREF64 option" */
	uint16_t word = be16_at(opt + 2);
	unsigned len = ndp_pref64_plc_to_len(word & PREF64_PLC_MASK);
	if (len == 0)
		return NDP_BAD_PREF64_LENGTH_CODE; /* codes 6 and 7 are undefined: ignore the option */
	memset(p->prefix, 0, sizeof(p->prefix));
	memcpy(p->prefix, opt + 4, PREF64_PREFIX_BYTES);
	pref64_mask(p->prefix, len); /* bits beyond the length are ignored by the receiver */
	p->len = (uint8_t)len;
	p->lifetime = (uint32_t)(word >> PREF64_SCALED_SHIFT) * PREF64_LIFETIME_UNIT;
	return NDP_OK;
}

bool ndp_pref64_encode(const struct ndp_pref64 *p, uint8_t opt[16])
{
	int plc = ndp_pref64_len_to_plc(p->len);
	if (plc < 0 || p->lifetime > NDP_PREF64_MAX_LIFETIME)
		return false;
	uint8_t prefix[16];
	memcpy(prefix, p->prefix, 16);
	pref64_mask(prefix, p->len);
	opt[0] = NDP_OPT_PREF64;
	opt[1] = NDP_PREF64_OPT_LEN / NDP_OPT_UNIT;
	put_be16(opt + 2, (uint16_t)(ndp_pref64_scaled_lifetime(p->lifetime) << PREF64_SCALED_SHIFT | (unsigned)plc));
	memcpy(opt + 4, prefix, PREF64_PREFIX_BYTES);
	return true;
}

uint16_t ndp_pref64_scaled_lifetime(uint32_t seconds)
{
	uint32_t units = seconds / PREF64_LIFETIME_UNIT + (seconds % PREF64_LIFETIME_UNIT != 0);
	return (uint16_t)(units > NDP_PREF64_MAX_SCALED ? NDP_PREF64_MAX_SCALED : units);
}

uint32_t ndp_pref64_default_lifetime(uint32_t max_rtr_adv_interval)
{
	/* "the lesser of 3 x MaxRtrAdvInterval divided by 8, or 8191", rounded up so that the prefix
	 * outlives three intervals; 64-bit so a huge interval cannot wrap. */
	uint64_t want = (uint64_t)max_rtr_adv_interval * 3;
	uint64_t units = want / PREF64_LIFETIME_UNIT + (want % PREF64_LIFETIME_UNIT != 0);
	if (units > NDP_PREF64_MAX_SCALED)
		units = NDP_PREF64_MAX_SCALED;
	return (uint32_t)units * PREF64_LIFETIME_UNIT;
}

bool ndp_pref64_lifetime_covers(uint32_t lifetime, uint32_t max_rtr_adv_interval)
{
	return (uint64_t)lifetime >= (uint64_t)max_rtr_adv_interval * 3;
}
