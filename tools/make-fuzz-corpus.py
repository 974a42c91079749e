#!/usr/bin/env python3
"""Seed corpora for the libFuzzer targets: fuzz/corpus/<target>/, a few KB
each, made from the project's own test captures, rules and configuration.

  python3 tools/make-fuzz-corpus.py      (from the repository root; rewrites
                                          every fuzz/corpus/<target>/)

Each target's input format is described at the top of fuzz/<target>.c; the
seeds here follow it:
  fuzz-decode     one packet of tests/data/*.pcap each, behind the byte that
                  picks its link type (index in fuzz-decode.c's table)
  fuzz-pcap-file  small capture files: the head of tests/data/sample.pcap as
                  is, big-endian, with nanosecond magic, cut inside a record,
                  and as pcapng; tests/data/defrag-overlap.pcap and tunnels.pcap
  fuzz-defrag     fragment sequences (6-byte records): in order, reversed,
                  overlapping, IPv6, IPv6 with destination options, colliding ids
  fuzz-stream     the TCP packets of tests/data/stream/*.pcap and sample.pcap
                  as 12-byte records plus payload
  fuzz-rule       the shipped rule files, a few rules per seed
  fuzz-conf       etc/vigil.yaml, one top-level section per seed
  fuzz-json       short strings with escapes, control bytes and UTF-8
  fuzz-app-layer-http  HTTP exchanges as chunks (header byte: bit 7 toclient,
                  bit 6 gap before, low 6 bits + 1 = length): a GET and its
                  answer, pipelining, chunked and gzip bodies, a multipart
                  upload, a CONNECT, a gap inside a body
Names are content hashes (as libFuzzer names its own units), so regenerating
is stable.
"""
import hashlib
import os
import shutil
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")
DATA = os.path.join(ROOT, "tests", "data")
MAX_SEED = 4096        # build.sh's default -max_len: longer seeds would be cut

# fuzz-decode.c's link type table, in order (LINKTYPE_ETHERNET first).
DECODE_LINKTYPES = [1, 101, 228, 229, 113, 276, 0, 108, 9, 50, 104]


def read_pcap(path):
    """(linktype, [(sec, usec, frame)]) of a little-endian microsecond pcap."""
    with open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack_from("<I", data, 0)
    if magic != 0xA1B2C3D4:
        raise SystemExit(f"{path}: expected a little-endian microsecond pcap")
    linktype, = struct.unpack_from("<I", data, 20)
    recs, off = [], 24
    while off + 16 <= len(data):
        sec, usec, incl, _ = struct.unpack_from("<IIII", data, off)
        recs.append((sec, usec, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return linktype, recs


def pcap_bytes(linktype, recs, endian="<", magic=0xA1B2C3D4, frac_scale=1):
    out = struct.pack(endian + "IHHiIII", magic, 2, 4, 0, 0, 65535, linktype)
    for sec, usec, frame in recs:
        out += struct.pack(endian + "IIII", sec, usec * frac_scale, len(frame), len(frame))
        out += frame
    return out


def pcapng_bytes(linktype, recs):
    def block(btype, body):
        body += b"\0" * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)
    out = block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1))
    out += block(1, struct.pack("<HHI", linktype, 0, 65535))
    for sec, usec, frame in recs:
        ts = sec * 1000000 + usec
        out += block(6, struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(frame),
                                    len(frame)) + frame)
    return out


class Corpus:
    def __init__(self, target):
        self.dir = os.path.join(OUT, target)
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.total = 0

    def add(self, data):
        if isinstance(data, str):
            data = data.encode()
        data = data[:MAX_SEED]
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(self.dir, name), "wb") as f:
            f.write(data)
        self.total += len(data)


def decode_corpus():
    c = Corpus("fuzz-decode")
    seen = set()
    for name in ("sample.pcap", "tunnels.pcap", "defrag-overlap.pcap", "runmodes.pcap"):
        linktype, recs = read_pcap(os.path.join(DATA, name))
        index = bytes([DECODE_LINKTYPES.index(linktype)])
        for _, _, frame in recs[:12]:
            # one frame per distinct start (link + IP + transport headers)
            key = frame[12:40]
            if key in seen or c.total > 6000:
                continue
            seen.add(key)
            c.add(index + frame)
    # the same IPv4 packet under the raw-IP link types
    _, recs = read_pcap(os.path.join(DATA, "sample.pcap"))
    for _, _, frame in recs:
        if frame[12:14] == b"\x08\x00":
            c.add(bytes([DECODE_LINKTYPES.index(101)]) + frame[14:])
            c.add(bytes([DECODE_LINKTYPES.index(228)]) + frame[14:])
            break
    return c


