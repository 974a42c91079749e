#!/usr/bin/env bash
# DNS through the binary on crafted captures (tools/gen-dns-captures.py): UDP request and
# response as separate EVE dns records (version 3, and version 2 with --set), an
# unanswered query logged all the same, TCP messages sharing a segment and split over
# two, dns.query / dns.answers.rrname / dns.rrtype alerts carrying the dns object, the
# same records in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$DATA/dns-scenario.rules

run() {
    local pcap=$1 out=$2
    shift 2
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/$pcap.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "$pcap: vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

run dns-udp "$WORK/udp"
E=$WORK/udp/eve.json
[ "$(q "$E" '[(r["dns"]["type"], r["dns"]["tx_id"], r["src_ip"], r["dns"]["queries"][0]["rrname"]) for r in recs if r["event_type"] == "dns"]')" = '[["request", 0, "10.0.0.1", "www.example.com"], ["response", 1, "10.0.0.53", "www.example.com"], ["request", 2, "10.0.0.1", "evil.example.net"]]' ] ||
    fail "dns records: $(grep '"dns"' "$E")"
[ "$(q "$E" '[r["dns"]["answers"] for r in recs if r["event_type"] == "dns" and r["dns"]["type"] == "response"][0]')" = '[{"rdata": "cdn.example.com", "rrname": "www.example.com", "rrtype": "CNAME", "ttl": 300}, {"rdata": "192.0.2.7", "rrname": "cdn.example.com", "rrtype": "A", "ttl": 60}]' ] ||
    fail "answers"
[ "$(q "$E" '[r["dns"]["grouped"] for r in recs if r["event_type"] == "dns" and r["dns"]["type"] == "response"][0]')" = '{"A": ["192.0.2.7"], "CNAME": ["cdn.example.com"]}' ] ||
    fail "grouped answers"
[ "$(q "$E" '[r["dns"]["authorities"][0]["soa"]["mname"] for r in recs if r["event_type"] == "dns" and r["dns"]["type"] == "response"][0]')" = '"ns1.example.com"' ] ||
    fail "authority SOA"
[ "$(q "$E" '[(r["alert"]["signature_id"], r["tx_id"], r["dns"]["type"]) for r in recs if r["event_type"] == "alert"]')" = '[[9000002, 1, "response"], [9000001, 2, "request"]]' ] ||
    fail "alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[r.get("app_proto") for r in recs if r["event_type"] == "flow"]')" = '["dns"]' ] ||
    fail "flow record lacks app_proto dns"
[ "$(stat "$E" app_layer.tx.dns_udp)" = 3 ] || fail "app_layer.tx.dns_udp counter (DNS over UDP, as Suricata names it)"
[ "$(stat "$E" app_layer.tx.dns_tcp)" = 0 ] || fail "app_layer.tx.dns_tcp counter"

# Version 2 through --set on the dns entry of the eve-log types in etc/vigil.yaml.
idx=$(python3 - "$VG_SOURCE_DIR/etc/vigil.yaml" <<'PY'
import sys, yaml
c = yaml.safe_load(open(sys.argv[1]))
for o in c["outputs"]:
    if "eve-log" in o:
        for i, t in enumerate(o["eve-log"]["types"]):
            if isinstance(t, dict) and "dns" in t:
                print(i)
PY
)
[ -n "$idx" ] || fail "etc/vigil.yaml has no dns entry in the eve-log types"
run dns-udp "$WORK/v2" --set "outputs.0.eve-log.types.$idx.dns.version=2"
E2=$WORK/v2/eve.json
[ "$(q "$E2" '[(r["dns"]["type"], r["dns"].get("rrname")) for r in recs if r["event_type"] == "dns"]')" = '[["query", "www.example.com"], ["answer", "www.example.com"], ["query", "evil.example.net"]]' ] ||
    fail "version 2 records: $(grep '"dns"' "$E2")"
# Suricata's environment override of the layout gives the same records; a bad one stops.
SURICATA_EVE_DNS_VERSION=2 run dns-udp "$WORK/v2env"
[ "$(q "$WORK/v2env/eve.json" '[(r["dns"]["type"], r["dns"].get("rrname")) for r in recs if r["event_type"] == "dns"]')" = \
  "$(q "$E2" '[(r["dns"]["type"], r["dns"].get("rrname")) for r in recs if r["event_type"] == "dns"]')" ] ||
    fail "SURICATA_EVE_DNS_VERSION=2 records: $(grep '"dns"' "$WORK/v2env/eve.json")"
SURICATA_EVE_DNS_VERSION=7 "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/dns-udp.pcap" \
    -l "$WORK/v2bad" 2>"$WORK/err-env" && fail "SURICATA_EVE_DNS_VERSION=7 accepted"
grep -q "SURICATA_EVE_DNS_VERSION must be 2 or 3" "$WORK/err-env" || fail "no message for a bad version"

run dns-tcp "$WORK/tcp"
E=$WORK/tcp/eve.json
[ "$(q "$E" '[(r["dns"]["type"], r["dns"]["id"]) for r in recs if r["event_type"] == "dns"]')" = '[["request", 13107], ["request", 17476], ["response", 13107]]' ] ||
    fail "tcp dns records: $(grep '"dns"' "$E")"
[ "$(q "$E" '[(r["alert"]["signature_id"], r["dns"]["queries"][0]["rrtype"]) for r in recs if r["event_type"] == "alert"]')" = '[[9000003, "AAAA"]]' ] ||
    fail "tcp alerts: $(grep '"alert"' "$E")"

for rm in autofp workers; do
    run dns-udp "$WORK/$rm" --runmode "$rm"
    a=$(grep -E '"event_type":"(dns|alert)"' "$WORK/udp/eve.json" | sed 's/"flow_id":[0-9]*,//' | sort)
    b=$(grep -E '"event_type":"(dns|alert)"' "$WORK/$rm/eve.json" | sed 's/"flow_id":[0-9]*,//' | sort)
    [ "$a" = "$b" ] || fail "runmode $rm writes other dns/alert records"
done
echo ok
