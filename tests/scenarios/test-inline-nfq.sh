#!/usr/bin/env bash
# Vigil inline on NFQUEUE between two network namespaces (client -- router --
# server, addresses from 198.18.0.0/15 only). The router's FORWARD chain
# queues every packet to Vigil, which runs with a drop rule on a payload
# pattern and reject rules on a TCP port and a UDP port:
#   - a clean transfer completes byte for byte (sha256 checked end to end);
#   - a transfer holding the pattern is cut off and logged as drop;
#   - data to the rejected TCP port gets a reset at once (connection reset,
#     not a timeout), a datagram to the rejected UDP port an ICMP port
#     unreachable (connection refused);
#   - every packet Vigil took got exactly one verdict (packets = accepted +
#     dropped);
#   - fail-open: with Vigil frozen (SIGSTOP) and its queue full, the kernel
#     passes the traffic when nfq.fail-open is on;
#   - nfq.bypass-mark: the packets of a flow a rule bypassed carry the mark;
#   - nfq.gso: with it (the default) the senders' super-packets reach Vigil
#     whole, without it none is above the MTU, blocking the same;
#   - nfq.batchcount: accepts go in batch verdicts (counted), drops and
#     resets as before, every packet exactly one verdict (also with two
#     workers deciding out of order);
#   - Vigil stopped: the queue is unbound; the rule's --queue-bypass lets
#     traffic through, without it traffic stops (fail-closed);
#   - Vigil stopped while a transfer flows: killed (SIGKILL, a crash) with
#     --queue-bypass the transfer completes byte for byte (fail-open); stopped
#     (SIGTERM) without it the transfer stalls (fail-closed).
# The main and the fail-closed runs use --user nobody (where that user exists):
# verdicts, rejects and the kernel's queue counters work after the switch.
# Skipped (77) without root, namespaces, iptables or NFQUEUE in the kernel.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns-lib.sh"
PEER="$(dirname "$0")/inline-peer.py"
QNUM=$((100 + $$ % 1000))
AS_USER=()
id nobody >/dev/null 2>&1 && AS_USER=(--user nobody)

command -v iptables >/dev/null || netns_skip "no iptables (make deps installs it)"
netns_setup
in_ns "$NS_R" iptables -w -A FORWARD -j NFQUEUE --queue-num "$QNUM" --queue-bypass 2>"$WORK/ipt" ||
    netns_skip "iptables NFQUEUE target unavailable: $(cat "$WORK/ipt")"

bg_ns "$NS_S" python3 "$PEER" server 198.19.0.2 >"$WORK/server.out" 2>&1
for _ in $(seq 50); do
    grep -q ready "$WORK/server.out" && break
    sleep 0.1
done
grep -q ready "$WORK/server.out" || fail "test server did not start: $(cat "$WORK/server.out")"

cat >"$WORK/inline.rules" <<'R'
drop tcp any any -> any 5001 (msg:"evil pattern"; content:"EVILPATTERN"; sid:9001; rev:1;)
reject tcp any any -> any 5002 (msg:"rejected port"; content:"data"; sid:9002; rev:1;)
reject udp any any -> any 5003 (msg:"rejected udp"; content:"REJECTUDP"; sid:9003; rev:1;)
R

# start_vigil NAME [--set ...]: Vigil inline on the queue; waits until bound.
start_vigil() {
    local name=$1
    shift
    mkdir -p "$WORK/$name"
    bg_ns "$NS_R" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -q "$QNUM" -k none \
        -S "$WORK/inline.rules" -l "$WORK/$name" "$@" >"$WORK/$name.log" 2>&1
    VPID=$BG_PID
    for _ in $(seq 100); do
        grep -q "NFQUEUE $QNUM bound" "$WORK/$name.log" && return 0
        kill -0 "$VPID" 2>/dev/null || fail "vigil did not start: $(cat "$WORK/$name.log")"
        sleep 0.1
    done
    fail "vigil did not bind queue $QNUM: $(cat "$WORK/$name.log")"
}

stop_vigil() {
    kill -TERM "$VPID"
    wait "$VPID" || fail "vigil exited $? after SIGTERM: $(tail -5 "$WORK/$1.log")"
}

client() {
    in_ns "$NS_C" env PEER_TIMEOUT="${PEER_TIMEOUT:-20}" python3 "$PEER" "$@"
}

