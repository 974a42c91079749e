#!/usr/bin/env bash
# defrag.memcap-policy (and the exception-policy master switch) on fragments the
# defrag memcap refuses: tests/data/defrag-overlap.pcap (4 IPv4 and 4 IPv6
# fragments, tools/make-defrag-pcap.py) with a defrag.memcap too small for any
# tracker, inline (--simulate-ips) and in IDS mode. The policy applies to the
# packet only (a refused fragment has no flow): drop-flow acts as drop-packet and
# pass-flow/bypass as pass-packet; drops are IPS-only, as Suricata's policies.
# Then defrag.trackers-policy and defrag.max-frags-policy on fragments the
# trackers and max-frags limits refuse (drop reason "defrag error").
. "$(dirname "$0")/lib.sh"
cap=$VG_SOURCE_DIR/tests/data/defrag-overlap.pcap
[ -f "$cap" ] || fail "$cap is missing (tools/make-defrag-pcap.py makes it)"
cat >"$WORK/t.rules" <<'R'
alert ip any any -> any any (msg:"any ip"; sid:1;)
R
run() { # run NAME ARGS...: vigil on the capture, output in $WORK/NAME
    local name=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$cap" -S "$WORK/t.rules" -l "$WORK/$name" \
        -k none "$@" 2>"$WORK/$name.err" || fail "$name: vigil failed: $(cat "$WORK/$name.err")"
    eve_check "$WORK/$name/eve.json"
}
# summary NAME: "<drops> <drop reasons> <alerts> <reassembled> <defrag.memcap> <policy counters>"
summary() {
    py "$WORK/$1/eve.json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
kinds = lambda k: [r for r in recs if r["event_type"] == k]
stats = kinds("stats")[-1]["stats"]
pol = stats.get("exception_policy", {}).get("defrag", {})
used = ",".join(f"{t}.{k}={v}" for t, c in sorted(pol.items()) for k, v in sorted(c.items())
                if v) or "-"
reasons = ",".join(sorted({r["drop"]["reason"] for r in kinds("drop")})) or "-"
d = stats["defrag"]
print(len(kinds("drop")), reasons, len(kinds("alert")),
      d["ipv4"]["reassembled"] + d["ipv6"]["reassembled"], d["memcap"], used)
PY
}
expect() { # expect NAME WANT
    local got
    got=$(summary "$1")
    [ "$got" = "$2" ] || fail "$1: got '$got', expected '$2'"
}
TINY=(--set defrag.memcap=1)

run dropp --simulate-ips "${TINY[@]}" --set defrag.memcap-policy=drop-packet
expect dropp "8 defrag memcap 0 0 8 memcap.drop_packet=8"
run dropf --simulate-ips "${TINY[@]}" --set defrag.memcap-policy=drop-flow   # no flow: the packet
expect dropf "8 defrag memcap 0 0 8 memcap.drop_packet=8"
run master --simulate-ips "${TINY[@]}" --set exception-policy=reject
expect master "8 defrag memcap 0 0 8 memcap.reject=8"
run passp --simulate-ips "${TINY[@]}" --set defrag.memcap-policy=pass-packet  # no detection
expect passp "0 - 0 0 8 memcap.pass_packet=8"
run ids "${TINY[@]}" --set defrag.memcap-policy=drop-packet                   # IDS: ignored
expect ids "0 - 8 0 8 -"
run auto --simulate-ips "${TINY[@]}"                           # not set: auto, the packet inline
expect auto "8 defrag memcap 0 0 8 memcap.drop_packet=8"
run ignore --simulate-ips "${TINY[@]}" --set exception-policy=ignore
expect ignore "0 - 8 0 8 -"
grep -q '"exception_policy"' "$WORK/ignore/eve.json" && fail "ignore: policy counters written"

# A memcap with room: both datagrams rebuilt (each alerts too), no refusal, no policy.
run room --simulate-ips --set defrag.memcap-policy=drop-packet
expect room "0 - 10 2 0 -"

# The limits: max-frags 2 keeps the first two IPv4 fragments (the datagram never
# completes, its tracker stays), refuses the other two; trackers 1 then refuses
# every IPv6 fragment (a new datagram). Each limit has its own policy.
LIMITS=(--set defrag.trackers=1 --set defrag.max-frags=2)
run limits --simulate-ips "${LIMITS[@]}" --set defrag.trackers-policy=drop-packet \
    --set defrag.max-frags-policy=pass-packet
expect limits "4 defrag error 2 0 0 max_frags.pass_packet=2,trackers.drop_packet=4"
run limits2 --simulate-ips "${LIMITS[@]}" --set defrag.trackers-policy=pass-packet \
    --set defrag.max-frags-policy=reject
expect limits2 "2 defrag error 2 0 0 max_frags.reject=2,trackers.pass_packet=4"
run limits_master --simulate-ips "${LIMITS[@]}" --set exception-policy=drop-flow
expect limits_master "6 defrag error 2 0 0 max_frags.drop_packet=2,trackers.drop_packet=4"
run limits_ids "${LIMITS[@]}" --set defrag.trackers-policy=drop-packet \
    --set defrag.max-frags-policy=drop-packet                             # IDS: ignored
expect limits_ids "0 - 8 0 0 -"
py "$WORK/limits/eve.json" <<'PY' || fail "limits: counters are wrong"
import json, sys
s = [json.loads(l) for l in open(sys.argv[1]) if '"stats"' in l][-1]["stats"]
check(s["defrag"]["max_frags_reached"] == 2 and s["defrag"]["max_trackers_reached"] == 4, s["defrag"])
check(s["ips"]["drop_reason"]["defrag_error"] == 4, s["ips"])
PY

expect_exit 1 "defrag.max-frags-policy.*drop-everything" \
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -T -S "$WORK/t.rules" \
    --set defrag.max-frags-policy=drop-everything
expect_exit 1 "defrag.trackers-policy.*drop-everything" \
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -T -S "$WORK/t.rules" \
    --set defrag.trackers-policy=drop-everything
expect_exit 1 "defrag.memcap-policy.*drop-everything" \
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -T -S "$WORK/t.rules" \
    --set defrag.memcap-policy=drop-everything
echo "defrag memcap policy: ok"
