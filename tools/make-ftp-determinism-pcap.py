#!/usr/bin/env python3
"""Capture of tests/scenarios/test-determinism-ftp-data.sh (run with scapy):

  /usr/bin/python3 tools/make-ftp-determinism-pcap.py tests/data/ftp-data-order.pcap

60 FTP control connections from as many clients, interleaved packet by packet;
each logs in, sends PASV, gets a 227 naming a port of its own, and the data
connection to that port opens right after the 227 (its SYN is the next packet of
the capture) and carries a file after STOR. The control connection and its data
connection usually hash to different worker threads, so whether the data
connection is found as ftp-data depends on the 227 being parsed first: the packet
order (src/app-layer/ftp/app-layer-ftp-expect.c) must make it so in every run.
"""
import sys

from scapy.all import wrpcap

from ftpconn import Conn

T0 = 1700000000.0
N = 60


def session(i):
    cli = "10.9.%d.%d" % (1 + i // 200, 2 + i % 200)
    port = 40000 + i
    ctl = Conn(cli, 30000 + i, 21)
    data = Conn(cli, 31000 + i, port)
    steps = ctl.open()
    for frm, line in [("s", b"220 ready\r\n"), ("c", b"USER u%d\r\n" % i),
                      ("s", b"331 pass\r\n"), ("c", b"PASS p\r\n"), ("s", b"230 in\r\n"),
                      ("c", b"PASV\r\n")]:
        steps.append(ctl.pkt(frm, line))
    steps.append(ctl.pkt("s", b"227 Entering Passive Mode (10,9,0,1,%d,%d).\r\n"
                          % (port >> 8, port & 255)))
    steps += data.open()
    steps.append(ctl.pkt("c", b"STOR f%d.txt\r\n" % i))
    steps.append(ctl.pkt("s", b"150 go\r\n"))
    steps.append(data.pkt("c", b"FILE-%04d " % i * 20))
    steps += data.close()
    steps.append(ctl.pkt("s", b"226 done\r\n"))
    steps.append(ctl.pkt("c", b"QUIT\r\n"))
    steps += ctl.close()
    return steps


def main(out):
    sessions = [session(i) for i in range(N)]
    pkts = []
    step = 0
    while any(sessions):
        for s in sessions:
            if s:
                pkts.append(s.pop(0))
        step += 1
    for k, p in enumerate(pkts):
        p.time = T0 + k * 0.0005
    wrpcap(out, pkts)


if __name__ == "__main__":
    main(sys.argv[1])
