#!/usr/bin/env python3
"""Normalise an eve.json for run-to-run and runmode-to-runmode comparison.

Usage: eve-normalise.py [--sort] [--threads] [--cross] eve.json > out
       eve-normalise.py --diff a.norm b.norm

--diff compares two normalised outputs and says how they differ in a form a
person can read in a test log: the records found in only one of them, and for
the stats record each counter whose value differs, by its dotted path.

Keeps every record except periodic stats: of the stats records only the
last (the end-of-run one) is kept, because periodic stats follow the wall
clock by default (stats.clock: wall) and their number and timing then
depend on the machine. Fields that hold wall-clock values are removed:
stats.uptime (wall seconds unless stats.clock is packet) and
stats.detect.engines[].last_reload.

--threads drops the memory gauges (*.memuse, *.memuse_peak, and
memcap.pressure*, sampled from them each packet-time second): with several
packet threads they report how much was in use at once, which depends on
how the threads were scheduled (the counted events do not); and the flow
manager's flow.mgr.flows_checked and flows_notimeout, which count the flows
a pass looked at, and a pass skips flows that a later thread group still
holds a packet of (custom pipelines).

--cross (implies --threads) also drops what legitimately depends on how the
work is split between threads, for comparing one runmode with another: the
flow manager's pacing counters (flow.mgr.*, flow.spare).

--sort sorts the lines (threads write records in an order that depends on
scheduling; the records themselves must not).
"""
import json
import sys


def strip_stats(st, threads, cross):
    st.pop("uptime", None)
    det = st.get("detect")
    if isinstance(det, dict):
        for eng in det.get("engines", []):
            eng.pop("last_reload", None)
    if threads or cross:
        drop_gauges(st)
        st.pop("memcap", None)
        mgr = st.get("flow", {}).get("mgr")
        if isinstance(mgr, dict):
            mgr.pop("flows_checked", None)
            mgr.pop("flows_notimeout", None)
    if cross:
        fl = st.get("flow")
        if isinstance(fl, dict):
            fl.pop("mgr", None)
            fl.pop("spare", None)


def drop_gauges(obj):
    for k in list(obj):
        v = obj[k]
        if k.endswith("memuse") or k.endswith("memuse_peak"):
            del obj[k]  # a gauge, or a group of them (app_layer.memuse_peak.<proto>)
        elif isinstance(v, dict):
            drop_gauges(v)


def leaves(obj, prefix=""):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, f"{prefix}{k}.")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaves(v, f"{prefix}{i}.")
    else:
        yield prefix[:-1], obj


def diff(path_a, path_b):
    def load(path):
        with open(path, encoding="utf-8") as fh:
            lines = [line.rstrip("\n") for line in fh]
        stats = [json.loads(line) for line in lines if line.startswith('{"event_type":"stats"')]
        return [line for line in lines if not line.startswith('{"event_type":"stats"')], stats

    recs_a, stats_a = load(path_a)
    recs_b, stats_b = load(path_b)
    only_a = sorted(set(recs_a) - set(recs_b))
    only_b = sorted(set(recs_b) - set(recs_a))
    if len(recs_a) != len(recs_b):
        print(f"records: {len(recs_a)} in {path_a}, {len(recs_b)} in {path_b}")
    for tag, only in (("<", only_a), (">", only_b)):
        for line in only[:5]:
            print(f"{tag} {line[:400]}")
        if len(only) > 5:
            print(f"{tag} ... {len(only) - 5} more")
    if not only_a and not only_b and recs_a != recs_b:
        print("the same records in another order")
    if len(stats_a) != len(stats_b):
        print(f"stats records: {len(stats_a)} against {len(stats_b)}")
    for sa, sb in zip(stats_a, stats_b):
        la, lb = dict(leaves(sa)), dict(leaves(sb))
        for key in sorted(set(la) | set(lb)):
            if la.get(key) != lb.get(key):
                print(f"stats {key}: {la.get(key)} against {lb.get(key)}")
    return 1 if only_a or only_b or recs_a != recs_b or stats_a != stats_b else 0


def main(argv):
    if argv and argv[0] == "--diff":
        if len(argv) != 3:
            sys.stderr.write(__doc__)
            return 2
        return diff(argv[1], argv[2])
    sort = "--sort" in argv
    cross = "--cross" in argv
    threads = "--threads" in argv
    paths = [a for a in argv if not a.startswith("--")]
    if len(paths) != 1:
        sys.stderr.write(__doc__)
        return 2
    out = []
    last_stats = None
    with open(paths[0], encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            try:
                rec = json.loads(line)
            except ValueError as exc:
                sys.stderr.write(f"{paths[0]}:{n}: not JSON: {exc}\n")
                return 1
            if rec.get("event_type") == "stats":
                last_stats = rec
                continue
            out.append(line.rstrip("\n"))
    if last_stats is not None:
        # The end-of-run record's timestamp follows the clock the stats use.
        last_stats.pop("timestamp", None)
        strip_stats(last_stats["stats"], threads, cross)
        # Keys sorted: counters are listed in the order threads registered them.
        out.append(json.dumps(last_stats, sort_keys=True, separators=(",", ":")))
    if sort:
        out.sort()
    sys.stdout.write("".join(line + "\n" for line in out))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
