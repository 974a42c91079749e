#!/usr/bin/env python3
"""Capture of tests/scenarios/test-determinism-ftp-reuse.sh (run with scapy):

  /usr/bin/python3 tools/make-ftp-reuse-pcap.py tests/data/ftp-data-reuse.pcap

Three rounds, two hours apart (past every flow timeout), of 12 FTP sessions
interleaved packet by packet, as a capture replayed at several times is. Each
control connection (a new client port every round, never closed: it ends by
timeout) sends PASV three times: the first data connection carries a file after
STOR, the second a listing after LIST, and the third announcement is never used.
The unused port of round r is the first (used) port of round r+1, on the same
server. So whether round r+1's data connection is ftp-data depends on when round
r's control connection ends and what its end removes: in single mode it ends at
the first flow timeout pass of round r+1, with several worker threads at a pass
of the thread that owns it, which may come after round r+1 announced the port.
Every runmode must find the 72 data connections as ftp-data with the same records.
"""
import sys

from scapy.all import wrpcap

from ftpconn import Conn

T0 = 1700000000.0
N = 12
ROUNDS = 3
GAP = 7200.0


def pasv(ctl, port):
    return [ctl.pkt("c", b"PASV\r\n"),
            ctl.pkt("s", b"227 Entering Passive Mode (10,9,0,1,%d,%d).\r\n"
                    % (port >> 8, port & 255))]


def session(r, i):
    cli = "10.9.1.%d" % (2 + i)
    p1 = 40000 + 1000 * r + i          # round r-1's unused third port
    p2 = 50000 + i
    p3 = 40000 + 1000 * (r + 1) + i    # never used in this round
    ctl = Conn(cli, 30000 + 100 * r + i, 21)
    up = Conn(cli, 31000 + 100 * r + i, p1)
    ls = Conn(cli, 32000 + 100 * r + i, p2)
    steps = ctl.open()
    for frm, line in [("s", b"220 ready\r\n"), ("c", b"USER u%d\r\n" % i),
                      ("s", b"331 pass\r\n"), ("c", b"PASS p\r\n"), ("s", b"230 in\r\n")]:
        steps.append(ctl.pkt(frm, line))
    steps += pasv(ctl, p1)
    steps += up.open()
    steps.append(ctl.pkt("c", b"STOR r%d-f%d.txt\r\n" % (r, i)))
    steps.append(ctl.pkt("s", b"150 go\r\n"))
    steps.append(up.pkt("c", b"FILE-%d-%04d " % (r, i) * 20))
    steps += up.close()
    steps.append(ctl.pkt("s", b"226 done\r\n"))
    steps += pasv(ctl, p2)
    steps += ls.open()
    steps.append(ctl.pkt("c", b"LIST\r\n"))
    steps.append(ctl.pkt("s", b"150 here\r\n"))
    steps.append(ls.pkt("s", b"-rw-r--r-- 1 u u 200 r%d-f%d.txt\r\n" % (r, i)))
    steps += ls.close()
    steps.append(ctl.pkt("s", b"226 done\r\n"))
    steps += pasv(ctl, p3)
    return steps


def main(out):
    pkts = []
    for r in range(ROUNDS):
        sessions = [session(r, i) for i in range(N)]
        k = 0
        while any(sessions):
            for s in sessions:
                if s:
                    p = s.pop(0)
                    p.time = T0 + r * GAP + k * 0.0005
                    pkts.append(p)
                    k += 1
    wrpcap(out, pkts)


if __name__ == "__main__":
    main(sys.argv[1])
