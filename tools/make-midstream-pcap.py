#!/usr/bin/python3
"""Write tests/data/midstream.pcap: one HTTP exchange over TCP seen without
its handshake (the capture starts at the request), for the midstream
exception-policy tests (tests/scenarios/test-exception-policy.sh).

  1  198.18.0.1:40000 -> 198.18.0.2:80  ACK PSH  "GET / HTTP/1.1" request
  2  198.18.0.2:80 -> 198.18.0.1:40000  ACK
  3  198.18.0.2:80 -> 198.18.0.1:40000  ACK PSH  "HTTP/1.1 200 OK" response
  4  198.18.0.1:40000 -> 198.18.0.2:80  ACK

Standard library only (no scapy), so it runs anywhere.
Usage: tools/make-midstream-pcap.py tests/data/midstream.pcap
"""
import struct
import sys

CLI, SRV, SP, DP = (198, 18, 0, 1), (198, 18, 0, 2), 40000, 80
CSEQ, SSEQ = 1001, 5001
REQ = b"GET / HTTP/1.1\r\nHost: example.test\r\n\r\n"
RESP = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"
ACK, PSH = 0x10, 0x08


def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def packet(src, dst, sp, dp, seq, ack, flags, data=b""):
    tcp = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    pseudo = bytes(src) + bytes(dst) + struct.pack("!BBH", 0, 6, len(tcp))
    tcp = tcp[:16] + struct.pack("!H", csum(pseudo + tcp)) + tcp[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0x4000, 64, 6, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + tcp


def main(path):
    pkts = [
        packet(CLI, SRV, SP, DP, CSEQ, SSEQ, ACK | PSH, REQ),
        packet(SRV, CLI, DP, SP, SSEQ, CSEQ + len(REQ), ACK),
        packet(SRV, CLI, DP, SP, SSEQ, CSEQ + len(REQ), ACK | PSH, RESP),
        packet(CLI, SRV, SP, DP, CSEQ + len(REQ), SSEQ + len(RESP), ACK),
    ]
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, raw in enumerate(pkts):
            out.write(struct.pack("<IIII", 1700000000 + i, 0, len(raw), len(raw)))
            out.write(raw)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/midstream.pcap")
