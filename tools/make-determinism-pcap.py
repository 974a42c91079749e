#!/usr/bin/env python3
"""Write tests/data/determinism.pcap: traffic whose flow records depend on
packet time in every way a thread race could change them, for
tests/scenarios/test-determinism.sh. Needs scapy; the content is fixed (no
randomness), so running it again gives the same file.

Over about 40 minutes of packet time (T0 = 1700000000):
- 48 TCP connections (10.20.c.1 -> 10.21.0.s:80): handshake, a request and
  an answer; a third close with FIN both ways, a third with RST, a third
  stay open. Every fourth one comes back after an idle gap: 590 s
  (established, under the 600 s timeout: same flow), 610 s (over it: the
  old flow ends by timeout, a new one starts midstream), and the closed ones
  after 70 s (closed timeout 60 s).
- 64 UDP query/answer pairs (10.30.0.c:p -> 10.31.0.1:53); some ask again
  after 29 s / 31 s with no answer (new: 30 s) or after 299 s / 301 s
  (answered: 300 s). Every eighth query gets an ICMP port unreachable
  quoting it, and a few ICMP errors quote flows that never existed.
- UDP datagrams sent as IPv4 fragments (and one IPv6) inside flows that
  also send unfragmented packets, fragments in and out of order.
- Tunnels: GRE and IPv4-in-IPv4 carrying TCP, and VXLAN whose two
  directions use different outer UDP source ports, carrying UDP.
- A few packets stamped up to 2 s earlier than the one before (merged
  captures do that), and filler UDP so that each flow thread passes the
  packet count at which it runs a timeout pass.
- A long quiet stretch at the end, so that at the last packet some flows
  are past their timeout and some are not.
"""
import sys

from scapy.all import GRE, ICMP, IP, TCP, UDP, Ether, IPv6, IPv6ExtHdrFragment, Raw, fragment, wrpcap
from scapy.layers.inet import IPerror, UDPerror
from scapy.layers.vxlan import VXLAN

OUT = sys.argv[1] if len(sys.argv) > 1 else "tests/data/determinism.pcap"
T0 = 1700000000
MAC = dict(src="00:00:00:00:00:01", dst="00:00:00:00:00:02")

events = []  # (time, seq, packet): sorted by time, then by creation order


def at(t, pkt):
    events.append((t, len(events), pkt))


def eth(p):
    return Ether(**MAC) / p


def tcp_conn(t, cli, srv, sport, close, gap):
    seq_c, seq_s = 1000, 5000
    at(t, eth(IP(src=cli, dst=srv) / TCP(sport=sport, dport=80, flags="S", seq=seq_c)))
    at(t + 0.01, eth(IP(src=srv, dst=cli) / TCP(sport=80, dport=sport, flags="SA", seq=seq_s,
                                                ack=seq_c + 1)))
    at(t + 0.02, eth(IP(src=cli, dst=srv) / TCP(sport=sport, dport=80, flags="A",
                                                seq=seq_c + 1, ack=seq_s + 1)))
    req = b"GET / HTTP/1.0\r\n\r\n"
    at(t + 0.03, eth(IP(src=cli, dst=srv) / TCP(sport=sport, dport=80, flags="PA",
                                                seq=seq_c + 1, ack=seq_s + 1) / req))
    ans = b"HTTP/1.0 200 OK\r\n\r\nhello"
    at(t + 0.05, eth(IP(src=srv, dst=cli) / TCP(sport=80, dport=sport, flags="PA",
                                                seq=seq_s + 1, ack=seq_c + 1 + len(req)) / ans))
    c2, s2 = seq_c + 1 + len(req), seq_s + 1 + len(ans)
    end = t + 0.06
    if close == "fin":
        at(end, eth(IP(src=cli, dst=srv) / TCP(sport=sport, dport=80, flags="FA", seq=c2, ack=s2)))
        at(end + 0.01, eth(IP(src=srv, dst=cli) / TCP(sport=80, dport=sport, flags="FA", seq=s2,
                                                      ack=c2 + 1)))
        c2, s2 = c2 + 1, s2 + 1
    elif close == "rst":
        at(end, eth(IP(src=cli, dst=srv) / TCP(sport=sport, dport=80, flags="R", seq=c2)))
    if gap:
        # back after the gap: one more exchange on the same tuple
        at(end + gap, eth(IP(src=cli, dst=srv) / TCP(sport=sport, dport=80, flags="PA", seq=c2,
                                                     ack=s2) / b"again"))
        at(end + gap + 0.01, eth(IP(src=srv, dst=cli) / TCP(sport=80, dport=sport, flags="A",
                                                            seq=s2, ack=c2 + 5)))


