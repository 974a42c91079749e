#!/usr/bin/env bash
# Redis going away in the middle of a live run and coming back on the same
# port: no crash, the sink reconnects (counted), what it could not deliver
# is counted dropped, delivery resumes, and written + dropped = produced;
# the list holds exactly the records counted written.
. "$(dirname "$0")/lib.sh"
command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
    needs "redis-server and redis-cli (apt-get install redis-server redis-tools)"
PCAP=$VG_SOURCE_DIR/tests/data/determinism.pcap
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
PIDS=()
RPID=
cleanup() {
    kill "${PIDS[@]}" $RPID 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
start_redis() {
    redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" \
        >>"$WORK/redis.log" 2>&1 5>&- &  # not the feed FIFO: its end would never come
    RPID=$!
    for _ in $(seq 50); do
        redis-cli -p "$PORT" ping >/dev/null 2>&1 && return
        sleep 0.1
    done
    fail "redis-server did not start: $(cat "$WORK/redis.log")"
}
start_redis
cat >"$WORK/r.yaml" <<YAML
include: $VG_SOURCE_DIR/etc/vigil.yaml
outputs:
  - eve-log:
      filename: all.json
      types: [alert, flow, dns, http, tls, stats]
  - eve-log:
      name: redis
      filetype: redis
      redis: {port: $PORT, mode: rpush, key: live, pipelining: {enabled: yes, batch-size: 20}}
      types: [alert, flow, dns, http, tls]
YAML
# A live run fed round by round: each step waits for what the engine did (records
# in Redis, drops counted while it is down, delivery after it is back), not for a
# fixed time, so a loaded machine only makes it slower.
mkfifo "$WORK/feed"
"$VIGIL" -c "$WORK/r.yaml" -r "$WORK/feed" -l "$WORK/out" --set stats.interval=1 2>"$WORK/err" &
VPID=$!
PIDS+=($VPID)
FEED_PID=$VPID
feed_open "$WORK/feed" "$PCAP"
llen() { redis-cli -p "$PORT" llen live 2>/dev/null || echo 0; }
has_records() { [ "$(llen)" -gt 0 ]; }
feed_until 120 "records in redis" has_records
before=$(llen)
kill "$RPID"
wait "$RPID" 2>/dev/null
dropped() { [ "$(stat_now "$WORK/out/all.json" output.eve-log.redis.dropped)" -gt 0 ]; }
feed_until 120 "records counted dropped while redis is down" dropped
start_redis
feed_until 120 "records delivered after redis came back" has_records
feed_close
t=0
while kill -0 "$VPID" 2>/dev/null && [ $t -lt 1200 ]; do sleep 0.1; t=$((t + 1)); done
kill -0 "$VPID" 2>/dev/null && fail "vigil did not end at the end of its input"
wait "$VPID" || fail "vigil exited $? while redis went away: $(tail -5 "$WORK/err")"
after=$(redis-cli -p "$PORT" llen live)
sum=$(grep -o 'eve-log redis: [0-9]* records produced, [0-9]* written, [0-9]* dropped' "$WORK/err")
[ -n "$sum" ] || fail "no summary of the redis output (nothing dropped?): $(grep eve-log "$WORK/err")"
read -r p w d <<<"$(printf '%s' "$sum" | tr -dc '0-9 ' | xargs)"
n=$(grep -vc '"event_type":"stats"' "$WORK/out/all.json")
rc=$(grep '"event_type":"stats"' "$WORK/out/all.json" | tail -1 | jq '.stats.output["eve-log"].redis.reconnects')
[ "$rc" -ge 1 ] || fail "output.eve-log.redis.reconnects is $rc"
[ "$p" -eq "$n" ] || fail "redis output produced $p, the file has $n"
[ "$d" -gt 0 ] || fail "redis down and nothing dropped: $sum"
[ $((w + d)) -eq "$p" ] || fail "written + dropped != produced: $sum"
[ "$before" -gt 0 ] || fail "nothing delivered before redis went down"
# The second server starts empty: what it holds came after the reconnect.
[ "$after" -gt 0 ] || fail "delivery did not resume after redis came back"
[ "$((before + after))" -le "$w" ] || fail "lists hold more ($before + $after) than written ($w)"
grep -q "redis 127.0.0.1:$PORT" "$WORK/err" || fail "the lost connection was not logged"
echo "eve redis reconnect: ok (produced $p, written $w, dropped $d; $before before, $after after)"
