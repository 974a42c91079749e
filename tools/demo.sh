#!/usr/bin/env bash
# make demo: run Vigil on the bundled sample capture with the default config
# and rules, then say where the output went and what it holds.
set -eu
vigil=${1:-build/vigil}
top=$(cd "$(dirname "$0")/.." && pwd)
logdir=$top/logs/demo
rm -rf "$logdir"
mkdir -p "$logdir"
echo "== vigil -c etc/vigil.yaml -r tests/data/sample.pcap -l logs/demo"
"$vigil" -c "$top/etc/vigil.yaml" -r "$top/tests/data/sample.pcap" -l "$logdir"
echo
echo "== output in $logdir:"
ls -l "$logdir"
echo
echo "== EVE records by event_type:"
python3 - "$logdir/eve.json" <<'PY'
import collections, json, sys
c = collections.Counter()
alerts = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    c[r["event_type"]] += 1
    if r["event_type"] == "alert":
        alerts.append((r["alert"]["signature_id"], r["alert"]["signature"]))
for k, v in sorted(c.items()):
    print(f"  {k:10} {v}")
print("== alerts:")
for sid, msg in alerts:
    print(f"  [{sid}] {msg}")
PY
echo
echo "== fast.log:"
cat "$logdir/fast.log"
