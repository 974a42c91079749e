#!/usr/bin/env bash
# A TCP flow the stream engine keeps no session for (tests/data/stream/
# sessionless.pcap, tools/gen-stream-captures.py: RST/ACKs and data with no
# handshake, the first packet from the server): its state is the stream engine's alone, as in Suricata, so it
# stays "new" whatever its flags (the RSTs do not close it), and its flow
# record has the tcp object with no flags and no state. With
# stream.midstream the data packet starts a session and the RST after it
# closes it.
. "$(dirname "$0")/lib.sh"
CAP=$VG_SOURCE_DIR/tests/data/stream/sessionless.pcap
flow_of() {
    python3 - "$1" <<'PY'
import json, sys
f = [json.loads(l) for l in open(sys.argv[1]) if '"event_type":"flow"' in l]
assert len(f) == 1, f
r = f[0]
print(r["flow"]["state"], json.dumps(r.get("tcp"), sort_keys=True), r["flow"]["pkts_toserver"],
      r["flow"]["pkts_toclient"])
PY
}
expect_exit 0 "" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$CAP" -l "$WORK/a"
got=$(flow_of "$WORK/a/eve.json")
want='new {"tcp_flags": "00", "tcp_flags_tc": "00", "tcp_flags_ts": "00"} 2 1'
[ "$got" = "$want" ] || fail "no session: $got, want $want"
expect_exit 0 "" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$CAP" -l "$WORK/b" \
    --set stream.midstream=true
got=$(flow_of "$WORK/b/eve.json")
case $got in
closed*'"state": "closed"'*) ;;
*) fail "midstream: $got" ;;
esac
echo "stream sessionless: ok"
