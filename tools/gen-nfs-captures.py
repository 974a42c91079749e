#!/usr/bin/env python3
"""Crafts the NFS capture of tests/data/app-layer/ (scenario test) and the seeds of
fuzz/corpus/fuzz-app-layer-nfs/.

  /usr/bin/python3 tools/gen-nfs-captures.py tests/data/app-layer fuzz/corpus/fuzz-app-layer-nfs

nfs.pcap holds three connections:
- TCP to 2049, NFSv3 with AUTH_UNIX (machine "lab", uid 1000, gid 100): LOOKUP
  "secret.txt" (call split over two segments) answered with the file's handle; WRITE
  "hello " at 0 (UNSTABLE) and WRITE "world\\n" at 6 (FILE_SYNC, sent as a record of two
  fragments); READ at 0 answered with the 12 bytes and eof; RENAME secret.txt ->
  public.txt; GETATTR (not logged); a call of NFS version 5 (unsupported_version); a
  LOOKUP whose name length lies (malformed_data).
- UDP to 20490 (found by probing), NFSv4.0 COMPOUNDs: PUTFH OPEN "notes.txt" GETFH
  (reply: OPEN results and the new handle), then PUTFH WRITE "v4 data" (FILE_SYNC4).
- TCP to 2049: a v3 NULL call and its reply, then a record mark announcing 2 GiB - 1
  bytes followed by 64 bytes (malformed_data; the record is skipped).
"""
import os
import struct
import sys

from scapy.all import IP, TCP, UDP, Raw, wrpcap

CLI, SRV = "10.0.0.1", "10.0.0.20"
T0 = 1700000000.0


def u32(v):
    return struct.pack(">I", v)


def u64(v):
    return struct.pack(">Q", v)


def opaque(b):
    return u32(len(b)) + b + b"\x00" * ((4 - len(b) % 4) % 4)


def cred_unix():
    body = u32(0) + opaque(b"lab") + u32(1000) + u32(100) + u32(1) + u32(100)
    return u32(1) + opaque(body)


def call(xid, vers, proc, args):
    return (u32(xid) + u32(0) + u32(2) + u32(100003) + u32(vers) + u32(proc) + cred_unix() +
            u32(0) + u32(0) + args)


def reply(xid, results):
    return u32(xid) + u32(1) + u32(0) + u32(0) + u32(0) + u32(0) + results


def rm(msg):
    return u32(0x80000000 | len(msg)) + msg


FH_DIR = bytes(range(1, 33))
FH_FILE = bytes(range(101, 133))
FATTR3 = b"\x00" * 84
NO_ATTR = u32(0)

v3 = []   # (from, bytes) of the first connection
x = 0x1000
lookup = call(x, 3, 3, opaque(FH_DIR) + opaque(b"secret.txt"))
v3 += [("c", rm(lookup)[:30]), ("c", rm(lookup)[30:])]
v3 += [("s", rm(reply(x, u32(0) + opaque(FH_FILE) + NO_ATTR + NO_ATTR)))]
x += 1
w1 = call(x, 3, 7, opaque(FH_FILE) + u64(0) + u32(6) + u32(0) + opaque(b"hello "))
v3 += [("c", rm(w1)), ("s", rm(reply(x, u32(0) + NO_ATTR + NO_ATTR + u32(6) + u32(0) +
                                       b"\x00" * 8)))]
x += 1
w2 = call(x, 3, 7, opaque(FH_FILE) + u64(6) + u32(6) + u32(2) + opaque(b"world\n"))
v3 += [("c", u32(40) + w2[:40] + u32(0x80000000 | (len(w2) - 40)) + w2[40:])]
v3 += [("s", rm(reply(x, u32(0) + NO_ATTR + NO_ATTR + u32(6) + u32(2) + b"\x00" * 8)))]
x += 1
rd = call(x, 3, 6, opaque(FH_FILE) + u64(0) + u32(4096))
v3 += [("c", rm(rd)), ("s", rm(reply(x, u32(0) + NO_ATTR + u32(12) + u32(1) +
                                       opaque(b"hello world\n"))))]
x += 1
ren = call(x, 3, 14, opaque(FH_DIR) + opaque(b"secret.txt") + opaque(FH_DIR) +
           opaque(b"public.txt"))
v3 += [("c", rm(ren)), ("s", rm(reply(x, u32(0) + b"\x00" * 16)))]
x += 1
ga = call(x, 3, 1, opaque(FH_FILE))
v3 += [("c", rm(ga)), ("s", rm(reply(x, u32(0) + FATTR3)))]
x += 1
v5 = call(x, 5, 1, opaque(FH_FILE))
v3 += [("c", rm(v5))]
x += 1
bad = call(x, 3, 3, opaque(FH_DIR) + u32(0xffffff00) + b"evil")
v3 += [("c", rm(bad))]

