#!/usr/bin/env bash
# HTTP edge cases through the binary on crafted captures (tools/gen-http-edge-captures.py):
# a one-sided server capture (stream.async-oneside), directions that disagree on the
# protocol, and the EVE http object's fields.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer

run() {
    local pcap=$1 out=$2
    shift 2
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/$pcap.pcap" -l "$out" "$@" \
        2>"$WORK/err" || fail "$pcap: vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

# q FILE EXPR: a python expression over the records, as compact JSON.
# One-sided capture: with async-oneside the SYN/ACK starts the session and responses
# with no request seen are transactions of their own.
cat >"$WORK/oneside.rules" <<'EOF2'
alert http any any -> any any (msg:"World"; file.data; content:"World"; sid:1;)
alert http any any -> any any (msg:"People"; file.data; content:"People"; sid:2;)
EOF2
run http-oneside "$WORK/os" -S "$WORK/oneside.rules" --set stream.async-oneside=true
E=$WORK/os/eve.json
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = '[1, 2]' ] ||
    fail "one-sided responses: alerts $(grep '"alert"' "$E")"
[ "$(q "$E" '[(r["tx_id"], r["http"]["status"]) for r in recs if r["event_type"] == "http"]')" = '[[0, 200], [1, 200]]' ] ||
    fail "one-sided responses: http records $(grep '"http"' "$E")"
# Without async-oneside nothing of it is parsed.
run http-oneside "$WORK/os2" -S "$WORK/oneside.rules"
[ "$(q "$WORK/os2/eve.json" '[r for r in recs if r["event_type"] in ("alert", "http")]')" = '[]' ] ||
    fail "one-sided capture parsed without async-oneside"

# An HTTP request answered by an SSH banner: the mismatch event fires (as Suricata's
# applayer_mismatch_protocol_both_directions rule), app_proto stays http and the
# flow record names the server side's protocol.
cat >"$WORK/mm.rules" <<'EOF2'
alert ip any any -> any any (msg:"mismatch"; flow:established; app-layer-event:applayer_mismatch_protocol_both_directions; sid:10;)
alert tcp any any -> any any (msg:"ssh server"; app-layer-protocol:ssh,to_client; sid:11;)
alert tcp any any -> any any (msg:"http client, ssh server"; flow:to_client; app-layer-protocol:http1,to_server; app-layer-protocol:ssh,to_client; sid:12;)
EOF2
run http-mismatch "$WORK/mm" -S "$WORK/mm.rules"
E=$WORK/mm/eve.json
# PD-only rules (sids 11, 12) match on a packet of the direction whose detection
# ended, as Suricata's per-direction "detection done" packet flag: each side is
# parsed when the peer acknowledges it, so the client side shows on the client's
# next packet (7) and the server side on the server's next packet (9, its FIN).
[ "$(q "$E" '[(r["pcap_cnt"], r["alert"]["signature_id"], r["direction"]) for r in recs if r["event_type"] == "alert"]')" = '[[7, 10, "to_server"], [7, 11, "to_server"], [9, 11, "to_client"], [9, 12, "to_client"]]' ] ||
    fail "mismatch: alerts $(grep '"alert"' "$E")"
[ "$(q "$E" '[(r["app_proto"], r.get("app_proto_tc")) for r in recs if r["event_type"] == "flow"]')" = '[["http", "ssh"]]' ] ||
    fail "mismatch: flow record $(grep '"flow"' "$E")"
[ "$(stat "$E" app_layer.detect.mismatch)" = 1 ] || fail "app_layer.detect.mismatch counter"
# Agreeing sides raise nothing (the basic capture: GET answered by HTTP/1.1).
run http-basic "$WORK/ok" -S "$WORK/mm.rules"
[ "$(q "$WORK/ok/eve.json" '[r for r in recs if r["event_type"] == "alert"]')" = '[]' ] ||
    fail "agreeing directions raised a mismatch"

# The http object: the extended set (method, protocol, status, length) but no other
# header unless named in custom (Suricata's fields).
run http-basic "$WORK/obj"
[ "$(q "$WORK/obj/eve.json" 'sorted([r for r in recs if r["event_type"] == "http"][0]["http"])')" = '["hostname", "http_content_type", "http_method", "http_refer", "http_user_agent", "length", "protocol", "status", "url"]' ] ||
    fail "http object keys: $(grep '"http"' "$WORK/obj/eve.json" | head -1)"
# Records written for a flow (http, fileinfo, flow) carry ip_v as packet records do.
[ "$(q "$WORK/obj/eve.json" 'sorted(set((r["event_type"], r.get("ip_v")) for r in recs if r["event_type"] in ("http", "fileinfo", "flow")))')" = '[["fileinfo", 4], ["flow", 4], ["http", 4]]' ] ||
    fail "ip_v on flow records: $(grep -v stats "$WORK/obj/eve.json")"
