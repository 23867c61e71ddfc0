#!/usr/bin/python3
"""Writes the seed corpus of fuzz/fuzz_clat_bpf.c (plain Python, no scapy): packets of a CLAT both
ways under each prefix choice and both address modes: TCP with and without options, UDP, ICMP echo
request and reply, small and near the MTU, IPv4 with and without DF; and a few the programs leave
to the daemon (an ICMP error, a fragment, UDP without a checksum, IPv4 options). Each seed sets the
bits that write the CLAT's addresses and make the checksums right, so the addresses below are
placeholders (the IPv4 destination, and the IPv6 source's last four bytes, are the server).
Run from anywhere: fuzz/make_corpus_clat_bpf.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "fuzz_clat_bpf")
STAMP, FIX4, FIXL4, SHARED = 0x10, 0x20, 0x40, 0x80
SERVER = bytes([203, 0, 113, 2])


def choice(v6, prefix, shared=False, extra=STAMP | FIX4 | FIXL4):
    return bytes([(1 if v6 else 0) | prefix << 1 | extra | (SHARED if shared else 0)])


def tcp(flags, payload, dport=443, options=b""):
    doff = (20 + len(options)) // 4
    return struct.pack("!HHIIBBHHH", 61000, dport, 1, 2, doff << 4, flags, 65535, 0, 0) + options + payload


def udp(payload, dport=53):
    return struct.pack("!HHHH", 61001, dport, 8 + len(payload), 0) + payload


def echo(typ, payload, ident=61002):
    return struct.pack("!BBHHH", typ, 0, 0, ident, 1) + payload


def ip6(nh, t, hop=64, tc=0):
    src = bytes(12) + SERVER
    return struct.pack("!IHBB", 6 << 28 | tc << 20, len(t), nh, hop) + src + bytes(16) + t


def ip4(proto, t, df=True, ttl=64, tos=0, frag=0, options=b""):
    ihl = 5 + len(options) // 4
    flags = (0x4000 if df else 0) | frag
    return (struct.pack("!BBHHHBBH", 0x40 | ihl, tos, ihl * 4 + len(t), 0x1234, flags, ttl, proto, 0)
            + bytes(4) + SERVER + options + t)


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {}
    for prefix in range(7):
        for shared in (False, True):
            tag = "p%d%s" % (prefix, "s" if shared else "")
            port = 61500 if shared else 5000
            for size in (1, 1200):
                pay = bytes((i * 13 + size) & 0xFF for i in range(size))
                seeds[tag + "_v4tcp_%d" % size] = choice(False, prefix, shared) + ip4(6, tcp(0x18, pay), tos=0xB8)
                seeds[tag + "_v6tcp_%d" % size] = choice(True, prefix, shared) + ip6(6, tcp(0x18, pay, port), tc=0x2E)
                seeds[tag + "_v4udp_%d" % size] = choice(False, prefix, shared) + ip4(17, udp(pay), df=size > 1000)
                seeds[tag + "_v6udp_%d" % size] = choice(True, prefix, shared) + ip6(17, udp(pay, port))
            seeds[tag + "_v4ping"] = choice(False, prefix, shared) + ip4(1, echo(8, b"ping" * 8))
            seeds[tag + "_v6pong"] = choice(True, prefix, shared) + ip6(58, echo(129, b"ping" * 8, 61002))
            seeds[tag + "_v6ping"] = choice(True, prefix, shared) + ip6(58, echo(128, b"ping" * 8))
            seeds[tag + "_v4tcpopt"] = choice(False, prefix, shared) + ip4(6, tcp(0x10, b"x", options=bytes([2, 4, 5, 0xb4])))
        seeds["p%d_v4err" % prefix] = choice(False, prefix) + ip4(1, echo(3, bytes(28)))
        seeds["p%d_v6err" % prefix] = choice(True, prefix) + ip6(58, echo(1, bytes(48)))
        seeds["p%d_v4frag" % prefix] = choice(False, prefix) + ip4(17, udp(b"frag" * 10), df=False, frag=0x2000)
        seeds["p%d_v6frag" % prefix] = choice(True, prefix) + ip6(44, struct.pack("!BBHI", 17, 0, 1, 7) + udp(b"f"))
        seeds["p%d_v4opt" % prefix] = choice(False, prefix) + ip4(6, tcp(0x10, b"o"), options=bytes([1, 1, 1, 0]))
        seeds["p%d_v4nocsum" % prefix] = choice(False, prefix, extra=STAMP | FIX4) + ip4(17, udp(b"z"))
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("fuzz_clat_bpf: %d seeds in %s" % (len(seeds), OUT))


if __name__ == "__main__":
    main()
