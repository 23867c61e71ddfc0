/* libFuzzer target: what `xlat464 doctor` reads from text (src/cli/doctor_status.c): a daemon's
 * status JSON, dhcpcd's log and an echo reply, on any bytes. Nothing reads past the input, the
 * strings it fills end within their arrays, and what it accepts is consistent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_packet.h"
#include "cli/doctor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1); /* exact size, no NUL: ASan sees a read past the end */
	if (!s)
		return 0;
	memcpy(s, data, size);
	struct doctor_daemon d;
	char err[64];
	if (doctor_status_parse(s, size, &d, err, sizeof(err)) == 0) {
		CHK(d.kind != DOCTOR_UNKNOWN, "accepted without a known daemon");
		CHK(memchr(d.name, 0, sizeof(d.name)) && memchr(d.ifname, 0, sizeof(d.ifname)) &&
			    memchr(d.state, 0, sizeof(d.state)) && memchr(d.why, 0, sizeof(d.why)),
		    "unterminated string");
		CHK(!d.has_pref64 || xlat_rfc6052_len_ok(d.pref64.len), "pref64 length %u", d.pref64.len);
		CHK(!d.pool6_known || xlat_rfc6052_len_ok(d.pool6.len), "pool6 length %u", d.pool6.len);
		CHK(d.drops.n <= DOCTOR_TOP_DROPS, "drops %u", d.drops.n);
		for (unsigned i = 1; i < d.drops.n; i++)
			CHK(d.drops.top[i - 1].count >= d.drops.top[i].count, "drops out of order");
	} else {
		CHK(memchr(err, 0, sizeof(err)) && err[0], "refused without a reason");
	}
	char line[64];
	if (doctor_log_option108(s, size, size && data[0] & 1 ? "eth0" : NULL, line, sizeof(line))) {
		CHK(memchr(line, 0, sizeof(line)), "unterminated line");
		for (size_t i = 0; line[i]; i++)
			CHK(line[i] >= 0x20 && line[i] < 0x7f, "control byte in the line");
	}
	doctor_echo_reply_match(data, size, size && data[0] & 2, 0x1234, 1);
	free(s);
	return 0;
}
