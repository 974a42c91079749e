#!/usr/bin/env bash
# No allocation per packet on the packet path (issue 15, part 4), checked by a
# counting allocator (tests/tools/alloc-count.c, LD_PRELOAD) over a capture
# and over its first half: the difference is what the packets of the second
# half allocated in packet threads once pools and scratch were warm.
#  - decode, flow, output, runtime and util code and detection's per-packet
#    path (detect-packet, -stream, -inspect, -prefilter) allocate nothing
#    there at all (a tx's detect state, detect-tx.c, and a flow's flowbits,
#    detect-flowstate.c, are still allocated per tx and per flow: counted in
#    the budget);
#  - everything together stays within the budget of tests/data/alloc-budget.txt
#    (allocations per packet per capture, today's figure: libhtp and the
#    app layer's and stream's per-flow and per-tx state still allocate; the
#    budget only goes down).
# Capture: the TCP-heavy zeek part of ../shared's mix (real traffic, 60,000
# packets) when ../shared is there, else the generated perf-guard capture.
# Counts are exact for a binary (single runmode on a file is deterministic).
. "$(dirname "$0")/lib.sh"
if ldd "$VIGIL" 2>/dev/null | grep -qE 'lib(asan|tsan|ubsan)'; then
    echo "skipped: a sanitizer's allocator can't be wrapped by a preloaded one"
    exit 77
fi
command -v cc >/dev/null && command -v addr2line >/dev/null || needs "cc and addr2line"
PY3=python3
[ -x /usr/bin/python3 ] && PY3=/usr/bin/python3
cc -O2 -shared -fPIC -o "$WORK/alloc-count.so" "$VG_SOURCE_DIR/tests/tools/alloc-count.c" -ldl ||
    fail "cannot build the counting allocator"

shared=${VG_SHARED_DIR:-}
if [ -n "$shared" ] && [ -x "$shared/bench/make-mix" ] && [ -d "$shared/data/pcaps/mix/zeek" ]; then
    name=zeek
    "$shared/bench/make-mix" "$WORK/all.pcap" "$shared/data/pcaps/mix/zeek" >/dev/null 2>&1 ||
        fail "make-mix of $shared/data/pcaps/mix/zeek failed"
    full=60000
else
    name=generated
    cap=${VG_BUILD_DIR:-$WORK}/perf-guard.pcap
    if [ ! -s "$cap" ]; then
        "$PY3" -c 'import scapy' 2>/dev/null || needs "scapy (python3-scapy)"
        "$PY3" "$VG_SOURCE_DIR/tools/make-perf-guard-pcap.py" "$cap.tmp" 2>/dev/null &&
            mv "$cap.tmp" "$cap" || fail "make-perf-guard-pcap.py failed"
    fi
    cp "$cap" "$WORK/all.pcap"
    full=27700
fi
half=$((full / 2))

# first N packets of a classic pcap
"$PY3" - "$WORK/all.pcap" "$WORK" "$half" "$full" <<'PY' || fail "cannot cut the capture"
import struct, sys
src, d, cuts = sys.argv[1], sys.argv[2], [int(x) for x in sys.argv[3:]]
data = open(src, "rb").read()
end = "<" if struct.unpack("<I", data[:4])[0] in (0xa1b2c3d4, 0xa1b23c4d) else ">"
pos, k, offs = 24, 0, {}
while pos + 16 <= len(data) and k < max(cuts):
    pos += 16 + struct.unpack(end + "I", data[pos + 8:pos + 12])[0]
    k += 1
    if k in cuts:
        offs[k] = pos
for c in cuts:
    if c not in offs:
        sys.exit(f"{src}: fewer than {c} packets")
    open(f"{d}/cut-{c}.pcap", "wb").write(data[:offs[c]])
PY

for n in "$half" "$full"; do
    VG_ALLOC_OUT="$WORK/$n.cnt" LD_PRELOAD="$WORK/alloc-count.so" \
        "$VIGIL" -r "$WORK/cut-$n.pcap" -k none -l "$WORK/out-$n" >"$WORK/run-$n.log" 2>&1 ||
        fail "run over $n packets: $(tail -3 "$WORK/run-$n.log")"
    [ -s "$WORK/$n.cnt" ] || fail "the counting allocator wrote nothing"
    grep -q "summary: $n packets" "$WORK/run-$n.log" || fail "run over $n packets read another count"
done
budget=$(awk -v n="$name" '$1 == n {print $2}' "$VG_SOURCE_DIR/tests/data/alloc-budget.txt")
[ -n "$budget" ] || fail "no budget for $name in tests/data/alloc-budget.txt"
"$PY3" "$VG_SOURCE_DIR/tools/alloc-steady.py" "$WORK/$half.cnt" "$half" "$WORK/$full.cnt" "$full" \
    15 --max "$budget" \
    --none-in '(decode|flow|output|runtime|util)-[a-z0-9-]*\.c|detect-(packet|stream|inspect|prefilter)\.c' ||
    fail "allocations on the packet path after warm-up ($name capture)"
echo "alloc-steady: ok ($name capture, budget $budget per packet)"
