#!/usr/bin/env python3
"""Client and server ends for the inline tests (test-inline-nfq.sh, bench).

server HOST          TCP 5001 (sink: replies with the sha256 of what it read),
                     TCP 5002 (same), TCP 5004 (echo), UDP 5003 (echo); runs
                     until killed.
send HOST PORT N [PATTERN]
                     send N bytes (PATTERN placed in the middle), half-close,
                     read the server's digest. Prints one word and details:
                     ok / mismatch / reset / refused / timeout. PEER_RATE
                     (bytes/s) paces the sending (a transfer that lasts).
udp HOST PORT        one datagram, wait for the echo: ok / refused / timeout.
rtt HOST PORT N      N 64-byte request/response round trips on one
                     connection: prints median and p99 in microseconds.
bulk HOST PORT N     send N bytes (a 1 MiB random block repeated), half-close,
                     check the server's digest; prints "ok SECONDS MBIT/S",
                     timed from connect to the digest (the bench's transfer).
"""
import errno
import hashlib
import os
import socket
import sys
import threading
import time


def serve_sink(sock):
    while True:
        c, _ = sock.accept()
        threading.Thread(target=sink_one, args=(c,), daemon=True).start()


def sink_one(c):
    h = hashlib.sha256()
    try:
        c.settimeout(30)
        while True:
            b = c.recv(65536)
            if not b:
                break
            h.update(b)
        c.sendall(h.hexdigest().encode())
    except OSError:
        pass
    finally:
        c.close()


def serve_echo(sock):
    while True:
        c, _ = sock.accept()
        threading.Thread(target=echo_one, args=(c,), daemon=True).start()


def echo_one(c):
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        while True:
            b = c.recv(65536)
            if not b:
                break
            c.sendall(b)
    except OSError:
        pass
    finally:
        c.close()


def serve_udp(sock):
    while True:
        b, a = sock.recvfrom(65536)
        sock.sendto(b, a)


def listen(host, port, kind=socket.SOCK_STREAM):
    s = socket.socket(socket.AF_INET, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    if kind == socket.SOCK_STREAM:
        s.listen(64)
    return s


def server(host):
    ts = [
        threading.Thread(target=serve_sink, args=(listen(host, 5001),), daemon=True),
        threading.Thread(target=serve_sink, args=(listen(host, 5002),), daemon=True),
        threading.Thread(target=serve_echo, args=(listen(host, 5004),), daemon=True),
        threading.Thread(target=serve_udp, args=(listen(host, 5003, socket.SOCK_DGRAM),),
                         daemon=True),
    ]
    for t in ts:
        t.start()
    print("ready", flush=True)
    while True:
        time.sleep(3600)


def send(host, port, n, pattern=None):
    data = bytearray(os.urandom(n))
    if pattern:
        p = pattern.encode()
        mid = n // 2
        data[mid:mid + len(p)] = p
    want = hashlib.sha256(data).hexdigest()
    s = socket.socket()
    s.settimeout(float(os.environ.get("PEER_TIMEOUT", "5")))
    t0 = time.monotonic()
    try:
        s.connect((host, port))
        rate = float(os.environ.get("PEER_RATE", "0"))
        if rate > 0:
            view = memoryview(data)
            for off in range(0, n, 16384):
                s.sendall(view[off:off + 16384])
                lag = t0 + (off + 16384) / rate - time.monotonic()
                if lag > 0:
                    time.sleep(lag)
        else:
            s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        got = b""
        while True:
            b = s.recv(256)
            if not b:
                break
            got += b
    except ConnectionResetError:
        print(f"reset after {time.monotonic() - t0:.3f}s")
        return
    except (socket.timeout, TimeoutError):
        print(f"timeout after {time.monotonic() - t0:.3f}s")
        return
    except OSError as e:
        # A reset that lands before the half-close leaves the socket
        # unconnected (ENOTCONN), one that lands while sending: EPIPE.
        if e.errno in (errno.ENOTCONN, errno.EPIPE):
            print(f"reset after {time.monotonic() - t0:.3f}s ({e.strerror})")
            return
        raise
    except ConnectionRefusedError:
        print(f"refused after {time.monotonic() - t0:.3f}s")
        return
    except (socket.timeout, TimeoutError):
        print(f"timeout after {time.monotonic() - t0:.3f}s")
        return
    finally:
        s.close()
    print("ok" if got.decode() == want else f"mismatch {got[:64]!r} {want}")


def udp(host, port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.connect((host, port))
    try:
        s.send(b"udp hello REJECTUDP")
        s.recv(100)
        print("ok")
    except ConnectionRefusedError:
        print("refused")
    except (socket.timeout, TimeoutError):
        print("timeout")


def rtt(host, port, n):
    s = socket.create_connection((host, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    msg = b"x" * 64
    samples = []
    for _ in range(n):
        t0 = time.perf_counter_ns()
        s.sendall(msg)
        got = 0
        while got < len(msg):
            got += len(s.recv(4096))
        samples.append((time.perf_counter_ns() - t0) / 1000)
    s.close()
    samples.sort()
    print(f"median {samples[len(samples) // 2]:.1f} p99 {samples[int(len(samples) * 0.99)]:.1f}")


def bulk(host, port, n):
    block = os.urandom(1 << 20)
    h = hashlib.sha256()
    left = n
    while left > 0:
        h.update(block[:min(left, len(block))])
        left -= len(block)
    want = h.hexdigest()
    view = memoryview(block)
    s = socket.socket()
    s.settimeout(float(os.environ.get("PEER_TIMEOUT", "60")))
    t0 = time.perf_counter()
    s.connect((host, port))
    left = n
    while left > 0:
        k = min(left, len(block))
        s.sendall(view[:k])
        left -= k
    s.shutdown(socket.SHUT_WR)
    got = b""
    while True:
        b = s.recv(256)
        if not b:
            break
        got += b
    dt = time.perf_counter() - t0
    s.close()
    if got.decode() != want:
        print(f"mismatch {got[:64]!r} {want}")
        return
    print(f"ok {dt:.3f} {n * 8 / dt / 1e6:.0f}")


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "server":
        server(sys.argv[2])
    elif cmd == "send":
        send(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]),
             sys.argv[5] if len(sys.argv) > 5 else None)
    elif cmd == "udp":
        udp(sys.argv[2], int(sys.argv[3]))
    elif cmd == "bulk":
        bulk(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "rtt":
        rtt(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    else:
        sys.exit(f"unknown command {cmd}")
