#!/usr/bin/env bash
# Inline cost (root only), on the three paths of issue 11, in namespaces with
# addresses from 198.18.0.0/15 only (tests/scenarios/netns-lib.sh):
#   routed: client -- router -- server (test-inline-nfq.sh's set-up)
#     plain    the router forwards
#     nfq      Vigil inline in the router's FORWARD chain (NFQUEUE)
#   bridged: client -- [r0 router r1] -- server (test-live-af-packet-ips.sh's
#            set-up, offloads off on every end)
#     bridge   a Linux bridge joins r0 and r1 (plain forwarding, same frames)
#     afp-ips  Vigil joins them (af-packet copy-mode: ips, workers runmode)
# For each: 64-byte request/response round trips on one TCP connection
# (median, p99) and a bounded bulk transfer (BULK_MB, sha256 checked), ROUNDS
# times, plain and Vigil alternating; then medians over the rounds, the added
# latency against the plain path of the same topology, and the verdict
# accounting from Vigil's own counters at exit (nfq: packets = accepted +
# dropped; af-packet: pkts = forwarded + verdict_dropped, tx_errors 0).
# Vigil runs with no rules (the cost of the path, not of detection).
# Usage: bench/bench-inline.sh [BUILD_DIR] [RTT_N] [BULK_MB] [ROUNDS]
# Extra Vigil options for the nfq run: NFQ_ARGS="--set nfq.batchcount=16".
set -u
build=${1:-build}
n=${2:-5000}
mb=${3:-300}
rounds=${4:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
export VIGIL=$top/$build/vigil VG_SOURCE_DIR=$top
. "$top/tests/scenarios/lib.sh"
. "$top/tests/scenarios/netns-lib.sh"
PEER=$top/tests/scenarios/inline-peer.py
QNUM=$((100 + $$ % 1000))
CID=$((1000 + $$ % 1000))
RES=$WORK/results.txt
: >"$RES"

# measure PATH SERVER ROUND: one RTT run and one bulk transfer; a line per
# figure in RES ("PATH rtt MEDIAN P99", "PATH bulk MBIT SECONDS").
measure() {
    local r b
    r=$(in_ns "$NS_C" python3 "$PEER" rtt "$2" 5004 "$n") || fail "$1: rtt failed: $r"
    b=$(in_ns "$NS_C" python3 "$PEER" bulk "$2" 5001 $((mb * 1000000)))
    case "$b" in ok*) ;; *) fail "$1: bulk transfer failed: $b" ;; esac
    echo "$1 rtt $(echo "$r" | awk '{ print $2, $4 }')" >>"$RES"
    echo "$1 bulk $(echo "$b" | awk '{ print $3, $2 }')" >>"$RES"
    echo "  round $3 $1: rtt median/p99 $(echo "$r" | awk '{ print $2 " / " $4 }') us," \
        "bulk $(echo "$b" | awk '{ print $3 }') Mbit/s"
}

start_server() {
    : >"$WORK/server.out"
    bg_ns "$NS_S" python3 "$PEER" server "$1" >"$WORK/server.out" 2>&1
    for _ in $(seq 50); do
        grep -q ready "$WORK/server.out" && return 0
        sleep 0.1
    done
    fail "test server did not start: $(cat "$WORK/server.out")"
}

# wait_log FILE REGEX COUNT: Vigil's log shows COUNT lines matching REGEX.
wait_log() {
    for _ in $(seq 100); do
        [ "$(grep -cE "$2" "$1")" -ge "$3" ] && return 0
        kill -0 "$VPID" 2>/dev/null || fail "vigil did not start: $(cat "$1")"
        sleep 0.1
    done
    fail "vigil did not get ready: $(cat "$1")"
}

stop_vigil() {
    kill -TERM "$VPID"
    wait "$VPID" || fail "vigil exited $? after SIGTERM: $(tail -5 "$1")"
}

# accounting KIND EVE: one line of verdict accounting from the last stats record.
accounting() {
    python3 - "$1" "$2" <<'PY'
import json, sys
kind = sys.argv[1]
s = [json.loads(l) for l in open(sys.argv[2]) if '"stats"' in l][-1]["stats"]
if kind == "nfq":
    q = s["nfq"]
    v = q["verdicts"]
    out = v["accepted"] + v["dropped"] + v["repeated"] + v["routed"]
    print(f"nfq packets in {q['packets']}, verdicts out {out} (accepted {v['accepted']},"
          f" dropped {v['dropped']}, errors {v['errors']}), kernel queue_dropped"
          f" {q['kernel']['queue_dropped']}, user_dropped {q['kernel']['user_dropped']}:"
          f" {'no verdict lost' if q['packets'] == out and v['errors'] == 0 else 'VERDICTS LOST'}")
else:
    a = s["capture"]["af_packet"]
    out = a["forwarded"] + a["verdict_dropped"]
    print(f"af_packet pkts {a['pkts']}, forwarded {a['forwarded']} + verdict_dropped"
          f" {a['verdict_dropped']} = {out}, tx_errors {a['tx_errors']}, kernel_drops"
          f" {s['capture']['kernel_drops']}:"
          f" {'no verdict lost' if a['pkts'] == out and a['tx_errors'] == 0 else 'VERDICTS LOST'}")
PY
}


