#!/usr/bin/env bash
# Plugin failures are contained (tests/data/plugins/bad-plugin.c, built here):
# a plugin built for an older API (or with an older descriptor), one whose
# init fails, one registering a taken keyword or protocol name is refused
# with a message naming it; start-up stops when the plugin is required (a
# plain path), else goes on without it, keeping nothing it registered. A
# plugin whose callbacks all return errors neither crashes nor stalls the
# engine: errors are counted and logged, the run completes in every runmode.
. "$(dirname "$0")/lib.sh"
: "${VG_BUILD_DIR:?}"
src=$VG_SOURCE_DIR/tests/data/plugins/bad-plugin.c
cap=$VG_SOURCE_DIR/tests/data/plugins/memcached.pcap
command -v cc >/dev/null || needs "a C compiler (cc)"
for v in OLD_API OLD_DESC INIT_FAIL DUP_KEYWORD DUP_PROTO ERRORS; do
    cc -shared -fPIC -Wall -Werror -Wno-unused -D$v -I"$VG_SOURCE_DIR/src" -o "$WORK/$v.so" "$src" ||
        fail "cannot build the $v test plugin"
done
conf() { # conf NAME ENTRY... : a config loading the given plugins entries
    local name=$1
    shift
    { echo "include: $VG_SOURCE_DIR/etc/vigil.yaml"; echo "plugins:"; printf '%s\n' "$@"; } \
        >"$WORK/$name.yaml"
}
echo 'alert tcp any any -> any any (msg:"m"; content:"get"; sid:1;)' >"$WORK/plain.rules"

# Required (a plain path): start-up stops, exit 1, the reason named.
conf old "  - $WORK/OLD_API.so"
expect_exit 1 "OLD_API.so: refused: built for plugin API version 1, this engine has [0-9]+" \
    "$VIGIL" -c "$WORK/old.yaml" -S "$WORK/plain.rules" -r "$cap" -l "$WORK/o1"
printf '%s\n' "$out" | grep -q "is required: stopping" || fail "no 'required' message: $out"
conf olddesc "  - $WORK/OLD_DESC.so"
expect_exit 1 "keyword 'failbuf' refused: built for plugin API version 1" \
    "$VIGIL" -c "$WORK/olddesc.yaml" -S "$WORK/plain.rules" -r "$cap" -l "$WORK/o2"
conf initfail "  - $WORK/INIT_FAIL.so"
expect_exit 1 "INIT_FAIL.so \(bad\): refused: its init failed" \
    "$VIGIL" -c "$WORK/initfail.yaml" -S "$WORK/plain.rules" -r "$cap" -l "$WORK/o3"
conf dupkw "  - $WORK/DUP_KEYWORD.so"
expect_exit 1 "keyword 'content' refused: a keyword or buffer of that name exists" \
    "$VIGIL" -c "$WORK/dupkw.yaml" -S "$WORK/plain.rules" -r "$cap" -l "$WORK/o4"
conf dupproto "  - $WORK/DUP_PROTO.so"
expect_exit 1 "app-layer protocol 'http' refused: a protocol of that name exists" \
    "$VIGIL" -c "$WORK/dupproto.yaml" -S "$WORK/plain.rules" -r "$cap" -l "$WORK/o5"
# The same plugin twice: its second registration of "entropy" is a duplicate.
conf twice "  - $VG_BUILD_DIR/plugins/entropy.so" "  - $VG_BUILD_DIR/plugins/entropy.so"
expect_exit 1 "keyword 'entropy' refused: a keyword or buffer of that name exists" \
    "$VIGIL" -c "$WORK/twice.yaml" -S "$WORK/plain.rules" -r "$cap" -l "$WORK/o6"

# Not required: each is refused with its message, the run goes on without it,
# and nothing of the refused init is kept (its keyword is unknown to rules).
conf optional "  - {path: $WORK/OLD_API.so, required: no}" \
    "  - {path: $WORK/INIT_FAIL.so, required: no}" \
    "  - {path: $WORK/DUP_KEYWORD.so, required: no}" \
    "  - {path: $WORK/DUP_PROTO.so, required: no}" \
    "  - {path: $WORK/none.so, required: no}" \
    "  - $VG_BUILD_DIR/plugins/entropy.so" \
    "  - {path: $VG_BUILD_DIR/plugins/entropy.so, required: false}"
