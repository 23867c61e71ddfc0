/* libdhcp4: DHCPv4 messages (RFC 2131, options of RFC 2132) as an option-108 server needs them:
 * parse a client's message, decide the answer, build the reply. Pure code: no system calls, no
 * allocation; the caller owns every buffer and passes the clock in.
 *
 *     struct dhcp4_msg m;
 *     enum dhcp4_drop r = dhcp4_parse(buf, len, &m);
 *     if (r != DHCP4_DROP_NONE) { count dhcp4_drop_name(r); drop; }
 *     if (dhcp4_msg_requests(&m, DHCP4_OPT_IPV6_ONLY_PREFERRED)) ... (RFC 8925 section 3.3)
 *
 * Option handling (RFC 2131 section 4.1, RFC 2132 section 2, RFC 3396):
 *   - the options field follows the magic cookie; it is walked first, then `file` and then `sname`
 *     when an Option Overload (52) in the options field says they hold options (RFC 2131 4.1);
 *   - Pad (0) is one byte; End (255) stops a field; every other option is code, length, value, and a
 *     length running past its field drops the message (DHCP4_DROP_OPTION_TRUNCATED);
 *   - the options field must close with End (a strict prefix of a message never parses); `file` and
 *     `sname` may simply run to their end;
 *   - a length of 0 is legal framing (Rapid Commit, RFC 4039, has no value);
 *   - more than DHCP4_MAX_OPTIONS options (Pads not counted) drop the message;
 *   - the options this code reads have exact lengths (53: 1, 54/50/51: 4, 52: 1, 57: 2) and may
 *     appear once; a wrong length or a repeat drops the message;
 *   - Parameter Request List (55) and Client Identifier (61) split into several instances are
 *     concatenated (RFC 3396 section 7): the PRL is kept as a set of codes, so the union is exact.
 *   - unknown options are skipped. */
#ifndef XLAT464_DHCP4_H
#define XLAT464_DHCP4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- protocol constants ----------------------------------------------------------------------- */

#define DHCP4_SERVER_PORT 67
#define DHCP4_CLIENT_PORT 68

#define DHCP4_OP_BOOTREQUEST 1
#define DHCP4_OP_BOOTREPLY 2
#define DHCP4_HTYPE_ETHER 1 /* RFC 1700 hardware type 1, hlen 6 */
#define DHCP4_ETHER_LEN 6
#define DHCP4_CHADDR_LEN 16
#define DHCP4_SNAME_LEN 64
#define DHCP4_FILE_LEN 128
#define DHCP4_FLAG_BROADCAST 0x8000 /* RFC 2131 section 2, figure 2 */
#define DHCP4_MAGIC_COOKIE 0x63825363u /* 99.130.83.99, RFC 2131 section 3 */

/* Offsets of the fixed part (RFC 2131 section 2, figure 1). */
#define DHCP4_OFF_OP 0
#define DHCP4_OFF_HTYPE 1
#define DHCP4_OFF_HLEN 2
#define DHCP4_OFF_HOPS 3
#define DHCP4_OFF_XID 4
#define DHCP4_OFF_SECS 8
#define DHCP4_OFF_FLAGS 10
#define DHCP4_OFF_CIADDR 12
#define DHCP4_OFF_YIADDR 16
#define DHCP4_OFF_SIADDR 20
#define DHCP4_OFF_GIADDR 24
#define DHCP4_OFF_CHADDR 28
#define DHCP4_OFF_SNAME 44
#define DHCP4_OFF_FILE 108
#define DHCP4_FIXED_LEN 236
#define DHCP4_OFF_OPTIONS 240 /* after the 4-byte cookie */
#define DHCP4_MIN_LEN DHCP4_OFF_OPTIONS
/* RFC 1542 section 2.1: a BOOTP message is at least 300 bytes; replies are padded to that. */
#define DHCP4_BOOTP_MIN_LEN 300
/* RFC 2131 section 2: every client accepts messages of up to 576 bytes (IP and UDP included). */
#define DHCP4_MAX_REPLY_LEN (576 - 20 - 8)
/* A reply to a relay may be longer by the Relay Agent Information it echoes, which the relay strips
 * before the client sees it (RFC 3046 section 2.1.1). */
