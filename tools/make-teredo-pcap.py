#!/usr/bin/env python3
"""Crafts tests/data/teredo-ports.pcap (scenario test-teredo-ports.sh).

  /usr/bin/python3 tools/make-teredo-pcap.py tests/data/teredo-ports.pcap

Teredo on UDP port 32900 (not 3544): IPv6/UDP to port 9999 carrying "teredo-inner"
plain, after an origin indication, and after an authentication indication (the
qualification exchange, which Suricata does not decode); then a DNS query to port 53
whose id starts like an IPv6 header (0x60..), which stays DNS.
"""
import sys

from scapy.all import DNS, DNSQR, IP, IPv6, UDP, Raw, wrpcap

T0 = 1700000000.0


def inner(sport):
    return bytes(IPv6(src="2001:db8::1", dst="2001:db8::2", hlim=64)
                 / UDP(sport=sport, dport=9999) / Raw(b"teredo-inner"))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/teredo-ports.pcap"
    origin = b"\x00\x00\xfb\xfe\x3f\xff\xff\xff"
    auth = b"\x00\x01\x00\x00" + bytes(8) + b"\x00"   # no id, no value, nonce, confirmation
    outer = IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=40000, dport=32900)
    pkts = [
        outer / Raw(inner(1001)),
        outer / Raw(origin + inner(1002)),
        outer / Raw(auth + inner(1003)),
        IP(src="192.0.2.1", dst="192.0.2.53") / UDP(sport=40001, dport=53)
        / DNS(id=0x6000, rd=1, qd=DNSQR(qname="teredo.example.com", qtype="A")),
    ]
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    wrpcap(out, pkts)


if __name__ == "__main__":
    main()
