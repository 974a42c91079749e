#!/usr/bin/env bash
# The control socket while packets flow (a FIFO fed by the test, the sample
# capture over and over): every command through tools/vigilctl, a rule
# reload that goes live, hostile clients (garbage, a request too large, a
# half request, silence, too many clients, an answer never read), a second
# instance on the same socket refused; shutdown ends the run with 0 and
# removes the socket.
. "$(dirname "$0")/lib.sh"
CTL="python3 $VG_SOURCE_DIR/tools/vigilctl"
fifo=$WORK/cap.fifo
sock=$WORK/ctl.sock
rules=$WORK/live.rules
# A socket that cannot be created stops start-up with its path and reason.
expect_exit 1 "$WORK/no/dir/s.sock: cannot create the control socket: No such file" \
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$SAMPLE" -l "$WORK/o0" \
    --unix-socket="$WORK/no/dir/s.sock"
# A file that is not a socket is never replaced.
: >"$WORK/plain"
expect_exit 1 "plain: exists and is not a socket" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" \
    -r "$SAMPLE" -l "$WORK/o0" --unix-socket="$WORK/plain"
mkfifo "$fifo"
echo 'alert udp any any -> any 53 (msg:"old dns"; content:"example"; sid:8001; rev:1;)' >"$rules"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$fifo" -S "$rules" -l "$WORK/out" \
    --runmode autofp --unix-socket="$sock" 2>"$WORK/err" &
pid=$!
# The feeder: the sample capture again and again (timestamps moved on by 100 s
# a round) until the engine goes away.
python3 "$VG_SOURCE_DIR/tests/scenarios/pcap-loop.py" "$SAMPLE" >"$fifo" 2>/dev/null &
feeder=$!
trap 'kill $feeder 2>/dev/null; kill $pid 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do
    [ -S "$sock" ] && break
    sleep 0.1
done
[ -S "$sock" ] || fail "no control socket: $(cat "$WORK/err")"
[ "$(command stat -c %a "$sock")" = 600 ] || fail "control socket mode $(command stat -c %a "$sock"), not 600"

# ctl WANT_RC CMD...: vigilctl exits WANT_RC; its answer is in $ans.
ctl() {
    local want=$1 rc
    shift
    ans=$($CTL --socket "$sock" --timeout 20 "$@")
    rc=$?
    [ "$rc" -eq "$want" ] || fail "vigilctl $* exited $rc (want $want): $ans"
}
# field EXPR: a Python expression over the answer a (parsed JSON).
field() {
    python3 -c "import json,sys; a=json.loads(sys.argv[1]); print($1)" "$ans"
}

ctl 0 version
[ "$(field 'a["message"]')" = "$("$VIGIL" -V | sed -n 's/^This is Vigil version //p')" ] ||
    fail "version: $ans"
ctl 0 uptime
field 'int(a["message"]) >= 0' | grep -q True || fail "uptime: $ans"
ctl 0 running-mode
[ "$(field 'a["message"]')" = autofp ] || fail "running-mode: $ans"
ctl 0 capture-mode
[ "$(field 'a["message"]')" = PCAP_FILE ] || fail "capture-mode: $ans"
ctl 0 command-list
field '"dump-counters" in a["message"]["commands"] and a["message"]["count"] == len(a["message"]["commands"])' |
    grep -q True || fail "command-list: $ans"
ctl 0 help
field '"shutdown" in a["message"]' | grep -q True || fail "help: $ans"
ctl 0 conf-get unix-command.filename
[ "$(field 'a["message"]')" = vigil-command.socket ] || fail "conf-get: $ans"
ctl 1 conf-get no.such.key
ctl 0 memcap-list
field '[m["name"] for m in a["message"]]' | grep -q "'flow'" || fail "memcap-list: $ans"
ctl 0 -c "memcap-show config=flow"
field 'a["message"]["value"] > 0 and a["message"]["memuse"] > 0' | grep -q True ||
    fail "memcap-show: $ans"
