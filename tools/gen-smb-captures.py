#!/usr/bin/env python3
"""Crafts the SMB and DCERPC samples: the scenario capture and the fuzz seeds.

  /usr/bin/python3 tools/gen-smb-captures.py    (from the repository root)

tests/data/app-layer/smb-dcerpc.pcap:
  - an SMB2 connection to 445: negotiate (2.02, 2.10), session setup with an NTLMSSP
    AUTHENTICATE (domain CORP, user alice, host WS1), tree connect \\\\srv\\docs, create
    "reports\\q3.txt", two reads answered out of order ("EICAR-LIKE-" then
    "SMB-PAYLOAD\\n"), close; tree connect \\\\srv\\IPC$, create "srvsvc", a DCERPC bind
    (srvsvc 4b324fc8-1670-01d3-1278-5a47bf6ee188 v3.0) written to the pipe, its ack read
    back, a request (opnum 15, stub "NetShareEnumAll-stub") through
    FSCTL_PIPE_TRANSCEIVE and its response;
  - a DCERPC connection to 135: bind to the endpoint mapper
    (e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0), ack, a request with opnum 3 in two
    fragments (stub "LOOKUP-" + "FRAGMENTS"), the response;
  - DCERPC over UDP 135 (connectionless): a request to the same interface, opnum 2,
    sequence 7, stub "UDP-STUB", and its response.
fuzz/corpus/fuzz-app-layer-smb/, fuzz/corpus/fuzz-app-layer-dcerpc/: the same dialogues
and pieces of them in the targets' chunk format (fuzz/fuzz-app-layer-common.h).
"""
import hashlib
import os
import shutil
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI, SRV = "10.0.0.1", "10.0.0.45"
T0 = 1700000000.0
FID = bytes([0x49, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff])
PFID = bytes([7, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0])


def u16(v):
    return struct.pack("<H", v)


def u32(v):
    return struct.pack("<I", v)


def u64(v):
    return struct.pack("<Q", v)


def utf16(s):
    return s.encode("utf-16-le")


def nbss(msg):
    return struct.pack(">I", len(msg)) + msg


def smb2(cmd, msg_id, resp, body, status=0, tree=0, session=0x1122):
    hdr = (b"\xfeSMB" + u16(64) + u16(0) + u32(status) + u16(cmd) + u16(1) +
           u32(1 if resp else 0) + u32(0) + u64(msg_id) + u32(0) + u32(tree) + u64(session) +
           bytes(16))
    return nbss(hdr + body)


def ntlmssp(dom, user, host):
    d, u, h = utf16(dom), utf16(user), utf16(host)
    off = 72
    fields = (u16(0) + u16(0) + u32(off)) * 2
    fields += u16(len(d)) + u16(len(d)) + u32(off)
    fields += u16(len(u)) + u16(len(u)) + u32(off + len(d))
    fields += u16(len(h)) + u16(len(h)) + u32(off + len(d) + len(u))
    fields += u16(0) + u16(0) + u32(off)
    msg = b"NTLMSSP\0" + u32(3) + fields + u32(0x02000001) + bytes([6, 1]) + u16(7601) + \
        bytes(3) + bytes([15])
    assert len(msg) == 72
    return msg + d + u + h


def uuid_le(s):
    h = bytes.fromhex(s.replace("-", ""))
    return h[3::-1] + h[5:3:-1] + h[7:5:-1] + h[8:]


def dce_bind(call_id, uuid, ver=3):
    ctx = u16(0) + bytes([1, 0]) + uuid_le(uuid) + u16(ver) + u16(0) + \
        uuid_le("8a885d04-1ceb-11c9-9fe8-08002b104860") + u32(2)
    body = u16(4280) + u16(4280) + u32(0) + bytes([1, 0, 0, 0]) + ctx
    return b"\x05\x00\x0b\x03\x10\x00\x00\x00" + u16(16 + len(body)) + u16(0) + \
        u32(call_id) + body


def dce_bind_ack(call_id, port=b"135\0"):
    body = u16(4280) + u16(4280) + u32(0x1234) + u16(len(port)) + port
    pad = (-(16 + len(body))) % 4
    body += bytes(pad) + bytes([1, 0, 0, 0]) + u16(0) + u16(0) + \
        uuid_le("8a885d04-1ceb-11c9-9fe8-08002b104860") + u32(2)
    return b"\x05\x00\x0c\x03\x10\x00\x00\x00" + u16(16 + len(body)) + u16(0) + \
        u32(call_id) + body


