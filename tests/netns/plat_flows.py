#!/usr/bin/python3
"""Traffic helpers for tests/netns/plat_e2e.sh and bench/plat.sh (run inside a namespace).

  plat_flows.py flows DST6 PORT N [SRC6]   N UDP flows (distinct source ports) through one raw socket,
                                           paced (PLAT_FLOWS_PACE packets per 10 ms pause, default
                                           200; 0: no pauses); prints "sent N in T s"
  plat_flows.py probe DST PORT [SRC]       one datagram on a connected UDP socket; prints what came back:
                                           "reply", "port-unreachable", "admin-prohibited",
                                           "addr-unreachable", "timeout" or "error ERRNO"
  plat_flows.py hold DST PORT SECONDS FILE [SRC]  one UDP flow that sends a datagram every 0.2 s and
                                           expects each echoed; writes "ok N" or "lost N of M" to FILE
  plat_flows.py slowtcp DST PORT FILE SECONDS     sends FILE over TCP spread over SECONDS
  plat_flows.py sources PORT SECONDS       UDP listener (IPv4): prints each distinct source address
  plat_flows.py rate DST PORT SECONDS      64-byte UDP payloads as fast as one socket sends; "sent N"
  plat_flows.py connect DST PORT SECONDS   one TCP connect; prints "refused after T s", "connected",
                                           "timeout" or "error ERRNO"
  plat_flows.py simopen SRC SPORT DST DPORT SECONDS  a TCP connect from a bound SRC:SPORT, which
                                           succeeds by a simultaneous open when the other side
                                           connects too; then sends this side's name and prints
                                           "open, got NAME" or the failure
  plat_flows.py nocsum-echo ADDR PORT COUNT SECONDS  UDP echo server (IPv4) that sends its answers
                                           with checksum zero (SO_NO_CHECK), as IPsec NAT traversal
                                           does; stops after COUNT datagrams or SECONDS
  plat_flows.py nocsum-send DST PORT COUNT SIZE      sends COUNT datagrams of SIZE bytes with checksum
                                           zero, each waiting for its echo; prints "echoed N of M"
  plat_flows.py echoes DST PORT N SPORT SECONDS MARK  N long-lived TCP connections to a TCP echo
                                           server, from source ports SPORT..SPORT+N-1; each sends 32
                                           bytes every 0.2 s and waits up to 2 s for them to come back,
                                           and stops at its first failure. Echoes are counted "before"
                                           until the file MARK exists, "after" from then on. Prints
                                           one line per connection: "SPORT BEFORE AFTER -" or, for a
                                           connection that broke, "SPORT BEFORE AFTER broke-before|
                                           broke-after REASON"
  plat_flows.py connects DST PORT N SPORT SECONDS  N new TCP connections one after the other, from
                                           source ports SPORT..SPORT+N-1, each connected and one
                                           echo back within SECONDS; prints "SPORT ok|REASON" per
                                           attempt, then "ok K failed F"
"""
import errno
import os
import socket
import struct
import sys
import threading
import time


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def flows(dst, port, n, src=None):
    s = socket.socket(socket.AF_INET6, socket.SOCK_RAW, socket.IPPROTO_UDP)
    # the kernel fills in the UDP checksum at offset 6 (IPV6_CHECKSUM = 7)
    s.setsockopt(socket.IPPROTO_IPV6, 7, 6)
    if src:
        s.bind((src, 0))
    payload = b"plat-flow"
    pace = int(os.environ.get("PLAT_FLOWS_PACE", "200"))  # packets between 10 ms pauses; 0: none
    sent = 0
    t0 = time.time()
    for i in range(n):
        sport = 1024 + i % 64000
        hdr = struct.pack("!HHHH", sport, port + i // 64000, 8 + len(payload), 0)
        s.sendto(hdr + payload, (dst, 0))
        sent += 1
        if pace and i % pace == pace - 1:
            time.sleep(0.01)  # the TUN queue is 500 packets long
    print("sent", sent, "in %.3f s" % (time.time() - t0))


def classify(e):
    if e == errno.ECONNREFUSED:
        return "port-unreachable"
    if e == errno.EACCES:
        return "admin-prohibited"
    if e == errno.EHOSTUNREACH:
        return "addr-unreachable"
    return "error " + errno.errorcode.get(e, str(e))


def probe(dst, port, src=None):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    # Linux reports the non-fatal ICMP errors (address unreachable) to a socket only with RECVERR
    if family(dst) == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, 25, 1)  # IPV6_RECVERR
    else:
        s.setsockopt(socket.IPPROTO_IP, 11, 1)  # IP_RECVERR
    if src:
        s.bind((src, 0))
    s.settimeout(2)
    s.connect((dst, port))
    try:
        s.send(b"probe")
        s.recv(2048)
        print("reply")
    except socket.timeout:
        print("timeout")
    except OSError as ex:
        print(classify(ex.errno))


