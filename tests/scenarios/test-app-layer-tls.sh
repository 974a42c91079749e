#!/usr/bin/env bash
# TLS through the binary on a crafted capture (tools/gen-tls-captures.py): a ClientHello
# split over two segments and a server flight whose Certificate spans records, on a port
# that is not a TLS port. Checks the EVE tls record (subject, issuerdn, serial, sni,
# version, dates, ja3/ja3s), the tls object in alerts, sticky-buffer and legacy keyword
# alerts (and one that must not fire), app_proto on the flow, no parser errors, and the
# same records in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$DATA/tls-scenario.rules

run() {
    local out=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/tls-handshake.pcap" \
        -S "$RULES" -l "$out" "$@" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

run "$WORK/single"
E=$WORK/single/eve.json
[ "$(q "$E" '[(r["tls"]["subject"], r["tls"]["issuerdn"], r["tls"]["serial"], r["tls"]["sni"], r["tls"]["version"], r["tls"]["notafter"] > r["tls"]["notbefore"]) for r in recs if r["event_type"] == "tls"]')" = '[["C=FR, O=Vigil Test, CN=www.vigil.example", "C=FR, O=Vigil Test, CN=www.vigil.example", "12:34", "www.vigil.example", "TLS 1.2", true]]' ] ||
    fail "tls record: $(grep '"event_type":"tls"' "$E")"
[ "$(q "$E" '[(r["tls"]["ja3"]["string"], r["tls"]["ja3s"]["string"]) for r in recs if r["event_type"] == "tls"]')" = '[["771,49199-49200-156,0-10-11-13-16-23,29-23,0", "771,49199,65281-23"]]' ] ||
    fail "ja3/ja3s"
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = '[9100001, 9100002, 9100003, 9100004, 9100006, 9100007]' ] ||
    fail "alerts: $(grep '"event_type":"alert"' "$E")"
[ "$(q "$E" 'sorted({r["tls"]["sni"] for r in recs if r["event_type"] == "alert"})')" = '["www.vigil.example"]' ] ||
    fail "alerts lack the tls object"
[ "$(q "$E" '[r.get("app_proto") for r in recs if r["event_type"] == "flow"]')" = '["tls"]' ] ||
    fail "flow record lacks app_proto tls"
[ "$(stat "$E" app_layer.error.tls.parser)" = 0 ] || fail "tls parser errors"

# encryption-handling: default stops content inspection once both sides are encrypted
# (the application data records are not matched), full keeps it; a bad value stops.
echo 'alert tcp any any -> any any (msg:"app data header"; content:"|17 03 03 00 20|"; sid:9100300; rev:1;)' >"$WORK/enc.rules"
n_default=$("$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/tls-handshake.pcap" \
    -S "$WORK/enc.rules" -l "$WORK/enc-default" 2>/dev/null && grep -c '"signature_id":9100300' "$WORK/enc-default/eve.json")
n_full=$("$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/tls-handshake.pcap" \
    -S "$WORK/enc.rules" -l "$WORK/enc-full" --set app-layer.protocols.tls.encryption-handling=full \
    2>/dev/null && grep -c '"signature_id":9100300' "$WORK/enc-full/eve.json")
[ "$n_default" = 0 ] || fail "encryption-handling default: $n_default content alerts on encrypted data"
[ "$n_full" = 2 ] || fail "encryption-handling full: $n_full content alerts, expected 2"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/tls-handshake.pcap" -l "$WORK/enc-bad" \
    --set app-layer.protocols.tls.encryption-handling=sometimes 2>"$WORK/err-enc" &&
    fail "encryption-handling=sometimes accepted"
grep -q "encryption-handling: 'sometimes' is not default, bypass or full" "$WORK/err-enc" ||
    fail "no message for a bad encryption-handling: $(cat "$WORK/err-enc")"

# '=>' (one tx, both sides, one alert), ssl_version once per direction, and a rule whose
# requires are not met: skipped (counted apart), even with an unknown protocol.
cat >"$WORK/tx.rules" <<'EOF'
alert tls any any => any any (msg:"both sides"; tls.sni; content:"www.vigil.example"; tls.cert_subject; content:"O=Vigil Test"; sid:9100200; rev:1;)
alert tcp any any -> any any (msg:"tls 1.2 each side"; ssl_version:tls1.2; sid:9100201; rev:1;)
alert vxlan any any -> any any (msg:"newer engine"; requires: version >= 10; sid:9100202; rev:1;)
EOF
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/tls-handshake.pcap" -S "$WORK/tx.rules" \
    -l "$WORK/tx" 2>"$WORK/err" || fail "vigil (=> rules) failed: $(cat "$WORK/err")"
E=$WORK/tx/eve.json
[ "$(q "$E" 'sorted((r["alert"]["signature_id"], r["direction"]) for r in recs if r["event_type"] == "alert")')" = '[[9100200, "to_client"], [9100201, "to_client"], [9100201, "to_server"]]' ] ||
    fail "=> / ssl_version alerts: $(grep '"event_type":"alert"' "$E")"
[ "$(q "$E" '[r["stats"]["detect"]["engines"][0]["rules_skipped"] for r in recs if r["event_type"] == "stats"][-1]')" = 1 ] ||
    fail "rules_skipped"
grep -q "1 rules skipped: their requires option is not met" "$WORK/err" || fail "no skipped-rules notice"

# tls.store with the tls-store output: the server's chain as PEM (+ .meta) named by the
# time of the alerting packet and a counter; nothing without the output.
cat >"$WORK/store.yaml" <<EOF
%YAML 1.1
---
include: $VG_SOURCE_DIR/etc/vigil.yaml
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      types: [alert, tls]
  - tls-store:
      enabled: yes
      certs-log-dir: certs
EOF
echo 'alert tls any any -> any any (msg:"store"; tls.cert_subject; content:"O=Vigil Test"; tls.store; sid:9100100; rev:1;)' >"$WORK/store.rules"
"$VIGIL" -c "$WORK/store.yaml" -k none -r "$DATA/tls-handshake.pcap" -S "$WORK/store.rules" \
    -l "$WORK/store" 2>"$WORK/err" || fail "vigil (tls-store) failed: $(cat "$WORK/err")"
n_pem=$(find "$WORK/store/certs" -name '*-1.pem' | wc -l)
[ "$n_pem" = 1 ] || fail "tls-store: $n_pem chains stored: $(ls -R "$WORK/store")"
pem=$(find "$WORK/store/certs" -name '*-1.pem')
openssl x509 -in "$pem" -noout -subject | grep -q "CN *= *www.vigil.example" ||
    fail "stored PEM does not parse or is not the server's certificate"
grep -q "^TLS SUBJECT: *C=FR, O=Vigil Test, CN=www.vigil.example$" "${pem%.pem}.meta" ||
    fail "meta file: $(cat "${pem%.pem}.meta")"
run "$WORK/nostore" -S "$WORK/store.rules"
[ ! -e "$WORK/nostore/certs" ] || fail "certificates stored without the tls-store output"
[ "$(stat "$E" app_layer.tx.tls)" = 1 ] || fail "app_layer.tx.tls counter"

for rm in autofp workers; do
    run "$WORK/$rm" --runmode "$rm"
    a=$(grep -E '"event_type":"(tls|alert)"' "$WORK/single/eve.json" | sed 's/"flow_id":[0-9]*,//' | sort)
    b=$(grep -E '"event_type":"(tls|alert)"' "$WORK/$rm/eve.json" | sed 's/"flow_id":[0-9]*,//' | sort)
    [ "$a" = "$b" ] || fail "runmode $rm writes other tls/alert records"
done
echo ok
