#!/usr/bin/env bash
# Run captures many times in every runmode and count distinct outputs.
#
#   tools/check-determinism.sh [-n RUNS] [-b build/vigil] [-S rules] capture...
#
# Each run has a CPU hog (`yes`) beside it; every third run pins the engine
# to CPU 0 (taskset). For each capture it prints how many distinct
# normalised outputs each runmode gave (1 = deterministic) and how many
# distinct record sets there were across runmodes (1 = runmodes agree);
# see tools/eve-normalise.py for what is compared. Exit 1 when any is not 1.
# Used by hand on ../shared captures; tests/scenarios/test-determinism.sh is
# the CI check on the repository's own captures.
set -u
RUNS=20
BIN=build/vigil
RULES=()
while getopts "n:b:S:" o; do
    case $o in
    n) RUNS=$OPTARG ;;
    b) BIN=$OPTARG ;;
    S) RULES=(-S "$OPTARG") ;;
    *) echo "usage: $0 [-n runs] [-b vigil] [-S rules] capture..." >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
SRC=$(cd "$(dirname "$0")/.." && pwd)
NORM=$SRC/tools/eve-normalise.py
W=$(mktemp -d)
HOG=
trap '[ -n "$HOG" ] && kill "$HOG" 2>/dev/null; rm -rf "$W"' EXIT
cat >"$W/custom.yaml" <<YAML
include: $SRC/etc/vigil.yaml
threading:
  custom:
    - name: RX
      modules: [pcap-file, decode]
    - name: FL
      modules: [flow, stream]
      threads: 2
      input: flow
    - name: DET
      modules: [detect, verdict]
      threads: 2
      input: flow
    - name: OUT
      modules: [output]
      threads: 2
      input: simple
YAML
yes >/dev/null &
HOG=$!
status=0
for cap in "$@"; do
    line="$(basename "$cap"):"
    rm -f "$W"/*.sums
    for rm in single autofp workers custom; do
        conf=$SRC/etc/vigil.yaml
        [ "$rm" = custom ] && conf=$W/custom.yaml
        opts=(--sort --threads)
        [ "$rm" = single ] && opts=()
        for i in $(seq 1 "$RUNS"); do
            pin=()
            [ $((i % 3)) = 0 ] && pin=(taskset -c 0)
            rm -rf "$W/o" && mkdir -p "$W/o"
            if ! "${pin[@]}" "$BIN" -c "$conf" "${RULES[@]}" --runmode "$rm" -r "$cap" -l "$W/o" \
                --set threading.worker-threads=2 >/dev/null 2>"$W/log"; then
                echo "$rm run $i on $cap failed: $(tail -1 "$W/log")" >&2
                status=1
            fi
            python3 "$NORM" "${opts[@]}" "$W/o/eve.json" | md5sum >>"$W/$rm.sums"
            python3 "$NORM" --sort --cross "$W/o/eve.json" | md5sum >>"$W/cross.sums"
        done
        n=$(sort -u "$W/$rm.sums" | wc -l)
        line="$line $rm=$n"
        [ "$n" = 1 ] || status=1
    done
    n=$(sort -u "$W/cross.sums" | wc -l)
    [ "$n" = 1 ] || status=1
    echo "$line cross=$n ($RUNS runs each)"
done
exit $status
