#!/usr/bin/env python3
"""Crafts the small QUIC capture of tests/data/app-layer/ (scenario tests).

  python3 tools/gen-quic-captures.py tests/data/app-layer

quic-rfc9001.pcap: the client Initial and the server Initial of RFC 9001 Appendix A
(hex taken from tests/unit/app-layer/quic/rfc9001-vectors.h) as UDP datagrams between
10.0.0.1:50000 and 10.0.0.44:443, followed by a short-header datagram from each side
(encrypted with keys we do not have: no tx) and, on a second flow to port 8443, the same
client Initial (found without the port hint).
"""
import re
import sys

from scapy.all import IP, UDP, Raw, wrpcap

VEC = "tests/unit/app-layer/quic/rfc9001-vectors.h"


def vector(name):
    s = open(VEC).read()
    m = re.search(name + r"\[\] =(.*?);", s, re.S)
    return bytes.fromhex("".join(re.findall(r'"([0-9a-f]*)"', m.group(1))))


def main(out):
    cli = vector("RFC9001_CLIENT_INITIAL_HEX")
    srv = vector("RFC9001_SERVER_INITIAL_HEX")
    c, s = "10.0.0.1", "10.0.0.44"
    pkts = [
        IP(src=c, dst=s) / UDP(sport=50000, dport=443) / Raw(cli),
        IP(src=s, dst=c) / UDP(sport=443, dport=50000) / Raw(srv),
        IP(src=c, dst=s) / UDP(sport=50000, dport=443) / Raw(b"\x41" + bytes(range(40))),
        IP(src=s, dst=c) / UDP(sport=443, dport=50000) / Raw(b"\x5d" + bytes(range(30))),
        IP(src=c, dst=s) / UDP(sport=50001, dport=8443) / Raw(cli),
    ]
    for i, p in enumerate(pkts):
        p.time = 1700000000.0 + i * 0.001
    wrpcap(f"{out}/quic-rfc9001.pcap", pkts)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
