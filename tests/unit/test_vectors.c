/* Runs every packet vector in tests/vectors/cases/ (every .vec file) (format: tests/vectors/README.md) through
 * xlat_translate and compares the output byte for byte, outside the ignore ranges.
 * XLAT_VECTORS_DIR overrides the directory (default: tests/vectors/cases, from the repo root). */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

#define VEC_MAX_PKT 70000
#define VEC_MAX_EXPECT XLAT_MAX_PKTS

struct vec_expect {
	uint8_t *bytes;
	size_t len;
	uint8_t *ign; /* ign[i] != 0: byte i may differ */
};

struct vec {
	char name[256];
	struct xlat_config cfg;
	struct xlat_siit_map map;
	uint8_t *in;
	size_t inlen;
	enum xlat_action action;
	enum xlat_drop reason;
	bool has_reason;
	unsigned nexp;
	struct vec_expect exp[VEC_MAX_EXPECT];
};

/* Every output is a heap copy so ASan sees overruns. */
static struct vec *vec_new(void)
{
	struct vec *v = calloc(1, sizeof(*v));
	xlat_config_init(&v->cfg);
	v->action = XLAT_DROP;
	v->reason = XLAT_DROP_NONE;
	return v;
}

static void vec_free(struct vec *v)
{
	free(v->in);
	for (unsigned i = 0; i < v->nexp; i++) {
		free(v->exp[i].bytes);
		free(v->exp[i].ign);
	}
	free(v);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static uint8_t *parse_hex(const char *s, size_t *len)
{
	size_t n = strlen(s);
	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\r'))
		n--;
	if (n % 2)
		return NULL;
	uint8_t *b = malloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(b);
			return NULL;
		}
		b[i] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return b;
}

static bool drop_by_name(const char *name, enum xlat_drop *r)
{
	for (int i = 0; i < XLAT_DROP__COUNT; i++) {
		if (strcmp(xlat_drop_name((enum xlat_drop)i), name) == 0) {
			*r = (enum xlat_drop)i;
			return true;
		}
	}
	return false;
}

static bool parse_yesno(const char *s, bool *out)
{
	if (strcmp(s, "yes") == 0)
		*out = true;
	else if (strcmp(s, "no") == 0)
		*out = false;
	else
		return false;
	return true;
}

/* One "setting KEY VALUE..." line. Returns NULL or an error message. */
static const char *apply_setting(struct vec *v, char *key, char *val)
{
	struct xlat_config *c = &v->cfg;
	struct xlat_prefix6 p6;
	struct xlat_prefix4 p4;

	if (strcmp(key, "pool6") == 0) {
		struct xlat_prefix6 pool6;
		if (!t_parse_prefix6(val, &pool6))
			return "bad pool6";
		xlat_siit_map_set_pool6(&v->map, &pool6);
	} else if (strcmp(key, "eam") == 0) {
		char *sp = strchr(val, ' ');
		const char *why = "?";
		if (!sp)
			return "eam needs V4 V6";
		*sp = 0;
		if (!t_parse_prefix4(val, &p4) || !t_parse_prefix6(sp + 1, &p6))
			return "bad eam prefix";
		if (xlat_siit_map_add_eam(&v->map, &p4, &p6, &why) != 0)
			return why;
	} else if (strcmp(key, "rfc6791v4") == 0) {
		if (inet_pton(AF_INET, val, c->rfc6791v4) != 1)
			return "bad rfc6791v4";
		c->has_rfc6791v4 = true;
	} else if (strcmp(key, "rfc6791v6") == 0) {
		if (inet_pton(AF_INET6, val, c->rfc6791v6) != 1)
			return "bad rfc6791v6";
		c->has_rfc6791v6 = true;
	} else if (strcmp(key, "self4") == 0) {
		if (inet_pton(AF_INET, val, c->self4) != 1)
			return "bad self4";
		c->has_self4 = true;
	} else if (strcmp(key, "self6") == 0) {
		if (inet_pton(AF_INET6, val, c->self6) != 1)
			return "bad self6";
		c->has_self6 = true;
	} else if (strcmp(key, "lowest-ipv6-mtu") == 0) {
		c->lowest_ipv6_mtu = (uint16_t)atoi(val);
	} else if (strcmp(key, "mtu4") == 0) {
		c->mtu4 = (uint16_t)atoi(val);
	} else if (strcmp(key, "mtu6") == 0) {
		c->mtu6 = (uint16_t)atoi(val);
	} else if (strcmp(key, "amend-udp-checksum-zero") == 0) {
		if (!parse_yesno(val, &c->amend_udp_zero_csum))
			return "bad yes/no";
	} else if (strcmp(key, "allow-wkp-non-global") == 0) {
		bool allow;
		if (!parse_yesno(val, &allow))
			return "bad yes/no";
		xlat_siit_map_set_wkp_global_only(&v->map, !allow);
	} else if (strcmp(key, "zero-traffic-class") == 0) {
		if (!parse_yesno(val, &c->zero_tclass))
			return "bad yes/no";
	} else if (strcmp(key, "tos") == 0) {
		char *end;
		long t = strtol(val, &end, 10);
		if (*end || t < 0 || t > 255)
			return "bad tos";
		c->set_tos = true;
		c->tos = (uint8_t)t;
	} else if (strcmp(key, "router") == 0) {
		if (!parse_yesno(val, &c->decrement_ttl))
			return "bad yes/no";
	} else {
		return "unknown setting";
	}
	return NULL;
}