def pcap_file_corpus():
    c = Corpus("fuzz-pcap-file")
    linktype, recs = read_pcap(os.path.join(DATA, "sample.pcap"))
    head = recs[:4]
    c.add(pcap_bytes(linktype, head))
    c.add(pcap_bytes(linktype, head, endian=">"))
    c.add(pcap_bytes(linktype, head, magic=0xA1B23C4D, frac_scale=1000))
    whole = pcap_bytes(linktype, head)
    c.add(whole[:len(whole) - 20])                      # cut inside the last record
    c.add(pcapng_bytes(linktype, head))
    for name in ("defrag-overlap.pcap", "tunnels.pcap"):
        with open(os.path.join(DATA, name), "rb") as f:
            c.add(f.read())
    return c


def defrag_corpus():
    c = Corpus("fuzz-defrag")

    def frag(flags, off8, len8, step=0, fill=0x41):
        return bytes([flags, off8 >> 8, off8 & 0xFF, len8, step, fill])
    mf = 2
    # policy byte, then fragments
    c.add(bytes([0]) + frag(mf, 0, 2) + frag(mf, 2, 2, fill=0x42) + frag(0, 4, 1, fill=0x43))
    c.add(bytes([1]) + frag(0, 4, 1) + frag(mf, 2, 2) + frag(mf, 0, 2))          # reversed
    c.add(bytes([2]) + frag(mf, 0, 3) + frag(mf, 1, 3, fill=0x45) + frag(0, 4, 1))  # overlap
    c.add(bytes([3]) + frag(1 | mf, 0, 2) + frag(1, 2, 2))                       # IPv6
    c.add(bytes([4]) + frag(1 | 4 | mf, 0, 2) + frag(1 | 4, 2, 1))               # IPv6 + dstopts
    c.add(bytes([5]) + frag(mf | 0x10, 0, 2) + frag(mf | 0x20, 0, 2) +
          frag(0x10, 2, 1) + frag(0x20, 2, 1, step=20))                          # two ids, a timeout
    c.add(bytes([6]) + frag(mf | 0xC0, 0, 1) + frag(0x40, 1, 1))                 # ragged lengths
    return c


def tcp_records(path):
    """fuzz-stream records for the IPv4/TCP frames of an Ethernet capture."""
    _, recs = read_pcap(path)
    out, client, ref = b"", None, None
    for _, _, frame in recs:
        if frame[12:14] != b"\x08\x00" or frame[23] != 6:
            continue
        ihl = (frame[14] & 0xF) * 4
        total, = struct.unpack_from(">H", frame, 16)
        src = frame[26:30]
        t = 14 + ihl
        sp, dp, seq, ack, off_flags, win = struct.unpack_from(">HHIIHH", frame, t)
        doff = (off_flags >> 12) * 4
        payload = frame[t + doff:14 + total][:255]
        if client is None:
            client, ref = src, seq
        direction = 0 if src == client else 1
        rel = lambda v: (v - ref) & 0xFFFFFFFF
        out += bytes([direction, off_flags & 0xFF]) + struct.pack(">II", rel(seq), rel(ack))
        out += bytes([len(payload), win >> 8]) + payload
    return out


def stream_corpus():
    c = Corpus("fuzz-stream")
    for name in ("stream/overlap-before.pcap", "stream/overlap-samestart.pcap"):
        recs = tcp_records(os.path.join(DATA, name))
        c.add(recs)
        c.add(bytes([recs[0] | 2 | (5 << 2)]) + recs[1:])   # inline, another policy
    recs = tcp_records(os.path.join(DATA, "sample.pcap"))
    if recs:
        c.add(recs)
    return c


