#!/usr/bin/env bash
# Signal storms while the engine reads a long capture through a FIFO (paced,
# so the run lasts as long as the storm): the engine never crashes, exits 0,
# and every output stays whole.
#  0. SIGHUPs every few milliseconds on a plain read of the capture file:
#     exit 0, nothing lost.
#  1. logrotate "create": 60 SIGHUPs 150 ms apart, each after renaming
#     eve.json, fast.log and stats.log, with a SIGUSR2 (rule reload) every
#     tenth: the records of the renamed files plus the last ones add up to
#     those of a reference run on the same capture, type by type; every line
#     of every file is JSON.
#  2. logrotate "copytruncate": files copied then truncated under the engine,
#     with SIGHUPs: every file holds whole JSON lines and no hole of zeros
#     (writes land at the new end of a truncated file).
#  3. SIGTERM storm mixed with SIGHUP and SIGUSR2, once the engine has flows:
#     exit 0 (documented status of a clean stop), outputs flushed (flow
#     records, final stats).
# Stats run on the packet clock here (--set stats.clock=packet): their count
# is then part of the comparison with the reference.
# Runs under ASan and TSan (label "threads").
. "$(dirname "$0")/lib.sh"
ROUNDS=${VG_STORM_ROUNDS:-1200}
cap=$WORK/long.pcap
rules=$WORK/storm.rules
cat >"$rules" <<'EOF'
alert udp any any -> any 53 (msg:"storm dns"; content:"example"; sid:9001; rev:1;)
alert tcp any any -> any 80 (msg:"storm http"; content:"GET"; sid:9002; rev:1;)
EOF
# The sample capture ROUNDS times, each round one second later.
python3 - "$SAMPLE" "$ROUNDS" "$cap" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
hdr, body = data[:24], data[24:]
with open(sys.argv[3], "wb") as out:
    out.write(hdr)
    for r in range(int(sys.argv[2])):
        off = 0
        while off < len(body):
            sec, usec, incl, orig = struct.unpack("<IIII", body[off:off + 16])
            out.write(struct.pack("<IIII", sec + r, usec, incl, orig))
            out.write(body[off + 16:off + 16 + incl])
            off += 16 + incl
PY
args=(-c "$VG_SOURCE_DIR/etc/vigil.yaml" -S "$rules" --set stats.clock=packet --set stats.interval=1)

# counts DIR: records per event type over DIR/eve.json*, fast.log lines,
# stats.log blocks; fails on any line that is not a JSON object.
counts() {
    python3 - "$1" <<'PY' || fail "bad output in $1"
import collections, glob, json, sys
d = sys.argv[1]
c = collections.Counter()
for path in sorted(glob.glob(d + "/eve.json*")):
    for n, line in enumerate(open(path, "rb"), 1):
        if b"\0" in line:
            sys.exit(f"{path}:{n}: NUL bytes")
        r = json.loads(line)
        if not isinstance(r, dict):
            sys.exit(f"{path}:{n}: not an object")
        c[r["event_type"]] += 1
for path in glob.glob(d + "/fast.log*"):
    c["fast.log lines"] += sum(1 for l in open(path, "rb") if b"[**]" in l)
for path in glob.glob(d + "/stats.log*"):
    c["stats.log blocks"] += sum(1 for l in open(path, "rb") if l.startswith(b"Date: "))
for k in sorted(c):
    print(k, c[k])
PY
}

"$VIGIL" "${args[@]}" -r "$cap" -l "$WORK/ref" 2>"$WORK/ref.err" ||
    fail "reference run failed: $(cat "$WORK/ref.err")"
counts "$WORK/ref" >"$WORK/ref.counts"
rm -rf "$WORK/ref"
grep -q '^alert ' "$WORK/ref.counts" && grep -q '^flow ' "$WORK/ref.counts" &&
    grep -q '^stats ' "$WORK/ref.counts" || fail "reference run wrote too little: $(cat "$WORK/ref.counts")"

# start NAME SECONDS: run the engine on a FIFO fed with the capture over about
# SECONDS seconds; sets pid and feeder.
start() {
    local fifo=$WORK/$1.fifo
    mkfifo "$fifo"
    mkdir -p "$WORK/$1"
    "$VIGIL" "${args[@]}" -r "$fifo" -l "$WORK/$1" 2>"$WORK/$1.err" &
    pid=$!
    python3 - "$cap" "$fifo" "$2" <<'PY' 2>/dev/null &
import sys, time
data = open(sys.argv[1], "rb").read()
steps = int(float(sys.argv[3]) * 10)
chunk = len(data) // steps + 1
with open(sys.argv[2], "wb", buffering=0) as out:
    for i in range(0, len(data), chunk):
        out.write(data[i:i + chunk])
        time.sleep(0.1)
PY
    feeder=$!
    # Signals before the handlers are installed would kill the process.
    local t=0
    until grep -q "runmode" "$WORK/$1.err" 2>/dev/null; do
        if ! kill -0 "$pid" 2>/dev/null || [ $t -ge 600 ]; then
            kill "$feeder" 2>/dev/null
            fail "$1: engine did not start: $(cat "$WORK/$1.err")"
        fi
        sleep 0.1
        t=$((t + 1))
    done
}

# finish NAME: wait for the engine (at most 120 s) and check its status.
finish() {
    local t=0
    while kill -0 "$pid" 2>/dev/null && [ $t -lt 1200 ]; do sleep 0.1; t=$((t + 1)); done
    kill -0 "$pid" 2>/dev/null && { kill -KILL "$pid"; fail "$1: engine did not end"; }
    wait "$pid"
    local rc=$?
    kill "$feeder" 2>/dev/null # no reader left: it would block on the FIFO
    wait "$feeder" 2>/dev/null
    [ $rc -eq 0 ] || fail "$1: engine exited $rc: $(tail -20 "$WORK/$1.err")"
    ! grep -qiE 'sanitizer|runtime error' "$WORK/$1.err" || fail "$1: $(cat "$WORK/$1.err")"
}

