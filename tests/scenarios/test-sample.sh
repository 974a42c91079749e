#!/usr/bin/env bash
# The demo capture through the real binary with the default config and rules:
# per-protocol counters, decoder events, alerts, flows, fast.log, stats.log.
. "$(dirname "$0")/lib.sh"
out=$WORK/out
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$SAMPLE" -l "$out" 2>"$WORK/err" ||
    fail "vigil failed: $(cat "$WORK/err")"
eve=$out/eve.json
eve_check "$eve"
check() { # name expected
    local got; got=$(stat "$eve" "$1")
    [ "$got" = "$2" ] || fail "stats.$1 = $got, expected $2"
}
check decoder.pkts 17
check decoder.ipv4 15
check decoder.ipv6 2
check decoder.tcp 9
check decoder.udp 3
check decoder.icmpv4 2
check decoder.icmpv6 2
check decoder.vlan 1
check decoder.ethernet 17
check decoder.invalid 1
check decoder.event.ipv4.hlen_too_small 1
check flow.total 5
grep -q '"event_type":"flow"' "$eve" || fail "no flow records"
[ "$(grep -c '"event_type":"flow"' "$eve")" -eq 5 ] || fail "expected 5 flow records"
grep -q '"signature_id":9000001' "$eve" || fail "the id check rule did not alert"
grep -q '"signature_id":2200001' "$eve" || fail "the decoder event rule (hlen too small) did not alert"
grep -q '\[1:9000001:' "$out/fast.log" || fail "fast.log lacks the alert"
grep -q 'decoder.pkts' "$out/stats.log" || fail "stats.log lacks counters"
echo "sample: ok"
