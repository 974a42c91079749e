#!/usr/bin/env bash
# SMB and DCERPC through the binary on a crafted capture (tools/gen-smb-captures.py):
# smb records (negotiate, NTLMSSP session setup, tree connects to a share and to IPC$,
# creates, the file read out of order, close, DCERPC bind and request on the srvsvc
# pipe), the file's fileinfo, dcerpc records of the TCP connection (bind, a request in
# two fragments), the smb/dcerpc keywords (share, named pipe, NTLMSSP user and domain,
# smb.version, file.data and file.name on SMB files, dcerpc.iface with and without a
# version, opnum ranges, stub data across fragments), DCERPC over UDP (a connectionless
# request and response: record, keywords), the events rules loading, the
# same output in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/smb.rules
cat "$DATA/smb-dcerpc-scenario.rules" "$VG_SOURCE_DIR/etc/rules/smb-events.rules" >"$RULES"

run() {
    local out=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/smb-dcerpc.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

q() {
    python3 - "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs, "json": json}), sort_keys=True))
PY
}

run "$WORK/s"
E=$WORK/s/eve.json
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = \
  '[9130001, 9130002, 9130003, 9130004, 9130005, 9130006, 9130008, 9130010, 9130011, 9130012, 9130013]' ] ||
    fail "alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[(r["smb"]["command"], r["smb"].get("status")) for r in recs if r["event_type"] == "smb"]')" = \
  '[["SMB2_COMMAND_NEGOTIATE_PROTOCOL", "STATUS_SUCCESS"], ["SMB2_COMMAND_SESSION_SETUP", "STATUS_SUCCESS"], ["SMB2_COMMAND_TREE_CONNECT", "STATUS_SUCCESS"], ["SMB2_COMMAND_CREATE", "STATUS_SUCCESS"], ["SMB2_COMMAND_READ", "STATUS_SUCCESS"], ["SMB2_COMMAND_CLOSE", "STATUS_SUCCESS"], ["SMB2_COMMAND_TREE_CONNECT", "STATUS_SUCCESS"], ["SMB2_COMMAND_CREATE", "STATUS_SUCCESS"], ["SMB2_COMMAND_WRITE", "STATUS_SUCCESS"], ["SMB2_COMMAND_IOCTL", "STATUS_SUCCESS"]]' ] ||
    fail "smb records: $(grep '"event_type":"smb"' "$E")"
[ "$(q "$E" '[r["smb"]["ntlmssp"] for r in recs if r["event_type"] == "smb" and "ntlmssp" in r["smb"]]')" = \
  '[{"domain": "CORP", "host": "WS1", "user": "alice", "version": "6.1 build 7601 rev 15"}]' ] ||
    fail "ntlmssp"
[ "$(q "$E" '[(r["smb"].get("share"), r["smb"].get("named_pipe"), r["smb"]["share_type"]) for r in recs if r["event_type"] == "smb" and "share_type" in r["smb"]]')" = \
  '[["\\\\srv\\docs", null, "FILE"], [null, "\\\\srv\\IPC$", "PIPE"]]' ] ||
    fail "tree connects: $(grep TREE_CONNECT "$E")"
[ "$(q "$E" '[(r["fileinfo"]["filename"], r["fileinfo"]["size"], r["fileinfo"]["state"], r["fileinfo"]["gaps"], r["app_proto"]) for r in recs if r["event_type"] == "fileinfo"]')" = \
  '[["reports\\q3.txt", 23, "CLOSED", false, "smb"]]' ] || fail "fileinfo: $(grep fileinfo "$E")"
[ "$(q "$E" '[(r["smb"]["dcerpc"]["request"], r["smb"]["dcerpc"]["response"], r["smb"]["dcerpc"].get("opnum"), r["smb"]["dcerpc"]["interfaces"][0]["uuid"]) for r in recs if r["event_type"] == "smb" and "dcerpc" in r["smb"]]')" = \
  '[["BIND", "BINDACK", null, "4b324fc8-1670-01d3-1278-5a47bf6ee188"], ["REQUEST", "RESPONSE", 15, "4b324fc8-1670-01d3-1278-5a47bf6ee188"]]' ] ||
    fail "dcerpc on the pipe: $(grep dcerpc "$E")"
[ "$(q "$E" '[(r["dcerpc"]["request"], r["dcerpc"]["response"], r["dcerpc"].get("req")) for r in recs if r["event_type"] == "dcerpc"]')" = \
  '[["BIND", "BINDACK", null], ["REQUEST", "RESPONSE", {"frag_cnt": 2, "opnum": 3, "stub_data_size": 16}], ["REQUEST", "RESPONSE", {"frag_cnt": 1, "opnum": 2, "stub_data_size": 8}]]' ] ||
    fail "dcerpc records: $(grep '"event_type":"dcerpc"' "$E")"
[ "$(q "$E" '[r["smb"]["command"] for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] == 9130005]')" = \
  '["SMB2_COMMAND_IOCTL"]' ] || fail "the dcerpc alert on SMB lacks the smb object"
[ "$(q "$E" '[r["event_type"] for r in recs if r["event_type"] == "anomaly"]')" = '[]' ] ||
    fail "anomalies on clean sessions: $(grep anomaly "$E")"
[ "$(q "$E" '[(r["dcerpc"]["activityuuid"], r["dcerpc"]["seqnum"], r["proto"]) for r in recs if r["event_type"] == "dcerpc" and "activityuuid" in r["dcerpc"]]')" = \
  '[["11111111-2222-3333-4444-555555555555", 7, "UDP"]]' ] || fail "dcerpc over UDP"
[ "$(q "$E" 'sorted(r.get("app_proto") for r in recs if r["event_type"] == "flow")')" = \
  '["dcerpc", "dcerpc", "smb"]' ] || fail "flow app_proto"

# A rule naming dcerpc applies to SMB flows too (DCERPC over named pipes), as in
# Suricata: a keyword-less one alerts on the SMB connection as on the DCERPC ones.
echo 'alert dcerpc any any -> any any (msg:"dcerpc flows"; sid:1;)' >"$WORK/dcerpc-proto.rules"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/smb-dcerpc.pcap" \
    -S "$WORK/dcerpc-proto.rules" -l "$WORK/p" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
[ "$(q "$WORK/p/eve.json" 'sorted(set((r["app_proto"], r["proto"]) for r in recs if r["event_type"] == "alert"))')" = \
  '[["dcerpc", "TCP"], ["dcerpc", "UDP"], ["smb", "TCP"]]' ] ||
    fail "dcerpc rule on smb/dcerpc flows: $(grep -c '"alert"' "$WORK/p/eve.json")"

# Same output in every runmode.
norm='sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r["dest_port"] + r["src_port"], r.get("pcap_cnt"), json.dumps(r.get("smb") or r.get("dcerpc") or r.get("fileinfo"), sort_keys=True)) for r in recs if r["event_type"] in ("alert", "smb", "dcerpc", "fileinfo"))'
run "$WORK/single" --runmode single
ref=$(q "$WORK/single/eve.json" "$norm")
for rm in workers autofp; do
    run "$WORK/$rm" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" "$norm")" = "$ref" ] || fail "runmode $rm differs"
done
echo "ok: smb and dcerpc scenarios"
