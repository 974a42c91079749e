#!/usr/bin/env bash
# The same capture and rules give the same alerts and the same flow records
# under single, autofp, workers and a custom pipeline with IPv4 and IPv6
# routed to different threads; the custom threads are logged at start-up.
. "$(dirname "$0")/lib.sh"
caps=("$SAMPLE" "$VG_SOURCE_DIR/tests/data/runmodes.pcap" "$VG_SOURCE_DIR/tests/data/tunnels.pcap")
cat >"$WORK/custom.yaml" <<'YAML'
include: CONF
threading:
  custom:
    - name: RX
      modules: [pcap-file, decode]
      threads: 1
      cpus: [0]
    - name: FL
      modules: [flow]
      threads: 2
      input: route-ip-version
    - name: DET
      modules: [stream, detect]
      threads: 2
      input: flow
      cpus: [0, 1]
    - name: OUT
      modules: [output]
      threads: 3
      input: simple
YAML
sed -i "s|CONF|$VG_SOURCE_DIR/etc/vigil.yaml|" "$WORK/custom.yaml"

summarise() { # eve.json -> sorted alert and flow lines without ids or order
    py "$1" <<'PY'
import json, sys
rows = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    t = r["event_type"]
    key = (r.get("src_ip"), r.get("src_port"), r.get("dest_ip"), r.get("dest_port"), r.get("proto"))
    if t == "alert":
        rows.append(("alert", r["alert"]["signature_id"], r.get("pcap_cnt")) + key)
    elif t == "flow":
        f = r["flow"]
        rows.append(("flow", f["pkts_toserver"], f["pkts_toclient"], f["bytes_toserver"],
                     f["bytes_toclient"], f["state"], f["reason"]) + key)
for row in sorted(rows, key=repr):
    print(row)
PY
}

for cap in "${caps[@]}"; do
    [ -f "$cap" ] || continue
    name=$(basename "$cap")
    for rm in single autofp workers custom; do
        args=(-c "$VG_SOURCE_DIR/etc/vigil.yaml")
        [ "$rm" = custom ] && args=(-c "$WORK/custom.yaml")
        "$VIGIL" "${args[@]}" --runmode "$rm" -r "$cap" -l "$WORK/$name-$rm" \
            --set threading.worker-threads=2 2>"$WORK/$name-$rm.log" ||
            fail "$rm on $name failed: $(cat "$WORK/$name-$rm.log")"
        eve_check "$WORK/$name-$rm/eve.json"
        summarise "$WORK/$name-$rm/eve.json" >"$WORK/$name-$rm.sum"
    done
    [ -s "$WORK/$name-single.sum" ] || fail "$name: no alerts or flows at all"
    for rm in autofp workers custom; do
        diff -u "$WORK/$name-single.sum" "$WORK/$name-$rm.sum" ||
            fail "$name: runmode $rm differs from single"
    done
done
log=$WORK/sample.pcap-custom.log
for t in 'RX#01: modules pcap-file,decode; cpus 0' 'FL#01: modules flow; cpus any' \
         'FL#02: modules flow' 'DET#02: modules stream,app-layer,detect; cpus 0,1' \
         'OUT#03: modules output' "group 'DET' runs app-layer after stream" \
         "'output' runs in group 'OUT', stream in 'DET'"; do
    grep -q "$t" "$log" || fail "custom pipeline log lacks '$t'"
done
echo "runmodes: ok"
