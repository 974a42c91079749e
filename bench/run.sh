#!/usr/bin/env bash
# make bench: build the benchmark input from ../shared when present and run
# every benchmark. Numbers go to stdout and bench/results/LATEST.txt.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${VG_SHARED_DIR:-$top/../shared}
mkdir -p "$top/bench/results"
out=$top/bench/results/LATEST.txt
: >"$out"
log() { echo "$@" | tee -a "$out"; }
mix=$top/bench/mix.pcap
if [ ! -f "$mix" ]; then
    if [ -x "$shared/bench/make-mix" ]; then
        "$shared/bench/make-mix" "$mix" --target-mb "${BENCH_MB:-200}" "$shared/data/pcaps/mix" >/dev/null
    else
        echo "bench: $shared/bench/make-mix not found; using the bundled sample capture"
        mix=$top/tests/data/runmodes.pcap
    fi
fi
log "== decode vs bare libpcap ($(basename "$mix"))"
"$build/bench-decode" "$mix" 5 | tee -a "$out"
log "== whole engine against a bare read (default rules)"
bash "$top/bench/bench-cpu.sh" "$mix" "$build/vigil" | tee -a "$out"
for b in "$build"/bench-*; do
    name=$(basename "$b")
    [ "$name" = bench-decode ] && continue
    [ -x "$b" ] || continue
    log "== $name"
    "$b" | tee -a "$out"
done
if [ -x "$top/bench/bench-engine.sh" ]; then
    log "== whole engine"
    bash "$top/bench/bench-engine.sh" "$build/vigil" "$mix" | tee -a "$out"
fi
