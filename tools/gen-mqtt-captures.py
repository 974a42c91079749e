#!/usr/bin/env python3
"""Crafts the small MQTT capture of tests/data/app-layer/ (scenario test) and the seeds
of fuzz/corpus/fuzz-app-layer-mqtt/.

  /usr/bin/python3 tools/gen-mqtt-captures.py tests/data/app-layer fuzz/corpus/fuzz-app-layer-mqtt

mqtt.pcap: one TCP connection to port 1883, MQTT 5: CONNECT (user, password, will,
receive_maximum property) split over two segments, CONNACK, SUBSCRIBE of two topics
and SUBACK in one segment each, PUBLISH QoS 1 and its PUBACK, a PUBLISH with QoS 3
(invalid_qos_level), a PUBACK for an unknown packet identifier (missing_publish), and
DISCONNECT.
"""
import os
import struct
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.18"
T0 = 1700000000.0


def s(b):
    return struct.pack(">H", len(b)) + b


def msg(type_flags, body):
    n = len(body)
    rl = b""
    while True:
        d = n % 128
        n //= 128
        rl += bytes([d | (0x80 if n else 0)])
        if not n:
            break
    return bytes([type_flags]) + rl + body


CONNECT = msg(0x10, s(b"MQTT") + bytes([5, 0xc6]) + struct.pack(">H", 60) +
              b"\x03\x21\x00\x14" + s(b"vigil-client") + b"\x00" + s(b"will/t") +
              s(b"bye") + s(b"alice") + s(b"secret"))
CONNACK = msg(0x20, b"\x00\x00\x03\x22\x00\x0a")
SUBSCRIBE = msg(0x82, struct.pack(">H", 1) + b"\x00" + s(b"sensors/temp") + b"\x01" +
                s(b"alerts/#") + b"\x00")
SUBACK = msg(0x90, struct.pack(">H", 1) + b"\x00\x01\x00")
PUBLISH = msg(0x32, s(b"sensors/temp") + struct.pack(">H", 2) + b"\x00" + b"21.5C")
PUBACK = msg(0x40, struct.pack(">H", 2))
BAD_QOS = msg(0x36, s(b"x") + struct.pack(">H", 3) + b"\x00" + b"q")
STRAY = msg(0x40, struct.pack(">H", 99))
DISCONNECT = msg(0xe0, b"")


def flow(dport=1883):
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
    send("c", CONNECT[:20])
    send("c", CONNECT[20:])
    send("s", CONNACK)
    send("c", SUBSCRIBE)
    send("s", SUBACK)
    send("c", PUBLISH)
    send("s", PUBACK)
    send("c", BAD_QOS)
    send("s", STRAY)
    send("c", DISCONNECT)
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
    corpus = sys.argv[2] if len(sys.argv) > 2 else "fuzz/corpus/fuzz-app-layer-mqtt"
    pkts = flow()
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    wrpcap(os.path.join(out, "mqtt.pcap"), pkts)
    os.makedirs(corpus, exist_ok=True)
    seeds = [
        chunks([(False, CONNECT), (True, CONNACK), (False, SUBSCRIBE), (True, SUBACK),
                (False, PUBLISH), (True, PUBACK), (False, DISCONNECT)]),
        chunks([(False, CONNECT[:7]), (False, CONNECT[7:]), (False, BAD_QOS),
                (True, STRAY), (False, b"\x30\xff\xff\xff\x7f" + b"A" * 40)]),
    ]
    for i, seed in enumerate(seeds):
        with open(os.path.join(corpus, "seed-%d" % i), "wb") as f:
            f.write(seed)


if __name__ == "__main__":
    main()
