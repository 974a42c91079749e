#!/usr/bin/env bash
# Inline verdicts (--simulate-ips): a drop rule on packet content drops its
# packet; one on addresses and ports only (like IP-only) drops every later
# packet of the flow too, as Suricata scopes them; EVE says so; in IDS mode
# nothing is dropped.
. "$(dirname "$0")/lib.sh"
cat >"$WORK/drop.rules" <<'R'
drop udp any any -> any 53 (msg:"drop dns query"; content:"example"; classtype:misc-activity; sid:7001; rev:1;)
alert icmp any any -> any any (msg:"icmp seen"; itype:8; sid:7002; rev:1;)
R
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$SAMPLE" -S "$WORK/drop.rules" -l "$WORK/ips" \
    --simulate-ips 2>"$WORK/err" || fail "inline run failed: $(cat "$WORK/err")"
eve_check "$WORK/ips/eve.json"
py "$WORK/ips/eve.json" <<'PY' || fail "inline EVE records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
drops = [r for r in recs if r["event_type"] == "drop"]
alerts = [r for r in recs if r["event_type"] == "alert"]
# The query (pcap_cnt 10) is dropped by the packet rule; the answer passes.
check([(d["pcap_cnt"], d["drop"]["reason"]) for d in drops] == [(10, "rules")], drops)
check(drops[0]["alert"]["signature_id"] == 7001 and drops[0]["alert"]["action"] == "blocked")
a = {r["alert"]["signature_id"]: r["alert"]["action"] for r in alerts}
check(a == {7001: "blocked", 7002: "allowed"}, a)
flows = [r for r in recs if r["event_type"] == "flow" and r.get("dest_port") == 53]
check(flows and "action" not in flows[0]["flow"], flows)
stats = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]
check(stats["ips"]["blocked"] == 1 and stats["ips"]["drop_reason"]["flow_drop"] == 0, stats["ips"])
PY
# A rule on the port only decides for the flow: the answer goes with it.
cat >"$WORK/flow.rules" <<'R'
drop udp any any -> any 53 (msg:"drop dns flows"; sid:7003; rev:1;)
R
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$SAMPLE" -S "$WORK/flow.rules" -l "$WORK/ipsflow" \
    --simulate-ips 2>"$WORK/err" || fail "inline run failed: $(cat "$WORK/err")"
py "$WORK/ipsflow/eve.json" <<'PY' || fail "flow-scoped drop records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
drops = [(r["pcap_cnt"], r["drop"]["reason"]) for r in recs if r["event_type"] == "drop"]
check(drops == [(10, "rules"), (11, "flow drop")], drops)
flows = [r for r in recs if r["event_type"] == "flow" and r.get("dest_port") == 53]
check(flows and flows[0]["flow"]["action"] == "drop", flows)
PY
# --no-random (Suricata's) is accepted and changes nothing: same records.
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$SAMPLE" -S "$WORK/flow.rules" -l "$WORK/norand" \
    --simulate-ips --no-random 2>"$WORK/err" || fail "--no-random refused: $(cat "$WORK/err")"
py "$WORK/ipsflow/eve.json" "$WORK/norand/eve.json" <<'PY' || fail "--no-random changed the records"
import json, sys
def recs(path):
    return [json.dumps(r, sort_keys=True) for r in map(json.loads, open(path))
            if r["event_type"] in ("alert", "drop", "flow")]
check(recs(sys.argv[1]) == recs(sys.argv[2]))
PY
# The same rules in IDS mode: alerts only, action allowed, no drop records.
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$SAMPLE" -S "$WORK/drop.rules" -l "$WORK/ids" \
    2>"$WORK/err" || fail "IDS run failed"
lacks '"event_type":"drop"' "$WORK/ids/eve.json"
grep -q '"signature_id":7001' "$WORK/ids/eve.json" || fail "IDS mode lost the alert"
lacks '"action":"blocked"' "$WORK/ids/eve.json"
echo "ips: ok"
