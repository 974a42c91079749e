#!/usr/bin/env python3
"""Crafts the small WebSocket capture of tests/data/app-layer/ (scenario test) and the
seeds of fuzz/corpus/fuzz-app-layer-websocket/.

  /usr/bin/python3 tools/gen-websocket-captures.py tests/data/app-layer fuzz/corpus/fuzz-app-layer-websocket

websocket.pcap: one TCP connection to port 8080: an HTTP/1.1 GET with "Upgrade:
websocket" answered 101; then a masked text frame, a text message in two masked
fragments with a ping between them (the fragments split over segments), the server's
pong and a binary frame with a 16-bit length, and a close frame each way.
"""
import os
import struct
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.80"
T0 = 1700000000.0
KEY = b"\x12\x34\x56\x78"

REQ = (b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\n"
       b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
       b"Sec-WebSocket-Version: 13\r\n\r\n")
RSP = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
       b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")


def frame(b0, payload, masked):
    n = len(payload)
    if n < 126:
        hdr = bytes([b0, (0x80 if masked else 0) | n])
    else:
        hdr = bytes([b0, (0x80 if masked else 0) | 126]) + struct.pack(">H", n)
    if masked:
        payload = bytes(c ^ KEY[i % 4] for i, c in enumerate(payload))
        hdr += KEY
    return hdr + payload


HELLO = frame(0x81, b"hello server", True)
FRAG1 = frame(0x01, b"run cmd.exe ", True)
PING = frame(0x89, b"hb", True)
FRAG2 = frame(0x80, b"/c whoami", True)
PONG = frame(0x8a, b"hb", False)
BINARY = frame(0x82, bytes(range(256)) * 2, False)
CLOSE_C = frame(0x88, b"\x03\xe8", True)
CLOSE_S = frame(0x88, b"\x03\xe8", False)


def flow(dport=8080):
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
    send("c", REQ)
    send("s", RSP)
    send("c", HELLO)
    send("c", FRAG1 + PING[:3])
    send("c", PING[3:] + FRAG2)
    send("s", PONG + BINARY)
    send("c", CLOSE_C)
    send("s", CLOSE_S)
    send("c", flags="FA")
    send("s", flags="FA")
    send("c", flags="A")
    return pkts


def chunks(parts):
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
    corpus = sys.argv[2] if len(sys.argv) > 2 else "fuzz/corpus/fuzz-app-layer-websocket"
    pkts = flow()
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    wrpcap(os.path.join(out, "websocket.pcap"), pkts)
    os.makedirs(corpus, exist_ok=True)
    seeds = [
        chunks([(False, REQ), (True, RSP), (False, HELLO), (False, FRAG1 + PING + FRAG2),
                (True, PONG + BINARY), (False, CLOSE_C), (True, CLOSE_S)]),
        chunks([(False, REQ), (True, RSP),
                (True, b"\x82\x7f\x7f\xff\xff\xff\xff\xff\xff\xff" + b"x" * 200)]),
    ]
    for i, seed in enumerate(seeds):
        with open(os.path.join(corpus, "seed-%d" % i), "wb") as f:
            f.write(seed)


if __name__ == "__main__":
    main()
