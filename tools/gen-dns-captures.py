#!/usr/bin/env python3
"""Crafts the small DNS captures of tests/data/app-layer/ (scenario tests).

  python3 tools/gen-dns-captures.py tests/data/app-layer

dns-udp.pcap: a client asks www.example.com A (answered: CNAME cdn.example.com, A
192.0.2.7; authority SOA) and evil.example.net TXT (never answered).
dns-tcp.pcap: one TCP connection to port 53; two length-prefixed queries in one segment,
the answer to the first split over two segments.
dns-events.pcap: three UDP flows to port 53 for the events' directions: a query then a
request cut inside its question (malformed_data, never answered); a query answered by a
message without the response bit (not_response); a query with the reserved Z bit set.
"""
import struct
import sys

from scapy.all import DNS, DNSQR, DNSRR, DNSRRSOA, IP, TCP, UDP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.53"
T0 = 1700000000.0


def stamp(pkts):
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    return pkts


def udp_capture():
    q1 = DNS(id=0x1111, rd=1, qd=DNSQR(qname="www.example.com", qtype="A"))
    r1 = DNS(id=0x1111, qr=1, rd=1, ra=1, qd=DNSQR(qname="www.example.com", qtype="A"),
             an=DNSRR(rrname="www.example.com", type="CNAME", ttl=300, rdata="cdn.example.com")
             / DNSRR(rrname="cdn.example.com", type="A", ttl=60, rdata="192.0.2.7"),
             ns=DNSRRSOA(rrname="example.com", mname="ns1.example.com",
                         rname="hostmaster.example.com", serial=7, refresh=3600, retry=600,
                         expire=86400, minimum=300, ttl=900))
    q2 = DNS(id=0x2222, rd=1, qd=DNSQR(qname="evil.example.net", qtype="TXT"))
    return stamp([
        IP(src=CLI, dst=SRV) / UDP(sport=33333, dport=53) / q1,
        IP(src=SRV, dst=CLI) / UDP(sport=53, dport=33333) / r1,
        IP(src=CLI, dst=SRV) / UDP(sport=33333, dport=53) / q2,
    ])


def framed(msg):
    b = bytes(msg)
    return struct.pack(">H", len(b)) + b


def tcp_capture():
    sp, dp = 40001, 53
    q1 = DNS(id=0x3333, rd=1, qd=DNSQR(qname="one.example.org", qtype="A"))
    q2 = DNS(id=0x4444, rd=1, qd=DNSQR(qname="two.example.org", qtype="AAAA"))
    r1 = DNS(id=0x3333, qr=1, rd=1, ra=1, qd=DNSQR(qname="one.example.org", qtype="A"),
             an=DNSRR(rrname="one.example.org", type="A", ttl=5, rdata="198.51.100.1"))
    cs, ss = 1000, 5000
    pkts = [
        IP(src=CLI, dst=SRV) / TCP(sport=sp, dport=dp, flags="S", seq=cs),
        IP(src=SRV, dst=CLI) / TCP(sport=dp, dport=sp, flags="SA", seq=ss, ack=cs + 1),
        IP(src=CLI, dst=SRV) / TCP(sport=sp, dport=dp, flags="A", seq=cs + 1, ack=ss + 1),
    ]
    cs, ss = cs + 1, ss + 1
    data = framed(q1) + framed(q2)
    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=sp, dport=dp, flags="PA", seq=cs, ack=ss)
                / Raw(data))
    cs += len(data)
    pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=dp, dport=sp, flags="A", seq=ss, ack=cs))
    resp = framed(r1)
    for part in (resp[:7], resp[7:]):
        pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=dp, dport=sp, flags="PA", seq=ss, ack=cs)
                    / Raw(part))
        ss += len(part)
        pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=sp, dport=dp, flags="A", seq=cs, ack=ss))
    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=sp, dport=dp, flags="FA", seq=cs, ack=ss))
    pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=dp, dport=sp, flags="FA", seq=ss, ack=cs + 1))
    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=sp, dport=dp, flags="A", seq=cs + 1,
                                         ack=ss + 1))
    return stamp(pkts)


def events_capture():
    cut = bytes(DNS(id=0x5556, rd=1, qd=DNSQR(qname="cut.example.com", qtype="A")))[:17]
    not_resp = DNS(id=0x6666, rd=1, qd=DNSQR(qname="b.example.com", qtype="A"))
    zq = bytearray(bytes(DNS(id=0x7777, rd=1, qd=DNSQR(qname="z.example.com", qtype="A"))))
    zq[3] |= 0x40   # Z bit
    return stamp([
        IP(src=CLI, dst=SRV) / UDP(sport=33401, dport=53)
        / DNS(id=0x5555, rd=1, qd=DNSQR(qname="a.example.com", qtype="A")),
        IP(src=CLI, dst=SRV) / UDP(sport=33401, dport=53) / Raw(cut),
        IP(src=CLI, dst=SRV) / UDP(sport=33402, dport=53) / not_resp,
        IP(src=SRV, dst=CLI) / UDP(sport=53, dport=33402) / not_resp,
        IP(src=CLI, dst=SRV) / UDP(sport=33403, dport=53) / Raw(bytes(zq)),
    ])


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/app-layer"
    wrpcap(f"{out}/dns-udp.pcap", udp_capture())
    wrpcap(f"{out}/dns-tcp.pcap", tcp_capture())
    wrpcap(f"{out}/dns-events.pcap", events_capture())


if __name__ == "__main__":
    main()
