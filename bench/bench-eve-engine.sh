#!/usr/bin/env bash
# Packet-path cost of each EVE sink: the whole engine on a capture with the
# file output alone, then with one more eve-log output of each filetype (the
# same types), ROUNDS runs each (default 3, interleaved), medians (by wall
# time) of wall time and CPU (user + sys, all threads), the sink's
# produced/written/dropped, and the engine's packets/s from its summary line
# (the packet path, before outputs close: a stalled sink's bounded drain at
# exit is in wall_s, not in pkts/s).
#   bench/bench-eve-engine.sh VIGIL CAPTURE [ROUNDS]
# Starts its own redis-server (when installed) and Kafka mock broker
# (build/vg-kafka-mock), and unix socket readers (one that never reads).
set -u
vigil=$1 pcap=$2 rounds=${3:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(dirname "$vigil")
work=$(mktemp -d)
pids=()
trap 'exec 3>&- 2>/dev/null; kill "${pids[@]}" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"' EXIT
reader() {
    python3 "$top/tests/scenarios/sock-reader.py" "$1" "$work/$2.sock" /dev/null &
    pids+=($!)
    for _ in $(seq 50); do [ -e "$work/$2.sock.ready" ] && return; sleep 0.1; done
}
reader stall stall
reader stream stream
reader dgram syslog
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
if command -v redis-server >/dev/null; then
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no >/dev/null 2>&1 &
    pids+=($!)
fi
boot=""
if [ -x "$build/vg-kafka-mock" ]; then
    mkfifo "$work/ctl"
    "$build/vg-kafka-mock" bench <"$work/ctl" >"$work/boot" 2>/dev/null &
    pids+=($!)
    exec 3>"$work/ctl"
    for _ in $(seq 50); do [ -s "$work/boot" ] && break; sleep 0.1; done
    boot=$(head -1 "$work/boot")
fi
sleep 0.5
TYPES="[alert, flow, dns, http, tls, files, anomaly]"
base() {
    printf 'include: %s/etc/vigil.yaml\noutputs:\n  - eve-log:\n      filename: eve.json\n      types: %s\n' "$top" "$TYPES"
}
extra() {
    case $1 in
    none) ;;
    regular) printf '  - eve-log: {name: s, filename: eve2.json, types: %s}\n' "$TYPES" ;;
    stalled) printf '  - eve-log: {name: s, filetype: unix_stream, filename: %s, types: %s}\n' "$work/stall.sock" "$TYPES" ;;
    unix_stream) printf '  - eve-log: {name: s, filetype: unix_stream, filename: %s, types: %s}\n' "$work/stream.sock" "$TYPES" ;;
    syslog) printf '  - eve-log: {name: s, filetype: syslog, syslog-socket: %s, types: %s}\n' "$work/syslog.sock" "$TYPES" ;;
    redis) printf '  - eve-log: {name: s, filetype: redis, redis: {port: %s, mode: rpush, key: b, pipelining: {enabled: yes, batch-size: 100}}, types: %s}\n' "$port" "$TYPES" ;;
    kafka) printf '  - eve-log: {name: s, filetype: kafka, kafka: {brokers: "%s", topic: bench}, types: %s}\n' "$boot" "$TYPES" ;;
    esac
}
sinks="none regular stalled unix_stream syslog redis kafka"
for s in $sinks; do { base; extra "$s"; } >"$work/$s.yaml"; done
for r in $(seq "$rounds"); do
    for s in $sinks; do
        rm -rf "$work/out"; mkdir -p "$work/out"
        /usr/bin/time -f "%e %U %S" -o "$work/time" "$vigil" -v -c "$work/$s.yaml" -r "$pcap" \
            -l "$work/out" 2>"$work/err" >/dev/null
        read -r wall u sy <"$work/time"
        sum=$(grep -o 'eve-log s: [0-9]* records produced, [0-9]* written, [0-9]* dropped' "$work/err" | tr -dc '0-9 ' | xargs)
        # the engine's own packet-path figure: "summary: ..., T s, R pkts/s"
        pps=$(grep -o '[0-9.]* s, [0-9]* pkts/s' "$work/err" | awk '{print $3}')
        echo "$s $wall $(echo "$u + $sy" | bc) ${sum:-- - -} ${pps:--}" >>"$work/results"
    done
done
printf '%-12s %9s %9s %10s %10s %10s %10s\n' sink wall_s cpu_s produced written dropped pkts/s
for s in $sinks; do
    awk -v s="$s" '$1 == s' "$work/results" | sort -k2 -n | awk -v n="$rounds" '
        {w[NR] = $2; line[NR] = $0}
        END {split(line[int((n + 1) / 2)], f, " ");
             printf "%-12s %9s %9s %10s %10s %10s %10s\n", f[1], f[2], f[3], f[4], f[5], f[6], f[7]}'
done
