#!/usr/bin/python3
"""IPFIX records as tshark's IPFIX (cflow) dissector decodes them, for tests/netns/plat_ipfix.sh.

  plat_ipfix.py records PCAP [PORT [FILTER]]   one line per data record, in capture order (of the
        datagrams that match the tshark display filter FILTER, when given):
        "seq=S n=I event=E key=value ..." (S: the message's sequence number, I: the record's index in
        its message; the keys are the short names below, for the fields the record has; time is
        observationTimeMilliseconds as milliseconds since 1970)
  plat_ipfix.py check-seq PCAP [PORT] RFC 7011 section 3.1 over the whole capture: each message's
        sequence number is the number of data records in the messages before it; prints
        "messages M, records R, template sets T, sequence ok" or the first mismatch (exit 1)

tshark decodes, this script only walks its JSON output (tshark -T json), so nothing here parses IPFIX.
"""
import calendar
import json
import re
import subprocess
import sys

# tshark's cflow field names -> short names
FIELDS = {
    "cflow.nat_event": "event",
    "cflow.srcaddrv6": "src6",
    "cflow.dstaddrv6": "dst6",
    "cflow.post_natsource_ipv4_address": "nat4",
    "cflow.post_natdestination_ipv4_address": "dst4",
    "cflow.post_naptsource_transport_port": "natport",
    "cflow.post_naptdestination_transport_port": "natdport",
    "cflow.srcport": "sport",
    "cflow.dstport": "dport",
    "cflow.protocol": "proto",
    "cflow.port_range_start": "first",
    "cflow.port_range_end": "last",
    "cflow.port_range_num_ports": "nports",
    "cflow.nat_quota_exceeded_event": "quota",
    "cflow.max_entries_per_user": "maxuser",
    "cflow.max_session_entries": "maxsess",
    "cflow.nat_pool_id": "pool",
    "cflow.srcmaskv6": "plen",
    "cflow.observation_time_milliseconds": "time",
}


def frames(pcap, port, dfilter=None):
    cmd = ["tshark", "-n", "-r", pcap, "-d", "udp.port==%s,cflow" % port, "-T", "json", "-J", "cflow"]
    if dfilter:
        cmd += ["-Y", dfilter]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=60).stdout
    return json.loads(out) if out.strip() else []


def walk(node, found):
    """Collects the dicts under node that hold a cflow.nat_event (data records) or are flowsets."""
    if isinstance(node, dict):
        if "cflow.nat_event" in node:
            found.append(node)
            return
        for v in node.values():
            walk(v, found)
    elif isinstance(node, list):
        for v in node:
            walk(v, found)


MONTHS = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}


def value(v):
    return v[0] if isinstance(v, list) else v


def epoch_ms(text):
    """tshark's "Dec  7, 2026 06:05:02.435000000 UTC" as milliseconds since 1970."""
    m = re.match(r"(\w+)\s+(\d+), (\d+) (\d+):(\d+):(\d+)\.(\d{3})", text)
    if not m:
        return text.replace(" ", "_")
    mon, day, year, hh, mm, ss, ms = m.groups()
    t = calendar.timegm((int(year), MONTHS[mon], int(day), int(hh), int(mm), int(ss)))
    return str(t * 1000 + int(ms))


def messages(pcap, port, dfilter=None):
    for f in frames(pcap, port, dfilter):
        cf = f["_source"]["layers"].get("cflow")
        if cf is None:
            continue
        recs = []
        walk(cf, recs)
        text = json.dumps(cf)
        yield int(value(cf.get("cflow.sequence", "0"))), recs, text.count('"cflow.template_id"')


def main():
    cmd, pcap = sys.argv[1], sys.argv[2]
    port = sys.argv[3] if len(sys.argv) > 3 else "4739"
    if cmd == "records":
        for seq, recs, _ in messages(pcap, port, sys.argv[4] if len(sys.argv) > 4 else None):
            for i, r in enumerate(recs):
                kv = ["%s=%s" % (short, epoch_ms(value(r[name])) if short == "time" else value(r[name]))
                      for name, short in FIELDS.items() if name in r]
                print("seq=%d n=%d %s" % (seq, i, " ".join(kv)))
    elif cmd == "check-seq":
        total = msgs = tsets = 0
        for seq, recs, ntpl in messages(pcap, port):
            if seq != total % (1 << 32):
                print("message %d: sequence %d, but %d records came before it" % (msgs + 1, seq, total))
                sys.exit(1)
            total += len(recs)
            msgs += 1
            tsets += 1 if ntpl else 0
        print("messages %d, records %d, template sets %d, sequence ok" % (msgs, total, tsets))
    else:
        sys.exit("unknown command " + cmd)


if __name__ == "__main__":
    main()
