#!/usr/bin/env python3
"""Crafts the small SSH captures of tests/data/app-layer/ (scenario tests).

  python3 tools/gen-ssh-captures.py tests/data/app-layer

ssh-22.pcap: one connection to port 22: server banner, client banner and KEXINIT (the
KEXINIT split over two segments), server KEXINIT, NEWKEYS both ways, then encrypted
bytes that contain "SSH-" and a KEXINIT-like header (must not be parsed).
ssh-odd-port.pcap: the same exchange to port 2222 (found by the "SSH-" pattern), the
client banner longer than 255 bytes (long_banner event), then an invalid record length.
"""
import struct
import sys

from scapy.all import IP, TCP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.22"
T0 = 1700000000.0


def name_list(s):
    return struct.pack(">I", len(s)) + s.encode()


def kexinit(enc, mac, comp):
    p = bytes([20]) + b"0123456789abcdef"
    for lst in ("curve25519-sha256,ecdh-sha2-nistp256", "ssh-ed25519", enc, enc, mac, mac,
                comp, comp, "", ""):
        p += name_list(lst)
    p += b"\x00" + b"\x00\x00\x00\x00"
    return packet(p)


def packet(payload):
    pad = 8 - ((len(payload) + 5) % 8)
    pad = pad + 8 if pad < 4 else pad
    return struct.pack(">IB", len(payload) + pad + 1, pad) + payload + b"\x00" * pad


NEWKEYS = packet(b"\x15")


def session(dport, client_banner, tail_client=b"", client_raw=None):
    pkts = []
    seq = {"c": 1000, "s": 5000}

    def send(frm, data=b"", flags="PA"):
        if frm == "c":
            p = IP(src=CLI, dst=SRV) / TCP(sport=40001, dport=dport, flags=flags,
                                           seq=seq["c"], ack=seq["s"])
        else:
            p = IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=40001, flags=flags,
                                           seq=seq["s"], ack=seq["c"])
        if data:
            p = p / Raw(data)
        pkts.append(p)
        seq[frm] += len(data) + (1 if "S" in flags or "F" in flags else 0)

    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=40001, dport=dport, flags="S", seq=999))
    pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=40001, flags="SA", seq=4999,
                                           ack=1000))
    send("c", flags="A")
    send("s", b"SSH-2.0-OpenSSH_9.6p1 Debian-3\r\n")
    ck = kexinit("aes128-ctr,aes256-gcm@openssh.com", "hmac-sha2-256", "none")
    if client_raw is not None:
        send("c", client_raw)
    else:
        send("c", client_banner + ck[:30])
        send("c", ck[30:])
    send("s", kexinit("aes256-ctr", "hmac-sha1", "none,zlib@openssh.com"))
    send("c", NEWKEYS + tail_client)
    send("s", NEWKEYS)
    send("s", b"\x9e\x11SSH-2.0-inside\x00\x00\x01\x00\x04\x14" + b"\xab" * 40)
    send("c", flags="FA")
    send("s", flags="FA")
    send("c", flags="A")
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    return pkts


def main(out):
    wrpcap(f"{out}/ssh-22.pcap",
           session(22, b"SSH-2.0-PuTTY_Release_0.80\r\n", b"\x42" * 48))
    long_banner = b"SSH-2.0-" + b"L" * 300 + b"\r\n"
    pkts = session(2222, long_banner)
    # invalid record length: a second connection whose client sends a huge length
    bad = session(2223, b"", client_raw=b"SSH-2.0-Bad\r\n\xff\xff\xff\xff\x04\x14" + b"\x00" * 11)
    for p in bad:
        p.time += 1
    wrpcap(f"{out}/ssh-odd-port.pcap", pkts + bad)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
