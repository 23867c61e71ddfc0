#!/usr/bin/python3
"""Generates the translator's packet vectors (tests/vectors/cases/*.vec) from the RFC text.

Every case builds its input packet and the packet the RFC says must come out, each directly with
scapy from the rules of RFC 7915 / RFC 6052 / RFC 7757 / RFC 6791. Nothing here runs or imitates our
translator: there is no translation function, each case spells out its expected fields by hand.
The file format is described in tests/vectors/README.md. Run: tests/vectors/gen.py (from anywhere);
it rewrites every .vec file in tests/vectors/cases/.
"""
import os
import struct
import sys

from scapy.all import IP, IPv6, UDP, TCP, Raw, ICMPv6EchoRequest, ICMPv6EchoReply, \
    ICMPv6DestUnreach, ICMPv6PacketTooBig, ICMPv6TimeExceeded, ICMPv6ParamProblem, \
    IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting, PadN, \
    IPOption_LSRR, IPOption_NOP, IPOption_RR, in6_chksum
from scapy.utils import checksum as inet_checksum

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")

# ---- the addressing plan used by most cases -------------------------------------------------
POOL6 = "64:ff9b::/96"
H6 = "2001:db8::1"            # IPv6 host, reachable from IPv4 as H6_4 through an EAM entry
H6_4 = "192.0.2.1"
H4 = "198.51.100.2"           # IPv4 host, reachable from IPv6 as H4_6 through pool6
H4_6 = "64:ff9b::c633:6402"
R4 = "203.0.113.7"            # an IPv4 router that reports errors; from IPv6 it is R4_6
R4_6 = "64:ff9b::cb00:7107"
R6 = "2001:db8:ffff::7"       # an IPv6 router that no pool6 prefix or EAM entry maps
SELF4 = "203.0.113.1"
SELF6 = "2001:db8:ffff::1"
RFC6791V4 = "203.0.113.99"
RFC6791V6 = "2001:db8:6791::1"

BASE = [
    ("pool6", POOL6),
    ("eam", "192.0.2.1/32 2001:db8::1/128"),
    ("rfc6791v4", RFC6791V4),
    ("rfc6791v6", RFC6791V6),
    ("self4", SELF4),
    ("self6", SELF6),
    ("lowest-ipv6-mtu", "1280"),
    ("mtu4", "1500"),
    ("mtu6", "1500"),
    ("amend-udp-checksum-zero", "no"),
    ("router", "yes"),
]

# Fields of IPv4 packets made from IPv6 that the RFC leaves to the translator: Identification
# (RFC 7915 section 5.1 "set according to a Fragment Identification algorithm"), and so the header
# checksum. The test program checks the header checksum is valid on every IPv4 packet anyway.
IGN4_ID = "4-5 10-11"
# ICMP errors the translator itself originates: TOS, ID, flags, TTL and header checksum are local
# choices (RFC 1812 section 4.3.2); the test program checks the header and ICMP checksums.
IGN4_REPLY = "1 4-7 8 10-11"
# ICMPv6 errors it originates: traffic class / flow label (bytes 1-3) and hop limit (byte 7).
IGN6_REPLY = "1-3 7"

ICMP4_ECHO_REPLY, ICMP4_UNREACH, ICMP4_SOURCE_QUENCH, ICMP4_REDIRECT, ICMP4_ALT_HOST = 0, 3, 4, 5, 6
ICMP4_ECHO, ICMP4_ROUTER_ADV, ICMP4_ROUTER_SOL, ICMP4_TIME_EXCEEDED, ICMP4_PARAMPROB = 8, 9, 10, 11, 12
ICMP4_TIMESTAMP, ICMP4_TIMESTAMP_REPLY, ICMP4_INFO_REQ, ICMP4_INFO_REPLY = 13, 14, 15, 16
ICMP4_MASK_REQ, ICMP4_MASK_REPLY = 17, 18
ICMP6_UNREACH, ICMP6_PTB, ICMP6_TIME_EXCEEDED, ICMP6_PARAMPROB = 1, 2, 3, 4
ICMP6_ECHO, ICMP6_ECHO_REPLY = 128, 129
PROTO_ICMP, PROTO_TCP, PROTO_UDP, PROTO_ICMP6 = 1, 6, 17, 58

CASES = []


def case(name, comment, inp, expects, settings=None, extra=None):
    """expects: list of ("forward"|"reply", bytes, ignore-string) or [("drop", reason)].
    extra: list of (key, value) settings overriding BASE."""
    if settings is None:
        settings = list(BASE)
        for k, v in extra or []:
            if k == "eam":
                settings.append((k, v))
            else:
                settings = [(sk, sv) if sk != k else (k, v) for sk, sv in settings]
                if k not in [sk for sk, _ in settings]:
                    settings.append((k, v))
    CASES.append((name, comment, settings, bytes(inp), expects))


def fwd(pkt, ignore=""):
    return ("forward", bytes(pkt), ignore)


def reply(pkt, ignore="", reason=None):
    return ("reply", bytes(pkt), ignore, reason)


def drop(reason):
    return [("drop", reason)]


def payload(n, seed=0):
    return bytes((i * 7 + seed) & 0xff for i in range(n))


# ---- small builders; each only assembles fields given to it --------------------------------

def icmp4(typ, code, rest, body):
    """An ICMPv4 message with its checksum (RFC 792: no pseudo-header)."""
    m = struct.pack("!BBHI", typ, code, 0, rest) + bytes(body)
    c = inet_checksum(m)
    return m[:2] + struct.pack("!H", c) + m[4:]


def icmp6(src, dst, typ, code, rest, body):
    """An ICMPv6 message with its checksum over the RFC 8200 section 8.1 pseudo-header."""
    m = struct.pack("!BBHI", typ, code, 0, rest) + bytes(body)
    c = in6_chksum(PROTO_ICMP6, IPv6(src=src, dst=dst), m)
    return m[:2] + struct.pack("!H", c) + m[4:]


def udp4(src, dst, sport=40000, dport=53, data=b"hello", ttl=64, tos=0, ident=0x1234, flags="DF",
         chksum=None, options=None):
    u = UDP(sport=sport, dport=dport)
    if chksum is not None:
        u.chksum = chksum
    ip = IP(src=src, dst=dst, ttl=ttl, tos=tos, id=ident, flags=flags)
    l4 = bytes(ip / u / Raw(data))[20:]
    if options:
        # scapy would take the UDP pseudo-header destination from a source route option; the
        # checksum here is the ordinary one over the header's destination, built without options.
        ip.options = options
        ip.proto = PROTO_UDP
        return IP(bytes(ip / Raw(l4)))
    return IP(bytes(ip / u / Raw(data)))


def udp6(src, dst, sport=40000, dport=53, data=b"hello", hlim=64, tc=0, fl=0, chksum=None):
    u = UDP(sport=sport, dport=dport)
    if chksum is not None:
        u.chksum = chksum
    return IPv6(bytes(IPv6(src=src, dst=dst, hlim=hlim, tc=tc, fl=fl) / u / Raw(data)))


def csum_add(c, d):
    """One's-complement c + d (16 bit): moving a checksum by d, as RFC 1624 updates preserve."""
    s = c + d
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    assert s not in (0, 0xffff), "pick another offset: 0/0xffff are ambiguous in one's complement"
    return s


def l4_csum(pkt_bytes, off):
    return struct.unpack("!H", pkt_bytes[off:off + 2])[0]


def set16(b, off, v):
    b = bytearray(b)
    assert b[off:off + 2] != struct.pack("!H", v)
    b[off:off + 2] = struct.pack("!H", v)
    return bytes(b)