/* "ignore 4-5 10-11 22": inclusive byte ranges of the latest expected packet. */
static const char *apply_ignore(struct vec *v, char *s)
{
	if (v->nexp == 0)
		return "ignore before expect";
	struct vec_expect *e = &v->exp[v->nexp - 1];
	for (char *tok = strtok(s, " \n"); tok; tok = strtok(NULL, " \n")) {
		char *dash = strchr(tok, '-');
		long a = strtol(tok, NULL, 10), b = dash ? strtol(dash + 1, NULL, 10) : a;
		if (a < 0 || b < a || (size_t)b >= e->len)
			return "ignore range outside the expected packet";
		for (long i = a; i <= b; i++)
			e->ign[i] = 1;
	}
	return NULL;
}

static struct vec *vec_load(const char *path, const char *name, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "cannot open");
		return NULL;
	}
	struct vec *v = vec_new();
	snprintf(v->name, sizeof(v->name), "%s", name);
	size_t cap = 0;
	char *line = NULL;
	const char *why = NULL;
	unsigned lineno = 0;
	while (!why && getline(&line, &cap, f) > 0) {
		lineno++;
		line[strcspn(line, "\r\n")] = 0;
		if (line[0] == '#' || line[0] == 0)
			continue;
		char *sp = strchr(line, ' ');
		if (!sp) {
			why = "line without a value";
			break;
		}
		*sp = 0;
		char *rest = sp + 1;
		if (strcmp(line, "setting") == 0) {
			char *sp2 = strchr(rest, ' ');
			if (!sp2) {
				why = "setting without a value";
				break;
			}
			*sp2 = 0;
			why = apply_setting(v, rest, sp2 + 1);
		} else if (strcmp(line, "in") == 0) {
			v->in = parse_hex(rest, &v->inlen);
			if (!v->in)
				why = "bad hex";
		} else if (strcmp(line, "expect") == 0) {
			char *sp2 = strchr(rest, ' ');
			if (!sp2) {
				why = "expect without a value";
				break;
			}
			*sp2 = 0;
			if (strcmp(rest, "drop") == 0) {
				v->action = XLAT_DROP;
				if (!drop_by_name(sp2 + 1, &v->reason))
					why = "unknown drop reason";
				v->has_reason = true;
				continue;
			}
			if (strcmp(rest, "forward") == 0)
				v->action = XLAT_FORWARD;
			else if (strcmp(rest, "reply") == 0)
				v->action = XLAT_REPLY;
			else {
				why = "expect forward|reply|drop";
				break;
			}
			if (v->nexp == VEC_MAX_EXPECT) {
				why = "too many expected packets";
				break;
			}
			struct vec_expect *e = &v->exp[v->nexp];
			e->bytes = parse_hex(sp2 + 1, &e->len);
			if (!e->bytes) {
				why = "bad hex";
				break;
			}
			e->ign = calloc(1, e->len + 1);
			v->nexp++;
		} else if (strcmp(line, "ignore") == 0) {
			why = apply_ignore(v, rest);
		} else if (strcmp(line, "reason") == 0) {
			if (!drop_by_name(rest, &v->reason))
				why = "unknown reason";
			v->has_reason = true;
		} else {
			why = "unknown line";
		}
	}
	free(line);
	fclose(f);
	if (!why && !v->in)
		why = "no input";
	if (!why && v->action != XLAT_DROP && v->nexp == 0)
		why = "no expected packet";
	if (why) {
		snprintf(err, errlen, "line %u: %s", lineno, why);
		vec_free(v);
		return NULL;
	}
	v->cfg.policy = xlat_siit_policy(&v->map);
	return v;
}

