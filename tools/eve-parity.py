#!/usr/bin/env python3
"""Compare the alerts of two runs per sid and per flow.

Usage: eve-parity.py [options] A B

A and B are each one of:
  - an EVE JSON file (one record a line; only "event_type": "alert" records
    count), as Vigil and Suricata write them;
  - a parity directory (../shared/data/parity/ style): *.jsonl files of flat
    alert records {sid, timestamp, pcap_cnt, src_ip, src_port, dest_ip,
    dest_port, direction} and optionally a *-counts.json {"sid": count} for
    the whole run. The counts file gives the per-sid totals; the alert
    records the detail, for the sids they hold.
  - a bare *.jsonl file of such flat records, or a *-counts.json file.

Alerts are compared per sid, then per flow (the unordered pair of
endpoints, so both directions of a connection are one flow), then by
pcap_cnt (the packet number in the capture; the timestamp when an alert has
no pcap_cnt). Only sids whose per-alert detail exists on both sides are
compared alert by alert; the others by count.

Prints the per-sid counts that differ, then for each such sid the flows
whose alerts differ and the alerts found on one side only. Exit status:
0 no difference (within --slack), 1 differences, 2 bad usage or input.

Options:
  --sid N          compare only this sid (repeatable)
  --slack N        per-sid count difference tolerated (run-to-run variation
                   of the reference), default 0
  --max-alerts N   alerts listed per flow and side, default 10 (0: all)
  --counts         print the per-sid table only
  --flow-counts    per flow, compare the number of alerts, not which packets
                   raised them
  --names A,B      labels for the two sides (default: A,B)
"""
import argparse
import glob
import json
import os
import sys
from collections import Counter, defaultdict


class InputError(Exception):
    pass


class Alert:
    __slots__ = ("sid", "src", "sp", "dst", "dp", "pcap_cnt", "ts", "direction")

    def __init__(self, sid, src, sp, dst, dp, pcap_cnt, ts, direction):
        self.sid = sid
        self.src = src
        self.sp = sp
        self.dst = dst
        self.dp = dp
        self.pcap_cnt = pcap_cnt
        self.ts = ts
        self.direction = direction

    def flow(self):
        a = (self.src, self.sp)
        b = (self.dst, self.dp)
        return (a, b) if a <= b else (b, a)

    def key(self):
        """What pairs an alert with the other side's: its packet number. An
        alert without one was raised on a pseudo packet (flow timeout or end
        of input), whose timestamp differs between engines: such alerts pair
        with each other, in time order."""
        return ("p", self.pcap_cnt) if self.pcap_cnt is not None else ("end", 0)

    def order(self):
        return (self.pcap_cnt if self.pcap_cnt is not None else float("inf"), self.ts or "")

    def describe(self):
        where = "pcap_cnt %s" % self.pcap_cnt if self.pcap_cnt is not None else "no pcap_cnt"
        d = " %s" % self.direction if self.direction else ""
        return "%s:%s -> %s:%s %s %s%s" % (self.src, self.sp, self.dst, self.dp, where,
                                           self.ts or "-", d)


class Side:
    """One run's alerts: counts per sid, and alert records for some sids."""

    def __init__(self, name):
        self.name = name
        self.counts = Counter()
        self.alerts = defaultdict(list)   # sid -> [Alert]
        self.detail = set()              # sids with alert records
        self.counts_given = False        # counts came from a counts file


def to_int(v, where, field):
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, str)):
        raise InputError("%s: %s is not a number" % (where, field))
    try:
        return int(v)
    except ValueError:
        raise InputError("%s: %s is not a number: %r" % (where, field, v)) from None


