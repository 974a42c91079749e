#!/usr/bin/env bash
# Firewall default policies with "alert" in their action list
# (detect/detect-firewall.c) on tests/data/firewall.pcap (tools/make-firewall-pcap.py:
# two HTTP flows GET /ok and GET /bad, a UDP datagram, an ICMP echo): applying
# such a policy logs an alert under the policy's built-in signature (Suricata's
# firewall range: 2201000 the packet policy, 2201001 the app-layer policies),
# also when a rule of that hook exists but does not match; without "alert" the
# policy is silent; a rule that decides the hook leaves the policy out.
. "$(dirname "$0")/lib.sh"
PCAP=$VG_SOURCE_DIR/tests/data/firewall.pcap
cat >"$WORK/fw.rules" <<'R'
accept:hook tcp:all any any <> any 80 (sid:100;)
accept:hook http1:request_started any any -> any any (sid:110;)
accept:tx http1:request_line any any -> any any (http.uri; content:"/ok"; sid:111;)
R

run() {  # run OUTDIR POLICY_YAML_BODY
    printf '%%YAML 1.1\n---\nfirewall:\n  enabled: yes\n  policies:\n%s\n' "$2" >"$WORK/p.yaml"
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -c "$WORK/p.yaml" -r "$PCAP" -S /dev/null \
        --firewall-rules-exclusive "$WORK/fw.rules" -l "$1" --simulate-ips -k none \
        2>"$WORK/err" || fail "run failed: $(cat "$WORK/err")"
    eve_check "$1/eve.json"
}

# alerts FILE: "sid:pcap_cnt:action" of every alert
alerts() {
    python3 - "$1" <<'PY'
import json, sys
print(" ".join("%d:%d:%s" % (r["alert"]["signature_id"], r["pcap_cnt"], r["alert"]["action"])
               for r in map(json.loads, open(sys.argv[1])) if r["event_type"] == "alert"))
PY
}

# request_line of /bad is not accepted by sid 111: the app policy (accept:tx,
# alert) takes it, once for its tx; /ok is accepted by the rule: no policy alert.
# The UDP and ICMP packets meet the packet policy (drop:packet, alert).
run "$WORK/a" '    packet:
      filter: ["drop:packet", "alert"]
    app:
      http1:
        request-line: ["accept:tx", "alert"]'
got=$(alerts "$WORK/a/eve.json")
n_app=$(echo "$got" | tr ' ' '\n' | grep -c '^2201001:')
n_pkt=$(echo "$got" | tr ' ' '\n' | grep -c '^2201000:.*:blocked$')
[ "$n_app" -eq 1 ] || fail "app policy alerts: $n_app in '$got'"
[ "$n_pkt" -eq 2 ] || fail "packet policy alerts (blocked): $n_pkt in '$got'"
py "$WORK/a/eve.json" <<'PY' || fail "app policy alert is not the /bad request's"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
a = [r for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] == 2201001]
check(len(a) == 1 and a[0]["alert"]["action"] == "allowed", a)
check(a[0]["alert"]["gid"] == 1 and "policy" in a[0]["alert"]["signature"], a)
bad = [r for r in recs if r["event_type"] == "http" and r["http"]["url"] == "/bad"]
check(len(bad) == 1 and bad[0]["flow_id"] == a[0]["flow_id"], bad, a)
PY

# the same policies without "alert": no alert at all
run "$WORK/b" '    packet:
      filter: ["drop:packet"]
    app:
      http1:
        request-line: ["accept:tx"]'
[ -z "$(alerts "$WORK/b/eve.json")" ] || fail "alerts without alert in the policy: $(alerts "$WORK/b/eve.json")"
echo "firewall policy alert: ok"
