#!/usr/bin/env bash
# Overlap evasion per target policy (captures from tools/gen-stream-captures.py):
# the stream engine must reassemble what the target host keeps. Checked now:
# overlap counters, the flow record's tcp object, and that the rule matching
# the target's view alerts and the decoy's does not.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/stream
cat >"$WORK/evasion.rules" <<'R'
alert tcp any any -> any 80 (msg:"target view evil"; flow:to_server,established; content:"GET /evil"; sid:1; rev:1;)
alert tcp any any -> any 80 (msg:"decoy view good"; flow:to_server,established; content:"GET /good"; sid:2; rev:1;)
R

# run CAPTURE POLICY EXPECTED_SID
run() {
    local pcap=$1 policy=$2 want=$3 out="$WORK/out-$1-$2"
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -S "$WORK/evasion.rules" \
        --set "host-os-policy.default=$policy" -r "$DATA/$pcap.pcap" -l "$out" \
        2>"$WORK/err" || fail "$pcap/$policy: vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
    [ "$(stat "$out/eve.json" tcp.overlap)" -ge 1 ] || fail "$pcap/$policy: no overlap counted"
    [ "$(stat "$out/eve.json" tcp.overlap_diff_data)" -ge 1 ] ||
        fail "$pcap/$policy: different data not counted"
    grep '"event_type":"flow"' "$out/eve.json" | grep -q '"tcp":{.*"state":"closed"' ||
        fail "$pcap/$policy: flow record lacks the closed tcp state"
    local sids
    sids=$(grep -o '"signature_id":[0-9]*' "$out/eve.json" | sort -u | cut -d: -f2 |
        tr '\n' ' ')
    [ "$sids" = "$want " ] || fail "$pcap/$policy: alerts '$sids', want '$want '"
}

for pol in first vista bsd-right; do run overlap-before "$pol" 2; done
for pol in bsd linux old-linux windows windows2k3 solaris hpux10 hpux11 irix macos last; do
    run overlap-before "$pol" 1
done
for pol in linux old-linux solaris hpux11 last; do run overlap-samestart "$pol" 1; done
for pol in bsd first windows vista macos; do run overlap-samestart "$pol" 2; done
echo "stream-overlap: ok"
