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
[ "$(q "$E" '[r["flow"].get("tx_cnt") for r in recs if r["event_type"] == "flow"]')" = '[2]' ] ||
    fail "flow record tx_cnt: $(grep '"event_type":"flow"' "$E")"

# detection-only: the protocol is detected and counted (as Suricata), not parsed.
run http-basic "$WORK/detonly" --set app-layer.protocols.http.enabled=detection-only
[ "$(stat "$WORK/detonly/eve.json" app_layer.flow.http)" = 1 ] ||
    fail "detection-only: app_layer.flow.http not counted"
[ "$(q "$WORK/detonly/eve.json" '[r.get("app_proto") for r in recs if r["event_type"] == "flow"]')" = '["http"]' ] ||
    fail "detection-only: flow app_proto"
lacks '"event_type":"http"' "$WORK/detonly/eve.json"

run http-upload "$WORK/up"
[ "$(q "$WORK/up/eve.json" '[r["fileinfo"]["filename"] for r in recs if r["event_type"] == "fileinfo"]')" = '["a.txt", "/upload"]' ] ||
    fail "multipart file: $(grep fileinfo "$WORK/up/eve.json")"
# A fileinfo record is oriented as its file travels: the upload from the
# client, the response body from the server (port 8888).
[ "$(q "$WORK/up/eve.json" '[(r["fileinfo"]["filename"], r["src_port"] == 8888, r["dest_port"] == 8888) for r in recs if r["event_type"] == "fileinfo"]')" = '[["a.txt", false, true], ["/upload", true, false]]' ] ||
    fail "fileinfo direction: $(grep fileinfo "$WORK/up/eve.json")"

# File store (version 2): a filestore rule stores the file its tx carries, named by its
# SHA-256 under a two-hex-digit directory, with the fileinfo record beside it.
fs_conf() {
    cat >"$WORK/fs.yaml" <<EOF
include: $VG_SOURCE_DIR/etc/vigil.yaml
outputs:
  - eve-log:
      enabled: yes
      types: [alert, http, files, stats]
  - file-store:
      version: 2
      enabled: yes
      dir: fs
      write-fileinfo: yes
      force-filestore: $1
EOF
}
fs_run() {
    "$VIGIL" -c "$WORK/fs.yaml" -k none -r "$DATA/http-upload.pcap" -l "$1" "${@:2}" \
        2>"$WORK/err" || fail "filestore run failed: $(cat "$WORK/err")"
    eve_check "$1/eve.json"
}
fs_conf no
printf 'alert http any any -> any any (msg:"ok"; file.data; content:"ok"; filestore; sid:1;)\n' \
    >"$WORK/fs.rules"
fs_run "$WORK/fs1" -S "$WORK/fs.rules"
stored=$(cd "$WORK/fs1/fs" && find . -type f ! -name '*.json' ! -path './tmp/*' | sort)
sum=$(printf 'ok' | sha256sum | cut -c1-64)
[ "$stored" = "./${sum:0:2}/$sum" ] || fail "stored files: $stored (want the 'ok' body as $sum)"
[ "$(cat "$WORK/fs1/fs/${sum:0:2}/$sum")" = ok ] || fail "stored content"
side=$(ls "$WORK/fs1/fs/${sum:0:2}/" | grep '\.json$')
[ -n "$side" ] || fail "no fileinfo sidecar"
[ "$(q "$WORK/fs1/fs/${sum:0:2}/$side" '[ (r["fileinfo"]["stored"], r["fileinfo"]["sha256"]) for r in recs]')" = "[[true, \"$sum\"]]" ] ||
    fail "sidecar: $(cat "$WORK/fs1/fs/${sum:0:2}/$side")"
[ "$(q "$WORK/fs1/eve.json" '[ (r["fileinfo"]["filename"], r["fileinfo"]["stored"], r["fileinfo"].get("file_id")) for r in recs if r["event_type"] == "fileinfo"]')" = '[["a.txt", false, null], ["/upload", true, 2]]' ] ||
    fail "fileinfo stored fields: $(grep fileinfo "$WORK/fs1/eve.json")"
