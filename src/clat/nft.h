/* What the CLAT asks of the host's kernel besides its TUN, address and route: IPv4 forwarding and
 * an nftables NAT44 for tethering (--tether IF), and, in the shared address mode (shared.h), the
 * source NAT into the CLAT's port range and the rule that keeps the host's kernel off the CLAT's
 * packets. All of it lives in tables of our own, `table ip xlat464-TUN` and `table ip6 xlat464-TUN`,
 * added when the CLAT comes up and deleted when it stands down or exits (and, after a kill -9, by
 * the next start).
 *
 * clat_nft_ruleset() is pure (text out, tested); clat_nft_up() and clat_nft_down() run nft(8). */
#ifndef XLAT464_CLAT_NFT_H
#define XLAT464_CLAT_NFT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLAT_TETHER_MAX 8

struct clat_nft {
	/* configuration */
	char tun[IF_NAMESIZE];
	char tether[CLAT_TETHER_MAX][IF_NAMESIZE];
	unsigned ntether;
	bool shared;           /* shared address mode */
	uint8_t host6[16];     /* the shared address */
	uint16_t port_lo, port_hi;
	/* state */
	bool applied;          /* our tables are in the kernel */
	bool forwarding_set;   /* we turned net.ipv4.ip_forward on; restore forwarding_old */
	char forwarding_old;
};

/* True when the CLAT needs nftables at all. */
bool clat_nft_needed(const struct clat_nft *n);

/* The table name, "xlat464-" + the TUN's name. */
void clat_nft_table(const struct clat_nft *n, char *buf, size_t cap);

/* Writes the nft script that replaces our tables (atomically: one transaction) into buf. Returns
 * its length, or 0 when it does not fit. */
size_t clat_nft_ruleset(const struct clat_nft *n, char *buf, size_t cap);

/* Turns on IPv4 forwarding when there are tethered links and installs the tables. 0 or -1 (logged). */
int clat_nft_up(struct clat_nft *n);
/* Deletes our tables (also ones a killed earlier run left) and restores forwarding. */
void clat_nft_down(struct clat_nft *n);

/* The status lines: "address mode: dedicated|shared (...)" and, with --tether, "tether ...".
 * shared_host and shared_malformed are the shared mode's counters of packets left to the kernel.
 * Returns the length written (less than cap). */
size_t clat_nft_format(const struct clat_nft *n, uint64_t shared_host, uint64_t shared_malformed, char *buf, size_t cap);

#endif
