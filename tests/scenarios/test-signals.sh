#!/usr/bin/env bash
# Signals on a running engine, fed through a FIFO so it lives as long as the
# test wants: SIGUSR2 reloads the rules without stopping (new rules match the
# packets after the swap, a broken rule file keeps the old set under
# detect.reload-strict; the default policy is tested in test-reload.sh), SIGHUP
# reopens the logs, SIGTERM ends the run cleanly with every output flushed.
. "$(dirname "$0")/lib.sh"
fifo=$WORK/cap.fifo
mkfifo "$fifo"
rules=$WORK/live.rules
echo 'alert udp any any -> any 53 (msg:"old dns"; content:"example"; sid:8001; rev:1;)' >"$rules"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$fifo" -S "$rules" -l "$WORK/out" \
    --set detect.reload-strict=yes 2>"$WORK/err" &
pid=$!
exec 3>"$fifo"
# feed N: write packets of the sample (whole capture N times, timestamps moved on).
feed() {
    py "$SAMPLE" "$1" "$2" <<'PY' >&3
import struct, sys
data = open(sys.argv[1], "rb").read()
hdr, body = data[:24], data[24:]
round_no, with_header = int(sys.argv[2]), sys.argv[3] == "1"
out = sys.stdout.buffer
if with_header:
    out.write(hdr)
off = 0
while off < len(body):
    sec, usec, incl, orig = struct.unpack("<IIII", body[off:off + 16])
    out.write(struct.pack("<IIII", sec + 100 * round_no, usec, incl, orig))
    out.write(body[off + 16:off + 16 + incl])
    off += 16 + incl
out.flush()
PY
}
wait_for() { # file pattern: up to ~10 s
    for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
    return 1
}
feed 0 1
wait_for "$WORK/err" "rules successfully loaded" || fail "engine did not start"
# A broken rule file: the (strict) reload fails and the old rules stay.
echo 'alert udp any any -> any 53 (msg:"broken"; content:"x"; sid:8003; rev:1;)  garbage (' >"$rules"
echo 'this is not a rule' >>"$rules"
kill -USR2 "$pid"
wait_for "$WORK/err" "rule reload" || fail "reload not logged"
sleep 0.5
feed 1 0
# A good new rule file: the next packets see only the new rules.
echo 'alert udp any any -> any 53 (msg:"new dns"; content:"example"; sid:8002; rev:1;)' >"$rules"
kill -USR2 "$pid"
wait_for "$WORK/err" "rule reload done" || fail "good reload not done: $(cat "$WORK/err")"
mv "$WORK/out/eve.json" "$WORK/out/eve.json.1"
kill -HUP "$pid"
wait_for "$WORK/err" "log files reopened" || fail "SIGHUP did not reopen the logs"
sleep 0.3
feed 2 0
sleep 0.5
kill -TERM "$pid"
exec 3>&-
wait "$pid" || fail "engine exited $? after SIGTERM"
cat "$WORK/out/eve.json.1" "$WORK/out/eve.json" >"$WORK/all.json"
eve_check "$WORK/all.json"
py "$WORK/all.json" <<'PY' || fail "alerts around the reloads are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = [(r["alert"]["signature_id"], r["pcap_cnt"]) for r in recs if r["event_type"] == "alert"]
# round 0 and 1 (after the failed reload) match the old rule, round 2 the new one
check(sorted(alerts) == [(8001, 10), (8001, 27), (8002, 44)], alerts)
check(any(r["event_type"] == "stats" for r in recs), "no final stats")
check(any(r["event_type"] == "flow" for r in recs), "flows not flushed")
PY
[ -s "$WORK/out/eve.json" ] || fail "nothing written after SIGHUP"
echo "signals: ok"
