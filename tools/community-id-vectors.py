#!/usr/bin/env python3
"""Community ID v1 flow hashes computed from the specification
(github.com/corelight/community-id-spec), independently of Vigil.

Prints "proto saddr daddr sport dport seed -> id" for the test tuples used by
tests/unit/output/test-output-community-id.c; --check verifies the
implementation here against values published outside Vigil (the spec's own
README example and two suricata-verify expectations) and exits non-zero on a
mismatch.

Spec summary: SHA-1 over seed (2 bytes, network order), source address,
destination address, IP protocol (1 byte), a zero pad byte, then for TCP,
UDP, SCTP, ICMP and ICMPv6 the source and destination ports (2 bytes each,
network order). The endpoints are ordered first: the tuple is flipped unless
the source address is smaller, or the addresses are equal and the source
port is smaller. ICMP/ICMPv6 use type as source port and code as
destination port, except that message types with a counterpart (echo
request/reply, ...) use the counterpart type as destination port; other ICMP
types are one-way and never flipped. Result: "1:" + base64(digest).
"""
import base64
import hashlib
import ipaddress
import socket
import struct
import sys

TCP, UDP, ICMP, ICMP6, SCTP = 6, 17, 1, 58, 132
ICMP4_PAIRS = {8: 0, 0: 8, 13: 14, 14: 13, 15: 16, 16: 15, 10: 9, 9: 10, 17: 18, 18: 17}
ICMP6_PAIRS = {128: 129, 129: 128, 133: 134, 134: 133, 135: 136, 136: 135,
               130: 131, 131: 130, 139: 140, 140: 139, 144: 145, 145: 144}


def community_id(proto, saddr, daddr, sport=None, dport=None, seed=0):
    s = ipaddress.ip_address(saddr).packed
    d = ipaddress.ip_address(daddr).packed
    one_way = False
    if proto in (ICMP, ICMP6):
        pairs = ICMP4_PAIRS if proto == ICMP else ICMP6_PAIRS
        if sport in pairs:
            dport = pairs[sport]
        else:
            one_way = True
    has_ports = proto in (TCP, UDP, SCTP, ICMP, ICMP6)
    if not one_way and not (s < d or (s == d and has_ports and sport < dport)):
        s, d = d, s
        sport, dport = dport, sport
    data = struct.pack("!H", seed) + s + d + struct.pack("!BB", proto, 0)
    if has_ports:
        data += struct.pack("!HH", sport, dport)
    return "1:" + base64.b64encode(hashlib.sha1(data).digest()).decode()


# (proto, saddr, daddr, sport, dport, seed): the unit test's tuples.
VECTORS = [
    (TCP, "128.232.110.120", "66.35.250.204", 34855, 80, 0),
    (TCP, "66.35.250.204", "128.232.110.120", 80, 34855, 0),
    (TCP, "128.232.110.120", "66.35.250.204", 34855, 80, 1),
    (UDP, "192.168.1.52", "8.8.8.8", 54585, 53, 0),
    (UDP, "8.8.8.8", "192.168.1.52", 53, 54585, 0),
    (SCTP, "192.168.170.8", "192.168.170.56", 7, 80, 0),
    (TCP, "192.168.0.254", "192.168.0.254", 56162, 3306, 1),
    (TCP, "192.168.0.254", "192.168.0.254", 3306, 56162, 1),
    (ICMP, "192.168.0.89", "192.168.0.1", 8, 0, 0),
    (ICMP, "192.168.0.1", "192.168.0.89", 0, 0, 0),
    (ICMP, "192.168.0.1", "192.168.0.89", 11, 0, 0),
    (ICMP, "192.168.0.89", "192.168.0.1", 3, 1, 0),
    (ICMP6, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0, 0),
    (ICMP6, "fe80::260:97ff:fe07:69ea", "fe80::200:86ff:fe05:80da", 136, 0, 0),
    (ICMP6, "3ffe:507:0:1:260:97ff:fe07:69ea", "3ffe:507:0:1:200:86ff:fe05:80da", 1, 4, 0),
    (TCP, "3ffe:507:0:1:200:86ff:fe05:80da", "3ffe:501:4819::42", 1022, 22, 0),
    (47, "10.0.0.1", "10.0.0.2", 0, 0, 0),
    (47, "10.0.0.2", "10.0.0.1", 0, 0, 0),
    (50, "2001:db8::1", "2001:db8::2", 0, 0, 7),
]

# Values published outside Vigil.
KNOWN = [
    # community-id-spec README example (default seed)
    ((TCP, "128.232.110.120", "66.35.250.204", 34855, 80, 0), "1:LQU9qZlK+B5F3KDmev6m5PMibrg="),
    # the spec's baseline outputs: ICMP echo, ICMPv6 neighbor solicitation
    ((ICMP, "192.168.0.89", "192.168.0.1", 8, 0, 0), "1:X0snYXpgwiv9TZtqg64sgzUn6Dk="),
    ((ICMP6, "fe80::200:86ff:fe05:80da", "fe80::260:97ff:fe07:69ea", 135, 0, 0),
     "1:dGHyGvjMfljg6Bppwm3bg0LO8TY="),
    # suricata-verify community-id-sameip (seed 1) and community-id-ipv4 (seed 7)
    ((TCP, "192.168.0.254", "192.168.0.254", 56162, 3306, 1), "1:IJQHtzXv/tXud3FtXIufkDsfEd4="),
    ((TCP, "172.26.0.39", "172.217.14.206", 35958, 443, 7), "1:IwiTNfuO7aCaamMijl+7/X9uLx0="),
]


def main():
    if "--check" in sys.argv[1:]:
        bad = 0
        for tpl, want in KNOWN:
            got = community_id(*tpl)
            if got != want:
                print(f"MISMATCH {tpl}: {got} != {want}")
                bad += 1
        print(f"{len(KNOWN) - bad}/{len(KNOWN)} published vectors match")
        return 1 if bad else 0
    for v in VECTORS:
        print(*v, "->", community_id(*v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
