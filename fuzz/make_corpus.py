#!/usr/bin/python3
"""Writes the seed corpus of the translation fuzz targets: fuzz/corpus/fuzz_4to6/ and fuzz/corpus/fuzz_6to4/.

Each seed is FZ_CFG_BYTES configuration bytes (see fuzz/fuzz_common.h) followed by one packet. The
default configuration: pool6 2001:db8:6464:6464:6464:6464::/96, an EAM entry
198.51.100.0/24 = 2001:db8:eeee::/120, RFC 6791 addresses, a router, MTUs 1500.
IPv4 side host 203.0.113.5 (reached through pool6), IPv6 side host 2001:db8:eeee::7 (198.51.100.7).
Usage: fuzz/make_corpus.py [outdir]   (default: the corpus directory beside this script)
"""
import ipaddress
import os
import sys

from scapy.all import (ICMP, IP, TCP, UDP, IPOption_NOP, IPOption_RR, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting, ICMPv6DestUnreach, fragment6,
                       ICMPv6EchoReply, ICMPv6EchoRequest, ICMPv6PacketTooBig, ICMPv6TimeExceeded,
                       ICMPv6ParamProblem, Raw, fragment)


POOL6_LENS = [32, 40, 48, 56, 64, 96]
BASE6 = bytes([0x20, 0x01, 0x0d, 0xb8] + [0x64] * 8 + [0] * 4)


def cfg(pool6_idx=7, eam=True, r6791=True, amend=False, router=True, mtu6_idx=3, lowest_idx=0,
        mtu4_idx=4, self_addrs=True, fix=True):
    b0 = (pool6_idx & 7) | eam << 3 | r6791 << 4 | r6791 << 5 | amend << 6 | router << 7
    b1 = (mtu6_idx & 7) | (lowest_idx & 3) << 3 | (mtu4_idx & 7) << 5
    b2 = (3 if self_addrs else 0) | (0x0c if fix else 0)
    return bytes([b0, b1, b2])


def pool6_len(idx):
    return POOL6_LENS[idx] if idx < 6 else 96


def embed(v4, plen=96):
    """RFC 6052 section 2.2, with the pool6 base of fuzz_common.h."""
    p = bytearray(BASE6)
    for b in range(plen, 128):
        p[b // 8] &= ~(0x80 >> (b % 8)) & 0xff
    v = ipaddress.IPv4Address(v4).packed
    pos = {32: [4, 5, 6, 7], 40: [5, 6, 7, 9], 48: [6, 7, 9, 10], 56: [7, 9, 10, 11],
           64: [9, 10, 11, 12], 96: [12, 13, 14, 15]}[plen]
    for i, b in zip(pos, v):
        p[i] = b
    return str(ipaddress.IPv6Address(bytes(p)))


H4 = "203.0.113.5"        # IPv4-side host
H6 = "2001:db8:eeee::7"   # IPv6-side host (EAM)
H6_4 = "198.51.100.7"     # its IPv4 address
R4 = "192.0.2.77"         # an IPv4 router
R6 = "2001:db8:abcd::1"   # an IPv6 router that maps to nothing (RFC 6791 source)


def payload(n, seed=0):
    return Raw(bytes((i * 7 + seed) & 0xff for i in range(n)))


def seeds_4to6():
    s = {}
    c = cfg()
    ip = IP(src=H4, dst=H6_4, ttl=64, id=0x1234)
    s["tcp_data_1400"] = c + bytes(ip / TCP(sport=443, dport=40000, flags="PA", seq=1, ack=1) / payload(1400))
    s["tcp_data_pool64"] = cfg(pool6_idx=4) + bytes(ip / TCP(sport=443, dport=40000, flags="A") / payload(100))
    s["tcp_syn_opts"] = c + bytes(ip / TCP(sport=40000, dport=80, flags="S",
                                              options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]))
    s["udp_64"] = c + bytes(ip / UDP(sport=53, dport=40000) / payload(64 - 28))
    s["udp_zero_csum"] = cfg(amend=True) + bytes(ip / UDP(sport=53, dport=40000, chksum=0) / payload(36))
    s["udp_zero_csum_noamend"] = c + bytes(ip / UDP(sport=53, dport=40000, chksum=0) / payload(36))
    s["icmp_echo_request"] = c + bytes(ip / ICMP(type=8, id=7, seq=1) / payload(56))
    s["icmp_echo_reply"] = c + bytes(ip / ICMP(type=0, id=7, seq=1) / payload(56))
    inner_udp = IP(src=H6_4, dst=H4, ttl=63) / UDP(sport=40000, dport=53) / payload(30)
    s["icmp_port_unreach_udp"] = c + bytes(ip / ICMP(type=3, code=3) / inner_udp)
    inner_tcp = IP(src=H6_4, dst=H4, ttl=63, flags="DF") / TCP(sport=40000, dport=443) / payload(200)
    s["icmp_frag_needed_tcp"] = c + bytes(ip / ICMP(type=3, code=4, nexthopmtu=1400) / inner_tcp)
    s["icmp_time_exceeded_router"] = c + bytes(IP(src=R4, dst=H6_4, ttl=250) / ICMP(type=11, code=0) / inner_udp)
    s["icmp_param_problem"] = c + bytes(ip / ICMP(type=12, code=0, ptr=8) / inner_udp)
    big = ip / UDP(sport=5000, dport=5001) / payload(3000)
    frags = fragment(IP(bytes(big)), fragsize=1480)
    s["frag_first"] = c + bytes(frags[0])
    s["frag_middle"] = c + bytes(frags[1])
    s["frag_last"] = c + bytes(frags[-1])
    s["no_df_needs_split"] = cfg(mtu6_idx=0) + bytes(IP(src=H4, dst=H6_4, ttl=64, flags=0) /
                                                     UDP(sport=5000, dport=5001) / payload(1472))
    s["df_too_big"] = cfg(mtu6_idx=0) + bytes(IP(src=H4, dst=H6_4, ttl=64, flags="DF") /
                                              TCP(sport=443, dport=40000, flags="A") / payload(1400))
    s["ipv4_options"] = c + bytes(IP(src=H4, dst=H6_4, ttl=64, options=[IPOption_NOP(), IPOption_RR()]) /
                                  TCP(sport=443, dport=40000, flags="A") / payload(40))
    s["ttl_1"] = c + bytes(IP(src=H4, dst=H6_4, ttl=1) / UDP(sport=53, dport=40000) / payload(20))
    s["no_eam_pool6_only"] = cfg(eam=False, pool6_idx=0) + bytes(IP(src=H4, dst="198.51.100.9") /
                                                                 UDP(sport=1, dport=2) / payload(10))
    return s


