#!/usr/bin/env python3
"""Crafts tests/data/fw-ssh.pcap for tests/scenarios/test-firewall-alproto.sh.

  /usr/bin/python3 tools/make-fw-ssh-pcap.py tests/data

One SSH connection to port 22 that never closes: handshake (1-3), the client's banner
and KEXINIT (4), a bare ACK of the server before it says anything (5), the server's
banner and KEXINIT (6), NEWKEYS and encrypted bytes both ways (7, 8), a client ACK (9).
"""
import struct
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.22"
T0 = 1700000000.0


def packet(payload):
    pad = 8 - ((len(payload) + 5) % 8)
    pad = pad + 8 if pad < 4 else pad
    return struct.pack(">IB", len(payload) + pad + 1, pad) + payload + b"\x00" * pad


def kexinit():
    p = bytes([20]) + b"0123456789abcdef"
    for lst in ("curve25519-sha256", "ssh-ed25519", "aes128-ctr", "aes128-ctr",
                "hmac-sha2-256", "hmac-sha2-256", "none", "none", "", ""):
        p += struct.pack(">I", len(lst)) + lst.encode()
    return packet(p + b"\x00" + b"\x00\x00\x00\x00")


def main(out):
    pkts = []
    seq = {"c": 1000, "s": 5000}

    def send(frm, data=b"", flags="PA"):
        if frm == "c":
            p = IP(src=CLI, dst=SRV) / TCP(sport=40001, dport=22, flags=flags,
                                           seq=seq["c"], ack=seq["s"])
        else:
            p = IP(src=SRV, dst=CLI) / TCP(sport=22, dport=40001, flags=flags,
                                           seq=seq["s"], ack=seq["c"])
        if data:
            p = p / Raw(data)
        pkts.append(p)
        seq[frm] += len(data)

    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=40001, dport=22, flags="S", seq=999))
    pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=22, dport=40001, flags="SA", seq=4999,
                                           ack=1000))
    send("c", flags="A")
    send("c", b"SSH-2.0-OpenSSH_8.2p1\r\n" + kexinit())
    send("s", flags="A")
    send("s", b"SSH-2.0-OpenSSH_9.6p1\r\n" + kexinit())
    send("c", packet(b"\x15") + b"\x42" * 48)
    send("s", packet(b"\x15") + b"\x43" * 48)
    send("c", flags="A")
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    wrpcap(f"{out}/fw-ssh.pcap", pkts)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
