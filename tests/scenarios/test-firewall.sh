#!/usr/bin/env bash
# Firewall mode (detect/detect-firewall.c) on tests/data/firewall.pcap
# (tools/make-firewall-pcap.py): two HTTP flows (GET /ok: pcap 1-9, GET /bad:
# 10-18), a UDP datagram (19) and an ICMP echo (20).
# - packet:filter: first matching rule decides; none: default drop:packet;
# - app hooks: accept:tx on the request line accepts the whole tx (its
#   response hooks too); drop:flow drops the packet and the rest of the flow;
# - the TD rules see only what the firewall accepted;
# - firewall.policies replace the default policies; bad input is refused.
. "$(dirname "$0")/lib.sh"
PCAP=$VG_SOURCE_DIR/tests/data/firewall.pcap
cat >"$WORK/fw.rules" <<'R'
accept:hook tcp:all any any <> any 80 (flow:not_established; sid:100;)
accept:hook tcp:all any any <> any 80 (flow:established; sid:101;)
accept:hook http1:request_started any any -> any any (sid:110;)
accept:tx http1:request_line any any -> any any (http.uri; content:"/ok"; alert; sid:111;)
drop:flow,alert http1:request_line any any -> any any (http.uri; content:"/bad"; sid:112;)
accept:packet icmp:all any any -> any any (itype:8; alert; sid:120;)
R
cat >"$WORK/td.rules" <<'R'
alert http any any -> any any (msg:"td uri"; http.uri; content:"/"; sid:900;)
alert tcp any any -> any 80 (msg:"td syn"; flags:S; sid:901;)
R
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$PCAP" -S "$WORK/td.rules" \
    --firewall-rules-exclusive "$WORK/fw.rules" -l "$WORK/a" --simulate-ips -k none \
    2>"$WORK/err" || fail "firewall run failed: $(cat "$WORK/err")"
eve_check "$WORK/a/eve.json"
py "$WORK/a/eve.json" <<'PY' || fail "firewall records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = [(r["pcap_cnt"], r["alert"]["signature_id"], r["alert"]["action"], r["alert"]["engine"])
          for r in recs if r["event_type"] == "alert"]
check(alerts == [(1, 901, "allowed", "td"), (4, 111, "allowed", "fw"), (4, 900, "allowed", "td"),
                 (10, 901, "allowed", "td"), (13, 112, "blocked", "fw"),
                 (20, 120, "allowed", "fw")], alerts)
drops = [(r["pcap_cnt"], r["drop"]["reason"]) for r in recs if r["event_type"] == "drop"]
check(drops == [(13, "firewall rules")] + [(n, "firewall flow drop") for n in range(14, 19)] +
      [(19, "firewall default packet policy")], drops)
check(all(r["verdict"]["action"] == "drop" for r in recs if r["event_type"] == "drop"))
check([r["verdict"]["action"] for r in recs if r["event_type"] == "alert"][1] == "accept")
flows = {r.get("src_port"): r["flow"] for r in recs if r["event_type"] == "flow"}
check("action" not in flows[40001] and flows[40001]["state"] == "closed", flows[40001])
check(flows[40002]["action"] == "drop" and flows[40002]["state"] == "established", flows[40002])
st = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]
fw = st["firewall"]
check(fw["accepted"] == 13 and fw["blocked"] == 7, fw)
check(fw["drop_reason"] == {"rules": 1, "flow_drop": 5, "default_packet_policy": 1,
                            "default_app_policy": 0}, fw)
check(st["ips"]["accepted"] == 13 and st["ips"]["blocked"] == 0, st["ips"])
check(st["detect"]["engines"][0]["rules_loaded"] == 8, st["detect"])
PY
# No rule for the request line and no policy: its default drop:flow.
grep -v 'sid:11[12];' "$WORK/fw.rules" >"$WORK/fw2.rules"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$PCAP" -S /dev/null \
    --firewall-rules-exclusive "$WORK/fw2.rules" -l "$WORK/b" --simulate-ips -k none \
    2>"$WORK/err" || fail "default policy run failed: $(cat "$WORK/err")"
py "$WORK/b/eve.json" <<'PY' || fail "default app policy records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
drops = [(r["pcap_cnt"], r["drop"]["reason"]) for r in recs if r["event_type"] == "drop"]
check((4, "firewall default app policy") in drops and (13, "firewall default app policy") in drops,
      drops)
check((5, "firewall flow drop") in drops, drops)
PY
# firewall.policies: every http1 hook accepted by default: nothing dropped
# but the UDP datagram (no packet rule for it).
cat >"$WORK/policy.yaml" <<'Y'
%YAML 1.1
---
firewall:
  enabled: yes
  policies:
    app:
      http1:
        default-policy: ["accept:hook"]
Y
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -c "$WORK/policy.yaml" -r "$PCAP" -S /dev/null \
    --firewall-rules-exclusive "$WORK/fw2.rules" -l "$WORK/c" --simulate-ips -k none \
    2>"$WORK/err" || fail "policy run failed: $(cat "$WORK/err")"
py "$WORK/c/eve.json" <<'PY' || fail "policy records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
drops = [(r["pcap_cnt"], r["drop"]["reason"]) for r in recs if r["event_type"] == "drop"]
check(drops == [(19, "firewall default packet policy")], drops)
PY
# Bad input: a TD action in a firewall file and accept in a TD file are
# refused rules naming file and line; a tx scope as packet policy stops start-up.
printf 'alert tcp:all any any -> any any (sid:1;)\n' >"$WORK/bad-fw.rules"
expect_exit 1 "bad-fw.rules:1.*bad primary action" "$VIGIL" -T -c "$VG_SOURCE_DIR/etc/vigil.yaml" \
    -S /dev/null --firewall-rules-exclusive "$WORK/bad-fw.rules"
printf 'accept:flow tcp any any -> any any (sid:1;)\n' >"$WORK/bad-td.rules"
expect_exit 1 "bad-td.rules:1.*firewall rules only" "$VIGIL" -T -c "$VG_SOURCE_DIR/etc/vigil.yaml" \
    -S "$WORK/bad-td.rules"
printf '%%YAML 1.1\n---\nfirewall:\n  policies:\n    packet:\n      filter: ["accept:tx"]\n' \
    >"$WORK/bad.yaml"
expect_exit 1 "not a packet policy" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -c "$WORK/bad.yaml" \
    -r "$PCAP" -S /dev/null --firewall-rules-exclusive "$WORK/fw.rules" -l "$WORK" --simulate-ips
echo "firewall: ok"
