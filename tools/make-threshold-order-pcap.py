#!/usr/bin/env python3
"""Write tests/data/threshold-order.pcap: many flows of the same hosts that hit
rules whose state is shared across flows (thresholds and detection_filter
by_src / by_dst / by_rule / by_both, xbits by ip_src), for
tests/scenarios/test-determinism-threshold.sh. Needs scapy; the content is
fixed (no randomness), so running it again gives the same file.

Over about two minutes of packet time (T0 = 1700000000):
- 6 scanning sources (10.40.0.s) each open 60 UDP flows (30 in the second wave) (source port
  20000 + i) to 30 servers (10.41.0.d, port 7000 + i % 7), interleaved
  across sources and flows, so the flows of one source land on every worker
  and their packets alternate between workers. Each flow sends "SCAN" three
  times, a second apart, and every fifth flow "MARK" once, which sets an
  xbit on its source that later "CHECK" packets of other flows read.
- Between them, filler UDP to port 9 (no rule matches) of varying size, so
  that the workers do uneven work.
- A seventh source scans the same way through one VXLAN tunnel, so the
  tunnel's outer flow has packets in every worker in bursts of ten
  flows (a rule on the outer packets is thresholded by_src too).
- The window of the 60 s thresholds runs out in the middle (a second wave
  starts 70 s in), so the counts restart.
"""
import sys

from scapy.all import IP, UDP, Ether, Raw, wrpcap
from scapy.layers.vxlan import VXLAN

OUT = sys.argv[1] if len(sys.argv) > 1 else "tests/data/threshold-order.pcap"
T0 = 1700000000
MAC = dict(src="00:00:00:00:00:01", dst="00:00:00:00:00:02")

events = []  # (time, seq, packet): sorted by time, then by creation order


def at(t, pkt):
    events.append((t, len(events), pkt))


def udp(t, src, dst, sport, dport, data):
    at(t, Ether(**MAC) / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(data))


def vxlan(t, src, dst, sport, dport, data):
    """An inner UDP packet in the one VXLAN tunnel 10.60.0.1 <-> 10.60.0.2."""
    inner = Ether(**MAC) / IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(data)
    at(t, Ether(**MAC) / IP(src="10.60.0.1", dst="10.60.0.2") / UDP(sport=4789, dport=4789) /
       VXLAN(vni=42) / inner)


def wave(t0, n_flows):
    for i in range(n_flows):
        for s in range(6):
            src = f"10.40.0.{s + 1}"
            dst = f"10.41.0.{(i * 7 + s) % 30 + 1}"
            sport = 20000 + i
            dport = 7000 + i % 7
            t = t0 + i * 0.2 + s * 0.01
            for k in range(3):
                udp(t + k, src, dst, sport, dport, b"SCAN %03d %d" % (i, k))
                # filler from other hosts: uneven work for the workers
                udp(t + k + 0.001, f"10.50.{i % 9}.{k + 1}", "10.51.0.1", 30000 + i, 9,
                    b"x" * (32 + (i * 37 + s * 11 + k) % 300))
            if i % 5 == 0:
                udp(t + 0.5, src, dst, sport, dport, b"MARK")
            if i % 5 == 3:
                udp(t + 0.6, src, dst, sport, dport, b"CHECK")
            # the server answers: by_dst counts see it as the source
            udp(t + 0.7, dst, src, dport, sport, b"REPLY %03d" % i)
        # a seventh source scans through the tunnel, in bursts of ten flows
        # back to back: its inner flows run in every worker, and so do the
        # packets of the one outer flow
        for k in range(3):
            vxlan(t0 + (i // 10) * 2 + 0.08 + k * 0.5 + (i % 10) * 1e-5, "10.40.0.7",
                  f"10.41.0.{i % 30 + 1}", 21000 + i, 7000 + i % 7, b"SCAN %03d %d" % (i, k))


wave(T0, 60)
wave(T0 + 70, 30)

events.sort(key=lambda e: (e[0], e[1]))
pkts = []
for t, _, p in events:
    p.time = t
    pkts.append(p)
wrpcap(OUT, pkts)
print(f"{OUT}: {len(pkts)} packets")
