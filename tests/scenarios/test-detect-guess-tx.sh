#!/usr/bin/env bash
# Which transaction an alert of a packet or stream rule logs (Suricata's
# detect.guess-applayer-tx, detect.stream-tx-log-limit and its UDP rule), on
# tests/data/app-layer/http-upload.pcap (one POST and its response) and dns-udp.pcap:
# - guess off: a packet rule's alerts carry no tx;
# - guess on, inline: the alert on the request packet logs the request's tx
#   ("tx_id": 0, "tx_guessed": true, the http object); the later client packets,
#   once the request is complete, log none;
# - guess on, IDS: the request is parsed when the server acknowledges it, so the
#   client's next packet (7) is the one that logs it;
# - stream-tx-log-limit 0: nothing is logged;
# - a rule naming an app-layer protocol logs the UDP tx it matched, guess or not,
#   without tx_guessed.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
echo 'alert tcp any any -> any any (msg:"client packets"; flow:to_server,established; sid:1;)' \
    >"$WORK/pkt.rules"
echo 'alert dns any any -> any any (msg:"dns name"; content:"example"; sid:2;)' >"$WORK/dns.rules"

run() {
    local out=$1 pcap=$2 rules=$3
    shift 3
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/$pcap" -S "$rules" \
        -l "$out" "$@" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
}

alerts() {
    python3 - "$1" <<'PY'
import json, sys
out = []
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["event_type"] == "alert":
        out.append([r["pcap_cnt"], r.get("tx_id"), r.get("tx_guessed", False),
                    "http" in r or "dns" in r])
print(json.dumps(out))
PY
}

run "$WORK/off" http-upload.pcap "$WORK/pkt.rules" --simulate-ips
[ "$(alerts "$WORK/off/eve.json")" = \
  '[[4, null, false, false], [7, null, false, false], [8, null, false, false], [10, null, false, false]]' ] ||
    fail "guess off: $(alerts "$WORK/off/eve.json")"

run "$WORK/ips" http-upload.pcap "$WORK/pkt.rules" --simulate-ips --set detect.guess-applayer-tx=yes
[ "$(alerts "$WORK/ips/eve.json")" = \
  '[[4, 0, true, true], [7, null, false, false], [8, null, false, false], [10, null, false, false]]' ] ||
    fail "guess on, inline: $(alerts "$WORK/ips/eve.json")"

run "$WORK/ids" http-upload.pcap "$WORK/pkt.rules" --set detect.guess-applayer-tx=yes
[ "$(alerts "$WORK/ids/eve.json" | python3 -c 'import json,sys; print(json.dumps([a for a in json.load(sys.stdin) if a[1] is not None]))')" = \
  '[[7, 0, true, true]]' ] ||
    fail "guess on, IDS: $(alerts "$WORK/ids/eve.json")"

run "$WORK/lim" http-upload.pcap "$WORK/pkt.rules" --simulate-ips \
    --set detect.guess-applayer-tx=yes --set detect.stream-tx-log-limit=0
[ "$(alerts "$WORK/lim/eve.json")" = \
  '[[4, null, false, false], [7, null, false, false], [8, null, false, false], [10, null, false, false]]' ] ||
    fail "log limit 0: $(alerts "$WORK/lim/eve.json")"

run "$WORK/udp" dns-udp.pcap "$WORK/dns.rules"
[ "$(alerts "$WORK/udp/eve.json")" = \
  '[[1, 0, false, true], [2, 1, false, true], [3, 2, false, true]]' ] ||
    fail "udp app-layer rule: $(alerts "$WORK/udp/eve.json")"

expect_exit 1 "detect.stream-tx-log-limit" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none \
    -r "$DATA/dns-udp.pcap" -S "$WORK/dns.rules" -l "$WORK" --set detect.stream-tx-log-limit=300
echo "ok: guessed transactions"
