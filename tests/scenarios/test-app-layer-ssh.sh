#!/usr/bin/env bash
# SSH through the binary on crafted captures (tools/gen-ssh-captures.py): detection on
# port 22 and on other ports by the banner, one EVE ssh record per flow (with hassh when
# app-layer.protocols.ssh.hassh is yes), ssh.software / ssh.hassh.server.string /
# ssh.protoversion alerts carrying the ssh object, nothing parsed after NEWKEYS, the
# long_banner and invalid_record_length events through etc/rules/ssh-events.rules, the
# same output in every runmode.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
RULES=$WORK/ssh.rules
cat "$DATA/ssh-scenario.rules" "$VG_SOURCE_DIR/etc/rules/ssh-events.rules" >"$RULES"

run() {
    local pcap=$1 out=$2
    shift 2
    "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/$pcap.pcap" -S "$RULES" \
        -l "$out" "$@" 2>"$WORK/err" || fail "$pcap: vigil failed: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

run ssh-22 "$WORK/a"
E=$WORK/a/eve.json
[ "$(q "$E" '[r["ssh"] for r in recs if r["event_type"] == "ssh"]')" = '[{"client": {"proto_version": "2.0", "software_version": "PuTTY_Release_0.80"}, "server": {"proto_version": "2.0", "software_version": "OpenSSH_9.6p1"}}]' ] ||
    fail "ssh record: $(grep '"event_type":"ssh"' "$E")"
[ "$(q "$E" 'sorted((r["alert"]["signature_id"], r["ssh"]["client"]["software_version"]) for r in recs if r["event_type"] == "alert")')" = '[[9100001, "PuTTY_Release_0.80"], [9100002, "PuTTY_Release_0.80"], [9100004, "PuTTY_Release_0.80"]]' ] ||
    fail "alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[r.get("app_proto") for r in recs if r["event_type"] == "flow"]')" = '["ssh"]' ] ||
    fail "flow record lacks app_proto ssh"
[ "$(stat "$E" app_layer.flow.ssh)" = 1 ] || fail "app_layer.flow.ssh counter"
[ "$(stat "$E" app_layer.error.ssh.parser)" = 0 ] || fail "parser errors counted"

# hassh in records when enabled; values are md5 of the kex;enc;mac;comp strings.
run ssh-22 "$WORK/h" --set app-layer.protocols.ssh.hassh=yes
E=$WORK/h/eve.json
[ "$(q "$E" '[(r["ssh"]["client"]["hassh"]["string"], r["ssh"]["server"]["hassh"]["hash"]) for r in recs if r["event_type"] == "ssh"]')" = '[["curve25519-sha256,ecdh-sha2-nistp256;aes128-ctr,aes256-gcm@openssh.com;hmac-sha2-256;none", "'"$(printf '%s' 'curve25519-sha256,ecdh-sha2-nistp256;aes256-ctr;hmac-sha1;none,zlib@openssh.com' | md5sum | cut -c1-32)"'"]]' ] ||
    fail "hassh: $(grep '"event_type":"ssh"' "$E")"

# Odd ports: found by the banner; a long client banner and a bad record length.
run ssh-odd-port "$WORK/b"
E=$WORK/b/eve.json
[ "$(q "$E" 'sorted(r["alert"]["signature_id"] for r in recs if r["event_type"] == "alert")')" = '[2228001, 2228002, 9100002, 9100002, 9100004, 9100004]' ] ||
    fail "odd-port alerts: $(grep '"alert"' "$E")"
[ "$(q "$E" '[len(r["ssh"]["client"]["software_version"]) for r in recs if r["event_type"] == "ssh" and r["dest_port"] == 2222]')" = '[247]' ] ||
    fail "long banner not cut at 255 bytes"

# Same output in every runmode.
for rm in workers autofp; do
    run ssh-odd-port "$WORK/$rm" --runmode "$rm"
    [ "$(q "$WORK/$rm/eve.json" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r["dest_port"] + r["src_port"], r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "ssh"))')" = \
      "$(q "$WORK/b/eve.json" 'sorted((r["event_type"], r.get("alert", {}).get("signature_id", 0), r["dest_port"] + r["src_port"], r.get("pcap_cnt")) for r in recs if r["event_type"] in ("alert", "ssh"))')" ] ||
        fail "runmode $rm differs"
done
# hassh turned off while rules use it: each rule is named, start-up fails (exit 1), -T too.
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -k none -r "$DATA/ssh-22.pcap" -S "$RULES" \
    -l "$WORK/off" --set app-layer.protocols.ssh.hassh=no 2>"$WORK/err-off"
rc=$?
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -T -S "$RULES" --set app-layer.protocols.ssh.hassh=no \
    2>/dev/null
rc_t=$?
[ "$rc" = 1 ] || fail "hassh rules with hassh off: exit $rc, expected 1"
[ "$rc_t" = 1 ] || fail "-T with hassh rules and hassh off: exit $rc_t, expected 1"
[ "$(grep -c "ssh.hassh.server.string: hassh support is not enabled" "$WORK/err-off")" = 1 ] ||
    fail "refused hassh rule not named: $(cat "$WORK/err-off")"
grep -q "need what the configuration turns off" "$WORK/err-off" || fail "no start-up error"
echo "ok: ssh scenarios"
