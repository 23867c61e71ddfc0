/* `xlat464 siit`: a stateless translator (RFC 7915, RFC 6052, RFC 7757, RFC 6791) on one TUN that
 * carries both families, the TAYGA model: IPv4 packets read from the TUN are written back as IPv6,
 * and the reverse.
 *
 *   read(tun) -> siit_engine_process() -> xlat_translate() -> writev(tun) for each packet
 *
 * One epoll loop watches the TUN, a signalfd (SIGTERM/SIGINT: exit 0; SIGHUP: reload) and the
 * control socket (each client gets a struct siit_status_msg). */
#include "siit.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../cli/daemon_opts.h"
#include "ctl_msg.h"
#include "engine.h"
#include "settings.h"
#include "sys/ctl.h"
#include "sys/log.h"
#include "sys/loop.h"
#include "sys/sig.h"
#include "sys/tun.h"

#define SIIT_CONFIG_MAX (1u << 20)
#define SIIT_READ_BURST 64
#define SIIT_CTL_PATH_MAX 108

struct siit_opts {
	struct daemon_opts d; /* --config, --pidfile, --foreground/--daemon, --check, --print-config, --debug */
	const char *control;
	bool list_drops;
	char **flags; /* settings flags and their values, re-applied on every reload */
	int nflags;
};

struct siit_daemon {
	struct siit_opts opt;
	struct siit_settings *set; /* in use */
	struct siit_engine eng;
	struct sys_loop loop;
	int tunfd, sigfd, ctlfd;
	unsigned tun_mtu;
	char ctlpath[SIIT_CTL_PATH_MAX];
	uint8_t *rx;
	struct siit_status_msg *msg;
	time_t started;
	uint64_t tun_read_errors, tun_write_errors, reloads;
	int exit_status; /* set when the loop stops for a reason other than a signal */
};

static const char siit_usage[] =
	"usage: xlat464 siit [SETTINGS] [--config FILE] [--control PATH] [--pidfile FILE]\n"
	"                    [--foreground | --daemon] [--debug] [--check | --print-config | --list-drop-reasons]\n"
	"settings (flags, or `key value...` lines in FILE; flags override the file):\n"
	"  --tun NAME                        the TUN carrying both families (created if missing)\n"
	"  --pool6 PREFIX|none               RFC 6052 prefix, length 32, 40, 48, 56, 64 or 96\n"
	"  --eam V4PREFIX V6PREFIX           RFC 7757 explicit address mapping (repeatable)\n"
	"  --rfc6791v4 ADDR|none             IPv4 source of translated errors from unmappable routers\n"
	"  --rfc6791v6 ADDR|none             IPv6 source of translated errors from unmappable routers\n"
	"  --self4 ADDR, --self6 ADDR        sources of ICMP errors the translator itself sends\n"
	"  --lowest-ipv6-mtu N               1280..65535 (default 1280)\n"
	"  --mtu4 N, --mtu6 N                next-hop MTU on each side (default 1500)\n"
	"  --amend-udp-checksum-zero yes|no  compute checksums for IPv4 UDP with checksum zero\n"
	"  --reassembly-max N                with it, fragmented ones reassembled at once (0: refused)\n"
	"  --reassembly-timeout-ms N         how long their fragments wait for the rest (5000)\n"
	"  --router yes|no                   decrement TTL / hop limit (default yes)\n"
	"  --allow-wkp-non-global yes|no     64:ff9b::/96 with non-global IPv4 (RFC 6052 3.1; default no)\n"
	"  --zero-traffic-class yes|no       traffic class 0 instead of the TOS (RFC 7915 4.1; default no)\n"
	"  --tos copy|N                      TOS N instead of the traffic class (RFC 7915 5.1; default copy)\n"
	"other options:\n"
	"  --check            parse and validate, print the effective settings, exit\n"
	"  --print-config     print the effective settings (config file syntax) and exit\n"
	"  --list-drop-reasons  print the drop reason table (Markdown) and exit\n"
	"  --control PATH     control socket (default " SYS_CTL_DIR "/siit-TUN.sock)\n";

int siit_flag_take(int argc, char **argv, int *i, char **words, int *nwords, char *err, unsigned long errlen)
{
	const char *a = argv[*i];
	if (strncmp(a, "--", 2) != 0)
		return 0;
	int arity = siit_settings_arity(a + 2);
	if (arity < 0)
		return 0;
	if (argc - *i - 1 < arity) {
		snprintf(err, errlen, "%s: expects %d value%s", a, arity, arity == 1 ? "" : "s");
		return -1;
	}
	for (int k = 0; k <= arity; k++)
		words[(*nwords)++] = argv[*i + k];
	*i += arity + 1;
	return 1;
}

