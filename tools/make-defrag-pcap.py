#!/usr/bin/env python3
"""Write tests/data/defrag-overlap.pcap: one UDP datagram 10.0.0.1:5353 ->
10.0.0.2:9999 sent as IPv4 fragments (id 4242) whose payload bytes [0, 8)
come twice at the same offset: first "GOODGOOD", then "EVILEVIL". A host
reassembling with the linux policy keeps the later copy (EVIL); bsd,
windows, solaris and first keep the earlier one (GOOD). Then the same trick
over IPv6 (2001:db8::1 -> 2001:db8::2, id 4243). UDP checksum 0 (IPv4:
none; IPv6: the rebuilt datagram has a bad checksum either way, which only
counts). Needs scapy."""
import struct
import sys

from scapy.all import IP, IPv6, IPv6ExtHdrFragment, Ether, Raw, wrpcap

OUT = sys.argv[1] if len(sys.argv) > 1 else "tests/data/defrag-overlap.pcap"
MAC = dict(src="00:00:00:00:00:01", dst="00:00:00:00:00:02")
UDP_HDR = struct.pack("!HHHH", 5353, 9999, 8 + 16, 0)

# (byte offset, more fragments, data), in sending order
FRAGS = [(8, True, b"GOODGOOD"), (8, True, b"EVILEVIL"), (0, True, UDP_HDR),
         (16, False, b"12345678")]

pkts = []
for off, more, data in FRAGS:
    ip = IP(src="10.0.0.1", dst="10.0.0.2", id=4242, proto=17, frag=off // 8,
            flags="MF" if more else 0)
    pkts.append(Ether(**MAC) / ip / Raw(data))
for off, more, data in FRAGS:
    ip6 = IPv6(src="2001:db8::1", dst="2001:db8::2", nh=44)
    fh = IPv6ExtHdrFragment(nh=17, offset=off // 8, m=1 if more else 0, id=4243)
    pkts.append(Ether(**MAC) / ip6 / fh / Raw(data))
for i, p in enumerate(pkts):
    p.time = 1700000000 + i
wrpcap(OUT, pkts)
