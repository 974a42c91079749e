#!/usr/bin/env bash
# Inline stream inspection window (tests/data/inline-window.pcap, made by
# tools/make-inline-window-pcap.py), as Suricata's inline raw inspection: each client
# packet is inspected with the last chunk of in-order data ending with it.
# - "USER" and "PASS" 30 bytes apart in separate packets: the packet completing the
#   pair (pcap 8) alerts and is dropped, the flow's later packets both ways are
#   dropped with it ("flow drop").
# - a stream rule matching old data alerts again on each later packet whose window
#   still holds it (pcap 15, 17, 19).
# Every runmode gives the same. In IDS mode the capture alerts once per rule (no drop).
. "$(dirname "$0")/lib.sh"
cap=$VG_SOURCE_DIR/tests/data/inline-window.pcap
cat >"$WORK/t.rules" <<'R'
drop tcp any any -> any 9000 (msg:"user then pass"; content:"USER"; content:"PASS"; distance:0; sid:1;)
alert tcp any any -> any 9001 (msg:"marker"; content:"marker"; sid:2;)
R
summary() {
    python3 - "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(sorted([r["event_type"], r["pcap_cnt"], r.get("alert", {}).get("signature_id", 0),
                         r.get("drop", {}).get("reason", "")] for r in recs
                        if r["event_type"] in ("alert", "drop"))))
PY
}
want='[["alert", 8, 1, ""], ["alert", 15, 2, ""], ["alert", 17, 2, ""], ["alert", 19, 2, ""], ["drop", 8, 1, "rules"], ["drop", 9, 0, "flow drop"], ["drop", 10, 0, "flow drop"], ["drop", 11, 0, "flow drop"]]'
for mode in single autofp workers; do
    out=$WORK/ips-$mode
    mkdir -p "$out"
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none --simulate-ips --runmode "$mode" \
        -r "$cap" -S "$WORK/t.rules" -l "$out" 2>"$WORK/err" ||
        fail "ips $mode: vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
    got=$(summary "$out/eve.json")
    [ "$got" = "$want" ] || fail "ips $mode: $got, want $want"
done
mkdir -p "$WORK/ids"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$cap" -S "$WORK/t.rules" \
    -l "$WORK/ids" 2>"$WORK/err" || fail "ids: vigil failed: $(cat "$WORK/err")"
eve_check "$WORK/ids/eve.json"
n1=$(grep -c '"signature_id":1,' "$WORK/ids/eve.json")
n2=$(grep -c '"signature_id":2,' "$WORK/ids/eve.json")
[ "$n1" = 1 ] && [ "$n2" = 1 ] || fail "ids: sid 1 $n1 times, sid 2 $n2 times, want once each"
echo ok
