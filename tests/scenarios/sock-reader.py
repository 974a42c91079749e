#!/usr/bin/env python3
"""A local socket peer for EVE sink tests.

sock-reader.py dgram PATH OUT   bind a unix datagram socket, one line per datagram to OUT
sock-reader.py stream PATH OUT  listen on a unix stream socket, copy what arrives to OUT
sock-reader.py stall PATH OUT   listen on a unix stream socket, accept, never read
Creates PATH.ready once listening; runs until SIGTERM (then flushes OUT)."""
import os
import select
import signal
import socket
import sys
import time

mode, path, out = sys.argv[1], sys.argv[2], sys.argv[3]
running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
if os.path.exists(path):
    os.unlink(path)
kind = socket.SOCK_DGRAM if mode == "dgram" else socket.SOCK_STREAM
s = socket.socket(socket.AF_UNIX, kind)
s.bind(path)
if mode != "dgram":
    s.listen(4)
s.settimeout(0.1)
open(path + ".ready", "w").close()
conns = []
with open(out, "wb") as f:
    while running:
        try:
            ready, _, _ = select.select([s] + (conns if mode == "stream" else []), [], [], 0.1)
        except InterruptedError:
            continue
        for r in ready:
            if r is s and mode == "dgram":
                f.write(s.recv(1 << 20) + b"\n")
            elif r is s:
                c, _ = s.accept()
                conns.append(c)
            elif mode == "stream":
                data = r.recv(1 << 16)
                if data:
                    f.write(data)
                else:
                    conns.remove(r)
    # drain what is still queued for us
    if mode == "stream":
        for c in conns:
            c.setblocking(False)
            while True:
                try:
                    data = c.recv(1 << 16)
                except (BlockingIOError, OSError):
                    break
                if not data:
                    break
                f.write(data)
    if mode == "dgram":
        s.setblocking(False)
        while True:
            try:
                f.write(s.recv(1 << 20) + b"\n")
            except (BlockingIOError, OSError):
                break