/* ---- describing bytes for the diff ------------------------------------------------------- */

static const char *l4_field(uint8_t proto, size_t o, bool first_frag)
{
	if (!first_frag)
		return "fragment data";
	switch (proto) {
	case T_PROTO_UDP:
		return o < 2 ? "UDP source port" : o < 4 ? "UDP destination port" : o < 6 ? "UDP length" :
		       o < 8 ? "UDP checksum" : "UDP data";
	case T_PROTO_TCP:
		return o < 2 ? "TCP source port" : o < 4 ? "TCP destination port" : o < 8 ? "TCP sequence" :
		       o < 12 ? "TCP ack" : o < 14 ? "TCP offset/flags" : o < 16 ? "TCP window" :
		       o < 18 ? "TCP checksum" : o < 20 ? "TCP urgent" : "TCP options/data";
	case T_PROTO_ICMP:
	case T_PROTO_ICMP6:
		return o == 0 ? "ICMP type" : o == 1 ? "ICMP code" : o < 4 ? "ICMP checksum" :
		       o < 8 ? "ICMP rest of header (id/seq, MTU, pointer)" : "ICMP body (quoted packet or data)";
	default:
		return "payload";
	}
}

/* Names the field at offset o of packet p (as expected), following IPv4 or IPv6 and one fragment
 * header. For an ICMP error body it adds the offset inside the quoted packet. */
static void field_name(const uint8_t *p, size_t len, size_t o, char *buf, size_t cap)
{
	static const char *const f4[] = { "IPv4 version/IHL", "IPv4 TOS", "IPv4 total length",
		"IPv4 total length", "IPv4 identification", "IPv4 identification", "IPv4 flags/offset",
		"IPv4 flags/offset", "IPv4 TTL", "IPv4 protocol", "IPv4 header checksum",
		"IPv4 header checksum" };
	if (len >= 20 && p[0] >> 4 == 4) {
		size_t ihl = (size_t)(p[0] & 15) * 4;
		if (o < 12)
			snprintf(buf, cap, "%s", f4[o]);
		else if (o < 16)
			snprintf(buf, cap, "IPv4 source");
		else if (o < 20)
			snprintf(buf, cap, "IPv4 destination");
		else if (o < ihl)
			snprintf(buf, cap, "IPv4 options");
		else {
			bool first = (be16_at(p + 6) & 0x1fff) == 0;
			const char *f = l4_field(p[9], o - ihl, first);
			if (first && p[9] == T_PROTO_ICMP && o - ihl >= 8)
				snprintf(buf, cap, "%s, quoted byte %zu", f, o - ihl - 8);
			else
				snprintf(buf, cap, "%s", f);
		}
		return;
	}
	if (len >= 40 && p[0] >> 4 == 6) {
		if (o < 4)
			snprintf(buf, cap, "IPv6 version/traffic class/flow label");
		else if (o < 6)
			snprintf(buf, cap, "IPv6 payload length");
		else if (o == 6)
			snprintf(buf, cap, "IPv6 next header");
		else if (o == 7)
			snprintf(buf, cap, "IPv6 hop limit");
		else if (o < 24)
			snprintf(buf, cap, "IPv6 source");
		else if (o < 40)
			snprintf(buf, cap, "IPv6 destination");
		else if (p[6] == T_PROTO_FRAG && len >= 48 && o < 48)
			snprintf(buf, cap, "%s", o == 40 ? "fragment header next header" :
				 o == 41 ? "fragment header reserved" : o < 44 ? "fragment offset/M" :
				 "fragment identification");
		else {
			size_t off = 40;
			uint8_t nh = p[6];
			bool first = true;
			if (nh == T_PROTO_FRAG && len >= 48) {
				nh = p[40];
				first = (be16_at(p + 42) & 0xfff8) == 0;
				off = 48;
			}
			const char *f = l4_field(nh, o - off, first);
			if (first && nh == T_PROTO_ICMP6 && o - off >= 8)
				snprintf(buf, cap, "%s, quoted byte %zu", f, o - off - 8);
			else
				snprintf(buf, cap, "%s", f);
		}
		return;
	}
	snprintf(buf, cap, "byte");
}

