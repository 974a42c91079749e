#!/usr/bin/env bash
# Kerberos 5 through the binary on a crafted capture (tools/gen-misc-captures.py): an
# AS-REQ answered by KRB-ERROR preauth-required over UDP 88, and an AS-REQ answered by an
# AS-REP (split across two segments, rc4-hmac reply) over TCP 88: one EVE krb5 record per
# message, krb5_msg_type / krb5_err_code / krb5_cname / krb5.sname alerts carrying the
# krb5 object, the weak_encryption event through etc/rules/krb5-events.rules.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/krb5.rules
cat "$DATA/krb5-scenario.rules" "$VG_SOURCE_DIR/etc/rules/krb5-events.rules" >"$RULES"

"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/krb5.pcap" -S "$RULES" \
    -l "$WORK" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
eve_check "$WORK/eve.json"

q() {
    python3 - "$WORK/eve.json" "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs, "json": json}), sort_keys=True))
PY
}

[ "$(q '[(r["proto"], r["krb5"]["msg_type"]) for r in recs if r["event_type"] == "krb5"]')" = \
  '[["UDP", "KRB_AS_REQ"], ["UDP", "KRB_ERROR"], ["TCP", "KRB_AS_REQ"], ["TCP", "KRB_AS_REP"]]' ] ||
    fail "krb5 records: $(q '[r["krb5"] for r in recs if r["event_type"] == "krb5"]')"
[ "$(q '[r["krb5"] for r in recs if r["event_type"] == "krb5" and r["krb5"]["msg_type"] == "KRB_ERROR"][0]')" = \
  '{"error_code": 25, "failed_request": "KRB_AS_REQ", "msg_type": "KRB_ERROR", "realm": "EXAMPLE.COM", "sname": "krbtgt/EXAMPLE.COM"}' ] ||
    fail "error record"
[ "$(q '[r["krb5"]["encryption"] for r in recs if r["event_type"] == "krb5" and r["krb5"]["msg_type"] == "KRB_AS_REP"]')" = '["rc4-hmac"]' ] ||
    fail "reply encryption"
[ "$(q 'sorted((r["proto"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert")')" = \
  '[["TCP", 1], ["TCP", 3], ["TCP", 3], ["TCP", 4], ["TCP", 4], ["TCP", 2226001], ["UDP", 1], ["UDP", 2], ["UDP", 3], ["UDP", 4], ["UDP", 4]]' ] ||
    fail "alerts: $(q 'sorted((r["proto"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert")')"
[ "$(q 'all("krb5" in r and r["app_proto"] == "krb5" for r in recs if r["event_type"] == "alert")')" = true ] ||
    fail "alerts lack the krb5 object"
echo ok
