#!/usr/bin/env bash
# Firewall FTP hooks (detect/detect-firewall.c) on tests/data/fw-ftp.pcap
# (tools/make-fw-app-pcap.py --list ftp FILE shows the packets): PORT naming the
# client (pcap 7, reply 8), PORT naming another host (9, reply 10), QUIT (11).
# An FTP command is complete once its reply came: the request_complete hook is
# reached by a packet of the other direction, so the tx is kept for the firewall
# (APP_TX_F_FW_HOLD) and the hook is evaluated on the client's next packet.
. "$(dirname "$0")/lib.sh"
PCAP=$VG_SOURCE_DIR/tests/data/fw-ftp.pcap
cat >"$WORK/fw.rules" <<'R'
accept:hook tcp:all any any <> any any (sid:1;)
drop:flow,alert ftp:request_complete any any -> any any (ftpbounce; sid:10;)
accept:hook ftp:request_started any any -> any any (sid:11;)
accept:hook ftp:request_complete any any -> any any (sid:12;)
accept:hook ftp:response_started any any -> any any (sid:20;)
accept:hook ftp:response_complete any any -> any any (sid:21;)
R
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$PCAP" -S /dev/null \
    --firewall-rules-exclusive "$WORK/fw.rules" -l "$WORK/a" --simulate-ips -k none \
    2>"$WORK/err" || fail "ftp firewall run failed: $(cat "$WORK/err")"
grep -q ' 0 rules failed' "$WORK/err" || fail "rules refused: $(cat "$WORK/err")"
eve_check "$WORK/a/eve.json"
py "$WORK/a/eve.json" <<'PY' || fail "ftp firewall records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = [(r["pcap_cnt"], r["alert"]["signature_id"], r["alert"]["action"])
          for r in recs if r["event_type"] == "alert"]
check(alerts == [(11, 10, "blocked")], alerts)
drops = [(r["pcap_cnt"], r["drop"]["reason"]) for r in recs if r["event_type"] == "drop"]
check(drops == [(11, "firewall rules")] + [(n, "firewall flow drop") for n in range(12, 17)],
      drops)
PY
echo "firewall-ftp: ok"