def seeds_6to4():
    s = {}
    c = cfg()
    dst = embed(H4)
    ip = IPv6(src=H6, dst=dst, hlim=64)
    s["tcp_data_1400"] = c + bytes(ip / TCP(sport=40000, dport=443, flags="PA", seq=1, ack=1) / payload(1400))
    s["tcp_data_pool48"] = cfg(pool6_idx=2) + bytes(IPv6(src=H6, dst=embed(H4, 48)) /
                                                    TCP(sport=40000, dport=443, flags="A") / payload(100))
    s["tcp_syn_opts"] = c + bytes(ip / TCP(sport=40000, dport=80, flags="S", options=[("MSS", 1440)]))
    s["udp_64"] = c + bytes(ip / UDP(sport=40000, dport=53) / payload(64 - 48))
    s["udp_zero_csum"] = c + bytes(ip / UDP(sport=40000, dport=53, chksum=0) / payload(16))
    s["icmp_echo_request"] = c + bytes(ip / ICMPv6EchoRequest(id=7, seq=1, data=bytes(56)))
    s["icmp_echo_reply"] = c + bytes(ip / ICMPv6EchoReply(id=7, seq=1, data=bytes(56)))
    inner_udp = IPv6(src=dst, dst=H6, hlim=63) / UDP(sport=53, dport=40000) / payload(30)
    s["icmp_port_unreach_udp"] = c + bytes(ip / ICMPv6DestUnreach(code=4) / inner_udp)
    inner_tcp = IPv6(src=dst, dst=H6, hlim=63) / TCP(sport=443, dport=40000) / payload(300)
    s["icmp_packet_too_big_tcp"] = c + bytes(ip / ICMPv6PacketTooBig(mtu=1400) / inner_tcp)
    s["icmp_time_exceeded_router"] = c + bytes(IPv6(src=R6, dst=dst, hlim=250) / ICMPv6TimeExceeded() / inner_udp)
    s["icmp_param_problem"] = c + bytes(ip / ICMPv6ParamProblem(code=0, ptr=6) / inner_udp)
    big = IPv6(src=H6, dst=dst, hlim=64) / IPv6ExtHdrFragment(id=0xabcdef) / UDP(sport=5000, dport=5001) / payload(3000)
    frags = fragment6(big, 1280)
    s["frag_first"] = c + bytes(frags[0])
    s["frag_middle"] = c + bytes(frags[1])
    s["frag_last"] = c + bytes(frags[-1])
    s["atomic_fragment"] = c + bytes(IPv6(src=H6, dst=dst) / IPv6ExtHdrFragment(id=5, offset=0, m=0) /
                                     UDP(sport=1, dport=2) / payload(20))
    s["ext_hop_dest"] = c + bytes(IPv6(src=H6, dst=dst) / IPv6ExtHdrHopByHop() / IPv6ExtHdrDestOpt() /
                                  TCP(sport=40000, dport=443, flags="A") / payload(40))
    s["routing_segleft0"] = c + bytes(IPv6(src=H6, dst=dst) / IPv6ExtHdrRouting(addresses=[], segleft=0) /
                                      UDP(sport=1, dport=2) / payload(8))
    s["routing_segleft1"] = c + bytes(IPv6(src=H6, dst=dst) / IPv6ExtHdrRouting(addresses=["2001:db8::99"], segleft=1) /
                                      UDP(sport=1, dport=2) / payload(8))
    s["hop_limit_1"] = c + bytes(IPv6(src=H6, dst=dst, hlim=1) / UDP(sport=1, dport=2) / payload(8))
    s["too_big_for_mtu4"] = cfg(mtu4_idx=0) + bytes(ip / TCP(sport=40000, dport=443, flags="A") / payload(1000))
    s["hairpin"] = c + bytes(IPv6(src=H6, dst=embed("198.51.100.9")) / UDP(sport=1, dport=2) / payload(20))
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    for target, seeds in (("fuzz_4to6", seeds_4to6()), ("fuzz_6to4", seeds_6to4())):
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
        print(f"{d}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
