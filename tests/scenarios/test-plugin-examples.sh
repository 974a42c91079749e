#!/usr/bin/env bash
# The example plugins through the real binary on a crafted capture
# (tests/data/plugins/memcached.pcap, tools/gen-plugin-captures.py):
# - stream-bytes (stream consumer): reassembled bytes per direction, gap bytes
#   and closes of each TCP flow in its flow record, equal to the capture's;
# - memcached (app-layer parser): app_proto, one EVE record per tx, rules on
#   its buffers memcached.key and memcached.command;
# - entropy (keyword) on the payload and on the parser's buffer;
# the same in every runmode (2 worker threads); and without the plugins the
# rule file is refused, naming the missing keyword.
. "$(dirname "$0")/lib.sh"
: "${VG_BUILD_DIR:?}"
cap=$VG_SOURCE_DIR/tests/data/plugins/memcached.pcap
rules=$VG_SOURCE_DIR/tests/data/plugins/plugins.rules
for p in stream-bytes memcached entropy; do
    [ -f "$VG_BUILD_DIR/plugins/$p.so" ] || fail "example plugin not built: $p.so"
done
cat >"$WORK/plugins.yaml" <<YAML
include: $VG_SOURCE_DIR/etc/vigil.yaml
plugins:
  - $VG_BUILD_DIR/plugins/stream-bytes.so
  - path: $VG_BUILD_DIR/plugins/memcached.so
    required: yes
  - $VG_BUILD_DIR/plugins/entropy.so
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      types:
        - alert
        - flow
        - memcached
YAML

run() { # run NAME RUNMODE
    "$VIGIL" -c "$WORK/plugins.yaml" --strict-config -S "$rules" -r "$cap" -l "$WORK/$1" \
        --runmode "$2" --set threading.worker-threads=2 2>"$WORK/$1.log" ||
        fail "$1: vigil failed: $(cat "$WORK/$1.log")"
    eve_check "$WORK/$1/eve.json"
}
run single single
for p in stream-bytes memcached entropy; do
    grep -q "plugin $p 1.0 loaded" "$WORK/single.log" || fail "plugin $p: load not logged"
done
grep -q "5 rules successfully loaded, 0 rules failed" "$WORK/single.log" ||
    fail "rules did not all load: $(grep -i rule "$WORK/single.log")"

py "$WORK/single/eve.json" "$cap" <<'PY'
import json, sys
from collections import Counter
recs = [json.loads(l) for l in open(sys.argv[1])]
flows = {r["src_port"]: r for r in recs if r["event_type"] == "flow"}
check(set(flows) == {40001, 40002}, "flows", sorted(flows))
# Expected stream bytes from the capture itself (TCP payload per direction, each
# segment once; the lost 100 bytes of the second connection are its gap).
import struct
data = open(sys.argv[2], "rb").read()
off, want = 24, {40001: [0, 0], 40002: [0, 0]}
while off < len(data):
    incl = struct.unpack("<I", data[off + 8:off + 12])[0]
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    ihl = (pkt[0] & 15) * 4
    tcp = pkt[ihl:]
    sp, dp = struct.unpack(">HH", tcp[:4])
    plen = struct.unpack(">H", pkt[2:4])[0] - ihl - (tcp[12] >> 4) * 4
    if dp == 11211:
        want[sp][0] += plen
    else:
        want[dp][1] += plen
for port, (ts, tc) in want.items():
    sb = flows[port].get("stream_bytes")
    check(sb is not None, "no stream_bytes in flow record", port)
    check(sb["toserver"] == ts and sb["toclient"] == tc, "stream bytes", port, sb, ts, tc)
    check(sb["closed"] == 2, "closes", port, sb)
    check(flows[port]["app_proto"] == "memcached", "app_proto", flows[port].get("app_proto"))
check(flows[40001]["stream_bytes"]["gap_bytes"] == 0, "gap on the first connection")
check(flows[40002]["stream_bytes"]["gap_bytes"] == 100, "gap bytes",
      flows[40002]["stream_bytes"])
# One memcached record per tx, with the parser's fields.
mc = [(r["src_port"], r["tx_id"], r["memcached"]) for r in recs if r["event_type"] == "memcached"]
check(len(mc) == 5, "memcached records", mc)
m = {(p, t): o for p, t, o in mc}
check(m[(40001, 0)] == {"command": "set", "key": "secretkey", "bytes": 512, "noreply": False,
                        "reply": "STORED"}, "set tx", m[(40001, 0)])
