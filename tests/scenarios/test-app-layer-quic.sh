#!/usr/bin/env bash
# QUIC through the binary on a crafted capture (tools/gen-quic-captures.py: the RFC 9001
# Appendix A client and server Initials): decryption of both Initials, quic.sni /
# quic.version / ja3s.string alerts, one EVE quic record per Initial with sni, ja3, ja3s
# and extensions, short-header datagrams making no record, detection off port 443, the
# same output in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$DATA/quic-scenario.rules

run() {
    local out=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/quic-rfc9001.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

run "$WORK/a"
E=$WORK/a/eve.json
[ "$(q "$E" '[(r["pcap_cnt"], r["src_port"], r["quic"]["version"], r["quic"].get("sni"), r["quic"].get("ja3", {}).get("hash"), r["quic"].get("ja3s", {}).get("string")) for r in recs if r["event_type"] == "quic"]')" = '[[1, 50000, "1", "example.com", "'"$(printf '%s' '771,4865-4866,0-65281-10-16-5-51-43-13-45-28-57,29-23-24,' | md5sum | cut -c1-32)"'", null], [2, 443, "1", null, null, "771,4865,51-43"], [5, 50001, "1", "example.com", "'"$(printf '%s' '771,4865-4866,0-65281-10-16-5-51-43-13-45-28-57,29-23-24,' | md5sum | cut -c1-32)"'", null]]' ] ||
    fail "quic records: $(grep '"event_type":"quic"' "$E")"
[ "$(q "$E" '[e["name"] for r in recs if r["event_type"] == "quic" and r["pcap_cnt"] == 2 for e in r["quic"]["extensions"]]')" = '["key_share", "supported_versions"]' ] ||
    fail "server hello extensions"
[ "$(q "$E" '[e["values"] for r in recs if r["event_type"] == "quic" and r["pcap_cnt"] == 1 for e in r["quic"]["extensions"] if e.get("name") in ("server_name", "alpn")]')" = '[["example.com"], ["alpn"]]' ] ||
    fail "client hello sni/alpn values"
[ "$(q "$E" 'sorted((r["alert"]["signature_id"], r["pcap_cnt"]) for r in recs if r["event_type"] == "alert")')" = '[[9200001, 1], [9200001, 5], [9200002, 1], [9200002, 2], [9200002, 5], [9200003, 2]]' ] ||
    fail "alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[r["quic"]["sni"] for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] == 9200001]')" = '["example.com", "example.com"]' ] ||
    fail "alerts lack the quic object"
[ "$(q "$E" '[r.get("app_proto") for r in recs if r["event_type"] == "flow"]')" = '["quic", "quic"]' ] ||
    fail "flow records lack app_proto quic"
[ "$(stat "$E" app_layer.tx.quic)" = 3 ] || fail "app_layer.tx.quic counter"

for rm in workers autofp; do
    run "$WORK/$rm" --runmode "$rm"
    expr='sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r["pcap_cnt"]) for r in recs if r["event_type"] in ("alert", "quic"))'
    [ "$(q "$WORK/$rm/eve.json" "$expr")" = "$(q "$E" "$expr")" ] || fail "runmode $rm differs"
done
echo "ok: quic scenarios"
