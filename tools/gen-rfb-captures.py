#!/usr/bin/env python3
"""Crafts the small RFB capture of tests/data/app-layer/ (scenario test) and the seeds of
fuzz/corpus/fuzz-app-layer-rfb/.

  /usr/bin/python3 tools/gen-rfb-captures.py tests/data/app-layer fuzz/corpus/fuzz-app-layer-rfb

rfb.pcap: two TCP connections. To port 5900: an RFB 3.8 handshake with VNC
authentication (the challenge split over two segments), SecurityResult OK, ClientInit,
ServerInit naming "lab-desktop", then a client message (not parsed). To port 6000 (found
by the "RFB " pattern): a 3.8 server offering types 1 and 30, the client choosing 30
(unimplemented_security_type).
"""
import os
import struct
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.59"
T0 = 1700000000.0

CHALL = bytes(range(16))
RESP = bytes(range(16, 32))
SINIT = (struct.pack(">HH", 1024, 768) + bytes([32, 24, 0, 1]) +
         struct.pack(">HHH", 255, 255, 255) + bytes([16, 8, 0, 0, 0, 0]) +
         struct.pack(">I", 11) + b"lab-desktop")


def conn(sport, dport, steps):
    pkts = []
    seq = {"c": 1000, "s": 5000}

    def send(frm, data=b"", flags="PA"):
        if frm == "c":
            p = IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=dport, flags=flags,
                                           seq=seq["c"], ack=seq["s"])
        else:
            p = IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=sport, flags=flags,
                                           seq=seq["s"], ack=seq["c"])
        if data:
            p = p / Raw(data)
        pkts.append(p)
        seq[frm] += len(data) + (1 if "S" in flags or "F" in flags else 0)

    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=dport, flags="S", seq=999))
    pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=sport, flags="SA", seq=4999,
                                           ack=1000))
    send("c", flags="A")
    for frm, data in steps:
        send(frm, data)
    send("c", flags="FA")
    send("s", flags="FA")
    send("c", flags="A")
    return pkts


VNC = [("s", b"RFB 003.008\n"), ("c", b"RFB 003.008\n"), ("s", b"\x02\x12\x02"),
       ("c", b"\x02"), ("s", CHALL[:7]), ("s", CHALL[7:]), ("c", RESP),
       ("s", b"\x00\x00\x00\x00"), ("c", b"\x01"), ("s", SINIT),
       ("c", b"\x03\x00\x00\x00\x00\x00\x04\x00\x03\x00")]
UNIMPL = [("s", b"RFB 003.008\n"), ("c", b"RFB 003.008\n"), ("s", b"\x02\x01\x1e"),
          ("c", b"\x1e"), ("s", b"\x00" * 20)]


def chunks(parts):
    out = b""
    for frm, data in parts:
        d = 0x80 if frm == "s" else 0
        out += bytes([d | 63]) + struct.pack(">H", len(data)) + data
    return out


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/app-layer"
    corpus = sys.argv[2] if len(sys.argv) > 2 else "fuzz/corpus/fuzz-app-layer-rfb"
    pkts = conn(40001, 5900, VNC) + conn(40002, 6000, UNIMPL)
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    wrpcap(os.path.join(out, "rfb.pcap"), pkts)
    os.makedirs(corpus, exist_ok=True)
    v33 = [("s", b"RFB 003.003\n"), ("c", b"RFB 003.003\n"), ("s", b"\x00\x00\x00\x01"),
           ("c", b"\x00"), ("s", SINIT[:20] + b"\xff\xff\xff\xff")]
    for i, seed in enumerate((VNC, UNIMPL, v33)):
        with open(os.path.join(corpus, "seed-%d" % i), "wb") as f:
            f.write(chunks(seed))


if __name__ == "__main__":
    main()
