#!/usr/bin/env bash
# Telnet through the binary on a crafted capture (tools/gen-proto-captures.py): option
# negotiation both ways, a terminal-type subnegotiation split over two segments, a login
# prompt and user name. The flow is "telnet"; rules of protocol telnet and
# app-layer-protocol:telnet match; no telnet records and no anomalies (Suricata has none).
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer

"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/telnet.pcap" \
    -S "$DATA/telnet-scenario.rules" -l "$WORK" 2>"$WORK/err" ||
    fail "vigil failed: $(cat "$WORK/err")"
eve_check "$WORK/eve.json"

q() {
    python3 - "$WORK/eve.json" "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs}), sort_keys=True))
PY
}

[ "$(q 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = "[1, 2, 3]" ] ||
    fail "alerts: $(q '[(r["pcap_cnt"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert"]')"
[ "$(q 'all(r["app_proto"] == "telnet" for r in recs if r["event_type"] == "alert")')" = true ] ||
    fail "alerts lack app_proto"
[ "$(q '[r["app_proto"] for r in recs if r["event_type"] == "flow"]')" = '["telnet"]' ] ||
    fail "flows: $(q '[r for r in recs if r["event_type"] == "flow"]')"
[ "$(q 'sum(r["event_type"] in ("telnet", "anomaly") for r in recs)')" = 0 ] || fail "telnet or anomaly records"
echo ok
