#!/usr/bin/env python3
"""Crafts the small HTTP/2 captures of tests/data/app-layer/ (scenario tests) and the
seeds of fuzz/corpus/fuzz-app-layer-http2/ (the same streams in the fuzz target's chunk
format).

  python3 tools/gen-http2-captures.py tests/data/app-layer fuzz/corpus/fuzz-app-layer-http2

Header blocks are written by hand with HPACK literals "without indexing, new name"
(RFC 7541 6.2.2: 0x00, name length, name, value length, value) and static-table
indexes (0x82 = :method GET, 0x86 = :scheme http, 0x88 = :status 200), plus one block
that inserts into the dynamic table (0x40 ...) and then references it (0xbe = entry 62).

h2-prior.pcap: port 80, prior knowledge. Client preface, SETTINGS, HEADERS for stream 1
  (GET /download/tool.exe, user-agent, cookie, PRIORITY flag weight 255) split over
  two segments, WINDOW_UPDATE 34634; server SETTINGS (HEADER_TABLE_SIZE 8192),
  HEADERS 200 in HEADERS + CONTINUATION, DATA "MZ...payload-marker..." in two frames,
  the last with END_STREAM, then stream 3 (POST /upload with a body), and GOAWAY.
h2-bad.pcap: port 8080: preface, a DATA frame on stream 0, a SETTINGS of 5 bytes, a
  header block that is not valid HPACK (the decoder of that direction is then lost, as
  the RFC says the connection is), 3 CONTINUATIONs of junk, then a request on stream 9
  (not decodable any more: an invalid_header event each). The reassembly limit and
  HPACK bombs are tested in tests/unit/app-layer/http2/.
h2c-upgrade.pcap: port 80: HTTP/1.1 GET / with Upgrade: h2c and HTTP2-Settings, 101
  Switching Protocols, then the client preface and the server's response on stream 1.
h2-doh.pcap: port 443 in clear: DNS over HTTP/2, a POST of a DNS query (example.com NS)
  answered by a DNS message, and the same query as a GET with dns= (base64url).
"""
import os
import struct
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.80"
T0 = 1700000000.0
PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
DATA, HEADERS, PRIORITY, RST, SETTINGS, PUSH, PING, GOAWAY, WINDOW, CONT = range(10)


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + \
        struct.pack(">I", sid) + payload


def lit(name, value):
    """Literal header field without indexing, new name (lengths < 127)."""
    return bytes([0, len(name)]) + name + bytes([len(value)]) + value


def settings(*pairs):
    return b"".join(struct.pack(">HI", k, v) for k, v in pairs)


def session(sport, dport, exchanges, t0):
    """exchanges: ("c"|"s", bytes) in order; returns packets with handshake and close."""
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
        for off in range(0, len(data), 1400):
            send(frm, data[off:off + 1400])
            send("s" if frm == "c" else "c", flags="A")
    send("c", flags="FA")
    send("s", flags="FA")
    send("c", flags="A")
    for i, p in enumerate(pkts):
        p.time = t0 + i * 0.001
    return pkts


def prior():
    req = b"\x82\x86" + lit(b":authority", b"Files.Example.net") + \
        lit(b":path", b"/download/tool.exe") + lit(b"user-agent", b"h2-agent/2.1") + \
        lit(b"cookie", b"session=abc") + lit(b"cookie", b"VISITOR=1")
    prio = struct.pack(">IB", 0, 255)
    hdrs = frame(HEADERS, 0x04 | 0x01 | 0x20, 1, prio + req)
    c1 = PREFACE + frame(SETTINGS, 0, 0, settings((3, 100), (4, 65535)))
    c2 = hdrs[:20]
    c3 = hdrs[20:] + frame(WINDOW, 0, 0, struct.pack(">I", 34634))
    resp = b"\x88" + lit(b"content-type", b"application/octet-stream") + \
        lit(b"content-length", b"40") + lit(b"server", b"h2srv")
    s1 = frame(SETTINGS, 0, 0, settings((1, 8192), (3, 128))) + frame(SETTINGS, 1, 0)
    s2 = frame(HEADERS, 0, 1, resp[:10]) + frame(CONT, 0x04, 1, resp[10:]) + \
        frame(DATA, 0, 1, b"MZ\x90\x00payload-") + frame(DATA, 0x01, 1, b"marker-in-the-body-here!")
    post = lit(b":method", b"POST") + b"\x86" + lit(b":authority", b"files.example.net") + \
        lit(b":path", b"/upload") + lit(b"content-type", b"text/plain")
    c4 = frame(SETTINGS, 1, 0) + frame(HEADERS, 0x04, 3, post) + \
        frame(DATA, 0x01 | 0x08, 3, bytes([3]) + b"secret=upload-token\x00\x00\x00")
    s3 = frame(HEADERS, 0x04 | 0x01, 3, b"\x88") + \
        frame(GOAWAY, 0, 0, struct.pack(">II", 3, 0))
    return [("c", c1), ("s", s1), ("c", c2), ("c", c3), ("s", s2), ("c", c4), ("s", s3)]


