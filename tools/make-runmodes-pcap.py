#!/usr/bin/python3
"""Build tests/data/runmodes.pcap: many interleaved IPv4 and IPv6 flows (TCP,
UDP, ICMP) so that flow steering, IP-version routing and flow records are
exercised by tests/scenarios/test-runmodes.sh. Some flows carry the demo
rules' patterns. Deterministic (fixed seed).

Usage: tools/make-runmodes-pcap.py OUT.pcap
"""
import random
import sys

from scapy.all import ICMP, IP, TCP, UDP, Ether, IPv6, Raw, wrpcap

random.seed(7)
E = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")


def tcp_flow(ip, cli, srv, sport, payload_s, payload_c):
    cs, ss = random.randrange(1 << 31), random.randrange(1 << 31)
    d = 80
    return [
        E / ip(src=cli, dst=srv) / TCP(sport=sport, dport=d, flags="S", seq=cs),
        E / ip(src=srv, dst=cli) / TCP(sport=d, dport=sport, flags="SA", seq=ss, ack=cs + 1),
        E / ip(src=cli, dst=srv) / TCP(sport=sport, dport=d, flags="PA", seq=cs + 1, ack=ss + 1)
        / Raw(payload_s),
        E / ip(src=srv, dst=cli) / TCP(sport=d, dport=sport, flags="PA", seq=ss + 1,
                                       ack=cs + 1 + len(payload_s)) / Raw(payload_c),
    ]


def main():
    flows = []
    for i in range(60):
        resp = b"uid=0(root) gid=0(root)\n" if i % 3 == 0 else b"HTTP/1.1 200 OK\r\n\r\nhello"
        if i % 2 == 0:
            flows.append(tcp_flow(IP, f"192.168.{i % 4}.{10 + i}", "203.0.113.80", 30000 + i,
                                  b"GET / HTTP/1.1\r\n\r\n", resp))
        else:
            flows.append(tcp_flow(IPv6, f"2001:db8::{i:x}", "2001:db8::80", 30000 + i,
                                  b"GET / HTTP/1.1\r\n\r\n", resp))
    for i in range(30):
        q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x04test\x00\x00\x01\x00\x01"
        flows.append([E / IP(src=f"192.168.9.{i + 1}", dst="198.51.100.53")
                      / UDP(sport=40000 + i, dport=53) / Raw(q)])
    for i in range(10):
        flows.append([E / IP(src="192.168.5.5", dst=f"198.51.100.{i + 1}")
                      / ICMP(type=8, id=i, seq=1),
                      E / IP(src=f"198.51.100.{i + 1}", dst="192.168.5.5")
                      / ICMP(type=0, id=i, seq=1)])
    pkts = []
    # Interleave: round-robin over flows so flows overlap in time.
    while any(flows):
        for f in flows:
            if f:
                pkts.append(f.pop(0))
    for n, p in enumerate(pkts):
        p.time = 1700000000.0 + n * 0.001
    wrpcap(sys.argv[1], pkts)


if __name__ == "__main__":
    main()
