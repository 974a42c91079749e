#!/usr/bin/env bash
# Whole-engine cost against a bare libpcap read of the same capture, in the same session:
#
#   bench/bench-cpu.sh CAPTURE [VIGIL...] [-- VIGIL-ARGS...]
#
# Each of BENCH_RUNS rounds (default 5) reads the capture bare (build/bench-decode, one
# round) and then runs every VIGIL given (default build/vigil) with -r CAPTURE -k none and
# the VIGIL-ARGS, one after the other, so that binaries built from two commits meet the
# same machine load. Prints per binary the medians of wall time, CPU time (user + sys, all
# threads) and peak RSS, and the CPU ratio to the bare read: on a shared, noisy machine the
# ratio moves much less than the seconds. Nothing is asserted.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cap=${1:?usage: bench-cpu.sh CAPTURE [VIGIL...] [-- VIGIL-ARGS...]}
shift
bins=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    bins+=("$1")
    shift
done
[ "${1:-}" = "--" ] && shift
[ ${#bins[@]} -gt 0 ] || bins=("$top/build/vigil")
runs=${BENCH_RUNS:-5}
decode=${BENCH_DECODE:-$(dirname "${bins[0]}")/bench-decode}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

median() { sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

for r in $(seq "$runs"); do
    "$decode" "$cap" 1 | awk '/^bare libpcap read:/ {print $4}' >>"$tmp/bare"
    for i in "${!bins[@]}"; do
        rm -rf "$tmp/out"
        /usr/bin/time -f "%e %U %S %M" -o "$tmp/time" "${bins[$i]}" -r "$cap" -k none \
            -l "$tmp/out" "$@" >"$tmp/log" 2>&1 || { echo "run failed: ${bins[$i]}"; tail -3 "$tmp/log"; }
        read -r wall user sys rss <"$tmp/time"
        echo "$wall" >>"$tmp/wall.$i"
        awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}' >>"$tmp/cpu.$i"
        echo "$rss" >>"$tmp/rss.$i"
    done
done
bare=$(median <"$tmp/bare")
pkts=$(sed -n 's/.*summary: \([0-9]*\) packets.*/\1/p' "$tmp/log" | tail -1)
bytes=$(sed -n 's/.*summary: .* \([0-9]*\) bytes,.*/\1/p' "$tmp/log" | tail -1)
echo "capture: $cap (${pkts:-?} packets, ${bytes:-?} bytes), $runs rounds, args: ${*:-none};" \
    "load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "bare libpcap read: median ${bare} s"
for i in "${!bins[@]}"; do
    w=$(median <"$tmp/wall.$i")
    c=$(median <"$tmp/cpu.$i")
    m=$(median <"$tmp/rss.$i")
    awk -v b="${bins[$i]}" -v w="$w" -v c="$c" -v m="$m" -v bare="$bare" -v p="${pkts:-0}" \
        -v by="${bytes:-0}" 'BEGIN {
        printf "%s: wall %.2f s, cpu %.2f s, peak RSS %d MiB, cpu/bare %.1fx, cpu/wall %.2f;" \
               " per cpu second: %.0f pkts/s, %.3f Gbit/s; per wall second: %.0f pkts/s," \
               " %.3f Gbit/s\n", b, w, c, m / 1024, c / bare, c / w, p / c, by * 8 / c / 1e9,
               p / w, by * 8 / w / 1e9 }'
done
