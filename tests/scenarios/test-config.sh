#!/usr/bin/env bash
# Configuration checks through the real binary: unknown keys warn (exit 0),
# fail with --strict-config or from --set (exit 1); bad values fail (exit 1)
# naming file and line; the shipped etc/vigil.yaml is clean under
# --strict-config and every key in it is read by a run; a stock
# suricata.yaml runs with warnings only; the default log directory works for
# a user who is not root.
. "$(dirname "$0")/lib.sh"

ETC=$VG_SOURCE_DIR/etc
RULES=$ETC/rules/decoder-events.rules

# run NAME EXPECTED_RC ARGS...: run vigil on the sample; stderr in $WORK/NAME.err.
run() {
    local name=$1 want=$2 rc
    shift 2
    "$VIGIL" -r "$SAMPLE" -S "$RULES" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
    rc=$?
    [ "$rc" -eq "$want" ] || fail "$name: exit $rc, expected $want; stderr: $(cat "$WORK/$name.err")"
}

# has NAME TEXT: stderr of NAME holds the exact line TEXT.
has() {
    grep -qxF -- "$2" "$WORK/$1.err" || fail "$1: no line '$2' in: $(cat "$WORK/$1.err")"
}

# lacks NAME REGEX: no line of NAME's stderr matches.
lacks() {
    if grep -qE -- "$2" "$WORK/$1.err"; then
        fail "$1: unexpected '$2' in: $(cat "$WORK/$1.err")"
    fi
}

# --set of an unknown key: always an error, with a near name.
run set-unknown 1 -c "$ETC/vigil.yaml" -l "$WORK/l1" --set flow.memcapp=1mb
has set-unknown "Error: --set: flow.memcapp: unknown key (did you mean 'flow.memcap'?)"
has set-unknown "Error: configuration: errors above; not starting"
[ ! -e "$WORK/l1" ] || fail "set-unknown: the log directory was created before the config failed"

# --set of a bad value.
run set-bad 1 -c "$ETC/vigil.yaml" -l "$WORK/l2" --set stats.interval=often
has set-bad "Error: --set: stats.interval: 'often' is not an integer"

# A bad value in a file names file and line.
printf 'stats:\n  enabled: yes\n  interval: often\n' >"$WORK/bad.yaml"
run file-bad 1 -c "$WORK/bad.yaml" -l "$WORK/l3"
has file-bad "Error: $WORK/bad.yaml:3: stats.interval: 'often' is not an integer"

# An unknown key in a file: a warning and the run goes on; an error when strict.
printf 'flow:\n  mem-cap: 1mb\n' >"$WORK/unknown.yaml"
run file-unknown 0 -c "$WORK/unknown.yaml" -l "$WORK/l4"
has file-unknown \
    "Warning: $WORK/unknown.yaml:2: flow.mem-cap: unknown key (did you mean 'flow.memcap'?); ignored"
[ -s "$WORK/l4/eve.json" ] || fail "file-unknown: no eve.json"
run file-unknown-strict 1 -c "$WORK/unknown.yaml" -l "$WORK/l5" --strict-config
has file-unknown-strict \
    "Error: $WORK/unknown.yaml:2: flow.mem-cap: unknown key (did you mean 'flow.memcap'?) (--strict-config)"

# Malformed YAML: exit 1 with file and line.
printf 'flow:\n  memcap: [1mb\n' >"$WORK/broken.yaml"
run broken 1 -c "$WORK/broken.yaml" -l "$WORK/l6"
grep -qF "$WORK/broken.yaml:" "$WORK/broken.err" || fail "broken: no file:line: $(cat "$WORK/broken.err")"

# A tunnel port given as a port variable, as Suricata writes it.
printf 'decoder:\n  vxlan:\n    ports: $VXLAN_PORTS\n' >"$WORK/vars.yaml"
run port-var 0 -c "$WORK/vars.yaml" -l "$WORK/l7" --strict-config
lacks port-var '^(Warning|Error)'
run port-var-bad 1 -c "$WORK/vars.yaml" -l "$WORK/l8" --set 'vars.port-groups.VXLAN_PORTS=$NOPE'
has port-var-bad "Error: $WORK/vars.yaml:3: decoder.vxlan.ports: '\$VXLAN_PORTS' leads to \
'\$NOPE', which is not a variable of vars.port-groups"

