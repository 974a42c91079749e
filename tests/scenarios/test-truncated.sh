#!/usr/bin/env bash
# A capture cut in the middle of a packet ends with a warning; what was read
# is kept, the run exits 0 and the outputs are complete.
. "$(dirname "$0")/lib.sh"
head -c 1000 "$SAMPLE" >"$WORK/cut.pcap"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$WORK/cut.pcap" -l "$WORK/out" 2>"$WORK/err" ||
    fail "truncated capture made vigil fail: $(cat "$WORK/err")"
grep -qi "truncated" "$WORK/err" || fail "no warning about the truncated capture"
eve_check "$WORK/out/eve.json"
n=$(stat "$WORK/out/eve.json" decoder.pkts)
[ "$n" -gt 0 ] && [ "$n" -lt 17 ] || fail "unexpected packet count $n"
# Garbage that is not a capture at all.
head -c 300 /dev/urandom >"$WORK/junk.pcap"
# Alone it is the whole run: nothing was read, exit 1, the file named.
expect_exit 1 "junk\.pcap: cannot open capture" "$VIGIL" -r "$WORK/junk.pcap" -l "$WORK/out2"
printf '%s\n' "$out" | grep -q "junk.pcap: no readable capture" || fail "no run-level error: $out"
# A directory of captures is read in name order.
mkdir "$WORK/dir" && cp "$SAMPLE" "$WORK/dir/b.pcap" && cp "$SAMPLE" "$WORK/dir/a.pcap"
"$VIGIL" -r "$WORK/dir" -l "$WORK/out3" 2>"$WORK/err3" || fail "directory read failed: $(cat "$WORK/err3")"
[ "$(stat "$WORK/out3/eve.json" decoder.pkts)" -eq 34 ] || fail "directory: wrong packet count"
# In a directory a file that is not a capture is skipped with a warning.
cp "$WORK/junk.pcap" "$WORK/dir/c.pcap"
expect_exit 0 "c\.pcap: cannot open capture.*skipping it" "$VIGIL" -r "$WORK/dir" -l "$WORK/out4"
[ "$(stat "$WORK/out4/eve.json" decoder.pkts)" -eq 34 ] || fail "directory with junk: wrong packet count"
echo "truncated: ok"
