#!/usr/bin/env bash
# Industrial protocols through the binary on crafted captures (tools/gen-ics-captures.py):
# DNP3 over TCP and UDP port 20000: one EVE dnp3 record per message (confirms excepted)
# with link and application headers, objects, points and indications; dnp3_func /
# dnp3.ind / dnp3_obj / dnp3_data alerts carrying the dnp3 object, a to_client rule not
# matching a request; bad_link_crc, unknown_object and len_too_small through
# etc/rules/dnp3-events.rules; app_proto dnp3 on flow records; the same output in every
# runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/ics.rules
cat "$DATA/ics-scenario.rules" "$VG_SOURCE_DIR/etc/rules/dnp3-events.rules" >"$RULES"

run() {
    local pcap=$1 out=$2
    shift 2
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/$pcap.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "$pcap: vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

run dnp3-tcp "$WORK/t"
py "$WORK/t/eve.json" <<'PY'
import json
recs = [json.loads(l) for l in open(sys.argv[1])]
d = [r["dnp3"] for r in recs if r["event_type"] == "dnp3"]
check([x["type"] for x in d] == ["request", "response", "request", "response", "request",
                                  "response"], "dnp3 record types", d)
check(d[0]["application"]["function_code"] == 1 and d[0]["src"] == 1 and d[0]["dst"] == 10,
      "read request", d[0])
check(d[0]["application"]["objects"][0]["group"] == 60, "class 0 object", d[0])
check(d[1]["iin"]["indicators"] == ["device_restart"], "iin", d[1])
pts = d[1]["application"]["objects"][0]["points"]
check([(p["index"], p["value"], p["online"], p["restart"]) for p in pts] ==
      [(0, 42, 1, 0), (1, -2, 1, 1)], "analog points", pts)
check(d[2]["application"]["function_code"] == 2 and
      d[2]["application"]["objects"][0]["count"] == 3, "reassembled write", d[2])
check(d[4]["application"] == {"complete": False}, "bad crc frame has no application", d[4])
alerts = sorted((r["alert"]["signature_id"], r["tx_id"], "dnp3" in r)
                for r in recs if r["event_type"] == "alert")
check(alerts == [(2270002, 4, True), (2270004, 5, True), (9120001, 0, True),
                 (9120002, 1, True), (9120003, 1, True), (9120004, 2, True)], "alerts", alerts)
flows = [r.get("app_proto") for r in recs if r["event_type"] == "flow"]
check(flows == ["dnp3"], "flow app_proto", flows)
PY
[ $? = 0 ] || fail "dnp3 over TCP"

run dnp3-udp "$WORK/u"
py "$WORK/u/eve.json" <<'PY'
import json
recs = [json.loads(l) for l in open(sys.argv[1])]
d = [r["dnp3"]["type"] for r in recs if r["event_type"] == "dnp3"]
check(d == ["request", "response", "request"], "udp records", d)
alerts = sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")
check(alerts == [2270001, 9120001, 9120002, 9120003], "udp alerts", alerts)
check([(r["proto"], r.get("app_proto")) for r in recs if r["event_type"] == "flow"] ==
      [("UDP", "dnp3")], "udp flow")
PY
[ $? = 0 ] || fail "dnp3 over UDP"

# The same records and alerts in every runmode.
key='sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r.get("tx_id", -1), r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "dnp3"))'
want=$(py "$WORK/t/eve.json" <<PY
import json
recs = [json.loads(l) for l in open(sys.argv[1])]
print($key)
PY
)
for rm in workers autofp; do
    run dnp3-tcp "$WORK/$rm" --runmode "$rm"
    got=$(py "$WORK/$rm/eve.json" <<PY
import json
recs = [json.loads(l) for l in open(sys.argv[1])]
print($key)
PY
)
    [ "$got" = "$want" ] || fail "runmode $rm differs: $got vs $want"
done
echo "ok"
