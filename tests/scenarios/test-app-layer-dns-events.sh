#!/usr/bin/env bash
# DNS events through the binary with etc/rules/dns-events.rules (Suricata's names and
# sids) on a crafted capture (tools/gen-dns-captures.py, dns-events.pcap): a request cut
# inside its question is a malformed request only (2240002), also after the flow end
# forces its transaction done (no malformed-response 2240003); a client-bound message
# without the response bit is not_response (2240005, not not_request 2240004); the Z bit
# rule (no direction) fires once. Every runmode gives the same alerts.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer

want='[[53, 2240005], [33401, 2240002], [33403, 2240006]]'
for mode in single autofp workers; do
    out=$WORK/$mode
    mkdir -p "$out"
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none --runmode "$mode" \
        -r "$DATA/dns-events.pcap" -S "$VG_SOURCE_DIR/etc/rules/dns-events.rules" \
        -l "$out" 2>"$WORK/err" || fail "$mode: vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
    got=$(python3 - "$out/eve.json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(sorted([r["src_port"], r["alert"]["signature_id"]] for r in recs
                        if r["event_type"] == "alert")))
PY
)
    [ "$got" = "$want" ] || fail "$mode: alerts $got, want $want"
done
# The old names are refused like any unknown event, naming the rule's problem.
printf '%s\n' 'alert dns any any -> any any (app-layer-event:dns.not_a_request; sid:1;)' \
    >"$WORK/old.rules"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/dns-events.pcap" \
    -S "$WORK/old.rules" -l "$WORK" >"$WORK/old.out" 2>&1
grep -q "unknown app-layer-event 'dns.not_a_request'" "$WORK/old.out" ||
    fail "old name not refused: $(cat "$WORK/old.out")"
echo ok
