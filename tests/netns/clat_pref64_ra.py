#!/usr/bin/python3
"""Sends Router Advertisements carrying one PREF64 option (RFC 8781) and nothing else, router lifetime 0
from fe80::64:1 (so the client's default route stays radvd's), for tests/netns/clat_prefix.sh. Debian 12's radvd has no
nat64prefix and its scapy no PREF64 class, so the option is built here by hand.
usage: clat_pref64_ra.py IFACE PREFIX/LEN LIFETIME INTERVAL COUNT [PREFIX/LEN=LIFETIME...]
(the extra arguments add PREF64 options to the same RA: several prefixes, or lifetime 0 to withdraw one)"""
import ipaddress
import sys
import time

from scapy.all import conf, sendp
from scapy.layers.l2 import Ether
from scapy.layers.inet6 import IPv6, ICMPv6ND_RA
from scapy.packet import Raw

PLC = {96: 0, 64: 1, 56: 2, 48: 3, 40: 4, 32: 5}
iface, pfx, lifetime, interval, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])


def pref64(prefix, life):
    net = ipaddress.IPv6Network(prefix)
    scaled = (life + 7) // 8
    return bytes([38, 2]) + ((scaled << 3) | PLC[net.prefixlen]).to_bytes(2, "big") + net.network_address.packed[:12]


opt = pref64(pfx, lifetime)
for extra in sys.argv[6:]:
    p, life = extra.split("=")
    opt += pref64(p, int(life))
# A link-local source of its own: an RA with router lifetime 0 from radvd's address would withdraw
# the client's IPv6 default route (RFC 4861 section 6.3.4).
lladdr = "fe80::64:1"
conf.verb = 0
pkt = Ether(dst="33:33:00:00:00:01") / IPv6(src=lladdr, dst="ff02::1", hlim=255) / ICMPv6ND_RA(routerlifetime=0) / Raw(opt)
for i in range(count):
    sendp(pkt, iface=iface)
    if i + 1 < count:
        time.sleep(interval)
