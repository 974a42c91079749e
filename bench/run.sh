#!/usr/bin/env bash
# make bench: first the reference run of issue 15 (the reference mix of
# ../shared/bench/README.md, 500 MiB of ../shared/data/pcaps/mix, with every
# enabled ET Open rule): packets/s, Gbit/s, CPU over a bare libpcap read and
# the per-stage split of a profiling run; then every other benchmark.
# Without ../shared the reference run is skipped (said so) and the others run
# on the bundled sample capture. BENCH_MIX=FILE uses an existing mix;
# BENCH_RUNS (default 3) rounds; BENCH_ONLY=reference stops after it. Numbers go to stdout and
# bench/results/LATEST.txt.
set -u
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${VG_SHARED_DIR:-$top/../shared}
mkdir -p "$top/bench/results"
out=$top/bench/results/LATEST.txt
: >"$out"
log() { echo "$@" | tee -a "$out"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mix=${BENCH_MIX:-$top/bench/mix.pcap}
if [ ! -f "$mix" ]; then
    if [ -x "$shared/bench/make-mix" ]; then
        "$shared/bench/make-mix" "$mix" --target-mb "${BENCH_MB:-500}" "$shared/data/pcaps/mix" >/dev/null
    else
        echo "bench: $shared/bench/make-mix not found; using the bundled sample capture"
        mix=$top/tests/data/runmodes.pcap
    fi
fi

# The reference run: all of ET Open on the mix, against a bare read, then the stages.
et=$shared/data/rules/et-open
if [ -d "$et" ] && [ "$mix" != "$top/tests/data/runmodes.pcap" ]; then
    cat "$et"/*.rules >"$tmp/et.rules"
    et_args=(-S "$tmp/et.rules" --set "classification-file=$et/classification.config")
    log "== reference: $(basename "$mix") with all ET Open ($(grep -cE '^(alert|drop|reject|pass)' "$tmp/et.rules") enabled rules), single"
    BENCH_RUNS=${BENCH_RUNS:-3} bash "$top/bench/bench-cpu.sh" "$mix" "$build/vigil" -- \
        "${et_args[@]}" | tee -a "$out"
    t0=$(date +%s.%N)
    "$build/vigil" -T "${et_args[@]}" >/dev/null 2>&1
    log "rule load and build of all ET Open (-T, whole process): $(awk -v a="$t0" \
        -v b="$(date +%s.%N)" 'BEGIN {printf "%.2f", b - a}') s wall"
    log "== reference: per-stage split (profiling.enabled=yes; ticks include preemption)"
    "$build/vigil" -r "$mix" -k none -l "$tmp/prof" "${et_args[@]}" \
        --set profiling.enabled=yes >/dev/null 2>&1 || log "profiling run failed"
    [ -f "$tmp/prof/profile.txt" ] && sed -n '1,/^$/p' "$tmp/prof/profile.txt" | tee -a "$out"
else
    log "== reference: skipped ($et or $shared/bench/make-mix not found)"
fi
[ "${BENCH_ONLY:-}" = reference ] && exit 0
log "== decode vs bare libpcap ($(basename "$mix"))"
"$build/bench-decode" "$mix" 5 | tee -a "$out"
log "== whole engine against a bare read (default rules)"
bash "$top/bench/bench-cpu.sh" "$mix" "$build/vigil" | tee -a "$out"
for b in "$build"/bench-*; do
    name=$(basename "$b")
    case $name in bench-decode | bench-bare) continue ;; esac
    [ -x "$b" ] || continue
    log "== $name"
    "$b" | tee -a "$out"
done
if [ -x "$top/bench/bench-engine.sh" ]; then
    log "== whole engine"
    bash "$top/bench/bench-engine.sh" "$build/vigil" "$mix" | tee -a "$out"
fi