#define DHCP4_RELAY_INFO_MAX 255
#define DHCP4_MAX_RELAYED_REPLY_LEN (DHCP4_MAX_REPLY_LEN + 2 + DHCP4_RELAY_INFO_MAX)

/* Options (RFC 2132; 108: RFC 8925 section 3.1). */
#define DHCP4_OPT_PAD 0
#define DHCP4_OPT_SUBNET_MASK 1
#define DHCP4_OPT_ROUTER 3
#define DHCP4_OPT_DNS 6
#define DHCP4_OPT_HOSTNAME 12
#define DHCP4_OPT_REQUESTED_IP 50
#define DHCP4_OPT_LEASE_TIME 51
#define DHCP4_OPT_OVERLOAD 52
#define DHCP4_OPT_MESSAGE_TYPE 53
#define DHCP4_OPT_SERVER_ID 54
#define DHCP4_OPT_PRL 55
#define DHCP4_OPT_MESSAGE 56
#define DHCP4_OPT_MAX_MSG_SIZE 57
#define DHCP4_OPT_RENEWAL_TIME 58
#define DHCP4_OPT_REBINDING_TIME 59
#define DHCP4_OPT_CLIENT_ID 61
#define DHCP4_OPT_RELAY_AGENT_INFO 82 /* RFC 3046 */
#define DHCP4_OPT_IPV6_ONLY_PREFERRED 108
#define DHCP4_OPT_END 255

#define DHCP4_OVERLOAD_FILE 1
#define DHCP4_OVERLOAD_SNAME 2
#define DHCP4_OVERLOAD_BOTH 3

/* Option 53 values (RFC 2132 section 9.6). */
#define DHCP4_DISCOVER 1
#define DHCP4_OFFER 2
#define DHCP4_REQUEST 3
#define DHCP4_DECLINE 4
#define DHCP4_ACK 5
#define DHCP4_NAK 6
#define DHCP4_RELEASE 7
#define DHCP4_INFORM 8
#define DHCP4_TYPE_MAX DHCP4_INFORM

/* RFC 8925 section 3.4. */
#define DHCP4_MIN_V6ONLY_WAIT 300
#define DHCP4_V6ONLY_WAIT_DEFAULT 1800
#define DHCP4_V6ONLY_OPT_LEN 4 /* RFC 8925 section 3.1: the server MUST set the length to 4 */

#define DHCP4_MAX_OPTIONS 128  /* more options than this drop the message */
#define DHCP4_CLIENT_ID_MAX 64 /* longer client identifiers drop the message */
#define DHCP4_MAX_ADDRS 4      /* routers or DNS servers in a reply */

/* ---- drop and ignore reasons: one list for the parser and the server -------------------------- */

