#!/usr/bin/python3
"""Cross-checks lib/ndp against scapy, an independent implementation of RFC 4861.

scapy builds random Router Advertisements, Neighbor Solicitations and Advertisements (checksums
included); a small C driver, compiled here against build/libxlat464.a, parses each with lib/ndp and
builds it again. The rebuilt bytes must equal scapy's bytes exactly (options are generated in the
order ndp_build_* writes them: SLLA/TLLA, MTU, prefixes, one RDNSS, PREF64s), and scapy must
dissect lib/ndp's output to the same fields. scapy 2.5 has no PREF64 class, so PREF64 options are
written from RFC 8781 section 4 by hand here and carried as raw option bytes.

Run `make` first, then: tests/unit/ndp_scapy_check.py [ROUNDS]   (needs python3-scapy and cc).
No packet is sent anywhere: everything stays in memory."""
import os
import random
import subprocess
import sys
import tempfile

from scapy.layers.inet6 import (IPv6, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6NDOptDstLLAddr,
                                ICMPv6NDOptMTU, ICMPv6NDOptPrefixInfo, ICMPv6NDOptRDNSS,
                                ICMPv6NDOptSrcLLAddr)
from scapy.packet import Raw
import socket
import struct

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

DRIVER = r"""
#include <stdio.h>
#include <string.h>
#include "ndp/ndp.h"
static int unhex(const char *s, uint8_t *out, size_t cap) {
	size_t n = strlen(s) / 2;
	if (n > cap) return -1;
	for (size_t i = 0; i < n; i++) { unsigned v; sscanf(s + 2 * i, "%2x", &v); out[i] = (uint8_t)v; }
	return (int)n;
}
int main(void) {
	static char line[20000], kind[8], hs[40], hd[40], hm[16000];
	while (fgets(line, sizeof line, stdin)) {
		uint8_t src[16], dst[16], msg[8000], out[NDP_RA_MAX_LEN];
		if (sscanf(line, "%7s %39s %39s %15999s", kind, hs, hd, hm) != 4) return 2;
		unhex(hs, src, 16); unhex(hd, dst, 16);
		int n = unhex(hm, msg, sizeof msg);
		enum ndp_result r; size_t m = 0;
		if (!strcmp(kind, "ra")) { struct ndp_ra x; r = ndp_parse_ra(src, dst, msg, (size_t)n, &x);
			if (r == NDP_OK) m = ndp_build_ra(src, dst, &x, out, sizeof out); }
		else if (!strcmp(kind, "ns")) { struct ndp_ns x; r = ndp_parse_ns(src, dst, msg, (size_t)n, &x);
			if (r == NDP_OK) m = ndp_build_ns(src, dst, &x, out, sizeof out); }
		else { struct ndp_na x; r = ndp_parse_na(src, dst, msg, (size_t)n, &x);
			if (r == NDP_OK) m = ndp_build_na(src, dst, &x, out, sizeof out); }
		printf("%s ", ndp_result_name(r));
		for (size_t i = 0; i < m; i++) printf("%02x", out[i]);
		printf("-\n");
		fflush(stdout);
	}
	return 0;
}
"""


def mac(rng):
    return "00:00:5e:00:53:%02x" % rng.randrange(256)


def addr(rng, base):
    b = bytearray(socket.inet_pton(socket.AF_INET6, base))
    for i in range(8, 16):
        b[i] = rng.randrange(256)
    return socket.inet_ntop(socket.AF_INET6, bytes(b))


