#!/usr/bin/env bash
# RFB (VNC) through the binary on a crafted capture (tools/gen-rfb-captures.py): a 3.8
# handshake with VNC authentication on port 5900 (one EVE rfb record with versions,
# challenge/response, result and the framebuffer), rfb.name / rfb.sectype /
# rfb.secresult alerts carrying the rfb object; on port 6000 (found by "RFB ") a chosen
# type 30 raising unimplemented_security_type (etc/rules/rfb-events.rules); the same
# output in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/rfb.rules
cat "$DATA/rfb-scenario.rules" "$VG_SOURCE_DIR/etc/rules/rfb-events.rules" >"$RULES"

run() {
    local out=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/rfb.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
    grep -q Warning "$WORK/err" && fail "warnings: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

run "$WORK/a"
E=$WORK/a/eve.json
[ "$(q "$E" '[(r["dest_port"], r["rfb"]["authentication"]["security_type"], r["rfb"]["authentication"].get("security_result"), r["rfb"].get("framebuffer", {}).get("name")) for r in recs if r["event_type"] == "rfb"]')" = '[[5900, 2, "OK", "lab-desktop"], [6000, 30, null, null]]' ] ||
    fail "rfb records: $(grep '"event_type":"rfb"' "$E")"
[ "$(q "$E" '[r["rfb"]["authentication"]["vnc"]["response"] for r in recs if r["event_type"] == "rfb" and r["dest_port"] == 5900]')" = '["101112131415161718191a1b1c1d1e1f"]' ] ||
    fail "vnc response"
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = '[2233000, 9190001, 9190002, 9190003]' ] ||
    fail "alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[r["rfb"]["framebuffer"]["width"] for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] == 9190001]')" = '[1024]' ] ||
    fail "alert lacks the rfb object"
[ "$(q "$E" 'sorted(r.get("app_proto") for r in recs if r["event_type"] == "flow")')" = '["rfb", "rfb"]' ] ||
    fail "flow app_proto"
[ "$(stat "$E" app_layer.flow.rfb)" = 2 ] || fail "app_layer.flow.rfb counter"

for rm in workers autofp; do
    run "$WORK/$rm" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "rfb", "anomaly"))')" = \
      "$(q "$E" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "rfb", "anomaly"))')" ] ||
        fail "runmode $rm differs"
done
echo ok
