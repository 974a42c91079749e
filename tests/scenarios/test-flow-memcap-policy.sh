#!/usr/bin/env bash
# flow.memcap-policy (and the exception-policy master switch) on packets the
# flow memcap leaves without a flow: tests/data/midstream.pcap (4 TCP packets
# of one session, tools/make-midstream-pcap.py) with a flow.memcap that holds
# the hash and no flow at all, inline (--simulate-ips) and in IDS mode. With
# no flow, drop-flow acts as drop-packet and pass-flow/bypass as pass-packet;
# the drops are IPS-only (IDS mode ignores them), as Suricata's policies.
. "$(dirname "$0")/lib.sh"
cap=$VG_SOURCE_DIR/tests/data/midstream.pcap
[ -f "$cap" ] || fail "$cap is missing (tools/make-midstream-pcap.py makes it)"
cat >"$WORK/t.rules" <<'R'
alert tcp any any -> any any (msg:"any tcp"; sid:1;)
R
# hash-size 256: 4096 bytes of buckets; 4200 bytes leave room for no flow.
NOFLOW=(--set flow.hash-size=256 --set flow.memcap=4200 --set flow.prealloc=0)
run() { # run NAME ARGS...: vigil on the capture, output in $WORK/NAME
    local name=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$cap" -S "$WORK/t.rules" -l "$WORK/$name" \
        "${NOFLOW[@]}" "$@" 2>"$WORK/$name.err" || fail "$name: vigil failed: $(cat "$WORK/$name.err")"
    eve_check "$WORK/$name/eve.json"
}
# summary NAME: "<drops> <drop reasons> <alerts> <flow records> <flow.memcap> <policy counters>"
summary() {
    py "$WORK/$1/eve.json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
kinds = lambda k: [r for r in recs if r["event_type"] == k]
stats = kinds("stats")[-1]["stats"]
pol = stats.get("exception_policy", {}).get("flow", {}).get("memcap", {})
used = ",".join(f"{k}={v}" for k, v in sorted(pol.items()) if v) or "-"
reasons = ",".join(sorted({r["drop"]["reason"] for r in kinds("drop")})) or "-"
print(len(kinds("drop")), reasons, len(kinds("alert")), len(kinds("flow")),
      stats["flow"]["memcap"], used)
PY
}
expect() { # expect NAME WANT
    local got
    got=$(summary "$1")
    [ "$got" = "$2" ] || fail "$1: got '$got', expected '$2'"
}

run dropp --simulate-ips --set flow.memcap-policy=drop-packet
expect dropp "4 flow memcap 0 0 4 drop_packet=4"
run dropf --simulate-ips --set flow.memcap-policy=drop-flow      # no flow: the packet
expect dropf "4 flow memcap 0 0 4 drop_packet=4"
run master --simulate-ips --set exception-policy=reject
expect master "4 flow memcap 0 0 4 reject=4"
run passp --set flow.memcap-policy=pass-packet                   # no detection
expect passp "0 - 0 0 4 pass_packet=4"
run bypass --set flow.memcap-policy=bypass
expect bypass "0 - 0 0 4 pass_packet=4"
run ids --set flow.memcap-policy=drop-packet                     # IDS: ignored
expect ids "0 - 4 0 4 -"
run auto --simulate-ips                                  # not set: auto, the packet inline
expect auto "4 flow memcap 0 0 4 drop_packet=4"
run ignore --simulate-ips --set exception-policy=ignore
expect ignore "0 - 4 0 4 -"
grep -q '"exception_policy"' "$WORK/ignore/eve.json" && fail "ignore: policy counters written"

# A flow.memcap that holds flows: no policy, no refusal (the capture starts
# midstream: midstream pick-up is left alone here).
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$cap" -S "$WORK/t.rules" -l "$WORK/room" \
    --simulate-ips --set flow.memcap-policy=drop-packet \
    --set stream.midstream-policy=ignore 2>"$WORK/room.err" ||
    fail "room: vigil failed: $(cat "$WORK/room.err")"
expect room "0 - 4 1 0 -"

expect_exit 1 "flow.memcap-policy.*drop-everything" \
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -T -S "$WORK/t.rules" \
    --set flow.memcap-policy=drop-everything
echo "flow memcap policy: ok"
