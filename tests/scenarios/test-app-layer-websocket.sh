#!/usr/bin/env bash
# WebSocket through the binary on a crafted capture (tools/gen-websocket-captures.py):
# an HTTP/1 Upgrade answered 101 hands the connection to the WebSocket parser (flow
# app_proto websocket, app_proto_orig http); one EVE websocket record per frame; a
# masked message in two fragments with a ping between them reassembled for
# websocket.payload; websocket.opcode / flags / mask; the same output in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$DATA/websocket-scenario.rules

run() {
    local out=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/websocket.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
    grep -q Warning "$WORK/err" && fail "warnings: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

run "$WORK/a"
E=$WORK/a/eve.json
[ "$(q "$E" '[(r["websocket"]["opcode"], r["websocket"]["fin"], "mask" in r["websocket"]) for r in recs if r["event_type"] == "websocket"]')" = '[["text", true, true], ["text", false, true], ["ping", true, true], ["continuation", true, true], ["pong", true, false], ["binary", true, false], ["close", true, true], ["close", true, false]]' ] ||
    fail "websocket records: $(grep '"event_type":"websocket"' "$E")"
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = '[9180001, 9180002, 9180003, 9180004, 9180005]' ] ||
    fail "alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[r["websocket"]["opcode"] for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] == 9180001]')" = '["continuation"]' ] ||
    fail "reassembled payload not on the final fragment"
[ "$(q "$E" '[(r.get("app_proto"), r.get("app_proto_orig")) for r in recs if r["event_type"] == "flow"]')" = '[["websocket", "http"]]' ] ||
    fail "flow app_proto: $(grep '"event_type":"flow"' "$E")"
[ "$(stat "$E" app_layer.tx.websocket)" = 8 ] || fail "app_layer.tx.websocket counter"

for rm in workers autofp; do
    run "$WORK/$rm" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "websocket"))')" = \
      "$(q "$E" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "websocket"))')" ] ||
        fail "runmode $rm differs"
done
echo ok
