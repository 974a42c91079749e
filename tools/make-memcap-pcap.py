#!/usr/bin/env python3
"""Write tests/data/flow-memcap.pcap: many flows coming back in a mixed
order, for tests/scenarios/test-determinism-memcap.sh, which runs it with a
flow.memcap far too small for them. Which flows the memcap ends (and so
which come back as new flows) must depend on the packets alone. Needs
scapy; the content is fixed (a seeded generator), so running it again gives
the same file.

Over ~100 s of packet time (T0 = 1700200000), 20 ms apart:
- 600 UDP flows (10.70.x.y:p -> 10.71.0.z:53), each visited 3 to 5 times
  (query, sometimes an answer), the visits in a shuffled order;
- 120 TCP flows (10.72.0.c:p -> 10.73.0.1:80): handshake, a request with
  "again" in it, an answer, later a second request; some close with FIN;
- 60 VXLAN outer flows (each a source port) carrying UDP, visited twice:
  their flows belong to the thread that steers packets;
- ICMP port unreachables quoting some of the UDP queries.
"""
import random
import sys

from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw, wrpcap
from scapy.layers.inet import IPerror, UDPerror
from scapy.layers.vxlan import VXLAN

OUT = sys.argv[1] if len(sys.argv) > 1 else "tests/data/flow-memcap.pcap"
T0 = 1700200000
MAC = dict(src="00:00:00:00:00:01", dst="00:00:00:00:00:02")
rng = random.Random(8)


def eth(p):
    return Ether(**MAC) / p


visits = []  # (flow kind, index, visit number)
for i in range(600):
    visits += [("udp", i, v) for v in range(3 + i % 3)]
for i in range(120):
    visits += [("tcp", i, v) for v in range(3)]
for i in range(60):
    visits += [("vxlan", i, v) for v in range(2)]
rng.shuffle(visits)
# a flow's visits keep their own order
seen = {}
ordered = []
for kind, i, _ in visits:
    v = seen.get((kind, i), 0)
    seen[(kind, i)] = v + 1
    ordered.append((kind, i, v))


def udp_visit(i, v):
    cli = f"10.70.{i // 200}.{i % 200 + 1}"
    srv = f"10.71.0.{i % 7 + 1}"
    sport = 30000 + i
    q = IP(src=cli, dst=srv) / UDP(sport=sport, dport=53) / Raw(b"Q%d" % v)
    out = [eth(q)]
    if v % 2 == 1:
        out.append(eth(IP(src=srv, dst=cli) / UDP(sport=53, dport=sport) / Raw(b"A%d" % v)))
    if i % 25 == 0 and v == 0:
        out.append(eth(IP(src=srv, dst=cli) / ICMP(type=3, code=3) /
                       IPerror(bytes(q[IP]))))
    return out


def tcp_visit(i, v):
    cli, srv, sport = f"10.72.0.{i + 1}", "10.73.0.1", 41000 + i
    c = lambda fl, seq, ack, data=b"": eth(IP(src=cli, dst=srv) / TCP(
        sport=sport, dport=80, flags=fl, seq=seq, ack=ack) / Raw(data))
    s = lambda fl, seq, ack, data=b"": eth(IP(src=srv, dst=cli) / TCP(
        sport=80, dport=sport, flags=fl, seq=seq, ack=ack) / Raw(data))
    if v == 0:
        return [c("S", 1000, 0), s("SA", 5000, 1001), c("A", 1001, 5001)]
    if v == 1:
        req = b"GET /again HTTP/1.0\r\n\r\n"
        ans = b"HTTP/1.0 200 OK\r\n\r\n"
        return [c("PA", 1001, 5001, req), s("PA", 5001, 1001 + len(req), ans)]
    req = b"GET /more HTTP/1.0\r\n\r\n"
    out = [c("PA", 1024, 5020, req)]
    if i % 3 == 0:
        out += [c("FA", 1024 + len(req), 5020), s("FA", 5020, 1025 + len(req))]
    return out


def vxlan_visit(i, v):
    inner = (Ether(src="00:00:00:00:30:01", dst="00:00:00:00:30:02") /
             IP(src=f"172.20.0.{i + 1}", dst="172.21.0.1") / UDP(sport=6000 + v, dport=8000) /
             Raw(b"ping"))
    return [eth(IP(src="10.74.0.1", dst="10.75.0.1") / UDP(sport=50000 + i, dport=4789) /
                VXLAN(vni=5) / inner)]


pkts = []
t = T0
for kind, i, v in ordered:
    for p in {"udp": udp_visit, "tcp": tcp_visit, "vxlan": vxlan_visit}[kind](i, v):
        p.time = t
        pkts.append(p)
        t += 0.0005
    t += 0.02
wrpcap(OUT, pkts)
print(f"{OUT}: {len(pkts)} packets")
