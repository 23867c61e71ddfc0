/* libFuzzer target for lib/dhcp4: the message parser, the server's decisions and the reply builder,
 * and the lease-file line parser.
 * Input: the whole input is a DHCPv4 message (the UDP payload). Its last byte (past the End option in
 * a well-formed message, where the parser ignores it) also chooses the server setting: bit 0 mode
 * (v6only, mostly), bits 1-7 the clock offset of the second round.
 * Whatever parses must satisfy the documented invariants; the server's answer must follow RFC 8925
 * section 3.3 (option 108 and yiaddr 0.0.0.0 exactly when 108 was requested; option 108 never
 * otherwise) and build into a reply that is well-formed. The first 200 bytes also go, as a line of
 * text, to the lease-file parser. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp4/dhcp4.h"
#include "dhcp4/dhcp4_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "fz_check.h"

#define FZ_POOL 4
static struct dhcp4_lease fz_leases[FZ_POOL];
static struct dhcp4_server fz_srv;

static void fz_server(int mode)
{
	memset(&fz_srv, 0, sizeof(fz_srv));
	fz_srv.cfg.mode = mode ? DHCP4_MODE_MOSTLY : DHCP4_MODE_V6ONLY;
	fz_srv.cfg.server_id[0] = 192, fz_srv.cfg.server_id[2] = 2, fz_srv.cfg.server_id[3] = 1;
	fz_srv.cfg.v6only_wait = DHCP4_V6ONLY_WAIT_DEFAULT;
	fz_srv.cfg.pool_first = 0xc0000264;
	fz_srv.cfg.pool_last = 0xc0000264 + FZ_POOL - 1;
	fz_srv.cfg.plen = 24;
	fz_srv.cfg.lease_time = 600;
	fz_srv.cfg.nrouters = fz_srv.cfg.ndns = DHCP4_MAX_ADDRS;
	if (mode) {
		fz_srv.lease = fz_leases;
		fz_srv.nlease = FZ_POOL;
	}
}

/* Walks a built reply's options field and returns the value of option 108 (-1 when absent). */
static long fz_opt108(const uint8_t *p, size_t n)
{
	size_t i = DHCP4_OFF_OPTIONS;
	long v = -1;
	while (i < n && p[i] != DHCP4_OPT_END) {
		if (p[i] == DHCP4_OPT_PAD) {
			i++;
			continue;
		}
		FZ_CHECK(i + 1 < n && i + 2 + p[i + 1] <= n);
		if (p[i] == DHCP4_OPT_IPV6_ONLY_PREFERRED) {
			FZ_CHECK(p[i + 1] == DHCP4_V6ONLY_OPT_LEN);
			v = (long)((uint32_t)p[i + 2] << 24 | (uint32_t)p[i + 3] << 16 | (uint32_t)p[i + 4] << 8 | p[i + 5]);
		}
		if (p[i] == DHCP4_OPT_LEASE_TIME)
			FZ_CHECK(v < 0); /* never a lease time after 108 in the same reply */
		i += 2u + p[i + 1];
	}
	FZ_CHECK(i < n); /* End is present */
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dhcp4_msg m;
	struct dhcp4_reply r;
	enum dhcp4_verdict v;
	uint8_t out[DHCP4_MAX_RELAYED_REPLY_LEN];
	char line[201], err[128];
	bool skipped;
	uint8_t sel = size ? data[size - 1] : 0;

	/* Heap copy: ASan sees any read past size. */
	uint8_t *buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	enum dhcp4_drop d = dhcp4_parse(buf, size, &m);
	FZ_CHECK((unsigned)d < DHCP4_DROP__COUNT);
	if (d == DHCP4_DROP_NONE) {
		FZ_CHECK(size >= DHCP4_MIN_LEN);
		FZ_CHECK(m.op == DHCP4_OP_BOOTREQUEST);
		FZ_CHECK(m.hlen <= DHCP4_CHADDR_LEN);
		FZ_CHECK(m.type == DHCP4_DISCOVER || m.type == DHCP4_REQUEST || m.type == DHCP4_DECLINE ||
			 m.type == DHCP4_RELEASE || m.type == DHCP4_INFORM);
		FZ_CHECK(m.client_id_len <= DHCP4_CLIENT_ID_MAX);
		FZ_CHECK(m.noptions <= DHCP4_MAX_OPTIONS);
		FZ_CHECK(m.overload <= DHCP4_OVERLOAD_BOTH);
		uint8_t key[DHCP4_KEY_MAX];
		FZ_CHECK(dhcp4_msg_key(&m, key) <= DHCP4_KEY_MAX);

		bool asked = dhcp4_msg_requests(&m, DHCP4_OPT_IPV6_ONLY_PREFERRED);
		for (int round = 0; round < 2; round++) {
			fz_server(sel & 1);
			uint64_t now = 1000 + (uint64_t)(sel >> 1) * 37 * (unsigned)round;
			d = dhcp4_server_handle(&fz_srv, &m, now, &v, &r);
			FZ_CHECK((unsigned)d < DHCP4_DROP__COUNT);
			if (d != DHCP4_DROP_NONE || v != DHCP4_VERDICT_REPLY)
				continue;
			FZ_CHECK(r.type == DHCP4_OFFER || r.type == DHCP4_ACK || r.type == DHCP4_NAK);
			FZ_CHECK(r.v6only == (asked && r.type != DHCP4_NAK));
			if (r.v6only) {
				FZ_CHECK(!r.lease && !r.yiaddr[0] && !r.yiaddr[1] && !r.yiaddr[2] && !r.yiaddr[3]);
				FZ_CHECK(r.type == (m.type == DHCP4_DISCOVER ? DHCP4_OFFER : DHCP4_ACK));
			}
			size_t n = dhcp4_build_reply(&m, &r, out, sizeof(out));
			FZ_CHECK(n >= DHCP4_BOOTP_MIN_LEN && n <= sizeof(out));
			FZ_CHECK(out[DHCP4_OFF_OP] == DHCP4_OP_BOOTREPLY);
			FZ_CHECK(memcmp(out + DHCP4_OFF_CHADDR, m.chaddr, DHCP4_CHADDR_LEN) == 0);
			long w = fz_opt108(out, n);
			FZ_CHECK(r.v6only ? w == (long)fz_srv.cfg.v6only_wait : w == -1);
			/* The reply, seen as a request, parses up to its being a server message. */
			out[DHCP4_OFF_OP] = DHCP4_OP_BOOTREQUEST;
			struct dhcp4_msg back;
			FZ_CHECK(dhcp4_parse(out, n, &back) == DHCP4_DROP_SERVER_MESSAGE);
			FZ_CHECK(back.has_relay_info == m.has_relay_info && back.relay_info_len == m.relay_info_len &&
				 memcmp(back.relay_info, m.relay_info, m.relay_info_len) == 0); /* RFC 3046 2.2 */
			uint8_t dst[4];
			uint16_t port;
			enum dhcp4_dest dest = dhcp4_reply_dest(&m, &r, dst, &port);
			FZ_CHECK((dest == DHCP4_DEST_RELAY) == (memcmp(m.giaddr, "\0\0\0\0", 4) != 0));
			FZ_CHECK(port == (dest == DHCP4_DEST_RELAY ? DHCP4_SERVER_PORT : DHCP4_CLIENT_PORT));
			FZ_CHECK(dhcp4_server_bound(&fz_srv, now) <= FZ_POOL);
			for (unsigned i = 0; i < FZ_POOL; i++) {
				char l[DHCP4_LEASE_LINE_MAX + 16];
				size_t k = dhcp4_lease_format(&fz_srv, i, l, sizeof(l));
				if (k) {
					l[k - 1] = '\0';
					FZ_CHECK(dhcp4_lease_parse(&fz_srv, l, &skipped, err, sizeof(err)) == 0 && !skipped);
				}
			}
		}
	}
	free(buf);

	size_t ln = size < sizeof(line) - 1 ? size : sizeof(line) - 1;
	memcpy(line, data, ln);
	line[ln] = '\0';
	fz_server(1);
	int pr = dhcp4_lease_parse(&fz_srv, line, &skipped, err, sizeof(err));
	FZ_CHECK(pr == 0 || pr == -1);
	uint8_t a[4];
	dhcp4_addr_parse(line, a);
	return 0;
}
