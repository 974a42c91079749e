#!/usr/bin/env bash
# HTTP/2 through the binary on crafted captures (tools/gen-http2-captures.py): prior
# knowledge on port 80 (preface detection, HEADERS + CONTINUATION, padded DATA, two
# streams), the http2.* keywords, HTTP buffers on HTTP/2 streams (http rules match them,
# http1 rules do not), EVE http records with the http2 object, an h2c upgrade from
# HTTP/1, DNS over HTTP/2 (dns records, app_proto doh2), malformed input raising the
# events of etc/rules/http2-events.rules, and the same output in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/http2.rules
cat "$DATA/http2-scenario.rules" "$VG_SOURCE_DIR/etc/rules/http2-events.rules" >"$RULES"

run() {
    local pcap=$1 out=$2
    shift 2
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/$pcap.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "$pcap: vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

run h2-prior "$WORK/a"
E=$WORK/a/eve.json
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = \
  '[9200001, 9200002, 9200004, 9200005, 9200006, 9200007, 9200008, 9200009, 9200010, 9200010, 9200011, 9200012, 9200014]' ] ||
    fail "alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[r["http"]["http2"]["stream_id"] for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] == 9200001]')" = '[1]' ] ||
    fail "the uri alert lacks the http2 object of stream 1"
[ "$(q "$E" '[(r["http"]["url"], r["http"]["status"], r["http"]["length"], r["http"]["version"], r["http"]["http2"]["request"]["priority"]) for r in recs if r["event_type"] == "http" and r["http"]["http2"]["stream_id"] == 1]')" = \
  '[["/download/tool.exe", 200, 40, "2", 255]]' ] || fail "http record of stream 1: $(grep '"stream_id":1' "$E")"
[ "$(q "$E" '[r["http"]["response_headers"][-1] for r in recs if r["event_type"] == "http" and r["http"]["http2"]["stream_id"] == 1]')" = \
  '[{"name": "server", "value": "h2srv"}]' ] || fail "response headers across CONTINUATION"
[ "$(q "$E" 'sorted(s["settings_id"] + "=" + str(s["settings_value"]) for r in recs if r["event_type"] == "http" for s in r["http"]["http2"]["response"].get("settings", []))')" = \
  '["SETTINGSHEADERTABLESIZE=8192", "SETTINGSMAXCONCURRENTSTREAMS=128"]' ] || fail "server settings"
[ "$(q "$E" '[r["http"]["http2"]["response"]["error_code"] for r in recs if r["event_type"] == "http" and "error_code" in r["http"]["http2"]["response"]]')" = '["NOERROR"]' ] ||
    fail "goaway error code"
[ "$(q "$E" '[r.get("app_proto") for r in recs if r["event_type"] == "flow"]')" = '["http2"]' ] ||
    fail "flow record lacks app_proto http2"
[ "$(q "$E" 'len([r for r in recs if r["event_type"] == "anomaly"])')" = 0 ] || fail "anomalies on a clean exchange"
[ "$(stat "$E" app_layer.flow.http2)" = 1 ] || fail "app_layer.flow.http2 counter"

# h2c: HTTP/1 upgrade, then HTTP/2 on the same connection.
run h2c-upgrade "$WORK/u"
E=$WORK/u/eve.json
[ "$(q "$E" '[(r.get("app_proto"), r.get("app_proto_orig")) for r in recs if r["event_type"] == "flow"]')" = '[["http2", "http"]]' ] ||
    fail "h2c flow: $(grep '"flow"' "$E")"
[ "$(q "$E" '[r["http"]["status"] for r in recs if r["event_type"] == "http" and "http2" not in r["http"]]')" = '[101]' ] ||
    fail "the HTTP/1 upgrade request"
[ "$(q "$E" '[r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert"]')" = '[9200013]' ] ||
    fail "h2c alerts: $(grep '"alert"' "$E")"

# DNS over HTTP/2: POST and GET queries and the answer become dns records; the flow is doh2.
run h2-doh "$WORK/d"
E=$WORK/d/eve.json
[ "$(q "$E" 'sorted((r["dns"]["type"], r["dns"]["queries"][0]["rrname"], r["dns"].get("grouped", {}).get("NS", [])) for r in recs if r["event_type"] == "dns")')" = \
  '[["request", "example.com", []], ["request", "example.com", []], ["response", "example.com", ["b.iana-servers.net"]]]' ] ||
    fail "doh dns records: $(grep '"dns"' "$E")"
[ "$(q "$E" '[(r["app_proto"], r["app_proto_orig"]) for r in recs if r["event_type"] == "flow"]')" = '[["doh2", "http2"]]' ] ||
    fail "doh flow: $(grep '"flow"' "$E")"
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = '[9200015, 9200015, 9200016]' ] ||
    fail "dns rules on DoH: $(grep '"alert"' "$E")"

# Malformed: events, and the parser goes on.
run h2-bad "$WORK/b"
E=$WORK/b/eve.json
[ "$(q "$E" 'sorted(set(r["anomaly"]["event"] for r in recs if r["event_type"] == "anomaly"))')" = \
  '["data_stream_zero", "invalid_frame_length", "invalid_header"]' ] ||
    fail "bad input anomalies: $(grep '"anomaly"' "$E")"
[ "$(q "$E" 'sorted(set(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert"))')" = '[2290003, 2290004, 2290018]' ] ||
    fail "event rules: $(grep '"alert"' "$E")"
[ "$(stat "$E" app_layer.error.http2.parser)" = 0 ] || fail "parser errors counted"

# Same output in every runmode.
for rm in workers autofp; do
    run h2-prior "$WORK/$rm" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r.get("tx_id"), r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "http"))')" = \
      "$(q "$WORK/a/eve.json" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r.get("tx_id"), r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "http"))')" ] ||
        fail "runmode $rm differs"
done
echo "ok: http2 scenarios"
