#!/usr/bin/env bash
# Inline drops of tunnel packets (tests/data/tunnels.pcap): a dropped inner
# packet drops the outer packet from the wire that carries it, as Suricata
# does ("tunnel packet drop"); the inner flow is dropped, the outer one not.
. "$(dirname "$0")/lib.sh"
cap=$VG_SOURCE_DIR/tests/data/tunnels.pcap
[ -f "$cap" ] || fail "$cap is missing (tools/make-tunnel-pcap.py makes it)"
cat >"$WORK/t.rules" <<'R'
drop icmp 10.1.0.0/16 any -> any any (msg:"drop gre icmp"; sid:1;)
alert icmp 10.3.0.0/16 any -> any any (msg:"vxlan ping"; itype:8; sid:2;)
R
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$cap" -S "$WORK/t.rules" -l "$WORK/ips" \
    --simulate-ips 2>"$WORK/log" || fail "vigil failed: $(cat "$WORK/log")"
eve_check "$WORK/ips/eve.json"
py "$WORK/ips/eve.json" <<'PY' || fail "unexpected EVE records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
drops = [(r["pcap_cnt"], r["src_ip"], r["proto"], r["pkt_src"], r["drop"]["reason"],
          r.get("alert", {}).get("signature_id"))
         for r in recs if r["event_type"] == "drop"]
check(drops == [
    (1, "10.1.0.1", "ICMP", "gre tunnel", "rules", 1),
    (1, "192.0.2.1", "GRE", "wire/pcap", "tunnel packet drop", None),
    (2, "10.1.0.2", "ICMP", "gre tunnel", "flow drop", None),
    (2, "192.0.2.2", "GRE", "wire/pcap", "tunnel packet drop", None),
], drops)
alerts = {r["alert"]["signature_id"]: r["alert"]["action"]
          for r in recs if r["event_type"] == "alert"}
check(alerts == {1: "blocked", 2: "allowed"}, alerts)
flows = {(r["src_ip"], r["proto"]): r["flow"] for r in recs if r["event_type"] == "flow"}
check(flows[("10.1.0.1", "ICMP")].get("action") == "drop", flows)
check("action" not in flows[("192.0.2.1", "GRE")], flows)
ips = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]["ips"]
check(ips["blocked"] == 4, ips)
reasons = {k: v for k, v in ips["drop_reason"].items() if v}
check(reasons == {"rules": 1, "flow_drop": 1, "tunnel_packet_drop": 2}, ips)
PY
# IDS mode: the same rules drop nothing, inner or outer.
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$cap" -S "$WORK/t.rules" -l "$WORK/ids" \
    2>"$WORK/log" || fail "IDS run failed"
lacks '"event_type":"drop"' "$WORK/ids/eve.json"
echo "tunnel-drop: ok"
