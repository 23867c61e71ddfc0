#!/usr/bin/python3
"""Crafted DHCPv4 clients for tests/netns/dhcp4.sh, run inside the client namespace.

    dhcp4_scapy.py v6only IFACE WAIT SERVER_ID
    dhcp4_scapy.py mostly IFACE WAIT SERVER_ID POOL_FIRST POOL_LAST LEASE_TIME ROUTER

Every check prints one line starting with PASS or FAIL. Replies are sniffed on the interface and
checked field by field: op, xid, chaddr, yiaddr, message type (53), server identifier (54),
IPv6-Only Preferred (108) and what must not be there (lease time 51 in an option-108 answer).
MACs are from the documentation block 00:00:5e:00:53:00/24 (RFC 7042 section 2.1.1)."""
import ipaddress
import random
import struct
import sys

from scapy.all import (BOOTP, DHCP, IP, UDP, AsyncSniffer, Ether, Raw, conf,  # noqa: E402
                       mac2str, sendp)

conf.verb = 0
MAC108 = "00:00:5e:00:53:31"
MAC4 = "00:00:5e:00:53:32"
MALFORMED_MAC = "00:00:5e:00:53:33"
WAIT_REPLY = 4.0
WAIT_SILENCE = 3.0


def say(ok, what):
    print(("PASS " if ok else "FAIL ") + what, flush=True)
    return ok


def opts_of(pkt):
    out = {}
    for o in pkt[DHCP].options:
        if isinstance(o, tuple):
            out[o[0]] = o[1:] if len(o) > 2 else o[1]
    return out


def frame(mac, payload):
    return (Ether(src=mac, dst="ff:ff:ff:ff:ff:ff") / IP(src="0.0.0.0", dst="255.255.255.255") /
            UDP(sport=68, dport=67) / payload)


def sniffer(iface):
    """A started sniffer for replies to port 68 (returns once it is really capturing)."""
    import threading
    ready = threading.Event()
    sn = AsyncSniffer(iface=iface, filter="udp and dst port 68", store=True, started_callback=ready.set)
    sn.start()
    ready.wait(5)
    return sn


def request(iface, mac, options, xid=None, ciaddr="0.0.0.0", wait=WAIT_REPLY):
    """Sends one message, returns the replies (BOOTREPLY with the same xid) seen within wait."""
    xid = xid if xid is not None else random.getrandbits(32)
    bootp = BOOTP(op=1, xid=xid, chaddr=mac2str(mac) + b"\0" * 10, ciaddr=ciaddr, flags=0)
    sn = sniffer(iface)
    sendp(frame(mac, bootp / DHCP(options=options)), iface=iface)
    import time
    deadline = time.time() + wait
    while time.time() < deadline:
        time.sleep(0.1)
        if any(BOOTP in p and p[BOOTP].xid == xid for p in (sn.results or [])):
            time.sleep(0.2)
            break
    sn.stop()
    return xid, [p for p in sn.results if BOOTP in p and p[BOOTP].xid == xid and p[BOOTP].op == 2]


def send_raw(iface, payload):
    sendp(frame(MALFORMED_MAC, Raw(payload)), iface=iface)


def check_v6only_answer(tag, replies, xid, mac, mtype, wait, server_id):
    if not say(len(replies) == 1, f"{tag}: exactly one reply ({len(replies)})"):
        return
    r = replies[0]
    b = r[BOOTP]
    o = opts_of(r)
    say(b.op == 2, f"{tag}: op BOOTREPLY (2)")
    say(b.xid == xid, f"{tag}: xid copied")
    say(b.chaddr[:6] == mac2str(mac), f"{tag}: chaddr copied")
    say(b.yiaddr == "0.0.0.0", f"{tag}: yiaddr 0.0.0.0 (RFC 8925 3.3) got {b.yiaddr}")
    say(o.get("message-type") == mtype, f"{tag}: message type {mtype} (got {o.get('message-type')})")
    say(o.get("server_id") == server_id, f"{tag}: server identifier {server_id} (got {o.get('server_id')})")
    raw108 = [x for x in r[DHCP].options if isinstance(x, tuple) and x[0] in (108, "ipv6-only-preferred")]
    val = None
    if raw108:
        v = raw108[0][1]
        val = struct.unpack("!I", v)[0] if isinstance(v, bytes) and len(v) == 4 else v
    say(val == wait, f"{tag}: option 108 = V6ONLY_WAIT {wait} (got {val})")
    say("lease_time" not in o, f"{tag}: no lease time (no lease to give)")
    say("subnet_mask" not in o and "router" not in o, f"{tag}: no subnet mask or router")
    say(r[IP].dst == "255.255.255.255" and r[UDP].dport == 68, f"{tag}: broadcast to 255.255.255.255:68")