static int read_file(const char *path, char **text, size_t *len, char *err, unsigned long errlen)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *buf = malloc(SIIT_CONFIG_MAX);
	size_t n = buf ? fread(buf, 1, SIIT_CONFIG_MAX, f) : 0;
	bool bad = !buf || ferror(f) || n == SIIT_CONFIG_MAX;
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: %s", path, buf ? "read error or larger than 1 MiB" : "out of memory");
		free(buf);
		return -1;
	}
	*text = buf;
	*len = n;
	return 0;
}

int siit_settings_load(struct siit_settings *s, const char *config, char *const *flags, int nflags, char *err,
		       unsigned long errlen)
{
	char msg[SIIT_ERR_MAX];

	siit_settings_init(s);
	if (config) {
		char *text;
		size_t len;
		if (read_file(config, &text, &len, err, errlen) < 0)
			return -1;
		int r = siit_settings_parse_text(s, text, len, config, err, errlen);
		free(text);
		if (r < 0)
			return -1;
	}
	for (int i = 0; i < nflags;) {
		const char *key = flags[i] + 2;
		int arity = siit_settings_arity(key);
		if (arity < 0 || i + arity >= nflags) { /* siit_flag_take() lets neither through */
			snprintf(err, errlen, "%s: malformed flag", flags[i]);
			return -1;
		}
		if (siit_settings_set(s, key, (const char *const *)flags + i + 1, arity, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s: %s", flags[i], msg);
			return -1;
		}
		i += arity + 1;
	}
	siit_settings_bind(s);
	return 0;
}

void siit_print_drop_reasons(void)
{
	printf("# Drop reasons\n\n"
	       "Generated by `xlat464 siit --list-drop-reasons` from lib/xlat/xlat_drops.h; do not edit by hand.\n"
	       "`xlat464 status` prints each nonzero counter by its name; `--json` prints all of them.\n"
	       "Reasons marked \"answered\" also make the translator send an ICMP error.\n\n"
	       "| name | meaning |\n|---|---|\n");
	for (int r = 1; r < XLAT_DROP__COUNT; r++)
		printf("| `%s` | %s |\n", xlat_drop_name((enum xlat_drop)r), xlat_drop_desc((enum xlat_drop)r));
}

/* ---- the data path ------------------------------------------------------------------------- */

static void emit_tun(void *arg, const struct xlat_pkt *p, enum siit_emit_kind kind)
{
	static struct log_ratelimit rl;
	struct siit_daemon *d = arg;

	if (writev(d->tunfd, p->iov, (int)p->niov) < 0) {
		d->tun_write_errors++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl))
			log_debug("write to %s (%zu bytes): %s", d->set->tun, p->len, strerror(errno));
	}
}

static void on_tun(void *arg, int fd, uint32_t events)
{
	static struct log_ratelimit rl;
	struct siit_daemon *d = arg;

	uint64_t now = sys_mono_ms();
	siit_engine_tick(&d->eng, now);
	for (int i = 0; i < SIIT_READ_BURST; i++) {
		ssize_t n = read(fd, d->rx, SIIT_PKT_MAX);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			if (errno == EBADFD) { /* the interface was deleted under us: nothing more will come */
				log_warn("TUN %s is gone; exiting", d->set->tun);
				d->exit_status = 1;
				sys_loop_stop(&d->loop);
				return;
			}
			d->tun_read_errors++;
			if (log_ratelimit_ok(&rl))
				log_warn("read from %s: %s", d->set->tun, strerror(errno));
			return;
		}
		siit_engine_process(&d->eng, d->rx, (size_t)n, now, emit_tun, d);
	}
}

/* ---- control socket and signals ------------------------------------------------------------- */

