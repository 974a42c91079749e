#!/usr/bin/python3
"""Crafts the capture of the EVE fields scenario test (tests/scenarios/test-eve-fields.sh).

  /usr/bin/python3 tools/gen-eve-fields-captures.py tests/data/eve-fields

fields.pcap (Ethernet, distinct MAC addresses per host):
  - TCP 10.0.0.1:40000 -> 10.0.0.2:80: handshake, "GET /fields HTTP/1.0" request
    (one segment), a response, FIN both ways;
  - UDP 10.0.0.1:5000 -> 10.0.0.3:6000, one datagram "ping-udp" and its answer;
  - ICMP echo request 10.0.0.4 -> 10.0.0.1 and the echo reply.
"""
import os
import sys

from scapy.all import Ether, ICMP, IP, TCP, UDP, Raw, wrpcap

MAC = {"10.0.0.1": "02:00:00:00:00:01", "10.0.0.2": "02:00:00:00:00:02",
       "10.0.0.3": "02:00:00:00:00:03", "10.0.0.4": "02:00:00:00:00:04"}
T0 = 1700000000.0


def eth(src, dst):
    return Ether(src=MAC[src], dst=MAC[dst]) / IP(src=src, dst=dst)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/eve-fields"
    os.makedirs(out, exist_ok=True)
    c, s = "10.0.0.1", "10.0.0.2"
    req = b"GET /fields HTTP/1.0\r\nHost: x\r\n\r\n"
    resp = b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"
    pkts = [
        eth(c, s) / TCP(sport=40000, dport=80, flags="S", seq=100),
        eth(s, c) / TCP(sport=80, dport=40000, flags="SA", seq=500, ack=101),
        eth(c, s) / TCP(sport=40000, dport=80, flags="A", seq=101, ack=501),
        eth(c, s) / TCP(sport=40000, dport=80, flags="PA", seq=101, ack=501) / Raw(req),
        eth(s, c) / TCP(sport=80, dport=40000, flags="PA", seq=501, ack=101 + len(req)) / Raw(resp),
        eth(c, s) / TCP(sport=40000, dport=80, flags="FA", seq=101 + len(req), ack=501 + len(resp)),
        eth(s, c) / TCP(sport=80, dport=40000, flags="FA", seq=501 + len(resp), ack=102 + len(req)),
        eth(c, s) / TCP(sport=40000, dport=80, flags="A", seq=102 + len(req), ack=502 + len(resp)),
        eth(c, "10.0.0.3") / UDP(sport=5000, dport=6000) / Raw(b"ping-udp"),
        eth("10.0.0.3", c) / UDP(sport=6000, dport=5000) / Raw(b"pong-udp"),
        eth("10.0.0.4", c) / ICMP(type=8, code=0, id=7, seq=1) / Raw(b"ping-icmp"),
        eth(c, "10.0.0.4") / ICMP(type=0, code=0, id=7, seq=1) / Raw(b"ping-icmp"),
    ]
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.01
    wrpcap(os.path.join(out, "fields.pcap"), pkts)


if __name__ == "__main__":
    main()
