#!/usr/bin/python3
"""Write captures of frames longer than 64 KiB, for the max-packet-size tests.

  jumbo-udp.pcap  one Ethernet frame carrying the largest IPv4 datagram
                  (total length 65,535: 20 bytes of IPv4 header, 8 of UDP,
                  65,507 of payload), 65,549 bytes on the wire; valid, so
                  it must decode without any event.
  gro-tcp.pcap    one 200,014-byte Ethernet frame as GRO/TSO captures hold
                  them: an IPv4/TCP segment of 200,000 bytes, whose IPv4
                  total length field (16 bits) cannot say it and holds 0.

Both files are written with a snaplen of 262,144 (libpcap's largest).
Usage: tools/make-jumbo-pcap.py OUTDIR
"""
import os
import sys

from scapy.all import IP, TCP, UDP, Ether, Raw, PcapWriter

T0 = 1700000000.0


def write(path, pkt):
    pkt.time = T0
    w = PcapWriter(path, linktype=1, snaplen=262144, sync=True)
    w.write(pkt)
    w.close()


def main():
    out = sys.argv[1]
    e = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    udp = e / IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=4000, dport=5000) / \
        Raw(b"\x41" * (65535 - 28))
    udp = Ether(bytes(udp))  # fill in lengths and checksums
    assert len(udp) == 65549 and udp[IP].len == 65535
    write(os.path.join(out, "jumbo-udp.pcap"), udp)
    tcp = e / IP(src="192.0.2.1", dst="192.0.2.2", len=0) / \
        TCP(sport=4000, dport=80, flags="A", seq=1, ack=1) / Raw(b"\x42" * (200000 - 40))
    raw = bytes(tcp)
    assert len(raw) == 200014
    write(os.path.join(out, "gro-tcp.pcap"), Ether(raw))


if __name__ == "__main__":
    main()
