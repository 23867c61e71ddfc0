/* The fixed-size message a SIIT daemon writes to each client of its control socket (then closes it).
 * Client and daemon are the same binary, so the layout is shared; magic and size catch a mismatch. */
#ifndef XLAT464_SIIT_CTL_MSG_H
#define XLAT464_SIIT_CTL_MSG_H

#include <stdint.h>

#include "siit_settings.h"
#include "xlat/xlat.h"

#define SIIT_STATUS_MAGIC 0x78533031u /* "xS01" */
#define SIIT_STATUS_SETTINGS_MAX 20480  /* the effective settings in config syntax (256 EAM lines fit) */

struct siit_status_msg {
	uint32_t magic;
	uint32_t size;   /* sizeof(struct siit_status_msg) */
	uint32_t ndrops; /* XLAT_DROP__COUNT */
	int32_t pid;
	uint64_t uptime_sec;
	uint64_t hairpinned, tun_read_errors, tun_write_errors, reloads;
	char daemon[16]; /* "siit" */
	char tun[SIIT_TUN_NAME_MAX];
	struct xlat_stats stats;
	char settings[SIIT_STATUS_SETTINGS_MAX];
};

#endif