check(m[(40001, 1)]["reply"] == "END" and m[(40001, 1)]["values"] == 1, "get tx", m[(40001, 1)])
check(m[(40001, 2)]["noreply"] is True and "reply" not in m[(40001, 2)], "noreply tx")
check(m[(40002, 0)]["command"] == "incr" and m[(40002, 0)]["reply"] == "2", "incr tx")
# after the 100 lost bytes the parser goes on (its gap callback): the request
# there is a tx, without a reply (none came before the end of the flow)
check(m[(40002, 1)] == {"command": "get", "key": "afterthegap", "noreply": False},
      "tx after the gap", m[(40002, 1)])
# Alerts: sid 1 on the set and the get (key secretkey); sid 2 once, on the first
# connection, whose to-server stream starts with 512 bytes of every value twice; sid 3 on every tx with a key (low
# entropy keys, 5 txs); sid 4 never; sid 5 on the delete.
alerts = Counter(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")
check(alerts == Counter({1: 2, 2: 1, 3: 5, 5: 1}), "alerts", dict(alerts))
sid2 = [r for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] == 2]
check(sid2[0]["src_port"] == 40001, "entropy alert flow", sid2[0]["src_port"])
tx_alert = [r for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] == 5]
check(tx_alert[0]["memcached"]["command"] == "delete", "alert carries the tx's object")
PY
[ $? -eq 0 ] || fail "single: records differ from what the capture holds"

# Every runmode gives the same records (worker threads run the plugins).
summary() {
    py "$1" <<'PY'
import json, sys
rows = []
for l in open(sys.argv[1]):
    r = json.loads(l)
    t = r["event_type"]
    if t == "alert":
        rows.append((t, r["alert"]["signature_id"], r.get("pcap_cnt"), r["src_port"]))
    elif t == "flow":
        rows.append((t, r["src_port"], json.dumps(r.get("stream_bytes"), sort_keys=True)))
    elif t == "memcached":
        rows.append((t, r["src_port"], r["tx_id"], json.dumps(r["memcached"], sort_keys=True)))
for row in sorted(rows, key=repr):
    print(row)
PY
}
summary "$WORK/single/eve.json" >"$WORK/single.sum"
for rm in autofp workers; do
    run "$rm" "$rm"
    summary "$WORK/$rm/eve.json" >"$WORK/$rm.sum"
    diff -u "$WORK/single.sum" "$WORK/$rm.sum" >&2 || fail "runmode $rm differs from single"
done

# Without the plugins the rules are refused, each naming what is missing.
expect_exit 1 "unsupported keyword 'entropy'" "$VIGIL" \
    -c "$VG_SOURCE_DIR/etc/vigil.yaml" -T -S "$rules" -l "$WORK/t"
expect_exit 1 "plugins.rules:4: sid 2: unsupported keyword 'entropy'" "$VIGIL" -v \
    -c "$VG_SOURCE_DIR/etc/vigil.yaml" -T -S "$rules" -l "$WORK/t"
printf '%s\n' "$out" | grep -q "plugins.rules:3: .*unknown protocol 'memcached'" ||
    fail "the memcached rule's refusal does not name it: $out"
printf '%s\n' "$out" | grep -q "5 rules failed" || fail "not every rule refused: $out"
# Only the keyword missing (the parser loaded): those rules name it.
cat >"$WORK/mc-only.yaml" <<YAML
include: $VG_SOURCE_DIR/etc/vigil.yaml
plugins:
  - $VG_BUILD_DIR/plugins/memcached.so
YAML
expect_exit 1 "plugins.rules:6: sid 4: unsupported keyword 'entropy'" "$VIGIL" -v -c "$WORK/mc-only.yaml" \
    -T -S "$rules" -l "$WORK/t1"
printf '%s\n' "$out" | grep -q "2 rules successfully loaded, 3 rules failed" ||
    fail "with the parser only, 2 rules load: $out"
# With them, the same file passes the test mode.
expect_exit 0 "configuration test passed" "$VIGIL" -c "$WORK/plugins.yaml" -T -S "$rules" \
    -l "$WORK/t2"
echo "plugin examples: ok"
