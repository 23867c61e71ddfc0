#!/bin/bash
# `xlat464 translate` end to end, no root needed: scapy writes a pcap of IPv4 and IPv6 packets, the
# translator turns it into another pcap, and scapy checks every translated packet independently
# (addresses per RFC 6052, checksums recomputed by scapy, payload intact), and that the drop summary
# names the refused packet.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${XLAT464_BIN:-build/xlat464}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
/usr/bin/python3 - "$dir/in.pcap" <<'PY'
import logging, sys
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)  # mixed IPv4/IPv6 in one raw-IP file is intended
from scapy.all import IP, IPv6, UDP, TCP, ICMP, Raw, wrpcap
pk = [
    IP(src="192.0.2.1", dst="198.51.100.7", ttl=64) / UDP(sport=1234, dport=53) / Raw(b"hello translate"),
    IP(src="192.0.2.1", dst="198.51.100.7", ttl=64) / TCP(sport=40000, dport=80, flags="S") / Raw(b"x" * 100),
    IP(src="192.0.2.1", dst="198.51.100.7", ttl=64) / ICMP(type=8, id=7, seq=1) / Raw(b"ping"),
    IPv6(src="64:ff9b::c633:6407", dst="64:ff9b::c000:201", hlim=64) / UDP(sport=53, dport=1234) / Raw(b"answer"),
    IP(src="127.0.0.1", dst="198.51.100.7") / UDP(sport=1, dport=2) / Raw(b"never"),  # illegal source
]
wrpcap(sys.argv[1], pk, linktype=101)  # LINKTYPE_RAW: both families in one file
PY
"$bin" translate --pool6 64:ff9b::/96 --allow-wkp-non-global yes "$dir/in.pcap" "$dir/out.pcap" 2>"$dir/summary"
cat "$dir/summary"
grep -q "src-illegal" "$dir/summary" || { echo "FAIL: the summary does not name the src-illegal drop"; exit 1; }
/usr/bin/python3 - "$dir/out.pcap" <<'PY'
import sys
from scapy.all import rdpcap, IP, IPv6, UDP, TCP, ICMPv6EchoRequest, Raw
got = [p for p in rdpcap(sys.argv[1])]
# DLT_RAW packets come back as IP/IPv6 layers (or Raw that we re-dissect)
def l3(p):
    b = bytes(p)
    return IPv6(b) if b[0] >> 4 == 6 else IP(b)
got = [l3(p) for p in got]
fails = passes = 0
def check(cond, what):
    global fails, passes
    print(("PASS " if cond else "FAIL ") + what)
    fails += not cond
    passes += bool(cond)
check(len(got) == 4, f"4 packets out of 5 in (got {len(got)})")
def csum_ok(pkt, layer):
    # scapy recomputes a checksum that is deleted: it must equal the translator's
    p2 = pkt.copy()
    del p2[layer].chksum
    return pkt[layer].chksum == p2.__class__(bytes(p2))[layer].chksum
if len(got) == 4:
    a, b, c, d = got
    check(a.haslayer(IPv6) and a[IPv6].src == "64:ff9b::c000:201" and a[IPv6].dst == "64:ff9b::c633:6407", "UDP addresses embedded in 64:ff9b::/96")
    check(a[IPv6].hlim == 63 and a[IPv6].nh == 17, "hop limit decremented, next header UDP")
    check(bytes(a[UDP].payload) == b"hello translate" and csum_ok(a, UDP), "UDP payload intact, checksum valid")
    check(b.haslayer(TCP) and csum_ok(b, TCP) and bytes(b[TCP].payload) == b"x" * 100, "TCP checksum valid, payload intact")
    check(c.haslayer(ICMPv6EchoRequest) and c[ICMPv6EchoRequest].id == 7, "ICMP echo became ICMPv6 echo request")
    check(d.haslayer(IP) and d[IP].src == "198.51.100.7" and d[IP].dst == "192.0.2.1" and d[IP].ttl == 63, "IPv6 to IPv4 addresses and TTL")
    check(d.haslayer(UDP) and csum_ok(d, UDP) and bytes(d[UDP].payload) == b"answer", "IPv4 UDP checksum valid, payload intact")
print(f"{passes} passed, {fails} failed")
sys.exit(1 if fails else 0)
PY

# UDP with checksum zero, fragmented (IPsec NAT traversal on port 4500): refused by default (RFC 7915
# section 4.5), made whole and given a checksum with reassembly-max; a lone first fragment times out
# by the capture's clock.
/usr/bin/python3 - "$dir/frag.pcap" <<'PY'
import logging, sys
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, UDP, Raw, fragment, wrpcap
d = IP(src="192.0.2.1", dst="198.51.100.7", id=0x77, flags=0) / UDP(sport=4500, dport=4500, chksum=0) / Raw(bytes(range(256)) * 6 + b"x" * 64)
frags = fragment(d, fragsize=1000)
lone = fragment(IP(src="192.0.2.1", dst="198.51.100.7", id=0x78) / UDP(sport=4500, dport=4500, chksum=0) / Raw(b"y" * 1600), fragsize=1000)[0]
later = IP(src="192.0.2.1", dst="198.51.100.7") / UDP(sport=1, dport=2) / Raw(b"later")
for i, p in enumerate(frags):
    p.time = 100 + i * 0.001
lone.time = 101
later.time = 107  # past the 5 s timeout
wrpcap(sys.argv[1], frags + [lone, later], linktype=101)
PY
"$bin" translate --pool6 64:ff9b::/96 --allow-wkp-non-global yes --amend-udp-checksum-zero yes \
	"$dir/frag.pcap" "$dir/frag-off.pcap" 2>"$dir/summary-off"
grep -q "udp-zero-checksum-fragment" "$dir/summary-off" ||
	{ cat "$dir/summary-off"; echo "FAIL: without reassembly the fragment is not refused"; exit 1; }
"$bin" translate --pool6 64:ff9b::/96 --allow-wkp-non-global yes --amend-udp-checksum-zero yes --reassembly-max 4 \
	"$dir/frag.pcap" "$dir/frag-on.pcap" 2>"$dir/summary-on"
cat "$dir/summary-on"
grep -q "reassembly-timeout" "$dir/summary-on" || { echo "FAIL: the lone first fragment did not time out"; exit 1; }
/usr/bin/python3 - "$dir/frag-on.pcap" <<'PY'
import sys
from scapy.all import rdpcap, IPv6, UDP, IPv6ExtHdrFragment, defragment6, raw
got = [IPv6(bytes(p)) for p in rdpcap(sys.argv[1]) if bytes(p)[0] >> 4 == 6]
frags = [p for p in got if IPv6ExtHdrFragment in p and p[IPv6ExtHdrFragment].id == 0x77]
whole = IPv6(raw(defragment6(frags))) if frags else None
ok = whole is not None and UDP in whole and whole[UDP].chksum != 0
if ok:
    c = whole[UDP].chksum
    del whole[UDP].chksum
    ok = IPv6(raw(whole))[UDP].chksum == c and len(whole[UDP].payload) == 1600
print(("PASS" if ok else "FAIL") + f" zero-checksum datagram reassembled: {len(frags)} IPv6 fragments, valid checksum")
print(f"{int(ok)} passed, {int(not ok)} failed")
sys.exit(0 if ok else 1)
PY
