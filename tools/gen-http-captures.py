#!/usr/bin/env python3
"""Crafts the small HTTP captures of tests/data/app-layer/ (scenario tests).

  python3 tools/gen-http-captures.py tests/data/app-layer

http-basic.pcap: one TCP connection on port 8888 (not an HTTP port) with two
pipelined GET requests answered by a 200 (gzip-compressed body) and a 404; the
client's requests are short, the responses follow.
http-upload.pcap: a multipart/form-data POST carrying one file "a.txt".
http-download-3k.pcap: a GET answered by a 3000-byte body sent after the response
headers in three 1000-byte segments (file-store stream-depth: a store asked for on the
headers raises the reassembly depth before the body passes it).
http-midstream-response.pcap: no handshake; the first packet is the server's response
(port 8888 to 40000), then the client's ACK and a second request/response: a midstream
pick-up whose first data is a response (the flow is reversed).
"""
import gzip
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV, SP, DP = "10.0.0.1", "10.0.0.2", 40000, 8888


def conversation(c2s_msgs, s2c_msgs):
    pkts = []
    cs, ss = 1000, 5000
    t = 1700000000.0

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
    body = gzip.compress(b"hello compressed world\n" * 20, mtime=0)
    reqs = [b"GET /index.html HTTP/1.1\r\nHost: Example.COM\r\nUser-Agent: vg-test\r\n"
            b"Referer: http://r/\r\n\r\n"
            b"GET /missing HTTP/1.1\r\nHost: example.com\r\n\r\n"]
    resps = [b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
             b"Content-Encoding: gzip\r\nContent-Length: " + str(len(body)).encode() +
             b"\r\n\r\n" + body +
             b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"]
    wrpcap(f"{out}/http-basic.pcap", conversation(reqs, resps))
    mp = (b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n"
          b"Content-Type: text/plain\r\n\r\nfile content here\r\n--XyZ--\r\n")
    up = [b"POST /upload HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=XyZ"
          b"\r\nContent-Length: " + str(len(mp)).encode() + b"\r\n\r\n" + mp]
    wrpcap(f"{out}/http-upload.pcap", conversation(up, [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]))
    mid = []
    t = 1700000100.0
    resp = b"HTTP/1.1 200 OK\r\nServer: vg\r\nContent-Length: 2\r\n\r\nok"
    req = b"GET /next HTTP/1.1\r\nHost: h\r\n\r\n"
    resp2 = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"
    cs, ss = 7000, 9000
    for src, dst, sp, dp, seq, ack, data in (
            (SRV, CLI, DP, SP, ss, cs, resp),
            (CLI, SRV, SP, DP, cs, ss + len(resp), b""),
            (CLI, SRV, SP, DP, cs, ss + len(resp), req),
            (SRV, CLI, DP, SP, ss + len(resp), cs + len(req), resp2),
            (CLI, SRV, SP, DP, cs + len(req), ss + len(resp) + len(resp2), b"")):
        t += 0.001
        pkt = IP(src=src, dst=dst) / TCP(sport=sp, dport=dp, flags="PA" if data else "A",
                                         seq=seq, ack=ack)
        if data:
            pkt = pkt / Raw(data)
        pkt.time = t
        mid.append(pkt)
    wrpcap(f"{out}/http-midstream-response.pcap", mid)
    big = [bytes([0x41 + i]) * 1000 for i in range(3)]
    wrpcap(f"{out}/http-download-3k.pcap",
           conversation([b"GET /big.bin HTTP/1.1\r\nHost: h\r\n\r\n"],
                        [b"HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n"] + big))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/app-layer")
