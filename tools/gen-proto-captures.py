#!/usr/bin/python3
"""Crafts the small captures of tests/data/app-layer/ for the mDNS, RDP, Telnet, NTP and
POP3 scenario tests (tests/scenarios/test-app-layer-{mdns,rdp,telnet,ntp,pop3}.sh) and the
fuzz seeds of their targets.

  /usr/bin/python3 tools/gen-proto-captures.py tests/data/app-layer
  /usr/bin/python3 tools/gen-proto-captures.py --fuzz fuzz/corpus
  /usr/bin/python3 tools/gen-proto-captures.py --c-rdp > tests/unit/app-layer/rdp/rdp-test-pdus.h

Protocol bytes are built by hand (RFC 6762, ITU-T T.123/X.224 with MS-RDPBCGR, RFC 854/855,
RFC 5905, RFC 1939) so that they are exactly the ones described; scapy frames them in IP/UDP/TCP.
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


# ---- RDP (MS-RDPBCGR 1.3.1.1 connection sequence) ----

def tpkt(x):
    return b"\x03\x00" + struct.pack(">H", len(x) + 4) + x


def x224(code, var):
    """Class 0 CR (0xe0) / CC (0xd0): LI, code, DST-REF, SRC-REF, class, then var."""
    return bytes([6 + len(var), code, 0, 0, 0x12, 0x34, 0]) + var


def x224_dt(mcs):
    return b"\x02\xf0\x80" + mcs


def ber_len(n):
    if n < 0x80:
        return bytes([n])
    if n < 0x100:
        return bytes([0x81, n])
    return bytes([0x82]) + struct.pack(">H", n)


def ber(tag, content):
    return tag + ber_len(len(content)) + content


def per_len(n):
    return bytes([n]) if n < 0x80 else struct.pack(">H", 0x8000 | n)


def utf16(s, size):
    b = s.encode("utf-16-le")
    return b + b"\x00" * (size - len(b))


def cs_core():
    """TS_UD_CS_CORE with every optional field (234 bytes)."""
    body = struct.pack("<IHHHHII", 0x00080004, 1280, 1024, 0xCA01, 0xAA03, 0x409, 7601)
    body += utf16("VIGIL-PC", 32) + struct.pack("<III", 4, 0, 12) + b"\x00" * 64
    body += struct.pack("<HHIHHH", 0xCA01, 1, 0, 24, 0x0007, 0x0001 | 0x0020)
    body += utf16("00000-OEM-0000000-00001", 64) + bytes([6, 0]) + struct.pack("<I", 0)
    body += struct.pack("<IIHII", 300, 200, 0, 100, 100)
    return struct.pack("<HH", 0xC001, 4 + len(body)) + body


def cs_net(names):
    chans = b"".join(n.encode().ljust(8, b"\x00") + struct.pack("<I", 0x80800000)
                     for n in names)
    return struct.pack("<HHI", 0xC003, 8 + len(chans), len(names)) + chans


def connect_initial(blocks):
    gcc_tail = b"\x00\x08\x00\x10\x00\x01\xc0\x00Duca" + per_len(len(blocks)) + blocks
    gcc = b"\x00\x05\x00\x14\x7c\x00\x01" + per_len(len(gcc_tail)) + gcc_tail
    params = ber(b"\x30", b"".join(ber(b"\x02", bytes([v])) for v in (34, 2, 0, 1, 0, 1, 0xff, 2)))
    body = (ber(b"\x04", b"\x01") + ber(b"\x04", b"\x01") + ber(b"\x01", b"\xff") +
            params + params + params + ber(b"\x04", gcc))
    return b"\x7f\x65" + ber_len(len(body)) + body


def connect_response():
    body = (ber(b"\x0a", b"\x00") + ber(b"\x02", b"\x00") +
            ber(b"\x30", ber(b"\x02", b"\x22")) + ber(b"\x04", b"\x00\x05\x00\x14\x7c"))
    return b"\x7f\x66" + ber_len(len(body)) + body


def tls_client_hello():
    hello = (b"\x03\x03" + bytes(range(32)) + b"\x00" + b"\x00\x02\x00\x2f" + b"\x01\x00" +
             b"\x00\x00")
    hs = b"\x01" + struct.pack(">I", len(hello))[1:] + hello
    return b"\x16\x03\x01" + struct.pack(">H", len(hs)) + hs


RDP_CR_STD = tpkt(x224(0xE0, b"Cookie: mstshash=vigiluser\r\n"))
RDP_CC_STD = tpkt(x224(0xD0, b""))
RDP_CI = tpkt(x224_dt(connect_initial(cs_core() + cs_net(["rdpdr", "cliprdr", "rdpsnd"]))))
RDP_CRSP = tpkt(x224_dt(connect_response()))
RDP_CR_NLA = tpkt(x224(0xE0, b"Cookie: mstshash=admin\r\n" +
                       b"\x01\x08\x08\x00" + struct.pack("<I", 3)))
RDP_CC_NLA = tpkt(x224(0xD0, b"\x02\x1f\x08\x00" + struct.pack("<I", 2)))
RDP_CC_FAIL = tpkt(x224(0xD0, b"\x03\x00\x08\x00" + struct.pack("<I", 5)))


def rdp_pkts():
    a = Tcp("10.0.1.5", "10.0.1.9", 49200, 3389)
    a.cli_data(RDP_CR_STD)
    a.srv_data(RDP_CC_STD)
    a.cli_data(RDP_CI[:100])      # the connect request split over two segments
    a.cli_data(RDP_CI[100:])
    a.srv_data(RDP_CRSP)
    a.cli_data(tpkt(x224_dt(b"\x04\x01\x00\x01\x00")))   # erect domain: no tx
    b = Tcp("10.0.1.6", "10.0.1.9", 49201, 3389)
    b.cli_data(RDP_CR_NLA)
    b.srv_data(RDP_CC_NLA)
    b.cli_data(tls_client_hello())
    c = Tcp("10.0.1.7", "10.0.1.9", 49202, 3389)
    c.cli_data(RDP_CR_NLA)
    c.srv_data(RDP_CC_FAIL)
    return a.close() + b.close() + c.close()


# ---- NTP (RFC 5905) ----

def ntp_msg(mode, stratum=0, version=4):
    """A 48-byte header: LI 0, VN, mode, stratum, poll 6, precision -20, ref id."""
    return (bytes([version << 3 | mode, stratum, 6, 0xEC]) + b"\x00" * 8 + b"GPS\x00" +
            b"\x00" * 32)


NTP_REQ = ntp_msg(3)
NTP_RSP = ntp_msg(4, stratum=1)
NTP_BAD_VERSION = bytes([0 << 3 | 3]) + NTP_REQ[1:]      # version 0
NTP_CTL_REQ = bytes([2 << 3 | 6, 2, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0])   # readvar, no data
NTP_CTL_RSP_CUT = bytes([2 << 3 | 6, 0x82, 0, 1, 0, 0, 0, 0, 0, 0, 0x01, 0x00]) + b"ver"


def ntp_pkts():
    c, s = "10.0.2.5", "10.0.2.1"
    return [eth(IP(src=c, dst=s) / UDP(sport=40000, dport=123) / Raw(NTP_REQ)),
            eth(IP(src=s, dst=c) / UDP(sport=123, dport=40000) / Raw(NTP_RSP)),
            eth(IP(src=c, dst=s) / UDP(sport=40000, dport=123) / Raw(NTP_BAD_VERSION)),
            eth(IP(src=c, dst=s) / UDP(sport=40001, dport=123) / Raw(NTP_CTL_REQ)),
            eth(IP(src=s, dst=c) / UDP(sport=123, dport=40001) / Raw(NTP_CTL_RSP_CUT))]


# ---- Telnet (RFC 854/855; TTYPE RFC 1091, NAWS RFC 1073) ----

IAC, SB, SE, WILL, WONT, DO, DONT = 255, 250, 240, 251, 252, 253, 254
ECHO, SGA, TTYPE, NAWS = 1, 3, 24, 31

TEL_SRV_NEG = bytes([IAC, DO, TTYPE, IAC, WILL, ECHO, IAC, WILL, SGA, IAC, DO, NAWS])
TEL_CLI_NEG = bytes([IAC, WILL, TTYPE, IAC, DO, ECHO, IAC, DO, SGA, IAC, WILL, NAWS])
TEL_CLI_SB = (bytes([IAC, SB, TTYPE, 0]) + b"XTERM" + bytes([IAC, SE]) +
              bytes([IAC, SB, NAWS, 0, 80, 0, 24, IAC, SE]))


def telnet_pkts():
    t = Tcp("10.0.3.5", "10.0.3.9", 50023, 23)
    t.srv_data(TEL_SRV_NEG)
    t.cli_data(TEL_CLI_NEG)
    t.cli_data(TEL_CLI_SB[:6])    # the terminal type split inside its subnegotiation
    t.cli_data(TEL_CLI_SB[6:])
    t.srv_data(b"login: ")
    t.cli_data(b"root\r\n")
    t.srv_data(b"Password: ")
    return t.close()


# ---- POP3 ----

POP3_GREET = b"+OK POP3 ready <1896.697170952@mail.example>\r\n"
POP3_SESSION = [
    (False, b"USER alice\r\n"), (True, b"+OK alice is known\r\n"),
    (False, b"PASS wrong\r\n"), (True, b"-ERR invalid password\r\n"),
    (False, b"PASS secret\r\n"), (True, b"+OK maildrop has 2 messages\r\n"),
    (False, b"LIST\r\n"), (True, b"+OK 2 messages\r\n1 120\r\n"),
    (True, b"2 200\r\n.\r\n"),                      # a body over two segments
    (False, b"RETR 1\r\nDELE 1\r\n"),                # pipelined
    (True, b"+OK 120 octets\r\nSubject: hi\r\n\r\n..hidden\r\n.\r\n+OK deleted\r\n"),
    (False, b"QUIT\r\n"), (True, b"+OK bye\r\n"),
]


def pop3_pkts():
    t = Tcp("10.0.4.5", "10.0.4.9", 50110, 110)
    t.srv_data(POP3_GREET)
    for to_client, data in POP3_SESSION:
        if to_client:
            t.srv_data(data)
        else:
            t.cli_data(data)
    return t.close()


def write_pcaps(out):
    os.makedirs(out, exist_ok=True)
    wrpcap(os.path.join(out, "mdns.pcap"), stamp(mdns_pkts()))
    wrpcap(os.path.join(out, "rdp.pcap"), stamp(rdp_pkts()))
    wrpcap(os.path.join(out, "ntp.pcap"), stamp(ntp_pkts()))
    wrpcap(os.path.join(out, "telnet.pcap"), stamp(telnet_pkts()))
    wrpcap(os.path.join(out, "pop3.pcap"), stamp(pop3_pkts()))


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
    write_seeds(out, "fuzz-app-layer-rdp", [
        fuzz_chunk(RDP_CR_STD) + fuzz_chunk(RDP_CC_STD, True) + fuzz_chunk(RDP_CI) +
        fuzz_chunk(RDP_CRSP, True),
        fuzz_chunk(RDP_CR_NLA) + fuzz_chunk(RDP_CC_NLA, True) + fuzz_chunk(tls_client_hello()),
        fuzz_chunk(RDP_CR_NLA) + fuzz_chunk(RDP_CC_FAIL, True),
    ])
    write_seeds(out, "fuzz-app-layer-ntp", [
        fuzz_chunk(NTP_REQ) + fuzz_chunk(NTP_RSP, True),
        fuzz_chunk(NTP_CTL_REQ) + fuzz_chunk(NTP_CTL_RSP_CUT, True),
        fuzz_chunk(NTP_REQ) + fuzz_chunk(NTP_BAD_VERSION),
    ])
    write_seeds(out, "fuzz-app-layer-telnet", [
        fuzz_chunk(TEL_SRV_NEG, True) + fuzz_chunk(TEL_CLI_NEG) + fuzz_chunk(TEL_CLI_SB) +
        fuzz_chunk(b"login: ", True) + fuzz_chunk(b"root\r\n"),
        fuzz_chunk(TEL_CLI_NEG) + fuzz_chunk(bytes([IAC, SB, TTYPE]) + b"A" * 200),
        fuzz_chunk(TEL_SRV_NEG, True) + fuzz_chunk(bytes([IAC, IAC, IAC, 7, IAC, SE])),
    ])
    write_fuzz_pop3(out)


def write_fuzz_pop3(out):
    session = fuzz_chunk(POP3_GREET, True) + b"".join(fuzz_chunk(d, tc) for tc, d in POP3_SESSION)
    write_seeds(out, "fuzz-app-layer-pop3", [
        session,
        fuzz_chunk(POP3_GREET, True) + fuzz_chunk(b"AUTH PLAIN\r\n") + fuzz_chunk(b"+ \r\n", True) +
        fuzz_chunk(b"AGFsaWNlAHNlY3JldA==\r\n") + fuzz_chunk(b"+OK\r\n", True),
        fuzz_chunk(POP3_GREET, True) + fuzz_chunk(b"STLS\r\n") + fuzz_chunk(b"+OK go\r\n", True) +
        fuzz_chunk(b"\x16\x03\x01\x00\x05hello"),
    ])


def c_rdp():
    print("/* Generated by tools/gen-proto-captures.py --c-rdp: do not edit. RDP PDUs of the")
    print(" * scenario capture: the connect request (core data of VIGIL-PC, channels rdpdr,")
    print(" * cliprdr, rdpsnd), a request with cookie admin asking for TLS/CredSSP, and the")
    print(" * confirm selecting CredSSP (hybrid) with every server flag. */")
    for name, b in (("k_rdp_ci", RDP_CI), ("k_rdp_cr_nla", RDP_CR_NLA),
                    ("k_rdp_cc_nla", RDP_CC_NLA), ("k_rdp_crsp", RDP_CRSP)):
        body = ", ".join("0x%02x" % x for x in b)
        lines, line = [], "   "
        for tok in body.split(" "):
            if len(line) + len(tok) + 1 > 92:
                lines.append(line)
                line = "   "
            line += " " + tok
        lines.append(line)
        print("static const uint8_t %s[] = {\n%s\n};" % (name, "\n".join(lines)))


if __name__ == "__main__":
    if len(sys.argv) == 2 and sys.argv[1] == "--c-rdp":
        c_rdp()
    elif len(sys.argv) == 3 and sys.argv[1] == "--fuzz":
        write_fuzz(sys.argv[2])
    elif len(sys.argv) == 2:
        write_pcaps(sys.argv[1])
    else:
        sys.exit(__doc__)