/* X(ENUM_SUFFIX, "short-name", "description") */
#define DHCP4_DROPS(X) \
	X(NONE,               "none",               "not dropped") \
	X(TRUNCATED,          "truncated",          "shorter than the 236-byte BOOTP header and the 4-byte magic cookie") \
	X(NOT_BOOTREQUEST,    "not-bootrequest",    "op is not BOOTREQUEST (1): a reply, or not DHCP") \
	X(BAD_HLEN,           "bad-hlen",           "hardware address length above 16, or not 6 for Ethernet (htype 1)") \
	X(BAD_COOKIE,         "bad-cookie",         "no DHCP magic cookie 99.130.83.99 (RFC 2131 section 3): plain BOOTP or garbage") \
	X(OPTION_TRUNCATED,   "option-truncated",   "an option's length runs past the end of its field") \
	X(NO_END,             "no-end",             "the options field does not close with the End option (255)") \
	X(TOO_MANY_OPTIONS,   "too-many-options",   "more options than the parser walks (DHCP4_MAX_OPTIONS)") \
	X(BAD_OPTION_LENGTH,  "bad-option-length",  "message type, overload, server identifier, requested address, lease time or maximum size of the wrong length") \
	X(DUPLICATE_OPTION,   "duplicate-option",   "one of those options appears twice") \
	X(BAD_OVERLOAD,       "bad-overload",       "option overload (52) value is not 1, 2 or 3") \
	X(CLIENT_ID_TOO_LONG, "client-id-too-long", "client identifier (61) longer than DHCP4_CLIENT_ID_MAX bytes") \
	X(NO_MESSAGE_TYPE,    "no-message-type",    "no DHCP message type (53): a BOOTP request, not served") \
	X(BAD_MESSAGE_TYPE,   "bad-message-type",   "message type is not 1-8 (RFC 2132 section 9.6)") \
	X(SERVER_MESSAGE,     "server-message",     "OFFER, ACK or NAK: a message only servers send") \
	X(RELAY_INFO_TOO_LONG, "relay-info-too-long", "Relay Agent Information (82), concatenated (RFC 3396), longer than 255 bytes: it could not be echoed") \
	X(RELAY_OTHER_SUBNET, "relay-other-subnet", "relayed (giaddr set) from a subnet the pool is not in: no address to offer there (RFC 2131 section 4.3.1)") \
	X(V6ONLY_NETWORK,     "v6only-no-108",      "client did not ask for option 108 and the network is IPv6-only (--mode v6only)") \
	X(OTHER_SERVER,       "other-server",       "REQUEST, DECLINE or RELEASE names another server's identifier (for a REQUEST: the client chose that server)") \
	X(POOL_EXHAUSTED,     "pool-exhausted",     "no free address in the pool") \
	X(NO_RECORD,          "no-record",          "REQUEST for an address in the subnet this server has no record of (RFC 2131 4.3.2: stay silent)") \
	X(BAD_REQUEST,        "bad-request",        "REQUEST with neither a server identifier, a requested address nor ciaddr") \
	X(NOT_OUR_LEASE,      "not-our-lease",      "RELEASE or DECLINE of an address not leased to this client")

enum dhcp4_drop {
#define DHCP4_X_ENUM(e, n, d) DHCP4_DROP_##e,
	DHCP4_DROPS(DHCP4_X_ENUM)
#undef DHCP4_X_ENUM
	DHCP4_DROP__COUNT
};

const char *dhcp4_drop_name(enum dhcp4_drop r);
const char *dhcp4_drop_desc(enum dhcp4_drop r);
/* "DISCOVER", "OFFER", ... or "?" */
const char *dhcp4_type_name(unsigned type);

/* ---- a client's message ----------------------------------------------------------------------- */

struct dhcp4_msg {
	uint8_t op, htype, hlen, hops;
	uint32_t xid;
	uint16_t secs, flags;
	uint8_t ciaddr[4], yiaddr[4], siaddr[4], giaddr[4];
	uint8_t chaddr[DHCP4_CHADDR_LEN];
	uint8_t type;     /* option 53 (1..8) */
	uint8_t overload; /* option 52, 0 when absent */
	bool has_server_id, has_requested_ip, has_lease_time, has_max_msg_size;
	uint8_t server_id[4], requested_ip[4];
	uint32_t lease_time;
	uint16_t max_msg_size;
	uint8_t prl[32];   /* bitmap of the codes in the Parameter Request List */
	unsigned prl_len;  /* bytes of PRL seen (all instances) */
	uint8_t client_id[DHCP4_CLIENT_ID_MAX];
	unsigned client_id_len; /* 0: none */
	uint8_t relay_info[DHCP4_RELAY_INFO_MAX]; /* option 82's value, echoed in replies (RFC 3046 2.2) */
	unsigned relay_info_len;
	bool has_relay_info;
	unsigned noptions; /* options walked, Pads not counted */
};

