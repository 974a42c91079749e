#!/usr/bin/env bash
# app-layer-protocol with a list of names (dns|http: either one; !dns|http: neither),
# on HTTP/1, TLS, DNS and HTTP/2 captures of tests/data/app-layer put one after the
# other: the list rule alerts on exactly the packets of its one-name rules together,
# the negated list on exactly the TLS rule's, a negated single name as before; "http"
# names both HTTP versions, "http1" and "http2" one each.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
py "$WORK/all.pcap" "$DATA/http-basic.pcap" "$DATA/tls-handshake.pcap" "$DATA/dns-udp.pcap" \
    "$DATA/h2-prior.pcap" <<'PY' ||
import struct, sys
out, ins = sys.argv[1], sys.argv[2:]
blob, end = b"", 0
for name in ins:
    data = open(name, "rb").read()
    check(struct.unpack("<I", data[:4])[0] == 0xa1b2c3d4, name)
    blob = blob or data[:24]
    first = struct.unpack("<I", data[24:28])[0]
    shift = end + 10 - first if end else 0   # each file 10 s after the one before
    pos = 24
    while pos + 16 <= len(data):
        sec, usec, cap = struct.unpack("<III", data[pos:pos + 12])
        end = sec + shift
        blob += struct.pack("<II", end, usec) + data[pos + 8:pos + 16 + cap]
        pos += 16 + cap
open(out, "wb").write(blob)
PY
    fail "cannot put the captures together"
cat >"$WORK/r.rules" <<'R'
alert ip any any -> any any (app-layer-protocol:dns; sid:1;)
alert ip any any -> any any (app-layer-protocol:http; sid:2;)
alert ip any any -> any any (app-layer-protocol:tls; sid:3;)
alert ip any any -> any any (app-layer-protocol:dns|http; sid:4;)
alert ip any any -> any any (app-layer-protocol:!dns|http; sid:5;)
alert ip any any -> any any (app-layer-protocol:!dns; sid:6;)
alert ip any any -> any any (app-layer-protocol: http | dns ,either; sid:7;)
alert ip any any -> any any (app-layer-protocol:http1; sid:8;)
alert ip any any -> any any (app-layer-protocol:http2; sid:9;)
R
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$WORK/all.pcap" \
    -S "$WORK/r.rules" -l "$WORK/out" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
grep -q "9 rules successfully loaded" "$WORK/err" || fail "rules not all loaded: $(cat "$WORK/err")"
eve_check "$WORK/out/eve.json"
py "$WORK/out/eve.json" <<'PY' || fail "list alerts are wrong"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
by = {}
for r in recs:
    if r["event_type"] == "alert":
        by.setdefault(r["alert"]["signature_id"], []).append(r["pcap_cnt"])
dns, http, tls = (sorted(by.get(s, [])) for s in (1, 2, 3))
check(dns and http and tls, by)
check(sorted(by.get(4, [])) == sorted(dns + http), by.get(4), dns, http)
check(sorted(by.get(5, [])) == tls, by.get(5), tls)
check(sorted(by.get(6, [])) == sorted(http + tls), by.get(6), http, tls)
check(set(by.get(7, [])) >= set(by.get(4, [])), by.get(7), by.get(4))
http1, http2 = sorted(by.get(8, [])), sorted(by.get(9, []))
check(http1 and http2 and sorted(http1 + http2) == http, http1, http2, http)
PY
echo ok
