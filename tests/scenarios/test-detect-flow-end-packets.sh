#!/usr/bin/env bash
# Packet rules on the flow-end packets (tests/data/flow-end-packets.pcap, made by
# tools/make-flow-end-pcap.py), as on Suricata's flow timeout pseudo packets: the HTTP
# connection left open gets one packet per direction, which the app-layer rules that
# look at the flow alone match (protocol http); packet rules (protocol tcp:
# flow:established,to_client, dsize) never do, as Suricata 8's need a real packet;
# the closed connection gets none. Every runmode gives the same alerts.
. "$(dirname "$0")/lib.sh"
cap=$VG_SOURCE_DIR/tests/data/flow-end-packets.pcap
cat >"$WORK/t.rules" <<'R'
alert http any any -> any any (msg:"http flow"; sid:1;)
alert tcp any any -> any any (msg:"small"; dsize:<10; sid:2;)
alert tcp any 80 -> any any (msg:"to client established"; flow:established,to_client; sid:3;)
R
want='[[80, 41001, 1], [41001, 80, 1]]'
first=
for mode in single autofp workers; do
    out=$WORK/$mode
    mkdir -p "$out"
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none --runmode "$mode" -r "$cap" \
        -S "$WORK/t.rules" -l "$out" 2>"$WORK/err" || fail "$mode: vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
    got=$(python3 - "$out/eve.json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(sorted([r["src_port"], r["dest_port"], r["alert"]["signature_id"]] for r in recs
                        if r["event_type"] == "alert" and r["pkt_src"] == "stream (flow timeout)")))
PY
)
    [ "$got" = "$want" ] || fail "$mode: flow-end alerts $got, want $want"
    all=$(python3 - "$out/eve.json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(sorted([r["src_port"], r["alert"]["signature_id"], r["pkt_src"]] for r in recs
                        if r["event_type"] == "alert")))
PY
)
    [ -z "$first" ] || [ "$all" = "$first" ] || fail "$mode: other alerts than single"
    first=$all
done
echo ok
