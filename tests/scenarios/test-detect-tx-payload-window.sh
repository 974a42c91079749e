#!/usr/bin/env bash
# A transaction rule whose payload keywords (content before file_data) match
# data that went by in the stream before the transaction part is decided
# (tools/gen-tx-payload-window-capture.py): the payload part is looked for in
# the stream window of the tx's direction, as Suricata's stream engine among a
# tx rule's engines does. IDS and inline give one alert; a payload content
# that is not there still fails the rule; every runmode agrees.
. "$(dirname "$0")/lib.sh"
PCAP=$VG_SOURCE_DIR/tests/data/detect-app/tx-payload-window.pcap

cat >"$WORK/rules" <<'R'
alert tcp any any -> any any (msg:"payload and file_data"; content:"MARK-ONE"; file_data; content:"MARK-ONE"; sid:1;)
alert tcp any any -> any any (msg:"payload missing"; content:"NOT-THERE"; file_data; content:"MARK-ONE"; sid:2;)
alert http any any -> any any (msg:"http, to_client"; flow:established,to_client; content:"MARK-ONE"; file_data; content:"MARK-ONE"; sid:3;)
alert tcp any any -> any any (msg:"file_data only"; file_data; content:"MARK-ONE"; sid:4;)
R

sids() {
    python3 - "$1" <<'PY'
import json, sys
print(" ".join(str(r["alert"]["signature_id"]) for r in map(json.loads, open(sys.argv[1]))
               if r["event_type"] == "alert"))
PY
}

run() {
    local out=$1
    shift
    mkdir -p "$out"
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$PCAP" -S "$WORK/rules" -l "$out" \
        "$@" 2>"$WORK/err" || fail "vigil $*: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

for mode in ids ips; do
    args=()
    [ "$mode" = ips ] && args=(--simulate-ips)
    run "$WORK/$mode" "${args[@]}"
    got=$(sids "$WORK/$mode/eve.json" | tr ' ' '\n' | sort | tr '\n' ' ')
    [ "$got" = "1 3 4 " ] || fail "$mode: alerts '$got', want '1 3 4 '"
    for rm in autofp workers; do
        run "$WORK/$mode-$rm" "${args[@]}" --runmode "$rm"
        [ "$(sids "$WORK/$mode-$rm/eve.json")" = "$(sids "$WORK/$mode/eve.json")" ] ||
            fail "$mode, runmode $rm: alerts differ"
    done
done
echo ok
