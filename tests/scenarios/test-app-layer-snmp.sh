#!/usr/bin/env bash
# SNMP through the binary on a crafted capture (tools/gen-misc-captures.py): detection on
# 161/162 only, one EVE snmp record per datagram (v2c get and response, v1 and v2 traps,
# v3 plain and encrypted, a broken one), snmp.community / snmp.usm / snmp.trap_oid /
# snmp.trap_address / snmp.version / snmp.pdu_type / snmp.trap_type alerts carrying the snmp object, the
# malformed_data event through etc/rules/snmp-events.rules, the same output in every
# runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/snmp.rules
cat "$DATA/snmp-scenario.rules" "$VG_SOURCE_DIR/etc/rules/snmp-events.rules" >"$RULES"

run() {
    local out=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/snmp.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

run "$WORK/a"
E=$WORK/a/eve.json
[ "$(q "$E" '[r["pcap_cnt"] for r in recs if r["event_type"] == "snmp"]')" = "[1, 2, 3, 4, 5, 6, 7]" ] ||
    fail "snmp records: $(q "$E" '[r for r in recs if r["event_type"] == "snmp"]')"
[ "$(q "$E" '[r["snmp"]["pdu_type"] for r in recs if r["event_type"] == "snmp" and "pdu_type" in r["snmp"]]')" = \
  '["get_request", "response", "trap_v1", "trap_v2", "get_next_request", "get_request"]' ] ||
    fail "pdu types: $(q "$E" '[r["snmp"] for r in recs if r["event_type"] == "snmp"]')"
[ "$(q "$E" '[r["snmp"] for r in recs if r["event_type"] == "snmp" and r["pcap_cnt"] == 3][0]')" = \
  '{"community": "public", "pdu_type": "trap_v1", "trap_address": "10.0.0.1", "trap_oid": "1.3.6.1.4.1.9", "trap_type": {"address": "10.0.0.1", "oid": "1.3.6.1.4.1.9", "trap_type": "link_down"}, "version": 1}' ] ||
    fail "v1 trap record: $(q "$E" '[r["snmp"] for r in recs if r["pcap_cnt"] == 3]')"
[ "$(q "$E" '[r["snmp"] for r in recs if r["event_type"] == "snmp" and r["pcap_cnt"] == 6][0]')" = \
  '{"encrypted": true, "usm": "admin", "version": 3}' ] || fail "v3 encrypted record"
# alerts: (pcap_cnt, sid), each with the snmp object
[ "$(q "$E" 'sorted((r["pcap_cnt"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert")')" = \
  "[[1, 1], [2, 1], [3, 1], [3, 4], [3, 7], [3, 8], [4, 3], [4, 6], [5, 2], [5, 5], [6, 2], [7, 1], [7, 2220000]]" ] ||
    fail "alerts: $(q "$E" 'sorted((r["pcap_cnt"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert")')"
[ "$(q "$E" 'all("snmp" in r and r["app_proto"] == "snmp" for r in recs if r["event_type"] == "alert")')" = true ] ||
    fail "alerts lack the snmp object"
# port 9161 is not SNMP's: no detection there
[ "$(q "$E" '[r.get("app_proto") for r in recs if r["event_type"] == "flow" and r["dest_port"] == 9161]')" = '["failed"]' ] ||
    fail "port 9161 flow: $(q "$E" '[r for r in recs if r["event_type"] == "flow" and r["dest_port"] == 9161]')"
[ "$(q "$E" '[r["anomaly"]["event"] for r in recs if r["event_type"] == "anomaly"]')" = '["malformed_data"]' ] ||
    fail "anomaly records"
# the malformed datagram is a parser error (app-layer error policy, counter)
[ "$(q "$E" '[r["stats"]["app_layer"]["error"]["snmp"]["parser"] for r in recs if r["event_type"] == "stats"][-1]')" = 1 ] ||
    fail "snmp parser error not counted"

# every runmode gives the same records
for rm in workers autofp; do
    run "$WORK/$rm" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" 'sorted((r["event_type"], r.get("pcap_cnt"), r.get("alert", {}).get("signature_id", 0)) for r in recs if r["event_type"] in ("alert", "snmp"))')" = \
      "$(q "$E" 'sorted((r["event_type"], r.get("pcap_cnt"), r.get("alert", {}).get("signature_id", 0)) for r in recs if r["event_type"] in ("alert", "snmp"))')" ] ||
        fail "runmode $rm differs"
done

# snmp records can be turned off
# (the position of snmp in etc/vigil.yaml's eve-log types list)
idx=$(awk '/^      types:/ {on = 1; n = -1; next} on && /^        - / {n++} on && /^        - snmp/ {print n; exit}' \
    "$VG_SOURCE_DIR/etc/vigil.yaml")
[ -n "$idx" ] || fail "snmp not in etc/vigil.yaml's eve-log types"
run "$WORK/off" --set "outputs.0.eve-log.types.$idx.snmp.enabled=no"
[ "$(q "$WORK/off/eve.json" 'sum(r["event_type"] == "snmp" for r in recs)')" = 0 ] ||
    fail "snmp records while disabled"
echo ok
