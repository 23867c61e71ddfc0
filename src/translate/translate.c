/* `xlat464 translate`: the same engine as `xlat464 siit`, offline. Each IP packet of IN.pcap is
 * translated; the translations and the ICMP errors the translator generates are written to OUT.pcap
 * (LINKTYPE_RAW) with the input packet's timestamp. Needs no privileges. */
#include "translate.h"

#include <inttypes.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/siit_engine.h"
#include "../common/siit_settings.h"
#include "../common/siit_load.h"
#include "sys/log.h"

#define ETH_HDR_LEN 14
#define VLAN_TAG_LEN 4
#define SLL_HDR_LEN 16
#define SLL2_HDR_LEN 20
#define NULL_HDR_LEN 4
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_QINQ 0x88a8
#define BSD_AF_INET 2

struct translate_run {
	pcap_dumper_t *dump;
	const struct pcap_pkthdr *hdr;
	uint8_t *flat;
	uint64_t written, replies, unwritable;
};

static const char translate_usage[] =
	"usage: xlat464 translate [SETTINGS] [--config FILE] IN.pcap OUT.pcap\n"
	"  SETTINGS as for `xlat464 siit` (pool6, eam, rfc6791v4, ...; tun is ignored).\n"
	"  IN: raw IP, Ethernet or Linux cooked captures; OUT: raw IP (LINKTYPE_RAW).\n";

static uint16_t be16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* Finds the IP packet inside a frame of the given link type. Returns false for non-IP frames. */
static bool link_payload(int dlt, const uint8_t *frame, size_t caplen, const uint8_t **ip, size_t *len)
{
	size_t off;
	uint16_t type;

	switch (dlt) {
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		off = 0;
		break;
	case DLT_EN10MB:
		if (caplen < ETH_HDR_LEN)
			return false;
		off = ETH_HDR_LEN;
		type = be16(frame + 12);
		while ((type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && caplen >= off + VLAN_TAG_LEN) {
			type = be16(frame + off + 2);
			off += VLAN_TAG_LEN;
		}
		if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6)
			return false;
		break;
	case DLT_LINUX_SLL:
		if (caplen < SLL_HDR_LEN)
			return false;
		type = be16(frame + 14);
		if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6)
			return false;
		off = SLL_HDR_LEN;
		break;
	case DLT_LINUX_SLL2:
		if (caplen < SLL2_HDR_LEN)
			return false;
		type = be16(frame);
		if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6)
			return false;
		off = SLL2_HDR_LEN;
		break;
	case DLT_NULL:
		if (caplen < NULL_HDR_LEN)
			return false;
		off = NULL_HDR_LEN; /* the family is in host order of the capturing machine: trust the IP version */
		break;
	default:
		return false;
	}
	if (caplen <= off)
		return false;
	*ip = frame + off;
	*len = caplen - off;
	return true;
}

static void emit_pcap(void *arg, const struct xlat_pkt *p, enum siit_emit_kind kind)
{
	struct translate_run *t = arg;
	struct pcap_pkthdr h;
	size_t n = xlat_pkt_flatten(p, t->flat, SIIT_PKT_MAX);

	if (n == 0) {
		t->unwritable++;
		return;
	}
	h.ts = t->hdr->ts;
	h.caplen = h.len = (bpf_u_int32)n;
	pcap_dump((u_char *)t->dump, &h, t->flat);
	t->written++;
	if (kind == SIIT_EMIT_REPLY)
		t->replies++;
}

static bool dlt_supported(int dlt)
{
	return dlt == DLT_RAW || dlt == DLT_IPV4 || dlt == DLT_IPV6 || dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL ||
	       dlt == DLT_LINUX_SLL2 || dlt == DLT_NULL;
}

