#!/usr/bin/python3
"""Writes the seed corpus of fuzz/fuzz_reasm.c (plain Python, no scapy).

An input is records of [clock step, length (2 bytes), IPv4 packet]. The seeds are fragments of UDP
datagrams with checksum zero (port 4500, as IPsec NAT traversal sends them): in order, out of order,
overlapping, repeated, too late, and mixed with a datagram that has a checksum. The target fixes
the IPv4 header checksums. Run from anywhere: fuzz/make_corpus_reasm.py"""
import os
import socket
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "corpus", "fuzz_reasm")


def udp(payload_len, csum=0):
    body = bytes((i * 7) & 0xFF for i in range(payload_len))
    return struct.pack("!HHHH", 4500, 4500, 8 + payload_len, csum) + body


def frag(dgram, off, n, mf, ident, src="192.0.2.10", dst="198.51.100.7"):
    data = dgram[off:off + n]
    flags = (0x2000 if mf else 0) | (off // 8)
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(data), ident, flags, 64, 17, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    return hdr + data


def rec(pkt, step=0):
    return struct.pack("!BH", step, len(pkt)) + pkt


def write(name, pkts):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(b"".join(rec(p, s) for p, s in pkts))


def main():
    os.makedirs(OUT, exist_ok=True)
    d = udp(1600)
    n = len(d)
    write("in-order", [(frag(d, 0, 1480, True, 1), 0), (frag(d, 1480, n - 1480, False, 1), 1)])
    write("three", [(frag(d, 0, 552, True, 2), 0), (frag(d, 552, 552, True, 2), 0),
                    (frag(d, 1104, n - 1104, False, 2), 0)])
    write("out-of-order", [(frag(d, 0, 552, True, 3), 0), (frag(d, 1104, n - 1104, False, 3), 0),
                           (frag(d, 552, 552, True, 3), 0)])
    write("overlap", [(frag(d, 0, 800, True, 4), 0), (frag(d, 792, n - 792, False, 4), 0)])
    write("repeated", [(frag(d, 0, 800, True, 5), 0), (frag(d, 0, 800, True, 5), 0),
                       (frag(d, 800, n - 800, False, 5), 0)])
    write("too-late", [(frag(d, 0, 800, True, 6), 0), (frag(d, 800, n - 800, False, 6), 200)])
    write("later-first", [(frag(d, 800, n - 800, False, 7), 0), (frag(d, 0, 800, True, 7), 0)])
    c = udp(1600, 0x1234)
    write("with-checksum", [(frag(c, 0, 800, True, 8), 0), (frag(c, 800, n - 800, False, 8), 0)])
    write("full", [(frag(d, 0, 800, True, i), 1) for i in range(10, 15)])
    big = udp(65535 - 28)
    pkts = []
    for off in range(0, len(big), 8192):
        pkts.append((frag(big, off, min(8192, len(big) - off), off + 8192 < len(big), 9), 0))
    write("largest", pkts)


if __name__ == "__main__":
    main()