# Bad input: the queue is already bound by a running Vigil.
start_vigil run "${AS_USER[@]}"
[ ${#AS_USER[@]} -eq 0 ] || grep -q "running as uid" "$WORK/run.log" ||
    fail "--user nobody: no privilege drop reported: $(cat "$WORK/run.log")"
expect_exit 1 "NFQUEUE $QNUM: cannot bind the queue" \
    in_ns "$NS_R" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -q "$QNUM" -S "$WORK/inline.rules" \
    -l "$WORK/second"
[ ! -e "$WORK/second" ] || fail "a vigil that could not bind left $WORK/second behind"

inline_blocks 198.19.0.2
stop_vigil run

eve_check "$WORK/run/eve.json"
py "$WORK/run/eve.json" <<'PY' || fail "inline EVE records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = [r for r in recs if r["event_type"] == "alert"]
drops = [r for r in recs if r["event_type"] == "drop"]
sids = sorted(a["alert"]["signature_id"] for a in alerts)
check(sids == [9001, 9002, 9003], sids)
check(all(a["alert"]["action"] == "blocked" for a in alerts), alerts)
first = [d for d in drops if d["drop"]["reason"] == "rules"]
check(sorted(d["alert"]["signature_id"] for d in first) == [9001, 9002, 9003], first)
check(any(d["drop"]["reason"] == "flow drop" and d["dest_port"] == 5001 for d in drops),
      "later packets of the pattern flow were not dropped")
s = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]
n = s["nfq"]
check(n["bytes"] > 350000, n)   # the two clean transfers at least
check(n["packets"] == n["verdicts"]["accepted"] + n["verdicts"]["dropped"], "verdicts lost", n)
# nfq.gso (default yes): the senders' stacks build TCP super-packets (veth
# offloads), which reach Vigil whole, larger than the 1500-byte MTU
check(s["decoder"]["max_pkt_size"] > 1500, "no GSO packet", s["decoder"]["max_pkt_size"])
check(n["verdicts"]["errors"] == 0, n)
check(n["verdicts"]["dropped"] == s["ips"]["blocked"], n, s["ips"])
check(s["respond"]["rst_sent"] >= 1 and s["respond"]["icmp_sent"] == 1, s["respond"])
PY

# nfq.batchcount: passing packets get batch verdicts (one message for up to
# 16 accepts), drops and rejects still their own; every packet one verdict.
# With nfq.gso off the kernel segments first: no packet above the MTU, and
# the same blocks as with GSO.
start_vigil batch --set nfq.batchcount=16 --set nfq.gso=no
grep -q "gso no" "$WORK/batch.log" || fail "nfq.gso=no not reported at start"
grep -q "batchcount 16" "$WORK/batch.log" || fail "batchcount not reported at start"
r=$(client send 198.19.0.2 5001 300000)
[ "$r" = ok ] || fail "batchcount: clean transfer: $r"
r=$(PEER_TIMEOUT=5 client send 198.19.0.2 5001 300000 EVILPATTERN)
case "$r" in timeout*) ;; *) fail "batchcount: pattern not cut off: $r" ;; esac
r=$(client send 198.19.0.2 5002 2000 data)
case "$r" in reset*) ;; *) fail "batchcount: rejected port: expected a reset, got: $r" ;; esac
r=$(client rtt 198.19.0.2 5004 50)
echo "batchcount: round trips (us): $r"
stop_vigil batch
py "$WORK/batch/eve.json" <<'PY' || fail "batchcount: verdict counters are wrong"
import json, sys
n = [json.loads(l) for l in open(sys.argv[1]) if '"stats"' in l][-1]["stats"]["nfq"]
v = n["verdicts"]
check(n["packets"] == v["accepted"] + v["dropped"] and v["errors"] == 0, n)
check(v["batches"] > 5 and v["batched"] > 5 * 16, "few batch verdicts", v)
check(v["batched"] <= v["accepted"] and v["dropped"] > 0, v)
s = [json.loads(l) for l in open(sys.argv[1]) if '"stats"' in l][-1]["stats"]
check(s["decoder"]["max_pkt_size"] <= 1500, "nfq.gso=no: a packet above the MTU",
      s["decoder"]["max_pkt_size"])
print("batchcount: packets", n["packets"], "batches", v["batches"], "batched", v["batched"])
PY

