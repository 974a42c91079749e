#!/usr/bin/env bash
# The logging: section: engine messages in a file of the log directory (text
# or JSON records), its own level, the console's level (-v, --quiet), a
# start-up error written to an existing log directory, bad values refused.
. "$(dirname "$0")/lib.sh"
cap=$VG_SOURCE_DIR/tests/data/midstream.pcap
[ -f "$cap" ] || fail "$cap is missing (tools/make-midstream-pcap.py makes it)"
: >"$WORK/empty.rules"

# The default config: vigil.log at level info beside eve.json.
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$cap" -S "$WORK/empty.rules" --allow-empty-rules \
    -l "$WORK/def" >"$WORK/def.out" 2>"$WORK/def.err" || fail "default: $(cat "$WORK/def.err")"
log=$WORK/def/vigil.log
[ -f "$log" ] || fail "no vigil.log in the log directory"
grep -qE '^\[[0-9T:.+-]+\] Notice: summary: 4 packets' "$log" || fail "no summary line: $(cat "$log")"
grep -q '] Info: ' "$log" || fail "file level info: no Info line"
grep -q '^Info: ' "$WORK/def.err" && fail "console level notice shows Info lines"
# --quiet: the console keeps warnings and errors; the file is as before.
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$cap" -S "$WORK/empty.rules" --allow-empty-rules \
    -l "$WORK/quiet" --quiet 2>"$WORK/quiet.err" || fail "quiet: $(cat "$WORK/quiet.err")"
grep -q 'Notice:' "$WORK/quiet.err" && fail "--quiet still shows notices"
grep -q 'Notice: summary' "$WORK/quiet/vigil.log" || fail "--quiet changed the file"

# JSON records, level notice, and a start-up error (an invalid policy): the
# run stops with exit 1 and its reason is in the file of the existing -l
# directory.
cat >"$WORK/json.yaml" <<'Y'
logging:
  default-log-level: Config
  outputs:
    - file:
        enabled: yes
        level: notice
        filename: engine.json
        type: json
Y
mkdir -p "$WORK/json"
expect_exit 1 'not valid with stream.midstream enabled' \
    "$VIGIL" -c "$WORK/json.yaml" -r "$cap" -S "$WORK/empty.rules" --allow-empty-rules \
    -l "$WORK/json" --set stream.midstream=true --set stream.midstream-policy=drop-flow
py "$WORK/json/engine.json" <<'PY' || fail "JSON engine log: $(cat "$WORK/json/engine.json")"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
check(recs and all(r["event_type"] == "engine" for r in recs), recs)
check(all(r["log_level"] in ("Error", "Warning", "Notice") for r in recs), recs)
errs = [r for r in recs if r["log_level"] == "Error"]
check(any("midstream" in r["engine"]["message"] for r in errs), errs)
PY
# A failed run never creates its log directory.
expect_exit 1 'not valid' \
    "$VIGIL" -c "$WORK/json.yaml" -r "$cap" -S "$WORK/empty.rules" --allow-empty-rules \
    -l "$WORK/none" --set stream.midstream=true --set stream.midstream-policy=drop-flow
[ -e "$WORK/none" ] && fail "a failed start-up created its log directory"

# A log file that cannot be opened is a warning; the run goes on.
printf 'logging:\n  outputs:\n    - file:\n        filename: no/such/dir/x.log\n' >"$WORK/nodir.yaml"
"$VIGIL" -c "$WORK/nodir.yaml" -r "$cap" -S "$WORK/empty.rules" --allow-empty-rules \
    -l "$WORK/nodir" 2>"$WORK/nodir.err" || fail "unopenable log file stopped the run"
grep -q 'Warning: .*x.log: cannot open the log file' "$WORK/nodir.err" || fail "no warning"
[ -f "$WORK/nodir/eve.json" ] || fail "unopenable log file: no eve.json"

# Bad values name the file and line.
printf 'logging:\n  default-log-level: loud\n' >"$WORK/bad.yaml"
expect_exit 1 "bad.yaml:2: logging.default-log-level: 'loud' is not a log level" \
    "$VIGIL" -c "$WORK/bad.yaml" -r "$cap" -S "$WORK/empty.rules" --allow-empty-rules -l "$WORK/b"
printf 'logging:\n  outputs:\n    - syslog:\n        facility: local9\n' >"$WORK/bad2.yaml"
expect_exit 1 "bad2.yaml:4: .*facility" \
    "$VIGIL" -c "$WORK/bad2.yaml" -r "$cap" -S "$WORK/empty.rules" --allow-empty-rules -l "$WORK/b2"
echo "engine-logging: ok"
