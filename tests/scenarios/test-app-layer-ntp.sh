#!/usr/bin/env bash
# NTP through the binary on a crafted capture (tools/gen-proto-captures.py): a client
# request and server reply, a request of version 0, a control (mode 6) request and a
# response whose data count runs past the datagram. Both flows are "ntp"; the two bad
# datagrams raise ntp.malformed_data, matched by etc/rules/ntp-events.rules (Suricata's
# sids, one per direction) and written as anomaly records; no ntp records (Suricata has
# none).
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer

"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/ntp.pcap" \
    -S "$VG_SOURCE_DIR/etc/rules/ntp-events.rules" -l "$WORK" 2>"$WORK/err" ||
    fail "vigil failed: $(cat "$WORK/err")"
eve_check "$WORK/eve.json"

q() {
    python3 - "$WORK/eve.json" "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs}), sort_keys=True))
PY
}

[ "$(q '[(r["pcap_cnt"], r["alert"]["signature_id"], r["tx_id"]) for r in recs if r["event_type"] == "alert"]')" = \
  '[[3, 2222000, 2], [5, 2222001, 1]]' ] ||
    fail "alerts: $(q '[r for r in recs if r["event_type"] == "alert"]')"
[ "$(q '[(r["pcap_cnt"], r["anomaly"]["event"]) for r in recs if r["event_type"] == "anomaly"]')" = \
  '[[3, "malformed_data"], [5, "malformed_data"]]' ] || fail "anomaly records"
[ "$(q 'sorted(r["app_proto"] for r in recs if r["event_type"] == "flow")')" = '["ntp", "ntp"]' ] ||
    fail "flows: $(q '[r for r in recs if r["event_type"] == "flow"]')"
[ "$(q 'sum(r["event_type"] == "ntp" for r in recs)')" = 0 ] || fail "ntp records"
echo ok