# nfq.mode repeat: a passing packet goes through the chain again with the
# mark set, and the rule before NFQUEUE accepts marked packets (without the
# mark it would come back to the queue for ever); drops stay drops.
in_ns "$NS_R" iptables -w -F FORWARD
in_ns "$NS_R" iptables -w -A FORWARD -m mark --mark 0x4/0x4 -j ACCEPT
in_ns "$NS_R" iptables -w -A FORWARD -j NFQUEUE --queue-num "$QNUM" --queue-bypass
start_vigil repeat --set nfq.mode=repeat --set nfq.repeat-mark=4 --set nfq.repeat-mask=4
r=$(client send 198.19.0.2 5001 100000)
[ "$r" = ok ] || fail "repeat mode: clean transfer: $r"
r=$(PEER_TIMEOUT=5 client send 198.19.0.2 5001 100000 EVILPATTERN)
case "$r" in timeout*) ;; *) fail "repeat mode: pattern not cut off: $r" ;; esac
stop_vigil repeat
py "$WORK/repeat/eve.json" <<'PY' || fail "repeat mode: counters are wrong"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"stats"' in l][-1]["stats"]["nfq"]
v = s["verdicts"]
# (counts in bytes: with GSO a 100 kB transfer may be a handful of packets)
check(v["accepted"] == 0 and v["repeated"] > 0 and v["dropped"] > 0 and s["bytes"] > 100000, v, s)
check(s["packets"] == v["repeated"] + v["dropped"], s)
PY

# Two queues (-q A:B, the rule balancing flows over them) and the autofp
# runmode: verdicts come from the worker threads, not the readers.
in_ns "$NS_R" iptables -w -F FORWARD
in_ns "$NS_R" iptables -w -A FORWARD -j NFQUEUE --queue-balance "$QNUM:$((QNUM + 1))" --queue-bypass
start_vigil multi --runmode autofp --set threading.worker-threads=2 -q "$((QNUM + 1))" \
    --set nfq.batchcount=8
for _ in $(seq 50); do
    grep -q "NFQUEUE $((QNUM + 1)) bound" "$WORK/multi.log" && break
    sleep 0.1
done
grep -q "NFQUEUE $((QNUM + 1)) bound" "$WORK/multi.log" || fail "second queue not bound"
for i in 1 2 3 4; do
    r=$(client send 198.19.0.2 5001 100000)
    [ "$r" = ok ] || fail "two queues, autofp: clean transfer $i: $r"
done
r=$(PEER_TIMEOUT=5 client send 198.19.0.2 5001 100000 EVILPATTERN)
case "$r" in timeout*) ;; *) fail "two queues, autofp: pattern not cut off: $r" ;; esac
stop_vigil multi
py "$WORK/multi/eve.json" <<'PY' || fail "two queues: EVE records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
a = [r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert"]
# Two readers may hand a flow's two directions over in another order than
# the wire had them; the pattern alerts, and nothing else does.
check(a and set(a) == {9001}, a, [r["event_type"] for r in recs])
s = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]["nfq"]
check(s["bytes"] > 400000 and s["packets"] == s["verdicts"]["accepted"] + s["verdicts"]["dropped"], s)
# batchcount 8 with verdicts from two workers: a batch never covers a packet
# still inspected (its own verdict would then fail)
check(s["verdicts"]["errors"] == 0, s)
PY
in_ns "$NS_R" iptables -w -F FORWARD
in_ns "$NS_R" iptables -w -A FORWARD -j NFQUEUE --queue-num "$QNUM" --queue-bypass

# nfq.bypass-mark: once a rule bypasses a flow, its passing packets carry the
# mark (counted in mangle POSTROUTING, which forwarded packets cross after
# their verdict); a flow nobody bypassed carries none.
in_ns "$NS_R" iptables -w -t mangle -A POSTROUTING -m mark --mark 0x20/0x20
marked() {
    in_ns "$NS_R" iptables -w -t mangle -L POSTROUTING -v -x -n | awk 'NR > 2 { print $1 }'
}
cp "$WORK/inline.rules" "$WORK/inline.rules.orig"
echo 'alert tcp any any -> any 5001 (msg:"bypass"; content:"BYPASSME"; bypass; sid:9004; rev:1;)' \
    >>"$WORK/inline.rules"
start_vigil bypass --set nfq.bypass-mark=32 --set nfq.bypass-mask=32
r=$(client send 198.19.0.2 5001 100000)
[ "$r" = ok ] || fail "bypass mark: clean transfer: $r"
[ "$(marked)" = 0 ] || fail "bypass mark: packets of a flow not bypassed were marked: $(marked)"
r=$(client send 198.19.0.2 5001 100000 BYPASSME)
[ "$r" = ok ] || fail "bypass mark: bypassed transfer: $r"
stop_vigil bypass
m=$(marked)
bm=$(stat "$WORK/bypass/eve.json" nfq.bypass_marked)
[ "$m" -gt 0 ] && [ "$m" = "$bm" ] ||
    fail "bypass mark: $m packets marked in the kernel, vigil counted $bm"