# A space inside the uri is part of it; http.uri has the query's %XX decoded ('+'
# stays), http.uri.raw keeps them; base64_decode on the decoded query.
cat >"$WORK/uri.rules" <<'EOF2'
alert http any any -> any any (msg:"space"; http.uri; content:"/a b?"; startswith; sid:20;)
alert http any any -> any any (msg:"query"; http.uri; content:"x=Zm9v YmFy&k=A+c"; endswith; sid:21;)
alert http any any -> any any (msg:"raw"; http.uri.raw; content:"%20YmFy&k=%41+c"; sid:22;)
alert http any any -> any any (msg:"b64"; http.uri; content:"x="; base64_decode:relative; base64_data; content:"foo"; startswith; sid:23;)
alert http any any -> any any (msg:"b64 bytes"; http.uri; content:"x="; base64_decode:bytes 2, relative; base64_data; content:"foo"; sid:24;)
EOF2
run http-uri "$WORK/uri" -S "$WORK/uri.rules"
E=$WORK/uri/eve.json
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = '[20, 21, 22, 23]' ] ||
    fail "uri: alerts $(grep '"alert"' "$E")"
[ "$(q "$E" '[r["http"]["url"] for r in recs if r["event_type"] == "http"]')" = '["/a b?x=Zm9v%20YmFy&k=%41+c"]' ] ||
    fail "uri: url $(grep '"http"' "$E")"
# fileinfo "sid": the filestore rules that matched the file's tx, per file direction.
cat >"$WORK/fs.rules" <<'EOF2'
alert http any any -> any any (msg:"resp"; file.data; content:"ok"; filestore; sid:77;)
alert http any any -> any any (msg:"req"; http.method; content:"POST"; filestore; sid:78;)
alert http any any -> any any (msg:"req again"; http.uri; content:"/upload"; filestore; sid:79;)
alert http any any -> any any (msg:"no store"; http.uri; content:"/upload"; sid:80;)
EOF2
run http-upload "$WORK/fs" -S "$WORK/fs.rules"
grep -q 'depends on the file-store output log which is not enabled' "$WORK/err" ||
    fail "no warning for filestore rules without the file-store output: $(cat "$WORK/err")"
[ "$(q "$WORK/fs/eve.json" '[(r["fileinfo"]["filename"], r["fileinfo"]["sid"]) for r in recs if r["event_type"] == "fileinfo"]')" = '[["a.txt", [78, 79]], ["/upload", [77]]]' ] ||
    fail "fileinfo sid lists: $(grep fileinfo "$WORK/fs/eve.json")"
run http-upload "$WORK/nofs" -S "$WORK/uri.rules"
! grep -q 'file-store' "$WORK/err" || fail "file-store warning without filestore rules"

# Not inline, a drop rule whose scope is the flow (a protocol rule) still ends the
# flow's inspection as Suricata's flow drop does in IDS mode: one alert, not one
# per later packet; the flow record says "drop"; the app layer goes on (the http
# record is written); nothing is dropped (no ips counters move).
echo 'drop http any any -> any any (msg:"drop http"; sid:30;)' >"$WORK/drop.rules"
run http-basic "$WORK/drop" -S "$WORK/drop.rules"
E=$WORK/drop/eve.json
[ "$(q "$E" '[(r["alert"]["signature_id"], r["alert"]["action"]) for r in recs if r["event_type"] == "alert"]')" = '[[30, "allowed"]]' ] ||
    fail "IDS flow drop: alerts $(grep '"alert"' "$E")"
[ "$(q "$E" '[r["flow"].get("action") for r in recs if r["event_type"] == "flow"]')" = '["drop"]' ] ||
    fail "IDS flow drop: flow record $(grep '"flow"' "$E")"
[ "$(q "$E" '[r["http"]["status"] for r in recs if r["event_type"] == "http"]')" = '[200, 404]' ] ||
    fail "IDS flow drop: http record $(grep '"http"' "$E")"
# ... and its end inspects nothing either: the response no packet acknowledged is
# seen only at flow end, where the dropped flow's rules stay quiet.
printf '%s\n' 'drop http any any -> any any (msg:"drop http"; sid:30;)' \
    'alert tcp any any -> any any (msg:"404 seen"; flow:to_client; content:"404 Not"; sid:31;)' \
    >"$WORK/drop2.rules"
run http-unacked "$WORK/drop2" -S "$WORK/drop2.rules"
[ "$(q "$WORK/drop2/eve.json" '[r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert"]')" = '[30]' ] ||
    fail "IDS flow drop at flow end: $(grep '"alert"' "$WORK/drop2/eve.json")"
echo ok
