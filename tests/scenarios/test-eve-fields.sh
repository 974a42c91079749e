#!/usr/bin/env bash
# The optional EVE fields SIEMs key on, through the binary on a crafted capture
# (tools/gen-eve-fields-captures.py): community_id (checked against
# tools/community-id-vectors.py, the spec written apart from Vigil), ether,
# host (sensor-name), alert.rule, alert.references, netflow, payload_length, metadata (flowbits,
# flowints); none of them without their options, the same records in every
# runmode; a bad community-id-seed stops start-up; fast.log lines.
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || needs "jq"
DATA=$VG_SOURCE_DIR/tests/data/eve-fields
RULES=$DATA/fields.rules
PCAP=$DATA/fields.pcap

run() {
    local out=$1
    shift
    mkdir -p "$out"
    "$VIGIL" -k none -r "$PCAP" -S "$RULES" -l "$out" "$@" 2>"$WORK/err" ||
        fail "vigil $*: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

# jqe FILE FILTER: jq -c on every record.
jqe() { jq -c "$2" "$1"; }

# ---- defaults: none of the optional fields, but metadata (Suricata's default)
run "$WORK/def"
E=$WORK/def/eve.json
n=$(jqe "$E" 'select(has("community_id") or has("ether") or has("host") or has("in_iface"))' | wc -l)
[ "$n" -eq 0 ] || fail "default config wrote optional fields: $(jqe "$E" 'select(has("community_id") or has("ether") or has("host"))' | head -1)"
[ "$(jqe "$E" 'select(.event_type=="alert" and .alert.signature_id==1001) | .metadata')" = \
  '{"flowbits":["fb.a"],"flowints":{"cnt":3}}' ] ||
    fail "default alert 1001 metadata: $(jqe "$E" 'select(.alert.signature_id==1001)')"
[ "$(jqe "$E" 'select(.event_type=="alert") | select(.alert | has("rule")) ' | wc -l)" -eq 0 ] ||
    fail "alert.rule written without metadata.rule.raw"
[ "$(jqe "$E" 'select(has("payload_length"))' | wc -l)" -eq 0 ] ||
    fail "payload_length written without payload-length"

# ---- every field configured
cat >"$WORK/fields.yaml" <<'Y'
sensor-name: probe-7
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      community-id: yes
      community-id-seed: 5
      ethernet: yes
      types:
        - alert:
            payload-length: yes
            metadata:
              rule:
                raw: yes
        - flow
        - stats
  - fast:
      enabled: yes
Y
run "$WORK/f" -c "$WORK/fields.yaml"
E=$WORK/f/eve.json
[ "$(jqe "$E" 'select(.event_type=="alert")' | wc -l)" -eq 3 ] || fail "expected 3 alerts: $(cat "$E")"
[ "$(jqe "$E" 'select(.event_type=="flow")' | wc -l)" -eq 3 ] || fail "expected 3 flow records"
[ "$(jqe "$E" 'select(.event_type=="stats" and .host=="probe-7")' | wc -l)" -ge 1 ] ||
    fail "stats record without host"
[ "$(jqe "$E" 'select(.host != "probe-7")' | wc -l)" -eq 0 ] ||
    fail "a record without host probe-7: $(jqe "$E" 'select(.host != "probe-7")' | head -1)"
[ "$(jqe "$E" 'select(has("in_iface"))' | wc -l)" -eq 0 ] || fail "in_iface on a pcap run"

# community_id of each alert and flow record, from the spec implementation
jq -r 'select(.event_type=="alert" or .event_type=="flow") |
       [.proto, .src_ip, .dest_ip, (.src_port // .icmp_type // 0), (.dest_port // .icmp_code // 0),
        .community_id] | @tsv' "$E" >"$WORK/cid.tsv"
/usr/bin/env python3 - "$VG_SOURCE_DIR/tools/community-id-vectors.py" "$WORK/cid.tsv" <<'PY' ||
import importlib.util, sys
spec = importlib.util.spec_from_file_location("cid", sys.argv[1])
cid = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cid)
protos = {"TCP": 6, "UDP": 17, "ICMP": 1}
n = 0
for line in open(sys.argv[2]):
    proto, src, dst, sp, dp, got = line.rstrip("\n").split("\t")
    want = cid.community_id(protos[proto], src, dst, int(sp), int(dp), seed=5)
    if got != want:
        sys.exit(f"{proto} {src}:{sp} -> {dst}:{dp}: community_id {got}, spec {want}")
    n += 1
if n != 6:
    sys.exit(f"{n} records with a tuple, expected 6")
PY
    fail "community_id differs from the spec"
# both directions of a flow share it: alert and flow records of each flow agree
[ "$(jq -r 'select(.event_type=="alert" or .event_type=="flow") | "\(.flow_id) \(.community_id)"' "$E" |
     sort -u | wc -l)" -eq 3 ] || fail "records of one flow with different community_id"

# ether: the MAC addresses of the frame (hosts 10.0.0.N have 02:00:00:00:00:0N)
bad=$(jqe "$E" 'select(.event_type=="alert") |
      select(.ether.src_mac != ("02:00:00:00:00:0" + (.src_ip | split(".")[3])) or
             .ether.dest_mac != ("02:00:00:00:00:0" + (.dest_ip | split(".")[3])))')
[ -z "$bad" ] || fail "ether does not match the frame: $bad"
# flow records list the addresses of each side (src_macs: the client's)
bad=$(jqe "$E" 'select(.event_type=="flow") |
      select(.ether.src_macs != ["02:00:00:00:00:0" + (.src_ip | split(".")[3])] or
             .ether.dest_macs != ["02:00:00:00:00:0" + (.dest_ip | split(".")[3])])')
[ -z "$bad" ] || fail "flow ether does not match the frames: $bad"

# alert.rule is the rule's text; payload_length the bytes logged
while read -r line; do
    sid=$(printf '%s\n' "$line" | sed -n 's/.*sid:\([0-9]*\);.*/\1/p')
    got=$(jq -r --argjson sid "$sid" 'select(.alert.signature_id==$sid) | .alert.rule' "$E")
    [ "$got" = "$line" ] || fail "sid $sid: alert.rule '$got' is not the rule '$line'"
done <"$RULES"
[ "$(jqe "$E" 'select(.event_type=="alert") | [.alert.signature_id, .payload_length]' | sort | tr -d '\n')" = \
  '[1001,33][1002,8][1003,9]' ] || fail "payload_length: $(jqe "$E" 'select(.event_type=="alert") | [.alert.signature_id, .payload_length]')"

# metadata: what the rules set on the TCP flow, in its alert and flow records; none elsewhere
[ "$(jqe "$E" 'select(has("metadata")) | [.event_type, .proto, .metadata]' | sort | tr -d '\n')" = \
  '["alert","TCP",{"flowbits":["fb.a"],"flowints":{"cnt":3}}]["flow","TCP",{"flowbits":["fb.a"],"flowints":{"cnt":3}}]' ] ||
    fail "metadata: $(jqe "$E" 'select(has("metadata")) | [.event_type, .metadata]')"

# the same records in the other runmodes
for rm in autofp workers; do
    run "$WORK/$rm" -c "$WORK/fields.yaml" --runmode "$rm"
    nostats() { grep -v '"event_type":"stats"' "$1" | sort; }
    cmp -s <(nostats "$E") <(nostats "$WORK/$rm/eve.json") ||
        fail "runmode $rm: records differ: $(diff <(nostats "$E") <(nostats "$WORK/$rm/eve.json") | head -4)"
done

# fast.log: Suricata's line layout, one line per alert
cat >"$WORK/fast.want" <<'F'
11/14/2023-22:13:20.050000  [**] [1:1001:2] fields get [**] [Classification: (null)] [Priority: 3] {TCP} 10.0.0.1:40000 -> 10.0.0.2:80
11/14/2023-22:13:20.080000  [**] [1:1002:1] fields udp [**] [Classification: (null)] [Priority: 3] {UDP} 10.0.0.1:5000 -> 10.0.0.3:6000
11/14/2023-22:13:20.100000  [**] [1:1003:1] fields icmp [**] [Classification: (null)] [Priority: 3] {ICMP} 10.0.0.4 -> 10.0.0.1
F
TZ=UTC run "$WORK/tz" -c "$WORK/fields.yaml"
cmp -s "$WORK/fast.want" "$WORK/tz/fast.log" ||
    fail "fast.log: $(diff "$WORK/fast.want" "$WORK/tz/fast.log")"

# metadata: no leaves the flow variables out
sed 's/ethernet: yes/metadata: no/' "$WORK/fields.yaml" >"$WORK/nometa.yaml"
run "$WORK/nm" -c "$WORK/nometa.yaml"
[ "$(jqe "$WORK/nm/eve.json" 'select(has("metadata"))' | wc -l)" -eq 0 ] ||
    fail "metadata: no still wrote metadata"
[ "$(jqe "$WORK/nm/eve.json" 'select(has("ether"))' | wc -l)" -eq 0 ] || fail "ether without ethernet: yes"

# alert metadata: no leaves out the flow object, the app-layer object and
# the rule's metadata, but not app_proto (as suricata-verify's
# tls-cert-chain-len expects); as a map, each on its own
cat >"$WORK/amd.yaml" <<'Y'
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      types:
        - alert:
            metadata: no
Y
run "$WORK/amd" -c "$WORK/amd.yaml"
[ "$(jqe "$WORK/amd/eve.json" 'select(.event_type=="alert") | select(has("flow") or has("http") or (.alert | has("metadata")))' | wc -l)" -eq 0 ] ||
    fail "alert metadata: no: $(jqe "$WORK/amd/eve.json" 'select(.event_type=="alert")' | head -1)"
[ "$(jqe "$WORK/amd/eve.json" 'select(.event_type=="alert" and .app_proto=="http")' | wc -l)" -gt 0 ] ||
    fail "alert metadata: no dropped app_proto: $(jqe "$WORK/amd/eve.json" 'select(.event_type=="alert")' | head -1)"
[ "$(jqe "$E" 'select(.alert.signature_id==1002) | .alert.metadata')" = '{"team":["blue"]}' ] ||
    fail "alert.metadata by default: $(jqe "$E" 'select(.alert.signature_id==1002)')"
[ "$(jqe "$E" 'select(.alert.signature_id==1001) | .app_proto')" = '"http"' ] ||
    fail "app_proto by default: $(jqe "$E" 'select(.alert.signature_id==1001)')"
sed 's/metadata: no/metadata: {app-layer: no, rule: {metadata: no}}/' "$WORK/amd.yaml" >"$WORK/amd2.yaml"
run "$WORK/amd2" -c "$WORK/amd2.yaml"
[ "$(jqe "$WORK/amd2/eve.json" 'select(.event_type=="alert") | [has("flow"), has("http"), (.alert | has("metadata"))]' | sort -u)" = '[true,false,false]' ] ||
    fail "alert metadata map: $(jqe "$WORK/amd2/eve.json" 'select(.event_type=="alert")' | head -1)"

# alert.references: only with metadata.rule.reference; each reference's
# system becomes its reference.config prefix (names without case), an
# unlisted system gives the bare value; none by default
sed -e 's/sid:1001;/reference:url,example.org\/a; reference:CVE,2020-1472; reference:nosuch,v 1; sid:1001;/' \
    -e 's/sid:1002;/reference: url , example.org\/b ; sid:1002;/' "$RULES" >"$WORK/refs.rules"
printf 'config reference: url https://\nconfig reference: cve https://cve.test/?n=\n' >"$WORK/refs.config"
sed 's/raw: yes/reference: yes/' "$WORK/fields.yaml" >"$WORK/refs.yaml"
echo "reference-config-file: $WORK/refs.config" >>"$WORK/refs.yaml"
run "$WORK/refs" -c "$WORK/refs.yaml" -S "$WORK/refs.rules"
[ "$(jqe "$WORK/refs/eve.json" 'select(.event_type=="alert") | [.alert.signature_id, .alert.references]' | sort | tr -d '\n')" = \
  '[1001,["https://example.org/a","https://cve.test/?n=2020-1472","v 1"]][1002,["https://example.org/b"]][1003,null]' ] ||
    fail "alert.references: $(jqe "$WORK/refs/eve.json" 'select(.event_type=="alert") | [.alert.signature_id, .alert.references]')"
[ "$(jqe "$WORK/refs/eve.json" 'select(.alert | has("rule"))' | wc -l)" -eq 0 ] ||
    fail "alert.rule written with only metadata.rule.reference"
run "$WORK/norefs" -S "$WORK/refs.rules"
[ "$(jqe "$WORK/norefs/eve.json" 'select(.event_type=="alert") | select(.alert | has("references"))' | wc -l)" -eq 0 ] ||
    fail "alert.references written without metadata.rule.reference"
# without reference-config-file, the bundled etc/reference.config (url: https://)
grep -v reference-config-file "$WORK/refs.yaml" >"$WORK/refs2.yaml"
run "$WORK/refs2" -c "$WORK/refs2.yaml" -S "$WORK/refs.rules"
[ "$(jqe "$WORK/refs2/eve.json" 'select(.alert.signature_id==1002) | .alert.references')" = '["https://example.org/b"]' ] ||
    fail "alert.references with the bundled reference.config: $(jqe "$WORK/refs2/eve.json" 'select(.alert.signature_id==1002)')"

# netflow: one record per direction at flow end (to-client only when the
# server sent), each with its own tuple, counters, TTLs and TCP flags; they
# agree with the flow records of the same run
cat >"$WORK/nf.yaml" <<'Y'
outputs:
  - eve-log:
      enabled: yes
      filename: eve.json
      types:
        - flow
        - netflow
Y
run "$WORK/nf" -c "$WORK/nf.yaml"
NF=$WORK/nf/eve.json
[ "$(jqe "$NF" 'select(.event_type=="netflow")' | wc -l)" -eq \
  "$(jq -s '[.[] | select(.event_type=="flow") | 1 + (if .flow.pkts_toclient > 0 then 1 else 0 end)] | add' "$NF")" ] ||
    fail "netflow: not one record per direction that sent: $(jqe "$NF" 'select(.event_type=="netflow")')"
bad=$(jq -s -c '[.[] | select(.event_type=="flow")] as $fl | .[] | select(.event_type=="netflow") |
      . as $n | ($fl[] | select(.flow_id == $n.flow_id)) as $f |
      ($n.src_ip == $f.dest_ip) as $tc |
      select(($tc and ($n.netflow.pkts != $f.flow.pkts_toclient or $n.netflow.bytes != $f.flow.bytes_toclient
                       or $n.dest_ip != $f.src_ip or $n.src_port != $f.dest_port
                       or ($f.proto == "TCP" and $n.tcp.tcp_flags != $f.tcp.tcp_flags_tc)))
             or ((($tc) | not) and ($n.netflow.pkts != $f.flow.pkts_toserver
                       or $n.netflow.bytes != $f.flow.bytes_toserver or $n.src_ip != $f.src_ip
                       or ($f.proto == "TCP" and $n.tcp.tcp_flags != $f.tcp.tcp_flags_ts)))
             or $n.netflow.start != $f.flow.start or $n.netflow.end != $f.flow.end
             or $n.netflow.min_ttl != 64 or $n.netflow.max_ttl != 64)' "$NF")
[ -z "$bad" ] || fail "netflow record disagrees with its flow record: $bad"
[ "$(jqe "$NF" 'select(.event_type=="netflow" and .proto=="TCP") | .app_proto' | sort -u)" = '"http"' ] ||
    fail "netflow app_proto: $(jqe "$NF" 'select(.event_type=="netflow" and .proto=="TCP")')"
[ "$(jqe "$WORK/f/eve.json" 'select(.event_type=="netflow")' | wc -l)" -eq 0 ] ||
    fail "netflow records without the netflow type"

# a seed out of range stops start-up, naming file and line
sed 's/community-id-seed: 5/community-id-seed: 70000/' "$WORK/fields.yaml" >"$WORK/badseed.yaml"
mkdir -p "$WORK/bs"
expect_exit 1 "badseed.yaml:7: .*community-id-seed" \
    "$VIGIL" -k none -c "$WORK/badseed.yaml" -r "$PCAP" -S "$RULES" -l "$WORK/bs"
echo "ok"
