#!/usr/bin/env bash
# Firewall packet rules on app-layer-protocol, on tests/data/fw-ssh.pcap
# (tools/make-fw-ssh-pcap.py): an SSH session that never closes.
# - app-layer-protocol (default mode: the packet's direction) is 'unknown' on the
#   server's bare ACK (5) that comes after the client's banner was detected: that
#   side has sent nothing yet (as Suricata);
# - the session, encrypted both ways and not closed at the end of the capture, gets
#   one flow-end pseudo packet per direction that the packet rules see (alerts with
#   pkt_src "stream (flow timeout)").
. "$(dirname "$0")/lib.sh"
PCAP=$VG_SOURCE_DIR/tests/data/fw-ssh.pcap
cat >"$WORK/fw.rules" <<'R'
accept:hook tcp:all any any <> any 22 (app-layer-protocol:unknown; alert; sid:1000;)
accept:hook tcp:all any any <> any 22 (app-layer-protocol:ssh; alert; sid:1001;)
R
cat >"$WORK/fw.yaml" <<'Y'
%YAML 1.1
---
firewall:
  enabled: yes
  policies:
    app:
      ssh:
        default-policy: ["accept:hook"]
Y
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -c "$WORK/fw.yaml" -r "$PCAP" -S /dev/null \
    --firewall-rules-exclusive "$WORK/fw.rules" -l "$WORK/a" --simulate-ips -k none \
    2>"$WORK/err" || fail "firewall run failed: $(cat "$WORK/err")"
eve_check "$WORK/a/eve.json"
py "$WORK/a/eve.json" <<'PY' || fail "firewall alerts are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = [(r.get("pcap_cnt"), r["alert"]["signature_id"]) for r in recs
          if r["event_type"] == "alert"]
check(alerts[:9] == [(1, 1000), (2, 1000), (3, 1000), (4, 1001), (5, 1000), (6, 1001),
                     (7, 1001), (8, 1001), (9, 1001)], alerts)
pseudo = [(r["alert"]["signature_id"], r["pkt_src"], r["src_port"]) for r in recs
          if r["event_type"] == "alert" and "pcap_cnt" not in r]
check(sorted(pseudo) == [(1001, "stream (flow timeout)", 22),
                         (1001, "stream (flow timeout)", 40001)], pseudo)
check(not [r for r in recs if r["event_type"] == "drop"])
PY
echo "firewall-alproto: ok"
