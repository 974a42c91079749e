#!/usr/bin/env bash
# Live capture through AF_PACKET (TPACKET_V3) with two readers in one fanout
# group, on a veth pair between two network namespaces (198.18.2.1 ->
# 198.18.2.2), BPF filter from the config, workers runmode (each reader
# runs the whole pipeline): every datagram sent to the filtered port is
# counted exactly once over both workers (options from the af-packet: list
# entry of the interface, as Suricata writes it), both workers took a share
# (24 flows spread by the fanout hash), each flow stayed on one worker, the
# one datagram with the pattern alerts exactly once, the kernel counted them
# and dropped none.
# Bad input: a missing interface fails with one line, exit 1, no output.
# Skipped (77) without root or namespaces.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns-lib.sh"
[ "$(id -u)" -eq 0 ] || netns_skip "needs root (network namespaces, AF_PACKET)"
netns_pair 198.18.2
netns_pair_up

expect_exit 1 "nosuch0: cannot capture: no such interface" \
    in_ns "$NS_S" "$VIGIL" --af-packet=nosuch0 -S /dev/null --allow-empty-rules -l "$WORK/bad1"
[ ! -e "$WORK/bad1" ] || fail "a failed start left its log directory"

cat >"$WORK/live.rules" <<'R'
alert udp any any -> any 6000 (msg:"live pattern"; content:"LIVEPATTERN"; sid:9201; rev:1;)
R
mkdir -p "$WORK/out"
# per-thread counters in the stats records (each worker's share)
sed 's/^\( *\)threads: no$/\1threads: yes/' "$VG_SOURCE_DIR/etc/vigil.yaml" >"$WORK/vigil.yaml"
grep -q "threads: yes" "$WORK/vigil.yaml" || fail "cannot turn per-thread stats on"
cat >>"$WORK/vigil.yaml" <<Y
af-packet:
  - interface: b0
    threads: 2
    cluster-id: $((1000 + $$ % 1000))
    cluster-type: cluster_flow
    bpf-filter: udp port 6000
  - interface: default
    threads: 1
Y
# --af-packet without a value: the first interface the list names.
bg_ns "$NS_S" "$VIGIL" -c "$WORK/vigil.yaml" --af-packet --runmode workers -k none \
    -S "$WORK/live.rules" -l "$WORK/out" >"$WORK/vigil.log" 2>&1
VPID=$BG_PID
for _ in $(seq 100); do
    [ "$(grep -c "b0: AF_PACKET reader" "$WORK/vigil.log")" -eq 2 ] && break
    kill -0 "$VPID" 2>/dev/null || fail "vigil did not start: $(cat "$WORK/vigil.log")"
    sleep 0.1
done
[ "$(grep -c "b0: AF_PACKET reader" "$WORK/vigil.log")" -eq 2 ] ||
    fail "two readers did not start: $(cat "$WORK/vigil.log")"
[ "$(grep -c "thread W#0[12]: modules af-packet,decode,flow,stream,app-layer,detect,verdict,output;" \
    "$WORK/vigil.log")" -eq 2 ] ||
    fail "workers: not one whole pipeline per reader: $(grep modules "$WORK/vigil.log")"
sleep 0.3
N=600
in_ns "$NS_C" python3 - "$N" <<'PY' || fail "sender failed"
import socket, sys, time
n = int(sys.argv[1])
socks = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(24)]
for i in range(n):
    body = b"LIVEPATTERN" if i == n // 2 else b"datagram %d" % i
    socks[i % 24].sendto(body, ("198.18.2.2", 6000))   # 24 flows over the readers
    socks[0].sendto(b"not for vigil", ("198.18.2.2", 6001))
    if i % 50 == 0:
        time.sleep(0.01)
PY
sleep 0.5
kill -TERM "$VPID"
wait "$VPID" || fail "vigil exited $? after SIGTERM: $(tail -3 "$WORK/vigil.log")"
eve_check "$WORK/out/eve.json"
py "$WORK/out/eve.json" "$N" <<'PY' || fail "AF_PACKET records are wrong"
import json, sys
n = int(sys.argv[2])
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = [r for r in recs if r["event_type"] == "alert"]
check([a["alert"]["signature_id"] for a in alerts] == [9201], alerts)
check(all(r.get("in_iface") == "b0" for r in recs if r["event_type"] in ("alert", "flow")),
      "in_iface of live records", alerts)
last = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]
c = last["capture"]
check(c["af_packet"]["pkts"] == n, "packets captured", c, n)
check(c["kernel_packets"] == n and c["kernel_drops"] == 0, c)
check(last["decoder"]["udp"] == n, last["decoder"])
# each worker's share: both took some, together every packet once
th = last["threads"]
shares = {name: t.get("capture", {}).get("af_packet", {}).get("pkts", 0) for name, t in th.items()}
workers = {k: v for k, v in shares.items() if k.startswith("W#")}
check(len(workers) == 2 and all(v > 0 for v in workers.values()), "fanout shares", shares)
check(sum(workers.values()) == n, "packets over the workers", shares, n)
flows = [r for r in recs if r["event_type"] == "flow"]
check(len(flows) == 24 and sum(f["flow"]["pkts_toserver"] for f in flows) == n,
      "a flow split over the workers (or a packet counted twice)",
      sorted(f["flow"]["pkts_toserver"] for f in flows))
print("af-packet shares:", workers)
PY
echo "live-af-packet: ok"
