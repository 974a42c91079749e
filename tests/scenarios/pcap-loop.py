#!/usr/bin/env python3
"""Write a classic pcap to stdout again and again (for a FIFO a test feeds Vigil).

  pcap-loop.py CAPTURE [--rounds N] [--packet-delay S] [--round-delay S]
               [--first-round K] [--no-header]

Each round moves the timestamps on by 100 s, so that packet time keeps going
forward; --rounds 0 (the default) goes on until the reader goes away. The
delays sleep after each packet / after each round. A test that feeds a FIFO in
steps writes the header once, then each step with --no-header and the next
--first-round. Standard library only."""
import argparse
import struct
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("--rounds", type=int, default=0)
    ap.add_argument("--packet-delay", type=float, default=0.0)
    ap.add_argument("--round-delay", type=float, default=0.05)
    ap.add_argument("--first-round", type=int, default=0)
    ap.add_argument("--no-header", action="store_true")
    opts = ap.parse_args()
    data = open(opts.capture, "rb").read()
    hdr, body = data[:24], data[24:]
    out = sys.stdout.buffer
    if not opts.no_header:
        out.write(hdr)
    r = opts.first_round
    while opts.rounds == 0 or r < opts.first_round + opts.rounds:
        off = 0
        while off < len(body):
            sec, usec, incl, orig = struct.unpack("<IIII", body[off:off + 16])
            out.write(struct.pack("<IIII", sec + 100 * r, usec, incl, orig))
            out.write(body[off + 16:off + 16 + incl])
            off += 16 + incl
            if opts.packet_delay > 0:
                out.flush()
                time.sleep(opts.packet_delay)
        out.flush()
        r += 1
        time.sleep(opts.round_delay)


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        pass
