#!/usr/bin/env python3
"""Crafts tests/data/app-layer/http-xff.pcap (tests/scenarios/test-http-xff.sh).

  /usr/bin/python3 tools/gen-xff-capture.py tests/data/app-layer

Two HTTP connections from 10.0.0.1 through a proxy-like client: the first request
carries "X-Forwarded-For: 198.51.100.7, 203.0.113.9" (forward: the first entry,
reverse: the last), the second "X-Forwarded-For: 2001:db8::5" (an IPv6 client behind
an IPv4 connection). Each is answered 200.
"""
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.80"
T0 = 1700000000.0


def session(sport, xff):
    pkts = []
    seq = {"c": 1000, "s": 5000}

    def send(frm, data=b"", flags="PA"):
        if frm == "c":
            p = IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=80, flags=flags,
                                           seq=seq["c"], ack=seq["s"])
        else:
            p = IP(src=SRV, dst=CLI) / TCP(sport=80, dport=sport, flags=flags,
                                           seq=seq["s"], ack=seq["c"])
        if data:
            p = p / Raw(data)
        pkts.append(p)
        seq[frm] += len(data) + (1 if "S" in flags or "F" in flags else 0)

    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=80, flags="S", seq=999))
    pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=80, dport=sport, flags="SA", seq=4999,
                                           ack=1000))
    send("c", flags="A")
    send("c", b"GET /x HTTP/1.1\r\nHost: example.test\r\nX-Forwarded-For: " + xff +
         b"\r\n\r\n")
    send("s", b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    send("c", flags="A")
    send("c", flags="FA")
    send("s", flags="FA")
    send("c", flags="A")
    return pkts


def main(out):
    pkts = session(40010, b"198.51.100.7, 203.0.113.9") + session(40011, b"2001:db8::5")
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    wrpcap(f"{out}/http-xff.pcap", pkts)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