def pref64_opt(rng):
    plen = rng.choice([96, 64, 56, 48, 40, 32])
    plc = [96, 64, 56, 48, 40, 32].index(plen)
    raw = bytearray(12)
    raw[0:4] = b"\x20\x01\x0d\xb8"
    for i in range(4, plen // 8):
        raw[i] = rng.randrange(256)
    scaled = rng.randrange(8192)
    return bytes([38, 2]) + struct.pack("!H", scaled << 3 | plc) + bytes(raw)


def gen_ra(rng):
    src = addr(rng, "fe80::")
    dst = "ff02::1"
    # H and Prf (RFC 4191) are not carried by struct ndp_ra: left zero.
    ra = ICMPv6ND_RA(chlim=rng.randrange(256), M=rng.randrange(2), O=rng.randrange(2), H=0, prf=0,
                     routerlifetime=rng.randrange(65536), reachabletime=rng.randrange(2**32),
                     retranstimer=rng.randrange(2**32))
    opts = []
    if rng.randrange(2):
        opts.append(ICMPv6NDOptSrcLLAddr(lladdr=mac(rng)))
    if rng.randrange(2):
        opts.append(ICMPv6NDOptMTU(mtu=rng.randrange(1280, 65536)))
    for _ in range(rng.randrange(4)):
        plen = rng.choice([48, 56, 64])
        p = bytearray(socket.inet_pton(socket.AF_INET6, addr(rng, "2001:db8::")))
        for bit in range(plen, 128):
            p[bit // 8] &= ~(0x80 >> (bit % 8)) & 0xff
        opts.append(ICMPv6NDOptPrefixInfo(prefixlen=plen, L=rng.randrange(2), A=rng.randrange(2),
                                          validlifetime=rng.randrange(2**32),
                                          preferredlifetime=rng.randrange(2**32),
                                          prefix=socket.inet_ntop(socket.AF_INET6, bytes(p))))
    n = rng.randrange(4)
    if n:
        opts.append(ICMPv6NDOptRDNSS(lifetime=rng.randrange(2**32), dns=[addr(rng, "2001:db8:53::") for _ in range(n)]))
    pkt = ra
    for o in opts:
        pkt = pkt / o
    raw_tail = b"".join(pref64_opt(rng) for _ in range(rng.randrange(4)))
    full = IPv6(src=src, dst=dst, hlim=255) / (pkt / Raw(raw_tail) if raw_tail else pkt)
    return "ra", src, dst, full


def gen_ns(rng):
    target = addr(rng, "2001:db8::")
    tb = socket.inet_pton(socket.AF_INET6, target)
    snm = socket.inet_ntop(socket.AF_INET6, bytes.fromhex("ff02" + "00" * 9 + "01ff") + tb[13:])
    if rng.randrange(3) == 0:  # DAD
        full = IPv6(src="::", dst=snm, hlim=255) / ICMPv6ND_NS(tgt=target)
        return "ns", "::", snm, full
    src = addr(rng, "2001:db8::")
    ns = ICMPv6ND_NS(tgt=target)
    if rng.randrange(2):
        ns = ns / ICMPv6NDOptSrcLLAddr(lladdr=mac(rng))
    return "ns", src, snm, IPv6(src=src, dst=snm, hlim=255) / ns


def gen_na(rng):
    target = addr(rng, "2001:db8::")
    multicast = rng.randrange(2)
    dst = "ff02::1" if multicast else addr(rng, "2001:db8::")
    na = ICMPv6ND_NA(tgt=target, R=rng.randrange(2), S=0 if multicast else rng.randrange(2), O=rng.randrange(2))
    if rng.randrange(2):
        na = na / ICMPv6NDOptDstLLAddr(lladdr=mac(rng))
    return "na", target, dst, IPv6(src=target, dst=dst, hlim=255) / na


def a2h(a):
    return socket.inet_pton(socket.AF_INET6, a).hex()


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    lib = os.path.join(ROOT, "build", "libxlat464.a")
    if not os.path.exists(lib):
        sys.exit("build/libxlat464.a missing: run make first")
    with tempfile.TemporaryDirectory() as tmp:
        exe = os.path.join(tmp, "ndp_driver")
        with open(os.path.join(tmp, "d.c"), "w") as f:
            f.write(DRIVER)
        subprocess.run(["cc", "-std=gnu11", "-O1", "-I" + os.path.join(ROOT, "lib"), "-o", exe,
                        os.path.join(tmp, "d.c"), lib], check=True)
        drv = subprocess.Popen([exe], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        rng = random.Random(int(os.environ.get("XLAT_SEED", "1")))
        gens = [gen_ra, gen_ns, gen_na]
        fails = 0
        for i in range(rounds):
            kind, src, dst, full = gens[i % 3](rng)
            wire = bytes(full[IPv6].payload)  # checksum filled in by scapy
            drv.stdin.write(f"{kind} {a2h(src)} {a2h(dst)} {wire.hex()}\n")
            drv.stdin.flush()
            res, out = drv.stdout.readline().split()
            out = bytes.fromhex(out.rstrip("-"))
            if res != "ok" or out != wire:
                fails += 1
                print(f"MISMATCH {kind} #{i}: {res}\n  scapy {wire.hex()}\n  lib   {out.hex()}")
                continue
            # And scapy dissects lib/ndp's bytes as the same message, and computes the same checksum.
            built = IPv6(bytes(full))
            again = IPv6(bytes(IPv6(src=src, dst=dst, hlim=255, nh=58) / Raw(out)))
            icmp = again[IPv6].payload
            lib_cksum = icmp.cksum
            del icmp.cksum
            redone = IPv6(bytes(again))[IPv6].payload
            if type(icmp) is not type(built[IPv6].payload) or redone.cksum != lib_cksum:
                fails += 1
                print(f"SCAPY DISAGREES {kind} #{i}: {type(icmp).__name__} cksum lib {lib_cksum:#x} scapy {redone.cksum:#x}")
        drv.stdin.close()
        drv.wait()
    print(f"ndp_scapy_check: {rounds} messages, {fails} mismatches")
    sys.exit(1 if fails else 0)


if __name__ == "__main__":
    main()
