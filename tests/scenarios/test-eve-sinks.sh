#!/usr/bin/env bash
# EVE sinks with real peers, one run, several eve-log outputs at once: a
# regular file, Redis (a redis-server of the test's own on a free loopback
# port, with a password; RPUSH pipelined, LPUSH with one list per event type,
# PUBLISH to a subscriber), syslog to a
# unix socket the test reads, and unix_dgram. Every sink must hold the same
# records as the file, record for record, and each output's counters must
# add up (written = produced, nothing dropped).
. "$(dirname "$0")/lib.sh"
command -v redis-server >/dev/null && command -v redis-cli >/dev/null ||
    needs "redis-server and redis-cli (apt-get install redis-server redis-tools)"
PCAP=$VG_SOURCE_DIR/tests/data/determinism.pcap
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" \
    --requirepass vg-secret \
    >"$WORK/redis.log" 2>&1 &
RPID=$!
READERS=()
cleanup() {
    kill "$RPID" "${READERS[@]}" 2>/dev/null
    wait 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT
export REDISCLI_AUTH=vg-secret
for _ in $(seq 50); do
    redis-cli -p "$PORT" ping >/dev/null 2>&1 && break
    sleep 0.1
done
redis-cli -p "$PORT" ping >/dev/null 2>&1 || fail "redis-server did not start: $(cat "$WORK/redis.log")"
# mode channel: what a subscriber hears
redis-cli -p "$PORT" --raw subscribe vigil-ch >"$WORK/channel.out" 2>/dev/null &
READERS+=($!)
for _ in $(seq 50); do grep -q vigil-ch "$WORK/channel.out" 2>/dev/null && break; sleep 0.1; done

reader() { # MODE NAME
    python3 "$VG_SOURCE_DIR/tests/scenarios/sock-reader.py" "$1" "$WORK/$2.sock" "$WORK/$2.out" &
    READERS+=($!)
    for _ in $(seq 50); do [ -e "$WORK/$2.sock.ready" ] && return; sleep 0.1; done
    fail "socket reader $2 did not start"
}
reader dgram syslog
reader dgram dgram

TYPES="[alert, flow, dns, http, tls, files, anomaly]"
cat >"$WORK/sinks.yaml" <<YAML
include: $VG_SOURCE_DIR/etc/vigil.yaml
outputs:
  - eve-log:
      filename: all.json
      types: [alert, flow, dns, http, tls, files, anomaly, stats]
  - eve-log:
      name: redis-list
      filetype: redis
      redis: {server: 127.0.0.1, port: $PORT, mode: rpush, key: vigil, password: vg-secret,
              pipelining: {enabled: yes, batch-size: 7}}
      types: $TYPES
  - eve-log:
      name: redis-types
      filetype: redis
      redis: {server: 127.0.0.1, port: $PORT, mode: list, key: "t-{type}", password: vg-secret}
      types: $TYPES
  - eve-log:
      name: redis-channel
      filetype: redis
      redis: {port: $PORT, mode: channel, key: vigil-ch, password: vg-secret,
              pipelining: {enabled: yes, batch-size: 50}}
      types: $TYPES
  - eve-log:
      name: syslog
      filetype: syslog
      syslog-socket: $WORK/syslog.sock
      facility: local3
      level: notice
      identity: vigil-test
      types: $TYPES
  - eve-log:
      name: dgram
      filetype: unix_dgram
      filename: $WORK/dgram.sock
      types: $TYPES
YAML
"$VIGIL" -c "$WORK/sinks.yaml" -r "$PCAP" -l "$WORK/out" 2>"$WORK/err" ||
    fail "vigil with every sink failed: $(cat "$WORK/err")"
sleep 0.3 # the subscriber prints what it heard
kill "${READERS[@]}"
wait "${READERS[@]}" 2>/dev/null

grep -v '"event_type":"stats"' "$WORK/out/all.json" | sort >"$WORK/file.sorted"
n=$(wc -l <"$WORK/file.sorted")
[ "$n" -gt 100 ] || fail "too few records in the file output ($n)"

redis-cli -p "$PORT" --raw lrange vigil 0 -1 | sort >"$WORK/redis.sorted"
cmp -s "$WORK/file.sorted" "$WORK/redis.sorted" ||
    fail "redis rpush list != file: $(diff "$WORK/file.sorted" "$WORK/redis.sorted" | head -5)"
# Pipelined RPUSH keeps the order of the file (one packet thread here).
grep -v '"event_type":"stats"' "$WORK/out/all.json" >"$WORK/file.order"
redis-cli -p "$PORT" --raw lrange vigil 0 -1 >"$WORK/redis.order"
cmp -s "$WORK/file.order" "$WORK/redis.order" || fail "redis rpush order differs from the file"

: >"$WORK/types.all"
for key in $(redis-cli -p "$PORT" --raw keys 't-*'); do
    t=${key#t-}
    redis-cli -p "$PORT" --raw lrange "$key" 0 -1 >>"$WORK/types.all"
    bad=$(redis-cli -p "$PORT" --raw lrange "$key" 0 -1 | grep -vc "\"event_type\":\"$t\"")
    [ "$bad" -eq 0 ] || fail "list $key holds $bad records of another type"
done
sort "$WORK/types.all" | cmp -s - "$WORK/file.sorted" || fail "redis per-type lists != file"

grep '^{' "$WORK/channel.out" | sort | cmp -s - "$WORK/file.sorted" ||
    fail "redis channel: the subscriber heard $(grep -c '^{' "$WORK/channel.out") of $n records"

# syslog: "<PRI>Mmm dd hh:mm:ss identity[pid]: record", PRI = local3 (19) * 8 + notice (5)
[ "$(grep -cv '^<157>[A-Z][a-z][a-z] [ 0-9][0-9] [0-9:]\{8\} vigil-test\[[0-9]*\]: {' "$WORK/syslog.out")" -eq 0 ] ||
    fail "syslog lines not in the syslog format: $(head -2 "$WORK/syslog.out")"
sed 's/^[^{]*: {/{/' "$WORK/syslog.out" | sort | cmp -s - "$WORK/file.sorted" ||
    fail "syslog records != file"
sort "$WORK/dgram.out" | cmp -s - "$WORK/file.sorted" || fail "unix_dgram records != file"

# Counters: every output wrote what it produced, dropped nothing.
last=$(grep '"event_type":"stats"' "$WORK/out/all.json" | tail -1)
for name in 1 redis-list redis-types redis-channel syslog dgram; do
    c=$(printf '%s' "$last" | jq -c ".stats.output[\"eve-log\"][\"$name\"]")
    p=$(printf '%s' "$c" | jq .produced)
    w=$(printf '%s' "$c" | jq .written)
    d=$(printf '%s' "$c" | jq .dropped)
    [ "$name" = 1 ] || [ "$p" -eq "$n" ] || fail "output $name produced $p, file has $n: $c"
    [ "$w" -eq "$p" ] && [ "$d" -eq 0 ] || fail "output $name: $c"
done
# Bad sink settings stop start-up, naming the file, line and problem.
printf 'include: %s/etc/vigil.yaml\noutputs:\n  - eve-log:\n      filetype: redis\n      redis: {mode: sideways}\n' \
    "$VG_SOURCE_DIR" >"$WORK/bad.yaml"
expect_exit 1 "redis.mode: 'sideways' is not list" \
    "$VIGIL" -c "$WORK/bad.yaml" -r "$PCAP" -l "$WORK/bad"
printf '%s\n' "$out" | grep -q "bad.yaml:4: eve-log 1 (filetype redis): could not open" ||
    fail "the failed sink is not located: $out"
printf 'include: %s/etc/vigil.yaml\noutputs:\n  - eve-log:\n      filetype: carrier-pigeon\n' \
    "$VG_SOURCE_DIR" >"$WORK/bad2.yaml"
expect_exit 1 "bad2.yaml:4: filetype: 'carrier-pigeon' is not an EVE sink" \
    "$VIGIL" -c "$WORK/bad2.yaml" -r "$PCAP" -l "$WORK/bad2"
echo "eve sinks: ok ($n records each)"