# =============================================================================================
# RFC 7915 section 4.1: IPv4 header -> IPv6 header
# =============================================================================================
def s41():
    case("4.1-udp-basic",
         "RFC 7915 4.1: Version 6, Traffic Class copied from TOS, Flow Label 0, Payload Length = "
         "Total Length - IHL*4, Next Header = Protocol, Hop Limit = TTL - 1 (the translator is a router), "
         "addresses mapped (destination through EAM, source through pool6); RFC 7915 4.5: UDP checksum "
         "updated for the new pseudo-header; DF=1 packet gets no Fragment Header",
         udp4(H4, H6_4, ttl=64, tos=0),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63, tc=0) / UDP(sport=40000, dport=53) / Raw(b"hello"))])
    case("4.1-tos-copied",
         "RFC 7915 4.1: Traffic Class: by default copied from the IPv4 TOS octet (DSCP EF + ECN 01)",
         udp4(H4, H6_4, tos=0xb9),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63, tc=0xb9) / UDP(sport=40000, dport=53) / Raw(b"hello"))])
    case("4.1-zero-traffic-class",
         "RFC 7915 4.1: with the option to ignore the IPv4 TOS (zero-traffic-class yes), the Traffic "
         "Class is zero whatever the TOS",
         udp4(H4, H6_4, tos=0xb9),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63, tc=0) / UDP(sport=40000, dport=53) / Raw(b"hello"))],
         extra=[("zero-traffic-class", "yes")])
    case("4.1-df0-small-no-fraghdr",
         "RFC 7915 4.1: DF not set and the packet fits lowest-ipv6-mtu: the translator MUST NOT add a "
         "Fragment Header (no atomic fragments)",
         udp4(H4, H6_4, flags=0, ident=0x4242),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63) / UDP(sport=40000, dport=53) / Raw(b"hello"))])
    case("4.1-ttl-expired",
         "RFC 7915 4.1 Hop Limit: the translator is a router and MUST check the decremented TTL for "
         "zero and send ICMPv4 Time Exceeded (type 11 code 0). Interpretation: sent from self4, quoting "
         "the packet as received (TTL 1), at most 576 bytes in all (RFC 1812 4.3.2.3)",
         udp4(H4, H6_4, ttl=1),
         [reply(IP(src=SELF4, dst=H4, ttl=64, proto=PROTO_ICMP) /
                Raw(icmp4(ICMP4_TIME_EXCEEDED, 0, 0, bytes(udp4(H4, H6_4, ttl=1)))), IGN4_REPLY,
                "ttl-expired")])
    case("4.1-ttl-zero-expired",
         "RFC 7915 4.1: a packet arriving with TTL 0 cannot be forwarded either: Time Exceeded",
         udp4(H4, H6_4, ttl=0),
         [reply(IP(src=SELF4, dst=H4, ttl=64, proto=PROTO_ICMP) /
                Raw(icmp4(ICMP4_TIME_EXCEEDED, 0, 0, bytes(udp4(H4, H6_4, ttl=0)))), IGN4_REPLY,
                "ttl-expired")])
    case("4.1-router-no-ttl1",
         "Setting router no (host CLAT): the TTL is not decremented, so TTL 1 becomes Hop Limit 1 and "
         "no error is sent",
         udp4(H4, H6_4, ttl=1),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=1) / UDP(sport=40000, dport=53) / Raw(b"hello"))],
         extra=[("router", "no")])
    opts = [IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_NOP()]
    case("4.1-options-ignored",
         "RFC 7915 4.1: IPv4 options MUST be ignored (IHL 6 here: four NOPs); Payload Length = Total "
         "Length - IHL*4",
         udp4(H4, H6_4, options=opts),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63) / UDP(sport=40000, dport=53) / Raw(b"hello"))])
    rr = [IPOption_RR(routers=["0.0.0.0"])]
    case("4.1-record-route-ignored",
         "RFC 7915 4.1: a Record Route option is ignored like any other option",
         udp4(H4, H6_4, options=rr),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63) / UDP(sport=40000, dport=53) / Raw(b"hello"))])
    lsrr_in = udp4(H4, H6_4, options=[IPOption_LSRR(pointer=4, routers=["203.0.113.20"])])
    case("4.1-source-route-unexpired",
         "RFC 7915 4.1: an unexpired source route option (LSRR, pointer 4 <= length 7): the packet MUST "
         "be discarded and ICMPv4 Destination Unreachable / Source Route Failed (type 3 code 5) SHOULD "
         "be returned. Interpretation: from self4, quoting the whole packet",
         lsrr_in,
         [reply(IP(src=SELF4, dst=H4, ttl=64, proto=PROTO_ICMP) /
                Raw(icmp4(ICMP4_UNREACH, 5, 0, bytes(lsrr_in))), IGN4_REPLY, "source-route")])
    case("4.1-source-route-expired",
         "RFC 7915 4.1: an expired source route (LSRR pointer 8 > length 7) is an ordinary option and "
         "is ignored",
         udp4(H4, H6_4, options=[IPOption_LSRR(pointer=8, routers=["203.0.113.20"])]),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63) / UDP(sport=40000, dport=53) / Raw(b"hello"))])
    # Fragments, IPv4 -> IPv6 with a Fragment Header.
    full = bytes(UDP(sport=40000, dport=53) / Raw(payload(64)))
    full4 = bytes(IP(src=H4, dst=H6_4) / UDP(sport=40000, dport=53) / Raw(payload(64)))[20:]
    full6 = bytes(IPv6(src=H4_6, dst=H6) / UDP(sport=40000, dport=53) / Raw(payload(64)))[40:]
    assert len(full) == 72
    case("4.1-fragment-first",
         "RFC 7915 4.1: an IPv4 fragment (MF=1, offset 0) gets a Fragment Header: Identification = "
         "IPv4 ID in the low 16 bits, high 16 bits zero; M = MF; offset copied; Next Header = protocol; "
         "RFC 7915 4.5: the UDP checksum of the whole datagram is updated for the new pseudo-header",
         IP(src=H4, dst=H6_4, ttl=64, id=0xabcd, flags="MF", frag=0, proto=PROTO_UDP) / Raw(full4[:32]),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63, nh=44) /
              IPv6ExtHdrFragment(nh=PROTO_UDP, offset=0, m=1, id=0xabcd) / Raw(full6[:32]))])
    case("4.1-fragment-last",
         "RFC 7915 4.1: the last fragment (MF=0, offset 4 = 32 bytes): Fragment Header with M=0, offset "
         "copied; the payload is copied unchanged",
         IP(src=H4, dst=H6_4, ttl=64, id=0xabcd, flags=0, frag=4, proto=PROTO_UDP) / Raw(full4[32:]),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63, nh=44) /
              IPv6ExtHdrFragment(nh=PROTO_UDP, offset=4, m=0, id=0xabcd) / Raw(full6[32:]))])
    case("4.1-fragment-middle",
         "RFC 7915 4.1: a middle fragment (MF=1, offset 2)",
         IP(src=H4, dst=H6_4, ttl=64, id=0x0102, flags="MF", frag=2, proto=PROTO_UDP) / Raw(full4[16:48]),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63, nh=44) /
              IPv6ExtHdrFragment(nh=PROTO_UDP, offset=2, m=1, id=0x0102) / Raw(full6[16:48]))])
    # DF=0 and bigger than lowest-ipv6-mtu: split into fragments of at most 1280 bytes.
    for total, label in ((1400, "4.1-df0-split-1400"), (1261, "4.1-df0-split-boundary-1261")):
        data = payload(total - 28, 3)
        pin = IP(src=H4, dst=H6_4, ttl=64, id=0x7777, flags=0) / UDP(sport=40000, dport=53) / Raw(data)
        assert len(pin) == total
        whole6 = bytes(IPv6(src=H4_6, dst=H6) / UDP(sport=40000, dport=53) / Raw(data))[40:]
        first, rest = whole6[:1232], whole6[1232:]
        case(label,
             "RFC 7915 4.1: DF not set and the translated packet (%d bytes) is larger than "
             "lowest-ipv6-mtu 1280: Fragment Headers are added and the packet is fragmented so that "
             "no fragment exceeds 1280 bytes: 1232 bytes of data (a multiple of 8) in the first, the "
             "rest in the second; Identification from the IPv4 ID" % (total + 20),
             pin,
             [fwd(IPv6(src=H4_6, dst=H6, hlim=63, nh=44) /
                  IPv6ExtHdrFragment(nh=PROTO_UDP, offset=0, m=1, id=0x7777) / Raw(first)),
              fwd(IPv6(src=H4_6, dst=H6, hlim=63, nh=44) /
                  IPv6ExtHdrFragment(nh=PROTO_UDP, offset=1232 // 8, m=0, id=0x7777) / Raw(rest))])
    data = payload(1260 - 28, 5)
    case("4.1-df0-fits-1260",
         "RFC 7915 4.1: DF not set, translated size exactly 1280 = lowest-ipv6-mtu: no Fragment Header",
         IP(src=H4, dst=H6_4, ttl=64, id=0x7777, flags=0) / UDP(sport=40000, dport=53) / Raw(data),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63) / UDP(sport=40000, dport=53) / Raw(data))])
    data = payload(1400 - 28, 6)
    case("4.1-df0-lowest-mtu-1500",
         "RFC 7915 4.1: with lowest-ipv6-mtu 1500 a 1400-byte DF=0 packet (1420 translated) is not "
         "fragmented",
         IP(src=H4, dst=H6_4, ttl=64, id=0x7777, flags=0) / UDP(sport=40000, dport=53) / Raw(data),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63) / UDP(sport=40000, dport=53) / Raw(data))],
         extra=[("lowest-ipv6-mtu", "1500")])
    data = payload(1480 - 28, 7)
    case("4.1-df1-fits-mtu6",
         "RFC 7915 4.1: DF set, translated 1500 bytes = mtu6: translated whole, no Fragment Header",
         IP(src=H4, dst=H6_4, ttl=64, flags="DF") / UDP(sport=40000, dport=53) / Raw(data),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63) / UDP(sport=40000, dport=53) / Raw(data))])
    data = payload(1481 - 28, 8)
    big = bytes(IP(src=H4, dst=H6_4, ttl=64, flags="DF") / UDP(sport=40000, dport=53) / Raw(data))
    case("4.1-df1-too-big-frag-needed",
         "DF set and the translated packet (1501) exceeds mtu6 1500: as a router (RFC 1191 / RFC 1812) "
         "the translator answers ICMPv4 Destination Unreachable / Fragmentation Needed (type 3 code 4) "
         "with Next-Hop MTU = mtu6 - 20 = 1480 (the IPv4 view of the IPv6 MTU). Interpretation: from "
         "self4, quoting the first 548 bytes so that the error is 576 bytes (RFC 1812 4.3.2.3)",
         big,
         [reply(IP(src=SELF4, dst=H4, ttl=64, proto=PROTO_ICMP) /
                Raw(icmp4(ICMP4_UNREACH, 4, 1480, big[:548])), IGN4_REPLY, "frag-needed")])
    # Never translated addresses.
    for name, src, dst, reason, why in (
            ("4.1-dst-multicast", H4, "224.0.0.5", "dst-illegal", "multicast 224/4"),
            ("4.1-dst-broadcast", H4, "255.255.255.255", "dst-illegal", "limited broadcast (240/4)"),
            ("4.1-dst-linklocal", H4, "169.254.1.1", "dst-illegal", "link-local 169.254/16"),
            ("4.1-src-zero-net", "0.1.2.3", H6_4, "src-illegal", "this-network 0/8"),
            ("4.1-src-loopback", "127.0.0.1", H6_4, "src-illegal", "loopback 127/8"),
            ("4.1-src-linklocal", "169.254.7.7", H6_4, "src-illegal", "link-local 169.254/16"),
            ("4.1-src-multicast", "239.1.1.1", H6_4, "src-illegal", "multicast source"),
    ):
        case(name, "RFC 7915 4.1 / RFC 1812 5.3.7: %s is never translated" % why,
             udp4(src, dst), drop(reason))
    case("4.1-dst-unmapped",
         "RFC 7915 4.1 / RFC 7757: with no pool6 and no EAM entry for the destination the address "
         "cannot be translated. Interpretation of RFC 7915 4.4 (the ICMPv4 error is SHOULD, and "
         "configurable): no error is sent, the packet is dropped",
         udp4(H4, H6_4),
         drop("dst-unmapped"),
         settings=[("eam", "198.51.100.0/24 2001:db8:4::/120")] + BASE[2:])
    case("4.1-bad-ipv4-header-checksum",
         "An IPv4 packet whose header checksum is wrong is not a valid packet (RFC 1812 5.2.2) and "
         "is not translated",
         IP(set16(bytes(udp4(H4, H6_4)), 10, 0x1234)),
         drop("bad-ipv4-checksum"))


