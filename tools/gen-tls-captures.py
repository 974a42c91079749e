#!/usr/bin/env python3
"""Crafts the small TLS capture of tests/data/app-layer/ (scenario test) with hand-built
records (no TLS library: every byte is written here) and plain pcap/IPv4/TCP framing.

  python3 tools/gen-tls-captures.py tests/data/app-layer

tls-handshake.pcap: one TCP connection to port 8443 (not a TLS port: detection by the
record pattern). The client's ClientHello (SNI www.vigil.example, ALPN h2/http/1.1) is
split over two segments; the server's ServerHello, Certificate (a self-signed certificate
made with the openssl command, CN=www.vigil.example) and ServerHelloDone are sent in
records of at most 300 bytes (the certificate message spans records) over three segments;
then ClientKeyExchange, ChangeCipherSpec and an encrypted Finished both ways, application
data, and FIN both ways. Also writes the fuzz seeds fuzz/corpus/fuzz-app-layer-tls/.
"""
import os
import struct
import subprocess
import sys
import tempfile

CLI, SRV = (10, 0, 0, 1), (10, 0, 0, 2)
SPORT, DPORT = 40100, 8443
T0 = 1700000000


def u16(v):
    return struct.pack(">H", v)


def u24(v):
    return struct.pack(">I", v)[1:]


def vec8(b):
    return bytes([len(b)]) + b


def vec16(b):
    return u16(len(b)) + b


def ext(t, body):
    return u16(t) + vec16(body)


def client_hello():
    sni = b"www.vigil.example"
    exts = (ext(0, vec16(b"\x00" + vec16(sni))) + ext(10, vec16(u16(0x1d) + u16(0x17)))
            + ext(11, vec8(b"\x00")) + ext(13, vec16(u16(0x0403) + u16(0x0804)))
            + ext(16, vec16(vec8(b"h2") + vec8(b"http/1.1"))) + ext(23, b""))
    body = (u16(0x0303) + bytes(range(32)) + vec8(b"") + vec16(u16(0xc02f) + u16(0xc030)
            + u16(0x009c)) + vec8(b"\x00") + vec16(exts))
    return b"\x01" + u24(len(body)) + body


def server_hello():
    body = (u16(0x0303) + bytes(range(32, 64)) + vec8(b"") + u16(0xc02f) + b"\x00"
            + vec16(ext(0xff01, b"\x00") + ext(23, b"")))
    return b"\x02" + u24(len(body)) + body


def certificate(der):
    chain = u24(len(der)) + der
    body = u24(len(chain)) + chain
    return b"\x0b" + u24(len(body)) + body


def make_cert():
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", f"{d}/k.pem",
                        "-out", f"{d}/c.der", "-outform", "DER", "-days", "3650",
                        "-subj", "/C=FR/O=Vigil Test/CN=www.vigil.example", "-set_serial",
                        "4660", "-addext", "subjectAltName=DNS:www.vigil.example"],
                       check=True, capture_output=True)
        return open(f"{d}/c.der", "rb").read()


def records(rtype, data, max_len=16384):
    out = b""
    for i in range(0, len(data), max_len):
        part = data[i:i + max_len]
        out += bytes([rtype]) + u16(0x0303) + u16(len(part)) + part
    return out


def csum(data):
    if len(data) % 2:
        data += b"\x00"
    s = sum(struct.unpack(f">{len(data) // 2}H", data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def packet(src, dst, sport, dport, seq, ack, flags, payload=b""):
    tcp = struct.pack(">HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)
    pseudo = bytes(src) + bytes(dst) + struct.pack(">BBH", 0, 6, len(tcp) + len(payload))
    c = csum(pseudo + tcp + payload)
    tcp = tcp[:16] + u16(c) + tcp[18:]
    ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 1, 0, 64, 6, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + u16(csum(ip)) + ip[12:]
    return ip + tcp + payload


def capture(der):
    SYN, ACK, PSH, FIN = 2, 16, 8, 1
    cs, ss = 1000, 5000
    pkts = []

    def c(flags, data=b""):
        nonlocal cs
        pkts.append(packet(CLI, SRV, SPORT, DPORT, cs, ss, flags, data))
        cs += len(data) + (1 if flags & (SYN | FIN) else 0)

    def s(flags, data=b""):
        nonlocal ss
        pkts.append(packet(SRV, CLI, DPORT, SPORT, ss, cs, flags, data))
        ss += len(data) + (1 if flags & (SYN | FIN) else 0)

    pkts.append(packet(CLI, SRV, SPORT, DPORT, cs, 0, SYN))
    cs += 1
    s(SYN | ACK)
    c(ACK)
    ch = records(22, client_hello())
    c(PSH | ACK, ch[:40])
    c(PSH | ACK, ch[40:])
    s(ACK)
    flight = records(22, server_hello() + certificate(der) + b"\x0e\x00\x00\x00", 300)
    third = len(flight) // 3
    for part in (flight[:third], flight[third:2 * third], flight[2 * third:]):
        s(PSH | ACK, part)
    c(ACK)
    keyx = records(22, b"\x10" + u24(33) + vec8(bytes(32)))
    finished = b"\x16\x03\x03\x00\x28" + bytes(range(0x28))
    c(PSH | ACK, keyx + b"\x14\x03\x03\x00\x01\x01" + finished)
    s(PSH | ACK, b"\x14\x03\x03\x00\x01\x01" + finished)
    c(PSH | ACK, b"\x17\x03\x03\x00\x20" + bytes(32))
    s(PSH | ACK, b"\x17\x03\x03\x00\x20" + bytes(32))
    c(FIN | ACK)
    s(FIN | ACK)
    c(ACK)
    return pkts, ch, flight


def write_pcap(path, pkts):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))  # raw IP
        for i, p in enumerate(pkts):
            f.write(struct.pack("<IIII", T0 + i // 1000, (i % 1000) * 1000, len(p), len(p)))
            f.write(p)


def fuzz_seed(chunks):
    out = b""
    for direction, data in chunks:
        for i in range(0, len(data), 200):
            part = data[i:i + 200]
            out += bytes([(0x80 if direction else 0) | 63]) + u16(len(part)) + part
    return out


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/app-layer"
    der = make_cert()
    pkts, ch, flight = capture(der)
    write_pcap(f"{out}/tls-handshake.pcap", pkts)
    seeds = os.path.join(os.path.dirname(__file__), "..", "fuzz", "corpus",
                         "fuzz-app-layer-tls")
    os.makedirs(seeds, exist_ok=True)
    open(f"{seeds}/seed-0", "wb").write(fuzz_seed([(0, ch), (1, flight)]))
    open(f"{seeds}/seed-1", "wb").write(fuzz_seed([(0, ch)]))


if __name__ == "__main__":
    main()
