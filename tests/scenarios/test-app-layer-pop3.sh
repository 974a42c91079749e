#!/usr/bin/env bash
# POP3 through the binary on a crafted capture (tools/gen-proto-captures.py): the
# greeting, USER/PASS (one -ERR), LIST with a body over two segments, RETR and DELE
# pipelined in one segment (a dot-stuffed body), QUIT. The flow is "pop3" although its
# client says USER, which FTP's pattern knows too; one pop3 record per command and its
# answer plus the greeting's; rules of protocol pop3 and app-layer-protocol:pop3 match;
# no anomaly; the same records in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer

run() {
    local out=$1
    shift
    mkdir -p "$out"
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/pop3.pcap" \
        -S "$DATA/pop3-scenario.rules" -l "$out" "$@" 2>"$WORK/err" ||
        fail "vigil failed: $(cat "$WORK/err")"
    grep -q Warning "$WORK/err" && fail "warnings: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

run "$WORK/a"
E=$WORK/a/eve.json
[ "$(q "$E" '[r["app_proto"] for r in recs if r["event_type"] == "flow"]')" = '["pop3"]' ] ||
    fail "flow: $(grep '"flow"' "$E")"
[ "$(q "$E" '[(r["pop3"].get("request", {}).get("command"), r["pop3"]["response"]["status"]) for r in recs if r["event_type"] == "pop3"]')" = \
  '[[null, "OK"], ["USER", "OK"], ["PASS", "ERR"], ["PASS", "OK"], ["LIST", "OK"], ["RETR", "OK"], ["DELE", "OK"], ["QUIT", "OK"]]' ] ||
    fail "pop3 records: $(grep '"pop3"' "$E")"
[ "$(q "$E" '[(r["pop3"]["request"]["args"], r["pop3"]["response"].get("data_lines")) for r in recs if r["event_type"] == "pop3" and r["pop3"].get("request", {}).get("command") in ("LIST", "RETR")]')" = \
  '[[[], 2], [["1"], 3]]' ] ||
    fail "bodies: $(grep '"pop3"' "$E")"
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = "[1, 2]" ] ||
    fail "alerts: $(q "$E" '[(r["pcap_cnt"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert"]')"
[ "$(q "$E" 'sum(r["event_type"] == "anomaly" for r in recs)')" = 0 ] || fail "anomalies: $(grep anomaly "$E")"
[ "$(stat "$E" app_layer.flow.pop3)" = 1 ] || fail "app_layer.flow.pop3 counter"
[ "$(stat "$E" app_layer.tx.pop3)" = 8 ] || fail "app_layer.tx.pop3 counter"

for rm in workers autofp; do
    run "$WORK/$rm" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" 'sorted(str(r["pop3"]) for r in recs if r["event_type"] == "pop3")')" = \
      "$(q "$E" 'sorted(str(r["pop3"]) for r in recs if r["event_type"] == "pop3")')" ] ||
        fail "runmode $rm differs"
done
echo ok