# A stock suricata.yaml: warnings for what Vigil does not have, no error.
run stock 0 -c "$VG_SOURCE_DIR/tests/data/suricata-stock.yaml" -l "$WORK/l9"
lacks stock '^Error'
grep -qE '^Notice: configuration: [0-9]+ unknown key\(s\) and [0-9]+ without effect in Vigil ignored' \
    "$WORK/stock.err" || fail "stock: no summary of ignored keys: $(cat "$WORK/stock.err")"
grep -qF "suricata-stock.yaml:" "$WORK/stock.err" || fail "stock: warnings do not name the file"
has stock "Warning: $VG_SOURCE_DIR/tests/data/suricata-stock.yaml:56: outputs.0.fast.append: unknown key; ignored"
has stock "Warning: $VG_SOURCE_DIR/tests/data/suricata-stock.yaml:190: pcap: accepted for compatibility, no effect in Vigil; ignored"
# af-packet: is Vigil's too now (--af-packet reads its list): no warning.
lacks stock 'suricata-stock.yaml:18[3-8]: af-packet' 

# Suricata's keys given with --set (as its test suites do): warnings.
run set-suricata 0 -c "$ETC/vigil.yaml" -l "$WORK/l12" --set stream.drop-invalid=yes \
    --set exception-policy=auto
has set-suricata "Warning: --set: stream.drop-invalid: accepted for compatibility, no effect in Vigil; ignored"
run stock-strict 1 -c "$VG_SOURCE_DIR/tests/data/suricata-stock.yaml" -l "$WORK/l10" \
    --strict-config

# The shipped config under --strict-config, run from a scratch working
# directory without -l: no warning, logs in ./logs, and every key of the
# file read by the run (-v lists keys nobody read).
mkdir -p "$WORK/cwd"
(cd "$WORK/cwd" && "$VIGIL" -c "$ETC/vigil.yaml" --strict-config -v -r "$SAMPLE") \
    >"$WORK/shipped.out" 2>"$WORK/shipped.err" ||
    fail "shipped: etc/vigil.yaml fails under --strict-config: $(cat "$WORK/shipped.err")"
lacks shipped '^(Warning|Error)'
lacks shipped 'set but not read'
[ -s "$WORK/cwd/logs/eve.json" ] || fail "shipped: no ./logs/eve.json in the working directory"
eve_check "$WORK/cwd/logs/eve.json"
# The check can fail: a key the run does not read is listed.
(cd "$WORK/cwd" && "$VIGIL" -c "$ETC/vigil.yaml" -v -r "$SAMPLE" -l "$WORK/l11") \
    >/dev/null 2>"$WORK/shipped-l.err" || fail "shipped with -l failed"
grep -qF "$ETC/vigil.yaml:" "$WORK/shipped-l.err" &&
    grep -q "default-log-dir: set but not read by this run" "$WORK/shipped-l.err" ||
    fail "with -l, default-log-dir is not listed as unread: $(cat "$WORK/shipped-l.err")"

# Not root: the default log directory of the shipped config (./logs) is
# creatable by any user. As root, run as nobody.
as_user() {
    if [ "$(id -u)" -ne 0 ]; then
        "$@"
    elif command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
        setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"
    else
        return 125
    fi
}
skip_or_fail() {
    if [ "${CI:-}" = "true" ]; then
        fail "non-root check cannot run: $1"
    fi
    echo "config: SKIP non-root check: $1" >&2
    echo "config: ok (non-root check skipped)"
    exit 77
}
user_dir=$WORK/user
mkdir -p "$user_dir" && chmod 0777 "$user_dir" "$WORK"
if ! as_user test -x "$VIGIL" -a -r "$ETC/vigil.yaml" -a -r "$SAMPLE" -a -r "$RULES" \
        2>/dev/null; then
    skip_or_fail "no unprivileged user can read $VIGIL, $ETC/vigil.yaml and the sample"
fi
(cd "$user_dir" && as_user "$VIGIL" -c "$ETC/vigil.yaml" -v -r "$SAMPLE") \
    >"$WORK/user.out" 2>"$WORK/user.err" ||
    fail "as $(as_user id -un): the shipped config fails: $(cat "$WORK/user.err")"
[ -s "$user_dir/logs/eve.json" ] || fail "as a user: no ./logs/eve.json"
[ "$(command stat -c %u "$user_dir/logs")" -ne 0 ] || fail "as a user: ./logs was made by root"
echo "config: ok"
