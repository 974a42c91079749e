#!/usr/bin/env bash
# The unix-socket runmode (vigil --unix-socket with no capture source): captures
# queued through tools/vigilctl with pcap-file are read one after another, each
# with its outputs in its own directory and the same records as `vigil -r`;
# pcap-file-number/-list/pcap-current while a capture is being read; a rule
# reload reaches the next capture; pcap-interrupt; pcap-file-continuous with
# delete-when-done; requests as suricatasc sends them (JSON booleans, a tenant
# number) and malformed ones; dump-counters is JSON; shutdown ends with 0 and
# removes the socket. In a -r run the pcap commands answer NOK.
. "$(dirname "$0")/lib.sh"
CTL="python3 $VG_SOURCE_DIR/tools/vigilctl"
RUNS=$VG_SOURCE_DIR/tests/data/runmodes.pcap
sock=$WORK/ctl.sock
rules=$WORK/live.rules
fifo=$WORK/slow.fifo
mkfifo "$fifo"
mkdir "$WORK/o0" "$WORK/o1" "$WORK/o2" "$WORK/o3" "$WORK/o4" "$WORK/o5" "$WORK/watch" \
    "$WORK/o6" "$WORK/o7" "$WORK/ref"
echo 'alert udp any any -> any 53 (msg:"old dns"; content:"example"; sid:8001; rev:1;)' >"$rules"

# No capture source and no socket: still a usage error.
expect_exit 2 "nothing to read" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -l "$WORK/l"

"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -S "$rules" -l "$WORK/log" \
    --unix-socket="$sock" >"$WORK/stdout" 2>"$WORK/err" &
pid=$!
trap 'exec 3>&- 2>/dev/null; kill ${feeder:-} 2>/dev/null; kill $pid 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do
    [ -S "$sock" ] && break
    sleep 0.1
done
[ -S "$sock" ] || fail "no control socket: $(cat "$WORK/err")"
[ "$(command stat -c %a "$sock")" = 600 ] || fail "socket mode $(command stat -c %a "$sock")"

ctl() {
    local want=$1 rc
    shift
    ans=$($CTL --socket "$sock" --timeout 20 "$@")
    rc=$?
    [ "$rc" -eq "$want" ] || fail "vigilctl $* exited $rc (want $want): $ans"
}
field() {
    python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($1)" "$ans"
}
# wait_for EXPR CMD...: repeat CMD until the Python expression over its answer holds.
wait_for() {
    local expr=$1
    shift
    for _ in $(seq 200); do
        ctl 0 "$@"
        [ "$(field "$expr")" = True ] && return 0
        sleep 0.05
    done
    fail "$* never answered so that $expr: $ans"
}

ctl 0 capture-mode
[ "$(field 'a["message"]')" = UNIX_SOCKET ] || fail "capture-mode: $ans"
# A second server on the same socket is refused, the first one goes on.
expect_exit 1 "another process is listening" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" \
    -S "$rules" -l "$WORK/log2" --unix-socket="$sock"
ctl 0 version
ctl 0 pcap-current
[ "$(field 'a["message"]')" = None ] || fail "pcap-current when idle: $ans"
ctl 1 pcap-interrupt
ctl 0 pcap-last-processed
[ "$(field 'a["message"]')" = 0 ] || fail "pcap-last-processed before any: $ans"

# Bad requests: NOK with a reason, the server goes on.
ctl 1 pcap-file
field '"filename" in a["message"]' | grep -q True || fail "pcap-file without args: $ans"
ctl 1 pcap-file "$WORK/none.pcap" "$WORK/o1"
field '"cannot read" in a["message"]' | grep -q True || fail "missing file: $ans"
ctl 1 pcap-file "$SAMPLE" "$WORK/no-dir"
field '"output-dir" in a["message"]' | grep -q True || fail "missing output-dir: $ans"
ctl 1 pcap-file "$SAMPLE" "$WORK/o1" 3
field '"tenant" in a["message"]' | grep -q True || fail "tenant 3: $ans"
ctl 1 pcap-file-continuous "$SAMPLE" "$WORK/o1"
field '"directory" in a["message"]' | grep -q True || fail "continuous on a file: $ans"
ctl 1 -c "pcap-file filename=$SAMPLE output-dir=$WORK/o1 continuous=maybe"

# The first job is a FIFO nobody writes yet: its reader waits, and three
# captures queued behind it stay in the queue while it is being read.
ctl 0 pcap-file "$fifo" "$WORK/o0"
wait_for 'a["message"] != "None"' pcap-current
[ "$(field 'a["message"]')" = "$fifo" ] || fail "pcap-current: $ans"
ctl 0 pcap-file "$SAMPLE" "$WORK/o1"
[ "$(field 'a["message"]')" = "Successfully added file to list" ] || fail "pcap-file: $ans"
ctl 0 pcap-file "$RUNS" "$WORK/o2"
ctl 0 pcap-file "$SAMPLE" "$WORK/o3"
ctl 0 pcap-file-number
[ "$(field 'a["message"]')" = 3 ] || fail "pcap-file-number while reading: $ans"
ctl 0 pcap-file-list
python3 -c "import json,sys; a=json.loads(sys.argv[1]); sys.exit(0 if a['message']['count'] == 3 and a['message']['files'] == [sys.argv[2], sys.argv[3], sys.argv[2]] else 1)" \
    "$ans" "$SAMPLE" "$RUNS" || fail "pcap-file-list: $ans"
