#!/usr/bin/env python3
"""Seed corpora for fuzz/fuzz-app-layer-smtp.c and fuzz/fuzz-app-layer-ftp.c:
fuzz/corpus/<target>/, one small dialogue per seed in the targets' chunk format
(header byte: bit 7 toclient, bit 6 gap before, low 6 bits + 1 = length, or 63 then a
16-bit big-endian length).

  python3 tools/make-fuzz-corpus-mail.py   (from the repository root; rewrites both)

SMTP: a pipelined session with a multipart message (base64 and quoted-printable
attachments, folded headers, URLs, a dot-stuffed line), BDAT chunks splitting a line,
STARTTLS, a refused DATA, an invalid reply. FTP: login, PASV/EPSV/PORT/EPRT with
transfers, multi-line and preliminary replies, a too-long command, garbage.
Names are content hashes, so regenerating is stable."""
import hashlib
import os
import shutil
import struct

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus")


def chunks(parts):
    out = bytearray()
    for toclient, data in parts:
        while data:
            piece, data = data[:4000], data[4000:]
            h = (0x80 if toclient else 0)
            if len(piece) <= 63:
                out += bytes([h | (len(piece) - 1)]) + piece
            else:
                out += bytes([h | 0x3F]) + struct.pack(">H", len(piece)) + piece
    return bytes(out)


def write(target, seeds):
    d = os.path.join(OUT, target)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for s in seeds:
        data = chunks(s)[:4096]
        name = hashlib.sha1(data).hexdigest()
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


C, S = False, True
MAIL = (b"Received: from a (a [10.0.0.1]) by b;\r\n Thu, 1 Jan 2026 00:00:00 -0000\r\n"
        b"From: Alice <a@example.com>\r\nTo: b@example.com, \"x, y\" <c@example.com>\r\n"
        b"Cc: d@example.com\r\nSubject: hi\r\nMessage-ID: <1@a>\r\nX-Mailer: m\r\n"
        b"Content-Type: multipart/mixed; boundary=\"B1\"\r\n\r\n--B1\r\n"
        b"Content-Type: multipart/alternative; boundary=B2\r\n\r\n--B2\r\n"
        b"Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"see http://example.com/x =3D soft=\r\nbreak\r\n..dot\r\n--B2--\r\n--B1\r\n"
        b"Content-Disposition: attachment; filename*0*=utf-8''a%20b; filename*1=.txt\r\n"
        b"Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n--B1--\r\n.\r\n")
SMTP = [
    [(S, b"220 mx ESMTP\r\n"), (C, b"EHLO c\r\n"), (S, b"250-mx\r\n250 PIPELINING\r\n"),
     (C, b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n"),
     (S, b"250 ok\r\n250 ok\r\n354 go\r\n"), (C, MAIL), (S, b"250 queued\r\n"),
     (C, b"QUIT\r\n"), (S, b"221 bye\r\n")],
    [(S, b"220 mx\r\n"), (C, b"EHLO c\r\nMAIL FROM:<a@b>\r\nBDAT 10\r\nFrom: a@b\r"),
     (C, b"BDAT 20 LAST\r\n\nSubject: x\r\n\r\nbody\r\n"), (S, b"250 a\r\n250 b\r\n250 c\r\n")],
    [(S, b"220 mx\r\n"), (C, b"HELO c\r\nSTARTTLS\r\n"), (S, b"250 x\r\n220 go\r\n"),
     (C, b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x03")],
    [(S, b"220 mx\r\n"), (C, b"HELO c\r\nDATA\r\nRSET\r\n"), (S, b"250 x\r\n503 no\r\n250 r\r\n"),
     (S, b"garbage reply\r\n")],
]
FTP = [
    [(S, b"220-Welcome\r\n220 ready\r\n"), (C, b"USER anonymous\r\n"), (S, b"331 pw\r\n"),
     (C, b"PASS x\r\n"), (S, b"230 ok\r\n"), (C, b"PASV\r\n"),
     (S, b"227 Entering Passive Mode (10,0,0,2,19,137).\r\n"), (C, b"RETR a.txt\r\n"),
     (S, b"150 here\r\n226 done\r\n"), (C, b"EPSV\r\n"),
     (S, b"229 Entering Extended Passive Mode (|||58612|)\r\n"), (C, b"STOR b.txt\r\n"),
     (S, b"150 ok\r\n226 ok\r\n"), (C, b"QUIT\r\n"), (S, b"221 bye\r\n")],
    [(C, b"USER a\r\nPORT 10,0,0,1,4,1\r\nEPRT |1|10.0.0.1|5000|\r\nLIST\r\n"),
     (S, b"331 p\r\n200 ok\r\n200 ok\r\n150 x\r\n226 y\r\n")],
    [(C, b"USER a\r\nRETR " + b"x" * 3000 + b"\r\n"), (S, b"550 " + b"y" * 3000 + b"\r\n"),
     (C, b"\x00\x01\xff\r\n\n\n"), (S, b"no code\r\n")],
]

if __name__ == "__main__":
    write("fuzz-app-layer-smtp", SMTP)
    write("fuzz-app-layer-ftp", FTP)