int translate_main(int argc, char **argv)
{
	char err[SIIT_ERR_MAX + 64];
	char errbuf[PCAP_ERRBUF_SIZE];
	const char *pos[2];
	int npos = 0;
	const char *config = NULL;
	struct siit_settings *s = malloc(sizeof(*s));
	char **flags = calloc((size_t)argc * 2 + 2, sizeof(*flags)); /* a NULL after each flag's values */
	int nflags = 0, rc = 1;

	log_set_ident("xlat464 translate");
	if (!s || !flags)
		fatal("out of memory");
	for (int i = 1; i < argc;) {
		int r = siit_flag_take(argc, argv, &i, flags, &nflags, err, sizeof(err));
		if (r < 0) {
			log_warn("%s", err);
			goto usage;
		}
		if (r > 0)
			continue;
		const char *a = argv[i];
		if ((strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) && i + 1 < argc) {
			config = argv[i + 1];
			i += 2;
			continue;
		}
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(translate_usage, stdout);
			rc = 0;
			goto out;
		}
		if (a[0] == '-' && a[1] != '\0') {
			log_warn("%s: unknown option or missing value (see xlat464 translate --help)", a);
			goto usage;
		}
		if (npos == 2) {
			log_warn("%s: more than two files given", a);
			goto usage;
		}
		pos[npos++] = a;
		i++;
	}
	if (npos != 2) {
		log_warn("expects IN.pcap and OUT.pcap");
		goto usage;
	}
	if (siit_settings_load(s, config, flags, nflags, err, sizeof(err)) < 0 ||
	    siit_settings_validate(s, false, err, sizeof(err)) < 0) {
		log_warn("%s", err);
		goto out;
	}

	pcap_t *in = pcap_open_offline(pos[0], errbuf);
	if (!in) {
		log_warn("%s", errbuf); /* names the file already */
		goto out;
	}
	int dlt = pcap_datalink(in);
	if (!dlt_supported(dlt)) {
		log_warn("%s: link type %s is not supported (raw IP, Ethernet, Linux cooked, BSD loopback are)", pos[0],
			 pcap_datalink_val_to_name(dlt) ? pcap_datalink_val_to_name(dlt) : "unknown");
		pcap_close(in);
		goto out;
	}
	pcap_t *dead = pcap_open_dead(DLT_RAW, SIIT_PKT_MAX);
	pcap_dumper_t *dump = dead ? pcap_dump_open(dead, pos[1]) : NULL;
	if (!dump) {
		log_warn("%s", dead ? pcap_geterr(dead) : "pcap_open_dead failed"); /* names the file */
		if (dead)
			pcap_close(dead);
		pcap_close(in);
		goto out;
	}

	struct siit_engine eng;
	struct translate_run t = { .dump = dump };
	if (siit_engine_init(&eng, &s->cfg) < 0 || !(t.flat = malloc(SIIT_PKT_MAX)))
		fatal("out of memory");

	uint64_t nread = 0, nonip = 0, truncated = 0;
	struct pcap_pkthdr *h;
	const u_char *frame;
	int r;
	while ((r = pcap_next_ex(in, &h, &frame)) == 1) {
		const uint8_t *ip;
		size_t len;
		nread++;
		if (h->caplen < h->len) {
			truncated++; /* a snapped capture: the packet's own lengths would not match */
			continue;
		}
		if (!link_payload(dlt, frame, h->caplen, &ip, &len)) {
			nonip++;
			continue;
		}
		t.hdr = h;
		/* the capture's clock times reassembly out */
		uint64_t now_ms = (uint64_t)h->ts.tv_sec * 1000u + (uint64_t)h->ts.tv_usec / 1000u;
		siit_engine_tick(&eng, now_ms);
		siit_engine_process(&eng, ip, len, now_ms, emit_pcap, &t);
	}
	if (r == PCAP_ERROR)
		log_warn("%s: %s", pos[0], pcap_geterr(in));

	/* Output complete before anything is reported, so a closed stderr cannot cost the file. */
	bool write_failed = pcap_dump_flush(dump) < 0;
	if (write_failed)
		log_warn("%s: write failed", pos[1]);
	pcap_dump_close(dump);
	pcap_close(dead);
	pcap_close(in);

	const struct xlat_stats *st = &eng.ctx.stats;
	uint64_t drops = 0;
	for (int k = 1; k < XLAT_DROP__COUNT; k++)
		drops += st->drops[k];
	fprintf(stderr,
		"xlat464 translate: %" PRIu64 " read, %" PRIu64 " written (4to6 %" PRIu64 ", 6to4 %" PRIu64
		", %" PRIu64 " ICMP errors generated), %" PRIu64 " not translated, %" PRIu64 " not IP, %" PRIu64
		" truncated by the capture\n",
		nread, t.written, st->pkts_4to6, st->pkts_6to4, t.replies, drops, nonip, truncated);
	for (int k = 1; k < XLAT_DROP__COUNT; k++)
		if (st->drops[k])
			fprintf(stderr, "  %-26s %8" PRIu64 "  %s\n", xlat_drop_name((enum xlat_drop)k), st->drops[k],
				xlat_drop_desc((enum xlat_drop)k));
	if (t.unwritable)
		fprintf(stderr, "  %" PRIu64 " translated packets too large to write\n", t.unwritable);

	rc = r == PCAP_ERROR || write_failed ? 1 : 0;
	siit_engine_free(&eng);
	free(t.flat);
	goto out;
usage:
	fputs(translate_usage, stderr);
	rc = 2;
out:
	free(flags);
	free(s);
	return rc;
}
