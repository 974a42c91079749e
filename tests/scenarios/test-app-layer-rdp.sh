#!/usr/bin/env bash
# RDP through the binary on a crafted capture (tools/gen-proto-captures.py): a session
# with standard RDP security (cookie, confirm, connect request split over two segments
# with core data and channels, connect response), one where the server selects CredSSP
# (the client's TLS hello then runs through the TLS parser: app_proto tls, orig rdp), and
# one refused with a negotiation failure. Checks the EVE rdp records as Suricata writes
# them and that rdp rules match.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer

"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/rdp.pcap" \
    -S "$DATA/rdp-scenario.rules" -l "$WORK" 2>"$WORK/err" ||
    fail "vigil failed: $(cat "$WORK/err")"
eve_check "$WORK/eve.json"

q() {
    python3 - "$WORK/eve.json" "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs}), sort_keys=True))
PY
}

[ "$(q '[(r["src_port"], r["rdp"]["tx_id"], r["rdp"]["event_type"]) for r in recs if r["event_type"] == "rdp"]')" = \
  '[[49200, 0, "initial_request"], [49200, 1, "initial_response"], [49200, 2, "connect_request"], [49200, 3, "connect_response"], [49201, 0, "initial_request"], [49201, 1, "initial_response"], [49202, 0, "initial_request"], [49202, 1, "initial_response"]]' ] ||
    fail "rdp records: $(q '[r["rdp"] for r in recs if r["event_type"] == "rdp"]')"
[ "$(q '[r["rdp"]["cookie"] for r in recs if r["event_type"] == "rdp" and "cookie" in r["rdp"]]')" = \
  '["vigiluser", "admin", "admin"]' ] || fail "cookies"
[ "$(q '[r["rdp"] for r in recs if r["event_type"] == "rdp" and r["rdp"]["event_type"] == "connect_request"][0]')" = \
  '{"channels": ["rdpdr", "cliprdr", "rdpsnd"], "client": {"build": "Windows 7 SP1", "capabilities": ["support_errinfo_pdf", "valid_connection_type"], "client_name": "VIGIL-PC", "color_depth": 24, "connection_hint": "lan", "desktop_height": 1024, "desktop_orientation": 0, "desktop_width": 1280, "device_scale_factor": 100, "function_keys": 12, "id": "00000-OEM-0000000-00001", "keyboard_layout": "en-US", "keyboard_type": "enhanced", "physical_height": 200, "physical_width": 300, "product_id": 1, "scale_factor": 100, "version": "v5"}, "event_type": "connect_request", "tx_id": 2}' ] ||
    fail "connect_request: $(q '[r["rdp"] for r in recs if r["event_type"] == "rdp"]')"
[ "$(q '[r["rdp"] for r in recs if r["event_type"] == "rdp" and r["src_port"] == 49201 and r["rdp"]["tx_id"] == 1][0]')" = \
  '{"event_type": "initial_response", "protocol": "hybrid", "server_supports": ["extended_client_data", "dynvc_gfx", "restricted_admin", "redirected_authentication"], "tx_id": 1}' ] ||
    fail "hybrid response"
[ "$(q '[r["rdp"] for r in recs if r["event_type"] == "rdp" and r["src_port"] == 49202 and r["rdp"]["tx_id"] == 1][0]')" = \
  '{"error_code": 5, "event_type": "initial_response", "reason": "hybrid required by server", "tx_id": 1}' ] ||
    fail "failure response"
[ "$(q 'sorted((r["src_port"], r["app_proto"], r.get("app_proto_orig")) for r in recs if r["event_type"] == "flow")')" = \
  '[[49200, "rdp", null], [49201, "tls", "rdp"], [49202, "rdp", null]]' ] ||
    fail "flows: $(q '[r for r in recs if r["event_type"] == "flow"]')"
[ "$(q 'sum(r["event_type"] == "tls" for r in recs)')" = 1 ] || fail "tls record"
[ "$(q '[r["pcap_cnt"] for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] == 1]')" = "[10]" ] ||
    fail "alerts: $(q '[(r["pcap_cnt"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert"]')"
# sid 2 (app-layer-protocol:rdp on server packets): the to-client side reads rdp once the
# server's data has been parsed; 49201's only RDP server packet comes before that (IDS
# mode parses a side when the peer acknowledges it), then the flow turns TLS.
[ "$(q 'sorted({r["src_port"] if r["dest_port"] == 3389 else r["dest_port"] for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] == 2})')" = "[49200, 49202]" ] ||
    fail "alerts: $(q '[(r["pcap_cnt"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert"]')"
[ "$(q 'sum(r["event_type"] == "anomaly" for r in recs)')" = 0 ] || fail "anomaly records"
echo ok
