#!/usr/bin/env python3
"""Crafts tests/data/app-layer/smb-midstream.pcap: two SMB connections picked up midstream
(no handshake) whose first data is the server's reply, so a midstream engine first takes
the server for the client:

  - SMB1 (10.0.0.1:49216 <-> 10.0.0.45:445): the reply to a NEGOTIATE sent before the
    capture (header flags REPLY), then an ECHO request "ping-smb1" and its reply;
  - SMB2 (10.0.0.2:49217 <-> 10.0.0.45:445): a NEGOTIATE reply (flags SERVER_TO_REDIR),
    then an ECHO request and its reply.

  /usr/bin/python3 tools/gen-smb-midstream-capture.py    (from the repository root)
"""
import os
import struct

from scapy.all import IP, TCP, Ether, wrpcap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRV = "10.0.0.45"
T0 = 1700000000.0


def nbss(msg):
    return struct.pack(">I", len(msg)) + msg


def smb1(cmd, resp, mid, words, data):
    hdr = (b"\xffSMB" + bytes([cmd]) + struct.pack("<I", 0) + bytes([0x98 if resp else 0x18]) +
           struct.pack("<H", 0xc801) + bytes(12) + struct.pack("<HHHHH", 0, 0xffff, 1, 0, mid))
    return nbss(hdr + bytes([len(words) // 2]) + words + struct.pack("<H", len(data)) + data)


def smb2(cmd, resp, msg_id, body):
    hdr = (b"\xfeSMB" + struct.pack("<HHIHH", 64, 0, 0, cmd, 1) +
           struct.pack("<II", 1 if resp else 0, 0) + struct.pack("<Q", msg_id) +
           struct.pack("<II", 0, 0) + struct.pack("<Q", 0x1122) + bytes(16))
    return nbss(hdr + body)


def connection(cli, cport, msgs, t):
    """msgs: (from_client, payload) in order; each data packet is acked by the other side."""
    seq = {True: 1000, False: 5000}
    pkts = []
    for from_cli, data in msgs:
        src, dst, sp, dp = (cli, SRV, cport, 445) if from_cli else (SRV, cli, 445, cport)
        p = Ether() / IP(src=src, dst=dst) / TCP(sport=sp, dport=dp, flags="PA",
                                                 seq=seq[from_cli], ack=seq[not from_cli]) / data
        seq[from_cli] += len(data)
        a = Ether() / IP(src=dst, dst=src) / TCP(sport=dp, dport=sp, flags="A",
                                                 seq=seq[not from_cli], ack=seq[from_cli])
        for q in (p, a):
            t += 0.001
            q.time = t
            pkts.append(q)
    return pkts, t


def main():
    neg1 = smb1(0x72, True, 1, struct.pack("<H", 0xffff), b"")
    echo1_q = smb1(0x2b, False, 2, struct.pack("<H", 1), b"ping-smb1")
    echo1_r = smb1(0x2b, True, 2, struct.pack("<H", 1), b"ping-smb1")
    neg2 = smb2(0, True, 0, struct.pack("<HHHH", 65, 1, 0x0202, 0) + bytes(56))
    echo2_q = smb2(0x0d, False, 1, struct.pack("<HH", 4, 0))
    echo2_r = smb2(0x0d, True, 1, struct.pack("<HH", 4, 0))
    a, t = connection("10.0.0.1", 49216, [(False, neg1), (True, echo1_q), (False, echo1_r)], T0)
    b, _ = connection("10.0.0.2", 49217, [(False, neg2), (True, echo2_q), (False, echo2_r)], t)
    out = os.path.join(ROOT, "tests", "data", "app-layer", "smb-midstream.pcap")
    wrpcap(out, a + b)
    print(out)


if __name__ == "__main__":
    main()
