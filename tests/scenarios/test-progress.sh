#!/usr/bin/env bash
# --progress: a last progress line with the share of the capture read (exact
# for classic pcap: 100.0% at the end); nothing without --progress; no share
# for a FIFO (no size); on a terminal (script(1)) the line is rewritten in
# place while packets come.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "progress: 17 packets, .*, 100\.0% of 0\.0 MB, ETA 0 s, .* 4 alerts" \
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$SAMPLE" -l "$WORK/o1" --progress
expect_exit 0 "" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$SAMPLE" -l "$WORK/o2"
printf '%s\n' "$out" | grep -q "progress:" && fail "a progress line without --progress"
mkfifo "$WORK/f"
cat "$SAMPLE" >"$WORK/f" &
expect_exit 0 "progress: 17 packets" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$WORK/f" \
    -l "$WORK/o3" --progress
printf '%s\n' "$out" | grep "progress:" | grep -q "%" && fail "a share of a FIFO: $out"
if ! command -v script >/dev/null; then
    needs "script (util-linux) for the terminal check"
fi
mkfifo "$WORK/g"
{
    head -c 24 "$SAMPLE"
    sleep 1.2
    tail -c +25 "$SAMPLE"
} >"$WORK/g" &
script -qec "'$VIGIL' -c '$VG_SOURCE_DIR/etc/vigil.yaml' -r '$WORK/g' -l '$WORK/o4' --progress" \
    /dev/null >"$WORK/tty.out" 2>&1 || fail "run on a terminal failed: $(cat "$WORK/tty.out")"
n=$(grep -o $'\r\e\\[Kprogress:' "$WORK/tty.out" | wc -l)
[ "$n" -ge 3 ] || fail "progress line rewritten $n times on a terminal (want >= 3)"
grep -q "progress: 17 packets" "$WORK/tty.out" || fail "no last line on the terminal"
echo "progress: ok"
