#!/usr/bin/python3
"""Crafts the captures of the pcap_filename scenario test (tests/scenarios/test-eve-pcap-filename.sh).

  /usr/bin/python3 tools/gen-pcap-filename-captures.py tests/data/pcap-filename

dir/a.pcap (Ethernet):
  - UDP 10.0.1.1:5000 -> 10.0.1.2:6000 "ping-a" and its answer "pong-a";
  - IPv4 10.0.1.3 -> 10.0.1.4 UDP whose 12 option bytes hold a security
    option of length 2 (invalid for its type: the walk goes on) and then an
    option whose length overruns the area (the walk stops): opt_pad_required
    once and opt_invalid_len twice.
dir/b.pcap (Ethernet), one second later:
  - UDP 10.0.1.1:5000 -> 10.0.1.2:6000 "ping-b" (the flow of a.pcap goes on);
  - UDP 10.0.2.1:7000 -> 10.0.2.2:8000 "ping-b2" (a flow of its own).
"""
import os
import sys

from scapy.all import Ether, IP, UDP, Raw, wrpcap

T0 = 1700000000.0


def udp(src, dst, sp, dp, data, t, options=None):
    ip = IP(src=src, dst=dst) if options is None else IP(src=src, dst=dst, options=options)
    p = Ether(src="02:00:00:00:01:01", dst="02:00:00:00:01:02") / ip / \
        UDP(sport=sp, dport=dp) / Raw(data)
    p.time = t
    return p


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/pcap-filename"
    d = os.path.join(out, "dir")
    os.makedirs(d, exist_ok=True)
    bad = udp("10.0.1.3", "10.0.1.4", 9000, 9001, b"bad-opts", T0 + 0.2)
    # Rebuild the IP header by hand: scapy would pad or fix the options.
    raw = bytearray(bytes(bad))
    ip_off = 14
    opts = bytes([0x82, 0x02, 0xF1, 0x35, 0, 0, 0xDE, 0xAD, 0xBE, 0xEF, 0xAA, 0])
    hdr = bytearray(raw[ip_off:ip_off + 20])
    body = raw[ip_off + 20:]
    hdr[0] = 0x48                                   # IHL 8: 12 option bytes
    total = 20 + len(opts) + len(body)
    hdr[2:4] = total.to_bytes(2, "big")
    hdr[10:12] = b"\0\0"
    full = bytes(hdr) + opts
    s = 0
    for i in range(0, len(full), 2):
        s += (full[i] << 8) | full[i + 1]
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    hdr[10:12] = (~s & 0xFFFF).to_bytes(2, "big")
    bad_pkt = Ether(bytes(raw[:ip_off]) + bytes(hdr) + opts + bytes(body))
    bad_pkt.time = T0 + 0.2
    a = [
        udp("10.0.1.1", "10.0.1.2", 5000, 6000, b"ping-a", T0),
        udp("10.0.1.2", "10.0.1.1", 6000, 5000, b"pong-a", T0 + 0.1),
        bad_pkt,
    ]
    b = [
        udp("10.0.1.1", "10.0.1.2", 5000, 6000, b"ping-b", T0 + 1.0),
        udp("10.0.2.1", "10.0.2.2", 7000, 8000, b"ping-b2", T0 + 1.1),
    ]
    wrpcap(os.path.join(d, "a.pcap"), a)
    wrpcap(os.path.join(d, "b.pcap"), b)


if __name__ == "__main__":
    main()
