/* `xlat464 ra`: the PREF64 announcer (RFC 8781) of the IPv6-mostly kit, and the status message its
 * control socket writes (read by `xlat464 status`, src/cli/status.c, which hands it to
 * ra_status_print). */
#ifndef XLAT464_RA_H
#define XLAT464_RA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ra_proto.h"

/* `xlat464 ra --interface IF --pref64 PREFIX ... [--router ...]`: the daemon. */
int ra_main(int argc, char **argv);

#define RA_STATUS_MAGIC 0x78523031u /* "xR01" */
#define RA_STATUS_SETTINGS_MAX 2048

/* Fixed-size, written whole to each control client, which then gets EOF. Client and daemon are the
 * same binary; magic, size and nreasons catch a mismatch. */
struct ra_status_msg {
	uint32_t magic;
	uint32_t size;     /* sizeof(struct ra_status_msg) */
	uint32_t nreasons; /* RA_RS__COUNT */
	int32_t pid;
	uint64_t uptime_sec;
	char daemon[16];   /* "ra" */
	char ifname[RA_IFNAME_MAX];
	char state[16];
	char lladdr[48];   /* the source of our RAs, text */
	uint64_t ra_periodic, ra_solicited_multicast, ra_solicited_unicast, ra_final, send_errors;
	uint64_t rs_received, rs_valid, rs_ignored, recv_errors;
	uint64_t rs_answer_unicast, rs_answer_multicast, rs_answer_coalesced;
	uint64_t rs_reason[RA_RS__COUNT]; /* index RA_RS_OK unused */
	char settings[RA_STATUS_SETTINGS_MAX];
};

/* Prints an answer whose first word is RA_STATUS_MAGIC (len bytes read from a control socket): text,
 * or JSON with every counter. Returns 0, or 1 after a warning when it is from another build. */
int ra_status_print(const void *msg, size_t len, bool json, const char *path);

#endif
