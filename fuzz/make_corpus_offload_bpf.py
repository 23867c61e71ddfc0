#!/usr/bin/python3
"""Writes the seed corpus of fuzz/fuzz_offload_bpf.c (plain Python, no scapy): data packets of the
target's four sessions both ways (TCP ACK and PSH+ACK, UDP), small and near 1280 bytes, IPv4 with
and without DF, and a few the program must leave alone (SYN, FIN, hop limit 1, UDP without a
checksum). Each seed sets the bits that write the session's addresses and ports and make the
checksums right, so the addresses below are placeholders.
Run from anywhere: fuzz/make_corpus_offload_bpf.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "fuzz_offload_bpf")
STAMP, FIX4, FIXL4 = 0x02, 0x10, 0x20


def choice(v6, sess):
    return bytes([(1 if v6 else 0) | STAMP | sess << 2 | FIX4 | FIXL4])


def l4(proto, flags, payload, udp_zero=False):
    if proto == 6:
        return struct.pack("!HHIIBBHHH", 0, 0, 1, 2, 5 << 4, flags, 65535, 0, 0) + payload
    return struct.pack("!HHHH", 0, 0, 8 + len(payload), 0) + payload  # checksum 0 unless FIXL4


def ip6(t, hop=64, tc=0):
    return struct.pack("!IHBB", 6 << 28 | tc << 20, len(t), 0, hop) + bytes(32) + t


def ip4(t, df=True, ttl=64, tos=0):
    return struct.pack("!BBHHHBBH", 0x45, tos, 20 + len(t), 0x1234, 0x4000 if df else 0, ttl, 0, 0) + bytes(8) + t


def main():
    os.makedirs(OUT, exist_ok=True)
    seeds = {}
    for sess in range(4):
        proto = 17 if sess % 2 else 6
        for size in (0, 1, 100, 1200):
            pay = bytes((i * 7 + size) & 0xFF for i in range(size))
            flags = 0x18 if size else 0x10
            seeds["s%d_v6_%d" % (sess, size)] = choice(True, sess) + ip6(l4(proto, flags, pay), tc=0x2E)
            seeds["s%d_v4_%d" % (sess, size)] = choice(False, sess) + ip4(l4(proto, flags, pay), tos=0xB8)
            seeds["s%d_v4nodf_%d" % (sess, size)] = choice(False, sess) + ip4(l4(proto, flags, pay), df=False)
        if proto == 6:
            seeds["s%d_v6_syn" % sess] = choice(True, sess) + ip6(l4(6, 0x02, b""))
            seeds["s%d_v4_fin" % sess] = choice(False, sess) + ip4(l4(6, 0x11, b""))
        else:
            seeds["s%d_v4_nocsum" % sess] = bytes([STAMP | sess << 2 | FIX4]) + ip4(l4(17, 0, b"x"))
        seeds["s%d_v6_hop1" % sess] = choice(True, sess) + ip6(l4(proto, 0x10, b"y"), hop=1)
    for name, data in seeds.items():
        with open(os.path.join(OUT, name), "wb") as f:
            f.write(data)
    print("%d seeds in %s" % (len(seeds), OUT))


if __name__ == "__main__":
    main()
