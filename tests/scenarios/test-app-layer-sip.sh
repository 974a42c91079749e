#!/usr/bin/env bash
# SIP through the binary on crafted captures (tools/gen-sip-captures.py): over UDP one tx
# and one EVE sip record per request and per response, compact headers and two To lines
# (sip.to instances), a blank keep-alive skipped, garbage (invalid_data) and a head cut
# short (incomplete_data) through etc/rules/sip-events.rules; over TCP on a non-SIP port
# (found by the probe) a request split over two segments, a body skipped by
# Content-Length with the next message in the same segment; per-transport counters
# (app_layer.flow.sip_udp / sip_tcp); the same output in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/sip.rules
cat "$DATA/sip-scenario.rules" "$VG_SOURCE_DIR/etc/rules/sip-events.rules" >"$RULES"

run() {
    local pcap=$1 out=$2
    shift 2
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/$pcap.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "$pcap: vigil failed: $(cat "$WORK/err")"
    grep -q Warning "$WORK/err" && fail "$pcap: warnings: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

run sip-udp "$WORK/u"
E=$WORK/u/eve.json
[ "$(q "$E" '[(r["pcap_cnt"], r["sip"].get("method"), r["sip"].get("code")) for r in recs if r["event_type"] == "sip"]')" = '[[1, "INVITE", null], [2, null, "100"], [5, "OPTIONS", null]]' ] ||
    fail "udp sip records: $(grep '"event_type":"sip"' "$E")"
[ "$(q "$E" 'sorted((r["pcap_cnt"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert")')" = '[[1, 9160001], [1, 9160002], [1, 9160004], [2, 9160003], [5, 2223000], [5, 9160005]]' ] ||
    fail "udp alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[r["sip"]["response_line"] for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] == 9160003]')" = '["SIP/2.0 100 Trying"]' ] ||
    fail "alert lacks the sip object"
[ "$(q "$E" 'sorted((r["pcap_cnt"], r["anomaly"]["event"]) for r in recs if r["event_type"] == "anomaly")')" = '[[4, "invalid_data"], [5, "incomplete_data"]]' ] ||
    fail "udp anomalies: $(grep '"anomaly"' "$E")"
[ "$(stat "$E" app_layer.flow.sip_udp)" = 1 ] || fail "app_layer.flow.sip_udp counter"
[ "$(stat "$E" app_layer.tx.sip_udp)" = 3 ] || fail "app_layer.tx.sip_udp counter"

run sip-tcp "$WORK/t"
E=$WORK/t/eve.json
[ "$(q "$E" '[(r["proto"], r["sip"].get("method"), r["sip"].get("code")) for r in recs if r["event_type"] == "sip"]')" = '[["TCP", "REGISTER", null], ["TCP", null, "200"], ["TCP", "MESSAGE", null], ["TCP", "OPTIONS", null], ["TCP", null, "200"]]' ] ||
    fail "tcp sip records: $(grep '"event_type":"sip"' "$E")"
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = '[9160004, 9160005, 9160006]' ] ||
    fail "tcp alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[r.get("app_proto") for r in recs if r["event_type"] == "flow"]')" = '["sip"]' ] ||
    fail "flow record lacks app_proto sip"
[ "$(stat "$E" app_layer.tx.sip_tcp)" = 5 ] || fail "app_layer.tx.sip_tcp counter"
[ "$(stat "$E" app_layer.error.sip.parser)" = 0 ] || fail "parser errors counted"

for rm in workers autofp; do
    run sip-udp "$WORK/$rm" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "sip", "anomaly"))')" = \
      "$(q "$WORK/u/eve.json" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "sip", "anomaly"))')" ] ||
        fail "runmode $rm differs"
done
echo ok
