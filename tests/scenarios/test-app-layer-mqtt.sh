#!/usr/bin/env bash
# MQTT 5 through the binary on a crafted capture (tools/gen-mqtt-captures.py): a CONNECT
# split over two segments paired with its CONNACK, SUBSCRIBE + SUBACK, PUBLISH QoS 1 +
# PUBACK as one record each, a QoS 3 PUBLISH and a stray PUBACK raising
# invalid_qos_level and missing_publish (etc/rules/mqtt-events.rules), the mqtt
# keywords and buffers alerting with the mqtt object, string-log-limit, the same output in
# every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/mqtt.rules
cat "$DATA/mqtt-scenario.rules" "$VG_SOURCE_DIR/etc/rules/mqtt-events.rules" >"$RULES"

run() {
    local out=$1
    shift
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/mqtt.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
    grep -q Warning "$WORK/err" && fail "warnings: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

run "$WORK/a"
E=$WORK/a/eve.json
[ "$(q "$E" '[sorted(r["mqtt"]) for r in recs if r["event_type"] == "mqtt"]')" = '[["connack", "connect"], ["suback", "subscribe"], ["puback", "publish"], ["publish"], ["puback"], ["disconnect"]]' ] ||
    fail "mqtt records: $(grep '"event_type":"mqtt"' "$E")"
[ "$(q "$E" '[(r["mqtt"]["connect"]["username"], r["mqtt"]["connect"]["will"]["topic"], r["mqtt"]["connect"]["properties"], r["mqtt"]["connack"]["properties"]) for r in recs if r["event_type"] == "mqtt" and "connect" in r["mqtt"]]')" = '[["alice", "will/t", {"receive_maximum": 20}, {"topic_alias_maximum": 10}]]' ] ||
    fail "connect record"
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = '[2226001, 2226006, 9170001, 9170002, 9170003, 9170004, 9170005, 9170006]' ] ||
    fail "alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[r["mqtt"]["publish"]["topic"] for r in recs if r["event_type"] == "alert" and r["alert"]["signature_id"] == 9170004]')" = '["sensors/temp"]' ] ||
    fail "alert lacks the mqtt object"
[ "$(q "$E" 'sorted(r["anomaly"]["event"] for r in recs if r["event_type"] == "anomaly")')" = '["invalid_qos_level", "missing_publish"]' ] ||
    fail "anomalies: $(grep '"anomaly"' "$E")"
[ "$(stat "$E" app_layer.flow.mqtt)" = 1 ] || fail "app_layer.flow.mqtt counter"
[ "$(stat "$E" app_layer.tx.mqtt)" = 6 ] || fail "app_layer.tx.mqtt counter"

# string-log-limit: topics and messages longer than the limit are cut with a
# note of what was left out; a topic list shares one limit (the topic that
# crosses it is cut, later ones are left out)
for lim in 14 3; do
    cat >"$WORK/lim$lim.yaml" <<Y
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      types:
        - mqtt:
            string-log-limit: $lim
Y
    mkdir -p "$WORK/lim$lim"
    "$VIGIL" -c "$WORK/lim$lim.yaml" -k none -r "$DATA/mqtt.pcap" -l "$WORK/lim$lim" 2>"$WORK/err" ||
        fail "vigil string-log-limit $lim: $(cat "$WORK/err")"
    grep -q Warning "$WORK/err" && fail "warnings: $(cat "$WORK/err")"
done
[ "$(q "$WORK/lim14/eve.json" '[r["mqtt"]["subscribe"]["topics"] for r in recs if r["event_type"] == "mqtt" and "subscribe" in r["mqtt"]]')" = \
  '[[{"qos": 1, "topic": "sensors/temp"}, {"qos": 0, "topic": "al[truncated 6 additional bytes]"}]]' ] ||
    fail "string-log-limit 14, subscribe: $(grep subscribe "$WORK/lim14/eve.json")"
[ "$(q "$WORK/lim14/eve.json" '[(r["mqtt"]["publish"]["topic"], r["mqtt"]["publish"]["message"]) for r in recs if r["event_type"] == "mqtt" and "publish" in r["mqtt"]]')" = \
  '[["sensors/temp", "21.5C"], ["x", "q"]]' ] ||
    fail "string-log-limit 14, publish: $(grep publish "$WORK/lim14/eve.json")"
[ "$(q "$WORK/lim3/eve.json" '[r["mqtt"]["subscribe"]["topics"] for r in recs if r["event_type"] == "mqtt" and "subscribe" in r["mqtt"]]')" = \
  '[[{"qos": 1, "topic": "sen[truncated 9 additional bytes]"}]]' ] ||
    fail "string-log-limit 3, subscribe: $(grep subscribe "$WORK/lim3/eve.json")"
[ "$(q "$WORK/lim3/eve.json" '[(r["mqtt"]["publish"]["topic"], r["mqtt"]["publish"]["message"]) for r in recs if r["event_type"] == "mqtt" and "publish" in r["mqtt"]]')" = \
  '[["sen[truncated 9 additional bytes]", "21.[truncated 2 additional bytes]"], ["x", "q"]]' ] ||
    fail "string-log-limit 3, publish: $(grep publish "$WORK/lim3/eve.json")"
[ "$(q "$WORK/lim3/eve.json" '[(r["mqtt"]["connect"]["will"]["topic"], r["mqtt"]["connect"]["will"]["message"], r["mqtt"]["connect"]["username"]) for r in recs if r["event_type"] == "mqtt" and "connect" in r["mqtt"]]')" = \
  '[["wil[truncated 3 additional bytes]", "bye", "alice"]]' ] ||
    fail "string-log-limit 3, will: $(grep connect "$WORK/lim3/eve.json")"
# without the option nothing is cut (the default run above)
grep -q "additional bytes\]" "$E" && fail "text cut without string-log-limit"

for rm in workers autofp; do
    run "$WORK/$rm" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "mqtt", "anomaly"))')" = \
      "$(q "$E" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "mqtt", "anomaly"))')" ] ||
        fail "runmode $rm differs"
done
echo ok
