#!/usr/bin/env python3
"""Generates the sample packets of the link-layer and tunnel decoder tests
(tests/unit/decode/test-decode-*.c) as C byte arrays with their readable
form. Usage: python3 gen-decode-samples.py [name...]; no arguments prints all.
Plain struct packing (no scapy needed); checksums are correct."""

import struct
import sys
import textwrap


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ipv4(src, dst, proto, payload, ttl=64, ident=1):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0, ttl, proto, 0,
                      bytes(src), bytes(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def udp4(src, dst, sp, dp, data):
    ulen = 8 + len(data)
    pseudo = bytes(src) + bytes(dst) + struct.pack("!BBH", 0, 17, ulen)
    hdr = struct.pack("!HHHH", sp, dp, ulen, 0)
    c = csum(pseudo + hdr + data) or 0xFFFF
    return ipv4(src, dst, 17, struct.pack("!HHHH", sp, dp, ulen, c) + data)


def ipv6_udp(src, dst, sp, dp, data, hlim=64):
    ulen = 8 + len(data)
    pseudo = bytes(src) + bytes(dst) + struct.pack("!IxxxB", ulen, 17)
    hdr = struct.pack("!HHHH", sp, dp, ulen, 0)
    c = csum(pseudo + hdr + data) or 0xFFFF
    l4 = struct.pack("!HHHH", sp, dp, ulen, c) + data
    return struct.pack("!IHBB", 6 << 28, len(l4), 17, hlim) + bytes(src) + bytes(dst) + l4


def eth(ethertype, payload):
    return bytes.fromhex("001122334455") + bytes.fromhex("66778899aabb") + \
        struct.pack("!H", ethertype) + payload


A4 = [10, 0, 0, 1]
B4 = [10, 0, 0, 2]
A6 = bytes.fromhex("20010db8000000000000000000000001")
B6 = bytes.fromhex("20010db8000000000000000000000002")
IP4 = udp4(A4, B4, 1024, 53, b"abcd")
IP6 = ipv6_udp(A6, B6, 1024, 53, b"abcd")
ETH4 = eth(0x0800, IP4)
T4 = [192, 0, 2, 1]
T4B = [192, 0, 2, 2]

SAMPLES = {
    "ipv4_udp": ("10.0.0.1:1024 > 10.0.0.2:53 UDP 'abcd'", IP4),
    "ipv6_udp": ("[2001:db8::1]:1024 > [2001:db8::2]:53 UDP 'abcd'", IP6),
    "eth_ipv4": ("Ether 66:77:88:99:aa:bb > 00:11:22:33:44:55 type 0x0800 / ipv4_udp", ETH4),
    "eth_arp": ("Ether type 0x0806 / ARP request who-has 10.0.0.2 tell 10.0.0.1",
                eth(0x0806, bytes.fromhex("0001080006040001") + bytes.fromhex("66778899aabb") +
                    bytes(A4) + bytes(6) + bytes(B4))),
    "vlan": ("Ether type 0x8100 / 802.1Q vid 100 type 0x0800 / ipv4_udp",
             eth(0x8100, struct.pack("!HH", 100, 0x0800) + IP4)),
    "qinq": ("Ether type 0x88a8 / 802.1ad vid 10 type 0x8100 / 802.1Q vid 20 (pcp 5) "
             "type 0x0800 / ipv4_udp",
             eth(0x88A8, struct.pack("!HHHH", 10, 0x8100, (5 << 13) | 20, 0x0800) + IP4)),
    "qinqinq": ("Ether type 0x88a8 / vid 10 type 0x8100 / vid 20 type 0x8100 / vid 30 "
                "type 0x0800 / ipv4_udp",
                eth(0x88A8, struct.pack("!HHHHHH", 10, 0x8100, 20, 0x8100, 30, 0x0800) + IP4)),
    "sll": ("SLL pkttype 0 (host) arphrd 1 addrlen 6 addr 66:77:88:99:aa:bb proto 0x0800 / "
            "ipv4_udp",
            struct.pack("!HHH", 0, 1, 6) + bytes.fromhex("66778899aabb0000") +
            struct.pack("!H", 0x0800) + IP4),
    "sll2": ("SLL2 proto 0x86dd ifindex 2 arphrd 1 pkttype 0 addrlen 6 "
             "addr 66:77:88:99:aa:bb / ipv6_udp",
             struct.pack("!HHIHBB", 0x86DD, 0, 2, 1, 0, 6) + bytes.fromhex("66778899aabb0000") +
             IP6),
    "pppoe_sess": ("Ether type 0x8864 / PPPoE ver 1 type 1 code 0 session 0x0001 len 34 / "
                   "PPP proto 0x0021 / ipv4_udp",
                   eth(0x8864, struct.pack("!BBHHH", 0x11, 0, 1, 2 + len(IP4), 0x0021) + IP4)),
    "pppoe_padi": ("Ether type 0x8863 / PPPoE PADI session 0 len 12 / tag Service-Name "
                   "(0x0101) len 0, tag Host-Uniq (0x0103) len 4 0xdeadbeef",
                   eth(0x8863, struct.pack("!BBHH", 0x11, 0x09, 0, 12) +
                       struct.pack("!HHHH", 0x0101, 0, 0x0103, 4) + bytes.fromhex("deadbeef"))),
    "mpls": ("Ether type 0x8847 / MPLS label 100 tc 0 S 0 ttl 64 / MPLS label 200 S 1 ttl 64"
             " / ipv4_udp",
             eth(0x8847, struct.pack("!II", (100 << 12) | 64, (200 << 12) | 0x100 | 64) + IP4)),
    "mpls_pw": ("Ether type 0x8847 / MPLS label 1000 S 1 ttl 64 / control word 0 / eth_ipv4",
                eth(0x8847, struct.pack("!II", (1000 << 12) | 0x100 | 64, 0) + ETH4)),
    "gre_v0": ("GRE v0 flags C K S, checksum 0 offset 0, key 0x00000007, seq 1, proto 0x0800"
               " / ipv4_udp",
               struct.pack("!HHHHII", 0xB000, 0x0800, 0, 0, 7, 1) + IP4),
    "gre_teb": ("GRE v0 no flags proto 0x6558 / eth_ipv4",
                struct.pack("!HH", 0, 0x6558) + ETH4),
    "gre_v1": ("GRE v1 (PPTP) flags K S A, proto 0x880b, payload len 36, call id 5, seq 1, "
               "ack 0 / PPP ff 03 proto 0x0021 / ipv4_udp",
               struct.pack("!HHHHII", 0x3081, 0x880B, 4 + len(IP4), 5, 1, 0) +
               bytes.fromhex("ff030021") + IP4),
    "ip_gre": ("192.0.2.1 > 192.0.2.2 proto 47 / GRE v0 proto 0x0800 / ipv4_udp",
               eth(0x0800, ipv4(T4, T4B, 47, struct.pack("!HH", 0, 0x0800) + IP4))),
    "vxlan": ("VXLAN flags I (0x08) vni 123 / eth_ipv4",
              struct.pack("!BxxxI", 0x08, 123 << 8) + ETH4),
    "ip_vxlan": ("Ether / 192.0.2.1:40000 > 192.0.2.2:4789 UDP / VXLAN vni 123 / eth_ipv4",
                 eth(0x0800, udp4(T4, T4B, 40000, 4789,
                                  struct.pack("!BxxxI", 0x08, 123 << 8) + ETH4))),
    "teredo_origin": ("Teredo origin indication port 0xfbfe addr 0x3fffffff / ipv6_udp",
                      struct.pack("!HH", 0, 0xFBFE) + bytes.fromhex("3fffffff") + IP6),
    "teredo_auth": ("Teredo auth indication id-len 2 au-len 3 id 'ab' au 'xyz' nonce "
                    "0102030405060708 conf 0 / ipv6_udp",
                    struct.pack("!HBB", 1, 2, 3) + b"abxyz" +
                    bytes.fromhex("0102030405060708") + b"\0" + IP6),
    "ip_teredo": ("Ether / 192.0.2.1:40000 > 192.0.2.2:3544 UDP / ipv6_udp",
                  eth(0x0800, udp4(T4, T4B, 40000, 3544, IP6))),
}


def comment(text):
    lines = textwrap.wrap(text, 92)
    if len(lines) == 1:
        return "/* %s */" % lines[0]
    return "/* " + "\n * ".join(lines) + " */"


def emit(name):
    desc, data = SAMPLES[name]
    print(comment("%s (%d bytes)" % (desc, len(data))))
    print("static const uint8_t %s[] = {" % name)
    for i in range(0, len(data), 12):
        chunk = ", ".join("0x%02x" % b for b in data[i:i + 12])
        print("    %s," % chunk)
    print("};")


if __name__ == "__main__":
    for n in sys.argv[1:] or SAMPLES:
        emit(n)
