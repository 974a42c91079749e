#!/usr/bin/env bash
# SMB picked up midstream whose first data is the server's reply (crafted capture:
# tools/gen-smb-midstream-capture.py): with stream.midstream the flow is reversed as
# soon as detection sees an SMB1 / SMB2 reply on the side first taken for the client,
# so the client's requests are to_server (a flow:to_server rule on them alerts, the
# flow record's source is the client), and the SMB1 reply to a request from before the
# pickup makes no transaction (as Suricata).
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none --set stream.midstream=true \
    -r "$DATA/smb-midstream.pcap" -S "$DATA/smb-midstream.rules" -l "$WORK/o" 2>"$WORK/err" ||
    fail "vigil failed: $(cat "$WORK/err")"
E=$WORK/o/eve.json
eve_check "$E"
q() {
    python3 - "$E" "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(eval(sys.argv[2], {"recs": recs}), sort_keys=True))
PY
}
[ "$(q '[(r["pcap_cnt"], r["src_ip"], r["direction"]) for r in recs if r["event_type"] == "alert"]')" = \
  '[[3, "10.0.0.1", "to_server"], [9, "10.0.0.2", "to_server"]]' ] ||
    fail "alerts: $(grep '"alert"' "$E")"
[ "$(q 'sorted((r["src_ip"], r["src_port"], r["dest_port"]) for r in recs if r["event_type"] == "flow")')" = \
  '[["10.0.0.1", 49216, 445], ["10.0.0.2", 49217, 445]]' ] || fail "flows not reversed: $(grep '"flow"' "$E")"
[ "$(q '[(r["src_ip"], r["smb"]["id"], r["smb"]["command"]) for r in recs if r["event_type"] == "smb" and r["src_ip"] == "10.0.0.1"]')" = \
  '[["10.0.0.1", 1, "SMB1_COMMAND_ECHO"]]' ] || fail "smb1 records: $(grep '"smb"' "$E")"
echo "ok: smb midstream reversal"