def tcp_traffic():
    for c in range(48):
        close = ("fin", "rst", "open")[c % 3]
        gap = 0
        if c % 4 == 0:
            gap = {"open": (590, 610)[(c // 4) % 2], "fin": 70, "rst": 70}[close]
        tcp_conn(T0 + 5 * c + 0.5, f"10.20.{c}.1", f"10.21.0.{c % 5 + 1}", 40000 + c, close, gap)


def udp_traffic():
    srv = "10.31.0.1"
    for c in range(64):
        cli = f"10.30.0.{c % 16 + 1}"
        sport = 50000 + c
        t = T0 + 3 * c + 0.25
        q = IP(src=cli, dst=srv) / UDP(sport=sport, dport=53) / Raw(b"Q%03d" % c)
        at(t, eth(q))
        answered = c % 8 != 0
        if answered:
            at(t + 0.02, eth(IP(src=srv, dst=cli) / UDP(sport=53, dport=sport) / Raw(b"A%03d" % c)))
        else:
            err = IP(src=srv, dst=cli) / ICMP(type=3, code=3) / IPerror(bytes(q)[:28])
            at(t + 0.02, eth(err))
        again = {1: 29, 2: 31, 3: 299, 4: 301}.get(c % 8)
        if again:
            at(t + again, eth(IP(src=cli, dst=srv) / UDP(sport=sport, dport=53) / Raw(b"R%03d" % c)))
    # errors quoting flows that never existed
    for c in range(4):
        ghost = IP(src="10.30.9.9", dst="10.31.9.9") / UDP(sport=6000 + c, dport=7000)
        err = IP(src="10.31.9.9", dst="10.30.9.9") / ICMP(type=3, code=3) / IPerror(bytes(ghost)[:28])
        at(T0 + 400 + c, eth(err))


def frag_traffic():
    for c in range(6):
        src, dst = f"10.40.0.{c + 1}", "10.41.0.1"
        t = T0 + 20 * c + 1.5
        small = IP(src=src, dst=dst) / UDP(sport=5000 + c, dport=9000) / Raw(b"s" * 8)
        at(t, eth(small))
        big = IP(src=src, dst=dst, id=100 + c) / UDP(sport=5000 + c, dport=9000) / Raw(b"B" * 600)
        frags = fragment(big, fragsize=256)
        if c % 2:
            frags = list(reversed(frags))
        for i, f in enumerate(frags):
            at(t + 0.1 + 0.01 * i, eth(f))
        at(t + 0.3, eth(IP(src=dst, dst=src) / UDP(sport=9000, dport=5000 + c) / Raw(b"ok")))
    # IPv6: first fragment carries the UDP header, the second the rest
    payload = bytes(UDP(sport=5100, dport=9100, len=8 + 64, chksum=0)) + b"6" * 64
    for i, (off, more) in enumerate([(0, 1), (40, 0)]):
        ip6 = IPv6(src="2001:db8:40::1", dst="2001:db8:41::1", nh=44)
        fh = IPv6ExtHdrFragment(nh=17, offset=off // 8, m=more, id=4711)
        at(T0 + 130 + 0.01 * i, eth(ip6 / fh / Raw(payload[off:off + 40] if more else payload[off:])))


def tunnel_traffic():
    for c in range(6):
        t = T0 + 30 * c + 2.5
        inner_c, inner_s = f"10.50.{c}.1", f"10.51.{c}.1"
        syn = IP(src=inner_c, dst=inner_s) / TCP(sport=41000 + c, dport=443, flags="S", seq=1)
        synack = IP(src=inner_s, dst=inner_c) / TCP(sport=443, dport=41000 + c, flags="SA", seq=9,
                                                    ack=2)
        ack = IP(src=inner_c, dst=inner_s) / TCP(sport=41000 + c, dport=443, flags="A", seq=2, ack=10)
        if c % 2:
            wrap = [IP(src="192.0.2.1", dst="192.0.2.2") / GRE(), IP(src="192.0.2.2", dst="192.0.2.1") / GRE()]
        else:
            wrap = [IP(src="192.0.2.3", dst="192.0.2.4"), IP(src="192.0.2.4", dst="192.0.2.3")]
        at(t, eth(wrap[0] / syn))
        at(t + 0.01, eth(wrap[1] / synack))
        at(t + 0.02, eth(wrap[0] / ack))
    for c in range(6):
        t = T0 + 25 * c + 3.5
        a, b = f"10.60.{c}.1", f"10.61.{c}.1"
        out_ab = IP(src="192.0.2.10", dst="192.0.2.11") / UDP(sport=33000 + c, dport=4789) / VXLAN(vni=77)
        out_ba = IP(src="192.0.2.11", dst="192.0.2.10") / UDP(sport=34000 + c, dport=4789) / VXLAN(vni=77)
        for k in range(3):
            at(t + k, eth(out_ab / Ether(**MAC) / IP(src=a, dst=b) / UDP(sport=7000 + c, dport=8000) /
                          Raw(b"ping%d" % k)))
            at(t + k + 0.005, eth(out_ba / Ether(**MAC) / IP(src=b, dst=a) / UDP(sport=8000, dport=7000 + c)
                                  / Raw(b"pong%d" % k)))


def filler():
    # 1200 small UDP packets over 20 minutes, 20 flows with one every 20 s
    # each (under the 30 s timeout of a new flow): passes run in every thread
    for i in range(1200):
        c = i % 20
        at(T0 + i + 0.75, eth(IP(src=f"10.70.0.{c + 1}", dst="10.71.0.1") /
                              UDP(sport=20000 + c, dport=20000) / Raw(b"f")))


def late_traffic():
    # near the end: still alive at the last packet (shutdown), or just not
    for c in range(6):
        tcp_conn(T0 + 1850 + 60 * c, f"10.90.{c}.1", "10.91.0.1", 45000 + c, "open", 0)
        at(T0 + 2360 + 3 * c, eth(IP(src=f"10.92.0.{c + 1}", dst="10.93.0.1") /
                                  UDP(sport=46000 + c, dport=53) / Raw(b"late")))


tcp_traffic()
late_traffic()
udp_traffic()
frag_traffic()
tunnel_traffic()
filler()
events.sort(key=lambda e: (e[0], e[1]))
pkts = []
for i, (t, _, p) in enumerate(events):
    # every 97th packet is stamped up to 2 s early, as in a merged capture
    p.time = t - (1.5 + (i % 3) * 0.25) if i % 97 == 50 else t
    pkts.append(p)
# the last word, long after: flows idle past their timeout by now end as timeouts
last = eth(IP(src="10.80.0.1", dst="10.81.0.1") / UDP(sport=1, dport=2) / Raw(b"end"))
last.time = T0 + 2400
pkts.append(last)
wrpcap(OUT, pkts)
