#!/usr/bin/env bash
# Tunnel packets through the real binary (tests/data/tunnels.pcap, made by
# tools/make-tunnel-pcap.py): the outer packets get their own flows (GRE and
# IP-in-IP without ports, VXLAN and Geneve as UDP, whose protocol detection
# fails), the inner ones theirs;
# an alert on an inner packet carries pkt_src and the outer tuple in "tunnel".
. "$(dirname "$0")/lib.sh"
cap=$VG_SOURCE_DIR/tests/data/tunnels.pcap
[ -f "$cap" ] || fail "$cap is missing (tools/make-tunnel-pcap.py makes it)"
cat >"$WORK/t.rules" <<'R'
alert icmp any any -> any any (msg:"ping"; itype:8; sid:1;)
alert icmpv6 any any -> any any (msg:"ping6"; itype:128; sid:2;)
R
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$cap" -S "$WORK/t.rules" -l "$WORK/out" \
    2>"$WORK/log" || fail "vigil failed: $(cat "$WORK/log")"
eve_check "$WORK/out/eve.json"
py "$WORK/out/eve.json" <<'PY' || fail "unexpected EVE records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
flows = {(r["src_ip"], r["dest_ip"], r["proto"]): r for r in recs if r["event_type"] == "flow"}
def flow(src, dst, proto, ts=1, tc=1):
    f = flows.get((src, dst, proto))
    check(f is not None, ("no flow", src, dst, proto, sorted(flows)))
    check((f["flow"]["pkts_toserver"], f["flow"]["pkts_toclient"]) == (ts, tc), f)
# outer flows
flow("192.0.2.1", "192.0.2.2", "GRE")
flow("192.0.2.3", "192.0.2.4", "IP-in-IP")
flow("192.0.2.5", "192.0.2.6", "IPv6")
flow("192.0.2.7", "192.0.2.8", "UDP", 1, 0)  # VXLAN: both ways to port 4789
flow("192.0.2.8", "192.0.2.7", "UDP", 1, 0)
flow("192.0.2.9", "192.0.2.10", "UDP")
# UDP outer flows go through protocol detection like any other (Suricata's
# flow records say "failed"); GRE and IP-in-IP have no ports to detect on
for k, f in flows.items():
    if k[0] in ("192.0.2.7", "192.0.2.8", "192.0.2.9"):
        check(f.get("app_proto") == "failed", f)
    elif k[0].startswith("192.0.2."):
        check("app_proto" not in f, f)
# inner flows
for net in (1, 2, 3, 4):
    flow("10.%d.0.1" % net, "10.%d.0.2" % net, "ICMP")
flow("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:0db8:0000:0000:0000:0000:0000:0002",
     "IPv6-ICMP")
alerts = {r["src_ip"]: r for r in recs if r["event_type"] == "alert"}
want = {"10.1.0.1": ("gre tunnel", "192.0.2.1", "GRE", 0),
        "10.2.0.1": ("ipv4 tunnel", "192.0.2.3", "IP-in-IP", 0),
        "2001:0db8:0000:0000:0000:0000:0000:0001": ("ipv4 tunnel", "192.0.2.5", "IPv6", 0),
        "10.3.0.1": ("vxlan encapsulation", "192.0.2.7", "UDP", 4789),
        "10.4.0.1": ("geneve encapsulation", "192.0.2.9", "UDP", 6081)}
check(sorted(alerts) == sorted(want), sorted(alerts))
for src, (pkt_src, outer, proto, dport) in want.items():
    a = alerts[src]
    check(a["pkt_src"] == pkt_src, a)
    t = a["tunnel"]
    check((t["src_ip"], t["proto"], t["dest_port"], t["depth"], t["pkt_src"]) == \
        (outer, proto, dport, 1, "wire/pcap"), a)
    check(a["packet_info"]["linktype"] == 12 if "packet_info" in a else True, a)
PY
echo "tunnels: ok"
