#!/usr/bin/env bash
# Local flow bypass through the binary (captures from tools/gen-bypass-captures.py):
# the bypass keyword (TCP/HTTP and UDP), encryption-handling: bypass for SSH and TLS,
# stream.bypass at the reassembly depth. A bypassed flow's later packets are counted
# (flow_bypassed.local_pkts/_bytes, the flow's own counters) and nothing else: no
# alerts, no drops inline, no app-layer records; its flow record says state bypassed,
# bypass local. Same output in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/bypass
APP=$VG_SOURCE_DIR/tests/data/app-layer

run() {
    local pcap=$1 rules=$2 out=$3
    shift 3
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$pcap" -S "$rules" -l "$out" "$@" \
        2>"$WORK/err" || fail "$pcap: vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

# q FILE EXPR: EXPR over recs (the EVE records), printed as JSON.
alerts() { q "$1" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")'; }
flowstate() { q "$1" '[(r["flow"]["state"], r["flow"].get("bypass")) for r in recs if r["event_type"] == "flow"]'; }
bypassed() { echo "$(stat "$1" flow_bypassed.local_pkts)/$(stat "$1" flow_bypassed.local_bytes)"; }

# HTTP: /first matches the bypass rule on packet 7 (the tx is inspected there); the
# 7 packets after it (GET /second, its answer, the close: 374 bytes) are only counted.
run "$DATA/bypass-http.pcap" "$DATA/bypass.rules" "$WORK/http"
E=$WORK/http/eve.json
[ "$(alerts "$E")" = '[9300001]' ] || fail "http alerts: $(alerts "$E")"
[ "$(flowstate "$E")" = '[["bypassed", "local"]]' ] || fail "http flow: $(flowstate "$E")"
[ "$(bypassed "$E")" = 7/374 ] || fail "http bypass counters: $(bypassed "$E")"
[ "$(q "$E" '[r["flow"]["pkts_toserver"] + r["flow"]["pkts_toclient"] for r in recs if r["event_type"] == "flow"]')" = '[14]' ] ||
    fail "the flow's own counters stopped at the bypass"
[ "$(q "$E" '[r["http"]["url"] for r in recs if r["event_type"] == "http"]')" = '["/first"]' ] ||
    fail "http records: the second request was parsed after the bypass"
# Without the keyword the same rules see the second request, nothing is bypassed.
sed 's/ bypass;//' "$DATA/bypass.rules" >"$WORK/nobypass.rules"
run "$DATA/bypass-http.pcap" "$WORK/nobypass.rules" "$WORK/http0"
[ "$(alerts "$WORK/http0/eve.json")" = '[9300001, 9300002]' ] ||
    fail "http alerts without bypass: $(alerts "$WORK/http0/eve.json")"
[ "$(bypassed "$WORK/http0/eve.json")" = 0/0 ] || fail "bypass counted without bypass"
[ "$(flowstate "$WORK/http0/eve.json")" = '[["closed", null]]' ] ||
    fail "flow without bypass: $(flowstate "$WORK/http0/eve.json")"

# UDP: datagram 2 bypasses; the 4 "later" datagrams are neither alerted nor dropped,
# inline too (accepted), while without the keyword the drop rule drops all 4.
for mode in ids ips; do
    args=()
    [ "$mode" = ips ] && args=(--simulate-ips)
    run "$DATA/bypass-udp.pcap" "$DATA/bypass.rules" "$WORK/udp-$mode" "${args[@]}"
    E=$WORK/udp-$mode/eve.json
    [ "$(alerts "$E")" = '[9300003]' ] || fail "udp $mode alerts: $(alerts "$E")"
    [ "$(bypassed "$E")" = 4/140 ] || fail "udp $mode bypass counters: $(bypassed "$E")"
    [ "$(flowstate "$E")" = '[["bypassed", "local"]]' ] || fail "udp $mode flow: $(flowstate "$E")"
    lacks '"event_type":"drop"' "$E"
done
run "$DATA/bypass-udp.pcap" "$WORK/nobypass.rules" "$WORK/udp0" --simulate-ips
[ "$(q "$WORK/udp0/eve.json" 'len([r for r in recs if r["event_type"] == "drop"])')" = 4 ] ||
    fail "without bypass the later datagrams are not dropped"

# encryption-handling: bypass: once SSH (NEWKEYS both ways) or TLS (ChangeCipherSpec both
# ways) is encrypted, the rest of the connection is bypassed; the handshake is still
# logged. default keeps tracking the flow (no bypass).
run "$APP/ssh-22.pcap" "$APP/ssh-scenario.rules" "$WORK/ssh" \
    --set app-layer.protocols.ssh.encryption-handling=bypass
E=$WORK/ssh/eve.json
[ "$(bypassed "$E")" = 2/80 ] || fail "ssh bypass counters: $(bypassed "$E")"
[ "$(flowstate "$E")" = '[["bypassed", "local"]]' ] || fail "ssh flow: $(flowstate "$E")"
[ "$(q "$E" 'len([r for r in recs if r["event_type"] == "ssh"])')" = 1 ] || fail "ssh record lost"
grep -q "bypass: flows are not bypassed" "$WORK/err" && fail "the old notice is still printed"
run "$APP/ssh-22.pcap" "$APP/ssh-scenario.rules" "$WORK/ssh0"
[ "$(bypassed "$WORK/ssh0/eve.json")" = 0/0 ] || fail "ssh default bypassed"
[ "$(flowstate "$WORK/ssh0/eve.json")" = '[["closed", null]]' ] || fail "ssh default flow state"
run "$APP/tls-handshake.pcap" "$APP/tls-scenario.rules" "$WORK/tls" \
    --set app-layer.protocols.tls.encryption-handling=bypass
E=$WORK/tls/eve.json
[ "$(bypassed "$E")" = 4/197 ] || fail "tls bypass counters: $(bypassed "$E")"
[ "$(q "$E" 'len([r for r in recs if r["event_type"] == "tls"])')" = 1 ] || fail "tls record lost"

# stream.bypass: the to-server stream passes a 60-byte depth with GET /second (packet
# 8): the 6 packets after it are bypassed. Off (the default), depth only stops reassembly.
run "$DATA/bypass-http.pcap" "$WORK/nobypass.rules" "$WORK/depth" \
    --set stream.bypass=yes --set stream.reassembly.depth=60
[ "$(bypassed "$WORK/depth/eve.json")" = 6/290 ] ||
    fail "stream.bypass counters: $(bypassed "$WORK/depth/eve.json")"
run "$DATA/bypass-http.pcap" "$WORK/nobypass.rules" "$WORK/depth0" \
    --set stream.reassembly.depth=60
[ "$(bypassed "$WORK/depth0/eve.json")" = 0/0 ] || fail "depth bypassed with stream.bypass off"

# The keyword cannot go with filestore (as in Suricata): the rule is refused by name.
echo 'alert http any any -> any any (filestore; bypass; sid:9300010;)' >"$WORK/fs.rules"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -T -S "$WORK/fs.rules" >"$WORK/fs.out" 2>&1
grep -q "sid 9300010: bypass cannot be used with filestore" "$WORK/fs.out" ||
    fail "bypass with filestore: $(cat "$WORK/fs.out")"

# Same alerts and counters in every runmode.
for rm in workers autofp; do
    run "$DATA/bypass-http.pcap" "$DATA/bypass.rules" "$WORK/http-$rm" --runmode "$rm"
    [ "$(alerts "$WORK/http-$rm/eve.json")/$(bypassed "$WORK/http-$rm/eve.json")" = \
      "$(alerts "$WORK/http/eve.json")/$(bypassed "$WORK/http/eve.json")" ] ||
        fail "runmode $rm differs (http)"
    run "$DATA/bypass-udp.pcap" "$DATA/bypass.rules" "$WORK/udp-$rm" --runmode "$rm"
    [ "$(alerts "$WORK/udp-$rm/eve.json")/$(bypassed "$WORK/udp-$rm/eve.json")" = \
      "$(alerts "$WORK/udp-ids/eve.json")/$(bypassed "$WORK/udp-ids/eve.json")" ] ||
        fail "runmode $rm differs (udp)"
done
echo "ok: bypass scenarios"