static void on_ctl(void *arg, int fd, uint32_t events)
{
	struct siit_daemon *d = arg;
	struct siit_status_msg *m = d->msg;
	int c;

	while ((c = sys_ctl_accept(fd)) >= 0) {
		memset(m, 0, sizeof(*m));
		m->magic = SIIT_STATUS_MAGIC;
		m->size = sizeof(*m);
		m->ndrops = XLAT_DROP__COUNT;
		m->pid = (int32_t)getpid();
		m->uptime_sec = (uint64_t)(time(NULL) - d->started);
		m->hairpinned = d->eng.hairpinned;
		m->tun_read_errors = d->tun_read_errors;
		m->tun_write_errors = d->tun_write_errors;
		m->reloads = d->reloads;
		snprintf(m->daemon, sizeof(m->daemon), "siit");
		memcpy(m->tun, d->set->tun, sizeof(m->tun));
		m->stats = d->eng.ctx.stats;
		siit_settings_format(d->set, m->settings, sizeof(m->settings));
		/* The socket buffer takes the whole message; a client that is not reading loses it. */
		if (sys_write_all(c, m, sizeof(*m)) < 0)
			log_debug("status client: %s", strerror(errno));
		close(c);
	}
}

static unsigned tun_mtu(const struct siit_settings *s)
{
	return s->cfg.mtu4 > s->cfg.mtu6 ? s->cfg.mtu4 : s->cfg.mtu6;
}

static void reload(struct siit_daemon *d)
{
	char err[SIIT_ERR_MAX + 64];
	struct siit_settings *s = malloc(sizeof(*s));

	if (!s) {
		log_warn("reload: out of memory; keeping the current settings");
		return;
	}
	if (siit_settings_load(s, d->opt.d.config, d->opt.flags, d->opt.nflags, err, sizeof(err)) < 0 ||
	    siit_settings_validate(s, true, err, sizeof(err)) < 0) {
		log_warn("reload: %s; keeping the current settings", err);
		free(s);
		return;
	}
	if (strcmp(s->tun, d->set->tun) != 0) {
		log_warn("reload: the TUN cannot change while running; keeping %s", d->set->tun);
		memcpy(s->tun, d->set->tun, sizeof(s->tun));
	}
	siit_engine_reconfigure(&d->eng, &s->cfg);
	free(d->set);
	d->set = s;
	d->reloads++;
	if (tun_mtu(s) != d->tun_mtu) {
		if (sys_link_set_mtu_up(s->tun, tun_mtu(s)) < 0)
			log_warn("reload: MTU %u on %s: %s", tun_mtu(s), s->tun, strerror(errno));
		else
			d->tun_mtu = tun_mtu(s);
	}
	log_info("reloaded settings (%s, %u EAM entries)", s->map.has_pool6 ? "pool6" : "no pool6", s->map.neam);
}

static void on_signal(void *arg, int fd, uint32_t events)
{
	struct siit_daemon *d = arg;
	int sig;

	while ((sig = sys_signalfd_read(fd)) != 0) {
		if (sig == SIGHUP) {
			log_info("SIGHUP: reloading %s", d->opt.d.config ? d->opt.d.config : "settings (no config file)");
			reload(d);
		} else {
			log_info("%s: exiting", strsignal(sig));
			sys_loop_stop(&d->loop);
		}
	}
}

/* ---- start and stop ------------------------------------------------------------------------ */

static int parse_opts(int argc, char **argv, struct siit_opts *o)
{
	char err[SIIT_ERR_MAX];

	o->flags = calloc((size_t)argc + 1, sizeof(*o->flags));
	if (!o->flags)
		fatal("out of memory");
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		int r = siit_flag_take(argc, argv, &i, o->flags, &o->nflags, err, sizeof(err));
		if (r < 0) {
			log_warn("%s", err);
			return -1;
		}
		if (r > 0)
			continue;
		if ((r = daemon_opt_take(argc, argv, &i, &o->d, siit_usage)) != 0) {
			if (r < 0)
				return -1;
			continue;
		}
		if (strcmp(a, "--control") == 0) {
			if (i + 1 >= argc) {
				log_warn("%s: expects a value", a);
				return -1;
			}
			o->control = argv[i + 1];
			i += 2;
		} else if (strcmp(a, "--list-drop-reasons") == 0) {
			o->list_drops = true;
			i++;
		} else {
			log_warn("%s: unknown option (see xlat464 siit --help)", a);
			return -1;
		}
	}
	return 0;
}

static void cleanup(struct siit_daemon *d)
{
	if (d->ctlfd >= 0) {
		close(d->ctlfd);
		unlink(d->ctlpath);
	}
	if (d->opt.d.pidfile)
		sys_pidfile_remove(d->opt.d.pidfile);
	if (d->sigfd >= 0)
		close(d->sigfd);
	/* A TUN this process created disappears with its descriptor; one made beforehand
	 * (`ip tuntap add`) stays, as does everything else the daemon did not create. */
	if (d->tunfd >= 0)
		close(d->tunfd);
	sys_loop_close(&d->loop);
	siit_engine_free(&d->eng);
	free(d->rx);
	free(d->msg);
	free(d->set);
	free(d->opt.flags);
}