def bad():
    junk = b"\x40" * 200
    good = b"\x82\x86" + lit(b":authority", b"bad.example") + lit(b":path", b"/after-the-storm")
    c = PREFACE + frame(SETTINGS, 0, 0) + frame(DATA, 0, 0, b"zero") + \
        frame(SETTINGS, 0, 0, b"\x00\x01\x00\x00\x10") + \
        frame(HEADERS, 0x04, 1, b"\xff\xff\xff") + frame(HEADERS, 0, 7, junk[:16])
    c += b"".join(frame(CONT, 0, 7, junk) for _ in range(3))
    c += frame(CONT, 0x04, 7, b"") + frame(HEADERS, 0x05, 9, good)
    return [("c", c), ("s", frame(SETTINGS, 0, 0))]


def upgrade():
    h1 = (b"GET /robots.txt HTTP/1.1\r\nHost: h2c.example\r\nConnection: Upgrade, HTTP2-Settings\r\n"
          b"Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n")
    r1 = (b"HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n")
    s = frame(SETTINGS, 0, 0, settings((3, 100))) + \
        frame(HEADERS, 0x04, 1, b"\x88" + lit(b"content-type", b"text/plain")) + \
        frame(DATA, 0x01, 1, b"User-agent: *\nDisallow: /h2c-secret\n")
    c = PREFACE + frame(SETTINGS, 0, 0) + frame(SETTINGS, 1, 0)
    return [("c", h1), ("s", r1), ("c", c), ("s", s)]


DNS_QUERY = bytes([0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 7]) + b"example" + bytes([3]) + \
    b"com" + bytes([0, 0, 2, 0, 1])   # example.com NS, RD
DNS_ANSWER = bytes([0, 0, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 7]) + b"example" + bytes([3]) + \
    b"com" + bytes([0, 0, 2, 0, 1]) + bytes([0xc0, 12, 0, 2, 0, 1, 0, 0, 0x0e, 0x10, 0, 20, 1]) + \
    b"b" + bytes([12]) + b"iana-servers" + bytes([3]) + b"net" + bytes([0])


def doh():
    """RFC 8484: a POST with a DNS message body, its answer, and a GET with dns=."""
    post = lit(b":method", b"POST") + b"\x87" + lit(b":authority", b"doh.example") + \
        lit(b":path", b"/dns-query") + lit(b"content-type", b"application/dns-message")
    get = b"\x82\x87" + lit(b":authority", b"doh.example") + \
        lit(b":path", b"/dns-query?dns=AAABAAABAAAAAAAAB2V4YW1wbGUDY29tAAACAAE")
    c = PREFACE + frame(SETTINGS, 0, 0) + frame(HEADERS, 0x04, 1, post) + \
        frame(DATA, 0x01, 1, DNS_QUERY) + frame(HEADERS, 0x05, 3, get)
    resp = b"\x88" + lit(b"content-type", b"application/dns-message")
    s = frame(SETTINGS, 0, 0) + frame(HEADERS, 0x04, 1, resp) + frame(DATA, 0x01, 1, DNS_ANSWER)
    return [("c", c), ("s", s)]


def seed(exchanges):
    """The fuzz target's chunk format: header byte (bit 7 toclient, low 6 bits k: k + 1
    bytes follow; k = 63: a 16-bit length follows) then the bytes."""
    out = b""
    for frm, data in exchanges:
        hb = 0x80 if frm == "s" else 0
        for off in range(0, len(data), 1000):
            part = data[off:off + 1000]
            if len(part) <= 63:
                out += bytes([hb | (len(part) - 1)]) + part
            else:
                out += bytes([hb | 0x3f]) + struct.pack(">H", len(part)) + part
    return out


def main(out, corpus):
    wrpcap(os.path.join(out, "h2-prior.pcap"), session(40010, 80, prior(), T0))
    wrpcap(os.path.join(out, "h2-bad.pcap"), session(40011, 8080, bad(), T0 + 10))
    wrpcap(os.path.join(out, "h2c-upgrade.pcap"), session(40012, 80, upgrade(), T0 + 20))
    wrpcap(os.path.join(out, "h2-doh.pcap"), session(40013, 443, doh(), T0 + 30))
    if corpus:
        os.makedirs(corpus, exist_ok=True)
        seeds = (prior(), [("c", bad()[0][1][:4000])], upgrade(), doh())   # under 4 KiB
        for i, ex in enumerate(seeds):
            with open(os.path.join(corpus, f"seed-{i}"), "wb") as f:
                f.write(seed(ex)[:4096])


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".", sys.argv[2] if len(sys.argv) > 2 else None)
