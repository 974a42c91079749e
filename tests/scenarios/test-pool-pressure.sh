#!/usr/bin/env bash
# A decode stage in a thread of its own (custom pipeline) with the smallest
# packet pool: the reader can fill the decode queue with every pool packet,
# and the tunnel and reassembled packets decode makes must not wait for a
# pool packet (they would wait for themselves). Each run ends within its
# time limit and gives the records of the single runmode.
. "$(dirname "$0")/lib.sh"
cat >"$WORK/custom.yaml" <<YAML
include: $VG_SOURCE_DIR/etc/vigil.yaml
max-pending-packets: 16
threading:
  custom:
    - name: RX
      modules: [pcap-file]
    - name: DEC
      modules: [decode]
      input: simple
    - name: W
      modules: [flow, stream, app-layer, detect, verdict, output]
      threads: 2
      input: flow
YAML
echo 'alert ip any any -> any any (msg:"any ip"; sid:1; rev:1;)' >"$WORK/r.rules"
norm() { python3 "$VG_SOURCE_DIR/tools/eve-normalise.py" --sort --cross "$1"; }
for cap in tunnels.pcap determinism.pcap; do
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -S "$WORK/r.rules" -r "$VG_SOURCE_DIR/tests/data/$cap" \
        -l "$WORK/single-$cap" -k none >/dev/null 2>&1 || fail "single run on $cap"
    for i in 1 2 3 4 5; do
        timeout -k 5 60 "$VIGIL" -c "$WORK/custom.yaml" -S "$WORK/r.rules" --runmode custom \
            -r "$VG_SOURCE_DIR/tests/data/$cap" -l "$WORK/c-$cap-$i" -k none >"$WORK/err" 2>&1
        rc=$?
        [ "$rc" -eq 124 ] && fail "custom run $i on $cap hung (pool exhausted?)"
        [ "$rc" -eq 0 ] || fail "custom run $i on $cap exited $rc: $(tail -3 "$WORK/err")"
        cmp -s <(norm "$WORK/single-$cap/eve.json") <(norm "$WORK/c-$cap-$i/eve.json") ||
            fail "custom run $i on $cap differs from single"
    done
done
echo "pool pressure: ok"