int siit_main(int argc, char **argv)
{
	static struct siit_daemon dd;
	struct siit_daemon *d = &dd;
	char err[SIIT_ERR_MAX + 64];
	bool created;

	log_set_ident("xlat464 siit");
	d->tunfd = d->sigfd = d->ctlfd = -1;
	d->loop.epfd = -1;
	if (parse_opts(argc, argv, &d->opt) < 0) {
		free(d->opt.flags);
		return 2;
	}
	if (d->opt.d.debug)
		log_set_level(LOG_LEVEL_DEBUG);
	if (d->opt.list_drops) {
		siit_print_drop_reasons();
		free(d->opt.flags);
		return 0;
	}
	d->set = malloc(sizeof(*d->set));
	if (!d->set)
		fatal("out of memory");
	if (siit_settings_load(d->set, d->opt.d.config, d->opt.flags, d->opt.nflags, err, sizeof(err)) < 0 ||
	    siit_settings_validate(d->set, true, err, sizeof(err)) < 0) {
		log_warn("%s", err);
		cleanup(d);
		return 1;
	}
	if (d->opt.d.print_config || d->opt.d.check) {
		static char text[SIIT_STATUS_SETTINGS_MAX];
		siit_settings_format(d->set, text, sizeof(text));
		fputs(text, stdout);
		if (d->opt.d.check)
			log_info("configuration OK");
		cleanup(d);
		return 0;
	}

	const char *tun = d->set->tun;
	if (d->opt.control)
		snprintf(d->ctlpath, sizeof(d->ctlpath), "%s", d->opt.control);
	else
		snprintf(d->ctlpath, sizeof(d->ctlpath), "%s/siit-%s.sock", SYS_CTL_DIR, tun);
	if (d->opt.d.daemon && sys_daemonize() < 0)
		fatal("daemon: %s", strerror(errno));

	d->rx = malloc(SIIT_PKT_MAX);
	d->msg = malloc(sizeof(*d->msg));
	if (!d->rx || !d->msg || siit_engine_init(&d->eng, &d->set->cfg) < 0)
		fatal("out of memory");
	d->tunfd = sys_tun_open(tun, &created);
	if (d->tunfd < 0) {
		log_warn("TUN %s: %s", tun, strerror(errno));
		cleanup(d);
		return 1;
	}
	d->tun_mtu = tun_mtu(d->set);
	if (sys_link_set_mtu_up(tun, d->tun_mtu) < 0) {
		log_warn("TUN %s: MTU %u and up: %s", tun, d->tun_mtu, strerror(errno));
		cleanup(d);
		return 1;
	}
	d->sigfd = sys_signalfd_open();
	if (d->sigfd < 0 || sys_loop_init(&d->loop) < 0) {
		log_warn("signalfd/epoll: %s", strerror(errno));
		cleanup(d);
		return 1;
	}
	d->ctlfd = sys_ctl_listen(d->ctlpath);
	if (d->ctlfd < 0) {
		int e = errno;
		log_warn("control socket %s: %s", d->ctlpath,
			 e == EADDRINUSE ? "another daemon is answering there" : strerror(e));
		d->ctlpath[0] = '\0';
		cleanup(d);
		return 1;
	}
	if (sys_loop_add(&d->loop, d->tunfd, on_tun, d) < 0 || sys_loop_add(&d->loop, d->sigfd, on_signal, d) < 0 ||
	    sys_loop_add(&d->loop, d->ctlfd, on_ctl, d) < 0) {
		log_warn("epoll: %s", strerror(errno));
		cleanup(d);
		return 1;
	}
	if (d->opt.d.pidfile && sys_pidfile_write(d->opt.d.pidfile) < 0) {
		log_warn("pidfile %s: %s", d->opt.d.pidfile, strerror(errno));
		d->opt.d.pidfile = NULL;
		cleanup(d);
		return 1;
	}
	d->started = time(NULL);
	log_info("translating on %s%s (MTU %u, %s, %u EAM entries), control %s", tun, created ? " (created)" : "",
		 d->tun_mtu, d->set->map.has_pool6 ? "pool6 set" : "no pool6", d->set->map.neam, d->ctlpath);

	int r = sys_loop_run(&d->loop);
	if (r < 0)
		log_warn("epoll_wait: %s", strerror(errno));
	cleanup(d);
	return r < 0 ? 1 : d->exit_status;
}