def dce_request(call_id, opnum, stub, flags=3):
    body = u32(len(stub)) + u16(0) + u16(opnum) + stub
    return b"\x05\x00\x00" + bytes([flags]) + b"\x10\x00\x00\x00" + u16(16 + len(body)) + \
        u16(0) + u32(call_id) + body


def dce_response(call_id, stub):
    body = u32(len(stub)) + u16(0) + bytes([0, 0]) + stub
    return b"\x05\x00\x02\x03\x10\x00\x00\x00" + u16(16 + len(body)) + u16(0) + \
        u32(call_id) + body


def create_req(msg_id, name, tree):
    n = utf16(name)
    body = u16(57) + bytes(2) + u32(0) + u64(0) + u64(0) + u32(0x80) + u32(0) + u32(7) + \
        u32(1) + u32(0) + u16(64 + 56) + u16(len(n)) + u32(0) + u32(0) + n
    return smb2(5, msg_id, False, body, tree=tree)


def create_resp(msg_id, fid, tree, size):
    body = u16(89) + bytes(2) + u32(1) + u64(133000000000000000) * 4 + u64(4096) + \
        u64(size) + u32(0x80) + u32(0) + fid + u32(0) + u32(0)
    return smb2(5, msg_id, True, body, tree=tree)


def smb_dialogue():
    """(toclient, bytes) messages of the SMB2 connection."""
    m = []
    m.append((False, smb2(0, 0, False, u16(36) + u16(2) + bytes(32) + u16(0x202) + u16(0x210))))
    m.append((True, smb2(0, 0, True, u16(65) + u16(0) + u16(0x210) + u16(0) + FID + bytes(44))))
    blob = ntlmssp("CORP", "alice", "WS1")
    m.append((False, smb2(1, 1, False, u16(25) + bytes(2) + u32(0) + u32(0) + u16(64 + 24) +
                          u16(len(blob)) + u64(0) + blob)))
    m.append((True, smb2(1, 1, True, u16(9) + bytes(6))))
    path = utf16("\\\\srv\\docs")
    m.append((False, smb2(3, 2, False, u16(9) + u16(0) + u16(64 + 8) + u16(len(path)) + path)))
    m.append((True, smb2(3, 2, True, u16(16) + bytes([1, 0]) + bytes(12), tree=5)))
    m.append((False, create_req(3, "reports\\q3.txt", 5)))
    m.append((True, create_resp(3, FID, 5, 23)))
    for mid, off, ln in ((4, 0, 11), (5, 11, 12)):
        m.append((False, smb2(8, mid, False, u16(49) + bytes(2) + u32(ln) + u64(off) + FID +
                              bytes(17), tree=5)))
    for mid, data in ((5, b"SMB-PAYLOAD\n"), (4, b"EICAR-LIKE-")):
        m.append((True, smb2(8, mid, True, u16(17) + bytes([80, 0]) + u32(len(data)) +
                             u32(0) + u32(0) + data, tree=5)))
    m.append((False, smb2(6, 6, False, u16(24) + u16(0) + u32(0) + FID, tree=5)))
    m.append((True, smb2(6, 6, True, u16(60) + bytes(58), tree=5)))
    path = utf16("\\\\srv\\IPC$")
    m.append((False, smb2(3, 7, False, u16(9) + u16(0) + u16(64 + 8) + u16(len(path)) + path)))
    m.append((True, smb2(3, 7, True, u16(16) + bytes([2, 0]) + bytes(12), tree=9)))
    m.append((False, create_req(8, "srvsvc", 9)))
    m.append((True, create_resp(8, PFID, 9, 0)))
    bind = dce_bind(1, "4b324fc8-1670-01d3-1278-5a47bf6ee188")
    m.append((False, smb2(9, 9, False, u16(49) + u16(64 + 48) + u32(len(bind)) + u64(0) +
                          PFID + bytes(16) + bind, tree=9)))
    m.append((True, smb2(9, 9, True, u16(17) + bytes(14), tree=9)))
    m.append((False, smb2(8, 10, False, u16(49) + bytes(2) + u32(1024) + u64(0) + PFID +
                          bytes(17), tree=9)))
    ack = dce_bind_ack(1, b"\\PIPE\\srvsvc\0")
    m.append((True, smb2(8, 10, True, u16(17) + bytes([80, 0]) + u32(len(ack)) + u32(0) +
                         u32(0) + ack, tree=9)))
    req = dce_request(2, 15, b"NetShareEnumAll-stub")
    m.append((False, smb2(0xb, 11, False, u16(57) + u16(0) + u32(0x0011c017) + PFID +
                          u32(64 + 56) + u32(len(req)) + bytes(24) + req, tree=9)))
    res = dce_response(2, b"share-list")
    m.append((True, smb2(0xb, 11, True, u16(49) + u16(0) + u32(0x0011c017) + PFID +
                         u32(0) + u32(0) + u32(64 + 48) + u32(len(res)) + bytes(8) + res,
                         tree=9)))
    return m


