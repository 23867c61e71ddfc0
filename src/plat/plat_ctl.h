/* What `xlat464 plat` says on its control sockets. Client and daemon are the same binary, so the
 * layouts are shared; magic and size catch a mismatch.
 *
 *  - the status socket (plat-TUN.sock, found by `xlat464 status`): each client gets one struct
 *    plat_status_msg at once, then the daemon closes, like every other daemon of the project;
 *  - the command socket (plat-TUN.cmd, named in the status message): the client sends one struct
 *    plat_cmd_req and reads the answer: a struct plat_cmd_reply, then (for PLAT_CMD_SESSIONS) that
 *    many struct plat_session_rec. */
#ifndef XLAT464_PLAT_CTL_MSG_H
#define XLAT464_PLAT_CTL_MSG_H

#include <stdint.h>

#include "nat64/dynpool.h"
#include "nat64/nat64.h"
#include "ipfix_export.h"
#include "plat_settings.h"
#include "xlat/xlat.h"

#define PLAT_STATUS_MAGIC 0x78503032u /* "xP02"; siit's is "xS01" */
#define PLAT_CMD_MAGIC 0x78503043u    /* "xP0C" */
#define PLAT_SETTINGS_TEXT_MAX 32768
#define PLAT_TOP_MAX 10

struct plat_status_msg {
	uint32_t magic;
	uint32_t size;   /* sizeof(struct plat_status_msg) */
	uint32_t ndrops; /* XLAT_DROP__COUNT */
	int32_t pid;
	uint64_t uptime_sec;
	char daemon[16]; /* "plat" */
	char tun[PLAT_TUN_NAME_MAX];
	uint32_t mode;   /* enum plat_mode */
	char cmd_path[PLAT_PATH_MAX];
	char pool6[48];
	uint64_t tun_read_errors, tun_write_errors, reloads;
	uint64_t replies_sent, replies_suppressed;
	uint64_t log_lines, log_errors;
	uint32_t ipfix_on;               /* exporting to an IPFIX collector */
	struct plat_ipfix_counters ipfix;
	uint32_t offload; /* the TUN does checksum and TCP segmentation offload */
	uint64_t gso_in, gso_bytes, csum_completed;
	/* the kernel fast path (bpf-offload): attached or not, why not, where; its counters */
	uint32_t bpf_on;
	char bpf_error[128];
	char bpf_ifs[PLAT_BPF_IFS_MAX * (PLAT_TUN_NAME_MAX + 2)];
	uint64_t bpf_flows, bpf_pkts6, bpf_bytes6, bpf_pkts4, bpf_bytes4, bpf_passed, bpf_failed, bpf_redirected;
	struct xlat_stats stats;
	struct nat64_stats nat;          /* stateful */
	uint32_t ntop;
	struct nat64_subscriber_usage top[PLAT_TOP_MAX];
	struct nat64_dynpool_stats dyn;  /* stateless */
	char settings[PLAT_SETTINGS_TEXT_MAX];
};

enum plat_cmd_op { PLAT_CMD_SESSIONS = 1, PLAT_CMD_FLUSH = 2 };

struct plat_cmd_req {
	uint32_t magic;
	uint32_t op;    /* enum plat_cmd_op */
	uint32_t proto; /* enum nat64_proto; NAT64_NPROTO = all */
};

struct plat_cmd_reply {
	uint32_t magic;
	int32_t status;  /* 0, or -1 (bad request) */
	uint64_t count;  /* records that follow, or sessions (leases) flushed */
	uint64_t total;  /* sessions (leases) there are; more than count when the list was cut */
};

#define PLAT_REC_LEASE 3 /* proto of a stateless lease record */
#define PLAT_SESSIONS_MAX 1000000

struct plat_session_rec {
	uint8_t proto;   /* enum nat64_proto, or PLAT_REC_LEASE */
	uint8_t is_static;
	uint16_t port6, port4, remote_port;
	uint8_t v6[16], v4[4], remote4[4];
	char state[16];  /* TCP state name, "" for others */
	uint64_t expires_in_ms;
	uint64_t packets; /* leases */
};

#endif
