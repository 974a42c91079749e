#!/usr/bin/env bash
# CI performance guard (make perf-guard; .ci/run after make conformance):
#
#   tools/perf-guard.sh [BUILD] [--update]
#
# The engine's CPU time per packet over a fixed capture (made by
# tools/make-perf-guard-pcap.py in BUILD, the same bytes every time), divided
# by the CPU time per packet of a bare libpcap read of the same capture
# (BUILD/bench-bare), both measured in this run, round after round. The
# medians of the rounds give the ratio, which is compared with the committed
# baseline in bench/perf-guard-baseline.txt: more than 25% above it fails.
#
# Rules: the ET Open rules with core keywords only (tools/et-core-rules.py
# over ../shared/data/rules/et-open, as issue 15 measures) when ../shared is
# there, else the repository's default rules (etc/rules). Each set has its
# own baseline line. The engine's time is its packet phase ("packet phase:
# ... cpu" at -v: every thread's CPU time from the first packet thread's start
# to the last one's end), so rule loading and start-up stay out of it.
#
# Noise: CPU time, not wall time (the machine is shared); medians of
# PERF_GUARD_ROUNDS rounds (default 7), bare and engine interleaved so both
# meet the same load; and a ratio found above the limit is measured once more
# from scratch and fails only if the second measurement is above it too.
# --update writes the measured ratio as the new baseline (commit it with the
# change that earns it, saying why). PERF_GUARD_LIMIT_PCT changes the 25%.
set -u
build=${1:-build}
update=false
[ "${2:-}" = "--update" ] && update=true
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${VG_SHARED_DIR:-$top/../shared}
rounds=${PERF_GUARD_ROUNDS:-7}
limit_pct=${PERF_GUARD_LIMIT_PCT:-25}
baseline_file=$top/bench/perf-guard-baseline.txt
vigil=$build/vigil
bare=$build/bench-bare
cap=$build/perf-guard.pcap
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
    echo "perf-guard: FAIL: $*" >&2
    exit 1
}

[ -x "$vigil" ] && [ -x "$bare" ] || fail "$vigil or $bare missing: build first (make build)"
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
if [ ! -s "$cap" ]; then
    "$py" "$top/tools/make-perf-guard-pcap.py" "$cap.tmp" 2>/dev/null && mv "$cap.tmp" "$cap" ||
        fail "cannot make $cap (tools/make-perf-guard-pcap.py needs scapy)"
fi

args=()
if [ -d "$shared/data/rules/et-open" ]; then
    set_name=core
    "$py" "$top/tools/et-core-rules.py" "$shared/data/rules/et-open" >"$tmp/rules" 2>/dev/null ||
        fail "tools/et-core-rules.py failed"
    args=(-S "$tmp/rules" --set "classification-file=$shared/data/rules/et-open/classification.config")
else
    set_name=default
    [ "${CI:-}" = true ] && echo "perf-guard: $shared missing: the default rules are measured"
fi

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# measure: prints the ratio of the medians (engine ns per packet / bare ns per packet).
measure() {
    : >"$tmp/bare"
    : >"$tmp/eng"
    local pkts=0
    for _ in $(seq "$rounds"); do
        "$bare" "$cap" 200 | sed -n 's/.*, \([0-9.]*\) ns cpu per packet.*/\1/p' >>"$tmp/bare"
        rm -rf "$tmp/out"
        "$vigil" -v -r "$cap" -k none -l "$tmp/out" "${args[@]}" >"$tmp/log" 2>&1 ||
            fail "engine run failed: $(tail -3 "$tmp/log")"
        pkts=$(sed -n 's/.*summary: \([0-9]*\) packets.*/\1/p' "$tmp/log")
        local cpu
        cpu=$(sed -n 's/.*packet phase: .* s wall, \([0-9.]*\) s cpu.*/\1/p' "$tmp/log")
        [ -n "$cpu" ] && [ "${pkts:-0}" -gt 0 ] || fail "no packet phase line in the engine's log"
        awk -v c="$cpu" -v p="$pkts" 'BEGIN {printf "%.1f\n", c * 1e9 / p}' >>"$tmp/eng"
    done
    local b e
    b=$(median <"$tmp/bare")
    e=$(median <"$tmp/eng")
    echo "perf-guard: $set_name rules, $pkts packets, $rounds rounds: engine $e ns cpu/packet" \
         "(spread $(sort -g "$tmp/eng" | head -1)-$(sort -g "$tmp/eng" | tail -1)), bare read $b ns" \
         "(spread $(sort -g "$tmp/bare" | head -1)-$(sort -g "$tmp/bare" | tail -1))" >&2
    awk -v e="$e" -v b="$b" 'BEGIN {printf "%.2f\n", e / b}'
}

ratio=$(measure) || exit 1
if $update; then
    grep -v "^$set_name " "$baseline_file" 2>/dev/null >"$tmp/base"
    echo "$set_name $ratio" >>"$tmp/base"
    sort "$tmp/base" -o "$baseline_file"
    echo "perf-guard: baseline for the $set_name rules is now $ratio"
    exit 0
fi
base=$(awk -v s="$set_name" '$1 == s {print $2}' "$baseline_file" 2>/dev/null)
[ -n "$base" ] || fail "no baseline for the $set_name rules in $baseline_file (run with --update)"
over() { awk -v r="$1" -v b="$base" -v l="$limit_pct" 'BEGIN {exit !(r > b * (1 + l / 100))}'; }
if over "$ratio"; then
    echo "perf-guard: ratio $ratio is more than $limit_pct% above the baseline $base;" \
         "measuring again" >&2
    ratio=$(measure) || exit 1
    over "$ratio" && fail "engine/bare CPU per packet $ratio, baseline $base (+$limit_pct%" \
        "allowed): the packet path got dearer (see bench/README.md, perf guard)"
fi
echo "perf-guard: ok: engine/bare CPU per packet $ratio, baseline $base" \
     "(limit $(awk -v b="$base" -v l="$limit_pct" 'BEGIN {printf "%.2f", b * (1 + l / 100)}'))"