def alert_from(rec, where):
    """An Alert from an EVE alert record or a flat parity record."""
    sid = rec.get("sid")
    if sid is None and isinstance(rec.get("alert"), dict):
        sid = rec["alert"].get("signature_id")
    if sid is None:
        raise InputError("%s: alert without a sid" % where)
    direction = rec.get("direction")
    if direction is None and isinstance(rec.get("alert"), dict):
        direction = rec["alert"].get("direction")
    return Alert(to_int(sid, where, "sid"), str(rec.get("src_ip", "")),
                 to_int(rec.get("src_port", 0), where, "src_port"),
                 str(rec.get("dest_ip", "")),
                 to_int(rec.get("dest_port", 0), where, "dest_port"),
                 to_int(rec.get("pcap_cnt"), where, "pcap_cnt"), rec.get("timestamp"),
                 direction)


def load_records(path, side):
    """Alert lines of an EVE file or a flat .jsonl file into side."""
    try:
        f = open(path, encoding="utf-8", errors="replace")
    except OSError as e:
        raise InputError("%s: cannot read: %s" % (path, e.strerror)) from None
    with f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            where = "%s:%d" % (path, n)
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise InputError("%s: not JSON: %s" % (where, e)) from None
            if not isinstance(rec, dict):
                raise InputError("%s: not a JSON object" % where)
            et = rec.get("event_type")
            if et is not None and et != "alert":
                continue
            a = alert_from(rec, where)
            side.alerts[a.sid].append(a)
            side.detail.add(a.sid)
            if not side.counts_given:
                side.counts[a.sid] += 1


def load_counts(path, side):
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise InputError("%s: cannot read: %s" % (path, e.strerror)) from None
    except ValueError as e:
        raise InputError("%s: not JSON: %s" % (path, e)) from None
    if not isinstance(data, dict):
        raise InputError("%s: expected an object of sid: count" % path)
    side.counts = Counter()
    for k, v in data.items():
        side.counts[to_int(k, path, "sid")] = to_int(v, path, "count of sid %s" % k)
    side.counts_given = True


def load_side(path, name):
    side = Side(name)
    if os.path.isdir(path):
        counts = sorted(glob.glob(os.path.join(path, "*counts.json")))
        recs = sorted(glob.glob(os.path.join(path, "*.jsonl")))
        if not counts and not recs:
            raise InputError("%s: no *.jsonl or *counts.json in this directory" % path)
        if len(counts) > 1:
            raise InputError("%s: more than one *counts.json" % path)
        if counts:
            load_counts(counts[0], side)
        for r in recs:
            load_records(r, side)
    elif path.endswith("counts.json"):
        load_counts(path, side)
    else:
        load_records(path, side)
    return side


def diff_flow(a_list, b_list):
    """Alerts of one flow on one side only: (only_a, only_b), matched by key."""
    left = Counter(x.key() for x in b_list)
    only_a = []
    for x in sorted(a_list, key=Alert.order):
        if left[x.key()] > 0:
            left[x.key()] -= 1
        else:
            only_a.append(x)
    right = Counter(x.key() for x in a_list)
    only_b = []
    for x in sorted(b_list, key=Alert.order):
        if right[x.key()] > 0:
            right[x.key()] -= 1
        else:
            only_b.append(x)
    return only_a, only_b


def fmt_flow(fl):
    (h1, p1), (h2, p2) = fl
    return "%s:%s <-> %s:%s" % (h1, p1, h2, p2)


def print_list(out, label, alerts, limit):
    shown = alerts if limit == 0 else alerts[:limit]
    for x in shown:
        out.write("      only %s: %s\n" % (label, x.describe()))
    if len(alerts) > len(shown):
        out.write("      only %s: ... %d more\n" % (label, len(alerts) - len(shown)))


def sid_flow_diffs(sid, a, b, flow_counts=False):
    """[(flow, n_a, n_b, only_a, only_b)] for the flows of sid that differ
    (in their number of alerts only, with flow_counts)."""
    fa = defaultdict(list)
    fb = defaultdict(list)
    for x in a.alerts.get(sid, []):
        fa[x.flow()].append(x)
    for x in b.alerts.get(sid, []):
        fb[x.flow()].append(x)
    diffs = []
    for fl in sorted(set(fa) | set(fb)):
        only_a, only_b = diff_flow(fa.get(fl, []), fb.get(fl, []))
        if flow_counts and len(fa.get(fl, [])) == len(fb.get(fl, [])):
            continue
        if only_a or only_b:
            diffs.append((fl, len(fa.get(fl, [])), len(fb.get(fl, [])), only_a, only_b))
    return diffs


