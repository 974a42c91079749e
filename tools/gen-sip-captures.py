#!/usr/bin/env python3
"""Crafts the small SIP captures of tests/data/app-layer/ (scenario tests) and the seeds
of fuzz/corpus/fuzz-app-layer-sip/.

  /usr/bin/python3 tools/gen-sip-captures.py tests/data/app-layer fuzz/corpus/fuzz-app-layer-sip

sip-udp.pcap: one UDP flow 5060 -> 5060: INVITE with compact headers (v, f, t, c, l),
two To lines and an SDP body; a "100 Trying"; a 5-byte keep-alive of blanks; a datagram
of garbage (invalid_data); an OPTIONS cut inside its head (incomplete_data).
sip-tcp.pcap: one TCP connection to port 5080 (not a SIP port: found by the probe):
a REGISTER split over two segments, then a MESSAGE with an 11-byte body followed in
the same segment by an OPTIONS; the server answers "200 OK" twice.
"""
import os
import struct
import sys

from scapy.all import IP, TCP, UDP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.60"
T0 = 1700000000.0

INVITE = (b"INVITE sip:bob@example.org SIP/2.0\r\n"
          b"v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
          b"f: \"Alice\" <sip:alice@example.org>;tag=1928301774\r\n"
          b"t: <sip:bob@example.org>\r\n"
          b"To: <sip:12345@example.org>\r\n"
          b"Call-ID: a84b4c76e66710@10.0.0.1\r\n"
          b"CSeq: 314159 INVITE\r\n"
          b"User-Agent: VigilPhone 2.1\r\n"
          b"c: application/sdp\r\n"
          b"l: 31\r\n\r\n"
          b"v=0\r\no=alice 1 1 IN IP4 10.0.0.1\r\n")
TRYING = (b"SIP/2.0 100 Trying\r\n"
          b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
          b"Content-Length: 0\r\n\r\n")
CUT = b"OPTIONS sip:bob@example.org SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1"
REGISTER = (b"REGISTER sip:example.org;transport=TCP SIP/2.0\r\n"
            b"Via: SIP/2.0/TCP 10.0.0.1:40001;branch=z9hG4bKreg\r\n"
            b"From: <sip:alice@example.org>;tag=77\r\n"
            b"To: <sip:alice@example.org>\r\n"
            b"User-Agent: VigilPhone 2.1\r\n"
            b"Content-Length: 0\r\n\r\n")
MESSAGE = (b"MESSAGE sip:bob@example.org SIP/2.0\r\n"
           b"Content-Type: text/plain\r\n"
           b"Content-Length: 11\r\n\r\n"
           b"hello world")
OPTIONS = b"OPTIONS sip:bob@example.org SIP/2.0\r\nContent-Length: 0\r\n\r\n"
OK = b"SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"


def udp_flow():
    pkts = []
    for frm, data in (("c", INVITE), ("s", TRYING), ("c", b"     "),
                      ("c", b"\x01\x02 not sip\r\n\r\n"), ("c", CUT)):
        src, dst = (CLI, SRV) if frm == "c" else (SRV, CLI)
        pkts.append(IP(src=src, dst=dst) / UDP(sport=5060, dport=5060) / Raw(data))
    return pkts


def tcp_flow(dport=5080):
    pkts = []
    seq = {"c": 1000, "s": 5000}

    def send(frm, data=b"", flags="PA"):
        if frm == "c":
            p = IP(src=CLI, dst=SRV) / TCP(sport=40001, dport=dport, flags=flags,
                                           seq=seq["c"], ack=seq["s"])
        else:
            p = IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=40001, flags=flags,
                                           seq=seq["s"], ack=seq["c"])
        if data:
            p = p / Raw(data)
        pkts.append(p)
        seq[frm] += len(data) + (1 if "S" in flags or "F" in flags else 0)

    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=40001, dport=dport, flags="S", seq=999))
    pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=40001, flags="SA", seq=4999,
                                           ack=1000))
    send("c", flags="A")
    send("c", REGISTER[:70])
    send("c", REGISTER[70:])
    send("s", OK)
    send("c", MESSAGE + OPTIONS)
    send("s", OK)
    send("c", flags="FA")
    send("s", flags="FA")
    send("c", flags="A")
    return pkts


def chunks(parts):
    """fuzz-app-layer-sip input: mode byte, then (header, bytes) chunks."""
    out = b""
    for to_client, data in parts:
        d = 0x80 if to_client else 0
        if 0 < len(data) <= 63:
            out += bytes([d | (len(data) - 1)]) + data
        else:
            out += bytes([d | 63]) + struct.pack(">H", len(data)) + data
    return out


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/app-layer"
    corpus = sys.argv[2] if len(sys.argv) > 2 else "fuzz/corpus/fuzz-app-layer-sip"
    for name, pkts in (("sip-udp", udp_flow()), ("sip-tcp", tcp_flow())):
        for i, p in enumerate(pkts):
            p.time = T0 + i * 0.001
        wrpcap(os.path.join(out, name + ".pcap"), pkts)
    os.makedirs(corpus, exist_ok=True)
    seeds = [
        b"\x00" + chunks([(False, INVITE), (True, TRYING), (False, b"   "), (False, CUT)]),
        b"\x01" + chunks([(False, REGISTER[:70]), (False, REGISTER[70:]), (True, OK),
                          (False, MESSAGE + OPTIONS), (True, OK)]),
        b"\x01" + chunks([(False, b"INVITE sip:x SIP/2.0\r\nl: 99999999999\r\n\r\n"),
                          (False, b"A" * 300)]),
    ]
    for i, s in enumerate(seeds):
        with open(os.path.join(corpus, "seed-%d" % i), "wb") as f:
            f.write(s)


if __name__ == "__main__":
    main()