printf '%s\n' 'alert tcp any any -> any any (msg:"kw of a refused plugin"; failkw; sid:1;)' \
    'alert tcp any any -> any 11211 (msg:"e"; flow:to_server; entropy: value >= 7.5; sid:2;)' \
    >"$WORK/optional.rules"
expect_exit 0 "summary: 22 packets" "$VIGIL" -v -c "$WORK/optional.yaml" \
    -S "$WORK/optional.rules" -r "$cap" -l "$WORK/o7"
for m in "OLD_API.so: refused: built for plugin API version 1" \
    "INIT_FAIL.so \(bad\): refused: its init failed" "keyword 'content' refused" \
    "app-layer protocol 'http' refused" "none.so: cannot load" \
    "keyword 'entropy' refused: a keyword or buffer of that name exists" \
    "plugin .*none.so is not required: continuing without it" \
    "sid 1: unsupported keyword 'failkw'" "1 rules successfully loaded, 1 rules failed"; do
    printf '%s\n' "$out" | grep -qE -- "$m" || fail "optional plugins: no /$m/: $out"
done
[ "$(grep -c '"signature_id":2' "$WORK/o7/eve.json")" -eq 1 ] ||
    fail "the entropy plugin loaded once did not work after its refused second load"
conf badreq "  - {path: $WORK/none.so, required: maybe}"
expect_exit 1 "required: expected yes or no" "$VIGIL" -c "$WORK/badreq.yaml" -T \
    -S "$WORK/plain.rules" -l "$WORK/o8"

# Every callback fails: the run completes in each runmode, errors are logged
# (the first ten) and counted; flows are still recorded; rules of the failing
# keywords do not match.
conf errors "  - $WORK/ERRORS.so"
printf '%s\n' 'alert tcp any any -> any any (msg:"failing packet kw"; failmatch; sid:1;)' \
    'alert tcp any any -> any any (msg:"failing buffer kw"; content:"get"; failbuf; sid:2;)' \
    'alert tcp any any -> any any (msg:"still works"; flow:to_server; content:"get "; sid:3;)' \
    >"$WORK/errors.rules"
for rm in single workers autofp; do
    timeout 60 "$VIGIL" -c "$WORK/errors.yaml" -S "$WORK/errors.rules" -r "$cap" \
        -l "$WORK/e-$rm" --runmode "$rm" --set threading.worker-threads=2 >"$WORK/e-$rm.log" 2>&1
    rc=$?
    [ "$rc" -eq 0 ] || fail "$rm: vigil with failing callbacks exited $rc: $(cat "$WORK/e-$rm.log")"
    grep -q "summary: 22 packets" "$WORK/e-$rm.log" || fail "$rm: no summary"
    for m in "plugin keyword 'failmatch': callback returned error -4" \
        "plugin keyword 'failbuf': callback returned error -3" \
        "plugin stream consumer 'failing_consumer': callback returned error -1" \
        "plugin app-layer parser 'errproto': callback returned error -1" \
        "plugins: [0-9]+ callback errors in this run" \
        "failing_consumer: new flow 10.0.0.1:40001 -> 10.0.0.11:11211 proto 6" \
        "failing_consumer: new flow 10.0.0.1:40002 -> 10.0.0.11:11211 proto 6"; do
        grep -qE -- "$m" "$WORK/e-$rm.log" || fail "$rm: no /$m/: $(cat "$WORK/e-$rm.log")"
    done
    eve_check "$WORK/e-$rm/eve.json"
    py "$WORK/e-$rm/eve.json" <<'PY' || fail "$rm: records wrong"
import json, sys
from collections import Counter
recs = [json.loads(l) for l in open(sys.argv[1])]
flows = [r for r in recs if r["event_type"] == "flow"]
check(len(flows) == 2, "flows", len(flows))
check(all(r.get("app_proto") == "errproto" for r in flows), "app_proto",
      [r.get("app_proto") for r in flows])
check(all("failing_consumer" not in r for r in flows), "a consumer without flow_log logs nothing")
alerts = Counter(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")
check(set(alerts) == {3}, "only the rule without failing keywords alerts", dict(alerts))
PY
done
echo "plugin failures: ok"
