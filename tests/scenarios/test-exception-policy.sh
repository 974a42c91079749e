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
# rest with the flow ("exception policy flow drop"); nothing is inspected.
run dropflow --simulate-ips --set stream.midstream-policy=drop-flow
py "$WORK/dropflow/eve.json" <<'PY' || fail "drop-flow: wrong records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
drops = [(r["pcap_cnt"], r["drop"]["reason"]) for r in recs if r["event_type"] == "drop"]
flow_drop = "exception policy flow drop"
check(drops == [(1, "stream midstream"), (2, flow_drop), (3, flow_drop), (4, flow_drop)], drops)
check(not [r for r in recs if r["event_type"] == "alert"])
flows = [r["flow"] for r in recs if r["event_type"] == "flow"]
check(len(flows) == 1 and flows[0]["action"] == "drop", flows)
check(flows[0]["exception_policy"] == [{"target": "stream_midstream", "policy": "drop_flow"}],
      flows)
stats = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]
# every policy the midstream exception can take is listed, the applied one counted
check(stats["exception_policy"]["tcp"]["midstream"] ==
      {"drop_flow": 1, "reject": 0, "bypass": 0, "pass_flow": 0}, stats)
check(stats["ips"]["drop_reason"]["stream_midstream"] == 1, stats["ips"])
check(stats["ips"]["drop_reason"]["exception_policy_flow_drop"] == 3, stats["ips"])
PY

# The memcap and parser-error policies, through the --simulate-* test hooks,
# on the session picked up midstream: each drops the flow with its reason.
first_drop() { # first_drop NAME: "pcap_cnt reason" of the first drop record
    py "$WORK/$1/eve.json" <<'PY'
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
d = [r for r in d if r["event_type"] == "drop"]
print(d[0]["pcap_cnt"], d[0]["drop"]["reason"], len(d))
PY
}
run ssn --simulate-ips --set stream.midstream=true --simulate-packet-tcp-ssn-memcap=1 \
    --set stream.memcap-policy=drop-flow
[ "$(first_drop ssn)" = "1 stream memcap 4" ] || fail "ssn memcap: $(first_drop ssn)"
run reasm --simulate-ips --set stream.midstream=true --simulate-packet-tcp-reassembly-memcap=1 \
    --set stream.reassembly.memcap-policy=drop-flow
[ "$(first_drop reasm)" = "1 stream reassembly 4" ] || fail "reassembly: $(first_drop reasm)"
run alerr --simulate-ips --set stream.midstream=true --simulate-applayer-error-at-offset-ts=0 \
    --set app-layer.error-policy=drop-flow
[ "$(first_drop alerr)" = "1 applayer error 4" ] || fail "app-layer error: $(first_drop alerr)"
lacks '"event_type":"alert"' "$WORK/alerr/eve.json"
# pass-packet on the reassembly memcap: that packet is not inspected, the
# next ones are (the http rule alerts on the response).
run reasmpass --simulate-ips --set stream.midstream=true \
    --simulate-packet-tcp-reassembly-memcap=1 --set stream.reassembly.memcap-policy=pass-packet
lacks '"event_type":"drop"' "$WORK/reasmpass/eve.json"
py "$WORK/reasmpass/eve.json" <<'PY' || fail "pass-packet: packet 1 was inspected"
import json, sys
alerts = [json.loads(l) for l in open(sys.argv[1])]
# (the flow-end packets' alerts carry no pcap_cnt)
alerts = [r["pcap_cnt"] for r in alerts if r["event_type"] == "alert" and "pcap_cnt" in r]
check(alerts and 1 not in alerts, alerts)
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
# Without a policy the picked-up session alerts as before; the flow record
# still lists the exception it met, as ignored, and nothing is counted.
run plain --simulate-ips --set stream.midstream=true
grep -q '"signature_id":2' "$WORK/plain/eve.json" || fail "no policy: the http rule did not alert"
py "$WORK/plain/eve.json" <<'PY' || fail "ignored exception: wrong flow record or counters"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
flows = [r["flow"] for r in recs if r["event_type"] == "flow"]
check(flows[0]["exception_policy"] == [{"target": "stream_midstream", "policy": "ignore"}], flows)
stats = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]
check("midstream" not in stats.get("exception_policy", {}).get("tcp", {}), stats)
PY
# The flow record lists them only when its exception-policy option is on
# (etc/vigil.yaml turns it on; Suricata's default is off).
cat >"$WORK/noep.yaml" <<'Y'
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      types:
        - flow
Y
"$VIGIL" -c "$WORK/noep.yaml" -r "$cap" -S "$WORK/t.rules" -l "$WORK/noep" --simulate-ips \
    --set stream.midstream-policy=drop-flow 2>"$WORK/noep.err" || fail "noep: $(cat "$WORK/noep.err")"
grep -q '"event_type":"flow"' "$WORK/noep/eve.json" || fail "noep: no flow record"
lacks '"exception_policy"' "$WORK/noep/eve.json"

# Values start-up refuses, naming the key.
expect_exit 1 'stream.midstream-policy.*drop-packet.*whole flows' \
    "$VIGIL" -r "$cap" -S "$WORK/t.rules" -l "$WORK" --simulate-ips \
    --set stream.midstream-policy=drop-packet
expect_exit 1 'stream.midstream-policy.*drop-flow.*midstream enabled' \
    "$VIGIL" -r "$cap" -S "$WORK/t.rules" -l "$WORK" \
    --set stream.midstream=true --set stream.midstream-policy=drop-flow
expect_exit 2 "simulate.*takes a number" \
    "$VIGIL" -r "$cap" -S "$WORK/t.rules" -l "$WORK" --simulate-packet-tcp-ssn-memcap=x
expect_exit 1 "exception-policy.*'sometimes' is not one of" \
    "$VIGIL" -r "$cap" -S "$WORK/t.rules" -l "$WORK" --set exception-policy=sometimes
echo "exception-policy: ok"