static void hexdump(const char *label, const uint8_t *p, size_t n)
{
	printf("      %s (%zu bytes):", label, n);
	for (size_t i = 0; i < n; i++)
		printf("%s%02x", i % 32 ? "" : "\n        ", p[i]);
	printf("\n");
}

/* Checks that hold for every output whatever the ignore ranges say. */
static bool generic_checks(const uint8_t *p, size_t n, char *err, size_t cap)
{
	if (n >= 20 && p[0] >> 4 == 4) {
		size_t ihl = (size_t)(p[0] & 15) * 4;
		if (ihl < 20 || ihl > n || (size_t)be16_at(p + 2) != n) {
			snprintf(err, cap, "IPv4 IHL/total length inconsistent with %zu bytes", n);
			return false;
		}
		if (t_naive_sum(p, ihl, 0) != 0xffff) {
			snprintf(err, cap, "IPv4 header checksum invalid");
			return false;
		}
		bool whole = (be16_at(p + 6) & 0x3fff) == 0;
		if (p[9] == T_PROTO_ICMP && whole && t_naive_sum(p + ihl, n - ihl, 0) != 0xffff) {
			snprintf(err, cap, "ICMPv4 checksum invalid");
			return false;
		}
		return true;
	}
	if (n >= 40 && p[0] >> 4 == 6) {
		if ((size_t)be16_at(p + 4) + 40 != n) {
			snprintf(err, cap, "IPv6 payload length %u inconsistent with %zu bytes", be16_at(p + 4), n);
			return false;
		}
		if (p[6] == T_PROTO_ICMP6 &&
		    t_naive_sum(p + 40, n - 40, t_pseudo6(p, T_PROTO_ICMP6, n - 40)) != 0xffff) {
			snprintf(err, cap, "ICMPv6 checksum invalid");
			return false;
		}
		return true;
	}
	snprintf(err, cap, "output is neither IPv4 nor IPv6");
	return false;
}

static const char *action_name(enum xlat_action a)
{
	return a == XLAT_FORWARD ? "forward" : a == XLAT_REPLY ? "reply" : "drop";
}

