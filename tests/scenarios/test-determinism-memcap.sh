#!/usr/bin/env bash
# Same input, same output under memcap pressure: tests/data/flow-memcap.pcap
# (tools/make-memcap-pcap.py: ~780 flows coming back in a mixed order) runs
# with a flow.memcap that holds ~480 flows, several times in each runmode
# (single; autofp with 2 and with 3 workers; workers; a custom pipeline with
# one steering thread and two flow threads), with a CPU hog beside half the
# runs and the engine pinned to one CPU in a third of them. On a capture
# file the memcap is one share for every thread, decided in packet order
# (src/flow/README.md): which flows it ends (forced or early timeouts), when
# emergency mode starts and ends, and the alerts that follow depend on the
# packets alone, so every run of every runmode gives the same records after
# sorting, the same as single's.
#
# VG_DETERMINISM_RUNS (default 4) sets runs per runmode.
. "$(dirname "$0")/lib.sh"
RUNS=${VG_DETERMINISM_RUNS:-4}
NORM=$VG_SOURCE_DIR/tools/eve-normalise.py
CAP=$VG_SOURCE_DIR/tests/data/flow-memcap.pcap
if grep -q "ThreadSanitizer" "$VIGIL" 2>/dev/null && [ -z "${VG_DETERMINISM_RUNS:-}" ]; then
    RUNS=2
fi

cat >"$WORK/memcap.rules" <<'EOF'
alert tcp any any -> any 80 (msg:"again, established"; flow:established,to_server; content:"again"; sid:9100001; rev:1;)
alert tcp any any -> any 80 (msg:"more"; content:"more"; sid:9100002; rev:1;)
alert udp any any -> any 53 (msg:"second query"; content:"Q1"; sid:9100003; rev:1;)
alert udp any any -> any 8000 (msg:"vxlan inner"; content:"ping"; sid:9100004; rev:1;)
alert icmp any any -> any any (msg:"port unreachable"; itype:3; icode:3; sid:9100005; rev:1;)
EOF
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

run() {
    local mode=$1 out=$2 i=$3
    local conf=$VG_SOURCE_DIR/etc/vigil.yaml rm=$1 workers=2
    [ "$mode" = custom ] && conf=$WORK/custom.yaml
    [ "$mode" = autofp3 ] && rm=autofp && workers=3
    run_load "$i"
    mkdir -p "$out"
    "${PIN[@]}" "$VIGIL" -c "$conf" -S "$WORK/memcap.rules" --runmode "$rm" -r "$CAP" -l "$out" \
        --set threading.worker-threads=$workers --set flow.hash-size=256 --set flow.memcap=150000 \
        --set flow.prealloc=50 --set stats.clock=packet 2>"$out.log"
    local rc=$?
    stop_hog
    [ $rc = 0 ] || fail "$mode run $i exited $rc: $(cat "$out.log")"
    [ -s "$out/eve.json" ] || fail "$mode run $i wrote no EVE records"
}

for rm in single autofp autofp3 workers custom; do
    opts=(--sort --threads)
    [ "$rm" = single ] && opts=()
    for i in $(seq 1 "$RUNS"); do
        out=$WORK/$rm-$i
        run "$rm" "$out" "$i"
        python3 "$NORM" "${opts[@]}" "$out/eve.json" >"$out.norm" ||
            fail "$rm run $i: EVE output does not parse"
        if [ "$i" -gt 1 ]; then
            cmp -s "$WORK/$rm-1.norm" "$out.norm" || {
                python3 "$NORM" --diff "$WORK/$rm-1.norm" "$out.norm" >&2
                fail "$rm run $i differs from run 1 under memcap pressure"
            }
        fi
        python3 "$NORM" --sort --cross "$out/eve.json" >"$out.cross"
        cmp -s "$WORK/single-1.cross" "$out.cross" || {
            python3 "$NORM" --diff "$WORK/single-1.cross" "$out.cross" >&2
            fail "$rm run $i records differ from single under memcap pressure"
        }
    done
done

# The memcap really was the limit: flows were forced out and came back as
# new flows, in every runmode, and the emergency mode was entered.
python3 - "$WORK"/single-1/eve.json "$WORK"/autofp3-1/eve.json <<'PY' || fail "memcap pressure not seen"
import collections, json, sys
for path in sys.argv[1:]:
    reasons = collections.Counter()
    keys = set()
    n_flows = 0
    last_stats = None
    for line in open(path):
        r = json.loads(line)
        if r["event_type"] == "flow":
            n_flows += 1
            reasons[r["flow"]["reason"]] += 1
            keys.add((r["src_ip"], r.get("src_port"), r["dest_ip"], r.get("dest_port"),
                      r["proto"]))
        elif r["event_type"] == "stats":
            last_stats = r["stats"]
    if reasons["forced"] < 100 or n_flows <= len(keys):
        sys.exit(f"{path}: {n_flows} flow records for {len(keys)} keys, reasons {dict(reasons)}")
    fl = last_stats["flow"]
    if fl["emerg_mode_entered"] < 1 or fl["mgr"]["flows_evicted"] < 100:
        sys.exit(f"{path}: flow counters {fl}")
    # memcap.pressure_max: the flow table's memcap was (nearly) full
    mc = last_stats["memcap"]
    if mc["pressure_max"] < 90 or mc["pressure"] > mc["pressure_max"]:
        sys.exit(f"{path}: memcap pressure {mc}")
PY
echo "determinism under memcap: ok ($RUNS runs x 5 runmodes, all equal to single)"