[ "$(stat "$WORK/fs1/eve.json" file_store.stored)" = 1 ] || fail "file_store.stored"
[ "$(stat "$WORK/fs1/eve.json" file_store.open_files)" = 0 ] || fail "file_store.open_files"
[ -z "$(ls "$WORK/fs1/fs/tmp")" ] || fail "temp files left behind"
# force-filestore: every file, no rule needed.
fs_conf yes
fs_run "$WORK/fs2"
n=$(find "$WORK/fs2/fs" -type f ! -name '*.json' ! -path "$WORK/fs2/fs/tmp/*" | wc -l)
[ "$n" = 2 ] || fail "force-filestore stored $n files, want 2"
up=$(printf 'file content here' | sha256sum | cut -c1-64)
[ -f "$WORK/fs2/fs/${up:0:2}/$up" ] || fail "upload not stored as $up: $(find "$WORK/fs2/fs")"
# file-store stream-depth: a flow storing files gets that reassembly depth (0: unlimited)
# where it is more than stream.reassembly.depth (1500 here): a 3000-byte body stored whole,
# up to 2kb, or cut at 1500 stream bytes (1459 body bytes) without it or when smaller.
sd_run() {
    cat >"$WORK/sd.yaml" <<EOF
include: $VG_SOURCE_DIR/etc/vigil.yaml
stream:
  reassembly:
    depth: 1500
outputs:
  - eve-log:
      enabled: yes
      types: [files]
  - file-store:
      version: 2
      enabled: yes
      dir: fs
      force-filestore: yes
$([ "$2" = none ] || echo "      stream-depth: $2")
EOF
    "$VIGIL" -c "$WORK/sd.yaml" -k none -r "$DATA/http-download-3k.pcap" -l "$1" \
        2>"$WORK/err" || fail "stream-depth run failed: $(cat "$WORK/err")"
    eve_check "$1/eve.json"
    find "$1/fs" -type f ! -name '*.json' ! -path "$1/fs/tmp/*" -exec stat -c %s {} +
}
[ "$(sd_run "$WORK/sd1" none)" = 1459 ] || fail "file-store without stream-depth"
[ "$(sd_run "$WORK/sd2" 0)" = 3000 ] || fail "file-store stream-depth 0 did not lift the depth"
whole=$(python3 -c 'import hashlib; print(hashlib.sha256(b"A"*1000+b"B"*1000+b"C"*1000).hexdigest())')
[ -f "$WORK/sd2/fs/${whole:0:2}/$whole" ] || fail "whole body not stored as $whole"
[ "$(sd_run "$WORK/sd3" 2kb)" = 2007 ] || fail "file-store stream-depth 2kb"
[ "$(sd_run "$WORK/sd4" 500)" = 1459 ] || fail "file-store stream-depth below the stream's"
# Midstream pick-up whose first packet is the server's response: the flow is reversed
# (as Suricata), so the client is 10.0.0.1:40000 in every record, the response is parsed
# as such (a tx of its own) and the next request/response follow.
printf '%s\n' \
    'alert http any any -> any any (msg:"200"; flow:to_client; http.stat_code; content:"200"; sid:1;)' \
    'alert http any any -> any any (msg:"next"; flow:to_server; http.uri; content:"/next"; sid:2;)' \
    >"$WORK/mid.rules"
run http-midstream-response "$WORK/mid" --set stream.midstream=true -S "$WORK/mid.rules"
[ "$(q "$WORK/mid/eve.json" '[(r["event_type"], r["src_ip"], r["src_port"], r.get("alert", {}).get("signature_id")) for r in recs if r["event_type"] in ("alert", "http", "flow")]')" = '[["alert", "10.0.0.2", 8888, 1], ["http", "10.0.0.1", 40000, null], ["alert", "10.0.0.1", 40000, 2], ["http", "10.0.0.1", 40000, null], ["flow", "10.0.0.1", 40000, null]]' ] ||
    fail "midstream response first: $(grep -v stats "$WORK/mid/eve.json")"
[ "$(q "$WORK/mid/eve.json" '[(r["flow"]["pkts_toserver"], r["flow"]["pkts_toclient"], r["app_proto"]) for r in recs if r["event_type"] == "flow"]')" = '[[3, 2, "http"]]' ] ||
    fail "midstream response first: flow counters not reversed"
# No file-store output: nothing written.
run http-upload "$WORK/fs3"
[ ! -e "$WORK/fs3/filestore" ] || fail "files stored without file-store"

# Same records in every runmode.
for rm in autofp workers; do
    run http-basic "$WORK/$rm" --runmode "$rm"
    a=$(grep -E '"event_type":"(http|fileinfo)"' "$E" | sed 's/"flow_id":[0-9]*,//' | sort)
    b=$(grep -E '"event_type":"(http|fileinfo)"' "$WORK/$rm/eve.json" |
        sed 's/"flow_id":[0-9]*,//' | sort)
    [ "$a" = "$b" ] || fail "runmode $rm writes other http/fileinfo records"
done
echo ok
