#!/usr/bin/python3
"""Write tests/data/firewall.pcap for the firewall-mode scenario test
(tests/scenarios/test-firewall.sh):

  flow A  198.18.0.1:40001 -> 198.18.0.2:80   handshake, "GET /ok", response, FINs
  flow B  198.18.0.1:40002 -> 198.18.0.2:80   handshake, "GET /bad", response, FINs
  UDP     198.18.0.1:5000  -> 198.18.0.2:5001 one datagram
  ICMP    198.18.0.1       -> 198.18.0.2      echo request

Packet numbers (pcap_cnt): flow A 1-9, flow B 10-18, UDP 19, ICMP 20.
Standard library only (no scapy), so it runs anywhere.
Usage: tools/make-firewall-pcap.py tests/data/firewall.pcap
"""
import struct
import sys

CLI, SRV = (198, 18, 0, 1), (198, 18, 0, 2)
SYN, ACK, PSH, FIN = 0x02, 0x10, 0x08, 0x01
RESP = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ip_packet(src, dst, proto, l4):
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64, proto, 0,
                     bytes(src), bytes(dst))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + l4


def tcp(src, dst, sp, dp, seq, ack, flags, data=b""):
    seg = struct.pack("!HHIIBBHHH", sp, dp, seq, ack, 5 << 4, flags, 65535, 0, 0) + data
    pseudo = bytes(src) + bytes(dst) + struct.pack("!BBH", 0, 6, len(seg))
    seg = seg[:16] + struct.pack("!H", csum(pseudo + seg)) + seg[18:]
    return ip_packet(src, dst, 6, seg)


def udp(src, dst, sp, dp, data):
    dgram = struct.pack("!HHHH", sp, dp, 8 + len(data), 0) + data
    pseudo = bytes(src) + bytes(dst) + struct.pack("!BBH", 0, 17, len(dgram))
    dgram = dgram[:6] + struct.pack("!H", csum(pseudo + dgram)) + dgram[8:]
    return ip_packet(src, dst, 17, dgram)


def icmp_echo(src, dst):
    msg = struct.pack("!BBHHH", 8, 0, 0, 7, 1) + b"ping"
    msg = msg[:2] + struct.pack("!H", csum(msg)) + msg[4:]
    return ip_packet(src, dst, 1, msg)


def http_flow(sp, uri):
    req = b"GET " + uri + b" HTTP/1.1\r\nHost: example.test\r\n\r\n"
    c, s = 1000, 5000
    return [
        tcp(CLI, SRV, sp, 80, c, 0, SYN),
        tcp(SRV, CLI, 80, sp, s, c + 1, SYN | ACK),
        tcp(CLI, SRV, sp, 80, c + 1, s + 1, ACK),
        tcp(CLI, SRV, sp, 80, c + 1, s + 1, ACK | PSH, req),
        tcp(SRV, CLI, 80, sp, s + 1, c + 1 + len(req), ACK | PSH, RESP),
        tcp(CLI, SRV, sp, 80, c + 1 + len(req), s + 1 + len(RESP), ACK),
        tcp(CLI, SRV, sp, 80, c + 1 + len(req), s + 1 + len(RESP), ACK | FIN),
        tcp(SRV, CLI, 80, sp, s + 1 + len(RESP), c + 2 + len(req), ACK | FIN),
        tcp(CLI, SRV, sp, 80, c + 2 + len(req), s + 2 + len(RESP), ACK),
    ]


def main(path):
    pkts = http_flow(40001, b"/ok") + http_flow(40002, b"/bad")
    pkts.append(udp(CLI, SRV, 5000, 5001, b"hello"))
    pkts.append(icmp_echo(CLI, SRV))
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, raw in enumerate(pkts):
            out.write(struct.pack("<IIII", 1700000000 + i, 0, len(raw), len(raw)))
            out.write(raw)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/data/firewall.pcap")
