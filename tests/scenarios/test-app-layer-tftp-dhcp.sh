#!/usr/bin/env bash
# TFTP and DHCP through the binary on a crafted capture (tools/gen-udp-app-captures.py):
# tftp records of the write and read requests (not of the server's answers from other
# ports), dhcp records (ACKs only by default; every message with `extended: yes`, with
# the parameter names, routers and dns servers from an overloaded file field, times,
# vendor class), the dhcp.leasetime / renewal_time / rebinding_time keywords, a
# direction-bound rule that must not match the request, the truncated_options event
# and its rule, the same output in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/udp.rules
cat "$DATA/tftp-dhcp.rules" "$VG_SOURCE_DIR/etc/rules/dhcp-events.rules" >"$RULES"

run() {
    local out=$1 conf=$2
    shift 2
    "$VIGIL" -c "$conf" -k none -r "$DATA/tftp-dhcp.pcap" -S "$RULES" -l "$out" "$@" \
        2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

q() {
    python3 - "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs, "json": json}), sort_keys=True))
PY
}

run "$WORK/s" "$VG_SOURCE_DIR/etc/vigil.yaml"
E=$WORK/s/eve.json
[ "$(q "$E" '[(r["src_port"], r["tftp"]) for r in recs if r["event_type"] == "tftp"]')" = \
  '[[40001, {"file": "upload.bin", "mode": "octet", "packet": "write"}], [40002, {"file": "pxelinux.cfg/default", "mode": "netascii", "packet": "read"}]]' ] ||
    fail "tftp records: $(grep '"tftp"' "$E")"
[ "$(q "$E" 'sorted((r["alert"]["signature_id"], r["pcap_cnt"], r.get("dhcp", {}).get("dhcp_type")) for r in recs if r["event_type"] == "alert")')" = \
  '[[2227001, 10, "inform"], [9140001, 6, "offer"], [9140001, 7, "ack"], [9140002, 6, "offer"], [9140002, 7, "ack"], [9140003, 6, "offer"], [9140003, 7, "ack"], [9140004, 9, "ack"], [9140006, 1, null], [9140006, 3, null]]' ] ||
    fail "alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[(r["pcap_cnt"], r["dhcp"]) for r in recs if r["event_type"] == "dhcp"]')" = \
  '[[7, {"assigned_ip": "10.0.0.7", "client_mac": "00:11:22:33:44:aa", "dhcp_type": "ack", "id": 4660, "type": "reply"}], [9, {"assigned_ip": "10.0.0.7", "client_mac": "00:11:22:33:44:aa", "dhcp_type": "ack", "id": 22136, "type": "reply"}]]' ] ||
    fail "dhcp records (ACKs only): $(grep '"event_type":"dhcp"' "$E")"
[ "$(q "$E" '[r["anomaly"]["event"] for r in recs if r["event_type"] == "anomaly"]')" = \
  '["truncated_options"]' ] || fail "anomalies: $(grep anomaly "$E")"

# extended: every message, with its options
sed '/^        - dhcp:$/,/extended:/s/extended: no/extended: yes/' \
    "$VG_SOURCE_DIR/etc/vigil.yaml" >"$WORK/ext.yaml"
grep -q 'extended: yes' "$WORK/ext.yaml" || fail "could not make the extended config"
run "$WORK/x" "$WORK/ext.yaml"
E=$WORK/x/eve.json
[ "$(q "$E" '[r["dhcp"].get("dhcp_type") for r in recs if r["event_type"] == "dhcp"]')" = \
  '["discover", "offer", "ack", "request", "ack", "inform"]' ] ||
    fail "extended dhcp records: $(grep '"event_type":"dhcp"' "$E")"
[ "$(q "$E" '[r["dhcp"] for r in recs if r["event_type"] == "dhcp"][0]')" = \
  '{"assigned_ip": "0.0.0.0", "client_ip": "0.0.0.0", "client_mac": "00:11:22:33:44:aa", "dhcp_type": "discover", "hostname": "ws7", "id": 4660, "params": ["subnet_mask", "domain", "router", "dns_server"], "type": "request", "vendor_class_identifier": "MSFT 5.0"}' ] ||
    fail "discover: $(grep -m1 '"event_type":"dhcp"' "$E")"
[ "$(q "$E" '[r["dhcp"] for r in recs if r["event_type"] == "dhcp"][1]')" = \
  '{"assigned_ip": "10.0.0.7", "client_ip": "0.0.0.0", "client_mac": "00:11:22:33:44:aa", "dhcp_type": "offer", "dns_servers": ["10.0.0.53", "10.0.0.54"], "id": 4660, "lease_time": 86400, "next_server_ip": "10.0.0.1", "rebinding_time": 75600, "relay_ip": "0.0.0.0", "renewal_time": 43200, "routers": ["10.0.0.254"], "subnet_mask": "255.255.255.0", "type": "reply"}' ] ||
    fail "offer (overloaded file field): $(grep '"offer"' "$E")"

# Same output in every runmode.
norm='sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r.get("pcap_cnt"), json.dumps(r.get("dhcp") or r.get("tftp"), sort_keys=True)) for r in recs if r["event_type"] in ("alert", "dhcp", "tftp", "anomaly"))'
ref=$(q "$WORK/x/eve.json" "$norm")
for rm in single workers autofp; do
    run "$WORK/$rm" "$WORK/ext.yaml" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" "$norm")" = "$ref" ] || fail "runmode $rm differs"
done
echo "ok: tftp and dhcp scenarios"