# =============================================================================================
# RFC 7915 section 4.2: ICMPv4 -> ICMPv6
# =============================================================================================
def inner4_udp(data=b"inner"):
    """The packet H6_4 sent to H4 that an ICMPv4 error quotes."""
    return udp4(H6_4, H4, sport=5000, dport=6000, data=data, ttl=63, flags="DF", ident=0x5555)


def inner4_as_6(data=b"inner"):
    """RFC 7915 4.3: the quoted packet translated one level deep. Interpretation: the inner Hop
    Limit is the inner TTL unchanged (the inner packet is not being forwarded)."""
    return IPv6(src=H6, dst=H4_6, hlim=63) / UDP(sport=5000, dport=6000) / Raw(data)


def err4(typ, code, rest, inner=None, src=H4, dst=H6_4, ttl=64):
    inner = bytes(inner4_udp() if inner is None else inner)
    return IP(src=src, dst=dst, ttl=ttl, flags=0, proto=PROTO_ICMP) / Raw(icmp4(typ, code, rest, inner))


def err4_as_6(typ, code, rest, inner=None, src=H4_6, dst=H6, hlim=63):
    inner = bytes(inner4_as_6() if inner is None else inner)
    return IPv6(src=src, dst=dst, hlim=hlim, nh=PROTO_ICMP6) / Raw(icmp6(src, dst, typ, code, rest, inner))


def s42():
    echo = bytes(icmp4(ICMP4_ECHO, 0, 0x12340001, b"ping-data"))
    case("4.2-echo-request",
         "RFC 7915 4.2: Echo Request (type 8) becomes type 128; the ICMPv6 checksum MUST be computed "
         "including the pseudo-header",
         IP(src=H4, dst=H6_4, ttl=64, proto=PROTO_ICMP) / Raw(echo),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63) / ICMPv6EchoRequest(id=0x1234, seq=1, data=b"ping-data"))])
    case("4.2-echo-reply",
         "RFC 7915 4.2: Echo Reply (type 0) becomes type 129, checksum with pseudo-header",
         IP(src=H4, dst=H6_4, ttl=64, proto=PROTO_ICMP) / Raw(icmp4(ICMP4_ECHO_REPLY, 0, 0x43210007, b"pong")),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63) / ICMPv6EchoReply(id=0x4321, seq=7, data=b"pong"))])
    for typ, what in ((ICMP4_INFO_REQ, "Information Request"), (ICMP4_INFO_REPLY, "Information Reply"),
                      (ICMP4_TIMESTAMP, "Timestamp"), (ICMP4_TIMESTAMP_REPLY, "Timestamp Reply"),
                      (ICMP4_MASK_REQ, "Address Mask Request"), (ICMP4_MASK_REPLY, "Address Mask Reply"),
                      (ICMP4_ROUTER_ADV, "Router Advertisement"), (ICMP4_ROUTER_SOL, "Router Solicitation"),
                      (42, "an unknown informational type")):
        case("4.2-type%d-dropped" % typ,
             "RFC 7915 4.2: %s (type %d) is obsoleted / single-hop / unknown: silently drop" % (what, typ),
             IP(src=H4, dst=H6_4, ttl=64, proto=PROTO_ICMP) / Raw(icmp4(typ, 0, 0, bytes(12))),
             drop("icmp-type"))
    for typ, what in ((ICMP4_SOURCE_QUENCH, "Source Quench"), (ICMP4_REDIRECT, "Redirect"),
                      (ICMP4_ALT_HOST, "Alternative Host Address"), (40, "an unknown error type")):
        case("4.2-type%d-dropped" % typ,
             "RFC 7915 4.2: %s (type %d): single-hop, obsoleted or unknown: silently drop" % (what, typ),
             err4(typ, 0, 0), drop("icmp-type"))
    # Destination Unreachable codes (RFC 7915 4.2, the list under "Destination Unreachable").
    unreach = {0: (1, 0), 1: (1, 0), 3: (1, 4), 5: (1, 0), 6: (1, 0), 7: (1, 0), 8: (1, 0),
               9: (1, 1), 10: (1, 1), 11: (1, 0), 12: (1, 0), 13: (1, 1), 15: (1, 1)}
    for code, (t6, c6) in sorted(unreach.items()):
        case("4.2-unreach-code%d" % code,
             "RFC 7915 4.2: Destination Unreachable code %d becomes ICMPv6 type %d code %d; the quoted "
             "packet is translated (4.3)" % (code, t6, c6),
             err4(ICMP4_UNREACH, code, 0), [fwd(err4_as_6(t6, c6, 0))])
    qin = bytes(udp4(H6_4, H4, sport=5000, dport=6000, data=b"inner", ttl=63, flags="DF", ident=0x5555, tos=0xb9))
    case("4.3-inner-zero-traffic-class",
         "RFC 7915 4.1 and 4.3: with zero-traffic-class yes, both the outer Traffic Class and the quoted "
         "packet's are zero (TOS 0x20 outside, 0xb9 inside)",
         IP(src=H4, dst=H6_4, ttl=64, tos=0x20, flags=0, proto=PROTO_ICMP) / Raw(icmp4(ICMP4_UNREACH, 1, 0, qin)),
         [fwd(err4_as_6(ICMP6_UNREACH, 0, 0))],
         extra=[("zero-traffic-class", "yes")])
    case("4.2-unreach-code2-protocol",
         "RFC 7915 4.2: Code 2 (Protocol Unreachable) becomes Parameter Problem type 4 code 1 with "
         "the pointer set to 6 (the Next Header field)",
         err4(ICMP4_UNREACH, 2, 0), [fwd(err4_as_6(ICMP6_PARAMPROB, 1, 6))])
    for code in (14, 16):
        case("4.2-unreach-code%d-dropped" % code,
             "RFC 7915 4.2: Destination Unreachable code %d (%s): silently drop"
             % (code, "Host Precedence Violation" if code == 14 else "unknown code"),
             err4(ICMP4_UNREACH, code, 0), drop("icmp-type"))
    case("4.2-frag-needed-mtu",
         "RFC 7915 4.2: Fragmentation Needed (code 4) becomes Packet Too Big (type 2 code 0) with MTU "
         "= minimum(advertised MTU + 20, MTU of the IPv6 next hop, MTU of the IPv4 next hop + 20) = "
         "min(1400 + 20, 1500, 1520) = 1420",
         err4(ICMP4_UNREACH, 4, 1400), [fwd(err4_as_6(ICMP6_PTB, 0, 1420))])
    case("4.2-frag-needed-mtu6-limits",
         "RFC 7915 4.2: the same rule where the IPv6 next hop is the minimum: min(1492 + 20, 1480, "
         "1520) = 1480",
         err4(ICMP4_UNREACH, 4, 1492), [fwd(err4_as_6(ICMP6_PTB, 0, 1480))],
         extra=[("mtu6", "1480")])
    case("4.2-frag-needed-mtu4-limits",
         "RFC 7915 4.2: the same rule where the IPv4 next hop is the minimum: min(1492 + 20, 1500, "
         "1400 + 20) = 1420",
         err4(ICMP4_UNREACH, 4, 1492), [fwd(err4_as_6(ICMP6_PTB, 0, 1420))],
         extra=[("mtu4", "1400")])
    # MTU zero: RFC 1191 plateau below the quoted Total Length. The quote is the first 48 bytes of a
    # 1500-byte UDP packet; its inner UDP checksum is that of the whole datagram.
    data = payload(1500 - 28, 9)
    in_full = bytes(IP(src=H6_4, dst=H4, ttl=63, id=0x5555, flags="DF") / UDP(sport=5000, dport=6000) / Raw(data))
    out_full = bytes(IPv6(src=H6, dst=H4_6, hlim=63) / UDP(sport=5000, dport=6000) / Raw(data))
    case("4.2-frag-needed-mtu0-plateau",
         "RFC 7915 4.2: an IPv4 router that sets the MTU field to zero (pre RFC 1191): the translator "
         "MUST use the greatest RFC 1191 plateau below the quoted Total Length (1500 -> 1492). "
         "Interpretation: the plateau stands for the advertised MTU in the same formula, min(1492 + "
         "20, 9000, 9000 + 20) = 1512 (mtu4/mtu6 9000 so the plateau decides). The quoted packet is "
         "truncated (48 of 1500 bytes): its Payload Length says 1480 and the UDP checksum is updated "
         "incrementally (equal to that of the whole translated datagram)",
         err4(ICMP4_UNREACH, 4, 0, inner=in_full[:48]),
         [fwd(err4_as_6(ICMP6_PTB, 0, 1512, inner=out_full[:68]))],
         extra=[("mtu4", "9000"), ("mtu6", "9000")])
    for code in (0, 1):
        case("4.2-time-exceeded-code%d" % code,
             "RFC 7915 4.2: Time Exceeded (type 11) becomes type 3, code unchanged (%d)" % code,
             err4(ICMP4_TIME_EXCEEDED, code, 0), [fwd(err4_as_6(ICMP6_TIME_EXCEEDED, code, 0))])
    # Parameter Problem, Figure 3.
    fig3 = {0: 0, 1: 1, 2: 4, 3: 4, 8: 7, 9: 6, 12: 8, 13: 8, 15: 8, 16: 24, 19: 24}
    for p4, p6 in sorted(fig3.items()):
        case("4.2-paramprob-ptr%d" % p4,
             "RFC 7915 4.2 Figure 3: Parameter Problem code 0, IPv4 pointer %d becomes IPv6 pointer %d "
             "(type 4 code 0)" % (p4, p6),
             err4(ICMP4_PARAMPROB, 0, p4 << 24), [fwd(err4_as_6(ICMP6_PARAMPROB, 0, p6))])
    for p4 in (4, 6, 10, 20):
        case("4.2-paramprob-ptr%d-dropped" % p4,
             "RFC 7915 4.2 Figure 3: pointer %d (%s) has no IPv6 counterpart: silently drop"
             % (p4, {4: "Identification", 6: "Flags/Fragment Offset", 10: "Header Checksum",
                     20: "beyond the IPv4 header"}[p4]),
             err4(ICMP4_PARAMPROB, 0, p4 << 24), drop("icmp-param-pointer"))
    case("4.2-paramprob-code2",
         "RFC 7915 4.2: Parameter Problem code 2 (Bad Length) is translated like code 0: type 4 code 0, "
         "pointer 2 -> 4",
         err4(ICMP4_PARAMPROB, 2, 2 << 24), [fwd(err4_as_6(ICMP6_PARAMPROB, 0, 4))])
    case("4.2-paramprob-code1-dropped",
         "RFC 7915 4.2: Parameter Problem code 1 (Missing a Required Option): silently drop",
         err4(ICMP4_PARAMPROB, 1, 0), drop("icmp-type"))
    case("4.2-paramprob-code3-dropped",
         "RFC 7915 4.2: Parameter Problem, other codes: silently drop",
         err4(ICMP4_PARAMPROB, 3, 0), drop("icmp-type"))
    case("4.2-icmp-fragmented",
         "RFC 7915 1.2: fragmented ICMP/ICMPv6 packets are not translated",
         IP(src=H4, dst=H6_4, ttl=64, proto=PROTO_ICMP, flags="MF", id=9) /
         Raw(icmp4(ICMP4_ECHO, 0, 0x12340001, payload(32))),
         drop("icmp-fragmented"))


