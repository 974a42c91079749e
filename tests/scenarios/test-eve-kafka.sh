#!/usr/bin/env bash
# EVE to Kafka through librdkafka, against librdkafka's mock cluster
# (tests/tools/kafka-mock.c), consumed back with kcat:
# 1. the records in the topic equal the file output of the same run, keyed
#    by flow_id; the counters add up;
# 2. the broker goes away in the middle of a live run and comes back: no
#    crash, records that could not be delivered are counted dropped, delivery
#    resumes, and written + dropped = produced.
. "$(dirname "$0")/lib.sh"
MOCK=$VG_BUILD_DIR/vg-kafka-mock
[ -x "$MOCK" ] || fail "test helper not built: $MOCK"
command -v kcat >/dev/null || needs "kcat (apt-get install kcat)"
PCAP=$VG_SOURCE_DIR/tests/data/determinism.pcap
PIDS=()
cleanup() {
    exec 3>&- 2>/dev/null
    kill "${PIDS[@]}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

mkfifo "$WORK/ctl"
"$MOCK" vigil <"$WORK/ctl" >"$WORK/boot" 2>"$WORK/mock.err" &
PIDS+=($!)
exec 3>"$WORK/ctl"
for _ in $(seq 50); do [ -s "$WORK/boot" ] && break; sleep 0.1; done
BOOT=$(head -1 "$WORK/boot")
[ -n "$BOOT" ] || fail "mock cluster did not start: $(cat "$WORK/mock.err")"

consume() { # TOPIC -> stdout: key TAB record, one per line
    kcat -C -b "$BOOT" -t "$1" -o beginning -e -q -f '%k\t%s\n' 2>/dev/null
}

cat >"$WORK/k.yaml" <<YAML
include: $VG_SOURCE_DIR/etc/vigil.yaml
outputs:
  - eve-log:
      filename: all.json
      types: [alert, flow, dns, http, tls, files, anomaly, stats]
  - eve-log:
      name: kafka
      filetype: kafka
      kafka:
        brokers: $BOOT
        topic: vigil
        key: flow_id
        compression: lz4
        acks: all
        properties: {linger.ms: 5, message.timeout.ms: 2000}
      types: [alert, flow, dns, http, tls, files, anomaly]
  - eve-log:
      name: kafka-types
      filetype: kafka
      kafka: {brokers: $BOOT, topic: "k-{type}", key: community_id}
      types: [flow, dns]
YAML
"$VIGIL" -c "$WORK/k.yaml" -r "$PCAP" -l "$WORK/out" 2>"$WORK/err" ||
    fail "vigil with a kafka output failed: $(cat "$WORK/err")"
grep -v '"event_type":"stats"' "$WORK/out/all.json" | sort >"$WORK/file.sorted"
n=$(wc -l <"$WORK/file.sorted")
[ "$n" -gt 100 ] || fail "too few records in the file ($n)"
consume vigil >"$WORK/topic"
cut -f2- "$WORK/topic" | sort | cmp -s - "$WORK/file.sorted" ||
    fail "topic != file ($(wc -l <"$WORK/topic") vs $n records)"
# The key of each record with a flow_id is its flow_id.
bad=$(python3 - "$WORK/topic" <<'PY'
import json, sys
bad = 0
for line in open(sys.argv[1]):
    key, rec = line.rstrip("\n").split("\t", 1)
    fid = json.loads(rec).get("flow_id")
    if fid is not None and key != str(fid):
        bad += 1
print(bad)
PY
)
[ "$bad" -eq 0 ] || fail "$bad messages not keyed by flow_id"
# One topic per event type ({type}); key community_id, or flow_id without one.
for t in flow dns; do
    consume "k-$t" | cut -f2- | sort >"$WORK/k-$t"
    grep "\"event_type\":\"$t\"" "$WORK/file.sorted" | cmp -s - "$WORK/k-$t" ||
        fail "topic k-$t != the file's $t records ($(wc -l <"$WORK/k-$t"))"
done
[ -s "$WORK/k-flow" ] || fail "no flow records in k-flow"
last=$(grep '"event_type":"stats"' "$WORK/out/all.json" | tail -1)
c=$(printf '%s' "$last" | jq -c '.stats.output["eve-log"].kafka')
[ "$(printf '%s' "$c" | jq '.written == .produced and .dropped == 0 and .produced > 100')" = true ] ||
    fail "kafka counters: $c"

sed -i '/name: kafka-types/,$d' "$WORK/k.yaml" # the live part: one kafka output
sed -i '$d' "$WORK/k.yaml"

# 2. A live run fed round by round, the broker down in the middle: each step waits
# for what the engine did (records in the topic, drops counted once
# message.timeout.ms ran out while the broker was down, delivery after it is back),
# not for a fixed time, so a loaded machine only makes it slower.
mkfifo "$WORK/feed"
sed -i 's/topic: vigil/topic: live/' "$WORK/k.yaml"
"$VIGIL" -c "$WORK/k.yaml" -r "$WORK/feed" -l "$WORK/out2" --set stats.interval=1 2>"$WORK/err2" &
VPID=$!
PIDS+=($VPID)
FEED_PID=$VPID
feed_open "$WORK/feed" "$PCAP"
n_live() { consume live | wc -l; }
has_records() { [ "$(n_live)" -gt 0 ]; }
feed_until 120 "records in the topic" has_records
before=$(n_live)
echo down >&3
dropped() { [ "$(stat_now "$WORK/out2/all.json" output.eve-log.kafka.dropped)" -gt 0 ]; }
feed_until 120 "records counted dropped while the broker is down" dropped
echo up >&3
more_records() { [ "$(n_live)" -gt "$before" ]; }
feed_until 120 "records delivered after the broker came back" more_records
feed_close
t=0
while kill -0 "$VPID" 2>/dev/null && [ $t -lt 1200 ]; do sleep 0.1; t=$((t + 1)); done
kill -0 "$VPID" 2>/dev/null && fail "vigil did not end at the end of its input"
wait "$VPID" || fail "vigil exited $? while the broker went away: $(tail -5 "$WORK/err2")"
after=$(consume live | wc -l)
# The counts at close (the final stats record may precede the last
# delivery reports): "eve-log kafka: P records produced, W written, D dropped".
sum=$(grep -o 'eve-log kafka: [0-9]* records produced, [0-9]* written, [0-9]* dropped' "$WORK/err2")
[ -n "$sum" ] || fail "no drop summary for the kafka output: $(tail -5 "$WORK/err2")"
read -r p w d <<<"$(printf '%s' "$sum" | tr -dc '0-9 ' | xargs)"
c=$sum
[ "$d" -gt 0 ] || fail "broker down with message.timeout.ms 2000 and nothing dropped: $c"
[ $((w + d)) -eq "$p" ] || fail "written + dropped != produced: $c"
[ "$before" -gt 0 ] || fail "nothing delivered before the broker went down"
[ "$after" -gt "$before" ] || fail "delivery did not resume ($before then $after): $c"
[ "$after" -eq "$w" ] || fail "topic holds $after records, written says $w: $c"
echo "eve kafka: ok ($n records; live: produced $p, written $w, dropped $d)"
