#!/usr/bin/env python3
"""Capture of tests/scenarios/test-app-layer-tftp-dhcp.sh (run with scapy):

  /usr/bin/python3 tools/gen-udp-app-captures.py tests/data/app-layer/tftp-dhcp.pcap

  - TFTP: a write request to port 69, the server's ACK from another port (a new
    flow, not TFTP), a read request with RFC 2347 options, an ERROR to port 69;
  - DHCP: DISCOVER (broadcast, parameter list, vendor class), OFFER and ACK whose
    routers and dns servers sit in the file field (option 52 overload), a REQUEST
    in a unicast renewal with the server's ACK on the same flow, and a message whose
    last option runs past the end of the datagram (truncated_options).
"""
import struct
import sys

from scapy.all import IP, UDP, Raw, wrpcap

T0 = 1700000000.0
CLI = "10.0.0.7"
SRV = "10.0.0.1"
MAC = bytes.fromhex("0011223344aa")


def opt(code, data):
    return bytes([code, len(data)]) + data


def bootp(op, xid, yiaddr="0.0.0.0", ciaddr="0.0.0.0", options=b"", file=b""):
    def ip(a):
        return bytes(int(x) for x in a.split("."))
    hdr = bytes([op, 1, 6, 0]) + struct.pack(">IHH", xid, 0, 0x8000) + ip(ciaddr) + \
        ip(yiaddr) + ip(SRV if op == 2 else "0.0.0.0") + bytes(4) + MAC + bytes(10)
    hdr += bytes(64) + file.ljust(128, b"\0")
    assert len(hdr) == 236
    return hdr + b"\x63\x82\x53\x63" + options


def main(path):
    pkts = []
    # TFTP
    pkts.append(IP(src=CLI, dst=SRV) / UDP(sport=40001, dport=69) /
                Raw(b"\x00\x02upload.bin\x00octet\x00"))
    pkts.append(IP(src=SRV, dst=CLI) / UDP(sport=50001, dport=40001) / Raw(b"\x00\x04\x00\x00"))
    pkts.append(IP(src=CLI, dst=SRV) / UDP(sport=40002, dport=69) /
                Raw(b"\x00\x01pxelinux.cfg/default\x00netascii\x00blksize\x001468\x00"))
    pkts.append(IP(src=SRV, dst=CLI) / UDP(sport=69, dport=40002) /
                Raw(b"\x00\x05\x00\x01File not found\x00"))
    # DHCP, broadcast exchange
    disc = opt(53, b"\x01") + opt(55, bytes([1, 15, 3, 6, 44, 46, 47, 31, 33, 121, 249, 43])) + \
        opt(60, b"MSFT 5.0") + opt(12, b"ws7") + b"\xff"
    pkts.append(IP(src="0.0.0.0", dst="255.255.255.255") / UDP(sport=68, dport=67) /
                Raw(bootp(1, 0x1234, options=disc)))
    over = opt(3, bytes([10, 0, 0, 254])) + opt(6, bytes([10, 0, 0, 53, 10, 0, 0, 54])) + b"\xff"
    for t in (2, 5):
        o = opt(53, bytes([t])) + opt(52, b"\x01") + opt(1, bytes([255, 255, 255, 0])) + \
            opt(51, struct.pack(">I", 86400)) + opt(58, struct.pack(">I", 43200)) + \
            opt(59, struct.pack(">I", 75600)) + b"\xff"
        pkts.append(IP(src=SRV, dst="255.255.255.255") / UDP(sport=67, dport=68) /
                    Raw(bootp(2, 0x1234, yiaddr=CLI, options=o, file=over)))
    # renewal, unicast: request and ACK on one flow
    req = opt(53, b"\x03") + opt(50, bytes([10, 0, 0, 7])) + b"\xff"
    pkts.append(IP(src=CLI, dst=SRV) / UDP(sport=68, dport=67) /
                Raw(bootp(1, 0x5678, ciaddr=CLI, options=req)))
    ack = opt(53, b"\x05") + opt(51, struct.pack(">I", 3600)) + b"\xff"
    pkts.append(IP(src=SRV, dst=CLI) / UDP(sport=67, dport=68) /
                Raw(bootp(2, 0x5678, yiaddr=CLI, options=ack)))
    # truncated: the vendor class claims 40 bytes, 3 follow
    bad = opt(53, b"\x08") + bytes([60, 40]) + b"abc"
    pkts.append(IP(src="10.0.0.9", dst=SRV) / UDP(sport=68, dport=67) /
                Raw(bootp(1, 0x9abc, options=bad)))
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.01
    wrpcap(path, pkts)


if __name__ == "__main__":
    main(sys.argv[1])