/* Parses a client's message (the UDP payload). Returns DHCP4_DROP_NONE and fills *m, or the reason
 * the message is dropped (then *m is partly filled and meaningless). Checks the framing and the
 * message type; what the type implies (a server identifier in a REQUEST, ...) is dhcp4_server's. */
enum dhcp4_drop dhcp4_parse(const uint8_t *buf, size_t len, struct dhcp4_msg *m);

static inline bool dhcp4_msg_requests(const struct dhcp4_msg *m, uint8_t code)
{
	return (m->prl[code >> 3] >> (code & 7)) & 1;
}

/* The client's identity for leases (RFC 2131 section 4.2: client identifier, else chaddr):
 * the client identifier when present, else htype followed by chaddr[0..hlen). Returns its length. */
#define DHCP4_KEY_MAX (DHCP4_CLIENT_ID_MAX > 1 + DHCP4_CHADDR_LEN ? DHCP4_CLIENT_ID_MAX : 1 + DHCP4_CHADDR_LEN)
unsigned dhcp4_msg_key(const struct dhcp4_msg *m, uint8_t key[DHCP4_KEY_MAX]);

/* ---- a server's reply ------------------------------------------------------------------------- */

struct dhcp4_reply {
	uint8_t type; /* DHCP4_OFFER, DHCP4_ACK or DHCP4_NAK */
	uint8_t server_id[4];
	uint8_t yiaddr[4];
	uint8_t ciaddr[4];
	bool v6only; /* option 108 with v6only_wait (RFC 8925 section 3.1) */
	uint32_t v6only_wait;
	bool lease; /* option 51 (and 58, 59 at 1/2 and 7/8 of it, RFC 2131 section 4.4.5) */
	uint32_t lease_time;
	bool has_mask;
	uint8_t mask[4];
	unsigned nrouters, ndns;
	uint8_t routers[DHCP4_MAX_ADDRS][4], dns[DHCP4_MAX_ADDRS][4];
	const char *message; /* option 56, for a NAK; NULL: none */
};

/* Builds the reply to req into buf (cap at least DHCP4_MAX_RELAYED_REPLY_LEN): op BOOTREPLY; htype,
 * hlen, xid, flags, giaddr and chaddr copied from the request; hops, secs, siaddr, sname and file
 * zero (RFC 2131 section 4.3.1, table 3). A NAK to a relay sets the broadcast flag (RFC 2131
 * section 4.3.2). Options in this order: 53, 54, 108, 51, 58, 59, 1, 3, 6, 56, then the request's
 * Relay Agent Information verbatim as the last option (RFC 3046 section 2.2), End, then Pads up to
 * DHCP4_BOOTP_MIN_LEN. Returns the length, or 0 when cap is too small. */
size_t dhcp4_build_reply(const struct dhcp4_msg *req, const struct dhcp4_reply *r, uint8_t *buf, size_t cap);

/* Where a reply goes (RFC 2131 section 4.1). */
enum dhcp4_dest {
	DHCP4_DEST_RELAY,     /* giaddr set: to the relay agent's server port, giaddr:67 */
	DHCP4_DEST_BROADCAST, /* 255.255.255.255:68 */
	DHCP4_DEST_UNICAST,   /* ciaddr:68 */
};
/* With giaddr set, every reply goes to the relay. Otherwise a NAK goes to 255.255.255.255, and an
 * OFFER or ACK to ciaddr when the request had one, else broadcast. Unicast to chaddr/yiaddr
 * (allowed when the client did not set the broadcast flag) would need a packet socket and, for
 * option-108 answers, is impossible (yiaddr is 0.0.0.0): this server broadcasts instead, which
 * every client accepts. dst and port get the address. */
enum dhcp4_dest dhcp4_reply_dest(const struct dhcp4_msg *req, const struct dhcp4_reply *r, uint8_t dst[4],
				 uint16_t *port);

#endif
