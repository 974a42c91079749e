#!/usr/bin/env bash
# Frames (frame:<proto>.<type>) through the binary on the crafted captures of the other
# app-layer scenarios: SIP request/response lines, headers and pdus over UDP and TCP,
# ENIP headers, SMB2 headers of every message (compounded ones too) and DCERPC headers,
# SMTP command lines and message data; the alert's EVE frame object (type, id,
# direction, stream_offset over TCP only, length, payload, complete, tx_id) and the
# transaction object of frames tied to one; a bad frame type refuses its rule; the same
# alerts in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$DATA/frames-scenario.rules

run() {
    local pcap=$1 out=$2
    shift 2
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/$pcap.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "$pcap: vigil failed: $(cat "$WORK/err")"
    grep -q Warning "$WORK/err" && fail "$pcap: warnings: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

q() {
    python3 - "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = [r for r in recs if r["event_type"] == "alert"]
print(json.dumps(eval(sys.argv[2], {"recs": recs, "alerts": alerts}), sort_keys=True))
PY
}

run sip-udp "$WORK/su"
E=$WORK/su/eve.json
[ "$(q "$E" '[(r["pcap_cnt"], r["alert"]["signature_id"], r["frame"]["type"]) for r in alerts]')" = \
  '[[1, 1, "request.line"], [2, 2, "response.headers"]]' ] || fail "sip udp alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[alerts[0]["frame"][k] for k in ("payload_printable", "length", "complete", "direction")]')" = \
  '["INVITE sip:bob@example.org SIP/2.0\r\n", 36, true, "toserver"]' ] || fail "sip udp frame object: $(grep '"alert"' "$E")"
[ "$(q "$E" '["stream_offset" in r["frame"] for r in alerts]')" = '[false, false]' ] ||
    fail "udp frames have no stream offset"
[ "$(q "$E" '[r["tx_id"] == r["frame"]["tx_id"] and "sip" in r for r in alerts]')" = '[true, true]' ] ||
    fail "sip frames carry their tx"

run sip-tcp "$WORK/st"
E=$WORK/st/eve.json
[ "$(q "$E" '[(r["pcap_cnt"], r["alert"]["signature_id"], r["frame"]["stream_offset"], r["frame"]["length"], r["frame"]["tx_id"]) for r in alerts]')" = \
  '[[7, 8, 0, 215, 0], [8, 9, 0, 16, 1], [10, 9, 37, 16, 4]]' ] || fail "sip tcp alerts: $(grep '"alert"' "$E")"

run enip-tcp "$WORK/en"
E=$WORK/en/eve.json
[ "$(q "$E" '[(r["frame"]["type"], r["frame"]["direction"], r["frame"]["stream_offset"]) for r in alerts]')" = \
  '[["hdr", "toserver", 0], ["hdr", "toclient", 0], ["hdr", "toserver", 24], ["hdr", "toclient", 75], ["hdr", "toserver", 52], ["hdr", "toclient", 103], ["hdr", "toserver", 100]]' ] ||
    fail "enip alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" 'all("enip" in r for r in alerts if r["frame"]["direction"] == "toserver")')" = true ] ||
    fail "enip request frames carry their tx"

run smb-dcerpc "$WORK/sm"
E=$WORK/sm/eve.json
[ "$(q "$E" '[sum(1 for r in alerts if r["alert"]["signature_id"] == s) for s in (4, 5)]')" = '[24, 5]' ] ||
    fail "smb/dcerpc header frames: $(q "$E" '[r["alert"]["signature_id"] for r in alerts]')"
# a compound record: two SMB2 headers of one packet, at their own offsets
[ "$(q "$E" '[r["frame"]["stream_offset"] for r in alerts if r["pcap_cnt"] == 16]')" = '[548, 665]' ] ||
    fail "compounded smb2 messages"

run smtp-mime "$WORK/mt"
E=$WORK/mt/eve.json
[ "$(q "$E" '[(r["alert"]["signature_id"], r["frame"]["type"], r["frame"]["length"], r["frame"]["tx_id"], r["smtp"]["mail_from"]) for r in alerts]')" = \
  '[[6, "command_line", 31, 0, "<alice@example.com>"], [7, "data", 474, 0, "<alice@example.com>"]]' ] ||
    fail "smtp frames: $(grep '"alert"' "$E")"
[ "$(stat "$E" app_layer.frames.refused)" = 0 ] || fail "frames refused"

for rm in workers autofp; do
    run smb-dcerpc "$WORK/$rm" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" 'sorted((r["pcap_cnt"], r["alert"]["signature_id"], r["frame"]["id"]) for r in alerts)')" = \
      "$(q "$WORK/sm/eve.json" 'sorted((r["pcap_cnt"], r["alert"]["signature_id"], r["frame"]["id"]) for r in alerts)')" ] ||
        fail "runmode $rm differs"
done

# an unknown frame type refuses the rule, naming it
echo 'alert smb any any -> any any (frame:smb2.nope; content:"x"; sid:99;)' >"$WORK/bad.rules"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -T -S "$WORK/bad.rules" >"$WORK/out" 2>&1 &&
    fail "a bad frame type passed -T"
grep -q "smb2.nope" "$WORK/out" || fail "no reason for the refused frame rule: $(cat "$WORK/out")"
echo ok
