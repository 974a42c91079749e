#!/usr/bin/python3
"""Craft the overlap-evasion captures of tests/data/stream/ (scapy).

Each capture is one complete TCP session 10.0.0.1:40000 -> 10.0.0.2:80 in
which the client sends two overlapping segments, out of order, with
different data. Which bytes the server keeps depends on its TCP stack (the
overlap policy), so a rule for "GET /evil" matches only the target's view
and a rule for "GET /good" only the decoy's.

  overlap-before.pcap   old "good" at offsets 5..9, then new "GET /evil" at
                        0..9 (starts before, same end): first, vista and
                        bsd-right keep "GET /good"; every other policy
                        reassembles "GET /evil".
  overlap-samestart.pcap old "GET /good" at 0..9, then new "GET /evil!" at
                        0..10 (same start, longer): linux, old-linux,
                        solaris, hpux11 and last reassemble "GET /evil!";
                        the others keep "GET /good!".
  sessionless.pcap      no handshake: two RST/ACKs from the server and a data
                        packet from the client of 10.0.0.1:40001 -> :80
                        (without stream.midstream no session is kept: the
                        flow stays new, as in Suricata).

Usage: tools/gen-stream-captures.py tests/data/stream
"""
import sys

from scapy.all import IP, TCP, Ether, wrpcap

CLI, SRV, SP, DP = "10.0.0.1", "10.0.0.2", 40000, 80
CISN, SISN = 1000, 5000


def pkt(src, dst, sp, dp, flags, seq, ack, data=b""):
    return Ether() / IP(src=src, dst=dst) / TCP(sport=sp, dport=dp, flags=flags, seq=seq,
                                                ack=ack, window=65535) / data


def c2s(flags, seq, ack, data=b""):
    return pkt(CLI, SRV, SP, DP, flags, seq, ack, data)


def s2c(flags, seq, ack, data=b""):
    return pkt(SRV, CLI, DP, SP, flags, seq, ack, data)


def session(segments, total_len):
    """segments: (offset, bytes) in sending order."""
    c0, s0 = CISN + 1, SISN + 1
    pkts = [c2s("S", CISN, 0), s2c("SA", SISN, c0), c2s("A", c0, s0)]
    for off, data in segments:
        pkts.append(c2s("PA", c0 + off, s0, data))
    end = c0 + total_len
    pkts += [s2c("A", s0, end), c2s("FA", end, s0), s2c("FA", s0, end + 1),
             c2s("A", end + 1, s0 + 1)]
    t = 1700000000.0
    for i, p in enumerate(pkts):
        p.time = t + i * 0.001
    return pkts


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/stream"
    wrpcap(out + "/overlap-before.pcap", session([(5, b"good"), (0, b"GET /evil")], 9))
    wrpcap(out + "/overlap-samestart.pcap",
           session([(0, b"GET /good"), (0, b"GET /evil!")], 10))
    rst = [pkt(SRV, CLI, DP, SP + 1, "RA", SISN, CISN), pkt(CLI, SRV, SP + 1, DP, "PA", CISN, SISN, b"hello"),
           pkt(SRV, CLI, DP, SP + 1, "RA", SISN, CISN + 5)]
    for i, p in enumerate(rst):
        p.time = 1700000000.0 + i * 0.001
    wrpcap(out + "/sessionless.pcap", rst)


if __name__ == "__main__":
    main()