# =============================================================================================
# RFC 7915 section 4.3: ICMPv4 error messages -> ICMPv6 (the quoted packet)
# =============================================================================================
def s43():
    echo_in = IP(src=H6_4, dst=H4, ttl=63, id=0x5555, proto=PROTO_ICMP) / Raw(icmp4(ICMP4_ECHO, 0, 0x00010002, b"abc"))
    echo_out = IPv6(src=H6, dst=H4_6, hlim=63) / ICMPv6EchoRequest(id=1, seq=2, data=b"abc")
    case("4.3-inner-echo",
         "RFC 7915 4.3: the quoted packet is translated like a packet (one level deep): its Echo "
         "Request becomes type 128 with the ICMPv6 checksum over its pseudo-header",
         err4(ICMP4_UNREACH, 1, 0, inner=echo_in), [fwd(err4_as_6(ICMP6_UNREACH, 0, 0, inner=echo_out))])
    tcp_in = bytes(IP(src=H6_4, dst=H4, ttl=63, id=0x5555, flags="DF") / TCP(sport=5000, dport=80, flags="S", seq=1000))
    tcp_out = bytes(IPv6(src=H6, dst=H4_6, hlim=63) / TCP(sport=5000, dport=80, flags="S", seq=1000))
    case("4.3-inner-tcp-truncated",
         "RFC 7915 4.3 with an RFC 792 minimal quote (IP header + 8 bytes of TCP, no checksum "
         "present): the inner header is translated, the Payload Length keeps the original (20) and "
         "the 8 bytes are copied",
         err4(ICMP4_UNREACH, 3, 0, inner=tcp_in[:28]),
         [fwd(err4_as_6(ICMP6_UNREACH, 4, 0, inner=tcp_out[:48]))])
    case("4.3-inner-tcp-whole",
         "RFC 7915 4.3: a whole quoted TCP segment: the inner TCP checksum is updated for the inner "
         "pseudo-header",
         err4(ICMP4_UNREACH, 3, 0, inner=tcp_in),
         [fwd(err4_as_6(ICMP6_UNREACH, 4, 0, inner=tcp_out))])
    case("4.3-router-source",
         "RFC 7915 4.3: the error comes from an IPv4 router (any address): the outer source is "
         "translated with pool6",
         err4(ICMP4_TIME_EXCEEDED, 0, 0, src=R4), [fwd(err4_as_6(ICMP6_TIME_EXCEEDED, 0, 0, src=R4_6))])
    nested = IP(src=H6_4, dst=H4, ttl=63, proto=PROTO_ICMP) / Raw(icmp4(ICMP4_TIME_EXCEEDED, 0, 0, bytes(inner4_udp())[:28]))
    case("4.3-nested-error",
         "RFC 7915 4.3: the translation stops at the first embedded header. Interpretation: an ICMP "
         "error quoting an ICMP error (which no host sends, RFC 1122 3.2.2) is dropped",
         err4(ICMP4_UNREACH, 1, 0, inner=nested), drop("icmp-nested-error"))
    bad = bytearray(bytes(err4(ICMP4_UNREACH, 1, 0)))
    bad[22] ^= 0x55
    case("4.3-error-bad-checksum",
         "Interpretation: an ICMPv4 error is rebuilt whole (the new checksum covers the translated "
         "quote), so a wrong checksum could not be carried over; the translator drops it",
         IP(bytes(bad)), drop("icmp-checksum"))
    case("4.3-error-ttl-expired-no-error",
         "RFC 7915 4.4: no ICMPv4 error is sent about a discarded packet that is itself an ICMPv4 "
         "error (TTL 1 ICMP error expires silently)",
         err4(ICMP4_UNREACH, 1, 0, ttl=1), drop("ttl-expired"))
    eam_only = [("eam", "192.0.2.0/24 2001:db8::/120"), ("eam", "198.51.100.0/24 2001:db8:4::/120")] + BASE[2:]
    case("4.3-rfc6791v6-source",
         "RFC 7915 4.3 / RFC 6791: with EAM entries only (no pool6) the reporting IPv4 router "
         "203.0.113.7 cannot be mapped; the outer source of the ICMPv6 error becomes the rfc6791v6 "
         "address",
         err4(ICMP4_TIME_EXCEEDED, 0, 0, src=R4),
         [fwd(IPv6(src=RFC6791V6, dst=H6, hlim=63, nh=PROTO_ICMP6) /
              Raw(icmp6(RFC6791V6, H6, ICMP6_TIME_EXCEEDED, 0, 0,
                        bytes(IPv6(src=H6, dst="2001:db8:4::2", hlim=63) / UDP(sport=5000, dport=6000) / Raw(b"inner")))))],
         settings=eam_only)


