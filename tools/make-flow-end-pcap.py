#!/usr/bin/env python3
"""Crafts tests/data/flow-end-packets.pcap (scenario test-detect-flow-end-packets.sh).

  /usr/bin/python3 tools/make-flow-end-pcap.py tests/data/flow-end-packets.pcap

Two HTTP connections to port 80, each a handshake, a GET, a 200 response and their
ACKs: the first (client port 41001) stays open at the end of the capture, the second
(41002) closes with FIN/ACK both ways.
"""
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV = "10.1.0.1", "10.1.0.80"
T0 = 1700000000.0


def conn(sport, close):
    cs, ss = 1000, 9000
    req = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\n\r\n"
    resp = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    pkts = [
        IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=80, flags="S", seq=cs),
        IP(src=SRV, dst=CLI) / TCP(sport=80, dport=sport, flags="SA", seq=ss, ack=cs + 1),
        IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=80, flags="A", seq=cs + 1, ack=ss + 1),
        IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=80, flags="PA", seq=cs + 1, ack=ss + 1)
        / Raw(req),
        IP(src=SRV, dst=CLI) / TCP(sport=80, dport=sport, flags="A", seq=ss + 1,
                                   ack=cs + 1 + len(req)),
        IP(src=SRV, dst=CLI) / TCP(sport=80, dport=sport, flags="PA", seq=ss + 1,
                                   ack=cs + 1 + len(req)) / Raw(resp),
        IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=80, flags="A", seq=cs + 1 + len(req),
                                   ack=ss + 1 + len(resp)),
    ]
    if close:
        cf, sf = cs + 1 + len(req), ss + 1 + len(resp)
        pkts += [
            IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=80, flags="FA", seq=cf, ack=sf),
            IP(src=SRV, dst=CLI) / TCP(sport=80, dport=sport, flags="FA", seq=sf, ack=cf + 1),
            IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=80, flags="A", seq=cf + 1,
                                       ack=sf + 1),
        ]
    return pkts


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/flow-end-packets.pcap"
    pkts = conn(41001, False) + conn(41002, True)
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    wrpcap(out, pkts)


if __name__ == "__main__":
    main()