in_ns "$NS_R" iptables -w -t mangle -F POSTROUTING
cp "$WORK/inline.rules.orig" "$WORK/inline.rules"

# Fail-open: Vigil frozen, its queue (4 packets) fills; the kernel then
# accepts what does not fit, TCP retransmits what sits in the queue.
start_vigil failopen --set nfq.fail-open=yes --set nfq.queue-maxlen=4
kill -STOP "$VPID"
# TCP retransmits what sits in the frozen queue, with backoff: give it time.
r=$(PEER_TIMEOUT=40 client send 198.19.0.2 5001 100000)
kill -CONT "$VPID"
[ "$r" = ok ] || fail "fail-open: traffic did not pass while vigil was frozen: $r"
stop_vigil failopen
grep -q 'fail-open yes' "$WORK/failopen.log" || fail "fail-open not reported at start"

# The same frozen, without fail-open: the full queue drops, the transfer stalls.
start_vigil failclosed --set nfq.queue-maxlen=4 "${AS_USER[@]}"
kill -STOP "$VPID"
r=$(PEER_TIMEOUT=5 client send 198.19.0.2 5001 100000)
kill -CONT "$VPID"
case "$r" in timeout*) ;; *) fail "fail-closed: traffic passed while vigil was frozen: $r" ;; esac
stop_vigil failclosed
qd=$(stat "$WORK/failclosed/eve.json" nfq.kernel.queue_dropped)
[ "$qd" -gt 0 ] || fail "fail-closed: the kernel's queue drops were not counted ($qd)"

# Vigil stopped: no listener on the queue; --queue-bypass passes traffic.
r=$(client send 198.19.0.2 5001 100000)
[ "$r" = ok ] || fail "vigil stopped, --queue-bypass rule: traffic did not pass: $r"
# Without --queue-bypass the kernel drops what it cannot queue.
in_ns "$NS_R" iptables -w -F FORWARD
in_ns "$NS_R" iptables -w -A FORWARD -j NFQUEUE --queue-num "$QNUM"
r=$(PEER_TIMEOUT=5 client send 198.19.0.2 5001 10000)
case "$r" in timeout*) ;; *) fail "vigil stopped, no bypass: traffic passed: $r" ;; esac

# midway NAME SIGNAL TIMEOUT: a 12 MB transfer through Vigil paced at 2 MB/s;
# once it flows (Vigil counted packets), Vigil gets SIGNAL; the transfer's
# result is in $r.
midway() {
    local name=$1 sig=$2
    start_vigil "$name" --set stats.interval=1
    (PEER_RATE=2000000 PEER_TIMEOUT=$3 client send 198.19.0.2 5001 12000000 \
        >"$WORK/$name.client") &
    local cpid=$!
    for _ in $(seq 100); do
        [ "$(stat "$WORK/$name/eve.json" nfq.packets 2>/dev/null || echo 0)" -gt 200 ] && break
        sleep 0.1
    done
    [ "$(stat "$WORK/$name/eve.json" nfq.packets 2>/dev/null || echo 0)" -gt 200 ] ||
        fail "$name: the transfer did not start through vigil"
    kill -0 "$cpid" 2>/dev/null || fail "$name: the transfer ended before vigil was stopped"
    kill "-$sig" "$VPID"
    wait "$VPID" 2>/dev/null     # (killed: no job message)
    wait "$cpid"
    r=$(cat "$WORK/$name.client")
}
# Fail-open: the rule's --queue-bypass, Vigil killed midway: the transfer goes on.
in_ns "$NS_R" iptables -w -F FORWARD
in_ns "$NS_R" iptables -w -A FORWARD -j NFQUEUE --queue-num "$QNUM" --queue-bypass
midway killed KILL 30
[ "$r" = ok ] || fail "fail-open: vigil killed midway, the transfer did not complete: $r"
# Fail-closed: no --queue-bypass, Vigil stopped midway: the transfer stalls.
in_ns "$NS_R" iptables -w -F FORWARD
in_ns "$NS_R" iptables -w -A FORWARD -j NFQUEUE --queue-num "$QNUM"
midway stopped TERM 5
case "$r" in timeout*) ;; *) fail "fail-closed: vigil stopped midway, the transfer went on: $r" ;; esac
echo "inline-nfq: ok"