# =============================================================================================
# RFC 7915 section 4.5: transport layer, IPv4 -> IPv6
# =============================================================================================
def s45():
    tcp = TCP(sport=33000, dport=443, seq=0x01020304, ack=0x0a0b0c0d, flags="PA", window=512,
              options=[("MSS", 1460), ("NOP", None), ("NOP", None), ("SAckOK", b"")])
    case("4.5-tcp",
         "RFC 7915 4.5: TCP checksum updated for the IPv6 pseudo-header (addresses change, so the "
         "mapping is not checksum neutral); TCP options untouched",
         IP(src=H4, dst=H6_4, ttl=64, flags="DF") / tcp / Raw(b"GET /"),
         [fwd(IPv6(src=H4_6, dst=H6, hlim=63) / tcp / Raw(b"GET /"))])
    good_in = bytes(udp4(H4, H6_4, data=b"checksum"))
    good_out = bytes(IPv6(src=H4_6, dst=H6, hlim=63) / UDP(sport=40000, dport=53) / Raw(b"checksum"))
    cin, cout = l4_csum(good_in, 26), l4_csum(good_out, 46)
    case("4.5-udp-bad-checksum-kept-bad",
         "RFC 7915 4.5 with RFC 1624 incremental update: a UDP checksum that is wrong by 0x0101 stays "
         "wrong by the same amount (the translator does not validate or repair it)",
         IP(set16(good_in, 26, csum_add(cin, 0x0101))),
         [fwd(IPv6(set16(good_out, 46, csum_add(cout, 0x0101))))])
    tgood_in = bytes(IP(src=H4, dst=H6_4, ttl=64, flags="DF") / TCP(sport=1, dport=2, flags="A") / Raw(b"x"))
    tgood_out = bytes(IPv6(src=H4_6, dst=H6, hlim=63) / TCP(sport=1, dport=2, flags="A") / Raw(b"x"))
    cin, cout = l4_csum(tgood_in, 36), l4_csum(tgood_out, 56)
    case("4.5-tcp-bad-checksum-kept-bad",
         "RFC 7915 4.5 / RFC 1624: a TCP checksum wrong by 0x2000 stays wrong by 0x2000",
         IP(set16(tgood_in, 36, csum_add(cin, 0x2000))),
         [fwd(IPv6(set16(tgood_out, 56, csum_add(cout, 0x2000))))])
    z = udp4(H4, H6_4, data=b"nocsum", chksum=0)
    case("4.5-udp-zero-checksum-dropped",
         "RFC 7915 4.5: IPv4 UDP with checksum zero; with amend-udp-checksum-zero no the translator "
         "drops it (IPv6 forbids a zero UDP checksum); RFC 7915 4.4: a discarded IPv4 packet SHOULD be "
         "answered with ICMPv4 Destination Unreachable / Communication Administratively Prohibited "
         "(type 3 code 13). Interpretation: from self4, quoting the whole packet",
         z, [reply(IP(src=SELF4, dst=H4, ttl=64, proto=PROTO_ICMP) /
                   Raw(icmp4(ICMP4_UNREACH, 13, 0, bytes(z))), IGN4_REPLY, "udp-zero-checksum")])
    case("4.5-udp-zero-checksum-amended",
         "RFC 7915 4.5: with amend-udp-checksum-zero yes the translator computes the UDP checksum "
         "(unfragmented packet)",
         z, [fwd(IPv6(src=H4_6, dst=H6, hlim=63) / UDP(sport=40000, dport=53) / Raw(b"nocsum"))],
         extra=[("amend-udp-checksum-zero", "yes")])
    zf = IP(src=H4, dst=H6_4, ttl=64, id=0x99, flags="MF", proto=PROTO_UDP) / \
        Raw(struct.pack("!HHHH", 40000, 53, 8 + 64, 0) + payload(24))
    case("4.5-udp-zero-checksum-fragment",
         "RFC 7915 4.5: a fragmented IPv4 UDP datagram with checksum zero cannot be amended "
         "(only unfragmented ones can) even with amend-udp-checksum-zero yes; answered with the RFC 7915 "
         "4.4 default error (type 3 code 13) from self4",
         zf, [reply(IP(src=SELF4, dst=H4, ttl=64, proto=PROTO_ICMP) /
                    Raw(icmp4(ICMP4_UNREACH, 13, 0, bytes(zf))), IGN4_REPLY, "udp-zero-checksum-fragment")],
         extra=[("amend-udp-checksum-zero", "yes")])
    other = IP(src=H4, dst=H6_4, ttl=64, proto=253) / Raw(b"experimental protocol payload")
    case("4.5-other-protocol",
         "RFC 7915 4.5: other transport protocols MUST be forwarded as the Next Header step of 4.1 "
         "says: protocol 253 copied to Next Header, payload unchanged",
         other, [fwd(IPv6(src=H4_6, dst=H6, hlim=63, nh=253) / Raw(b"experimental protocol payload"))])


