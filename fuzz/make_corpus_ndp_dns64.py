#!/usr/bin/python3
"""Writes the seed corpora of fuzz/fuzz_ndp.c and fuzz/fuzz_dns64.c (plain Python, no scapy).

fuzz_ndp inputs are one setting byte then an ICMPv6 message (see fuzz/fuzz_ndp.c); every seed sets
bit 4 so the target fills in the checksum. fuzz_dns64 inputs are DNS responses to the ipv4only.arpa
query. The messages are the ones of tests/unit/test_ndp.c and tests/unit/test_dns64.c.
Run from anywhere: fuzz/make_corpus_ndp_dns64.py"""
import os
import socket
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = 0x10  # recompute the checksum
SRC = {"fe80::1": 0, "::": 1, "2001:db8::1": 2}
DST = {"ff02::1": 0, "ff02::1:ff00:2": 1, "2001:db8::2": 2}


def a6(s):
    return socket.inet_pton(socket.AF_INET6, s)


def cfg(src, dst):
    return bytes([SRC[src] | DST[dst] << 2 | FIX])


def ra(opts, flags=0xC0, lifetime=1800):
    return struct.pack("!BBHBBHII", 134, 0, 0, 64, flags, lifetime, 30000, 1000) + opts


def slla(mac=b"\x00\x00\x5e\x00\x53\x01", t=1):
    return bytes([t, 1]) + mac


def mtu(v):
    return struct.pack("!BBHI", 5, 1, 0, v)


def pio(prefix, plen):
    return struct.pack("!BBBBIII", 3, 4, plen, 0xC0, 2592000, 604800, 0) + a6(prefix)


def rdnss(addrs, lifetime=3600):
    return struct.pack("!BBHI", 25, 1 + 2 * len(addrs), 0, lifetime) + b"".join(a6(a) for a in addrs)


def pref64(prefix, plen, lifetime):
    plc = {96: 0, 64: 1, 56: 2, 48: 3, 40: 4, 32: 5}[plen]
    return struct.pack("!BBH", 38, 2, (lifetime // 8) << 3 | plc) + a6(prefix)[:12]


def ns(target, lladdr=True):
    return struct.pack("!BBHI", 135, 0, 0, 0) + a6(target) + (slla() if lladdr else b"")


def na(target, flags, lladdr=True):
    return struct.pack("!BBHB3x", 136, 0, 0, flags) + a6(target) + (slla(b"\x00\x00\x5e\x00\x53\x02", 2) if lladdr else b"")


NDP = {
    "ra_full": cfg("fe80::1", "ff02::1") + ra(slla() + mtu(1500) + pio("2001:db8:1::", 64)
                                              + rdnss(["2001:db8:1::53"]) + pref64("64:ff9b::", 96, 1800)),
    "ra_every_plc": cfg("fe80::1", "ff02::1") + ra(b"".join(
        pref64("2001:db8:6464:6464:6464:6464::", n, 600) for n in (96, 64, 56, 48, 40, 32))),
    "ra_bad_options": cfg("fe80::1", "ff02::1") + ra(
        bytes([1, 2]) + bytes(14) + bytes([38, 2, 7, 14]) + bytes(12) + pref64("64:ff9b::", 96, 0)
        + bytes([24, 1]) + bytes(6)),
    "ra_bare": cfg("fe80::1", "ff02::1") + ra(b"", flags=0, lifetime=0),
    "ns": cfg("2001:db8::1", "ff02::1:ff00:2") + ns("2001:db8::2"),
    "ns_dad": cfg("::", "ff02::1:ff00:2") + ns("2001:db8::2", lladdr=False),
    "na_solicited": cfg("2001:db8::1", "2001:db8::2") + na("2001:db8::2", 0x60),
    "na_unsolicited": cfg("2001:db8::1", "ff02::1") + na("2001:db8::2", 0x20),
    "pref64_option": bytes([FIX]) + pref64("64:ff9b::", 96, 1800),
}

QNAME = b"\x08ipv4only\x04arpa\x00"


def resp(answers, an=None, ar=b"", arcount=0, ident=0x1234):
    an = len(answers) if an is None else an
    return (struct.pack("!HHHHHH", ident, 0x8180, 1, an, 0, arcount) + QNAME + struct.pack("!HH", 28, 1)
            + b"".join(answers) + ar)


def aaaa(addr, ttl=3600, name=b"\xc0\x0c"):
    return name + struct.pack("!HHIH", 28, 1, ttl, 16) + a6(addr)


OPT = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)
DNS = {
    "wkp_both": resp([aaaa("64:ff9b::c000:aa"), aaaa("64:ff9b::c000:ab", 600)]),
    "two_prefixes": resp([aaaa("64:ff9b::c000:aa"), aaaa("2001:db8:64:64:c0:0:aa00:0", 1200)]),
    "every_length": resp([aaaa(a) for a in ("64:ff9b::c000:aa", "2001:db8:64:64:c0:0:aa00:0",
                                             "2001:db8:64:c0:0:aa::", "2001:db8:64:c000:0:aa00::",
                                             "2001:db8:c0:0:aa::", "2001:db8:c000:aa::")]),
    "uncompressed_edns": resp([aaaa("64:ff9b::c000:aa", name=QNAME)], ar=OPT, arcount=1),
    "split_name": resp([aaaa("64:ff9b::c000:aa", name=b"\x08ipv4only\xc0\x15")]),
    "nxdomain": struct.pack("!HHHHHH", 0x1234, 0x8183, 1, 0, 0, 0) + QNAME + struct.pack("!HH", 28, 1),
    "no_wka": resp([aaaa("2001:db8::1")]),
}


def write(target, seeds):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print(f"{d}: {len(seeds)} seeds")


write("fuzz_ndp", NDP)
write("fuzz_dns64", DNS)
