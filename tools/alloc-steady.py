#!/usr/bin/env python3
"""Allocations per packet in the steady state, by call site.

    alloc-steady.py PREFIX.cnt PREFIX_PACKETS FULL.cnt FULL_PACKETS [TOP]
                    [--max N] [--none-in REGEX]

The .cnt files are written by tests/tools/alloc-count.c (LD_PRELOAD) for two
runs of the engine: over the first PREFIX_PACKETS packets of a capture and
over all FULL_PACKETS of it. Their difference is what the packets after the
prefix allocated in packet threads, warm-up (pools, scratch, first flows of a
kind) left behind. Prints the allocations per packet, then the TOP call sites
(default 15) with their function and source line (addr2line), and the line
"steady: X allocations per packet" last. Exits 1 when the steady state
allocates more than --max per packet, or when any call site whose function
or file matches --none-in (e.g. "(decode|flow|detect|output)-") allocates
after the prefix once per 1000 packets or more (less is amortised growth: a
queue's next chunk, a table doubling).
"""
import collections
import re
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
    args = sys.argv[1:]
    max_per_pkt = None
    none_in = None
    while "--max" in args or "--none-in" in args:
        for opt in ("--max", "--none-in"):
            if opt in args:
                i = args.index(opt)
                if opt == "--max":
                    max_per_pkt = float(args[i + 1])
                else:
                    none_in = re.compile(args[i + 1])
                del args[i:i + 2]
    pre_total, pre = load(args[0])
    n_pre = int(args[1])
    full_total, full = load(args[2])
    n_full = int(args[3])
    top = int(args[4]) if len(args) > 4 else 15
    n = n_full - n_pre
    if n <= 0:
        sys.exit("the full run must have more packets than the prefix")
    diff = collections.Counter({k: full[k] - pre.get(k, 0) for k in full})
    steady = full_total - pre_total
    print(f"packet threads: {pre_total} allocations over {n_pre} packets, "
          f"{full_total} over {n_full}")
    bad = []
    for i, ((obj, off), c) in enumerate(diff.most_common()):
        if c <= 0:
            break
        if i >= top and none_in is None:
            break
        where = symbolize(obj, off)
        if i < top:
            print(f"  {c / n:8.3f}/packet  {c:8d}  {obj.rsplit('/', 1)[-1]}+0x{off}  {where}")
        # amortised growth (a queue's chunk, a table doubling) is under one per 1000 packets
        if none_in is not None and none_in.search(where.split(" <- ")[0]) and c / n >= 0.001:
            bad.append(f"{c} allocations after the prefix at {where}")
    print(f"steady: {steady / n:.3f} allocations per packet ({steady} over the last {n} packets)")
    failed = False
    for b in bad:
        print(f"FAIL: {b}", file=sys.stderr)
        failed = True
    if max_per_pkt is not None and steady / n > max_per_pkt:
        print(f"FAIL: {steady / n:.3f} allocations per packet, more than the budget of "
              f"{max_per_pkt}", file=sys.stderr)
        failed = True
    sys.exit(1 if failed else 0)


main()
