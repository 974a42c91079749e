#!/usr/bin/env bash
# Whole-engine benchmarks (run by bench/run.sh):
#  - throughput of the runmodes single vs autofp (2 workers) on a capture;
#  - rule-load time of the ET Open set (-T), and hs vs ac throughput with it.
# Medians of N runs (BENCH_RUNS, default 3); wall time from the engine's summary.
set -u
vigil=${1:?vigil binary}
cap=${2:?capture}
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${VG_SHARED_DIR:-$top/../shared}
runs=${BENCH_RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# One run: prints seconds from the summary line.
run_secs() {
    "$vigil" -r "$cap" -l "$tmp/out" "$@" 2>&1 | sed -n 's/.* \([0-9.]*\) s, .*/\1/p' | tail -1
    rm -rf "$tmp/out"
}

bench_mode() { # label args...
    local label=$1; shift
    local t
    t=$(for _ in $(seq "$runs"); do run_secs "$@"; done | median)
    echo "$label: median ${t}s"
    echo "$t"
}

pkts=$(capinfos -c -M "$cap" 2>/dev/null | awk -F: '/Number of packets/ {gsub(/ /,"",$2); print $2}')
echo "capture: $cap (${pkts:-?} packets)"
s=$(bench_mode "single, default rules" --runmode single | tail -1)
a=$(bench_mode "autofp, 2 workers, default rules" --runmode autofp --set threading.worker-threads=2 | tail -1)
echo "ratio single/autofp: $(awk -v s="$s" -v a="$a" 'BEGIN {printf "%.2f", s / a}')"

et=$shared/data/rules/et-open
if [ -d "$et" ]; then
    cat "$et"/*.rules >"$tmp/et.rules"
    cp "$et/classification.config" "$tmp/" 2>/dev/null
    t0=$(date +%s.%N)
    "$vigil" -T -S "$tmp/et.rules" --set classification-file="$tmp/classification.config" \
        >"$tmp/load.log" 2>&1
    t1=$(date +%s.%N)
    echo "ET Open load (-T): $(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.2f", b - a}')s;" \
        "$(grep -o '[0-9]* rules successfully loaded, [0-9]* rules failed' "$tmp/load.log")"
    for algo in hs ac; do
        bench_mode "ET Open, single, mpm-algo $algo" --runmode single -S "$tmp/et.rules" \
            --set classification-file="$tmp/classification.config" --set mpm-algo=$algo | head -1
    done
    /usr/bin/time -f "peak RSS with ET Open loaded (-T): %M KiB" "$vigil" -T -S "$tmp/et.rules" \
        --set classification-file="$tmp/classification.config" 2>&1 | grep peak
else
    echo "ET Open rules not found under $shared; rule benchmarks skipped"
fi
