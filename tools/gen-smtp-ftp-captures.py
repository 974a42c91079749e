#!/usr/bin/env python3
"""Crafts the small SMTP and FTP captures of tests/data/app-layer/ (scenario tests).

  /usr/bin/python3 tools/gen-smtp-ftp-captures.py tests/data/app-layer

smtp-mime.pcap: one connection to port 25: greeting, EHLO, pipelined MAIL/RCPT/DATA,
a multipart message (folded Received header, Subject, a text part with a URL and a
dot-stuffed line, a base64 attachment "report.txt" holding "EICAR-LIKE-TEST-PAYLOAD\\n"),
the "." split across segments, the reply, QUIT.
ftp-passive.pcap: an FTP control connection to port 21 (USER, PASS, PASV answered
227 with port 50000, STOR up.txt, a PORT naming another host: ftpbounce), and the
data connection to port 50000 carrying "root:x:0:0:root\\n" to the server.
"""
import base64
import sys

from scapy.all import wrpcap

import ftpconn

CLI, SRV, OTHER = "10.0.0.1", "10.0.0.25", "10.9.9.9"
T0 = 1700000000.0


class Conn(ftpconn.Conn):
    """ftpconn.Conn appending to a packet list, its handshake at once."""

    def __init__(self, pkts, cli, srv, sport, dport):
        super().__init__(cli, sport, dport, srv, seq_c=999, seq_s=4999)
        self.pkts = pkts
        pkts.extend(self.open())

    def send(self, frm, data=b"", flags="PA"):
        self.pkts.append(self.pkt(frm, data, flags))

    def close(self):
        self.pkts.extend(super().close())


def stamp(pkts):
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    return pkts


def smtp():
    pkts = []
    c = Conn(pkts, CLI, SRV, 40001, 25)
    c.send("s", b"220 mx.example ESMTP\r\n")
    c.send("c", b"EHLO client.example\r\n")
    c.send("s", b"250-mx.example\r\n250 PIPELINING\r\n")
    c.send("c", b"MAIL FROM:<alice@example.com>\r\nRCPT TO:<bob@example.com>\r\nDATA\r\n")
    c.send("s", b"250 ok\r\n250 ok\r\n354 go ahead\r\n")
    att = base64.b64encode(b"EICAR-LIKE-TEST-PAYLOAD\n")
    msg = (b"Received: from client.example (client.example [10.0.0.1])\r\n"
           b"\tby mx.example; Tue, 14 Nov 2023 22:13:20 +0000\r\n"
           b"From: Alice <alice@example.com>\r\nTo: bob@example.com\r\n"
           b"Subject: quarterly report\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n--sep\r\n"
           b"Content-Type: text/plain\r\n\r\nsee http://reports.example/q3\r\n"
           b"..hidden-dot-line\r\n--sep\r\nContent-Type: text/plain; name=\"report.txt\"\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + att + b"\r\n--sep--\r\n.")
    c.send("c", msg)
    c.send("c", b"\r\n")
    c.send("s", b"250 queued\r\n")
    c.send("c", b"QUIT\r\n")
    c.send("s", b"221 bye\r\n")
    c.close()
    return stamp(pkts)


def ftp():
    pkts = []
    c = Conn(pkts, CLI, SRV, 40002, 21)
    c.send("s", b"220 ftp.example ready\r\n")
    c.send("c", b"USER anonymous\r\n")
    c.send("s", b"331 password please\r\n")
    c.send("c", b"PASS guest\r\n")
    c.send("s", b"230 logged in\r\n")
    c.send("c", b"PASV\r\n")
    c.send("s", b"227 Entering Passive Mode (10,0,0,25,195,80).\r\n")
    c.send("c", b"STOR up.txt\r\n")
    d = Conn(pkts, CLI, SRV, 40003, 50000)
    c.send("s", b"150 ok to send\r\n")
    d.send("c", b"root:x:0:0:root\n")
    d.close()
    c.send("s", b"226 transfer complete\r\n")
    c.send("c", b"PORT 10,9,9,9,4,1\r\n")
    c.send("s", b"200 PORT ok\r\n")
    c.send("c", b"QUIT\r\n")
    c.send("s", b"221 bye\r\n")
    c.close()
    return stamp(pkts)


def main(out):
    wrpcap(f"{out}/smtp-mime.pcap", smtp())
    wrpcap(f"{out}/ftp-passive.pcap", ftp())


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
