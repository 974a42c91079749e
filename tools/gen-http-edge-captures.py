#!/usr/bin/env python3
"""Crafts the small HTTP edge-case captures of tests/data/app-layer/ used by
tests/scenarios/test-app-layer-http-edge.sh.

  python3 tools/gen-http-edge-captures.py tests/data/app-layer

http-oneside.pcap: only the server's side of a connection on port 8080: its SYN/ACK,
  then two HTTP/1.0 responses ("hello World" and "hello People") and its FIN (what
  stream.async-oneside picks up).
http-mismatch.pcap: a GET request on port 2222 answered by an SSH banner: the two
  directions speak different protocols.
http-unacked.pcap: a GET acknowledged by the server, answered by a response the client
  never acknowledges; no FIN: the response is only seen at flow end.
http-uri.pcap: "GET /a b?x=Zm9v%20YmFy&k=%41+c HTTP/1.1" (a space in the path, percent
  escapes and a plus in the query) answered 200.
"""
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.2"


class Conv:
    """A TCP connection with a handshake; data segments each acked by the peer."""

    def __init__(self, sp, dp, handshake=True):
        self.sp, self.dp = sp, dp
        self.cs, self.ss = 1000, 5000
        self.t = 1700000000.0
        self.pkts = []
        if handshake:
            self.add(True, "S", b"", seq=self.cs)
            self.add(False, "SA", b"", seq=self.ss, ack=self.cs + 1)
            self.cs += 1
            self.ss += 1
            self.add(True, "A", b"")

    def add(self, c2s, flags, data, seq=None, ack=None):
        self.t += 0.001
        if c2s:
            p = IP(src=CLI, dst=SRV) / TCP(sport=self.sp, dport=self.dp, flags=flags,
                                           seq=self.cs if seq is None else seq,
                                           ack=self.ss if ack is None else ack)
        else:
            p = IP(src=SRV, dst=CLI) / TCP(sport=self.dp, dport=self.sp, flags=flags,
                                           seq=self.ss if seq is None else seq,
                                           ack=self.cs if ack is None else ack)
        if data:
            p = p / Raw(data)
        p.time = self.t
        self.pkts.append(p)

    def send(self, c2s, data, ack=True):
        self.add(c2s, "PA", data)
        if c2s:
            self.cs += len(data)
        else:
            self.ss += len(data)
        if ack:
            self.add(not c2s, "A", b"")

    def close(self):
        self.add(True, "FA", b"")
        self.add(False, "FA", b"", ack=self.cs + 1)
        self.add(True, "A", b"", seq=self.cs + 1, ack=self.ss + 1)


def oneside():
    c = Conv(40001, 8080, handshake=False)
    c.cs += 1
    c.add(False, "SA", b"", seq=c.ss, ack=c.cs)
    c.ss += 1
    out = []
    for word in (b"World", b"People"):
        body = b"hello " + word
        msg = (b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\nContent-Length: " +
               str(len(body)).encode() + b"\r\n\r\n" + body)
        c.add(False, "PA", msg)
        c.ss += len(msg)
    c.add(False, "FA", b"")
    out.extend(c.pkts)
    return out


def mismatch():
    c = Conv(40002, 2222)
    c.send(True, b"GET / HTTP/1.1\r\nHost: h\r\nUser-Agent: vg-test\r\n\r\n")
    c.send(False, b"SSH-2.0-OpenSSH_9.6\r\n")
    c.close()
    return c.pkts


def uri():
    c = Conv(40003, 80)
    c.send(True, b"GET /a b?x=Zm9v%20YmFy&k=%41+c HTTP/1.1\r\nHost: h\r\n\r\n")
    c.send(False, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
    c.close()
    return c.pkts


def unacked():
    c = Conv(40004, 8080)
    c.send(True, b"GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
    c.send(False, b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", ack=False)
    return c.pkts


def main(out):
    wrpcap(f"{out}/http-oneside.pcap", oneside())
    wrpcap(f"{out}/http-mismatch.pcap", mismatch())
    wrpcap(f"{out}/http-uri.pcap", uri())
    wrpcap(f"{out}/http-unacked.pcap", unacked())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/app-layer")
