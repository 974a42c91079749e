#!/usr/bin/env bash
# A sink that stops reading must not stall the packet path, and must account
# for every record: a unix_stream peer that accepts and never reads, beside
# the regular file. The run ends (bounded drain at close), the file is
# complete, and for the stalled output written + dropped = produced, with
# produced = the records of its types. A reading peer gets every record.
# (Throughput with and without the stalled sink: bench/bench-eve-sinks.sh.)
. "$(dirname "$0")/lib.sh"
PCAP=$VG_SOURCE_DIR/tests/data/flow-memcap.pcap
READERS=()
cleanup() {
    kill "${READERS[@]}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
reader() { # MODE NAME
    python3 "$VG_SOURCE_DIR/tests/scenarios/sock-reader.py" "$1" "$WORK/$2.sock" "$WORK/$2.out" &
    READERS+=($!)
    for _ in $(seq 50); do [ -e "$WORK/$2.sock.ready" ] && return; sleep 0.1; done
    fail "socket reader $2 did not start"
}
reader stall stall
reader stream stream

cat >"$WORK/s.yaml" <<YAML
include: $VG_SOURCE_DIR/etc/vigil.yaml
outputs:
  - eve-log:
      filename: all.json
      types: [alert, flow, dns, http, tls, files, anomaly, stats]
  - eve-log:
      name: stalled
      filetype: unix_stream
      filename: $WORK/stall.sock
      buffer-size: 64kb
      types: [alert, flow, dns, http, tls, files, anomaly]
  - eve-log:
      name: reader
      filetype: unix_stream
      filename: $WORK/stream.sock
      types: [alert, flow, dns, http, tls, files, anomaly]
YAML
start=$(date +%s)
"$VIGIL" -c "$WORK/s.yaml" -r "$PCAP" -l "$WORK/out" 2>"$WORK/err" ||
    fail "vigil with a stalled sink failed: $(cat "$WORK/err")"
took=$(($(date +%s) - start))
[ "$took" -lt 30 ] || fail "the run took ${took}s with a stalled sink"
kill "${READERS[@]}"
wait "${READERS[@]}" 2>/dev/null

grep -v '"event_type":"stats"' "$WORK/out/all.json" | sort >"$WORK/file.sorted"
n=$(wc -l <"$WORK/file.sorted")
[ "$n" -gt 1000 ] || fail "too few records in the file ($n)"
sort "$WORK/stream.out" | cmp -s - "$WORK/file.sorted" ||
    fail "unix_stream reader != file ($(wc -l <"$WORK/stream.out") vs $n lines): $(grep eve-log "$WORK/err")"

sum=$(grep -o 'eve-log stalled: [0-9]* records produced, [0-9]* written, [0-9]* dropped' "$WORK/err")
[ -n "$sum" ] || fail "no summary for the stalled output: $(cat "$WORK/err")"
read -r p w d <<<"$(printf '%s' "$sum" | tr -dc '0-9 ' | xargs)"
[ "$p" -eq "$n" ] || fail "stalled output produced $p, the file has $n"
[ "$d" -gt 0 ] || fail "a peer that never reads, and nothing dropped: $sum"
[ $((w + d)) -eq "$p" ] || fail "written + dropped != produced: $sum"
echo "eve stall: ok ($n records; stalled sink: written $w, dropped $d; ${took}s)"
