#!/usr/bin/env bash
# Industrial protocols through the binary on crafted captures (tools/gen-ics-captures.py):
# DNP3 over TCP and UDP port 20000: one EVE dnp3 record per message (confirms excepted)
# with link and application headers, objects, points and indications; dnp3_func /
# dnp3.ind / dnp3_obj / dnp3_data alerts carrying the dnp3 object, a to_client rule not
# matching a request; bad_link_crc, unknown_object and len_too_small through
# etc/rules/dnp3-events.rules; app_proto dnp3 on flow records; the same output in every
# runmode. EtherNet/IP on 44818: request/reply txs, ListIdentity identity, CIP service
# and path, enip_command / cip_service / enip.product_name / enip.status alerts (each
# direction of a tx on its own), invalid_pdu. Modbus/TCP on 502: function, access,
# address, written values, modbus keyword forms, invalid_protocol_id and
# unsolicited_response.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/ics.rules
cat "$DATA/ics-scenario.rules" "$VG_SOURCE_DIR"/etc/rules/{dnp3,enip,modbus}-events.rules >"$RULES"

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

run enip-tcp "$WORK/e"
py "$WORK/e/eve.json" <<'PY'
import json
recs = [json.loads(l) for l in open(sys.argv[1])]
e = [r["enip"] for r in recs if r["event_type"] == "enip"]
check([x["request"]["command"] for x in e] == ["list_identity", "register_session",
                                              "send_rr_data", 153], "enip commands", e)
ident = e[0]["response"]["identity"]
check((ident["product_name"], ident["revision"], ident["vendor_id"], ident["address"]) ==
      ("1756-ENBT/A", "4.3", "Rockwell Automation/Allen-Bradley", "10.0.0.20"), ident)
cip = e[2]["request"]["cip"]
check(cip["service"] == "Get Attribute Single" and cip["class_name"] == "Identity" and
      [p["value"] for p in cip["path"]] == [1, 1, 7], "cip", cip)
check(e[1]["response"]["session"] == 0x1234, "session", e[1])
alerts = sorted((r["alert"]["signature_id"], r["tx_id"]) for r in recs
                if r["event_type"] == "alert")
check(alerts == [(2234001, 3), (9120011, 0), (9120011, 0), (9120012, 2), (9120013, 0),
                 (9120014, 1), (9120014, 1)], "enip alerts", alerts)
PY
[ $? = 0 ] || fail "enip"

run enip-udp "$WORK/eu"
py "$WORK/eu/eve.json" <<'PY'
import json
recs = [json.loads(l) for l in open(sys.argv[1])]
e = [r["enip"] for r in recs if r["event_type"] == "enip"]
check([sorted(x) for x in e] == [["request"], ["response"], ["request"]], "udp txs", e)
check(e[1]["response"]["identity"]["product_name"] == "1756-ENBT/A", e[1])
alerts = sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")
check(alerts == [2234001, 9120011, 9120011, 9120011, 9120013], "udp alerts", alerts)
check([(r["proto"], r.get("app_proto")) for r in recs if r["event_type"] == "flow"] ==
      [("UDP", "enip")], "udp flow")
PY
[ $? = 0 ] || fail "enip over UDP"

run modbus-tcp "$WORK/m"
py "$WORK/m/eve.json" <<'PY'
import json
recs = [json.loads(l) for l in open(sys.argv[1])]
m = [r["modbus"] for r in recs if r["event_type"] == "modbus"]
check(len(m) == 5, "modbus records", m)
check(m[0]["request"]["read"] == {"address": 100, "quantity": 4}, m[0])
check(m[1]["request"]["write"]["data"] == [300], m[1])
check(m[2]["response"]["exception"] == {"code": 2}, m[2])
check("request" not in m[4] and m[4]["response"]["transaction_id"] == 99, m[4])
alerts = sorted((r["alert"]["signature_id"], r["tx_id"]) for r in recs
                if r["event_type"] == "alert")
check(alerts == [(2250001, 3), (2250002, 4), (9120021, 0), (9120022, 1), (9120023, 2)],
      "modbus alerts", alerts)
check([r.get("app_proto") for r in recs if r["event_type"] == "flow"] == ["modbus"])
PY
[ $? = 0 ] || fail "modbus"

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