ctl 1 memcap-show nothing
# memcap-set while packets flow: the live value changes (its effect on what is
# refused: test-control-pcap-queue.sh and unit/test-stream-flood).
ctl 0 memcap-set stream-reassembly 512mb
ctl 0 memcap-show stream-reassembly
[ "$(field 'a["message"]["value"]')" = 536870912 ] || fail "memcap-set stream-reassembly: $ans"
ctl 1 memcap-set flow 1
ctl 0 memcap-show flow
field 'a["message"]["value"] > 1' | grep -q True || fail "flow memcap changed by a refused set: $ans"
ctl 0 ruleset-stats
[ "$(field 'a["message"][0]["rules_loaded"]')" = 1 ] || fail "ruleset-stats: $ans"
ctl 0 ruleset-reload-time
field 'a["message"][0]["last_reload"]' | grep -qE '^20[0-9]{2}-' || fail "reload-time: $ans"
ctl 0 ruleset-failed-rules
[ "$(field 'a["message"]')" = "[]" ] || fail "failed-rules: $ans"
ctl 1 no-such-command
# Interactive: one answer a line read, until end of input.
inter=$(printf 'version\nconf-get runmode\n\nno-such\n' | $CTL --socket "$sock") ||
    [ $? -eq 1 ] || fail "interactive vigilctl failed: $inter"
[ "$(printf '%s\n' "$inter" | grep -c '"return": "OK"')" -eq 2 ] &&
    [ "$(printf '%s\n' "$inter" | grep -c '"return": "NOK"')" -eq 1 ] ||
    fail "interactive answers: $inter"
# Counters move while packets flow.
# pkts_move BEFORE: up to ~10 s for decoder.pkts (in $p) to pass BEFORE.
pkts_move() {
    for _ in $(seq 50); do
        ctl 0 dump-counters
        p=$(field 'a["message"]["decoder"]["pkts"]')
        [ "$p" -gt "$1" ] && return 0
        sleep 0.2
    done
    return 1
}
ctl 0 dump-counters
p1=$(field 'a["message"]["decoder"]["pkts"]')
pkts_move "$p1" || fail "decoder.pkts did not move between dump-counters: $p1 -> $p"
p2=$p
field '"threads" in a["message"]' | grep -q True || fail "dump-counters lacks threads"

# A reload through the socket answers when the new rules are live.
{
    echo 'alert udp any any -> any 53 (msg:"new dns"; content:"example"; sid:8002; rev:1;)'
    echo 'alert udp any any -> any 53 (msg:"flagged host"; hostbits:isset,flagged,src; sid:8100; rev:1;)'
    echo 'alert dns any any -> any any (msg:"listed domain"; dns.query; dataset:isset,ctl-domains,type string; sid:8200; rev:1;)'
} >"$rules"
ctl 0 reload-rules
[ "$(field 'a["message"]')" = "done: 3 rules loaded, 0 failed" ] || fail "reload-rules: $ans"
grep -q "rule reload done" "$WORK/err" || fail "reload-rules answered before the reload ended"

# Hostbits set by the operator: a rule checking the bit fires on that host's
# next packets; list and remove see it.
grep -q '"signature_id":8100' "$WORK/out/eve.json" && fail "sid 8100 fired before its hostbit was set"
# Packet time runs 100 s a round of the looped sample: 3600 s lasted 36 rounds,
# which a fast engine read between this add and the list below.
ctl 0 add-hostbit 192.168.1.10 flagged 360000
for _ in $(seq 100); do
    grep -q '"signature_id":8100' "$WORK/out/eve.json" && break
    sleep 0.1
done
grep -q '"signature_id":8100' "$WORK/out/eve.json" || fail "the operator's hostbit did not fire sid 8100"
ctl 0 list-hostbit 192.168.1.10
[ "$(field 'a["message"]["count"]')" = 1 ] && [ "$(field 'a["message"]["hostbits"][0]["name"]')" = flagged ] ||
    fail "list-hostbit: $ans"
