#!/usr/bin/env bash
# Live capture through libpcap (-i IF with a BPF filter) on a veth pair
# between two network namespaces (198.18.1.1 -> 198.18.1.2): every datagram
# sent to the filtered port is counted exactly once, the filter keeps the
# others out, the one datagram with the pattern alerts exactly once, and the
# kernel's counters are reported. Bad input: a missing interface, a down
# interface and a bad filter each fail with one line, exit 1, no output.
# Skipped (77) without root or namespaces.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns-lib.sh"
[ "$(id -u)" -eq 0 ] || netns_skip "needs root (network namespaces, live capture)"
netns_pair 198.18.1

# Bad input first: b0 is still down.
expect_exit 1 "nosuch0: cannot capture: no such interface" \
    in_ns "$NS_S" "$VIGIL" -i nosuch0 -S /dev/null --allow-empty-rules -l "$WORK/bad1"
[ ! -e "$WORK/bad1" ] || fail "a failed start left its log directory"
expect_exit 1 "b0: cannot capture: interface is down" \
    in_ns "$NS_S" "$VIGIL" -i b0 -S /dev/null --allow-empty-rules -l "$WORK/bad2"
netns_pair_up
expect_exit 1 "BPF filter 'udp port': " \
    in_ns "$NS_S" "$VIGIL" -i b0 -S /dev/null --allow-empty-rules -l "$WORK/bad3" udp port
[ ! -e "$WORK/bad3" ] || fail "a failed start left its log directory"

cat >"$WORK/live.rules" <<'R'
alert udp any any -> any 6000 (msg:"live pattern"; content:"LIVEPATTERN"; sid:9101; rev:1;)
R
mkdir -p "$WORK/out"
bg_ns "$NS_S" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -i b0 -k none -S "$WORK/live.rules" \
    -l "$WORK/out" --unix-socket="$WORK/ctl.sock" udp port 6000 >"$WORK/vigil.log" 2>&1
VPID=$BG_PID
for _ in $(seq 100); do
    grep -q "b0: capturing" "$WORK/vigil.log" && break
    sleep 0.1
done
grep -q "b0: capturing" "$WORK/vigil.log" || fail "vigil did not start: $(cat "$WORK/vigil.log")"
sleep 0.3
N=500
in_ns "$NS_C" python3 - "$N" <<'PY' || fail "sender failed"
import socket, sys, time
n = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(n):
    body = b"LIVEPATTERN" if i == n // 2 else b"datagram %d" % i
    s.sendto(body, ("198.18.1.2", 6000))
    s.sendto(b"not for vigil", ("198.18.1.2", 6001))
    if i % 50 == 0:
        time.sleep(0.01)
PY
sleep 0.5
# The control socket reports the interface and its counters.
CTL="python3 $VG_SOURCE_DIR/tools/vigilctl --socket $WORK/ctl.sock"
[ "$($CTL capture-mode | python3 -c 'import json,sys; print(json.load(sys.stdin)["message"])')" = PCAP_DEV ] ||
    fail "capture-mode"
$CTL iface-list | python3 -c 'import json,sys; m=json.load(sys.stdin)["message"]; sys.exit(m != {"count": 1, "ifaces": ["b0"]})' ||
    fail "iface-list: $($CTL iface-list)"
$CTL iface-stat b0 | python3 -c 'import json,sys; m=json.load(sys.stdin)["message"]; sys.exit(not (m["pkts"] == int(sys.argv[1]) and m["drop"] == 0))' "$N" ||
    fail "iface-stat: $($CTL iface-stat b0)"
$CTL iface-stat nosuch0 >/dev/null && fail "iface-stat of an unknown interface answered OK"
kill -TERM "$VPID"
wait "$VPID" || fail "vigil exited $? after SIGTERM: $(tail -3 "$WORK/vigil.log")"
eve_check "$WORK/out/eve.json"
py "$WORK/out/eve.json" "$N" <<'PY' || fail "live capture records are wrong"
import json, sys
n = int(sys.argv[2])
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = [r for r in recs if r["event_type"] == "alert"]
check([a["alert"]["signature_id"] for a in alerts] == [9101], alerts)
check(all(r.get("in_iface") == "b0" for r in recs if r["event_type"] in ("alert", "flow")),
      "in_iface of live records", alerts)
s = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]
live = s["capture"]["pcap_live"]
check(live["pkts"] == n, "packets captured", live, n)
check(s["capture"]["kernel_packets"] == n and s["capture"]["kernel_drops"] == 0, s["capture"])
check(s["decoder"]["udp"] == n, s["decoder"])
PY
echo "live-pcap: ok"