/* Runs one case; prints PASS/FAIL and details. */
static bool vec_run(const struct vec *v)
{
	static struct xlat_out out; /* large: keep it off the stack */
	static uint8_t got[VEC_MAX_PKT];
	struct xlat_ctx ctx;

	xlat_ctx_init(&ctx, &v->cfg);
	memset(&out, 0xa5, sizeof(out));
	/* The core reads the input through iovecs that may point into it: give it an exact-size copy. */
	uint8_t *in = malloc(v->inlen ? v->inlen : 1);
	memcpy(in, v->in, v->inlen);
	xlat_translate(&ctx, in, v->inlen, &out);

	bool ok = true;
	char msg[512] = "";
	if (out.action != v->action) {
		snprintf(msg, sizeof(msg), "action: expected %s, got %s (reason %s)", action_name(v->action),
			 action_name(out.action), out.reason < XLAT_DROP__COUNT ? xlat_drop_name(out.reason) : "?");
		ok = false;
	} else if (v->has_reason && out.reason != v->reason) {
		snprintf(msg, sizeof(msg), "reason: expected %s, got %s", xlat_drop_name(v->reason),
			 out.reason < XLAT_DROP__COUNT ? xlat_drop_name(out.reason) : "?");
		ok = false;
	} else if (v->action != XLAT_DROP && out.npkts != v->nexp) {
		snprintf(msg, sizeof(msg), "expected %u packet(s), got %u", v->nexp, out.npkts);
		ok = false;
	}
	if (!ok) {
		printf("FAIL %s: %s\n", v->name, msg);
		if (v->action != XLAT_DROP)
			hexdump("expected packet 0", v->exp[0].bytes, v->exp[0].len);
		if (out.action != XLAT_DROP && out.npkts > 0 && out.npkts <= XLAT_MAX_PKTS) {
			size_t n = xlat_pkt_flatten(&out.pkt[0], got, sizeof(got));
			hexdump("got packet 0", got, n);
		}
		free(in);
		return false;
	}
	for (unsigned i = 0; v->action != XLAT_DROP && i < v->nexp; i++) {
		const struct vec_expect *e = &v->exp[i];
		size_t n = xlat_pkt_flatten(&out.pkt[i], got, sizeof(got));
		if (n != out.pkt[i].len) {
			printf("FAIL %s: packet %u: flatten returned %zu, pkt.len %zu\n", v->name, i, n, out.pkt[i].len);
			ok = false;
			continue;
		}
		unsigned shown = 0;
		bool bad = n != e->len;
		for (size_t b = 0; b < e->len && b < n; b++) {
			if (e->ign[b] || e->bytes[b] == got[b])
				continue;
			if (!bad)
				printf("FAIL %s: packet %u differs:\n", v->name, i);
			bad = true;
			if (shown++ < 24) {
				char fname[128];
				field_name(e->bytes, e->len, b, fname, sizeof(fname));
				printf("      byte %zu (%s): expected %02x, got %02x\n", b, fname, e->bytes[b], got[b]);
			}
		}
		if (n != e->len)
			printf("FAIL %s: packet %u: length expected %zu, got %zu\n", v->name, i, e->len, n);
		else if (shown > 24)
			printf("      ... %u differing bytes in all\n", shown);
		char gerr[160];
		if (!bad && !generic_checks(got, n, gerr, sizeof(gerr))) {
			printf("FAIL %s: packet %u: %s\n", v->name, i, gerr);
			bad = true;
		}
		if (bad) {
			hexdump("expected", e->bytes, e->len);
			hexdump("got", got, n);
			ok = false;
		}
	}
	free(in);
	if (ok)
		printf("PASS %s\n", v->name);
	return ok;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_all_vectors(void **state)
{
	const char *dir = getenv("XLAT_VECTORS_DIR");
	if (!dir)
		dir = "tests/vectors/cases";
	DIR *d = opendir(dir);
	if (!d) {
		printf("cannot open vector directory %s (set XLAT_VECTORS_DIR)\n", dir);
		fail();
	}
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".vec") != 0)
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 256;
			names = realloc(names, cap * sizeof(*names));
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);

	unsigned pass = 0, failed = 0;
	for (size_t i = 0; i < n; i++) {
		char path[4096], err[256];
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		struct vec *v = vec_load(path, names[i], err, sizeof(err));
		if (!v) {
			printf("FAIL %s: cannot load: %s\n", names[i], err);
			failed++;
		} else {
			if (vec_run(v))
				pass++;
			else
				failed++;
			vec_free(v);
		}
		free(names[i]);
	}
	free(names);
	printf("vectors: %u passed, %u failed, %zu in all (%s)\n", pass, failed, n, dir);
	assert_true(n > 0);
	assert_int_equal(failed, 0);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep our lines in order with cmocka's */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_vectors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