field '0 < a["message"]["hostbits"][0]["expire"] <= 360000' | grep -q True || fail "hostbit expiry: $ans"
# A rule reload carries the live bits over to the new rule set (by name);
# packet time runs 100 s a round here: a bit for years.
ctl 0 add-hostbit 10.9.9.9 flagged 300000000
ctl 0 reload-rules
ctl 0 list-hostbit 10.9.9.9
[ "$(field 'a["message"]["count"]')" = 1 ] && [ "$(field 'a["message"]["hostbits"][0]["name"]')" = flagged ] ||
    fail "hostbit lost by a rule reload: $ans"
ctl 0 remove-hostbit ipaddress=192.168.1.10 hostbit=flagged
ctl 0 list-hostbit 192.168.1.10
[ "$(field 'a["message"]["count"]')" = 0 ] || fail "hostbit still listed after remove: $ans"
ctl 1 add-hostbit 192.168.1.999 flagged 60
field 'a["message"]' | grep -q "not an IPv4 or IPv6 address" || fail "bad address: $ans"
ctl 1 add-hostbit 192.168.1.10 nosuchbit 60
field 'a["message"]' | grep -q "no rule of the live rule set uses hostbit" || fail "unknown bit: $ans"
ctl 1 add-hostbit 192.168.1.10 flagged
field 'a["message"]' | grep -q "expire" || fail "missing expire: $ans"

# Datasets filled by the operator: the rule fires once the domain is in.
grep -q '"signature_id":8200' "$WORK/out/eve.json" && fail "sid 8200 fired on an empty set"
b64=$(printf example.test | base64)
ctl 1 dataset-lookup ctl-domains string "$b64"
ctl 0 dataset-add ctl-domains string "$b64"
[ "$(field 'a["message"]')" = "data added" ] || fail "dataset-add: $ans"
for _ in $(seq 100); do
    grep -q '"signature_id":8200' "$WORK/out/eve.json" && break
    sleep 0.1
done
grep -q '"signature_id":8200' "$WORK/out/eve.json" || fail "the operator's dataset entry did not fire sid 8200"
ctl 0 dataset-lookup ctl-domains string "$b64"
ctl 0 dataset-add ctl-domains string "$b64"
[ "$(field 'a["message"]')" = "data already in set" ] || fail "second dataset-add: $ans"
ctl 0 dataset-list
field '[d["items"] for d in a["message"] if d["name"] == "ctl-domains"]' | grep -qx '\[1\]' ||
    fail "dataset-list: $ans"
ctl 0 dataset-remove ctl-domains string "$b64"
ctl 1 dataset-lookup ctl-domains string "$b64"
ctl 1 dataset-add ctl-domains md5 "$b64"
field 'a["message"]' | grep -q "not of that type" || fail "wrong type: $ans"
ctl 1 dataset-add ctl-domains string 'not base64!'
field 'a["message"]' | grep -q "not a serialized value" || fail "bad value: $ans"
ctl 1 dataset-add no-such-set string "$b64"
ctl 0 dataset-clear ctl-domains string
rm "$rules"
ctl 1 reload-rules
field 'a["message"]' | grep -q "keeping the current rules" || fail "failed reload: $ans"
ctl 0 ruleset-reload-nonblocking

# Hostile clients; the engine keeps answering and processing.
py "$sock" <<'PY' || fail "hostile clients"
import json, socket, sys, time
path = sys.argv[1]
def conn(greet=True):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(10)
    s.connect(path)
    if greet:
        s.sendall(b'{"version": "0.2"}')
        check(answer(s)["return"] == "OK", "handshake")
    return s
def answer(s):
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(65536)
        if not d:
            break
        buf += d
    return json.loads(buf) if buf else None
def closed(s):
    try:
        return s.recv(1) == b""
    except ConnectionResetError:
        return True
