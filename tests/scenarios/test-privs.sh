#!/usr/bin/env bash
# --user/--group: once capture and outputs are open, Vigil runs as the given user
# and group with only the capabilities capture needs. Offline (-r) it keeps none;
# on a live interface (a veth pair between two namespaces, 198.18.1.1 ->
# 198.18.1.2) every thread runs as the user with CAP_NET_RAW, CAP_NET_ADMIN and
# CAP_IPC_LOCK only, and still captures and alerts. An unknown user or group is
# one error line and exit 1 before any output. Skipped (77) without root,
# namespaces or the user "nobody".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/netns-lib.sh"
[ "$(id -u)" -eq 0 ] || netns_skip "needs root (switching user, live capture)"
id nobody >/dev/null 2>&1 || netns_skip "no user 'nobody'"
U=$(id -u nobody)
G=$(id -g nobody)
GN=$(id -gn nobody)
cat >"$WORK/t.rules" <<'R'
alert udp any any -> any 6000 (msg:"live pattern"; content:"LIVEPATTERN"; sid:9101; rev:1;)
alert ip any any -> any any (msg:"any ip"; sid:9102; rev:1;)
R

expect_exit 1 "--user no-such-user-vg: no such user" \
    "$VIGIL" -r "$VG_SOURCE_DIR/tests/data/midstream.pcap" -S "$WORK/t.rules" \
    -l "$WORK/bad1" --user no-such-user-vg
[ ! -e "$WORK/bad1" ] || fail "a refused start left its log directory"
expect_exit 1 "--group no-such-group-vg: no such group" \
    "$VIGIL" -r "$VG_SOURCE_DIR/tests/data/midstream.pcap" -S "$WORK/t.rules" \
    -l "$WORK/bad2" --user nobody --group no-such-group-vg

# Offline: the log directory belongs to the user, no capability is kept.
chmod o+x "$WORK"   # the user reaches its directory
mkdir -p "$WORK/off" && chown "$U:$G" "$WORK/off"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$VG_SOURCE_DIR/tests/data/midstream.pcap" \
    -S "$WORK/t.rules" -l "$WORK/off" --user nobody --group "$GN" 2>"$WORK/off.log" ||
    fail "offline run as nobody failed: $(cat "$WORK/off.log")"
grep -q "running as uid $U gid $G, no capabilities" "$WORK/off.log" ||
    fail "no privilege drop notice: $(cat "$WORK/off.log")"
grep -q "not writable" "$WORK/off.log" && fail "warned about a writable log directory"
eve_check "$WORK/off/eve.json"
[ "$(grep -c '"event_type":"alert"' "$WORK/off/eve.json")" -eq 4 ] || fail "offline alerts"

# Live, in a namespace.
netns_pair 198.18.1
netns_pair_up
mkdir -p "$WORK/live"   # root's: the drop warns that reopening logs will fail
bg_ns "$NS_S" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -i b0 -k none -S "$WORK/t.rules" \
    -l "$WORK/live" --user nobody udp port 6000 >"$WORK/live.log" 2>&1
VPID=$BG_PID
for _ in $(seq 100); do
    grep -q "b0: capturing" "$WORK/live.log" && break
    sleep 0.1
done
grep -q "b0: capturing" "$WORK/live.log" || fail "vigil did not start: $(cat "$WORK/live.log")"
grep -q "running as uid $U gid $G, keeping CAP_NET_RAW" "$WORK/live.log" ||
    fail "no privilege drop notice: $(cat "$WORK/live.log")"
grep -q "is not writable by uid $U" "$WORK/live.log" || fail "no warning on the log directory"
# Every thread: the user's ids, only net_admin (12), net_raw (13) and ipc_lock (14),
# and an empty bounding set (nothing can be gained back).
n_tasks=0
for st in /proc/"$VPID"/task/*/status; do
    n_tasks=$((n_tasks + 1))
    awk -v u="$U" -v g="$G" '
        $1 == "Uid:" && !($2 == u && $3 == u && $4 == u) { print "uid", $0; bad = 1 }
        $1 == "Gid:" && !($2 == g && $3 == g && $4 == g) { print "gid", $0; bad = 1 }
        ($1 == "CapEff:" || $1 == "CapPrm:") && $2 != "0000000000007000" { print $0; bad = 1 }
        $1 == "CapBnd:" && $2 != "0000000000000000" { print $0; bad = 1 }
        END { exit bad }' "$st" || fail "thread $st is not dropped"
done
[ "$n_tasks" -ge 2 ] || fail "expected the packet threads, saw $n_tasks task(s)"
in_ns "$NS_C" python3 - <<'PY' || fail "sender failed"
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(50):
    s.sendto(b"LIVEPATTERN" if i == 25 else b"datagram %d" % i, ("198.18.1.2", 6000))
    time.sleep(0.002)
PY
sleep 0.5
kill -TERM "$VPID"
wait "$VPID" || fail "vigil exited $? after SIGTERM: $(tail -3 "$WORK/live.log")"
eve_check "$WORK/live/eve.json"
py "$WORK/live/eve.json" <<'PY' || fail "live records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sids = [r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert"]
check(sids.count(9101) == 1 and sids.count(9102) == 50, sids)
PY
echo "privs: ok"
