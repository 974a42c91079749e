#!/usr/bin/env /usr/bin/python3
"""Crafts the small industrial-protocol captures of tests/data/app-layer/ (scenario
tests) and the seeds of their fuzz targets (fuzz/corpus/fuzz-app-layer-<proto>/).

  /usr/bin/python3 tools/gen-ics-captures.py tests/data/app-layer fuzz/corpus

dnp3-tcp.pcap: one DNP3 connection to port 20000: a read of class 0 (request), the
response with IIN device_restart and two 32-bit analog inputs (one frame), a write
split over three transport segments (a 300-byte octet string), its response, a frame
with a bad header CRC, then a response with an unknown object (group 200).
dnp3-udp.pcap: a request and its response over UDP port 20000, and a datagram holding
the start of a frame only (len_too_small).
enip-tcp.pcap: EtherNet/IP on port 44818: ListIdentity and its reply (identity of a
"1756-ENBT/A", vendor 1, revision 4.3), RegisterSession and reply, SendRRData with a
CIP Get Attribute Single (class 1, instance 1, attribute 7) and its reply, then a
message with an unknown command (invalid_pdu).
enip-udp.pcap: ListIdentity over UDP 44818 and its reply, then a datagram whose length
field disagrees with its size (invalid_pdu).
modbus-tcp.pcap: Modbus/TCP on port 502, unit 10: read 4 holding registers at 100 and
the reply, write single register 500 = 300 and its echo, write multiple registers
(3 at 600) answered by exception 2, a request with protocol id 1, and a response
nobody asked for (transaction 99).
"""
import os
import struct
import sys

from scapy.all import IP, TCP, UDP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.20"
T0 = 1700000000.0


def crc(data):
    c = 0
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ 0xA6BC if c & 1 else c >> 1
    return struct.pack("<H", ~c & 0xFFFF)


def frame(ctl, dst, src, user):
    hdr = bytes([0x05, 0x64, 5 + len(user), ctl]) + struct.pack("<HH", dst, src)
    out = hdr + crc(hdr)
    for i in range(0, len(user), 16):
        out += user[i:i + 16] + crc(user[i:i + 16])
    return out


def request(app):
    return frame(0xC4, 10, 1, b"\xc0" + app)


def response(app):
    return frame(0x44, 1, 10, b"\xc0" + app)


READ = bytes([0xC1, 0x01, 60, 1, 0x06])
RESP = bytes([0xC1, 0x81, 0x80, 0x00, 30, 1, 0x00, 0, 1,
              0x01]) + struct.pack("<i", 42) + b"\x03" + struct.pack("<i", -2)
WRITE = bytes([0xC2, 0x02, 110, 100, 0x00, 0, 2]) + b"A" * 300
WRITE_RESP = bytes([0xC2, 0x81, 0x00, 0x00])
UNKNOWN = bytes([0xC3, 0x81, 0x00, 0x00, 200, 1, 0x00, 0, 0, 0xFF])


def segmented(app, per=120):
    out = b""
    parts = [app[i:i + per] for i in range(0, len(app), per)]
    for i, part in enumerate(parts):
        th = (0x40 if i == 0 else 0) | (0x80 if i == len(parts) - 1 else 0) | i
        out += frame(0xC4, 10, 1, bytes([th]) + part)
    return out


def tcp_session(dport, exchanges, sport=40020):
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
    for frm, data in exchanges:
        send(frm, data)
        send("s" if frm == "c" else "c", flags="A")
    send("c", flags="FA")
    send("s", flags="FA")
    send("c", flags="A")
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    return pkts


def dnp3_tcp():
    bad = bytearray(request(READ))
    bad[8] ^= 0xFF
    return [("c", request(READ)), ("s", response(RESP)), ("c", segmented(WRITE)),
            ("s", response(WRITE_RESP)), ("c", bytes(bad)), ("s", response(UNKNOWN))]


def dnp3_udp():
    pkts = []
    for i, (frm, data) in enumerate([("c", request(READ)), ("s", response(RESP)),
                                     ("c", request(READ)[:7])]):
        if frm == "c":
            p = IP(src=CLI, dst=SRV) / UDP(sport=40021, dport=20000) / Raw(data)
        else:
            p = IP(src=SRV, dst=CLI) / UDP(sport=20000, dport=40021) / Raw(data)
        p.time = T0 + 10 + i * 0.001
        pkts.append(p)
    return pkts


def enip(cmd, data=b"", session=0, status=0):
    return struct.pack("<HHII8sI", cmd, len(data), session, status, b"\x00" * 8, 0) + data


def cpf(items):
    out = struct.pack("<H", len(items))
    for t, d in items:
        out += struct.pack("<HH", t, len(d)) + d
    return out


