#!/usr/bin/env bash
# Same input, same output for FTP data connections when announcements outlive their
# control connection: tests/data/ftp-data-reuse.pcap (tools/make-ftp-reuse-pcap.py) has
# three rounds, two hours apart, of 12 interleaved FTP sessions whose control connections
# end by timeout; each leaves an unused (unacknowledged) announcement of the port the next
# round's session uses. Single ends a round's control connections at another packet than
# four workers do, so what that end does to the table (its own unused entry only; the
# unacknowledged reply parsed at the end announces nothing) decides whether every runmode
# finds the 72 data connections with the records single gives (sorted, after
# tools/eve-normalise.py --cross). A CPU hog runs beside every other run.
. "$(dirname "$0")/lib.sh"
RUNS=${VG_DETERMINISM_RUNS:-3}
NORM=$VG_SOURCE_DIR/tools/eve-normalise.py
CAP=$VG_SOURCE_DIR/tests/data/ftp-data-reuse.pcap

run() {
    local rm=$1 out=$2 i=$3
    run_load "$i" 0
    mkdir -p "$out"
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none --runmode "$rm" -r "$CAP" \
        -l "$out" --set threading.worker-threads=4 --set stats.clock=packet 2>"$out.log"
    local rc=$?
    stop_hog
    [ $rc = 0 ] || fail "$rm run $i exited $rc: $(cat "$out.log")"
}

for rm in single workers autofp; do
    for i in $(seq 1 "$RUNS"); do
        out=$WORK/$rm-$i
        run "$rm" "$out" "$i"
        n=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if (r := json.loads(l))["event_type"] == "flow" and r.get("app_proto") == "ftp-data"))' "$out/eve.json")
        [ "$n" = 72 ] || fail "$rm run $i: $n ftp-data flows, not 72"
        python3 "$NORM" --sort --cross "$out/eve.json" >"$out.norm" ||
            fail "$rm run $i: EVE output does not parse"
        cmp -s "$WORK/single-1.norm" "$out.norm" || {
            python3 "$NORM" --diff "$WORK/single-1.norm" "$out.norm" >&2
            fail "$rm run $i differs from single run 1"
        }
    done
done
echo "ok: ftp-data connections found alike when announcements outlive their sessions"
