#!/usr/bin/env bash
# Exception policies on a TCP session seen without its handshake
# (tests/data/midstream.pcap, tools/make-midstream-pcap.py):
# stream.midstream-policy and the exception-policy master switch, inline
# (--simulate-ips) and in IDS mode, and the values start-up refuses.
. "$(dirname "$0")/lib.sh"
cap=$VG_SOURCE_DIR/tests/data/midstream.pcap
[ -f "$cap" ] || fail "$cap is missing (tools/make-midstream-pcap.py makes it)"
cat >"$WORK/t.rules" <<'R'
alert tcp any any -> any any (msg:"any tcp"; sid:1;)
alert http any any -> any any (msg:"any http"; sid:2;)
R
run() { # run NAME ARGS...: vigil on the capture, output in $WORK/NAME
    local name=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$cap" -S "$WORK/t.rules" -l "$WORK/$name" \
        "$@" 2>"$WORK/$name.err" || fail "$name: vigil failed: $(cat "$WORK/$name.err")"
    eve_check "$WORK/$name/eve.json"
}

# drop-flow inline: the first packet is dropped as "stream midstream", the
# rest with the flow; nothing is inspected.
run dropflow --simulate-ips --set stream.midstream-policy=drop-flow
py "$WORK/dropflow/eve.json" <<'PY' || fail "drop-flow: wrong records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
drops = [(r["pcap_cnt"], r["drop"]["reason"]) for r in recs if r["event_type"] == "drop"]
check(drops == [(1, "stream midstream"), (2, "flow drop"), (3, "flow drop"), (4, "flow drop")],
      drops)
check(not [r for r in recs if r["event_type"] == "alert"])
flows = [r["flow"] for r in recs if r["event_type"] == "flow"]
check(len(flows) == 1 and flows[0]["action"] == "drop", flows)
stats = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]
check(stats["exception_policy"]["tcp"]["midstream"]["drop_flow"] == 1, stats)
PY

# The master switch: auto is drop-flow inline...
run auto --simulate-ips --set exception-policy=auto
grep -q '"reason":"stream midstream"' "$WORK/auto/eve.json" || fail "auto did not drop inline"
# ... and ignore in IDS mode, as are the drops: the packets alert as before.
run autoids --set exception-policy=auto
lacks '"event_type":"drop"' "$WORK/autoids/eve.json"
grep -q '"signature_id":1' "$WORK/autoids/eve.json" || fail "IDS mode lost the alerts"
run dropids --set stream.midstream-policy=drop-flow
lacks '"event_type":"drop"' "$WORK/dropids/eve.json"

# bypass: no inspection, the flow logged as bypassed.
run bypass --simulate-ips --set stream.midstream-policy=bypass
lacks '"event_type":"alert"' "$WORK/bypass/eve.json"
lacks '"event_type":"drop"' "$WORK/bypass/eve.json"
grep -q '"state":"bypassed"' "$WORK/bypass/eve.json" || fail "bypass: flow not bypassed"

# midstream pick-up with pass-flow: the session is tracked (HTTP logged) but
# not inspected; the flow's action is pass.
run passflow --simulate-ips --set stream.midstream=true --set stream.midstream-policy=pass-flow
lacks '"event_type":"alert"' "$WORK/passflow/eve.json"
grep -q '"event_type":"http"' "$WORK/passflow/eve.json" || fail "pass-flow: no http record"
grep -q '"action":"pass"' "$WORK/passflow/eve.json" || fail "pass-flow: flow action not pass"
# Without a policy the picked-up session alerts as before.
run plain --simulate-ips --set stream.midstream=true
grep -q '"signature_id":2' "$WORK/plain/eve.json" || fail "no policy: the http rule did not alert"

# Values start-up refuses, naming the key.
expect_exit 1 'stream.midstream-policy.*drop-packet.*whole flows' \
    "$VIGIL" -r "$cap" -S "$WORK/t.rules" -l "$WORK" --simulate-ips \
    --set stream.midstream-policy=drop-packet
expect_exit 1 'stream.midstream-policy.*drop-flow.*midstream enabled' \
    "$VIGIL" -r "$cap" -S "$WORK/t.rules" -l "$WORK" \
    --set stream.midstream=true --set stream.midstream-policy=drop-flow
expect_exit 1 "exception-policy.*'sometimes' is not one of" \
    "$VIGIL" -r "$cap" -S "$WORK/t.rules" -l "$WORK" --set exception-policy=sometimes
echo "exception-policy: ok"