def identity_item():
    name = b"1756-ENBT/A"
    d = struct.pack("<H", 1) + struct.pack(">HH4s8s", 2, 44818, bytes([10, 0, 0, 20]), b"\0" * 8)
    d += struct.pack("<HHHBBHIB", 1, 12, 58, 4, 3, 0x0030, 0x00C0FFEE, len(name)) + name
    return d + b"\x03"


def enip_tcp():
    cip_req = bytes([0x0E, 3, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07])
    cip_rsp = bytes([0x8E, 0, 0, 0]) + b"\x0bENBT-module"
    rr = lambda cip: struct.pack("<IH", 0, 0) + cpf([(0, b""), (0xB2, cip)])
    return [("c", enip(0x63)), ("s", enip(0x63, cpf([(0x0C, identity_item())]))),
            ("c", enip(0x65, b"\x01\x00\x00\x00")),
            ("s", enip(0x65, b"\x01\x00\x00\x00", session=0x1234)),
            ("c", enip(0x6F, rr(cip_req), session=0x1234)),
            ("s", enip(0x6F, rr(cip_rsp), session=0x1234)),
            ("c", enip(0x99, b"\x00" * 4, session=0x1234))]


def enip_udp():
    pkts = []
    bad = bytearray(enip(0x63))
    bad[2] = 9
    for i, (frm, data) in enumerate([("c", enip(0x63)),
                                     ("s", enip(0x63, cpf([(0x0C, identity_item())]))),
                                     ("c", bytes(bad))]):
        if frm == "c":
            p = IP(src=CLI, dst=SRV) / UDP(sport=40031, dport=44818) / Raw(data)
        else:
            p = IP(src=SRV, dst=CLI) / UDP(sport=44818, dport=40031) / Raw(data)
        p.time = T0 + 20 + i * 0.001
        pkts.append(p)
    return pkts


def mbap(tid, pdu, unit=10, proto=0):
    return struct.pack(">HHHB", tid, proto, len(pdu) + 1, unit) + pdu


def modbus_tcp():
    return [("c", mbap(1, struct.pack(">BHH", 3, 100, 4))),
            ("s", mbap(1, bytes([3, 8]) + struct.pack(">4H", 1, 2, 3, 4))),
            ("c", mbap(2, struct.pack(">BHH", 6, 500, 300))),
            ("s", mbap(2, struct.pack(">BHH", 6, 500, 300))),
            ("c", mbap(3, struct.pack(">BHHB3H", 16, 600, 3, 6, 7, 8, 9))),
            ("s", mbap(3, bytes([0x90, 2]))),
            ("c", mbap(4, struct.pack(">BHH", 1, 0, 8), proto=1)),
            ("s", mbap(4, bytes([1, 1, 0xFF]))),
            ("s", mbap(99, bytes([3, 2, 0, 1])))]


def chunks(exchanges):
    """fuzz-app-layer-common.h input: header byte (bit 7 toclient, low 6 bits k:
    k + 1 bytes, k = 63: a 16-bit big-endian length follows)."""
    out = b""
    for frm, data in exchanges:
        d = 0x80 if frm == "s" else 0
        if 1 <= len(data) <= 63:
            out += bytes([d | (len(data) - 1)]) + data
        else:
            out += bytes([d | 63]) + struct.pack(">H", len(data)) + data
    return out


def write_seeds(corpus, target, seeds):
    path = os.path.join(corpus, target)
    os.makedirs(path, exist_ok=True)
    for i, s in enumerate(seeds):
        with open(os.path.join(path, f"seed-{i}"), "wb") as f:
            f.write(s)


def main(out, corpus):
    wrpcap(f"{out}/dnp3-tcp.pcap", tcp_session(20000, dnp3_tcp()))
    wrpcap(f"{out}/dnp3-udp.pcap", dnp3_udp())
    wrpcap(f"{out}/enip-tcp.pcap", tcp_session(44818, enip_tcp(), sport=40030))
    wrpcap(f"{out}/enip-udp.pcap", enip_udp())
    wrpcap(f"{out}/modbus-tcp.pcap", tcp_session(502, modbus_tcp(), sport=40040))
    write_seeds(corpus, "fuzz-app-layer-enip",
                [chunks(enip_tcp()), chunks(enip_tcp()[:2]), chunks(enip_tcp()[4:6])])
    write_seeds(corpus, "fuzz-app-layer-modbus",
                [chunks(modbus_tcp()), chunks(modbus_tcp()[:2]), chunks(modbus_tcp()[4:])])
    ex = dnp3_tcp()
    write_seeds(corpus, "fuzz-app-layer-dnp3",
                [chunks(ex), chunks(ex[:2]), chunks([("c", segmented(WRITE))]),
                 chunks([("s", response(UNKNOWN)), ("c", request(READ)[:5])])])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".", sys.argv[2] if len(sys.argv) > 2 else ".")
