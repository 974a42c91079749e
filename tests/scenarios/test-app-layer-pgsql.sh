#!/usr/bin/env bash
# PostgreSQL through the binary on a crafted capture (tools/gen-misc-captures.py): SSL
# refused, startup, cleartext password (not logged), parameters and key data, a query
# whose rows span two segments, a failing query, terminate: one EVE pgsql record per
# request with its answer, pgsql.query alerts carrying the pgsql object, the same output
# in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/pgsql.rules
cat "$DATA/pgsql-scenario.rules" "$VG_SOURCE_DIR/etc/rules/pgsql-events.rules" >"$RULES"

run() {
    local out=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/pgsql.pcap" -S "$RULES" \
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
[ "$(q "$E" '[r["pgsql"] for r in recs if r["event_type"] == "pgsql"]')" = "$(python3 -c '
import json
print(json.dumps([
 {"tx_id": 1, "request": {"message": "SSL Request"}, "response": {"ssl_accepted": False}},
 {"tx_id": 2, "request": {"protocol_version": "3.0", "startup_parameters": {"user": "vigil",
   "optional_parameters": [{"database": "db"}, {"application_name": "psql"}]}},
  "response": {"message": "authentication_cleartext_password"}},
 {"tx_id": 3, "request": {"password_redacted": True}, "response": {"message": "authentication_ok",
   "parameter_status": [{"date_style": "ISO, MDY"}, {"server_version": "16.1"}],
   "process_id": 4242, "secret_key": 99}},
 {"tx_id": 4, "request": {"simple_query": "SELECT name FROM users;"}, "response": {
   "field_count": 1, "data_rows": 2, "data_size": 8, "command_completed": "SELECT 2"}},
 {"tx_id": 5, "request": {"simple_query": "SELECT 1/0;"}, "response": {
   "severity_localizable": "ERROR", "severity_non_localizable": "ERROR", "code": "22012",
   "message": "division by zero"}},
 {"tx_id": 6, "request": {"message": "termination_message"}}], sort_keys=True))')" ] ||
    fail "pgsql records: $(q "$E" '[r["pgsql"] for r in recs if r["event_type"] == "pgsql"]')"
grep -q s3cret "$E" && fail "the password was logged"
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = "[1, 2, 2]" ] ||
    fail "alerts: $(q "$E" '[r["alert"] for r in recs if r["event_type"] == "alert"]')"
[ "$(q "$E" 'all("pgsql" in r and r["app_proto"] == "pgsql" for r in recs if r["event_type"] == "alert")')" = true ] ||
    fail "alerts lack the pgsql object"
for rm in workers autofp; do
    run "$WORK/$rm" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), json.dumps(r.get("pgsql"))) for r in recs if r["event_type"] in ("alert", "pgsql"))')" = \
      "$(q "$E" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), json.dumps(r.get("pgsql"))) for r in recs if r["event_type"] in ("alert", "pgsql"))')" ] ||
        fail "runmode $rm differs"
done
echo ok
