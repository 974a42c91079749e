#!/usr/bin/env bash
# Fragment overlap evasion through the real binary (tests/data/defrag-overlap.pcap,
# made by tools/make-defrag-pcap.py): the same payload offset comes twice,
# "GOODGOOD" then "EVILEVIL", to 10.0.0.2 and to 2001:db8::2. With the
# default policy (bsd) the rebuilt datagrams hold GOOD; with only 10.0.0.2
# listed as linux in host-os-policy, its datagram holds EVIL and the IPv6
# one still GOOD. Only the rule matching each target's view may fire, on
# the rebuilt packet (pkt_src "defrag"); the fragments carry the overlap
# event and no flow.
. "$(dirname "$0")/lib.sh"
cap=$VG_SOURCE_DIR/tests/data/defrag-overlap.pcap
[ -f "$cap" ] || fail "$cap is missing (tools/make-defrag-pcap.py makes it)"
cat >"$WORK/t.rules" <<'R'
alert udp any any -> any 9999 (msg:"evil view"; content:"EVILEVIL"; sid:1;)
alert udp any any -> any 9999 (msg:"good view"; content:"GOODGOOD"; sid:2;)
alert pkthdr any any -> any any (msg:"overlap"; decode-event:ipv4.frag_overlap; sid:3;)
alert pkthdr any any -> any any (msg:"overlap6"; decode-event:ipv6.frag_overlap; sid:4;)
R

run() { # out-dir, extra args...
    local out=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$cap" -S "$WORK/t.rules" -l "$out" \
        -k none "$@" 2>"$WORK/log" || fail "vigil failed: $(cat "$WORK/log")"
    eve_check "$out/eve.json"
}

check() { # eve, sid wanted for the IPv4 target, sid wanted for the IPv6 target
    py "$@" <<'PY' || fail "unexpected EVE records in $1"
import json, sys
path, want4, want6 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
recs = [json.loads(l) for l in open(path)]
alerts = [r for r in recs if r["event_type"] == "alert"]
by_sid = {}
for a in alerts:
    by_sid.setdefault(a["alert"]["signature_id"], []).append(a)
content = sorted((a["dest_ip"], a["alert"]["signature_id"]) for a in alerts
                 if a["alert"]["signature_id"] in (1, 2))
check(content == sorted([("10.0.0.2", want4), ("2001:0db8:0000:0000:0000:0000:0000:0002", want6)]), content)
for a in by_sid.get(1, []) + by_sid.get(2, []):
    check(a["pkt_src"] == "defrag", a)
    check(a["dest_port"] == 9999 and a["src_port"] == 5353, a)
# the overlap event: once per family, on the second copy (a fragment)
check(len(by_sid.get(3, [])) == 1 and len(by_sid.get(4, [])) == 1, by_sid.keys())
for sid in (3, 4):
    check(by_sid[sid][0]["pkt_src"] == "wire/pcap", by_sid[sid][0])
    check("flow_id" not in by_sid[sid][0], by_sid[sid][0])
flows = [r for r in recs if r["event_type"] == "flow"]
check(sorted((f["proto"], f["dest_port"]) for f in flows) == [("UDP", 9999)] * 2, flows)
stats = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]
d = stats["defrag"]
check(d["ipv4"]["fragments"] == 4 and d["ipv4"]["reassembled"] == 1, d)
check(d["ipv6"]["fragments"] == 4 and d["ipv6"]["reassembled"] == 1, d)
PY
}

run "$WORK/bsd"
check "$WORK/bsd/eve.json" 2 2
run "$WORK/linux" --set "host-os-policy.linux=10.0.0.2"
check "$WORK/linux/eve.json" 1 2
echo "defrag: ok"
