#!/usr/bin/env bash
# HTTP through the binary on crafted captures (tools/gen-http-captures.py): detection on
# a non-HTTP port, pipelined txs as EVE http records, gzip bodies as files, multipart
# uploads as files, app_proto in the flow record, the same output in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer

run() {
    local pcap=$1 out=$2
    shift 2
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/$pcap.pcap" -l "$out" "$@" \
        2>"$WORK/err" || fail "$pcap: vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

# q FILE JQ-FILTER: the filter's output over the records, compact.
q() {
    python3 - "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs}), sort_keys=True))
PY
}

run http-basic "$WORK/basic"
E=$WORK/basic/eve.json
[ "$(q "$E" '[ (r["tx_id"], r["http"]["url"], r["http"]["status"]) for r in recs if r["event_type"] == "http"]')" = '[[0, "/index.html", 200], [1, "/missing", 404]]' ] ||
    fail "http records: $(grep '"http"' "$E")"
[ "$(q "$E" '[r["http"]["hostname"] for r in recs if r["event_type"] == "http"][0]')" = '"example.com"' ] ||
    fail "hostname not normalised"
[ "$(q "$E" '[r["http"].get("http_content_type") for r in recs if r["event_type"] == "http"][0]')" = '"text/plain"' ] ||
    fail "content type"
[ "$(q "$E" '[(r["fileinfo"]["size"], r["fileinfo"]["state"]) for r in recs if r["event_type"] == "fileinfo"]')" = '[[460, "CLOSED"]]' ] ||
    fail "gzip body not decompressed into one closed file: $(grep fileinfo "$E")"
[ "$(q "$E" '[r.get("app_proto") for r in recs if r["event_type"] == "flow"]')" = '["http"]' ] ||
    fail "flow record lacks app_proto http"
[ "$(stat "$E" app_layer.flow.http)" = 1 ] || fail "app_layer.flow.http counter"
[ "$(stat "$E" app_layer.tx.http)" = 2 ] || fail "app_layer.tx.http counter"

run http-upload "$WORK/up"
[ "$(q "$WORK/up/eve.json" '[r["fileinfo"]["filename"] for r in recs if r["event_type"] == "fileinfo"]')" = '["a.txt", "/upload"]' ] ||
    fail "multipart file: $(grep fileinfo "$WORK/up/eve.json")"

# Same records in every runmode.
for rm in autofp workers; do
    run http-basic "$WORK/$rm" --runmode "$rm"
    a=$(grep -E '"event_type":"(http|fileinfo)"' "$E" | sed 's/"flow_id":[0-9]*,//' | sort)
    b=$(grep -E '"event_type":"(http|fileinfo)"' "$WORK/$rm/eve.json" |
        sed 's/"flow_id":[0-9]*,//' | sort)
    [ "$a" = "$b" ] || fail "runmode $rm writes other http/fileinfo records"
done
echo ok
