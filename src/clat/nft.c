/* Tethering and the shared mode's kernel rules (nft.h). */
#include "nft.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sys/log.h"

#define NFT_SCRIPT_MAX 4096
#define IP_FORWARD "/proc/sys/net/ipv4/ip_forward"
#define NFT_PATH "/usr/sbin/nft"

bool clat_nft_needed(const struct clat_nft *n)
{
	return n->ntether > 0 || n->shared;
}

void clat_nft_table(const struct clat_nft *n, char *buf, size_t cap)
{
	snprintf(buf, cap, "xlat464-%s", n->tun);
}

/* Appends to buf; *used past cap means it did not fit. */
__attribute__((format(printf, 4, 5))) static void put(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int k = *used < cap ? vsnprintf(buf + *used, cap - *used, fmt, ap) : 0;
	va_end(ap);
	*used += k > 0 ? (size_t)k : 0;
	if (k < 0)
		*used = cap;
}

size_t clat_nft_ruleset(const struct clat_nft *n, char *buf, size_t cap)
{
	char t[IF_NAMESIZE + 8], a6[INET6_ADDRSTRLEN];
	size_t used = 0;

	clat_nft_table(n, t, sizeof(t));
	/* "add" then "delete" then the new table: replaces what is there (ours from a killed run
	 * included) in one transaction, and never fails for a missing table. */
	put(buf, cap, &used, "add table ip %s\ndelete table ip %s\n", t, t);
	put(buf, cap, &used, "add table ip6 %s\ndelete table ip6 %s\n", t, t);
	if (!clat_nft_needed(n))
		return used < cap ? used : 0;
	put(buf, cap, &used, "table ip %s {\n\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n", t);
	if (n->shared) {
		/* Every flow into the TUN, the host's own and tethered ones, into the CLAT's port range
		 * (ICMP echo identifiers too: the kernel's NAT treats them as ports). */
		put(buf, cap, &used, "\t\toifname \"%s\" meta l4proto { tcp, udp, icmp } snat to 192.0.0.1:%u-%u\n", n->tun,
		    n->port_lo, n->port_hi);
		/* Other protocols have no ports to share the address by: the CLAT leaves them to the host
		 * (shared.c); tethered clients still get the address. */
		if (n->ntether)
			put(buf, cap, &used, "\t\toifname \"%s\" ip saddr != 192.0.0.1 snat to 192.0.0.1\n", n->tun);
	} else if (n->ntether) {
		/* snat, not masquerade: masquerade would look for an address of universe scope on the TUN,
		 * and 192.0.0.1 has host scope (docs/clat.md). */
		put(buf, cap, &used, "\t\tiifname { ");
		for (unsigned i = 0; i < n->ntether; i++)
			put(buf, cap, &used, "%s\"%s\"", i ? ", " : "", n->tether[i]);
		put(buf, cap, &used, " } oifname \"%s\" snat to 192.0.0.1\n", n->tun);
	}
	put(buf, cap, &used, "\t}\n}\n");
	if (n->shared) {
		inet_ntop(AF_INET6, n->host6, a6, sizeof(a6));
		/* After conntrack (priority -200), whose IPv6 defragmenter runs first because the table uses
		 * ct: so the drop sees whole datagrams, not fragments without ports. */
		put(buf, cap, &used,
		    "table ip6 %s {\n\tchain prerouting {\n\t\ttype filter hook prerouting priority -150; policy accept;\n"
		    "\t\tct state invalid counter\n"
		    "\t\tip6 daddr %s meta l4proto { tcp, udp } th dport %u-%u counter drop comment \"the CLAT's (shared mode)\"\n"
		    "\t}\n}\n",
		    t, a6, n->port_lo, n->port_hi);
	}
	return used < cap ? used : 0;
}

size_t clat_nft_format(const struct clat_nft *n, uint64_t shared_host, uint64_t shared_malformed, char *buf, size_t cap)
{
	char t[IF_NAMESIZE + 8], a6[INET6_ADDRSTRLEN];
	size_t used = 0;

	if (!cap)
		return 0;
	buf[0] = '\0';
	clat_nft_table(n, t, sizeof(t));
	if (n->shared) {
		inet_ntop(AF_INET6, n->host6, a6, sizeof(a6));
		put(buf, cap, &used,
		    "address mode: shared (the host's own address %s; the CLAT's flows use ports %u-%u; "
		    "left to the host %llu, malformed %llu)\n",
		    a6, n->port_lo, n->port_hi, (unsigned long long)shared_host, (unsigned long long)shared_malformed);
	} else {
		put(buf, cap, &used, "address mode: dedicated (an address of its own in the uplink's /64)\n");
	}
	if (n->ntether) {
		put(buf, cap, &used, "tether");
		for (unsigned i = 0; i < n->ntether; i++)
			put(buf, cap, &used, " %s", n->tether[i]);
		put(buf, cap, &used, " (NAT44 onto 192.0.0.1, nftables table ip %s %s)\n", t,
		    n->applied ? "in place" : "not in place: not running");
	}
	if (used >= cap) {
		buf[cap - 1] = '\0';
		return cap - 1;
	}
	return used;
}