# NFSv4.0 over UDP
FH4_DIR = bytes(range(40, 56))
FH4_FILE = bytes(range(60, 80))
STATEID = u32(1) + bytes(12)
open_args = (u32(1) + u32(2) + u32(0) + u64(7) + opaque(b"owner") + u32(0) +  # NOCREATE
             u32(0) + opaque(b"notes.txt"))                                  # CLAIM_NULL
c1 = call(0x2000, 4, 1, opaque(b"") + u32(0) + u32(3) + u32(22) + opaque(FH4_DIR) +
          u32(18) + open_args + u32(10))
r1 = reply(0x2000, u32(0) + opaque(b"") + u32(3) + u32(22) + u32(0) +
           u32(18) + u32(0) + STATEID + u32(1) + u64(1) + u64(2) + u32(0) + u32(0) + u32(0) +
           u32(10) + u32(0) + opaque(FH4_FILE))
c2 = call(0x2001, 4, 1, opaque(b"") + u32(0) + u32(2) + u32(22) + opaque(FH4_FILE) +
          u32(38) + STATEID + u64(0) + u32(2) + opaque(b"v4 data"))
r2 = reply(0x2001, u32(0) + opaque(b"") + u32(2) + u32(22) + u32(0) + u32(38) + u32(0) +
           u32(7) + u32(2) + b"\x00" * 8)
v4 = [("c", c1), ("s", r1), ("c", c2), ("s", r2)]

LIE = [("c", rm(call(0x3000, 3, 0, b""))), ("s", rm(reply(0x3000, b""))),
       ("c", u32(0xffffffff) + bytes(64))]


def tcp_conn(sport, steps, t0):
    pkts = []
    seq = {"c": 1000, "s": 5000}

    def send(frm, data=b"", flags="PA"):
        if frm == "c":
            p = IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=2049, flags=flags,
                                           seq=seq["c"], ack=seq["s"])
        else:
            p = IP(src=SRV, dst=CLI) / TCP(sport=2049, dport=sport, flags=flags,
                                           seq=seq["s"], ack=seq["c"])
        if data:
            p = p / Raw(data)
        pkts.append(p)
        seq[frm] += len(data) + (1 if "S" in flags or "F" in flags else 0)

    pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=2049, flags="S", seq=999))
    pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=2049, dport=sport, flags="SA", seq=4999,
                                           ack=1000))
    send("c", flags="A")
    for frm, data in steps:
        send(frm, data)
        send("s" if frm == "c" else "c", flags="A")
    send("c", flags="FA")
    send("s", flags="FA")
    send("c", flags="A")
    for i, p in enumerate(pkts):
        p.time = t0 + i * 0.001
    return pkts


def udp_conn(sport, steps, t0):
    pkts = []
    for i, (frm, data) in enumerate(steps):
        if frm == "c":
            p = IP(src=CLI, dst=SRV) / UDP(sport=sport, dport=20490) / Raw(data)
        else:
            p = IP(src=SRV, dst=CLI) / UDP(sport=20490, dport=sport) / Raw(data)
        p.time = t0 + i * 0.001
        pkts.append(p)
    return pkts


def fuzz_seed(steps, tcp):
    """The fuzz target's input: mode byte (bit 0: TCP), chunks with a header byte (bit 7:
    toclient; k = 63: a 16-bit length follows)."""
    out = bytes([1 if tcp else 0])
    for frm, data in steps:
        h = 0x80 if frm == "s" else 0
        out += bytes([h | 0x3f]) + struct.pack(">H", len(data)) + data
    return out


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else "tests/data/app-layer"
    seeddir = sys.argv[2] if len(sys.argv) > 2 else None
    pkts = tcp_conn(40001, v3, T0) + udp_conn(871, v4, T0 + 1) + tcp_conn(40002, LIE, T0 + 2)
    wrpcap(os.path.join(outdir, "nfs.pcap"), pkts)
    if seeddir:
        os.makedirs(seeddir, exist_ok=True)
        for name, steps, tcp in (("v3-tcp", v3, True), ("v4-udp", v4, False),
                                 ("lying-mark", LIE, True)):
            with open(os.path.join(seeddir, name), "wb") as f:
                f.write(fuzz_seed(steps, tcp))


if __name__ == "__main__":
    main()
