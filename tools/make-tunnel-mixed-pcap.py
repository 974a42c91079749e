#!/usr/bin/env python3
"""Write tests/data/tunnel-mixed.pcap: flows that carry a tunnel on some of
their packets only, for tests/scenarios/test-determinism.sh. Needs scapy;
the content is fixed (no randomness), so running it again gives the same
file.

In threaded runmodes the thread that steers packets looks up the flows of
the packets that carry a tunnel; the others go to a flow thread. A flow
with both kinds must still be looked up in one place, in capture order, or
its start, direction and counters depend on scheduling. Over ~10 minutes
of packet time (T0 = 1700100000), 1 ms apart within a burst:

- 40 Geneve flows (10.50.0.c:4000+c -> 10.51.0.1:6081): first an ARP
  request carried in Geneve (opaque to the decoder: no tunnel packet),
  then IPv4/UDP carried in it, then ARP again, and a reply direction
  (6081 -> 4000+c) carrying IPv4.
- 40 VXLAN flows (10.52.0.c:5000+c -> 10.53.0.1:4789): first a datagram
  whose VXLAN header is not one (I flag clear: plain UDP), then real VXLAN
  carrying IPv4/UDP, then a reply from port 4789 (not decoded as VXLAN:
  the decoder looks at the destination port only).
- GRE (10.54.0.1 -> 10.55.0.1): one packet with an unknown protocol type
  (no tunnel packet), then GRE carrying IPv4/TCP.
- Between the bursts, plain UDP filler on many flows, so flow threads are
  busy, and the same pattern comes back after 350 s (past the 300 s UDP
  established timeout, so the outer flows end by timeout and start again
  with a packet that carries no tunnel).
"""
import sys

from scapy.all import ARP, GRE, IP, TCP, UDP, Ether, Raw, wrpcap

OUT = sys.argv[1] if len(sys.argv) > 1 else "tests/data/tunnel-mixed.pcap"
T0 = 1700100000
MAC = dict(src="00:00:00:00:00:01", dst="00:00:00:00:00:02")

events = []  # (time, seq, packet)


def at(t, pkt):
    events.append((t, len(events), pkt))


def eth(p):
    return Ether(**MAC) / p


def geneve(ethertype):
    # version 0, no options, protocol type, VNI 7
    return bytes([0, 0, ethertype >> 8, ethertype & 0xFF, 0, 0, 7, 0])


def vxlan(is_valid):
    # flags: I (0x08) marks a valid VNI; VNI 9
    return bytes([0x08 if is_valid else 0x00, 0, 0, 0, 0, 0, 9, 0])


def inner_udp(c, payload):
    return (IP(src=f"172.16.{c}.1", dst="172.17.0.1") / UDP(sport=7000 + c, dport=8000) /
            Raw(payload))


def geneve_flow(t, c):
    cli, srv, sport = f"10.50.0.{c}", "10.51.0.1", 4000 + c
    arp = Ether(src="00:00:00:00:10:01", dst="ff:ff:ff:ff:ff:ff") / ARP(psrc=f"172.16.{c}.1",
                                                                        pdst="172.16.0.254")
    out = IP(src=cli, dst=srv) / UDP(sport=sport, dport=6081)
    back = IP(src=srv, dst=cli) / UDP(sport=6081, dport=sport)
    at(t, eth(out / Raw(geneve(0x0806) + bytes(arp))))
    at(t + 0.001, eth(out / Raw(geneve(0x0800) + bytes(inner_udp(c, b"ping")))))
    at(t + 0.002, eth(out / Raw(geneve(0x0806) + bytes(arp))))
    at(t + 0.003, eth(back / Raw(geneve(0x0800) + bytes(inner_udp(c, b"pong")))))


def vxlan_flow(t, c):
    cli, srv, sport = f"10.52.0.{c}", "10.53.0.1", 5000 + c
    inner = Ether(src="00:00:00:00:20:01", dst="00:00:00:00:20:02") / inner_udp(c + 100, b"ping")
    out = IP(src=cli, dst=srv) / UDP(sport=sport, dport=4789)
    at(t, eth(out / Raw(vxlan(False) + bytes(inner))))
    at(t + 0.001, eth(out / Raw(vxlan(True) + bytes(inner))))
    at(t + 0.002, eth(IP(src=srv, dst=cli) / UDP(sport=4789, dport=sport) / Raw(b"reply")))


def gre_flow(t):
    out = IP(src="10.54.0.1", dst="10.55.0.1")
    at(t, eth(out / GRE(proto=0x1234) / Raw(b"not a known payload")))
    inner = IP(src="172.18.0.1", dst="172.19.0.1") / TCP(sport=40000, dport=443, flags="S")
    at(t + 0.001, eth(out / GRE(proto=0x0800) / inner))


def filler(t, n):
    for i in range(n):
        at(t + i * 0.0001, eth(IP(src=f"10.60.{i % 50}.1", dst="10.61.0.1") /
                               UDP(sport=20000 + i, dport=9999) / Raw(b"x")))


for rnd, base in enumerate((T0, T0 + 350)):
    t = base
    for c in range(1, 41):
        filler(t, 30)
        geneve_flow(t + 0.01, c)
        vxlan_flow(t + 0.02, c)
        t += 1
    gre_flow(t)
filler(T0 + 700, 10)

events.sort(key=lambda e: (e[0], e[1]))
pkts = []
for t, _, p in events:
    p.time = t
    pkts.append(p)
wrpcap(OUT, pkts)
print(f"{OUT}: {len(pkts)} packets")