# no handshake, garbage
s = conn(False); s.sendall(b"GET / HTTP/1.0\r\n\r\n")
a = answer(s); check(a["return"] == "NOK", a); check(closed(s), "garbage: still open")
# a wrong handshake
s = conn(False); s.sendall(b'{"version": "9"}')
check(answer(s)["return"] == "NOK", "bad version"); check(closed(s), "bad version: open")
# malformed requests after the handshake: NOK with a reason, connection kept
s = conn()
for req, why in [(b'{"command": version}', "unexpected byte"), (b'{"command": 1}', "command"),
                 (b'{"command": "conf-get", "arguments": [1]}', "arguments"),
                 (b'[' * 40 + b']' * 40, "nesting"), (b'{"command": "\xff\xfe"}', "Unknown"),
                 (b'{"command": "x\\u0000"}', "u0000")]:
    s.sendall(req)
    a = answer(s)
    check(a["return"] == "NOK" and why in a["message"], req, a)
s.sendall(b'{"command": "version"}'); check(answer(s)["return"] == "OK", "after malformed")
# two requests in one write, one request split over writes
s.sendall(b'{"command": "version"}{"command": "uptime"}')
check(answer(s)["return"] == "OK" and answer(s)["return"] == "OK", "pipelined")
s.sendall(b'{"comm'); time.sleep(0.2); s.sendall(b'and": "version"}')
check(answer(s)["message"], "split request")
# too large: 100 KiB without an end
s2 = conn(); s2.sendall(b'{"command": "' + b"a" * 100000)
a = answer(s2); check(a["return"] == "NOK" and "too large" in a["message"], a)
# a half request, then the client goes away; silent clients; an unread answer
h = conn(); h.sendall(b'{"command": "vers'); h.close()
silent = [conn(False) for _ in range(4)]
lazy = conn(); lazy.sendall(b'{"command": "dump-counters"}' * 50)
# too many clients: 16 at most; the rest are told so
extra = []
refused = 0
for _ in range(20):
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); c.settimeout(10)
    for _ in range(100):
        try:
            c.connect(path)
            break
        except BlockingIOError: # the listen backlog is full for a moment
            time.sleep(0.02)
    extra.append(c)
time.sleep(0.3)
for c in extra:
    c.setblocking(False)
    try:
        d = c.recv(4096)
        if b"too many clients" in d:
            refused += 1
    except BlockingIOError:
        pass
check(refused > 0, "no client refused past the limit")
for c in extra + silent:
    c.close()
lazy.close()
time.sleep(0.3)
# still serving
s.sendall(b'{"command": "version"}'); check(answer(s)["return"] == "OK", "after the storm")
PY
pkts_move "$p2" || fail "packets stopped flowing: $p2 -> $p"

# A second instance on the same socket is refused at start-up.
: >"$WORK/none.rules"
expect_exit 1 "another process is listening" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" \
    -r "$SAMPLE" -S "$WORK/none.rules" --allow-empty-rules -l "$WORK/out2" --unix-socket="$sock"

ctl 0 shutdown
for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
wait "$pid"
rc=$?
[ "$rc" -eq 0 ] || fail "engine exited $rc after shutdown: $(tail -5 "$WORK/err")"
[ -e "$sock" ] && fail "control socket left behind"
eve_check "$WORK/out/eve.json"
py "$WORK/out/eve.json" <<'PY' || fail "alerts around the reload are wrong"
import json, sys
alerts = [(r["alert"]["signature_id"], r["pcap_cnt"])
          for r in map(json.loads, open(sys.argv[1])) if r["event_type"] == "alert"]
old = [c for s, c in alerts if s == 8001]
new = [c for s, c in alerts if s == 8002]
check(old and new, "both rule sets fired", alerts[:5])
# Workers (autofp) may inspect a few packets read before the swap with the
# new rules and the other way round: only the boundary may overlap.
check(max(new) > max(old), "the old rule fired last")
check(sum(1 for c in old if c > min(new)) <= 3, "the old rule kept firing", old, new[:3])
PY
echo "control socket: ok"
