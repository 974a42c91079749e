#!/usr/bin/env bash
# IKE through the binary on a crafted capture (tools/gen-misc-captures.py): IKEv1 main
# mode on 500 (SA, chosen SA, KE and nonce, an encrypted message) and IKEv2 over NAT-T on
# 4500 (IKE_SA_INIT, IKE_AUTH, then an ESP packet that is not IKE): one EVE ike record per
# message, the ike.* buffer and keyword alerts carrying the ike object.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/ike.rules
cat "$DATA/ike-scenario.rules" "$VG_SOURCE_DIR/etc/rules/ike-events.rules" >"$RULES"

"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/ike.pcap" -S "$RULES" \
    -l "$WORK" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
eve_check "$WORK/eve.json"

q() {
    python3 - "$WORK/eve.json" "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs, "json": json}), sort_keys=True))
PY
}

[ "$(q '[(r["pcap_cnt"], r["ike"]["version_major"], r["ike"]["exchange_type"], r["ike"]["encrypted"]) for r in recs if r["event_type"] == "ike"]')" = \
  '[[1, 1, 2, false], [2, 1, 2, false], [3, 1, 2, false], [4, 1, 2, true], [5, 2, 34, false], [6, 2, 35, true]]' ] ||
    fail "ike records: $(q '[r["ike"] for r in recs if r["event_type"] == "ike"]')"
[ "$(q '[r["ike"]["attributes"] for r in recs if r["event_type"] == "ike" and r["pcap_cnt"] == 2][0]')" = \
  '{"alg_auth": 1, "alg_dh": 2, "alg_enc": 5, "alg_hash": 2, "sa_life_duration": 28800, "sa_life_type": 1}' ] ||
    fail "v1 attributes"
[ "$(q 'sorted((r["pcap_cnt"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert")')" = \
  "[[1, 1], [1, 4], [2, 2], [2, 3], [3, 1], [3, 5], [3, 6], [4, 1], [5, 1], [5, 7], [6, 1]]" ] ||
    fail "alerts: $(q 'sorted((r["pcap_cnt"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert")')"
[ "$(q 'all("ike" in r and r["app_proto"] == "ike" for r in recs if r["event_type"] == "alert")')" = true ] ||
    fail "alerts lack the ike object"
[ "$(q 'sum(r["event_type"] == "anomaly" for r in recs)')" = 0 ] || fail "anomalies"
echo ok
