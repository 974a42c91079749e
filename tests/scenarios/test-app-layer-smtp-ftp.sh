#!/usr/bin/env bash
# SMTP and FTP through the binary on crafted captures (tools/gen-smtp-ftp-captures.py):
# the smtp record (envelope, email fields, attachment, URL of a dot-stuffed body),
# email/smtp/file alerts carrying the smtp and email objects and the attachment under
# "files", the attachment's fileinfo;
# FTP command records with replies and the passive port, the data connection found
# through the expectation as ftp-data with its file (ftp_data and fileinfo records,
# file.data toserver only), ftpbounce, the event rules loading, the same output in
# every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/mail.rules
cat "$DATA/smtp-ftp-scenario.rules" "$VG_SOURCE_DIR/etc/rules/smtp-events.rules" \
    "$VG_SOURCE_DIR/etc/rules/ftp-events.rules" >"$RULES"

run() {
    local pcap=$1 out=$2
    shift 2
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/$pcap.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "$pcap: vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

q() {
    python3 - "$1" "$2" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs, "json": json}), sort_keys=True))
PY
}

run smtp-mime "$WORK/s"
E=$WORK/s/eve.json
[ "$(q "$E" '[(r["smtp"], r["email"]) for r in recs if r["event_type"] == "smtp"]')" = \
  '[[{"helo": "client.example", "mail_from": "<alice@example.com>", "rcpt_to": ["<bob@example.com>"]}, {"attachment": ["report.txt"], "from": "Alice <alice@example.com>", "status": "PARSE_DONE", "to": ["bob@example.com"], "url": ["reports.example/q3"]}]]' ] ||
    fail "smtp record: $(grep '"event_type":"smtp"' "$E")"
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = \
  '[9120001, 9120002, 9120003, 9120004, 9120005]' ] || fail "smtp alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[r["smtp"]["helo"] for r in recs if r["event_type"] == "alert"]')" = \
  '["client.example", "client.example", "client.example", "client.example", "client.example"]' ] ||
    fail "smtp alerts lack the smtp object"
# The attachment's alerts carry it under "files" (the file's state at the alert).
[ "$(q "$E" 'sorted((r["alert"]["signature_id"], [(x["filename"], x["state"], x["size"], x["tx_id"]) for x in r.get("files", [])]) for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] in (9120002, 9120003))')" = \
  '[[9120002, [["report.txt", "CLOSED", 24, 0]]], [9120003, [["report.txt", "CLOSED", 24, 0]]]]' ] ||
    fail "smtp file alerts lack files[]: $(grep '"alert"' "$E")"
[ "$(q "$E" '[(r["fileinfo"]["filename"], r["fileinfo"]["size"], r["fileinfo"]["state"], r["app_proto"]) for r in recs if r["event_type"] == "fileinfo"]')" = \
  '[["report.txt", 24, "CLOSED", "smtp"]]' ] || fail "smtp fileinfo: $(grep fileinfo "$E")"
[ "$(q "$E" '[r["event_type"] for r in recs if r["event_type"] == "anomaly"]')" = '[]' ] ||
    fail "smtp anomalies on a clean session"
[ "$(stat "$E" app_layer.tx.smtp)" = 1 ] || fail "app_layer.tx.smtp counter"

run ftp-passive "$WORK/f"
E=$WORK/f/eve.json
[ "$(q "$E" '[r["ftp"].get("command") for r in recs if r["event_type"] == "ftp"]')" = \
  '[null, "USER", "PASS", "PASV", "STOR", "PORT", "QUIT"]' ] || fail "ftp records: $(grep '"ftp"' "$E")"
[ "$(q "$E" '[(r["ftp"]["dynamic_port"], r["ftp"]["mode"]) for r in recs if r["event_type"] == "ftp" and r["ftp"].get("command") == "PASV"]')" = \
  '[[50000, "passive"]]' ] || fail "PASV record"
[ "$(q "$E" '[r["ftp_data"] for r in recs if r["event_type"] == "ftp_data"]')" = \
  '[{"command": "STOR", "filename": "up.txt"}]' ] || fail "ftp_data record: $(grep ftp_data "$E")"
[ "$(q "$E" '[(r["fileinfo"]["filename"], r["fileinfo"]["size"], r["app_proto"]) for r in recs if r["event_type"] == "fileinfo"]')" = \
  '[["up.txt", 16, "ftp-data"]]' ] || fail "ftp fileinfo"
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = \
  '[9120011, 9120012, 9120013, 9120014]' ] || fail "ftp alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" 'sorted(r.get("app_proto") for r in recs if r["event_type"] == "flow")')" = \
  '["ftp", "ftp-data"]' ] || fail "flow app_proto"

# Same output in every runmode.
norm='sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r["dest_port"] + r["src_port"], r.get("pcap_cnt"), json.dumps(r.get("ftp") or r.get("ftp_data") or r.get("email"), sort_keys=True)) for r in recs if r["event_type"] in ("alert", "smtp", "ftp", "ftp_data", "fileinfo"))'
for pcap in smtp-mime ftp-passive; do
    run "$pcap" "$WORK/$pcap-single" --runmode single
    ref=$(q "$WORK/$pcap-single/eve.json" "$norm")
    case $ref in '['*\"alert\"*) ;; *) fail "$pcap: no records to compare: $ref" ;; esac
    for rm in workers autofp; do
        run "$pcap" "$WORK/$pcap-$rm" --runmode "$rm"
        [ "$(q "$WORK/$pcap-$rm/eve.json" "$norm")" = "$ref" ] ||
            fail "$pcap: runmode $rm differs"
    done
done
echo "ok: smtp and ftp scenarios"
