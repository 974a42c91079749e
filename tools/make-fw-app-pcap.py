#!/usr/bin/python3
"""Write the captures of the firewall app-hook scenario tests: one TCP session
198.18.0.1:40010 -> 198.18.0.2:PORT, each command or reply its own segment,
each client segment acknowledged by the next server one, then ACK and FINs.

  smtp (tests/data/fw-smtp.pcap, tests/scenarios/test-firewall-smtp.sh), port 25:
    tx 0  MAIL FROM:<alice@example.com>, RCPT TO:<bob@example.com>, DATA, message
    tx 1  MAIL FROM:<mallory@example.net>, RCPT TO:<bob@example.com>, DATA, message
    then QUIT
  ftp (tests/data/fw-ftp.pcap, tests/scenarios/test-firewall-ftp.sh), port 21:
    USER, PORT naming the client, PORT naming another host (a bounce), QUIT

Packet numbers (pcap_cnt) are printed by --list.
Standard library only (the TCP/IP helpers of tools/make-firewall-pcap.py).
Usage: tools/make-fw-app-pcap.py [--list] smtp|ftp FILE
"""
import importlib.util
import os
import struct
import sys

_spec = importlib.util.spec_from_file_location(
    "fwpcap", os.path.join(os.path.dirname(os.path.abspath(__file__)), "make-firewall-pcap.py"))
fwpcap = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fwpcap)
tcp, CLI, SRV = fwpcap.tcp, fwpcap.CLI, fwpcap.SRV
SYN, ACK, PSH, FIN = fwpcap.SYN, fwpcap.ACK, fwpcap.PSH, fwpcap.FIN
SP = 40010

# (sender, bytes): 'c' client, 's' server
SMTP = [
    ("s", b"220 mail.example.com ESMTP\r\n"),
    ("c", b"HELO client.example.com\r\n"),
    ("s", b"250 mail.example.com\r\n"),
    ("c", b"MAIL FROM:<alice@example.com>\r\n"),
    ("s", b"250 2.1.0 Ok\r\n"),
    ("c", b"RCPT TO:<bob@example.com>\r\n"),
    ("s", b"250 2.1.5 Ok\r\n"),
    ("c", b"DATA\r\n"),
    ("s", b"354 End data with <CR><LF>.<CR><LF>\r\n"),
    ("c", b"Subject: one\r\n\r\nfirst message\r\n.\r\n"),
    ("s", b"250 2.0.0 Ok: queued as 1\r\n"),
    ("c", b"MAIL FROM:<mallory@example.net>\r\n"),
    ("s", b"250 2.1.0 Ok\r\n"),
    ("c", b"RCPT TO:<bob@example.com>\r\n"),
    ("s", b"250 2.1.5 Ok\r\n"),
    ("c", b"DATA\r\n"),
    ("s", b"354 End data with <CR><LF>.<CR><LF>\r\n"),
    ("c", b"Subject: two\r\n\r\nsecond message\r\n.\r\n"),
    ("s", b"250 2.0.0 Ok: queued as 2\r\n"),
    ("c", b"QUIT\r\n"),
    ("s", b"221 2.0.0 Bye\r\n"),
]

FTP = [
    ("s", b"220 ftp.example.com\r\n"),
    ("c", b"USER anonymous\r\n"),
    ("s", b"230 Login successful\r\n"),
    ("c", b"PORT 198,18,0,1,156,64\r\n"),
    ("s", b"200 PORT command successful\r\n"),
    ("c", b"PORT 198,18,0,3,0,80\r\n"),
    ("s", b"200 PORT command successful\r\n"),
    ("c", b"QUIT\r\n"),
    ("s", b"221 Goodbye\r\n"),
]

DIALOGS = {"smtp": (SMTP, 25), "ftp": (FTP, 21)}


def packets(dialog, DP):
    c, s = 1000, 5000
    out = [("syn", tcp(CLI, SRV, SP, DP, c, 0, SYN)),
           ("syn-ack", tcp(SRV, CLI, DP, SP, s, c + 1, SYN | ACK)),
           ("ack", tcp(CLI, SRV, SP, DP, c + 1, s + 1, ACK))]
    c, s = c + 1, s + 1
    for who, data in dialog:
        if who == "c":
            out.append((data, tcp(CLI, SRV, SP, DP, c, s, ACK | PSH, data)))
            c += len(data)
        else:
            out.append((data, tcp(SRV, CLI, DP, SP, s, c, ACK | PSH, data)))
            s += len(data)
    out.append(("ack", tcp(CLI, SRV, SP, DP, c, s, ACK)))
    out.append(("fin", tcp(CLI, SRV, SP, DP, c, s, ACK | FIN)))
    out.append(("fin", tcp(SRV, CLI, DP, SP, s, c + 1, ACK | FIN)))
    out.append(("ack", tcp(CLI, SRV, SP, DP, c + 1, s + 1, ACK)))
    return out


def main(argv):
    listing = bool(argv) and argv[0] == "--list"
    argv = argv[1:] if listing else argv
    if len(argv) != 2 or argv[0] not in DIALOGS:
        sys.exit(__doc__)
    pkts = packets(*DIALOGS[argv[0]])
    if listing:
        for i, (what, _) in enumerate(pkts, 1):
            print(i, what)
    path = argv[1]
    with open(path, "wb") as out:
        out.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for i, (_, raw) in enumerate(pkts):
            out.write(struct.pack("<IIII", 1700000000 + i, 0, len(raw), len(raw)))
            out.write(raw)


if __name__ == "__main__":
    main(sys.argv[1:])
