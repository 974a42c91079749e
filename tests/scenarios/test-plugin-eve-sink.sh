#!/usr/bin/env bash
# A plugin EVE sink (plugins/eve-dgram, filetype plugin-dgram) through the
# real binary: records reach the test's unix datagram socket equal to the
# file output; with no reader, nothing crashes and every record is counted
# dropped; a plugin filetype that no plugin registered is refused.
. "$(dirname "$0")/lib.sh"
so=$VG_BUILD_DIR/plugins/eve-dgram.so
[ -f "$so" ] || fail "example plugin not built: $so"
PCAP=$VG_SOURCE_DIR/tests/data/determinism.pcap
READERS=()
cleanup() {
    kill "${READERS[@]}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
python3 "$VG_SOURCE_DIR/tests/scenarios/sock-reader.py" dgram "$WORK/p.sock" "$WORK/p.out" &
READERS+=($!)
for _ in $(seq 50); do [ -e "$WORK/p.sock.ready" ] && break; sleep 0.1; done

conf() { # SOCKET
    cat <<YAML
include: $VG_SOURCE_DIR/etc/vigil.yaml
plugins:
  - $so
outputs:
  - eve-log:
      filename: all.json
      types: [alert, flow, dns, http, tls, files, anomaly, stats]
  - eve-log:
      name: plug
      filetype: plugin-dgram
      plugin:
        socket: $1
      types: [alert, flow, dns, http, tls, files, anomaly]
YAML
}
conf "$WORK/p.sock" >"$WORK/p.yaml"
"$VIGIL" -c "$WORK/p.yaml" -r "$PCAP" -l "$WORK/out" 2>"$WORK/err" ||
    fail "vigil with the plugin sink failed: $(cat "$WORK/err")"
kill "${READERS[@]}"
wait "${READERS[@]}" 2>/dev/null
grep -q "plugin eve-dgram" "$WORK/err" || fail "plugin load not logged"
grep -v '"event_type":"stats"' "$WORK/out/all.json" | sort >"$WORK/file.sorted"
n=$(wc -l <"$WORK/file.sorted")
[ "$n" -gt 100 ] || fail "too few records ($n)"
sort "$WORK/p.out" | cmp -s - "$WORK/file.sorted" ||
    fail "plugin sink records != file ($(wc -l <"$WORK/p.out") vs $n)"
c=$(grep '"event_type":"stats"' "$WORK/out/all.json" | tail -1 | jq -c '.stats.output["eve-log"].plug')
[ "$(printf '%s' "$c" | jq ".produced == $n and .written == $n and .dropped == 0")" = true ] ||
    fail "plugin sink counters: $c"

# No reader: each write fails; the run completes and the drops add up.
conf "$WORK/nobody.sock" >"$WORK/n.yaml"
"$VIGIL" -c "$WORK/n.yaml" -r "$PCAP" -l "$WORK/out2" 2>"$WORK/err2" ||
    fail "vigil with a failing plugin sink failed: $(cat "$WORK/err2")"
grep -q "eve-log plug: $n records produced, 0 written, $n dropped" "$WORK/err2" ||
    fail "failing plugin sink not accounted: $(grep eve-log "$WORK/err2")"

# The filetype without its plugin.
grep -v -e '^plugins:' -e "eve-dgram.so" "$WORK/p.yaml" >"$WORK/none.yaml"
expect_exit 1 "filetype: 'plugin-dgram' is not an EVE sink" \
    "$VIGIL" -c "$WORK/none.yaml" -r "$PCAP" -l "$WORK/out3"
echo "plugin eve sink: ok ($n records)"
