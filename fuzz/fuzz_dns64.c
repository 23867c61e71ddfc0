/* libFuzzer target for lib/dns64: any bytes as the response to the ipv4only.arpa query. The ID is
 * taken from the message so that the fuzzer does not have to guess it (a second pass uses another ID
 * and must fail). Whatever parses must satisfy the documented invariants, and every prefix found,
 * with a well-known address embedded by lib/xlat's RFC 6052 code, must be found again. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns64/dns64.h"
#include "xlat/xlat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "fz_check.h"

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 65535)
		return 0;
	uint8_t *msg = malloc(size ? size : 1); /* exact size, for ASan */
	if (!msg)
		return 0;
	memcpy(msg, data, size);
	uint16_t id = size >= 2 ? (uint16_t)(msg[0] << 8 | msg[1]) : 0;

	struct dns64_result r;
	enum dns64_status s = dns64_parse_response(msg, size, id, &r);
	FZ_CHECK((unsigned)s < DNS64__STATUS_COUNT);
	if (s != DNS64_OK) {
		FZ_CHECK(all_zero(&r, sizeof(r)));
	} else {
		FZ_CHECK(r.nprefix >= 1 && r.nprefix <= DNS64_MAX_PREFIXES);
		FZ_CHECK(r.ttl <= 0x7fffffffu);
		for (unsigned i = 0; i < r.nprefix; i++) {
			const struct dns64_prefix *p = &r.prefix[i];
			FZ_CHECK(xlat_rfc6052_len_ok(p->len));
			FZ_CHECK(p->prefix[8] == 0);
			for (unsigned b = p->len; b < 128; b++)
				FZ_CHECK(!(p->prefix[b / 8] & (0x80u >> (b % 8))));
			for (unsigned j = 0; j < i; j++)
				FZ_CHECK(r.prefix[j].len != p->len || memcmp(r.prefix[j].prefix, p->prefix, 16) != 0);
			/* Cross-check with lib/xlat: embed each WKA, find the same prefix. */
			static const uint8_t wka[2][4] = { { 192, 0, 0, 170 }, { 192, 0, 0, 171 } };
			for (int w = 0; w < 2; w++) {
				struct xlat_prefix6 x;
				memcpy(x.addr, p->prefix, 16);
				x.len = p->len;
				uint8_t a[16];
				xlat_rfc6052_embed(&x, wka[w], a);
				struct dns64_prefix again;
				FZ_CHECK(dns64_find_prefix(a, &again));
				FZ_CHECK(again.len == p->len && memcmp(again.prefix, p->prefix, 16) == 0);
			}
		}
		/* The same message with another ID is refused. */
		struct dns64_result other;
		FZ_CHECK(dns64_parse_response(msg, size, (uint16_t)(id + 1), &other) == DNS64_ID_MISMATCH);
	}
	free(msg);
	return 0;
}
