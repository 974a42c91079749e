#!/usr/bin/env bash
# mDNS through the binary on a crafted capture (tools/gen-proto-captures.py): a query
# 10.0.0.5:5353 -> 224.0.0.251:5353 and an unasked announcement from another host, both
# "mdns" (not dns), one EVE mdns record each (request / response), mdns.queries.rrname
# and mdns.answers.rrname alerts on their own packets carrying the mdns object, dns
# rules not matching mDNS.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer

"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/mdns.pcap" \
    -S "$DATA/mdns-scenario.rules" -l "$WORK" 2>"$WORK/err" ||
    fail "vigil failed: $(cat "$WORK/err")"
eve_check "$WORK/eve.json"

q() {
    python3 - "$WORK/eve.json" "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs}), sort_keys=True))
PY
}

[ "$(q '[(r["pcap_cnt"], r["mdns"]["type"]) for r in recs if r["event_type"] == "mdns"]')" = \
  '[[1, "request"], [2, "response"]]' ] || fail "mdns records: $(q '[r for r in recs if r["event_type"] == "mdns"]')"
[ "$(q '[r["mdns"]["answers"][0]["rdata"] for r in recs if r["event_type"] == "mdns" and r["pcap_cnt"] == 2]')" = \
  '["10.0.0.9"]' ] || fail "mdns answer"
[ "$(q '[(r["pcap_cnt"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert"]')" = "[[1, 1], [2, 2]]" ] ||
    fail "alerts: $(q '[r["alert"] for r in recs if r["event_type"] == "alert"]')"
[ "$(q 'all("mdns" in r and r["app_proto"] == "mdns" for r in recs if r["event_type"] == "alert")')" = true ] ||
    fail "alerts lack the mdns object"
[ "$(q 'sorted(r["app_proto"] for r in recs if r["event_type"] == "flow")')" = '["mdns", "mdns"]' ] ||
    fail "flows: $(q '[r for r in recs if r["event_type"] == "flow"]')"
[ "$(q 'sum(r["event_type"] in ("dns", "anomaly") for r in recs)')" = 0 ] || fail "dns or anomaly records"
echo ok
