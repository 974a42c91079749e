#!/usr/bin/env bash
# Firewall SMTP hooks (detect/detect-firewall.c) on tests/data/fw-smtp.pcap
# (tools/make-fw-app-pcap.py --list smtp FILE shows the packets): two mail transactions,
# from alice@example.com (MAIL FROM pcap 7, DATA 11, 354 12, data end 14) and
# from mallory@example.net (MAIL FROM 15, DATA 19).
# - smtp:request_data / response_data are hooks between started and complete;
# - a rule's smtp.mail_from is inspected at request_started, before DATA;
# - a buffer rule alerts once per tx, however often its hook is evaluated;
# - xbits track tx: the bit set on tx 0 is not seen by tx 1, whose DATA
#   falls to the default app policy (drop:flow).
. "$(dirname "$0")/lib.sh"
PCAP=$VG_SOURCE_DIR/tests/data/fw-smtp.pcap
cat >"$WORK/fw.rules" <<'R'
accept:hook tcp:all any any <> any any (sid:1;)
accept:hook,alert smtp:request_started any any -> any any (smtp.mail_from; \
    content:"@example.com>"; endswith; xbits:set,fw.from_ok,track tx; sid:10;)
accept:hook smtp:request_started any any -> any any (sid:11;)
accept:hook smtp:request_data any any -> any any (xbits:isset,fw.from_ok,track tx; sid:12;)
accept:hook smtp:request_complete any any -> any any (sid:13;)
accept:hook smtp:response_started any any -> any any (sid:20;)
accept:hook,alert smtp:response_data any any -> any any (sid:21;)
accept:hook smtp:response_complete any any -> any any (sid:22;)
R
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$PCAP" -S /dev/null \
    --firewall-rules-exclusive "$WORK/fw.rules" -l "$WORK/a" --simulate-ips -k none \
    2>"$WORK/err" || fail "smtp firewall run failed: $(cat "$WORK/err")"
grep -q ' 0 rules failed' "$WORK/err" || fail "rules refused: $(cat "$WORK/err")"
eve_check "$WORK/a/eve.json"
py "$WORK/a/eve.json" <<'PY' || fail "smtp firewall records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = [(r["pcap_cnt"], r["alert"]["signature_id"], r["tx_id"])
          for r in recs if r["event_type"] == "alert"]
# sid 10 once on tx 0 (MAIL FROM), never on tx 1; the 354 and the reply to the
# data both evaluate response_data of tx 0 (its current state, then passed)
check(alerts == [(7, 10, 0), (12, 21, 0), (14, 21, 0)], alerts)
drops = [(r["pcap_cnt"], r["drop"]["reason"]) for r in recs if r["event_type"] == "drop"]
check(drops == [(19, "firewall default app policy")] +
      [(n, "firewall flow drop") for n in range(20, 29)], drops)
fw = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]["firewall"]
check(fw["accepted"] == 18 and fw["blocked"] == 10, fw)
PY
# track ip_pair instead: the bit of tx 0 is the pair's, tx 1 goes through.
sed 's/track tx/track ip_pair/' "$WORK/fw.rules" >"$WORK/pair.rules"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$PCAP" -S /dev/null \
    --firewall-rules-exclusive "$WORK/pair.rules" -l "$WORK/b" --simulate-ips -k none \
    2>"$WORK/err" || fail "ip_pair run failed: $(cat "$WORK/err")"
py "$WORK/b/eve.json" <<'PY' || fail "ip_pair records are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
check(not [r for r in recs if r["event_type"] == "drop"])
PY
echo "firewall-smtp: ok"