command -v iptables >/dev/null || netns_skip "no iptables"
: >"$WORK/empty.rules"
echo "inline bench $(date -u '+%Y-%m-%d %H:%M UTC'): $rounds rounds, $n round trips," \
    "$mb MB bulk, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

# ---- routed: plain forwarding and NFQUEUE
netns_setup
start_server 198.19.0.2
for round in $(seq "$rounds"); do
    in_ns "$NS_R" iptables -w -F FORWARD
    measure plain 198.19.0.2 "$round"
    in_ns "$NS_R" iptables -w -A FORWARD -j NFQUEUE --queue-num "$QNUM" ||
        netns_skip "iptables NFQUEUE target unavailable"
    mkdir -p "$WORK/nfq$round"
    # shellcheck disable=SC2086
    bg_ns "$NS_R" "$VIGIL" -c "$top/etc/vigil.yaml" -q "$QNUM" -k none -S "$WORK/empty.rules" \
        --allow-empty-rules -l "$WORK/nfq$round" ${NFQ_ARGS:-} >"$WORK/nfq$round.log" 2>&1
    VPID=$BG_PID
    wait_log "$WORK/nfq$round.log" "NFQUEUE $QNUM bound" 1
    measure nfq 198.19.0.2 "$round"
    stop_vigil "$WORK/nfq$round.log"
    echo "  round $round $(accounting nfq "$WORK/nfq$round/eve.json")" | tee -a "$RES"
done
netns_teardown

# ---- bridged: a Linux bridge and AF_PACKET IPS
netns_setup_bridge
start_server 198.18.0.3
cp "$top/etc/vigil.yaml" "$WORK/afp.yaml"
cat >>"$WORK/afp.yaml" <<Y
af-packet:
  - interface: r0
    threads: 1
    cluster-id: $CID
    cluster-type: cluster_flow
    copy-mode: ips
    copy-iface: r1
  - interface: r1
    threads: 1
    cluster-id: $((CID + 1))
    cluster-type: cluster_flow
    copy-mode: ips
    copy-iface: r0
Y
for round in $(seq "$rounds"); do
    ip -n "$NS_R" link add br0 type bridge
    ip -n "$NS_R" link set r0 master br0
    ip -n "$NS_R" link set r1 master br0
    ip -n "$NS_R" link set br0 up
    # until the bridge forwards (no STP: at once, but the links settle)
    for _ in $(seq 50); do
        in_ns "$NS_C" ping -c1 -W1 198.18.0.3 >/dev/null 2>&1 && break
        sleep 0.1
    done
    measure bridge 198.18.0.3 "$round"
    ip -n "$NS_R" link del br0
    mkdir -p "$WORK/afp$round"
    bg_ns "$NS_R" "$VIGIL" -c "$WORK/afp.yaml" --af-packet --runmode workers -k none \
        -S "$WORK/empty.rules" --allow-empty-rules -l "$WORK/afp$round" \
        >"$WORK/afp$round.log" 2>&1
    VPID=$BG_PID
    wait_log "$WORK/afp$round.log" "AF_PACKET reader .*copy-mode ips" 2
    measure afp-ips 198.18.0.3 "$round"
    stop_vigil "$WORK/afp$round.log"
    echo "  round $round $(accounting afp "$WORK/afp$round/eve.json")" | tee -a "$RES"
done
netns_teardown

# ---- medians over the rounds
python3 - "$RES" <<'PY'
import statistics, sys
rtt, bulk = {}, {}
for line in open(sys.argv[1]):
    f = line.split()
    if f[1] == "rtt":
        rtt.setdefault(f[0], []).append((float(f[2]), float(f[3])))
    elif f[1] == "bulk":
        bulk.setdefault(f[0], []).append(float(f[2]))
base = {"nfq": "plain", "afp-ips": "bridge"}
print("\nmedians over the rounds")
print(f"{'path':<10} {'rtt median':>11} {'rtt p99':>10} {'added median':>13} {'added p99':>10}"
      f" {'bulk Mbit/s':>12}")
for path in ("plain", "nfq", "bridge", "afp-ips"):
    if path not in rtt:
        continue
    med = statistics.median(m for m, _ in rtt[path])
    p99 = statistics.median(p for _, p in rtt[path])
    add_m = add_p = ""
    if path in base:
        b = base[path]
        add_m = f"{med - statistics.median(m for m, _ in rtt[b]):.1f} us"
        add_p = f"{p99 - statistics.median(p for _, p in rtt[b]):.1f} us"
    print(f"{path:<10} {med:>8.1f} us {p99:>7.1f} us {add_m:>13} {add_p:>10}"
          f" {statistics.median(bulk[path]):>12.0f}")
PY
