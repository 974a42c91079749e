#!/usr/bin/env python3
"""Crafts the small captures of tests/data/bypass/ (tests/scenarios/test-bypass.sh).

  /usr/bin/python3 tools/gen-bypass-captures.py tests/data/bypass

bypass-http.pcap: one TCP connection (handshake, close) with two HTTP/1.1 exchanges,
GET /first then GET /second, each answered 200 with a small body.
bypass-udp.pcap: one UDP flow of six datagrams: "hello", "BYPASS-ME", then four
"later" datagrams (two each way).
"""
import sys

from scapy.all import IP, TCP, UDP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.80"
T0 = 1700000000.0


def http_session():
    pkts = []
    seq = {"c": 1000, "s": 5000}

    def send(frm, data=b"", flags="PA"):
        if frm == "c":
            p = IP(src=CLI, dst=SRV) / TCP(sport=40001, dport=80, flags=flags,
                                           seq=seq["c"], ack=seq["s"])
        else:
            p = IP(src=SRV, dst=CLI) / TCP(sport=80, dport=40001, flags=flags,
                                           seq=seq["s"], ack=seq["c"])
        if data:
            p = p / Raw(data)
        pkts.append(p)
        seq[frm] += len(data) + (1 if "S" in flags or "F" in flags else 0)

    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=40001, dport=80, flags="S", seq=999))
    pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=80, dport=40001, flags="SA", seq=4999,
                                           ack=1000))
    send("c", flags="A")
    for path, body in ((b"/first", b"first body"), (b"/second", b"second body")):
        send("c", b"GET " + path + b" HTTP/1.1\r\nHost: example.test\r\n\r\n")
        send("s", flags="A")
        send("s", b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(body)).encode() +
             b"\r\n\r\n" + body)
        send("c", flags="A")
    send("c", flags="FA")
    send("s", flags="FA")
    send("c", flags="A")
    return pkts


def udp_flow():
    pkts = []
    for frm, data in (("c", b"hello"), ("c", b"BYPASS-ME"), ("s", b"later 1"),
                      ("c", b"later 2"), ("s", b"later 3"), ("c", b"later 4")):
        if frm == "c":
            pkts.append(IP(src=CLI, dst=SRV) / UDP(sport=40002, dport=9999) / Raw(data))
        else:
            pkts.append(IP(src=SRV, dst=CLI) / UDP(sport=9999, dport=40002) / Raw(data))
    return pkts


def stamp(pkts):
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    return pkts


def main(out):
    wrpcap(f"{out}/bypass-http.pcap", stamp(http_session()))
    wrpcap(f"{out}/bypass-udp.pcap", stamp(udp_flow()))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
