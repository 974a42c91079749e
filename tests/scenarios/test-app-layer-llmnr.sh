#!/usr/bin/env bash
# LLMNR through the binary on a crafted capture (tools/gen-misc-captures.py): a query to
# 224.0.0.252:5355 and the unicast response from port 5355 (a flow that starts with the
# answer), both "llmnr" (not dns), one EVE llmnr record each, llmnr.queries.rrname /
# llmnr.answers.rrname / llmnr.response.rrname alerts carrying the llmnr object, dns
# rules not matching LLMNR.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer

"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/llmnr.pcap" \
    -S "$DATA/llmnr-scenario.rules" -l "$WORK" 2>"$WORK/err" ||
    fail "vigil failed: $(cat "$WORK/err")"
eve_check "$WORK/eve.json"

q() {
    python3 - "$WORK/eve.json" "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs}), sort_keys=True))
PY
}

[ "$(q '[(r["pcap_cnt"], r["llmnr"]["type"]) for r in recs if r["event_type"] == "llmnr"]')" = \
  '[[1, "request"], [2, "response"]]' ] || fail "llmnr records: $(q '[r for r in recs if r["event_type"] == "llmnr"]')"
[ "$(q '[r["llmnr"]["answers"][0]["rdata"] for r in recs if r["event_type"] == "llmnr" and r["pcap_cnt"] == 2]')" = \
  '["10.0.0.7"]' ] || fail "llmnr answer"
[ "$(q 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = "[1, 1, 2, 3]" ] ||
    fail "alerts: $(q '[r["alert"] for r in recs if r["event_type"] == "alert"]')"
[ "$(q 'all("llmnr" in r and r["app_proto"] == "llmnr" for r in recs if r["event_type"] == "alert")')" = true ] ||
    fail "alerts lack the llmnr object"
[ "$(q 'sorted(r["app_proto"] for r in recs if r["event_type"] == "flow")')" = '["llmnr", "llmnr"]' ] ||
    fail "flows: $(q '[r for r in recs if r["event_type"] == "flow"]')"
[ "$(q 'sum(r["event_type"] in ("dns", "anomaly") for r in recs)')" = 0 ] || fail "dns or anomaly records"
echo ok
