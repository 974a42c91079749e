#!/usr/bin/env bash
# X-Forwarded-For in alerts (outputs.eve-log.types.alert.xff) through the binary on a
# crafted capture (tools/gen-xff-capture.py): extra-data adds "xff" to alerts on HTTP
# transactions; overwrite puts the address over src_ip of a to-server alert (reverse
# deployment: the list's last entry, forward: the first) and falls back to "xff" when the
# address is of another IP version; off leaves the alerts alone.
. "$(dirname "$0")/lib.sh"
DATA=$VG_SOURCE_DIR/tests/data/app-layer
echo 'alert http any any -> any any (msg:"request"; flow:to_server; http.uri; content:"/x"; sid:9400001;)' \
    >"$WORK/xff.rules"

run() {
    local out=$1 mode=$2 deployment=$3
    cat >"$WORK/$out.yaml" <<YAML
%YAML 1.1
---
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      types:
        - alert:
            xff:
              enabled: $([ "$mode" = off ] && echo no || echo yes)
              mode: $([ "$mode" = off ] && echo extra-data || echo "$mode")
              deployment: $deployment
YAML
    mkdir -p "$WORK/$out"
    "$VIGIL" -c "$WORK/$out.yaml" -k none -r "$DATA/http-xff.pcap" -S "$WORK/xff.rules" \
        -l "$WORK/$out" 2>"$WORK/err" || fail "$out: vigil failed: $(cat "$WORK/err")"
    eve_check "$WORK/$out/eve.json"
}

# (src_port, src_ip, xff) of each alert
got() {
    python3 - "$WORK/$1/eve.json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(sorted((r["src_port"], r["src_ip"], r.get("xff")) for r in recs if r["event_type"] == "alert"))
PY
}

run extra extra-data reverse
[ "$(got extra)" = "[(40010, '10.0.0.1', '203.0.113.9'), (40011, '10.0.0.1', '2001:db8::5')]" ] ||
    fail "extra-data: $(got extra)"
run over overwrite reverse
[ "$(got over)" = "[(40010, '203.0.113.9', None), (40011, '10.0.0.1', '2001:db8::5')]" ] ||
    fail "overwrite reverse: $(got over)"
run fwd overwrite forward
[ "$(got fwd)" = "[(40010, '198.51.100.7', None), (40011, '10.0.0.1', '2001:db8::5')]" ] ||
    fail "overwrite forward: $(got fwd)"
run off off reverse
[ "$(got off)" = "[(40010, '10.0.0.1', None), (40011, '10.0.0.1', None)]" ] ||
    fail "xff off: $(got off)"
# http records (outputs.eve-log.types.http.xff): overwrite puts the address over src_ip
# when it is of the flow's IP version, else the http object carries it as "xff"
run_http() {
    local out=$1 mode=$2
    cat >"$WORK/$out.yaml" <<YAML
%YAML 1.1
---
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      types:
        - http:
            xff:
              enabled: yes
              mode: $mode
              deployment: reverse
YAML
    mkdir -p "$WORK/$out"
    "$VIGIL" -c "$WORK/$out.yaml" -k none -r "$DATA/http-xff.pcap" -S "$WORK/xff.rules" \
        -l "$WORK/$out" 2>"$WORK/err" || fail "$out: vigil failed: $(cat "$WORK/err")"
    eve_check "$WORK/$out/eve.json"
}
got_http() {
    python3 - "$WORK/$1/eve.json" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
print(sorted((r["src_port"], r["src_ip"], r["http"].get("xff")) for r in recs
             if r["event_type"] == "http"))
PY
}
run_http hover overwrite
[ "$(got_http hover)" = "[(40010, '203.0.113.9', None), (40011, '10.0.0.1', '2001:db8::5')]" ] ||
    fail "http records, overwrite: $(got_http hover)"
run_http hextra extra-data
[ "$(got_http hextra)" = "[(40010, '10.0.0.1', '203.0.113.9'), (40011, '10.0.0.1', '2001:db8::5')]" ] ||
    fail "http records, extra-data: $(got_http hextra)"
echo "ok: http xff scenarios"
