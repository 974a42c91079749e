#!/usr/bin/env bash
# NFS through the binary on a crafted capture (tools/gen-nfs-captures.py): NFSv3 over TCP
# 2049 (LOOKUP split over two segments, two WRITE chunks, the second in a record of two
# fragments, READ with eof, RENAME, GETATTR, a version-5 call, a LOOKUP whose name length
# lies), NFSv4.0 COMPOUNDs over UDP on a port found by probing (OPEN + GETFH, WRITE), and a
# TCP connection whose record mark announces 2 GiB: one nfs record per call (GETATTR
# left out) in the reply's direction, files with the handle's name, nfs_procedure (number,
# name, inclusive range) / nfs.version / file.name / file.data alerts carrying the nfs
# object, the events through etc/rules/nfs-events.rules (both malformed messages are the
# client's: the malformed-response rule stays quiet, also when the flow end forces the
# transactions done).
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/nfs.rules
cat "$DATA/nfs-scenario.rules" "$VG_SOURCE_DIR/etc/rules/nfs-events.rules" >"$RULES"

"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/nfs.pcap" -S "$RULES" \
    -l "$WORK" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
eve_check "$WORK/eve.json"

q() {
    python3 - "$WORK/eve.json" "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs, "json": json}), sort_keys=True))
PY
}

[ "$(q '[(r["proto"], r["nfs"]["procedure"], r["nfs"]["type"], r["nfs"]["filename"], r["src_port"]) for r in recs if r["event_type"] == "nfs"]')" = \
  '[["TCP", "LOOKUP", "response", "secret.txt", 2049], ["TCP", "WRITE", "response", "secret.txt", 2049], ["TCP", "READ", "response", "secret.txt", 2049], ["TCP", "RENAME", "response", "secret.txt", 2049], ["TCP", "LOOKUP", "request", "", 40001], ["UDP", "OPEN", "response", "notes.txt", 20490], ["UDP", "WRITE", "response", "notes.txt", 20490], ["TCP", "NULL", "response", "", 2049]]' ] ||
    fail "nfs records: $(q '[r["nfs"] for r in recs if r["event_type"] == "nfs"]')"
[ "$(q '[r["nfs"]["write"] for r in recs if r["event_type"] == "nfs" and r["proto"] == "TCP" and r["nfs"]["procedure"] == "WRITE"]')" = \
  '[{"chunks": 2, "first": true, "last": true, "last_xid": 4098}]' ] || fail "write object"
[ "$(q '[r["nfs"]["rename"] for r in recs if r["event_type"] == "nfs" and "rename" in r["nfs"]]')" = \
  '[{"from": "secret.txt", "to": "public.txt"}]' ] || fail "rename object"
[ "$(q '[r["rpc"] for r in recs if r["event_type"] == "nfs"][0]')" = \
  '{"auth_type": "UNIX", "creds": {"gid": 100, "machine_name": "lab", "uid": 1000}, "status": "ACCEPTED", "xid": 4096}' ] ||
    fail "rpc object"
[ "$(q 'sorted((r["fileinfo"]["filename"], r["fileinfo"]["size"], r["fileinfo"]["state"]) for r in recs if r["event_type"] == "fileinfo")')" = \
  '[["notes.txt", 7, "CLOSED"], ["secret.txt", 12, "CLOSED"], ["secret.txt", 12, "CLOSED"]]' ] ||
    fail "files: $(q '[r["fileinfo"] for r in recs if r["event_type"] == "fileinfo"]')"
[ "$(q 'sorted((r["proto"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert")')" = \
  '[["TCP", 1], ["TCP", 1], ["TCP", 2], ["TCP", 3], ["TCP", 3], ["TCP", 5], ["TCP", 2223000], ["TCP", 2223000], ["UDP", 4], ["UDP", 6]]' ] ||
    fail "alerts: $(q 'sorted((r["proto"], r["alert"]["signature_id"]) for r in recs if r["event_type"] == "alert")')"
[ "$(q 'all(r["app_proto"] == "nfs" for r in recs if r["event_type"] == "alert")')" = true ] ||
    fail "alerts of another protocol"
[ "$(q 'all("nfs" in r and "rpc" in r for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] < 10)')" = true ] ||
    fail "alerts lack the nfs/rpc objects"
[ "$(q 'sorted(r["anomaly"]["event"] for r in recs if r["event_type"] == "anomaly")')" = \
  '["malformed_data", "malformed_data", "unsupported_version"]' ] || fail "anomalies"
echo ok
