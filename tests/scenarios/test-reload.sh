#!/usr/bin/env bash
# Rule reload (SIGUSR2) follows the start-up policy: a new rule set with a
# refused rule goes live without it (warning naming file and line); a missing
# rule file keeps the running rules. (detect.reload-strict: test-signals.sh.)
. "$(dirname "$0")/lib.sh"
fifo=$WORK/cap.fifo
mkfifo "$fifo"
rules=$WORK/live.rules
echo 'alert udp any any -> any 53 (msg:"old dns"; content:"example"; sid:8001; rev:1;)' >"$rules"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$fifo" -S "$rules" -l "$WORK/out" \
    2>"$WORK/err" &
pid=$!
exec 3>"$fifo"
# feed ROUND WITH_HEADER: the sample capture, timestamps moved on by 100 s a round.
feed() {
    python3 - "$SAMPLE" "$1" "$2" <<'PY' >&3
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
wait_for() { # FILE PATTERN [COUNT]: up to ~10 s for COUNT lines matching
    for _ in $(seq 100); do
        [ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "${3:-1}" ] && return 0
        sleep 0.1
    done
    return 1
}
feed 0 1
wait_for "$WORK/err" "rules successfully loaded" || fail "engine did not start"
# A new set with one good rule and one broken one: the good one goes live.
{
    echo 'alert udp any any -> any 53 (msg:"new dns"; content:"example"; sid:8002; rev:1;)'
    echo 'alert udp any any -> any 53 (msg:"broken" content:"x"; sid:8003; rev:1;)'
} >"$rules"
kill -USR2 "$pid"
wait_for "$WORK/err" "rule reload done" || fail "reload with a refused rule not done: $(cat "$WORK/err")"
grep -qF "live.rules:2: sid 8003: msg: unexpected text" "$WORK/err" ||
    fail "refused rule not named: $(cat "$WORK/err")"
grep -qF "rule reload done: the new rule set is live (1 rules loaded, 1 failed)" "$WORK/err" ||
    fail "reload summary wrong: $(cat "$WORK/err")"
sleep 0.3
feed 1 0
# The rule file vanishes: the reload fails and the running rules stay.
rm "$rules"
kill -USR2 "$pid"
wait_for "$WORK/err" "rule reload failed: keeping the current rules" ||
    fail "reload without its rule file not refused: $(cat "$WORK/err")"
grep -qF "live.rules: can't read rule file: No such file or directory" "$WORK/err" ||
    fail "missing rule file not named"
sleep 0.3
feed 2 0
sleep 0.5
kill -TERM "$pid"
exec 3>&-
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "engine exited $rc after SIGTERM"
eve_check "$WORK/out/eve.json"
python3 - "$WORK/out/eve.json" <<'PY' || fail "alerts around the reloads are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = sorted((r["alert"]["signature_id"], r["pcap_cnt"])
                for r in recs if r["event_type"] == "alert")
# round 0: old rule; rounds 1 and 2 (after the failed reload): the new one
if alerts != [(8001, 10), (8002, 27), (8002, 44)]:
    sys.exit(f"alerts: {alerts}")
PY
echo "reload: ok"
