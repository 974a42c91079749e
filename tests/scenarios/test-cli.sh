#!/usr/bin/env bash
# The command line: errors are one clear line and exit 2; info flags work.
. "$(dirname "$0")/lib.sh"

expect_usage_error() {
    local out rc
    out=$("$VIGIL" "$@" 2>&1); rc=$?
    [ "$rc" -eq 2 ] || fail "vigil $* exited $rc, expected 2"
    [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] || fail "vigil $*: expected one line, got: $out"
}

expect_usage_error --no-such-flag
expect_usage_error -k sometimes -r "$SAMPLE"
expect_usage_error --set novalue -r "$SAMPLE"
expect_usage_error -r
expect_usage_error
"$VIGIL" -V | grep -q "Vigil version" || fail "-V does not print the version"
"$VIGIL" --build-info | grep -q "GPL-3.0" || fail "--build-info lacks the licence"
"$VIGIL" -h | grep -q -- "--runmode" || fail "-h does not list --runmode"
"$VIGIL" --list-runmodes | grep -q autofp || fail "--list-runmodes lacks autofp"
"$VIGIL" --list-keywords | grep -q content || fail "--list-keywords lacks content"
"$VIGIL" --list-modules | grep -q pcap-file || fail "--list-modules lacks pcap-file"

# A bad config value stops start-up with file and line.
printf 'flow:\n  memcap: lots\n' >"$WORK/bad.yaml"
expect_exit 1 "bad\.yaml:2: flow\.memcap: 'lots' is not a size" \
    "$VIGIL" -c "$WORK/bad.yaml" -r "$SAMPLE" -l "$WORK/l"

# An unknown runmode is refused.
expect_exit 1 "unknown runmode 'nosuch'" "$VIGIL" -r "$SAMPLE" -l "$WORK/l2" --runmode nosuch

# No config file at all: built-in defaults still run.
VIGIL_CONFIG= "$VIGIL" -r "$SAMPLE" -l "$WORK/l3" -S /dev/null 2>"$WORK/err" ||
    fail "engine failed on built-in defaults: $(cat "$WORK/err")"
eve_check "$WORK/l3/eve.json"
[ "$(stat "$WORK/l3/eve.json" decoder.pkts)" -eq 17 ] || fail "built-in defaults: wrong packet count"
echo "cli: ok"
