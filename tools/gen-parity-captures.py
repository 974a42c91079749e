#!/usr/bin/python3
"""Craft the alert-parity captures of tests/data/parity/ (scapy).

Each capture reproduces, in a few packets, a flow of the reference mix on
which Vigil's alerts differed from Suricata 8.0.7's (issue 16); the scenario
test tests/scenarios/test-parity-stream.sh runs them.

  midstream-smb.pcap   10.0.0.1:50000 -> 10.0.0.2:445, no handshake: the
                       capture starts inside an SMB2 session (two requests,
                       two answers). With stream.midstream off (the default)
                       there is no TCP session, so no packet is established.
  irc-two-joins.pcap   10.0.0.1:50001 -> 10.0.0.2:6667 with a handshake; the
                       client sends "JOIN #a" and a PRIVMSG, and after the
                       server's answers "JOIN #b" and another (about 100
                       bytes each time); the capture ends without FIN or
                       RST. Less than a chunk (2560 bytes) is sent, so the
                       raw stream is inspected once, when the flow ends: one
                       alert for a rule on JOIN (two if chunks were cut at
                       each acknowledgment).
  gnutella-close.pcap  10.0.0.1:50002 -> 10.0.0.2:6346: the client sends
                       "GNUTELLA CONNECT/0.6", the server acks and answers,
                       the client sends "GNUTELLA/0.6 503" and closes first.
                       Raw inspection of the client's data happens on the
                       client's FIN (the acked request) and on its last ACK
                       (the acked rest), each chunk anchored at its own start.
  irc-user-first.pcap  10.0.0.1:50003 -> 10.0.0.2:6667: the server greets
                       first, the client's first line is "USER ...", so the
                       flow is detected as FTP (Suricata's "USER " pattern);
                       then NICK, JOIN, PRIVMSG and QUIT, each acked, and a
                       close by the server. The FTP parser asks for no raw
                       inspection per command: the JOIN is inspected once,
                       with the rest, at flow end (the server closes first,
                       which is not a flush state).

Usage: tools/gen-parity-captures.py tests/data/parity
"""
import sys

from scapy.all import IP, TCP, Ether, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.2"
T0 = 1700000000.0


class Conn:
    def __init__(self, sp, dp, cisn=1000, sisn=5000):
        self.sp, self.dp = sp, dp
        self.cseq, self.sseq = cisn, sisn
        self.pkts = []

    def _add(self, p):
        p.time = T0 + len(self.pkts) * 0.01
        self.pkts.append(p)

    def c2s(self, flags, data=b"", ack=None):
        p = Ether() / IP(src=CLI, dst=SRV) / TCP(sport=self.sp, dport=self.dp, flags=flags,
                                                 seq=self.cseq,
                                                 ack=self.sseq if ack is None else ack,
                                                 window=65535) / data
        self._add(p)
        self.cseq += len(data) + (1 if "S" in flags or "F" in flags else 0)

    def s2c(self, flags, data=b"", ack=None):
        p = Ether() / IP(src=SRV, dst=CLI) / TCP(sport=self.dp, dport=self.sp, flags=flags,
                                                 seq=self.sseq,
                                                 ack=self.cseq if ack is None else ack,
                                                 window=65535) / data
        self._add(p)
        self.sseq += len(data) + (1 if "S" in flags or "F" in flags else 0)

    def handshake(self):
        self.c2s("S", ack=0)
        self.s2c("SA")
        self.c2s("A")


def smb2(command, name=b""):
    """NetBIOS session header + a 64-byte SMB2 header + name (UTF-16LE)."""
    hdr = b"\xfeSMB" + b"\x40\x00" + b"\x00\x00" + b"\x00\x00\x00\x00"
    hdr += command.to_bytes(2, "little") + b"\x00" * 50
    body = hdr + name.decode().encode("utf-16-le")
    return len(body).to_bytes(4, "big") + body


def midstream_smb():
    c = Conn(50000, 445, cisn=200000, sisn=900000)
    for name in (b"\\setup.exe", b"\\tool.exe"):
        c.c2s("PA", smb2(5, name))
        c.s2c("PA", smb2(5))
    c.c2s("A")
    return c.pkts


def irc_two_joins():
    c = Conn(50001, 6667)
    c.handshake()
    c.c2s("PA", b"NICK vg\r\nUSER vg 0 * :vg\r\n")
    c.s2c("PA", b":irc.example 001 vg :Welcome\r\n")
    for chan in (b"#a", b"#b"):
        c.c2s("PA", b"JOIN " + chan + b"\r\n")
        c.s2c("PA", b":vg!vg@h JOIN :" + chan + b"\r\n")
        c.c2s("PA", b"PRIVMSG " + chan + b" :" + b"hello " * 12 + b"\r\n")
        c.s2c("A")
    c.c2s("A")
    return c.pkts


def gnutella_close():
    c = Conn(50002, 6346)
    c.handshake()
    c.c2s("PA", b"GNUTELLA CONNECT/0.6\r\nUser-Agent: vg\r\n\r\n")
    c.s2c("A")
    c.s2c("PA", b"GNUTELLA/0.6 200 OK\r\nUser-Agent: peer\r\n\r\n")
    c.c2s("PA", b"GNUTELLA/0.6 503 Busy\r\n\r\n")
    c.c2s("FA")
    c.s2c("A")
    c.s2c("FA")
    c.c2s("A")
    return c.pkts


def irc_user_first():
    c = Conn(50003, 6667)
    c.handshake()
    c.s2c("PA", b":irc.example NOTICE * :*** Looking up your hostname...\r\n")
    for line in (b"USER vg * * :vg\r\n", b"NICK vg\r\n", b"JOIN #vg\r\n",
                 b"PRIVMSG #vg test\r\n", b"QUIT bye\r\n"):
        c.c2s("PA", line)
        c.s2c("PA", b":irc.example NOTICE vg :ok\r\n")
        c.c2s("A")
    c.s2c("FA")
    c.c2s("FA")
    c.s2c("A")
    return c.pkts


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/parity"
    wrpcap(out + "/midstream-smb.pcap", midstream_smb())
    wrpcap(out + "/irc-two-joins.pcap", irc_two_joins())
    wrpcap(out + "/gnutella-close.pcap", gnutella_close())
    wrpcap(out + "/irc-user-first.pcap", irc_user_first())


if __name__ == "__main__":
    main()