def dce_dialogue():
    return [
        (False, dce_bind(1, "e1af8308-5d1f-11c9-91a4-08002b14a0fa")),
        (True, dce_bind_ack(1)),
        (False, dce_request(2, 3, b"LOOKUP-", flags=1) + dce_request(2, 3, b"FRAGMENTS", flags=2)),
        (True, dce_response(2, b"towers")),
    ]


def dce_cl(ptype, opnum, seq, stub):
    """A connectionless PDU (little endian) of the endpoint mapper interface."""
    hdr = bytes([4, ptype, 0x08, 0]) + b"\x10\x00\x00" + bytes([0]) + bytes(16) + \
        uuid_le("e1af8308-5d1f-11c9-91a4-08002b14a0fa") + \
        uuid_le("11111111-2222-3333-4444-555555555555") + u32(1) + u32(3) + u32(seq) + \
        u16(opnum) + u16(0xffff) + u16(0xffff) + u16(len(stub)) + u16(0) + bytes([0, 0])
    assert len(hdr) == 80
    return hdr + stub


def capture(path):
    from scapy.all import IP, TCP, UDP, Raw, wrpcap

    pkts = []

    def conn(sport, dport, msgs):
        seq = {"c": 1000, "s": 5000}

        def send(frm, data=b"", flags="PA"):
            if frm == "c":
                p = IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=dport, flags=flags,
                                               seq=seq["c"], ack=seq["s"])
            else:
                p = IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=sport, flags=flags,
                                               seq=seq["s"], ack=seq["c"])
            if data:
                p = p / Raw(data)
            pkts.append(p)
            seq[frm] += len(data) + (1 if "S" in flags or "F" in flags else 0)

        pkts.append(IP(src=CLI, dst=SRV) / TCP(sport=sport, dport=dport, flags="S", seq=999))
        pkts.append(IP(src=SRV, dst=CLI) / TCP(sport=dport, dport=sport, flags="SA", seq=4999,
                                               ack=1000))
        send("c", flags="A")
        for toclient, data in msgs:
            send("s" if toclient else "c", data)
        send("c", flags="FA")
        send("s", flags="FA")
        send("c", flags="A")

    conn(49200, 445, smb_dialogue())
    conn(49201, 135, dce_dialogue())
    pkts.append(IP(src=CLI, dst=SRV) / UDP(sport=49202, dport=135) /
                Raw(dce_cl(0, 2, 7, b"UDP-STUB")))
    pkts.append(IP(src=SRV, dst=CLI) / UDP(sport=135, dport=49202) /
                Raw(dce_cl(2, 2, 7, b"UDP-ANSWER")))
    for i, p in enumerate(pkts):
        p.time = T0 + i * 0.001
    wrpcap(path, pkts)


def chunks(parts):
    out = bytearray()
    for toclient, data in parts:
        while data:
            piece, data = data[:4000], data[4000:]
            h = 0x80 if toclient else 0
            if len(piece) <= 63:
                out += bytes([h | (len(piece) - 1)]) + piece
            else:
                out += bytes([h | 0x3F]) + struct.pack(">H", len(piece)) + piece
    return bytes(out)


def write_corpus(target, seeds):
    d = os.path.join(ROOT, "fuzz", "corpus", target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for s in seeds:
        with open(os.path.join(d, hashlib.sha1(s).hexdigest()), "wb") as f:
            f.write(s)


def main():
    capture(os.path.join(ROOT, "tests", "data", "app-layer", "smb-dcerpc.pcap"))
    smb = smb_dialogue()
    write_corpus("fuzz-app-layer-smb", [chunks(smb), chunks(smb[:8]), chunks(smb[12:]),
                                        chunks([(False, b"\x85\x00\x00\x00")] + smb[:2])])
    dce = dce_dialogue()
    write_corpus("fuzz-app-layer-dcerpc", [chunks(dce), chunks(dce[:2]), chunks(dce[2:])])


if __name__ == "__main__":
    main()