ctl 0 dump-counters
python3 -c "import json,sys; a=json.loads(sys.argv[1]); assert isinstance(a['message'], dict)" \
    "$ans" || fail "dump-counters: $ans"
# Now the FIFO gets its capture and its end: the queue runs.
cat "$SAMPLE" >"$fifo"
wait_for 'a["message"] == 0' pcap-file-number
wait_for 'a["message"] == "None"' pcap-current
ctl 0 pcap-last-processed
[ "$(field 'a["message"]')" -gt 0 ] || fail "pcap-last-processed: $ans"

# Each capture's records are those of vigil -r on it alone (the engine starts
# afresh for each).
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -S "$rules" -r "$RUNS" -l "$WORK/ref" 2>/dev/null ||
    fail "reference run"
# norm EVE: every record but stats (wall-clock uptime), in file order.
norm() {
    grep -v '"event_type":"stats"' "$1"
}
for d in o0 o1 o2 o3; do
    [ -s "$WORK/$d/eve.json" ] || fail "$d: no eve.json: $(tail -5 "$WORK/err")"
done
diff <(norm "$WORK/ref/eve.json") <(norm "$WORK/o2/eve.json") >"$WORK/diff" ||
    fail "runmodes.pcap through the queue differs from vigil -r: $(head -20 "$WORK/diff")"
diff <(norm "$WORK/o1/eve.json") <(norm "$WORK/o3/eve.json") >/dev/null ||
    fail "the same capture read twice gave different records"
diff <(norm "$WORK/o0/eve.json") <(norm "$WORK/o1/eve.json") >/dev/null ||
    fail "the capture through a FIFO gave other records"
grep -q '"signature_id":8001' "$WORK/o1/eve.json" || fail "o1: no alert of sid 8001"
! grep -q '"signature_id":8002' "$WORK/o1/eve.json" "$WORK/o2/eve.json" ||
    fail "sid 8002 before it was loaded"

# A changed rule file, reloaded: the next capture sees the new rule.
echo 'alert udp any any -> any 53 (msg:"new dns"; content:"example"; sid:8002; rev:1;)' >>"$rules"
ctl 0 reload-rules
field '"2 rules loaded" in a["message"]' | grep -q True || fail "reload-rules: $ans"
ctl 0 ruleset-stats
[ "$(field 'a["message"][0]["rules_loaded"]')" = 2 ] || fail "ruleset-stats: $ans"
ctl 0 pcap-file "$SAMPLE" "$WORK/o4"
wait_for 'a["message"] == "None"' pcap-current
grep -q '"signature_id":8002' "$WORK/o4/eve.json" || fail "o4: the reloaded rule did not fire"

# memcap-set on the server: every capture read after it runs with the new
# memcaps (o2 read runmodes.pcap with the configured ones: nothing refused).
# stat NAME DIR: counter NAME of the last stats record of DIR/eve.json.
stat() {
    python3 - "$1" "$2/eve.json" <<'PY'
import json, sys
last = None
for line in open(sys.argv[2]):
    r = json.loads(line)
    if r.get("event_type") == "stats":
        last = r["stats"]
v = last
for k in sys.argv[1].split("."):
    v = v.get(k, 0) if isinstance(v, dict) else 0
print(v)
PY
}
[ "$(stat tcp.ssn_memcap_drop "$WORK/o2")" = 0 ] || fail "o2: sessions refused with the default memcap"
[ "$(stat app_layer.error.http.memcap "$WORK/o2")" = 0 ] || fail "o2: http memcap reached"
ctl 0 memcap-show stream
old_stream=$(field 'a["message"]["value"]')
ctl 0 memcap-set stream 1kb
field '"updated: 1024" in a["message"]' | grep -q True || fail "memcap-set stream: $ans"
ctl 0 memcap-set app-layer-http 100
ctl 0 memcap-show stream
[ "$(field 'a["message"]["value"]')" = 1024 ] || fail "memcap-show after set: $ans"
ctl 0 memcap-list
field '[m["value"] for m in a["message"] if m["name"] == "app-layer-http"] == [100]' |
    grep -q True || fail "memcap-list after set: $ans"