def rule_corpus():
    c = Corpus("fuzz-rule")
    rules_dir = os.path.join(ROOT, "etc", "rules")
    for name in sorted(os.listdir(rules_dir)):
        if not name.endswith(".rules"):
            continue
        with open(os.path.join(rules_dir, name)) as f:
            rules = [l for l in f if l.strip() and not l.startswith("#")]
        for i in range(0, min(len(rules), 24), 4):
            c.add("".join(rules[i:i + 4]))
    # rules of the unit tests' kinds: variables, lists, negations, continued lines
    c.add('alert tcp [10.0.0.0/8,!10.1.0.0/16] any -> $HOME_NET [80,443,8000:8100] '
          '(msg:"list"; flow:to_server,established; content:"GET"; depth:3; '
          'content:!"x"; distance:0; pcre:"/a.c/i"; byte_test:2,>,10,0,relative; '
          'threshold:type limit, track by_src, count 1, seconds 60; sid:1; rev:2;)\n'
          'alert udp any any -> any 53 (msg:"a \\"quoted\\" \\; msg"; \\\n'
          '  content:"|07|example|03|com"; nocase; sid:2;)\n')
    return c


def conf_corpus():
    c = Corpus("fuzz-conf")
    with open(os.path.join(ROOT, "etc", "vigil.yaml")) as f:
        lines = f.readlines()
    section = []
    for line in lines:
        if line[:1].isalpha() and section and any(s[:1].isalpha() for s in section):
            c.add("".join(section))
            section = []
        section.append(line)
    if section:
        c.add("".join(section))
    c.add("%YAML 1.1\n---\nvars:\n  address-groups:\n    HOME_NET: \"[10.0.0.0/8]\"\n"
          "flow:\n  memcap: 64mb\n  hash-size: 65536\nlist: [a, b, {c: d}]\n"
          "anchor: &x {k: v}\nref: *x\n")
    return c


def json_corpus():
    c = Corpus("fuzz-json")
    for s in (b"key", b"a\"b\\c", b"tab\there\nnewline", b"\x00\x01\x1f\x7f",
              "caf\u00e9 \u2028".encode(), b"\xff\xfe broken utf-8 \xc3", b"GET / HTTP/1.1\r\n"):
        c.add(s)
    return c


def http_chunks(parts):
    """fuzz-app-layer-http input: (toclient, gap, bytes) parts cut into chunks."""
    out = bytearray()
    for toclient, gap, data in parts:
        first = True
        for i in range(0, len(data), 64):
            piece = data[i:i + 64]
            hdr = (len(piece) - 1) | (0x80 if toclient else 0) | (0x40 if gap and first else 0)
            out += bytes([hdr]) + piece
            first = False
    return bytes(out)


def http_corpus():
    c = Corpus("fuzz-app-layer-http")
    get = b"GET /index.html?a=1 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: t\r\n" \
          b"Cookie: x=y\r\n\r\n"
    ok = b"HTTP/1.1 200 OK\r\nServer: s\r\nContent-Type: text/plain\r\n" \
         b"Content-Length: 5\r\n\r\nhello"
    chunked = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"
    gz = (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 25\r\n\r\n"
          b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03\xcbH\xcd\xc9\xc9\x07\x00\x86\xa6"
          b"\x106\x05\x00\x00\x00")
    body = b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.txt\"\r\n\r\n" \
           b"data\r\n--b--\r\n"
    upload = b"POST /up HTTP/1.1\r\nHost: h\r\nContent-Type: multipart/form-data; boundary=b" \
             b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body
    connect = b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n"
    seeds = [
        [(0, 0, get), (1, 0, ok)],
        [(0, 0, get + get), (1, 0, ok + chunked)],
        [(0, 0, get), (1, 0, gz)],
        [(0, 0, upload), (1, 0, ok)],
        [(0, 0, connect), (1, 0, b"HTTP/1.1 200 Connection established\r\n\r\n"),
         (0, 0, b"\x16\x03\x01\x00\x05hello")],
        [(0, 0, get), (1, 0, ok[:-3]), (1, 1, b"lo")],
        [(0, 0, b"GET /\r\n"), (1, 0, b"<html>")],
    ]
    for parts in seeds:
        c.add(http_chunks(parts))
    return c


def main():
    for make in (decode_corpus, pcap_file_corpus, defrag_corpus, stream_corpus, rule_corpus,
                 conf_corpus, json_corpus, http_corpus):
        c = make()
        n = len(os.listdir(c.dir))
        print(f"{os.path.relpath(c.dir, ROOT)}: {n} seeds, {c.total} bytes")


if __name__ == "__main__":
    main()
