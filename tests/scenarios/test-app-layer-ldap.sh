#!/usr/bin/env bash
# LDAP through the binary on a crafted capture (tools/gen-misc-captures.py): a TCP 389
# session (bind, a search whose entry spans two segments, a failed delete, unbind): one
# EVE ldap record per request with its responses, ldap.request.dn /
# ldap.responses.dn / ldap.request.operation / ldap.responses.* alerts carrying the
# ldap object, the same output in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/ldap.rules
cat "$DATA/ldap-scenario.rules" "$VG_SOURCE_DIR/etc/rules/ldap-events.rules" >"$RULES"

run() {
    local out=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/ldap.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

q() {
    python3 - "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs, "json": json}), sort_keys=True))
PY
}

run "$WORK/a"
E=$WORK/a/eve.json
[ "$(q "$E" '[(r["ldap"]["request"]["operation"], [x["operation"] for x in r["ldap"].get("responses", [])]) for r in recs if r["event_type"] == "ldap"]')" = \
  '[["bind_request", ["bind_response"]], ["search_request", ["search_result_entry", "search_result_done"]], ["del_request", ["del_response"]], ["unbind_request", []]]' ] ||
    fail "ldap records: $(q "$E" '[r["ldap"] for r in recs if r["event_type"] == "ldap"]')"
[ "$(q "$E" '[r["ldap"]["responses"][0]["search_result_entry"] for r in recs if r["event_type"] == "ldap" and r["ldap"]["request"]["operation"] == "search_request"][0]')" = \
  '{"attributes": [{"type": "cn", "values": ["alice"]}], "base_object": "cn=alice,dc=example,dc=com"}' ] ||
    fail "search entry"
[ "$(q "$E" '[r["ldap"]["responses"][0]["del_response"] for r in recs if r["event_type"] == "ldap" and r["ldap"]["request"]["operation"] == "del_request"][0]')" = \
  '{"matched_dn": "dc=example,dc=com", "message": "no such entry", "result_code": "no_such_object"}' ] ||
    fail "del response"
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = "[1, 2, 3, 4, 5]" ] ||
    fail "alerts: $(q "$E" '[r["alert"] for r in recs if r["event_type"] == "alert"]')"
[ "$(q "$E" 'all("ldap" in r and r["app_proto"] == "ldap" for r in recs if r["event_type"] == "alert")')" = true ] ||
    fail "alerts lack the ldap object"
[ "$(q "$E" 'sum(r["event_type"] == "anomaly" for r in recs)')" = 0 ] || fail "anomalies"

for rm in workers autofp; do
    run "$WORK/$rm" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), json.dumps(r.get("ldap"))) for r in recs if r["event_type"] in ("alert", "ldap"))')" = \
      "$(q "$E" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), json.dumps(r.get("ldap"))) for r in recs if r["event_type"] in ("alert", "ldap"))')" ] ||
        fail "runmode $rm differs"
done
echo ok
