#!/usr/bin/env python3
"""Crafts tests/data/inline-window.pcap (scenario test-stream-inline-window.sh).

  /usr/bin/python3 tools/make-inline-window-pcap.py tests/data/inline-window.pcap

Two TCP connections of a made-up protocol, each a handshake, client data in small
segments the server acknowledges one by one, and no close:
  client port 41001 -> 9000: "USER alice\\r\\n", 30 bytes of filler, "PASS secret\\r\\n",
                             "QUIT\\r\\n" (packets 4, 6, 8, 10)
  client port 41002 -> 9001: "hello marker\\r\\n", "more\\r\\n", "even more\\r\\n"
                             (packets 15, 17, 19)
"""
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV = "10.2.0.1", "10.2.0.9"
T0 = 1700000000.0


def conn(sport, dport, segments):
    cs, ss = 1000, 9000
    pkts = [
        IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=dport, flags="S", seq=cs),
        IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=sport, flags="SA", seq=ss, ack=cs + 1),
        IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=dport, flags="A", seq=cs + 1, ack=ss + 1),
    ]
    seq = cs + 1
    for data in segments:
        pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=dport, flags="PA", seq=seq,
                                               ack=ss + 1) / Raw(data))
        seq += len(data)
        pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=sport, flags="A", seq=ss + 1,
                                               ack=seq))
    return pkts


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/inline-window.pcap"
    pkts = conn(41001, 9000, [b"USER alice\r\n", b"x" * 28 + b"\r\n", b"PASS secret\r\n",
                              b"QUIT\r\n"])
    pkts += conn(41002, 9001, [b"hello marker\r\n", b"more\r\n", b"even more\r\n"])
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    wrpcap(out, pkts)


if __name__ == "__main__":
    main()