def print_sid(out, sid, a, b, limit, flow_counts):
    for fl, na, nb, only_a, only_b in sid_flow_diffs(sid, a, b, flow_counts):
        out.write("    flow %s: %s %d, %s %d\n" % (fmt_flow(fl), a.name, na, b.name, nb))
        print_list(out, a.name, only_a, limit)
        print_list(out, b.name, only_b, limit)


def run(args, out):
    names = args.names.split(",")
    if len(names) != 2 or not all(names):
        raise InputError("--names: expected two labels separated by a comma")
    a = load_side(args.a, names[0])
    b = load_side(args.b, names[1])
    sids = sorted(set(a.counts) | set(b.counts) | a.detail | b.detail)
    if args.sid:
        sids = [s for s in sids if s in set(args.sid)]
    differing = []
    for sid in sids:
        ca, cb = a.counts.get(sid, 0), b.counts.get(sid, 0)
        detail = sid in a.detail and sid in b.detail
        if abs(ca - cb) > args.slack:
            differing.append((sid, ca, cb, detail))
        elif (detail and args.slack == 0 and not args.counts and
              sid_flow_diffs(sid, a, b, args.flow_counts)):
            differing.append((sid, ca, cb, detail))
    tot_a = sum(a.counts.get(s, 0) for s in sids)
    tot_b = sum(b.counts.get(s, 0) for s in sids)
    out.write("sids: %d compared, %d differ; alerts: %s %d, %s %d\n"
              % (len(sids), len(differing), a.name, tot_a, b.name, tot_b))
    if differing:
        out.write("%-10s %10s %10s\n" % ("sid", a.name, b.name))
        for sid, ca, cb, _ in differing:
            out.write("%-10d %10d %10d\n" % (sid, ca, cb))
    if args.counts:
        return 1 if differing else 0
    for sid, ca, cb, detail in differing:
        if not detail:
            missing = [s.name for s in (a, b) if sid not in s.detail]
            out.write("sid %d: %s %d, %s %d (no alert records on %s: counts only)\n"
                      % (sid, a.name, ca, b.name, cb, " and ".join(missing)))
            continue
        out.write("sid %d: %s %d, %s %d\n" % (sid, a.name, ca, b.name, cb))
        print_sid(out, sid, a, b, args.max_alerts, args.flow_counts)
    return 1 if differing else 0


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="eve-parity.py",
        description="Compare the alerts of two runs (EVE files or parity directories) "
                    "per sid and per flow.")
    p.add_argument("a", metavar="A", help="EVE file, parity directory, .jsonl or counts.json")
    p.add_argument("b", metavar="B", help="EVE file, parity directory, .jsonl or counts.json")
    p.add_argument("--sid", type=int, action="append", help="only this sid (repeatable)")
    p.add_argument("--slack", type=int, default=0,
                   help="per-sid count difference tolerated (default 0)")
    p.add_argument("--max-alerts", type=int, default=10,
                   help="alerts listed per flow and side (0: all; default 10)")
    p.add_argument("--counts", action="store_true", help="per-sid table only")
    p.add_argument("--flow-counts", action="store_true",
                   help="per flow, compare the number of alerts only, not their packets")
    p.add_argument("--names", default="A,B", help="labels of the two sides (default A,B)")
    args = p.parse_args(argv)
    if args.slack < 0 or args.max_alerts < 0:
        p.error("--slack and --max-alerts must not be negative")
    return args


def main(argv):
    args = parse_args(argv)
    try:
        return run(args, sys.stdout)
    except InputError as e:
        sys.stderr.write("eve-parity: %s\n" % e)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
