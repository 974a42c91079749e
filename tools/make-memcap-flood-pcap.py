#!/usr/bin/env python3
"""Write a capture for tests/scenarios/test-determinism-memcap-flood.sh: tens
of thousands of UDP flows that fill a flow.memcap of ~20,000 flows part way
through, so a run starts far from the memcap (threads look flows up in
parallel) and only later reaches it (one at a time, in packet order). Plain
Python (no scapy: it would take a minute), a seeded generator: the same
file every time. Usage: make-memcap-flood-pcap.py OUT.pcap

Packet time (T0 = 1700300000):
- 0-8 s: 15,000 flows 10.80.x.y:p -> 10.81.0.z:53, a query each, half of
  them answered a little later ("A" payload), some queries carry "hit";
- 8-10 s: 10,000 more flows 10.82.x.y (past the memcap: emergency mode,
  flows forced out, then emergency passes until the flows fall back);
- 25-40 s: a quiet trickle, one query a second from 10.83.0.1;
- 60-70 s: 6,000 flows of the first two sets asked again ("again"), in a
  shuffled order, with a few new ones between them.
"""
import random
import struct
import sys

T0 = 1700300000
rng = random.Random(15)
out = []  # (ts_us, frame)


def ip_csum(b):
    s = sum(struct.unpack("!10H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, payload):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0,
                      bytes(src), bytes(dst))
    hdr = hdr[:10] + struct.pack("!H", ip_csum(hdr)) + hdr[12:]
    eth = b"\x00\x00\x00\x00\x00\x02\x00\x00\x00\x00\x00\x01\x08\x00"
    return eth + hdr + udp


def cli(net, i):
    return (10, net, (i // 250) % 256, i % 250 + 1)


def srv(i):
    return (10, 81, 0, i % 5 + 1)


def add(t_s, src, dst, sport, dport, payload):
    out.append((int(t_s * 1e6), frame(src, dst, sport, dport, payload)))


def query(t, net, i, word=b"Q"):
    add(t, cli(net, i), srv(i), 20000 + i % 30000, 53, word + b"%d" % i)


def answer(t, net, i):
    add(t, srv(i), cli(net, i), 53, 20000 + i % 30000, b"A%d" % i)


for i in range(15000):
    t = i * 8.0 / 15000
    query(t, 80, i, b"hit" if i % 97 == 0 else b"Q")
    if i % 2 == 0:
        answer(t + rng.uniform(0.001, 0.5), 80, i)
for i in range(10000):
    query(8 + i * 2.0 / 10000, 82, i, b"hit" if i % 89 == 0 else b"Q")
for s in range(15):
    add(25 + s, (10, 83, 0, 1), (10, 81, 0, 9), 40000, 53, b"tick%d" % s)
again = [(80, i) for i in rng.sample(range(15000), 4000)]
again += [(82, i) for i in rng.sample(range(10000), 2000)]
rng.shuffle(again)
for k, (net, i) in enumerate(again):
    t = 60 + k * 10.0 / len(again)
    query(t, net, i, b"again")
    if k % 5 == 0:
        query(t + 0.0005, 84, k)
out.sort(key=lambda x: x[0])
with open(sys.argv[1] if len(sys.argv) > 1 else "memcap-flood.pcap", "wb") as fh:
    fh.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
    for ts, fr in out:
        sec, usec = divmod(ts, 1000000)
        fh.write(struct.pack("<IIII", T0 + sec, usec, len(fr), len(fr)) + fr)