ctl 1 memcap-set stream lots
ctl 1 memcap-set nothing 1mb
ctl 1 memcap-set flow 1kb
field '"too small" in a["message"]' | grep -q True || fail "flow memcap below its hash: $ans"
ctl 0 pcap-file "$RUNS" "$WORK/o7"
wait_for 'a["message"] == "None"' pcap-current
[ "$(stat tcp.ssn_memcap_drop "$WORK/o7")" -gt 0 ] || fail "o7: stream memcap of 1kb refused nothing"
[ "$(stat app_layer.error.http.memcap "$WORK/o7")" -gt 0 ] ||
    fail "o7: http memcap of 100 bytes refused nothing"
ctl 0 memcap-set stream "$old_stream"
ctl 0 memcap-set app-layer-http 64mb

# pcap-interrupt: a capture that never ends (the sample over and over through
# the FIFO) is being read; interrupting it ends it with its outputs flushed
# and frees the queue.
ctl 0 pcap-file "$fifo" "$WORK/o5"
python3 "$VG_SOURCE_DIR/tests/scenarios/pcap-loop.py" "$SAMPLE" >"$fifo" 2>/dev/null &
feeder=$!
wait_for 'a["message"] != "None"' pcap-current
for _ in $(seq 100); do
    grep -q '"event_type":"alert"' "$WORK/o5/eve.json" 2>/dev/null && break
    sleep 0.1
done
ctl 0 pcap-interrupt
[ "$(field 'a["message"]')" = Interrupted ] || fail "pcap-interrupt: $ans"
wait_for 'a["message"] == "None"' pcap-current
wait $feeder 2>/dev/null
grep -q "slow.fifo: interrupted" "$WORK/err" || fail "no interruption logged"
grep -q "did not stop" "$WORK/err" && fail "the interrupted reader had to be killed"
tail -1 "$WORK/o5/eve.json" | python3 -c "import json,sys; json.loads(sys.stdin.read())" ||
    fail "o5/eve.json ends mid-record"

# As suricatasc sends it: JSON booleans and a tenant number, relative to nothing.
python3 - "$sock" "$WORK/watch" "$WORK/o6" <<'PY' >"$WORK/raw" || fail "raw request: $(cat "$WORK/raw")"
import json, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
f = s.makefile("rwb")
def req(o):
    f.write(json.dumps(o).encode()); f.flush()
    return json.loads(f.readline())
assert req({"version": "0.2"})["return"] == "OK"
a = req({"command": "pcap-file", "arguments": {"filename": sys.argv[2], "output-dir": sys.argv[3],
         "tenant": 0, "continuous": True, "delete-when-done": True}})
assert a == {"return": "OK", "message": "Successfully added file to list"}, a
a = req({"command": "pcap-file", "arguments": {"filename": 5, "output-dir": []}})
assert a["return"] == "NOK", a
a = req({"command": "pcap-file", "arguments": {"filename": sys.argv[2], "output-dir": sys.argv[3],
         "continuous": {"x": 1}}})
assert a["return"] == "NOK", a
print("ok")
PY
# Continuous: captures dropped into the directory are read as they come (once
# they stopped changing), into the same output dir, and deleted when done.
wait_for 'a["message"].endswith("/watch")' pcap-current
cp "$SAMPLE" "$WORK/watch/a.pcap"
touch -d '-5 seconds' "$WORK/watch/a.pcap"
for _ in $(seq 200); do
    [ -e "$WORK/watch/a.pcap" ] || break
    sleep 0.05
done
[ -e "$WORK/watch/a.pcap" ] && fail "continuous: a.pcap not read (or not deleted): $(tail -5 "$WORK/err")"
wait_for 'a["message"] > 0' pcap-last-processed
grep -q '"signature_id":8002' "$WORK/o6/eve.json" || fail "o6: nothing from the watched dir"
ctl 0 pcap-interrupt
wait_for 'a["message"] == "None"' pcap-current

ctl 0 shutdown
for _ in $(seq 100); do
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
done
kill -0 $pid 2>/dev/null && fail "still running after shutdown"
wait $pid
rc=$?
[ "$rc" -eq 0 ] || fail "exit status $rc after shutdown: $(tail -5 "$WORK/err")"
[ -e "$sock" ] && fail "socket left behind"
grep -qE "ERROR|Error:" "$WORK/err" && fail "errors logged: $(grep -E 'ERROR|Error:' "$WORK/err")"

# Outside that runmode the pcap commands are refused.
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$fifo" -S "$rules" -l "$WORK/l2" \
    --unix-socket="$sock" 2>"$WORK/err2" &
pid=$!
python3 "$VG_SOURCE_DIR/tests/scenarios/pcap-loop.py" "$SAMPLE" >"$fifo" 2>/dev/null &
feeder=$!
for _ in $(seq 100); do
    [ -S "$sock" ] && break
    sleep 0.1
done
ctl 1 pcap-file "$SAMPLE" "$WORK/o1"
field '"unix-socket runmode" in a["message"]' | grep -q True || fail "pcap-file in a -r run: $ans"
ctl 1 pcap-file-number
ctl 0 shutdown
wait $pid || fail "the -r run did not end cleanly: $(tail -3 "$WORK/err2")"
echo ok
