#!/usr/bin/python3
"""Craft tests/data/stream/tfo.pcap (scapy): TCP Fast Open (RFC 7413).

Three HTTP sessions from 10.0.0.1 to 10.0.0.2:80, each opened by a SYN that
carries a request:
  port 40001  Fast Open option (34, an 8-byte cookie); the SYN/ACK acks the
              SYN's data and the server answers before the client's ACK of
              the handshake: the request GET /tfo-taken is the stream's start.
  port 40002  Fast Open option 254 with magic 0xF989 (Linux before option
              34); the SYN/ACK acks the SYN alone (cookie refused), so the
              client sends its request again after the handshake. The SYN's
              GET /evil0 is not what the server got; the resent GET /good1 is.
  port 40003  no Fast Open option: the SYN's data (GET /nocookie) is not
              kept; the request after the handshake (GET /plain1) is.

Usage: tools/gen-tfo-capture.py [tests/data/stream]
"""
import sys

from scapy.all import IP, TCP, Ether, wrpcap

CLI, SRV, DP = "10.0.0.1", "10.0.0.2", 80
RESP = b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"


def req(uri):
    return b"GET " + uri + b" HTTP/1.1\r\nHost: tfo.test\r\n\r\n"


def mk(sp, src_is_cli, flags, seq, ack, data=b"", opts=None):
    src, dst = (CLI, SRV) if src_is_cli else (SRV, CLI)
    sport, dport = (sp, DP) if src_is_cli else (DP, sp)
    return Ether() / IP(src=src, dst=dst) / TCP(sport=sport, dport=dport, flags=flags, seq=seq,
                                                ack=ack, window=65535,
                                                options=opts or []) / data


def taken(sp):
    c, s = 1000, 5000
    r = req(b"/tfo-taken")
    c1, s1 = c + 1 + len(r), s + 1
    return [mk(sp, True, "S", c, 0, r, [("MSS", 1460), (34, b"\x11\x22\x33\x44\x55\x66\x77\x88")]),
            mk(sp, False, "SA", s, c1, opts=[("MSS", 1460)]),
            mk(sp, False, "PA", s1, c1, RESP),
            mk(sp, True, "A", c1, s1 + len(RESP)),
            mk(sp, True, "FA", c1, s1 + len(RESP)),
            mk(sp, False, "FA", s1 + len(RESP), c1 + 1),
            mk(sp, True, "A", c1 + 1, s1 + len(RESP) + 1)]


def syn_data_then_request(sp, c, s, syn_data, request, syn_opts):
    """A SYN carrying syn_data, a SYN/ACK acking the SYN alone, then the request
    after the handshake, its answer and the closing."""
    c0, s1 = c + 1, s + 1
    c1 = c0 + len(request)
    return [mk(sp, True, "S", c, 0, syn_data, syn_opts),
            mk(sp, False, "SA", s, c0),
            mk(sp, True, "A", c0, s1),
            mk(sp, True, "PA", c0, s1, request),
            mk(sp, False, "PA", s1, c1, RESP),
            mk(sp, True, "FA", c1, s1 + len(RESP)),
            mk(sp, False, "FA", s1 + len(RESP), c1 + 1),
            mk(sp, True, "A", c1 + 1, s1 + len(RESP) + 1)]


def ignored(sp):
    return syn_data_then_request(sp, 2000, 6000, req(b"/evil0"), req(b"/good1"),
                                 [(254, b"\xf9\x89\xaa\xbb\xcc\xdd")])


def no_option(sp):
    return syn_data_then_request(sp, 3000, 7000, req(b"/nocookie"), req(b"/plain1"), None)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/stream"
    pkts = taken(40001) + ignored(40002) + no_option(40003)
    t = 1700000000.0
    for i, p in enumerate(pkts):
        p.time = t + i * 0.001
    wrpcap(out + "/tfo.pcap", pkts)


if __name__ == "__main__":
    main()
