#!/usr/bin/env bash
# Inline cost on NFQUEUE (root only): the namespaces of test-inline-nfq.sh
# (client -- router -- server, 198.18.0.0/15), round-trip times of small
# request/response exchanges (median, p99) and a bounded bulk transfer,
# first with plain forwarding, then with Vigil inline in the router's
# FORWARD chain. Also checks that no verdict was lost (nfq.packets =
# accepted + dropped). Usage: bench/bench-inline.sh [BUILD_DIR] [RTT_N] [BULK_MB]
set -u
build=${1:-build}
n=${2:-5000}
mb=${3:-200}
top=$(cd "$(dirname "$0")/.." && pwd)
export VIGIL=$top/$build/vigil VG_SOURCE_DIR=$top
. "$top/tests/scenarios/lib.sh"
. "$top/tests/scenarios/netns-lib.sh"
PEER=$top/tests/scenarios/inline-peer.py
netns_setup
bg_ns "$NS_S" python3 "$PEER" server 198.19.0.2 >"$WORK/server.out" 2>&1
sleep 1

bulk() {
    local t0 t1
    t0=$(date +%s.%N)
    r=$(in_ns "$NS_C" python3 "$PEER" send 198.19.0.2 5001 $((mb * 1000000)))
    t1=$(date +%s.%N)
    python3 -c "print(f'bulk {$mb} MB: $r, {$mb * 8 / ($t1 - $t0):.0f} Mbit/s ({$t1 - $t0:.2f} s, python ends)')"
}

echo "== plain forwarding"
echo "rtt (us): $(in_ns "$NS_C" python3 "$PEER" rtt 198.19.0.2 5004 "$n")"
bulk
echo "== vigil inline (NFQUEUE, single runmode, no rules)"
: >"$WORK/empty.rules"
in_ns "$NS_R" iptables -w -A FORWARD -j NFQUEUE --queue-num 0
mkdir -p "$WORK/log"
bg_ns "$NS_R" "$VIGIL" -c "$top/etc/vigil.yaml" -q 0 -k none -S "$WORK/empty.rules" \
    --allow-empty-rules -l "$WORK/log" >"$WORK/vigil.log" 2>&1
VPID=$BG_PID
sleep 1.5
echo "rtt (us): $(in_ns "$NS_C" python3 "$PEER" rtt 198.19.0.2 5004 "$n")"
bulk
kill -TERM "$VPID"
wait "$VPID"
python3 - "$WORK/log/eve.json" <<'PY'
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"stats"' in l][-1]["stats"]["nfq"]
v = s["verdicts"]
print(f"nfq.packets {s['packets']}, verdicts {v['accepted'] + v['dropped']}"
      f" (accepted {v['accepted']}, dropped {v['dropped']}),"
      f" kernel queue_dropped {s['kernel']['queue_dropped']}")
PY