def hold(dst, port, secs, out, src=None):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    s.settimeout(1)
    s.connect((dst, port))
    sent = got = 0
    end = time.time() + secs
    while time.time() < end:
        try:
            s.send(b"hold %d" % sent)
            sent += 1
            s.recv(2048)
            got += 1
        except OSError:
            pass
        time.sleep(0.2)
    with open(out, "w") as f:
        f.write("ok %d\n" % got if got == sent else "lost %d of %d\n" % (sent - got, sent))


def slowtcp(dst, port, path, secs):
    data = open(path, "rb").read()
    s = socket.create_connection((dst, port), timeout=10)
    chunks = 40
    step = (len(data) + chunks - 1) // chunks
    for i in range(0, len(data), step):
        s.sendall(data[i:i + step])
        time.sleep(secs / chunks)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)
    s.close()


def sources(port, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    s.settimeout(0.2)
    seen = set()
    end = time.time() + secs
    while time.time() < end:
        try:
            _, peer = s.recvfrom(2048)
        except socket.timeout:
            continue
        if peer[0] not in seen:
            seen.add(peer[0])
            print(peer[0], flush=True)


def rate(dst, port, secs):
    s = socket.socket(family(dst), socket.SOCK_DGRAM)
    s.connect((dst, port))
    payload = b"x" * 64
    n = 0
    end = time.time() + secs
    while time.time() < end:
        for _ in range(256):
            try:
                s.send(payload)
                n += 1
            except OSError:
                pass
    print("sent", n)


def connect(dst, port, secs):
    s = socket.socket(family(dst), socket.SOCK_STREAM)
    s.settimeout(secs)
    t0 = time.monotonic()
    try:
        s.connect((dst, port))
        print("connected")
    except ConnectionRefusedError:
        print("refused after %.1f s" % (time.monotonic() - t0))
    except socket.timeout:
        print("timeout")
    except OSError as e:
        print("error", errno.errorcode.get(e.errno, e.errno))


def simopen(src, sport, dst, dport, secs):
    s = socket.socket(family(dst), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((src, sport))
    s.settimeout(secs)
    try:
        s.connect((dst, dport))
        s.sendall(src.encode())
        got = s.recv(100)
        print("open, got", got.decode(errors="replace"))
    except socket.timeout:
        print("timeout")
    except OSError as e:
        print("error", errno.errorcode.get(e.errno, e.errno))


SO_NO_CHECK = 11  # asm-generic/socket.h: send UDP over IPv4 without a checksum


def nocsum_socket(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, SO_NO_CHECK, 1)
    return s


def nocsum_echo(addr, port, count, secs):
    s = nocsum_socket(addr)
    s.bind((addr, port))
    end = time.monotonic() + secs
    n = 0
    while n < count and time.monotonic() < end:
        s.settimeout(max(0.05, end - time.monotonic()))
        try:
            data, peer = s.recvfrom(65535)
        except socket.timeout:
            break
        s.sendto(data, peer)
        n += 1


def nocsum_send(dst, port, count, size):
    s = nocsum_socket(dst)
    s.settimeout(2)
    s.connect((dst, port))
    ok = 0
    for i in range(count):
        data = (b"%08d" % i) + os.urandom(size - 8)
        s.send(data)
        try:
            while True:
                got = s.recv(65535)
                if got[:8] == data[:8]:
                    break
        except (socket.timeout, ConnectionRefusedError):
            continue
        ok += got == data
    print("echoed %d of %d" % (ok, count))


def echo_once(s, n):
    msg = (b"%031d\n" % n)
    s.sendall(msg)
    got = b""
    while len(got) < len(msg):
        chunk = s.recv(len(msg) - len(got))
        if not chunk:
            raise ConnectionError("closed")
        got += chunk
    if got != msg:
        raise ValueError("echo differs")


def reason(e):
    if isinstance(e, socket.timeout):
        return "timeout"
    if isinstance(e, OSError) and e.errno:
        return errno.errorcode.get(e.errno, str(e.errno))
    return type(e).__name__


def echo_flow(dst, port, sport, secs, mark, out, lock):
    before = after = 0
    end = time.time() + secs
    state = "-"
    try:
        s = socket.socket(family(dst), socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("::" if family(dst) == socket.AF_INET6 else "0.0.0.0", sport))
        s.settimeout(2)
        s.connect((dst, port))
        n = 0
        while time.time() < end:
            marked = os.path.exists(mark)
            echo_once(s, n)
            n += 1
            if marked:
                after += 1
            else:
                before += 1
            time.sleep(0.2)
        s.close()
    except Exception as e:  # the connection broke: say when and why
        state = ("broke-after " if os.path.exists(mark) else "broke-before ") + reason(e)
    with lock:
        out.append("%d %d %d %s" % (sport, before, after, state))


def echoes(dst, port, n, sport, secs, mark):
    out, lock, threads = [], threading.Lock(), []
    for i in range(n):
        t = threading.Thread(target=echo_flow, args=(dst, port, sport + i, secs, mark, out, lock))
        t.start()
        threads.append(t)
    for t in threads:
        t.join()
    for line in sorted(out):
        print(line)


def connects(dst, port, n, sport, secs):
    ok = 0
    for i in range(n):
        try:
            s = socket.socket(family(dst), socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("::" if family(dst) == socket.AF_INET6 else "0.0.0.0", sport + i))
            s.settimeout(secs)
            s.connect((dst, port))
            echo_once(s, i)
            s.close()
            ok += 1
            print(sport + i, "ok", flush=True)
        except Exception as e:
            print(sport + i, reason(e), flush=True)
    print("ok %d failed %d" % (ok, n - ok))


def main():
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    cmd = a[0]
    if cmd == "flows":
        flows(a[1], int(a[2]), int(a[3]), a[4] if len(a) > 4 else None)
    elif cmd == "probe":
        probe(a[1], int(a[2]), a[3] if len(a) > 3 else None)
    elif cmd == "hold":
        hold(a[1], int(a[2]), float(a[3]), a[4], a[5] if len(a) > 5 else None)
    elif cmd == "slowtcp":
        slowtcp(a[1], int(a[2]), a[3], float(a[4]))
    elif cmd == "sources":
        sources(int(a[1]), float(a[2]))
    elif cmd == "rate":
        rate(a[1], int(a[2]), float(a[3]))
    elif cmd == "connect":
        connect(a[1], int(a[2]), float(a[3]))
    elif cmd == "simopen":
        simopen(a[1], int(a[2]), a[3], int(a[4]), float(a[5]))
    elif cmd == "nocsum-echo":
        nocsum_echo(a[1], int(a[2]), int(a[3]), float(a[4]))
    elif cmd == "nocsum-send":
        nocsum_send(a[1], int(a[2]), int(a[3]), int(a[4]))
    elif cmd == "echoes":
        echoes(a[1], int(a[2]), int(a[3]), int(a[4]), float(a[5]), a[6])
    elif cmd == "connects":
        connects(a[1], int(a[2]), int(a[3]), int(a[4]), float(a[5]))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
