#!/usr/bin/python3
"""Crafts the small captures of tests/data/app-layer/ for the mDNS, RDP, Telnet and NTP
scenario tests (tests/scenarios/test-app-layer-{mdns,rdp,telnet,ntp}.sh) and the fuzz
seeds of their targets.

  /usr/bin/python3 tools/gen-proto-captures.py tests/data/app-layer
  /usr/bin/python3 tools/gen-proto-captures.py --fuzz fuzz/corpus

Protocol bytes are built by hand (RFC 6762, ITU-T T.123/X.224 with MS-RDPBCGR, RFC 854/855,
RFC 5905) so that they are exactly the ones described; scapy frames them in IP/UDP/TCP.
"""
import hashlib
import os
import struct
import sys

from scapy.all import DNS, DNSQR, DNSRR, IP, TCP, UDP, Ether, Raw, wrpcap

T0 = 1733390000.0


def stamp(pkts, t0=T0):
    for i, p in enumerate(pkts):
        p.time = t0 + i * 0.01
    return pkts


def eth(p):
    return Ether(src="00:00:00:00:00:01", dst="00:00:00:00:00:02") / p


# ---- mDNS ----

def mdns_pkts():
    q = DNS(id=0, rd=0, qd=DNSQR(qname="_ipp._tcp.local", qtype="PTR"))
    a = DNS(id=0, qr=1, aa=1, rd=0, qd=None, qdcount=0,
            an=DNSRR(rrname="printer.local", type="A", ttl=120, rdata="10.0.0.9"))
    return [eth(IP(src="10.0.0.5", dst="224.0.0.251") / UDP(sport=5353, dport=5353) / q),
            eth(IP(src="10.0.0.9", dst="224.0.0.251") / UDP(sport=5353, dport=5353) / a)]


# ---- TCP conversations ----

class Tcp:
    """A TCP connection: handshake, data both ways with ACKs, FIN both ways."""

    def __init__(self, cli, srv, sport, dport):
        self.c, self.s, self.sp, self.dp = cli, srv, sport, dport
        self.cseq, self.sseq = 1000, 5000
        self.pkts = [
            eth(IP(src=cli, dst=srv) / TCP(sport=sport, dport=dport, flags="S", seq=999)),
            eth(IP(src=srv, dst=cli) / TCP(sport=dport, dport=sport, flags="SA", seq=4999,
                                           ack=1000)),
            eth(IP(src=cli, dst=srv) / TCP(sport=sport, dport=dport, flags="A", seq=1000,
                                           ack=5000)),
        ]

    def cli_data(self, data):
        self.pkts.append(eth(IP(src=self.c, dst=self.s) /
                             TCP(sport=self.sp, dport=self.dp, flags="PA", seq=self.cseq,
                                 ack=self.sseq) / Raw(data)))
        self.cseq += len(data)
        self.pkts.append(eth(IP(src=self.s, dst=self.c) /
                             TCP(sport=self.dp, dport=self.sp, flags="A", seq=self.sseq,
                                 ack=self.cseq)))

    def srv_data(self, data):
        self.pkts.append(eth(IP(src=self.s, dst=self.c) /
                             TCP(sport=self.dp, dport=self.sp, flags="PA", seq=self.sseq,
                                 ack=self.cseq) / Raw(data)))
        self.sseq += len(data)
        self.pkts.append(eth(IP(src=self.c, dst=self.s) /
                             TCP(sport=self.sp, dport=self.dp, flags="A", seq=self.cseq,
                                 ack=self.sseq)))

    def close(self):
        c, s, sp, dp = self.c, self.s, self.sp, self.dp
        self.pkts += [
            eth(IP(src=c, dst=s) / TCP(sport=sp, dport=dp, flags="FA", seq=self.cseq,
                                       ack=self.sseq)),
            eth(IP(src=s, dst=c) / TCP(sport=dp, dport=sp, flags="FA", seq=self.sseq,
                                       ack=self.cseq + 1)),
            eth(IP(src=c, dst=s) / TCP(sport=sp, dport=dp, flags="A", seq=self.cseq + 1,
                                       ack=self.sseq + 1)),
        ]
        return self.pkts


def write_pcaps(out):
    os.makedirs(out, exist_ok=True)
    wrpcap(os.path.join(out, "mdns.pcap"), stamp(mdns_pkts()))


def fuzz_chunk(data, toclient=False):
    """One chunk in the format of fuzz/fuzz-app-layer-common.h (len_ext)."""
    d = 0x80 if toclient else 0
    if 1 <= len(data) <= 63:
        return bytes([d | (len(data) - 1)]) + data
    return bytes([d | 63]) + len(data).to_bytes(2, "big") + data


def write_seeds(out, target, seeds):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    for s in seeds:
        with open(os.path.join(d, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)


def write_fuzz(out):
    m = [bytes(p[UDP].payload) for p in mdns_pkts()]
    write_seeds(out, "fuzz-app-layer-mdns",
                [fuzz_chunk(m[0]), fuzz_chunk(m[1]), fuzz_chunk(m[0]) + fuzz_chunk(m[1], True)])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--fuzz":
        write_fuzz(sys.argv[2])
    elif len(sys.argv) == 2:
        write_pcaps(sys.argv[1])
    else:
        sys.exit(__doc__)
