#!/usr/bin/env bash
# TCP Fast Open (tests/data/stream/tfo.pcap, tools/gen-tfo-capture.py): the
# request a SYN carries with a Fast Open option is the stream's start when
# the SYN/ACK acks it (the server may answer before the client's ACK); when
# the SYN/ACK acks the SYN alone, that data is forgotten (the resent request
# is what the server got; stream.3whs_synack_tfo_data_ignored); a SYN's data
# without the option is never kept. Before, a SYN/ACK acking Fast Open data
# was refused as a wrong ack and the whole session went unseen.
. "$(dirname "$0")/lib.sh"
cat >"$WORK/tfo.rules" <<'R'
alert http any any -> any any (msg:"taken"; http.uri; content:"/tfo-taken"; sid:1;)
alert http any any -> any any (msg:"refused SYN data"; http.uri; content:"/evil0"; sid:2;)
alert http any any -> any any (msg:"resent"; http.uri; content:"/good1"; sid:3;)
alert http any any -> any any (msg:"SYN data without option"; http.uri; content:"/nocookie"; sid:4;)
alert http any any -> any any (msg:"plain"; http.uri; content:"/plain1"; sid:5;)
alert tcp any any -> any any (msg:"refused SYN data, raw"; flow:established; content:"/evil0"; sid:6;)
alert tcp any any -> any any (msg:"taken, raw"; flow:established; content:"/tfo-taken"; sid:7;)
R
for rm in single workers; do
    dir=$WORK/$rm
    expect_exit 0 "" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -S "$WORK/tfo.rules" \
        --runmode "$rm" --set threading.worker-threads=2 \
        -r "$VG_SOURCE_DIR/tests/data/stream/tfo.pcap" -l "$dir"
    eve_check "$dir/eve.json"
    got=$(python3 - "$dir/eve.json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
alerts = sorted((r["src_port"] if r["src_port"] != 80 else r["dest_port"], r["alert"]["signature_id"])
                for r in recs if r["event_type"] == "alert")
http = sorted((r["src_port"], r["http"]["url"], r["http"].get("status")) for r in recs
              if r["event_type"] == "http")
flows = sorted((r["src_port"], r.get("app_proto"), r["tcp"]["state"]) for r in recs
               if r["event_type"] == "flow")
st = [r for r in recs if r["event_type"] == "stats"][-1]["stats"]["stream"]
print(alerts, http, flows, st["3whs_synack_tfo_data_ignored"], st["3whs_synack_with_wrong_ack"])
PY
)
    want="[(40001, 1), (40001, 7), (40002, 3), (40003, 5)] [(40001, '/tfo-taken', 200), (40002, '/good1', 200), (40003, '/plain1', 200)] [(40001, 'http', 'closed'), (40002, 'http', 'closed'), (40003, 'http', 'closed')] 1 0"
    [ "$got" = "$want" ] || fail "$rm: got $got, want $want"
done
echo "stream tfo: ok"
