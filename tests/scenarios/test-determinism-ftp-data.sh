#!/usr/bin/env bash
# Same input, same output for FTP data connections: tests/data/ftp-data-order.pcap
# (tools/make-ftp-determinism-pcap.py) has 60 interleaved FTP sessions whose data
# connection opens right after the 227 reply that announces it, usually in another
# worker than its control connection. Every run of every runmode (CPU hog beside half
# of them, pinned to one CPU in a third) must find all 60 as ftp-data, with the records
# single gives (sorted, after tools/eve-normalise.py --cross).
. "$(dirname "$0")/lib.sh"
RUNS=${VG_DETERMINISM_RUNS:-3}
NORM=$VG_SOURCE_DIR/tools/eve-normalise.py
CAP=$VG_SOURCE_DIR/tests/data/ftp-data-order.pcap

run() {
    local rm=$1 out=$2 i=$3
    run_load "$i"
    mkdir -p "$out"
    "${PIN[@]}" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none --runmode "$rm" -r "$CAP" \
        -l "$out" --set threading.worker-threads=2 --set stats.clock=packet 2>"$out.log"
    local rc=$?
    stop_hog
    [ $rc = 0 ] || fail "$rm run $i exited $rc: $(cat "$out.log")"
}

for rm in single autofp workers; do
    for i in $(seq 1 "$RUNS"); do
        out=$WORK/$rm-$i
        run "$rm" "$out" "$i"
        n=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if (r := json.loads(l))["event_type"] == "flow" and r.get("app_proto") == "ftp-data"))' "$out/eve.json")
        [ "$n" = 60 ] || fail "$rm run $i: $n ftp-data flows, not 60"
        python3 "$NORM" --sort --cross "$out/eve.json" >"$out.norm" ||
            fail "$rm run $i: EVE output does not parse"
        cmp -s "$WORK/single-1.norm" "$out.norm" || {
            python3 "$NORM" --diff "$WORK/single-1.norm" "$out.norm" >&2
            fail "$rm run $i differs from single run 1"
        }
    done
done
echo "ok: ftp-data connections found in every runmode"
