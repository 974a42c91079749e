#!/usr/bin/env python3
"""Write tests/data/tunnels.pcap: one ping carried in each tunnel Vigil
makes tunnel packets for (GRE, IPv4-in-IPv4, IPv6-in-IPv4, VXLAN, Geneve),
request and reply, with distinct inner addresses per tunnel so a test can
tell the inner flows apart. Needs scapy."""
import sys

from scapy.all import GRE, IP, ICMP, IPv6, ICMPv6EchoRequest, ICMPv6EchoReply, UDP, Ether, wrpcap
from scapy.layers.vxlan import VXLAN

OUT = sys.argv[1] if len(sys.argv) > 1 else "tests/data/tunnels.pcap"
MAC = dict(src="00:00:00:00:00:01", dst="00:00:00:00:00:02")


def outer(a, b):
    return Ether(**MAC) / IP(src=a, dst=b)


def ping(a, b, n, reply=False):
    return IP(src=a, dst=b) / ICMP(type=0 if reply else 8, id=7, seq=n) / b"tunnelled"


pkts = []
# GRE: 192.0.2.1 <-> 192.0.2.2 carrying 10.1.0.1 <-> 10.1.0.2
pkts += [outer("192.0.2.1", "192.0.2.2") / GRE() / ping("10.1.0.1", "10.1.0.2", 1),
         outer("192.0.2.2", "192.0.2.1") / GRE() / ping("10.1.0.2", "10.1.0.1", 1, True)]
# IPv4 in IPv4
pkts += [outer("192.0.2.3", "192.0.2.4") / ping("10.2.0.1", "10.2.0.2", 1),
         outer("192.0.2.4", "192.0.2.3") / ping("10.2.0.2", "10.2.0.1", 1, True)]
# IPv6 in IPv4
pkts += [outer("192.0.2.5", "192.0.2.6") / IPv6(src="2001:db8::1", dst="2001:db8::2") /
         ICMPv6EchoRequest(id=7, seq=1),
         outer("192.0.2.6", "192.0.2.5") / IPv6(src="2001:db8::2", dst="2001:db8::1") /
         ICMPv6EchoReply(id=7, seq=1)]
# VXLAN: both directions to port 4789
inner = Ether(**MAC)
pkts += [outer("192.0.2.7", "192.0.2.8") / UDP(sport=40000, dport=4789) / VXLAN(vni=5) /
         inner / ping("10.3.0.1", "10.3.0.2", 1),
         outer("192.0.2.8", "192.0.2.7") / UDP(sport=40000, dport=4789) / VXLAN(vni=5) /
         inner / ping("10.3.0.2", "10.3.0.1", 1, True)]
# Geneve (hand-built header: version 0, no options, protocol 0x0800, VNI 5)
geneve = bytes([0, 0, 0x08, 0x00, 0, 0, 5, 0])
pkts += [outer("192.0.2.9", "192.0.2.10") / UDP(sport=40001, dport=6081) / (geneve +
         bytes(ping("10.4.0.1", "10.4.0.2", 1))),
         outer("192.0.2.10", "192.0.2.9") / UDP(sport=6081, dport=40001) / (geneve +
         bytes(ping("10.4.0.2", "10.4.0.1", 1, True)))]
for i, p in enumerate(pkts):
    p.time = 1700000000 + i
wrpcap(OUT, pkts)
