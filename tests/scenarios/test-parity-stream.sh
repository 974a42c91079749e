#!/usr/bin/env bash
# Alert parity with Suricata on raw TCP stream data (issue 16; captures from
# tools/gen-parity-captures.py, each a miniature of a reference-mix flow):
#  - a TCP flow without a session (no handshake, midstream off) is never
#    established: flow:established rules stay quiet on it;
#  - raw stream data waits for a full chunk (2560 bytes by default) or the
#    session closing: two short IRC commands in one small flow are inspected
#    together at flow end, one alert;
#  - an FTP flow (here IRC detected as FTP by its "USER " line) waits for a
#    chunk as well: its parser asks for no raw inspection per command;
#  - a direction's data is inspected on that direction's packets once acked,
#    each chunk anchoring depth at its own start: a client that sends two
#    GNUTELLA messages and closes first gets two packet alerts (depth rules
#    inspect packets too) and two stream alerts, on its FIN (the acked first
#    message) and on its last ACK (the rest).
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/parity
cat >"$WORK/parity.rules" <<'R'
alert tcp any any -> any 445 (msg:"smb2 create exe"; flow:established,to_server; content:"SMB"; depth:8; content:"|05 00|"; distance:8; within:2; content:"|00 2E 00|e|00|x|00|e|00|"; nocase; distance:0; sid:1; rev:1;)
alert tcp any any -> any 6666:7000 (msg:"irc join"; flow:to_server,established; content:"JOIN|20|"; nocase; content:"|0a|"; within:40; sid:2; rev:1;)
alert tcp any any -> any 6346 (msg:"gnutella"; flow:to_server,established; content:"GNUTELLA"; depth:8; sid:3; rev:1;)
R

# alerts NAME [ARGS...]: run on DATA/NAME.pcap; prints "sid:pcap_cnt:pkt_src" lines.
alerts() {
    local name=$1 out
    out=$(mktemp -d "$WORK/out-XXXXXX")
    shift
    "$VIGIL" -k none -S "$WORK/parity.rules" -r "$DATA/$name.pcap" -l "$out" "$@" \
        >"$WORK/log" 2>&1 || fail "$name: vigil failed: $(cat "$WORK/log")"
    eve_check "$out/eve.json"
    py "$out/eve.json" <<'PY'
import json
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("event_type") == "alert":
        print("%d:%s:%s" % (r["alert"]["signature_id"], r.get("pcap_cnt", "-"), r.get("pkt_src")))
PY
}

got=$(alerts midstream-smb)
[ -z "$got" ] || fail "midstream-smb: alerts on a flow without a session: $got"
got=$(alerts midstream-smb --set stream.midstream=true)
printf '%s\n' "$got" | grep -q '^1:' || fail "midstream-smb, midstream on: no alert: '$got'"

got=$(alerts irc-two-joins)
[ "$got" = "2:-:stream (flow timeout)" ] || fail "irc-two-joins: want one alert at flow end, got '$got'"
# With chunks cut small, each JOIN is inspected in its own chunk.
got=$(alerts irc-two-joins --set stream.reassembly.toserver-chunk-size=64)
[ "$(printf '%s\n' "$got" | grep -c '^2:[0-9]')" = 2 ] ||
    fail "irc-two-joins, 64-byte chunks: want two packet-time alerts, got '$got'"
got=$(alerts irc-user-first)
[ "$got" = "2:-:stream (flow timeout)" ] || fail "irc-user-first: want one alert at flow end, got '$got'"
got=$(alerts gnutella-close | tr '\n' ' ')
[ "$got" = "3:4:wire/pcap 3:7:wire/pcap 3:8:wire/pcap 3:11:wire/pcap " ] ||
    fail "gnutella-close: want alerts on packets 4, 7 (payload), 8 and 11 (stream), got '$got'"
for rm in autofp workers; do
    got2=$(alerts gnutella-close --runmode "$rm" | tr '\n' ' ')
    [ "$got2" = "$got" ] || fail "gnutella-close, $rm: '$got2', single: '$got'"
done
echo "parity-stream: ok"
