#!/usr/bin/env python3
"""Crafts the small HTTP captures of tests/data/detect-app/ (detection scenario tests).

  /usr/bin/python3 tools/gen-detect-http-captures.py tests/data/detect-app

http-detect.pcap: one TCP connection to port 8080 with two pipelined requests
  GET /one?a=1 HTTP/1.1   (User-Agent: Vigil-Test, Host: Example.COM)
  POST /two HTTP/1.1      (Content-Length body "secret=abc")
answered by
  200 OK, Content-Type: text/plain, Content-Length body "hello WORLD and more",
         sent in two segments split inside "WORLD" ("hello WO" | "RLD and more")
  404 Not Found, Content-Length 0
The server acknowledges each client segment before the responses come.
"""
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV, SP, DP = "10.1.0.1", "10.1.0.2", 41000, 8080


def conversation(c2s_msgs, s2c_msgs):
    pkts = []
    cs, ss = 2000, 9000
    t = 1700000100.0

    def add(p):
        nonlocal t
        t += 0.001
        p.time = t
        pkts.append(p)

    add(IP(src=CLI, dst=SRV) / TCP(sport=SP, dport=DP, flags="S", seq=cs))
    add(IP(src=SRV, dst=CLI) / TCP(sport=DP, dport=SP, flags="SA", seq=ss, ack=cs + 1))
    cs += 1
    ss += 1
    add(IP(src=CLI, dst=SRV) / TCP(sport=SP, dport=DP, flags="A", seq=cs, ack=ss))
    for data in c2s_msgs:
        add(IP(src=CLI, dst=SRV) / TCP(sport=SP, dport=DP, flags="PA", seq=cs, ack=ss) / Raw(data))
        cs += len(data)
        add(IP(src=SRV, dst=CLI) / TCP(sport=DP, dport=SP, flags="A", seq=ss, ack=cs))
    for data in s2c_msgs:
        add(IP(src=SRV, dst=CLI) / TCP(sport=DP, dport=SP, flags="PA", seq=ss, ack=cs) / Raw(data))
        ss += len(data)
        add(IP(src=CLI, dst=SRV) / TCP(sport=SP, dport=DP, flags="A", seq=cs, ack=ss))
    add(IP(src=CLI, dst=SRV) / TCP(sport=SP, dport=DP, flags="FA", seq=cs, ack=ss))
    add(IP(src=SRV, dst=CLI) / TCP(sport=DP, dport=SP, flags="FA", seq=ss, ack=cs + 1))
    add(IP(src=CLI, dst=SRV) / TCP(sport=SP, dport=DP, flags="A", seq=cs + 1, ack=ss + 1))
    return pkts


def main(out):
    req1 = (b"GET /one?a=1 HTTP/1.1\r\nHost: Example.COM\r\nUser-Agent: Vigil-Test\r\n"
            b"Accept: */*\r\n\r\n")
    req2 = (b"POST /two HTTP/1.1\r\nHost: example.com\r\nContent-Type: application/x-www-form"
            b"-urlencoded\r\nContent-Length: 10\r\n\r\nsecret=abc")
    body = b"hello WORLD and more"
    resp1_head = (b"HTTP/1.1 200 OK\r\nServer: vigil-test\r\nContent-Type: text/plain\r\n"
                  b"Content-Length: %d\r\n\r\n" % len(body))
    resp1a = resp1_head + body[:8]     # ... "hello WO"
    resp1b = body[8:]                  # "RLD and more"
    resp2 = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    wrpcap(f"{out}/http-detect.pcap", conversation([req1, req2], [resp1a, resp1b, resp2]))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