# =============================================================================================
# RFC 7915 section 5.1: IPv6 header -> IPv4 header
# =============================================================================================
def s51():
    case("5.1-udp-basic",
         "RFC 7915 5.1: Version 4, IHL 5, TOS = Traffic Class, Total Length = Payload Length + 20, "
         "Identification chosen by the translator (ignored here), DF = 0 because the translated "
         "packet is at most 1260 bytes, MF 0, offset 0, TTL = Hop Limit - 1, Protocol = Next Header, "
         "header checksum computed; addresses mapped (source through EAM, destination through pool6); "
         "RFC 7915 5.5: UDP checksum updated",
         udp6(H6, H4_6, hlim=64),
         [fwd(IP(src=H6_4, dst=H4, ttl=63, flags=0, id=0) / UDP(sport=40000, dport=53) / Raw(b"hello"), IGN4_ID)])
    case("5.1-tc-copied-flow-label-dropped",
         "RFC 7915 5.1: TOS copied from Traffic Class (0x28); the Flow Label is discarded",
         udp6(H6, H4_6, tc=0x28, fl=0xbeef1),
         [fwd(IP(src=H6_4, dst=H4, ttl=63, tos=0x28, flags=0, id=0) / UDP(sport=40000, dport=53) / Raw(b"hello"), IGN4_ID)])
    case("5.1-tos-configured",
         "RFC 7915 5.1: with the option to ignore the Traffic Class (tos 16), every translated packet "
         "gets that TOS",
         udp6(H6, H4_6, tc=0x28),
         [fwd(IP(src=H6_4, dst=H4, ttl=63, tos=16, flags=0, id=0) / UDP(sport=40000, dport=53) / Raw(b"hello"), IGN4_ID)],
         extra=[("tos", "16")])
    d = payload(1260 - 28, 11)
    case("5.1-df0-at-1260",
         "RFC 7915 5.1: translated IPv4 size 1260 (<= 1260): DF = 0",
         IPv6(src=H6, dst=H4_6, hlim=64) / UDP(sport=40000, dport=53) / Raw(d),
         [fwd(IP(src=H6_4, dst=H4, ttl=63, flags=0, id=0) / UDP(sport=40000, dport=53) / Raw(d), IGN4_ID)])
    d = payload(1261 - 28, 12)
    case("5.1-df1-above-1260",
         "RFC 7915 5.1: translated IPv4 size 1261 (> 1260): DF = 1",
         IPv6(src=H6, dst=H4_6, hlim=64) / UDP(sport=40000, dport=53) / Raw(d),
         [fwd(IP(src=H6_4, dst=H4, ttl=63, flags="DF", id=0) / UDP(sport=40000, dport=53) / Raw(d), IGN4_ID)])
    case("5.1-hlim-expired",
         "RFC 7915 5.1: the translator is a router and MUST check the decremented Hop Limit for zero: "
         "ICMPv6 Time Exceeded (type 3 code 0). Interpretation: from self6, quoting the whole packet "
         "as received",
         udp6(H6, H4_6, hlim=1),
         [reply(IPv6(src=SELF6, dst=H6, hlim=64) / ICMPv6TimeExceeded(code=0) / Raw(bytes(udp6(H6, H4_6, hlim=1))),
                IGN6_REPLY, "ttl-expired")])
    case("5.1-router-no-hlim1",
         "Setting router no: Hop Limit 1 becomes TTL 1, no error",
         udp6(H6, H4_6, hlim=1),
         [fwd(IP(src=H6_4, dst=H4, ttl=1, flags=0, id=0) / UDP(sport=40000, dport=53) / Raw(b"hello"), IGN4_ID)],
         extra=[("router", "no")])
    for name, hdr, what in (
            ("5.1-hbh-skipped", IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\x00" * 4)]), "Hop-by-Hop Options"),
            ("5.1-destopt-skipped", IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\x00" * 4)]), "Destination Options"),
            ("5.1-routing-sl0-skipped", IPv6ExtHdrRouting(addresses=["2001:db8::99"], segleft=0),
             "Routing header with Segments Left 0")):
        inp = IPv6(src=H6, dst=H4_6, hlim=64) / hdr / UDP(sport=40000, dport=53) / Raw(b"exthdr")
        case(name,
             "RFC 7915 5.1: a %s header MUST be ignored; Protocol is the Next Header after it and "
             "Total Length leaves it out" % what,
             inp,
             [fwd(IP(src=H6_4, dst=H4, ttl=63, flags=0, id=0) / UDP(sport=40000, dport=53) / Raw(b"exthdr"), IGN4_ID)])
    inp = IPv6(src=H6, dst=H4_6, hlim=64) / IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\x00" * 4)]) / \
        IPv6ExtHdrDestOpt(options=[PadN(optdata=b"\x00" * 4)]) / UDP(sport=40000, dport=53) / Raw(b"two")
    case("5.1-hbh-and-destopt-skipped",
         "RFC 7915 5.1: Hop-by-Hop then Destination Options are both ignored",
         inp, [fwd(IP(src=H6_4, dst=H4, ttl=63, flags=0, id=0) / UDP(sport=40000, dport=53) / Raw(b"two"), IGN4_ID)])
    rt = bytes(IPv6(src=H6, dst=H4_6, hlim=64) / IPv6ExtHdrRouting(addresses=["2001:db8::99"], segleft=1) /
               UDP(sport=40000, dport=53) / Raw(b"route"))
    case("5.1-routing-segments-left",
         "RFC 7915 5.1: a Routing header with Segments Left non-zero: the packet MUST NOT be "
         "translated and ICMPv6 Parameter Problem code 0 SHOULD be returned with the pointer at the "
         "Segments Left field (40 + 3 = 43). Interpretation: from self6",
         rt,
         [reply(IPv6(src=SELF6, dst=H6, hlim=64) / ICMPv6ParamProblem(code=0, ptr=43) / Raw(rt),
                IGN6_REPLY, "segments-left")])
    # Fragments.
    data = payload(64, 13)
    whole6 = bytes(IPv6(src=H6, dst=H4_6) / UDP(sport=40000, dport=53) / Raw(data))[40:]
    whole4 = bytes(IP(src=H6_4, dst=H4) / UDP(sport=40000, dport=53) / Raw(data))[20:]
    case("5.1-fragment-first",
         "RFC 7915 5.1.1: a Fragment Header: Identification = low 16 bits of the fragment ID, MF = M, "
         "DF = 0, offset copied, Protocol = the Fragment Header's Next Header; Total Length excludes "
         "the Fragment Header; the UDP checksum (of the whole datagram) is updated",
         IPv6(src=H6, dst=H4_6, hlim=64) / IPv6ExtHdrFragment(nh=PROTO_UDP, offset=0, m=1, id=0x12345678) / Raw(whole6[:40]),
         [fwd(IP(src=H6_4, dst=H4, ttl=63, id=0x5678, flags="MF", frag=0, proto=PROTO_UDP) / Raw(whole4[:40]))])
    case("5.1-fragment-last",
         "RFC 7915 5.1.1: the last fragment (offset 5 = 40 bytes, M=0), payload copied",
         IPv6(src=H6, dst=H4_6, hlim=64) / IPv6ExtHdrFragment(nh=PROTO_UDP, offset=5, m=0, id=0x12345678) / Raw(whole6[40:]),
         [fwd(IP(src=H6_4, dst=H4, ttl=63, id=0x5678, flags=0, frag=5, proto=PROTO_UDP) / Raw(whole4[40:]))])
    case("5.1-fragment-icmp-dropped",
         "RFC 7915 1.2: fragmented ICMPv6 is not translated",
         IPv6(src=H6, dst=H4_6, hlim=64) / IPv6ExtHdrFragment(nh=PROTO_ICMP6, offset=0, m=1, id=7) /
         Raw(icmp6(H6, H4_6, ICMP6_ECHO, 0, 0x00010001, payload(32))),
         drop("icmp-fragmented"))
    big = bytes(IPv6(src=H6, dst=H4_6, hlim=64) / UDP(sport=40000, dport=53) / Raw(payload(1500 - 48, 14)))
    case("5.1-too-big-packet-too-big",
         "The translated packet (1480 bytes, DF=1 by the 1260 rule) exceeds mtu4 1400: as an IPv6 "
         "router (RFC 8200 5, RFC 4443 3.2) the translator answers Packet Too Big with MTU = mtu4 + 20 "
         "= 1420 (the IPv6 view). Interpretation: from self6, quoting as much as fits in 1280 bytes",
         big,
         [reply(IPv6(src=SELF6, dst=H6, hlim=64) / ICMPv6PacketTooBig(mtu=1420) / Raw(big[:1280 - 48]),
                IGN6_REPLY, "packet-too-big")],
         extra=[("mtu4", "1400")])
    for name, src, dst, reason, why in (
            ("5.1-dst-multicast", H6, "ff02::1", "dst-illegal", "multicast ff00::/8"),
            ("5.1-src-linklocal", "fe80::1", H4_6, "src-illegal", "link-local fe80::/10"),
            ("5.1-src-loopback", "::1", H4_6, "src-illegal", "loopback ::1"),
            ("5.1-src-unspecified", "::", H4_6, "src-illegal", "unspecified ::"),
            ("5.1-dst-embedded-multicast", H6, "64:ff9b::e000:5", "dst-illegal",
             "a pool6 address embedding the multicast IPv4 224.0.0.5 (interpretation: the extracted "
             "IPv4 address is checked too)"),
            ("5.1-dst-unmapped", H6, "2001:db8:9999::1", "dst-unmapped",
             "an address outside pool6 and the EAM table (RFC 7915 5.4's error is SHOULD: "
             "interpretation, dropped)"),
            ("5.1-src-unmapped", "2001:db8:9999::1", H4_6, "src-unmapped",
             "a source outside pool6 and the EAM table"),
    ):
        case(name, "RFC 7915 5.1 / RFC 4291: %s is not translated" % why, udp6(src, dst), drop(reason))
    case("5.1-other-protocol",
         "RFC 7915 5.5: other protocols are forwarded with Protocol = Next Header (253), payload unchanged",
         IPv6(src=H6, dst=H4_6, hlim=64, nh=253) / Raw(b"experimental"),
         [fwd(IP(src=H6_4, dst=H4, ttl=63, flags=0, id=0, proto=253) / Raw(b"experimental"), IGN4_ID)])


# =============================================================================================
# RFC 7915 section 5.2 / 5.3: ICMPv6 -> ICMPv4
# =============================================================================================
def inner6_udp(src=H4_6, dst=H6, data=b"inner6"):
    """The packet H4 (seen as H4_6) sent to H6 that an ICMPv6 error quotes."""
    return udp6(src, dst, sport=6000, dport=5000, data=data, hlim=62)


def inner6_as_4(src=H4, dst=H6_4, data=b"inner6"):
    """RFC 7915 5.3: the quoted packet translated one level deep; Hop Limit copied (interpretation),
    DF 0 (small), ID ignored (see IGN_ERR4)."""
    return IP(src=src, dst=dst, ttl=62, flags=0, id=0) / UDP(sport=6000, dport=5000) / Raw(data)


# For translated ICMPv6 errors: outer ID and header checksum, the ICMPv4 checksum (which covers the
# inner Identification), the inner Identification and inner header checksum.
IGN_ERR4 = "4-5 10-11 22-23 32-33 38-39"


def err6(typ, code, rest, inner=None, src=H6, dst=H4_6, hlim=64):
    inner = bytes(inner6_udp() if inner is None else inner)
    return IPv6(src=src, dst=dst, hlim=hlim, nh=PROTO_ICMP6) / Raw(icmp6(src, dst, typ, code, rest, inner))


def err6_as_4(typ, code, rest, inner=None, src=H6_4, dst=H4, ttl=63):
    inner = bytes(inner6_as_4() if inner is None else inner)
    return IP(src=src, dst=dst, ttl=ttl, flags=0, id=0, proto=PROTO_ICMP) / Raw(icmp4(typ, code, rest, inner))


def s52():
    case("5.2-echo-request",
         "RFC 7915 5.2: Echo Request (128) becomes type 8; the checksum no longer covers a pseudo-header",
         IPv6(src=H6, dst=H4_6, hlim=64) / ICMPv6EchoRequest(id=0x1234, seq=1, data=b"ping-data"),
         [fwd(IP(src=H6_4, dst=H4, ttl=63, flags=0, id=0, proto=PROTO_ICMP) /
              Raw(icmp4(ICMP4_ECHO, 0, 0x12340001, b"ping-data")), IGN4_ID)])
    case("5.2-echo-reply",
         "RFC 7915 5.2: Echo Reply (129) becomes type 0",
         IPv6(src=H6, dst=H4_6, hlim=64) / ICMPv6EchoReply(id=0x4321, seq=7, data=b"pong"),
         [fwd(IP(src=H6_4, dst=H4, ttl=63, flags=0, id=0, proto=PROTO_ICMP) /
              Raw(icmp4(ICMP4_ECHO_REPLY, 0, 0x43210007, b"pong")), IGN4_ID)])
    for typ, what in ((130, "MLD Query"), (131, "MLD Report"), (132, "MLD Done"),
                      (133, "Router Solicitation"), (134, "Router Advertisement"),
                      (135, "Neighbor Solicitation"), (136, "Neighbor Advertisement"), (137, "Redirect"),
                      (200, "an unknown informational type")):
        case("5.2-type%d-dropped" % typ,
             "RFC 7915 5.2: %s (type %d) is single-hop or unknown: silently drop" % (what, typ),
             IPv6(src=H6, dst=H4_6, hlim=255, nh=PROTO_ICMP6) / Raw(icmp6(H6, H4_6, typ, 0, 0, bytes(16))),
             drop("icmp-type"))
    case("5.2-type100-dropped",
         "RFC 7915 5.2: an unknown error type (100): silently drop",
         err6(100, 0, 0), drop("icmp-type"))
    unreach = {0: (3, 1), 1: (3, 10), 2: (3, 1), 3: (3, 1), 4: (3, 3)}
    for code, (t4, c4) in sorted(unreach.items()):
        case("5.2-unreach-code%d" % code,
             "RFC 7915 5.2: Destination Unreachable code %d becomes ICMPv4 type %d code %d; the quoted "
             "packet is translated (5.3)" % (code, t4, c4),
             err6(ICMP6_UNREACH, code, 0), [fwd(err6_as_4(t4, c4, 0), IGN_ERR4)])
    for code in (5, 6):
        case("5.2-unreach-code%d-dropped" % code,
             "RFC 7915 5.2: Destination Unreachable, other code values (%d): silently drop" % code,
             err6(ICMP6_UNREACH, code, 0), drop("icmp-type"))
    case("5.2-ptb-mtu",
         "RFC 7915 5.2: Packet Too Big becomes type 3 code 4 with MTU = minimum(advertised MTU - 20, "
         "MTU of the IPv4 next hop, MTU of the IPv6 next hop - 20) = min(1400 - 20, 1500, 1480) = 1380",
         err6(ICMP6_PTB, 0, 1400), [fwd(err6_as_4(ICMP4_UNREACH, 4, 1380), IGN_ERR4)])
    case("5.2-ptb-mtu4-limits",
         "RFC 7915 5.2: the same rule where the IPv4 next hop decides: min(1500 - 20, 1300, 1480) = 1300",
         err6(ICMP6_PTB, 0, 1500), [fwd(err6_as_4(ICMP4_UNREACH, 4, 1300), IGN_ERR4)],
         extra=[("mtu4", "1300")])
    case("5.2-ptb-mtu6-limits",
         "RFC 7915 5.2: the same rule where the IPv6 next hop decides: min(1500 - 20, 1500, 1400 - 20) "
         "= 1380",
         err6(ICMP6_PTB, 0, 1500), [fwd(err6_as_4(ICMP4_UNREACH, 4, 1380), IGN_ERR4)],
         extra=[("mtu6", "1400")])
    for code in (0, 1):
        case("5.2-time-exceeded-code%d" % code,
             "RFC 7915 5.2: Time Exceeded (type 3) becomes type 11, code unchanged (%d)" % code,
             err6(ICMP6_TIME_EXCEEDED, code, 0), [fwd(err6_as_4(ICMP4_TIME_EXCEEDED, code, 0), IGN_ERR4)])
    fig6 = {0: 0, 1: 1, 4: 2, 5: 2, 6: 9, 7: 8, 8: 12, 23: 12, 24: 16, 39: 16}
    for p6, p4 in sorted(fig6.items()):
        case("5.2-paramprob-ptr%d" % p6,
             "RFC 7915 5.2 Figure 6: Parameter Problem code 0, IPv6 pointer %d becomes IPv4 pointer %d "
             "(type 12 code 0)" % (p6, p4),
             err6(ICMP6_PARAMPROB, 0, p6), [fwd(err6_as_4(ICMP4_PARAMPROB, 0, p4 << 24), IGN_ERR4)])
    for p6 in (2, 3, 40):
        case("5.2-paramprob-ptr%d-dropped" % p6,
             "RFC 7915 5.2 Figure 6: pointer %d (%s) has no IPv4 counterpart: silently drop"
             % (p6, "Flow Label" if p6 < 40 else "beyond the IPv6 header"),
             err6(ICMP6_PARAMPROB, 0, p6), drop("icmp-param-pointer"))
    case("5.2-paramprob-code1",
         "RFC 7915 5.2: Parameter Problem code 1 (Unrecognized Next Header) becomes Destination "
         "Unreachable code 2 (Protocol Unreachable)",
         err6(ICMP6_PARAMPROB, 1, 6), [fwd(err6_as_4(ICMP4_UNREACH, 2, 0), IGN_ERR4)])
    case("5.2-paramprob-code2-dropped",
         "RFC 7915 5.2: Parameter Problem code 2 (Unrecognized IPv6 Option): silently drop",
         err6(ICMP6_PARAMPROB, 2, 40), drop("icmp-type"))
    case("5.2-paramprob-code3-dropped",
         "RFC 7915 5.2: Parameter Problem, other codes: silently drop",
         err6(ICMP6_PARAMPROB, 3, 0), drop("icmp-type"))


def s53():
    case("5.3-rfc6791v4-source",
         "RFC 7915 5.3 / RFC 6791: an ICMPv6 error from an IPv6 router whose address no pool6 prefix "
         "or EAM entry maps: the outer source becomes the rfc6791v4 address",
         err6(ICMP6_TIME_EXCEEDED, 0, 0, src=R6),
         [fwd(err6_as_4(ICMP4_TIME_EXCEEDED, 0, 0, src=RFC6791V4), IGN_ERR4)])
    ein = IPv6(src=H4_6, dst=H6, hlim=62) / ICMPv6EchoRequest(id=5, seq=6, data=b"xyz")
    eout = IP(src=H4, dst=H6_4, ttl=62, flags=0, id=0, proto=PROTO_ICMP) / Raw(icmp4(ICMP4_ECHO, 0, 0x00050006, b"xyz"))
    qin = bytes(udp6(H4_6, H6, sport=6000, dport=5000, data=b"inner6", hlim=62, tc=0x28))
    case("5.3-inner-tos-configured",
         "RFC 7915 5.1 and 5.3: the configured TOS (tos 16) applies to the quoted packet as to the outer "
         "header, whose Traffic Class (0xb8) is ignored too",
         IPv6(src=H6, dst=H4_6, hlim=64, tc=0xb8, nh=PROTO_ICMP6) / Raw(icmp6(H6, H4_6, ICMP6_UNREACH, 0, 0, qin)),
         [fwd(IP(src=H6_4, dst=H4, ttl=63, tos=16, flags=0, id=0, proto=PROTO_ICMP) /
              Raw(icmp4(ICMP4_UNREACH, 1, 0, bytes(IP(src=H4, dst=H6_4, ttl=62, tos=16, flags=0, id=0) /
                                                   UDP(sport=6000, dport=5000) / Raw(b"inner6")))), IGN_ERR4)],
         extra=[("tos", "16")])
    case("5.3-inner-echo",
         "RFC 7915 5.3: the quoted ICMPv6 Echo Request is translated one level deep (type 8, checksum "
         "without pseudo-header)",
         err6(ICMP6_UNREACH, 0, 0, inner=ein), [fwd(err6_as_4(ICMP4_UNREACH, 1, 0, inner=eout), IGN_ERR4)])
    tin = bytes(IPv6(src=H4_6, dst=H6, hlim=62) / TCP(sport=80, dport=5000, flags="SA", seq=1, ack=2))
    tout = bytes(IP(src=H4, dst=H6_4, ttl=62, flags=0, id=0) / TCP(sport=80, dport=5000, flags="SA", seq=1, ack=2))
    case("5.3-inner-tcp",
         "RFC 7915 5.3: a quoted TCP segment: the inner header translated, inner checksum updated",
         err6(ICMP6_UNREACH, 4, 0, inner=tin), [fwd(err6_as_4(ICMP4_UNREACH, 3, 0, inner=tout), IGN_ERR4)])
    nested = IPv6(src=H4_6, dst=H6, hlim=62, nh=PROTO_ICMP6) / Raw(icmp6(H4_6, H6, ICMP6_TIME_EXCEEDED, 0, 0, bytes(udp6(H6, H4_6))[:48]))
    case("5.3-nested-error",
         "RFC 7915 5.3: translation stops at the first embedded header. Interpretation: an ICMPv6 "
         "error quoting an ICMPv6 error is dropped",
         err6(ICMP6_UNREACH, 0, 0, inner=nested), drop("icmp-nested-error"))
    bad = bytearray(bytes(err6(ICMP6_UNREACH, 0, 0)))
    bad[42] ^= 0x55
    case("5.3-error-bad-checksum",
         "Interpretation: an ICMPv6 error is rebuilt whole, so a wrong checksum is not carried over; "
         "the translator drops it",
         IPv6(bytes(bad)), drop("icmp-checksum"))
    case("5.4-error-hlim-expired-no-error",
         "RFC 7915 5.4: no ICMPv6 error is sent about a discarded ICMPv6 error (Hop Limit 1)",
         err6(ICMP6_UNREACH, 0, 0, hlim=1), drop("ttl-expired"))


def s55():
    tcp = TCP(sport=443, dport=33000, seq=7, ack=9, flags="PA", window=1000)
    case("5.5-tcp",
         "RFC 7915 5.5: TCP checksum updated for the IPv4 pseudo-header",
         IPv6(src=H6, dst=H4_6, hlim=64) / tcp / Raw(b"HTTP/1.1 200"),
         [fwd(IP(src=H6_4, dst=H4, ttl=63, flags=0, id=0) / tcp / Raw(b"HTTP/1.1 200"), IGN4_ID)])
    gin = bytes(udp6(H6, H4_6, data=b"csum6"))
    gout = bytes(IP(src=H6_4, dst=H4, ttl=63, flags=0, id=0) / UDP(sport=40000, dport=53) / Raw(b"csum6"))
    case("5.5-udp-bad-checksum-kept-bad",
         "RFC 7915 5.5 / RFC 1624: a UDP checksum wrong by 0x0303 stays wrong by 0x0303",
         IPv6(set16(gin, 46, csum_add(l4_csum(gin, 46), 0x0303))),
         [fwd(IP(set16(gout, 26, csum_add(l4_csum(gout, 26), 0x0303))), IGN4_ID)])
    tin = bytes(IPv6(src=H6, dst=H4_6, hlim=64) / TCP(sport=1, dport=2, flags="A") / Raw(b"y"))
    tout = bytes(IP(src=H6_4, dst=H4, ttl=63, flags=0, id=0) / TCP(sport=1, dport=2, flags="A") / Raw(b"y"))
    case("5.5-tcp-bad-checksum-kept-bad",
         "RFC 7915 5.5 / RFC 1624: a TCP checksum wrong by 0x0040 stays wrong by 0x0040",
         IPv6(set16(tin, 56, csum_add(l4_csum(tin, 56), 0x0040))),
         [fwd(IP(set16(tout, 36, csum_add(l4_csum(tout, 36), 0x0040))), IGN4_ID)])


# =============================================================================================
# RFC 6052 2.2 / 2.4 and RFC 7757
# =============================================================================================
def s6052():
    # RFC 6052 section 2.4, the table of examples for 192.0.2.33.
    table = (
        ("2001:db8::/32", "2001:db8:c000:221::"),
        ("2001:db8:100::/40", "2001:db8:1c0:2:21::"),
        ("2001:db8:122::/48", "2001:db8:122:c000:2:2100::"),
        ("2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::"),
        ("2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0"),
        ("2001:db8:122:344::/96", "2001:db8:122:344::c000:221"),
    )
    # 198.51.100.2 = c6.33.64.02 embedded by hand at each length (bits 64-71 are the u-octet, zero).
    other = {
        32: "2001:db8:c633:6402::", 40: "2001:db8:1c6:3364:2::",
        48: "2001:db8:122:c633:64:200::", 56: "2001:db8:122:3c6:33:6402::",
        64: "2001:db8:122:344:c6:3364:200:0", 96: "2001:db8:122:344::c633:6402",
    }
    for prefix, addr in table:
        plen = int(prefix.split("/")[1])
        st = [("pool6", prefix)] + BASE[2:]
        case("6052-embed-%d" % plen,
             "RFC 6052 2.2 / 2.4 table: 192.0.2.33 with %s is %s (u-octet, bits 64-71, zero); the "
             "destination 198.51.100.2 is %s" % (prefix, addr, other[plen]),
             udp4("192.0.2.33", H4),
             [fwd(IPv6(src=addr, dst=other[plen], hlim=63) / UDP(sport=40000, dport=53) / Raw(b"hello"))],
             settings=st)
        case("6052-extract-%d" % plen,
             "RFC 6052 2.2: extraction with %s: %s back to 192.0.2.33, skipping the u-octet" % (prefix, addr),
             udp6(other[plen], addr),
             [fwd(IP(src=H4, dst="192.0.2.33", ttl=63, flags=0, id=0) / UDP(sport=40000, dport=53) / Raw(b"hello"), IGN4_ID)],
             settings=st)


def s7757():
    st = [("pool6", POOL6), ("eam", "192.0.2.0/24 2001:db8:aaaa::/120"),
          ("eam", "192.0.2.128/25 2001:db8:bbbb::/121")] + BASE[2:]
    case("7757-eam-precedence-4to6",
         "RFC 7757 3.2: an EAM entry takes precedence over pool6: 192.0.2.5 becomes "
         "2001:db8:aaaa::5 (suffix copied), not 64:ff9b::c000:205",
         udp4(H4, "192.0.2.5"),
         [fwd(IPv6(src=H4_6, dst="2001:db8:aaaa::5", hlim=63) / UDP(sport=40000, dport=53) / Raw(b"hello"))],
         settings=st)
    case("7757-eam-longest-match-4to6",
         "RFC 7757 3.2: longest prefix match: 192.0.2.130 is inside both 192.0.2.0/24 and "
         "192.0.2.128/25; the /25 wins: 2001:db8:bbbb::2",
         udp4(H4, "192.0.2.130"),
         [fwd(IPv6(src=H4_6, dst="2001:db8:bbbb::2", hlim=63) / UDP(sport=40000, dport=53) / Raw(b"hello"))],
         settings=st)
    case("7757-eam-longest-match-6to4",
         "RFC 7757 3.2: 2001:db8:bbbb::2 maps back through the /121 entry to 192.0.2.130",
         udp6("2001:db8:bbbb::2", H4_6),
         [fwd(IP(src="192.0.2.130", dst=H4, ttl=63, flags=0, id=0) / UDP(sport=40000, dport=53) / Raw(b"hello"), IGN4_ID)],
         settings=st)
    case("7757-eam-6to4-suffix",
         "RFC 7757 3.2: 2001:db8:aaaa::7f maps to 192.0.2.127 (inside the /120, outside the /121)",
         udp6("2001:db8:aaaa::7f", H4_6),
         [fwd(IP(src="192.0.2.127", dst=H4, ttl=63, flags=0, id=0) / UDP(sport=40000, dport=53) / Raw(b"hello"), IGN4_ID)],
         settings=st)
    case("7757-eam-src-4to6",
         "RFC 7757: the source is looked up in the EAM table too (192.0.2.200 -> 2001:db8:bbbb::48), "
         "the destination falls back to pool6",
         udp4("192.0.2.200", H4),
         [fwd(IPv6(src="2001:db8:bbbb::48", dst=H4_6, hlim=63) / UDP(sport=40000, dport=53) / Raw(b"hello"))],
         settings=st)


def s7757_hairpin():
    st = [("pool6", POOL6), ("eam", "192.0.2.0/24 2001:db8:aaaa::/120"),
          ("eam", "192.0.2.128/25 2001:db8:bbbb::/121")] + BASE[2:]
    case("7757-hairpin",
         "RFC 7757 4.2: 2001:db8:aaaa::5 (EAM 192.0.2.5) sends to 64:ff9b::c000:282, the pool6 form of "
         "192.0.2.130 which is itself in an EAM entry: the packet is hairpinned, translated to IPv4 "
         "and back to IPv6: the source becomes the pool6 form of 192.0.2.5 and the destination the EAM "
         "form of 192.0.2.130. Interpretation: the Hop Limit (one or two decrements) is not checked",
         udp6("2001:db8:aaaa::5", "64:ff9b::c000:282"),
         [fwd(IPv6(src="64:ff9b::c000:205", dst="2001:db8:bbbb::2", hlim=62) / UDP(sport=40000, dport=53) /
              Raw(b"hello"), "7")],
         settings=st)


# RFC 6052 section 3.1 under `allow-wkp-non-global no` (the default of `xlat464 siit`): the well-known
# prefix carries only global IPv4 addresses. 100.128.0.1 is global (just past 100.64.0.0/10) and
# shares its first byte with a non-global block, so the fast path must leave it to the full check.
G4 = "100.128.0.1"
G4_6 = "64:ff9b::6480:1"
STRICT = [("allow-wkp-non-global", "no")]


def s6052_31():
    case("6052-3.1-refuses-non-global-source",
         "RFC 6052 3.1: 198.51.100.2 (documentation, not global) cannot be written under 64:ff9b::/96; "
         "RFC 7915 4.4: the discarded packet is answered with Destination Unreachable, Communication "
         "Administratively Prohibited (3/13), from self4",
         udp4(H4, H6_4),
         [reply(IP(src=SELF4, dst=H4, ttl=64, proto=PROTO_ICMP) / Raw(icmp4(ICMP4_UNREACH, 13, 0, bytes(udp4(H4, H6_4)))),
                IGN4_REPLY, "wkp-non-global")],
         extra=STRICT)
    case("6052-3.1-refuses-non-global-destination",
         "RFC 6052 3.1: 64:ff9b::198.51.100.2 is not translated; RFC 7915 5.4: answered with ICMPv6 "
         "Destination Unreachable code 1 (administratively prohibited), from self6",
         udp6(H6, H4_6),
         [reply(IPv6(src=SELF6, dst=H6, hlim=64) / ICMPv6DestUnreach(code=1) / Raw(bytes(udp6(H6, H4_6))),
                IGN6_REPLY, "wkp-non-global")],
         extra=STRICT)
    case("6052-3.1-global-translated-4to6",
         "RFC 6052 3.1: a global IPv4 address (100.128.0.1) goes through 64:ff9b::/96 as usual",
         udp4(G4, H6_4),
         [fwd(IPv6(src=G4_6, dst=H6, hlim=63) / UDP(sport=40000, dport=53) / Raw(b"hello"))],
         extra=STRICT)
    case("6052-3.1-global-translated-6to4",
         "RFC 6052 3.1: 64:ff9b::100.128.0.1 is translated as usual",
         udp6(H6, G4_6),
         [fwd(IP(src=H6_4, dst=G4, ttl=63, flags=0, id=0) / UDP(sport=40000, dport=53) / Raw(b"hello"), IGN4_ID)],
         extra=STRICT)
    q4 = udp4(H6_4, H4, sport=5000, dport=6000, data=b"inner", ttl=63, flags="DF", ident=0x5555)
    case("6052-3.1-quoted-non-global",
         "RFC 6052 3.1 in a quoted packet: an error from 100.128.0.1 about a packet to 198.51.100.2 "
         "(not global) is not translated either; the same address checks apply inside as outside",
         err4(ICMP4_UNREACH, 3, 0, inner=q4, src=G4),
         drop("wkp-non-global"),
         extra=STRICT)
    g4 = udp4(H6_4, G4, sport=5000, dport=6000, data=b"inner", ttl=63, flags="DF", ident=0x5555)
    g6 = IPv6(src=H6, dst=G4_6, hlim=63) / UDP(sport=5000, dport=6000) / Raw(b"inner")
    case("6052-3.1-router-non-global-rfc6791",
         "RFC 6052 3.1 and RFC 6791: a router with a non-global address (203.0.113.7) reports Time "
         "Exceeded about a packet to 100.128.0.1: the router cannot be written under 64:ff9b::/96, so "
         "the error comes from the rfc6791v6 address",
         err4(ICMP4_TIME_EXCEEDED, 0, 0, inner=g4, src=R4),
         [fwd(err4_as_6(ICMP6_TIME_EXCEEDED, 0, 0, inner=g6, src=RFC6791V6))],
         extra=STRICT)
    lo = udp4(H6_4, "127.0.0.1", sport=5000, dport=6000, data=b"inner", ttl=63, flags="DF", ident=0x5555)
    case("4.3-quoted-loopback",
         "RFC 7915 4.1 and 4.3: a quoted packet to 127.0.0.1 stands for a packet that is never "
         "translated (its destination is illegal), so the error is not translated either",
         err4(ICMP4_UNREACH, 3, 0, inner=lo),
         drop("icmp-inner-illegal"))
    mc = udp6(H4_6, "ff02::1", sport=6000, dport=5000, data=b"inner6", hlim=62)
    case("5.3-quoted-multicast",
         "RFC 7915 5.1 and 5.3: a quoted packet to ff02::1 stands for one never translated: the error "
         "is dropped",
         err6(ICMP6_UNREACH, 4, 0, inner=mc),
         drop("icmp-inner-illegal"))


def write_all():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        if f.endswith(".vec"):
            os.unlink(os.path.join(OUT, f))
    names = set()
    for name, comment, settings, inp, expects in CASES:
        assert name not in names, name
        names.add(name)
        lines = ["# " + comment, "# generated by tests/vectors/gen.py; do not edit"]
        for k, v in settings:
            lines.append("setting %s %s" % (k, v))
        lines.append("in " + inp.hex())
        for e in expects:
            if e[0] == "drop":
                lines.append("expect drop " + e[1])
                continue
            lines.append("expect %s %s" % (e[0], e[1].hex()))
            if e[2]:
                lines.append("ignore " + e[2])
            if e[0] == "reply" and e[3]:
                lines.append("reason " + e[3])
        with open(os.path.join(OUT, name + ".vec"), "w") as fh:
            fh.write("\n".join(lines) + "\n")
    print("wrote %d cases to %s" % (len(CASES), OUT))


if __name__ == "__main__":
    for section in (s41, s42, s43, s45, s51, s52, s53, s55, s6052, s6052_31, s7757, s7757_hairpin):
        section()
    write_all()
    sys.exit(0)
