#!/usr/bin/python3
"""Build tests/data/sample.pcap, the capture `make demo` runs on.

A small mix a user can read in Wireshark: an HTTP exchange whose response
carries "uid=0(root)" (the classic id-check rule fires), a DNS query and
answer, ICMP and ICMPv6 echo, a VLAN-tagged UDP packet and an IPv4 packet
with a header length below 20 bytes (a decoder event).

Usage: tools/make-sample-pcap.py OUT.pcap
"""
import sys

from scapy.all import (DNS, DNSQR, DNSRR, ICMP, IP, TCP, UDP, Dot1Q, Ether, ICMPv6EchoReply,
                       ICMPv6EchoRequest, IPv6, Raw, wrpcap)

CLIENT, SERVER = "192.168.1.10", "203.0.113.80"
T0 = 1700000000.0


def tcp_session():
    e = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    c, s = 40000, 80
    req = b"GET /index.html HTTP/1.1\r\nHost: example.test\r\nUser-Agent: demo\r\n\r\n"
    resp = (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 39\r\n\r\n"
            b"uid=0(root) gid=0(root) groups=0(root)\n")
    cs, ss = 1000, 5000
    pkts = [
        e / IP(src=CLIENT, dst=SERVER) / TCP(sport=c, dport=s, flags="S", seq=cs),
        e / IP(src=SERVER, dst=CLIENT) / TCP(sport=s, dport=c, flags="SA", seq=ss, ack=cs + 1),
        e / IP(src=CLIENT, dst=SERVER) / TCP(sport=c, dport=s, flags="A", seq=cs + 1, ack=ss + 1),
        e / IP(src=CLIENT, dst=SERVER) / TCP(sport=c, dport=s, flags="PA", seq=cs + 1,
                                             ack=ss + 1) / Raw(req),
        e / IP(src=SERVER, dst=CLIENT) / TCP(sport=s, dport=c, flags="A", seq=ss + 1,
                                             ack=cs + 1 + len(req)),
        e / IP(src=SERVER, dst=CLIENT) / TCP(sport=s, dport=c, flags="PA", seq=ss + 1,
                                             ack=cs + 1 + len(req)) / Raw(resp),
        e / IP(src=CLIENT, dst=SERVER) / TCP(sport=c, dport=s, flags="FA", seq=cs + 1 + len(req),
                                             ack=ss + 1 + len(resp)),
        e / IP(src=SERVER, dst=CLIENT) / TCP(sport=s, dport=c, flags="FA", seq=ss + 1 + len(resp),
                                             ack=cs + 2 + len(req)),
        e / IP(src=CLIENT, dst=SERVER) / TCP(sport=c, dport=s, flags="A", seq=cs + 2 + len(req),
                                             ack=ss + 2 + len(resp)),
    ]
    return pkts


def others():
    e = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    bad_ip = bytes(Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02", type=0x0800)) + \
        bytes([0x44, 0, 0, 40]) + bytes(36)  # version 4, IHL 4 (16 bytes): too small
    return [
        e / IP(src=CLIENT, dst="198.51.100.53") / UDP(sport=53000, dport=53) /
        DNS(id=0x1234, rd=1, qd=DNSQR(qname="example.test")),
        e / IP(src="198.51.100.53", dst=CLIENT) / UDP(sport=53, dport=53000) /
        DNS(id=0x1234, qr=1, aa=1, qd=DNSQR(qname="example.test"),
            an=DNSRR(rrname="example.test", rdata="203.0.113.80")),
        e / IP(src=CLIENT, dst=SERVER) / ICMP(type=8, id=7, seq=1) / Raw(b"ping" * 8),
        e / IP(src=SERVER, dst=CLIENT) / ICMP(type=0, id=7, seq=1) / Raw(b"ping" * 8),
        e / IPv6(src="2001:db8::10", dst="2001:db8::80") / ICMPv6EchoRequest(id=9, seq=1),
        e / IPv6(src="2001:db8::80", dst="2001:db8::10") / ICMPv6EchoReply(id=9, seq=1),
        Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02") / Dot1Q(vlan=100) /
        IP(src="10.1.1.1", dst="10.1.1.2") / UDP(sport=5000, dport=6000) / Raw(b"vlan demo"),
        Ether(bad_ip),
    ]


def main():
    pkts = tcp_session() + others()
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.01
    wrpcap(sys.argv[1], pkts)


if __name__ == "__main__":
    main()