# 0. Hammer: SIGHUPs every few milliseconds while the engine reads the file
# at full speed, writing stats every second of packet time (the reader writes
# stats.log while the stats task reopens it: this crashed).
# Runs for about 5 s (at least one run, at most 10): slow sanitizer builds do
# one long run, a release build several short ones.
t0=$SECONDS
for i in $(seq 10); do
    [ "$i" -gt 1 ] && [ $((SECONDS - t0)) -ge 5 ] && break
    "$VIGIL" "${args[@]}" -r "$cap" -l "$WORK/hammer$i" 2>"$WORK/hammer$i.err" &
    pid=$!
    until grep -q "runmode" "$WORK/hammer$i.err" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null; do
        sleep 0.01
    done
    while kill -HUP "$pid" 2>/dev/null; do sleep 0.002; done
    wait "$pid" || fail "hammer: engine exited $?: $(tail -20 "$WORK/hammer$i.err")"
    counts "$WORK/hammer$i" >"$WORK/hammer.counts"
    diff "$WORK/ref.counts" "$WORK/hammer.counts" >/dev/null ||
        fail "hammer: records lost: $(diff "$WORK/ref.counts" "$WORK/hammer.counts")"
    rm -rf "$WORK/hammer$i"
done

# 1. logrotate create: rename, then SIGHUP.
start create 9
sent=0
for i in $(seq 60); do
    kill -0 "$pid" 2>/dev/null || break
    for f in eve.json fast.log stats.log; do
        [ -e "$WORK/create/$f" ] && mv "$WORK/create/$f" "$WORK/create/$f.$i"
    done
    kill -HUP "$pid" 2>/dev/null && sent=$((sent + 1))
    [ $((i % 10)) -eq 5 ] && kill -USR2 "$pid" 2>/dev/null
    sleep 0.15
done
finish create
[ "$sent" -ge 30 ] || fail "create: the run ended after $sent SIGHUPs; the storm did not overlap it"
n_reopen=$(grep -c "log files reopened" "$WORK/create.err")
[ "$n_reopen" -ge 10 ] || fail "create: only $n_reopen reopens logged"
counts "$WORK/create" >"$WORK/create.counts"
diff "$WORK/ref.counts" "$WORK/create.counts" >"$WORK/create.diff" ||
    fail "create: records lost or added across rotation: $(cat "$WORK/create.diff")"

# 2. logrotate copytruncate: copy, truncate in place, SIGHUP.
start copytruncate 7
for i in $(seq 20); do
    kill -0 "$pid" 2>/dev/null || break
    for f in eve.json fast.log stats.log; do
        if [ -e "$WORK/copytruncate/$f" ]; then
            cp "$WORK/copytruncate/$f" "$WORK/copytruncate.$f.$i"
            : >"$WORK/copytruncate/$f"
        fi
    done
    kill -HUP "$pid" 2>/dev/null
    sleep 0.15
done
# Input still being fed after the last truncation: the engine's last records
# (flows, final stats) are still to come.
kill -0 "$feeder" 2>/dev/null && alive_after_storm=1 || alive_after_storm=0
finish copytruncate
# The live files: whole JSON lines, no zeros where the old end was.
counts "$WORK/copytruncate" >/dev/null
# The copies: whole lines are JSON; only the last line may be cut by the copy.
python3 - "$WORK" <<'PY' || fail "copytruncate: a copy holds a broken record"
import glob, json, sys
for path in glob.glob(sys.argv[1] + "/copytruncate.eve.json.*"):
    data = open(path, "rb").read()
    if b"\0" in data:
        sys.exit(f"{path}: NUL bytes")
    for line in data.split(b"\n")[:-1]:
        json.loads(line)
PY
[ "$alive_after_storm" = 0 ] || [ -s "$WORK/copytruncate/eve.json" ] ||
    fail "copytruncate: nothing written after the last truncation"

# 3. SIGTERM storm: a clean stop with every output flushed. The storm starts once
# the engine has flows (a stats record counts one), not after a fixed time: on a
# loaded machine a SIGTERM before the first packet leaves no flow to flush.
start term 6
t=0
until [ "$(stat_now "$WORK/term/eve.json" flow.total)" -gt 0 ]; do
    kill -0 "$pid" 2>/dev/null || break   # ended already: finish judges the run
    [ $t -lt 1200 ] || fail "term: no flow counted after 120 s"
    sleep 0.1
    t=$((t + 1))
done
kill -HUP "$pid"
kill -USR2 "$pid"
for i in 1 2 3 4 5; do
    kill -TERM "$pid" 2>/dev/null
    kill -HUP "$pid" 2>/dev/null
    sleep 0.05
done
finish term
counts "$WORK/term" >"$WORK/term.counts"
grep -q '^flow ' "$WORK/term.counts" || fail "term: no flow records flushed"
grep -q '^stats ' "$WORK/term.counts" || fail "term: no final stats"
python3 - "$WORK/term/eve.json" <<'PY' || fail "term: the last record is not the final stats"
import json, sys
last = [json.loads(l) for l in open(sys.argv[1])][-1]
if last["event_type"] != "stats":
    sys.exit(last["event_type"])
PY
echo "signal storm: ok ($sent SIGHUPs, $n_reopen reopens)"
