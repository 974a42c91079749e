#!/usr/bin/env python3
"""Crafts the capture of the example plugins' scenario test (tests/data/plugins/).

  python3 tools/gen-plugin-captures.py tests/data/plugins

memcached.pcap: two TCP connections to port 11211.
  1: "set secretkey 0 0 512" with a 512-byte block holding every byte value twice
     (entropy 8 bits per byte) -> STORED; "get secretkey" -> one VALUE block and END;
     "delete otherkey noreply" (no reply); both sides close.
  2: "incr counter 1" -> "2", then the server's reply split over two segments, and
     a 100-byte client segment lost (a gap the stream consumer sees); client closes.
"""
import random
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.11"
T0 = 1700000000.0


def conn(sport, steps, pkts):
    seq = {"c": 1000, "s": 5000}

    def mk(frm, data=b"", flags="PA"):
        if frm == "c":
            p = IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=11211, flags=flags,
                                           seq=seq["c"], ack=seq["s"])
        else:
            p = IP(src=SRV, dst=CLI) / TCP(sport=11211, dport=sport, flags=flags,
                                           seq=seq["s"], ack=seq["c"])
        if data:
            p = p / Raw(data)
        seq[frm] += len(data) + (1 if "S" in flags or "F" in flags else 0)
        return p

    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=11211, flags="S", seq=999))
    pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=11211, dport=sport, flags="SA", seq=4999,
                                           ack=1000))
    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=11211, flags="A", seq=1000,
                                           ack=5000))
    for frm, data, *rest in steps:
        flags = rest[0] if rest else "PA"
        if frm == "lost":          # client bytes never captured: a gap
            seq["c"] += len(data)
            continue
        pkts.append(mk(frm, data, flags))
    # each side acknowledges the other's last data
    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=11211, flags="A",
                                           seq=seq["c"], ack=seq["s"]))
    pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=11211, dport=sport, flags="A",
                                           seq=seq["s"], ack=seq["c"]))


def main(out):
    rnd = random.Random(17)
    block = bytearray(list(range(256)) * 2)
    rnd.shuffle(block)
    block = bytes(block)
    pkts = []
    conn(40001, [
        ("c", b"set secretkey 0 0 512\r\n" + block + b"\r\n"),
        ("s", b"STORED\r\n"),
        ("c", b"get secretkey\r\n"),
        ("s", b"VALUE secretkey 0 512\r\n" + block + b"\r\nEND\r\n"),
        ("c", b"delete otherkey noreply\r\n"),
        ("c", b"", "FA"),
        ("s", b"", "FA"),
    ], pkts)
    conn(40002, [
        ("c", b"incr counter 1\r\n"),
        ("s", b"2"),
        ("s", b"\r\n"),
        ("lost", b"x" * 100),
        ("c", b"get afterthegap\r\n"),
        ("c", b"", "FA"),
    ], pkts)
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.01
    wrpcap(f"{out}/memcached.pcap", pkts)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/plugins")