def malformed(iface):
    import time
    good = bytes(BOOTP(op=1, xid=0x1234, chaddr=mac2str(MALFORMED_MAC) + b"\0" * 10) /
                 DHCP(options=[("message-type", "discover"), ("param_req_list", [1, 3, 108]), "end"]))
    cases = {
        "truncated header": good[:200],
        "bad magic cookie": good[:236] + b"\x63\x82\x53\x00" + good[240:],
        "option past the end": good[:240] + b"\x35\x01\x01\x37\x20\x01\x03",
        "no End option": good[:240] + b"\x35\x01\x01\x37\x03\x01\x03\x6c",
        "bad message type": good[:240] + b"\x35\x01\x09\xff",
        "duplicate message type": good[:240] + b"\x35\x01\x01\x35\x01\x01\xff",
        "bad overload": good[:240] + b"\x34\x01\x07\x35\x01\x01\xff",
        "reply op": b"\x02" + good[1:],
    }
    sn = sniffer(iface)
    for payload in cases.values():
        send_raw(iface, payload)
    time.sleep(WAIT_SILENCE)
    sn.stop()
    say(len(sn.results) == 0, f"malformed ({', '.join(cases)}): no answer to any ({len(sn.results)})")


def main():
    mode, iface, wait, server_id = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    prl108 = [1, 3, 6, 15, 108]
    prl = [1, 3, 6, 15, 51]

    xid, rep = request(iface, MAC108, [("message-type", "discover"), ("param_req_list", prl108), "end"])
    check_v6only_answer("DISCOVER with 108", rep, xid, MAC108, 2, wait, server_id)
    xid, rep = request(iface, MAC108, [("message-type", "request"), ("requested_addr", "192.0.2.150"),
                                       ("param_req_list", prl108), "end"])
    check_v6only_answer("REQUEST (INIT-REBOOT) with 108", rep, xid, MAC108, 5, wait, server_id)

    if mode == "v6only":
        xid, rep = request(iface, MAC4, [("message-type", "discover"), ("param_req_list", prl), "end"],
                           wait=WAIT_SILENCE)
        say(len(rep) == 0, f"DISCOVER without 108 on an IPv6-only network: no answer ({len(rep)})")
        malformed(iface)
        return

    first, last = ipaddress.ip_address(sys.argv[5]), ipaddress.ip_address(sys.argv[6])
    lease, router = int(sys.argv[7]), sys.argv[8]
    xid, rep = request(iface, MAC4, [("message-type", "discover"), ("param_req_list", prl), "end"])
    if not say(len(rep) == 1, f"DISCOVER without 108 (mostly): one OFFER ({len(rep)})"):
        return
    b, o = rep[0][BOOTP], opts_of(rep[0])
    yi = ipaddress.ip_address(b.yiaddr)
    say(b.op == 2 and b.xid == xid and b.chaddr[:6] == mac2str(MAC4), "OFFER: op 2, xid and chaddr copied")
    say(first <= yi <= last, f"OFFER: yiaddr {yi} in the pool")
    say(o.get("message-type") == 2, "OFFER: message type 2")
    say(o.get("server_id") == server_id, f"OFFER: server identifier {server_id}")
    say(o.get("lease_time") == lease, f"OFFER: lease time {lease} (got {o.get('lease_time')})")
    say(o.get("subnet_mask") == "255.255.255.0", f"OFFER: subnet mask (got {o.get('subnet_mask')})")
    say(o.get("router") == router, f"OFFER: router {router} (got {o.get('router')})")
    say(108 not in o and "ipv6-only-preferred" not in o, "OFFER: no option 108 (not requested, RFC 8925 3.3)")
    xid2, rep = request(iface, MAC4, [("message-type", "request"), ("server_id", server_id),
                                      ("requested_addr", str(yi)), ("param_req_list", prl), "end"])
    ok = len(rep) == 1 and opts_of(rep[0]).get("message-type") == 5 and rep[0][BOOTP].yiaddr == str(yi)
    say(ok, f"REQUEST (SELECTING) for {yi}: ACK with the same yiaddr")
    # Another server's identifier: the client chose it, we stay silent.
    xid3, rep = request(iface, MAC4, [("message-type", "request"), ("server_id", "198.51.100.1"),
                                      ("requested_addr", str(yi)), "end"], wait=WAIT_SILENCE)
    say(len(rep) == 0, "REQUEST naming another server: no answer")
    print(f"BOUND {yi}", flush=True)


if __name__ == "__main__":
    main()
