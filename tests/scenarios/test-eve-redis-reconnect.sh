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
        >>"$WORK/redis.log" 2>&1 &
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
mkfifo "$WORK/feed"
python3 "$VG_SOURCE_DIR/tests/scenarios/pcap-loop.py" "$PCAP" --rounds 20 --round-delay 0.3 \
    >"$WORK/feed" 2>/dev/null &
PIDS+=($!)
"$VIGIL" -c "$WORK/r.yaml" -r "$WORK/feed" -l "$WORK/out" 2>"$WORK/err" &
VPID=$!
sleep 1.5
before=$(redis-cli -p "$PORT" llen live)
kill "$RPID"
wait "$RPID" 2>/dev/null
sleep 1.5
start_redis
wait "$VPID" || fail "vigil exited $? while redis went away: $(tail -5 "$WORK/err")"
after=$(redis-cli -p "$PORT" llen live)
sum=$(grep -o 'eve-log redis: [0-9]* records produced, [0-9]* written, [0-9]* dropped' "$WORK/err")
[ -n "$sum" ] || fail "no summary of the redis output (nothing dropped?): $(grep eve-log "$WORK/err")"
read -r p w d <<<"$(printf '%s' "$sum" | tr -dc '0-9 ' | xargs)"
n=$(grep -vc '"event_type":"stats"' "$WORK/out/all.json")
rc=$(grep '"event_type":"stats"' "$WORK/out/all.json" | tail -1 | jq '.stats.output["eve-log"].redis.reconnects')
[ "$rc" -ge 1 ] || fail "output.eve-log.redis.reconnects is $rc"
[ "$p" -eq "$n" ] || fail "redis output produced $p, the file has $n"
[ "$d" -gt 0 ] || fail "redis down 1.5 s and nothing dropped: $sum"
[ $((w + d)) -eq "$p" ] || fail "written + dropped != produced: $sum"
[ "$before" -gt 0 ] || fail "nothing delivered before redis went down"
# The second server starts empty: what it holds came after the reconnect.
[ "$after" -gt 0 ] || fail "delivery did not resume after redis came back"
[ "$((before + after))" -le "$w" ] || fail "lists hold more ($before + $after) than written ($w)"
grep -q "redis 127.0.0.1:$PORT" "$WORK/err" || fail "the lost connection was not logged"
echo "eve redis reconnect: ok (produced $p, written $w, dropped $d; $before before, $after after)"
