#!/usr/bin/env python3
"""Robustness and counting checks on the shared captures (../shared).

1. Every capture under ../shared/data/pcaps and ../shared/conformance/cases
   runs through vigil (no rules): exit status 0 within the time limit, and
   every eve.json line is JSON.
2. For the captures under ../shared/data/pcaps, the per-protocol counters of
   the final stats record (decoder.ipv4, ipv6, tcp, udp, icmpv4, icmpv6, vlan)
   are compared with what tshark dissects in the same file (each header
   counted once per occurrence in a frame; headers inside ICMP errors are not
   counted, as vigil keeps those as a view of the ICMP message).

Skips cleanly (exit 0) when ../shared is absent. Exit 1 when a run crashed or
wrote bad JSON; count mismatches are reported (summary and per file with -v)
and fail only with --strict.

Usage: tools/check-shared-captures.py --engine build/vigil [--shared DIR]
       [--jobs N] [--limit N] [--no-tshark] [--strict] [-v]
"""
import argparse
import concurrent.futures as cf
import json
import os
import shutil
import subprocess
import sys
import tempfile

EXTS = (".pcap", ".pcapng", ".cap")
FIELDS = ("ipv4", "ipv6", "tcp", "udp", "icmpv4", "icmpv6", "vlan")
TSHARK_MAP = {"ip": "ipv4", "ipv6": "ipv6", "tcp": "tcp", "udp": "udp", "icmp": "icmpv4",
              "icmpv6": "icmpv6", "vlan": "vlan"}


def captures(root):
    for d, _, files in os.walk(root):
        for f in sorted(files):
            if f.endswith(EXTS):
                yield os.path.join(d, f)


def run_vigil(engine, cap, timeout):
    out = tempfile.mkdtemp(prefix="vg-shared-")
    empty = os.path.join(out, "empty.rules")
    open(empty, "w").close()
    try:
        p = subprocess.run([engine, "-r", cap, "-S", empty, "-l", out, "-k", "none", "-q"],
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        shutil.rmtree(out, ignore_errors=True)
        return {"error": "timeout"}
    res = {"rc": p.returncode, "stderr": p.stderr.decode(errors="replace")[-500:]}
    stats = None
    try:
        with open(os.path.join(out, "eve.json"), "rb") as f:
            for n, line in enumerate(f, 1):
                r = json.loads(line)
                if r.get("event_type") == "stats":
                    stats = r["stats"]
    except (OSError, ValueError) as e:
        res["error"] = f"eve.json: {e}"
    shutil.rmtree(out, ignore_errors=True)
    if p.returncode != 0:
        res["error"] = f"exit status {p.returncode}: {res['stderr'].strip()[-200:]}"
    res["stats"] = stats
    return res


def tshark_counts(cap, timeout):
    try:
        p = subprocess.run(["tshark", "-n", "-r", cap, "-T", "fields", "-e", "frame.protocols"],
                           capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    counts = dict.fromkeys(FIELDS, 0)
    for line in p.stdout.decode(errors="replace").splitlines():
        seen_icmp = False
        for proto in line.strip().split(":"):
            if seen_icmp:
                break
            key = TSHARK_MAP.get(proto)
            if key:
                counts[key] += 1
            if proto in ("icmp", "icmpv6"):
                seen_icmp = True
    return counts


def check(args, cap, data_root):
    res = run_vigil(args.engine, cap, args.timeout)
    if "error" in res or args.no_tshark or not cap.startswith(data_root):
        return cap, res, None
    ts = tshark_counts(cap, args.timeout)
    st = res.get("stats") or {}
    dec = st.get("decoder", {})
    ours = {k: dec.get(k, 0) for k in FIELDS}
    diff = None if ts is None or ts == ours else {k: (ours[k], ts[k]) for k in FIELDS
                                                   if ours[k] != ts[k]}
    return cap, res, diff


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default="build/vigil")
    ap.add_argument("--shared", default=os.environ.get("VG_SHARED_DIR",
                    os.path.join(os.path.dirname(__file__), "..", "..", "shared")))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=120)
    ap.add_argument("--limit", type=int, default=0)
    ap.add_argument("--no-tshark", action="store_true")
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    data_root = os.path.realpath(os.path.join(args.shared, "data", "pcaps"))
    conf_root = os.path.realpath(os.path.join(args.shared, "conformance", "cases"))
    if not os.path.isdir(data_root):
        print(f"shared captures: {data_root} not found; skipping")
        return 0
    if not args.no_tshark and shutil.which("tshark") is None:
        print("shared captures: tshark not installed; count comparison skipped")
        args.no_tshark = True
    caps = list(captures(data_root)) + list(captures(conf_root))
    if args.limit:
        caps = caps[: args.limit]
    crashes, mismatches, matched = [], [], 0
    with cf.ThreadPoolExecutor(args.jobs) as ex:
        for cap, res, diff in ex.map(lambda c: check(args, c, data_root), caps):
            rel = os.path.relpath(cap, args.shared)
            if "error" in res:
                crashes.append((rel, res["error"]))
                print(f"FAIL {rel}: {res['error']}")
            elif diff:
                mismatches.append((rel, diff))
                if args.v:
                    print(f"DIFF {rel}: " + ", ".join(f"{k} vigil={a} tshark={b}"
                                                      for k, (a, b) in diff.items()))
            elif cap.startswith(data_root) and not args.no_tshark:
                matched += 1
    print(f"shared captures: {len(caps)} run, {len(crashes)} failed; "
          f"tshark counts: {matched} equal, {len(mismatches)} differ")
    if crashes or (args.strict and mismatches):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