/* Runs nft -f - with script on its standard input; nft's messages go to our stderr (the log). */
static int run_nft(const char *script, size_t len)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(p[0], STDIN_FILENO);
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (null >= 0)
			dup2(null, STDOUT_FILENO);
		/* nft keeps the daemon's signal mask (SIGTERM, SIGINT, SIGHUP blocked for its signalfd): a
		 * SIGTERM sent to the whole group or cgroup at shutdown (timeout(1), systemd) must not kill
		 * the nft that is deleting our tables. */
		signal(SIGPIPE, SIG_DFL);
		execl(NFT_PATH, "nft", "-f", "-", (char *)NULL);
		execlp("nft", "nft", "-f", "-", (char *)NULL);
		_exit(127);
	}
	close(p[0]);
	size_t off = 0;
	while (off < len) {
		ssize_t k = write(p[1], script + off, len - off);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		off += (size_t)k;
	}
	close(p[1]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && off == len)
		return 0;
	errno = WIFEXITED(st) && WEXITSTATUS(st) == 127 ? ENOENT : EPROTO;
	return -1;
}

static int forwarding_set(struct clat_nft *n, bool on)
{
	char v = 0;
	int fd = open(IP_FORWARD, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (on) {
		if (read(fd, &v, 1) != 1) {
			close(fd);
			return -1;
		}
		if (v == '1') { /* on already: leave it as we found it */
			close(fd);
			return 0;
		}
		n->forwarding_old = v;
		v = '1';
	} else {
		v = n->forwarding_old;
	}
	int r = pwrite(fd, &v, 1, 0) == 1 ? 0 : -1;
	close(fd);
	if (r == 0) {
		n->forwarding_set = on;
		log_info("net.ipv4.ip_forward = %c%s", v, on ? " (for --tether)" : " (restored)");
	}
	return r;
}

int clat_nft_up(struct clat_nft *n)
{
	static char script[NFT_SCRIPT_MAX];
	char t[IF_NAMESIZE + 8];

	if (!clat_nft_needed(n))
		return 0;
	clat_nft_table(n, t, sizeof(t));
	size_t len = clat_nft_ruleset(n, script, sizeof(script));
	if (!len) {
		log_warn("nftables: the ruleset does not fit in %d bytes", NFT_SCRIPT_MAX);
		return -1;
	}
	if (n->ntether && !n->forwarding_set && forwarding_set(n, true) < 0) {
		log_warn("%s: %s (tethering needs IPv4 forwarding)", IP_FORWARD, strerror(errno));
		return -1;
	}
	if (run_nft(script, len) < 0) {
		log_warn("nftables: loading table %s failed: %s", t,
			 errno == ENOENT ? "nft not found (apt-get install nftables)" : "see nft's message above");
		return -1;
	}
	n->applied = true;
	if (n->ntether)
		log_info("tethering: NAT44 of %u link%s onto 192.0.0.1 (nftables table ip %s)", n->ntether,
			 n->ntether == 1 ? "" : "s", t);
	if (n->shared)
		log_info("shared mode: flows into %s NATed to ports %u-%u, the host's kernel leaves them to the CLAT "
			 "(nftables tables ip and ip6 %s)", n->tun, n->port_lo, n->port_hi, t);
	return 0;
}

void clat_nft_down(struct clat_nft *n)
{
	static char script[NFT_SCRIPT_MAX];
	char t[IF_NAMESIZE + 8];

	if (n->forwarding_set && forwarding_set(n, false) < 0)
		log_warn("%s: restoring %c: %s", IP_FORWARD, n->forwarding_old, strerror(errno));
	if (!n->applied && !clat_nft_needed(n))
		return;
	struct clat_nft none = *n;
	none.ntether = 0;
	none.shared = false;
	size_t len = clat_nft_ruleset(&none, script, sizeof(script));
	clat_nft_table(n, t, sizeof(t));
	if (run_nft(script, len) < 0)
		log_warn("nftables: deleting table %s failed", t);
	else if (n->applied)
		log_info("nftables: deleted tables ip and ip6 %s", t);
	n->applied = false;
}
