#!/usr/bin/env python3
"""A local socket peer for EVE sink tests.

sock-reader.py dgram PATH OUT   bind a unix datagram socket, one line per datagram to OUT
sock-reader.py stream PATH OUT  listen on a unix stream socket, copy what arrives to OUT
sock-reader.py stall PATH OUT   listen on a unix stream socket, accept, never read
Creates PATH.ready once listening; runs until SIGTERM (then flushes OUT)."""
import os
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
            if mode == "dgram":
                data = s.recv(1 << 20)
                f.write(data + b"\n")
            else:
                c, _ = s.accept()
                c.settimeout(0.1)
                conns.append(c)
        except (socket.timeout, BlockingIOError):
            pass
        except InterruptedError:
            pass
        if mode == "stream":
            for c in list(conns):
                try:
                    data = c.recv(1 << 16)
                    if data:
                        f.write(data)
                    else:
                        conns.remove(c)
                except (socket.timeout, BlockingIOError):
                    pass
        elif mode == "stall":
            time.sleep(0.05)
    # drain what is still queued for us
    if mode == "dgram":
        s.setblocking(False)
        while True:
            try:
                f.write(s.recv(1 << 20) + b"\n")
            except (BlockingIOError, OSError):
                break
