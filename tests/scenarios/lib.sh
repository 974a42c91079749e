# Shared helpers for scenario tests (sourced). VIGIL is the binary under test.
set -u
: "${VIGIL:?VIGIL must point at the vigil binary}"
: "${VG_SOURCE_DIR:?}"
SAMPLE=$VG_SOURCE_DIR/tests/data/sample.pcap
WORK=$(mktemp -d)
trap 'stop_hog; rm -rf "$WORK"' EXIT

# Load beside run I of a determinism test (same input, same output whatever
# the scheduling): run_load I [PIN_EVERY] sets PIN to (taskset -c 0) every
# PIN_EVERY-th run (default 3; 0: never) where taskset works, else to (), and
# starts a CPU hog (`yes`, on the pinned CPU when pinned) beside every even
# run; stop_hog ends it (the EXIT trap too).
HOG_PID=
PIN=()
stop_hog() {
    if [ -n "$HOG_PID" ]; then
        kill "$HOG_PID" 2>/dev/null
        wait "$HOG_PID" 2>/dev/null
        HOG_PID=
    fi
}
run_load() {
    local every=${2:-3}
    PIN=()
    if [ "$every" -gt 0 ] && [ $(($1 % every)) = 0 ] && command -v taskset >/dev/null &&
        taskset -c 0 true 2>/dev/null; then
        PIN=(taskset -c 0)
    fi
    if [ $(($1 % 2)) = 0 ]; then
        "${PIN[@]}" yes >/dev/null &
        HOG_PID=$!
    fi
}

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# needs WHAT: a prerequisite outside the repository (Hyperscan, tshark, ...)
# is missing: skip (exit 77), but fail under CI=true, where it must be there.
needs() {
    if [ "${CI:-}" = true ]; then
        fail "$* (CI=true: a missing prerequisite fails the run)"
    fi
    echo "skipped: $*"
    exit 77
}

# expect_exit CODE REGEX CMD...: CMD exits with exactly CODE (a crash, 134 or
# 139, is never the refusal a test expects) and its output, stdout and stderr
# together, matches the extended REGEX (an empty REGEX: anything). The output
# is left in $out.
expect_exit() {
    local want=$1 pat=$2 rc
    shift 2
    out=$("$@" 2>&1)
    rc=$?
    [ "$rc" -eq "$want" ] || fail "$* exited $rc, expected $want: $out"
    if [ -n "$pat" ] && ! printf '%s\n' "$out" | grep -qE -- "$pat"; then
        fail "$*: output lacks /$pat/: $out"
    fi
}

# lacks REGEX FILE: FILE exists and no line matches REGEX.
lacks() {
    [ -f "$2" ] || fail "$2 was not written"
    if grep -qE -- "$1" "$2"; then
        fail "$2 holds /$1/: $(grep -m1 -E -- "$1" "$2")"
    fi
}

# py ARGS... <<'PY': Python from stdin with check(cond, *what) defined, which
# fails (exit 1, naming the script line) even under PYTHONOPTIMIZE, where a
# bare assert would be skipped. Use check, never assert.
VG_PY_PRELUDE='import sys
def check(cond, *what):
    if not cond:
        line = sys._getframe(1).f_lineno - 6
        print(f"check failed at line {line} of the script:", *what, file=sys.stderr)
        sys.exit(1)
'
py() {
    { printf '%s' "$VG_PY_PRELUDE"; cat; } | python3 - "$@"
}

# q FILE EXPR: EXPR (Python, over "recs", the file's JSON records) printed as
# sorted-key JSON, for comparing with an expected text. A script may define its
# own q when it needs another shape.
q() {
    python3 - "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs}), sort_keys=True))
PY
}

# eve_check FILE: every line is a JSON object.
eve_check() {
    [ -f "$1" ] || fail "$1 was not written"
    py "$1" <<'PY' || fail "$1 holds a line that is not JSON"
import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    obj = json.loads(line)
    check(isinstance(obj, dict), f"line {n} is not an object")
PY
}

# stat FILE DOTTED.NAME: a value from the last stats record.
stat() {
    py "$1" "$2" <<'PY'
import json, sys
last = None
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("event_type") == "stats":
        last = r["stats"]
v = last
for part in sys.argv[2].split("."):
    v = v[part]
print(v)
PY
}

# Stepped feeding of a capture through a FIFO, so that a test waits on what the
# engine did instead of sleeping a fixed time (a loaded machine stretches every
# step). feed_open FIFO CAPTURE: holds FIFO on fd 5 (read-write: it does not
# wait for the reader) and writes the pcap header. feed_round: the next round
# (tests/scenarios/pcap-loop.py: timestamps 100 s later each round).
# feed_until SECONDS WHAT CMD...: rounds, 0.2 s apart, until CMD succeeds;
# fails naming WHAT after SECONDS, or at once when FEED_PID (the reader, if
# set) is gone. feed_close: the end of the capture (a process started after
# feed_open must not inherit fd 5: start it with 5>&-).
FEED_CAP=
FEED_PID=
FEED_ROUND=0
feed_open() {
    FEED_CAP=$2
    FEED_ROUND=0
    exec 5<>"$1"
    head -c 24 "$FEED_CAP" >&5
}
feed_round() {
    python3 "$VG_SOURCE_DIR/tests/scenarios/pcap-loop.py" "$FEED_CAP" --rounds 1 --no-header \
        --first-round "$FEED_ROUND" --round-delay 0 >&5 2>/dev/null
    FEED_ROUND=$((FEED_ROUND + 1))
}
feed_until() {
    local limit=$1 what=$2 t0=$SECONDS
    shift 2
    until "$@"; do
        [ $((SECONDS - t0)) -lt "$limit" ] || fail "$what: not after $limit s ($FEED_ROUND rounds fed)"
        [ -z "$FEED_PID" ] || kill -0 "$FEED_PID" 2>/dev/null || fail "$what: the reader ended"
        feed_round
        sleep 0.2
    done
}
feed_close() {
    exec 5>&-
}

# stat_now FILE DOTTED.NAME: a value from the last stats record written so far
# (0 while there is none or it lacks the name).
stat_now() {
    python3 - "$1" "$2" <<'PY' 2>/dev/null || echo 0
import json, sys
last = None
try:
    for line in open(sys.argv[1]):
        if '"event_type":"stats"' in line:
            try:
                last = json.loads(line)["stats"]
            except ValueError:
                pass          # the line being written
except OSError:
    pass
v = last
for part in sys.argv[2].split("."):
    v = v.get(part) if isinstance(v, dict) else None
print(v if isinstance(v, int) else 0)
PY
}
