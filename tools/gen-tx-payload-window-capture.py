#!/usr/bin/python3
"""Crafts tests/data/detect-app/tx-payload-window.pcap (scenario test
tests/scenarios/test-detect-tx-payload-window.sh).

  /usr/bin/python3 tools/gen-tx-payload-window-capture.py tests/data/detect-app

One HTTP connection to port 80: GET /page, answered by 200 OK with a
Content-Length body of 1500 bytes sent in three segments (headers and the
first 400 body bytes, which hold "MARK-ONE"; then 550; then 550), each
acknowledged by the client. The body stays under the minimal inspect size, so
file_data is decided with the last segment, two segments after "MARK-ONE"
went by in the stream.
"""
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV, SP, DP = "10.3.0.1", "10.3.0.2", 42000, 80


def main(out):
    body = bytearray(b"x" * 1500)
    body[100:108] = b"MARK-ONE"
    head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 1500\r\n\r\n"
    segs = [head + bytes(body[:400]), bytes(body[400:950]), bytes(body[950:])]
    req = b"GET /page HTTP/1.1\r\nHost: example.com\r\n\r\n"
    pkts = []
    t = [1700000300.0]

    def add(p):
        t[0] += 0.001
        p.time = t[0]
        pkts.append(p)

    cs, ss = 5000, 7000
    add(IP(src=CLI, dst=SRV) / TCP(sport=SP, dport=DP, flags="S", seq=cs))
    add(IP(src=SRV, dst=CLI) / TCP(sport=DP, dport=SP, flags="SA", seq=ss, ack=cs + 1))
    cs += 1
    ss += 1
    add(IP(src=CLI, dst=SRV) / TCP(sport=SP, dport=DP, flags="A", seq=cs, ack=ss))
    add(IP(src=CLI, dst=SRV) / TCP(sport=SP, dport=DP, flags="PA", seq=cs, ack=ss) / Raw(req))
    cs += len(req)
    add(IP(src=SRV, dst=CLI) / TCP(sport=DP, dport=SP, flags="A", seq=ss, ack=cs))
    for data in segs:
        add(IP(src=SRV, dst=CLI) / TCP(sport=DP, dport=SP, flags="PA", seq=ss, ack=cs) / Raw(data))
        ss += len(data)
        add(IP(src=CLI, dst=SRV) / TCP(sport=SP, dport=DP, flags="A", seq=cs, ack=ss))
    add(IP(src=CLI, dst=SRV) / TCP(sport=SP, dport=DP, flags="FA", seq=cs, ack=ss))
    add(IP(src=SRV, dst=CLI) / TCP(sport=DP, dport=SP, flags="FA", seq=ss, ack=cs + 1))
    add(IP(src=CLI, dst=SRV) / TCP(sport=SP, dport=DP, flags="A", seq=cs + 1, ack=ss + 1))
    wrpcap(out + "/tx-payload-window.pcap", pkts)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/detect-app")
