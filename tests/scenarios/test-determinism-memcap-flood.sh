#!/usr/bin/env bash
# Same input, same output when the flow memcap is reached part way through a
# capture: tools/make-memcap-flood-pcap.py (made here, ~2.5 MB: 31,000 UDP
# flows, some alerts) against a flow.memcap of 20,000 flows. The run starts
# far from the memcap, where the flow threads look flows up in parallel, and
# then reaches it: emergency mode, 5,000 flows forced out, emergency passes,
# recovery, and flows that come back later. On a capture file the memcap is
# one share for every thread, decided in packet order (src/flow/README.md), so
# every runmode gives the records and counters of the single runmode, after
# sorting: single, autofp with 2 and 3 workers, workers, a custom pipeline,
# every second run pinned to one CPU with a CPU hog on that CPU.
# Stats in packet time (stats.clock: packet): a slow run (TSan) would write
# more periodic stats records on the wall clock, and count them.
#
# VG_DETERMINISM_RUNS (default 2) sets runs per runmode.
. "$(dirname "$0")/lib.sh"
RUNS=${VG_DETERMINISM_RUNS:-2}
NORM=$VG_SOURCE_DIR/tools/eve-normalise.py
CAP=$WORK/flood.pcap
if grep -q "ThreadSanitizer" "$VIGIL" 2>/dev/null && [ -z "${VG_DETERMINISM_RUNS:-}" ]; then
    RUNS=1
fi
python3 "$VG_SOURCE_DIR/tools/make-memcap-flood-pcap.py" "$CAP" || fail "cannot write $CAP"

cat >"$WORK/flood.rules" <<'EOF2'
alert udp any any -> any 53 (msg:"hit"; content:"hit"; sid:9200001; rev:1;)
alert udp any any -> any 53 (msg:"asked again"; content:"again"; sid:9200002; rev:1;)
alert udp any 53 -> any any (msg:"answer"; flow:established; content:"A"; depth:1; sid:9200003; rev:1;)
EOF2
cat >"$WORK/custom.yaml" <<YAML
include: $VG_SOURCE_DIR/etc/vigil.yaml
threading:
  custom:
    - name: RX
      modules: [pcap-file]
    - name: DEC
      modules: [decode]
      input: simple
    - name: W
      modules: [flow, stream, app-layer, detect, verdict, output]
      threads: 2
      input: flow
YAML
# 4096 buckets (16 bytes) and room for 20,000 flows of 336 bytes (about
# 20,000 if sizeof(Flow) changes; the checks below leave room for that).
MEMCAP=$((4096 * 16 + 20000 * 336))

run() {
    local mode=$1 out=$2 i=$3
    local conf=$VG_SOURCE_DIR/etc/vigil.yaml rm=$1 workers=2
    [ "$mode" = custom ] && conf=$WORK/custom.yaml
    [ "$mode" = autofp3 ] && rm=autofp && workers=3
    run_load "$i" 2   # the hog on the engine's CPU when pinned
    mkdir -p "$out"
    "${PIN[@]}" "$VIGIL" -c "$conf" -S "$WORK/flood.rules" --runmode "$rm" -r "$CAP" -l "$out" \
        --set threading.worker-threads=$workers --set flow.hash-size=4096 \
        --set flow.memcap=$MEMCAP --set flow.prealloc=1000 --set stats.clock=packet 2>"$out.log"
    local rc=$?
    stop_hog
    [ $rc = 0 ] || fail "$mode run $i exited $rc: $(cat "$out.log")"
    python3 "$NORM" --sort --cross "$out/eve.json" >"$out.cross" ||
        fail "$mode run $i: EVE output does not parse"
}

run single "$WORK/single-1" 1
python3 - "$WORK/single-1/eve.json" <<'PY' || fail "the memcap was not reached as planned"
import collections, json, sys
reasons = collections.Counter()
alerts = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["event_type"] == "flow":
        reasons[r["flow"]["reason"]] += 1
    elif r["event_type"] == "alert":
        alerts += 1
    elif r["event_type"] == "stats":
        fl = r["stats"]["flow"]
if reasons["forced"] < 1000 or reasons["timeout"] < 1000 or alerts < 1000:
    sys.exit(f"reasons {dict(reasons)}, {alerts} alerts")
if fl["emerg_mode_entered"] < 1 or fl["emerg_mode_over"] < 1:
    sys.exit(f"flow counters {fl}")
PY
for rm in single autofp autofp3 workers custom; do
    for i in $(seq 1 "$RUNS"); do
        [ "$rm" = single ] && [ "$i" = 1 ] && continue
        out=$WORK/$rm-$i
        run "$rm" "$out" "$i"
        cmp -s "$WORK/single-1.cross" "$out.cross" || {
            python3 "$NORM" --diff "$WORK/single-1.cross" "$out.cross" >&2
            echo "$(diff "$WORK/single-1.cross" "$out.cross" | grep -c '^[<>]') lines differ" >&2
            fail "$rm run $i differs from single once the flow memcap is reached"
        }
    done
done
echo "determinism at the flow memcap (flood): ok ($RUNS runs x 5 runmodes, all equal to single)"
