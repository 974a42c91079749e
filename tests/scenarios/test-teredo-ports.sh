#!/usr/bin/env bash
# Teredo ports through the binary (tests/data/teredo-ports.pcap, tools/make-teredo-pcap.py):
# with decoder.teredo.ports unset Teredo is tried on every UDP port, as in Suricata: the
# inner packets on port 32900 are decoded (plain and after an origin indication), the one
# after an authentication indication is not; a DNS query on port 53 stays DNS. With the
# port set to 3544 (etc/vigil.yaml) nothing on 32900 is Teredo; with a list naming 32900
# ("3544, 32900", or a variable of vars.port-groups holding it) the same as unset.
. "$(dirname "$0")/lib.sh"
cap=$VG_SOURCE_DIR/tests/data/teredo-ports.pcap
cat >"$WORK/t.rules" <<'R'
alert udp any any -> any 9999 (msg:"inner"; content:"teredo-inner"; sid:1;)
alert dns any any -> any any (msg:"dns"; dns.query; content:"teredo.example.com"; sid:2;)
R
cat >"$WORK/min.yaml" <<'Y'
%YAML 1.1
---
outputs:
  - eve-log:
      enabled: yes
      filetype: regular
      filename: eve.json
      types:
        - alert
        - stats
Y
alerts() {
    python3 - "$1" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(json.dumps(sorted([r["alert"]["signature_id"], r.get("src_port"), r.get("pkt_src")]
                        for r in recs if r["event_type"] == "alert")))
PY
}
mkdir -p "$WORK/any" "$WORK/set" "$WORK/shipped" "$WORK/list" "$WORK/var"
"$VIGIL" -c "$WORK/min.yaml" -k none -r "$cap" -S "$WORK/t.rules" -l "$WORK/any" \
    2>"$WORK/err" || fail "vigil failed: $(cat "$WORK/err")"
got=$(alerts "$WORK/any/eve.json")
[ "$got" = '[[1, 1001, "teredo tunnel"], [1, 1002, "teredo tunnel"], [2, 40001, "wire/pcap"]]' ] ||
    fail "ports unset: $got"
for run in "set:--set decoder.teredo.ports=3544" "shipped:-c $VG_SOURCE_DIR/etc/vigil.yaml"; do
    name=${run%%:*}
    # shellcheck disable=SC2086
    "$VIGIL" -c "$WORK/min.yaml" ${run#*:} -k none -r "$cap" -S "$WORK/t.rules" \
        -l "$WORK/$name" 2>"$WORK/err" || fail "$name: vigil failed: $(cat "$WORK/err")"
    got=$(alerts "$WORK/$name/eve.json")
    [ "$got" = '[[2, 40001, "wire/pcap"]]' ] || fail "$name: port 3544 only: $got"
done
for run in "list:3544, 32900" "var:\$T_PORTS"; do
    name=${run%%:*}
    "$VIGIL" -c "$WORK/min.yaml" --set "decoder.teredo.ports=${run#*:}" \
        --set "vars.port-groups.T_PORTS=[3544, 32900]" -k none -r "$cap" -S "$WORK/t.rules" \
        -l "$WORK/$name" 2>"$WORK/err" || fail "$name: vigil failed: $(cat "$WORK/err")"
    got=$(alerts "$WORK/$name/eve.json")
    [ "$got" = '[[1, 1001, "teredo tunnel"], [1, 1002, "teredo tunnel"], [2, 40001, "wire/pcap"]]' ] ||
        fail "$name: ${run#*:}: $got"
done
echo ok
