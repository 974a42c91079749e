#!/usr/bin/env python3
"""Allocations per packet in the steady state, by call site.

    alloc-steady.py PREFIX.cnt PREFIX_PACKETS FULL.cnt FULL_PACKETS [TOP]

The .cnt files are written by tests/tools/alloc-count.c (LD_PRELOAD) for two
runs of the engine: over the first PREFIX_PACKETS packets of a capture and
over all FULL_PACKETS of it. Their difference is what the packets after the
prefix allocated in packet threads, warm-up (pools, scratch, first flows of a
kind) left behind. Prints the allocations per packet, then the TOP call sites
(default 15) with their function and source line (addr2line), and the line
"steady: X allocations per packet" last.
"""
import collections
import subprocess
import sys


def load(path):
    total = 0
    sites = collections.Counter()
    with open(path) as f:
        for line in f:
            parts = line.split()
            if parts[0] == "total":
                total = int(parts[1])
            elif len(parts) == 3:
                sites[(parts[0], parts[1])] += int(parts[2])
    return total, sites


def symbolize(obj, off):
    if obj == "?" or not obj.startswith("/"):
        return "?"
    try:
        out = subprocess.run(["addr2line", "-f", "-C", "-i", "-e", obj, hex(int(off, 16) - 1)],
                             capture_output=True, text=True, timeout=20).stdout.split("\n")
    except (OSError, subprocess.SubprocessError):
        return "?"
    # -i: the innermost inlined frame first, then its callers; keep two
    names = [f"{out[i]} ({out[i + 1].rsplit('/', 1)[-1]})" for i in range(0, min(len(out) - 1, 4), 2)
             if out[i]]
    return " <- ".join(names) if names else "?"


def main():
    pre_total, pre = load(sys.argv[1])
    n_pre = int(sys.argv[2])
    full_total, full = load(sys.argv[3])
    n_full = int(sys.argv[4])
    top = int(sys.argv[5]) if len(sys.argv) > 5 else 15
    n = n_full - n_pre
    if n <= 0:
        sys.exit("the full run must have more packets than the prefix")
    diff = collections.Counter({k: full[k] - pre.get(k, 0) for k in full})
    steady = full_total - pre_total
    print(f"packet threads: {pre_total} allocations over {n_pre} packets, "
          f"{full_total} over {n_full}")
    for (obj, off), c in diff.most_common(top):
        if c <= 0:
            break
        print(f"  {c / n:8.3f}/packet  {c:8d}  {obj.rsplit('/', 1)[-1]}+0x{off}  "
              f"{symbolize(obj, off)}")
    print(f"steady: {steady / n:.3f} allocations per packet ({steady} over the last {n} packets)")


main()
