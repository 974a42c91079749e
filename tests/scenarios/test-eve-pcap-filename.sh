#!/usr/bin/env bash
# EVE pcap_filename (eve-log pcap-file: yes) and decoder events raised twice,
# through the binary on crafted captures (tools/gen-pcap-filename-captures.py):
# no pcap_filename without the option; with it every record names the file
# as given to -r; reading a directory, packet records name their packet's
# file, flow records the file of the flow's first packet, the final stats the
# last file, the same in every runmode; an IPv4 packet with two options of a
# bad length has two opt_invalid_len anomaly records (as Suricata).
. "$(dirname "$0")/lib.sh"
command -v jq >/dev/null || needs "jq"
DIR=$VG_SOURCE_DIR/tests/data/pcap-filename/dir

cat >"$WORK/rules" <<'R'
alert udp any any -> any any (msg:"ping"; content:"ping"; sid:1;)
alert pkthdr any any -> any any (msg:"bad option length"; decode-event:ipv4.opt_invalid_len; sid:2;)
R

config() {  # config FILE PCAP_FILE_VALUE (empty: key left out)
    {
        echo "outputs:"
        echo "  - eve-log:"
        echo "      enabled: yes"
        echo "      filename: eve.json"
        [ -n "$2" ] && echo "      pcap-file: $2"
        echo "      types:"
        echo "        - alert"
        echo "        - anomaly:"
        echo "            types:"
        echo "              decode: yes"
        echo "        - flow"
        echo "        - stats"
    } >"$1"
}

run() {  # run OUTDIR PCAP CONFIG [ARGS...]
    local out=$1 pcap=$2 conf=$3
    shift 3
    mkdir -p "$out"
    "$VIGIL" -k none -r "$pcap" -S "$WORK/rules" -c "$conf" -l "$out" "$@" 2>"$WORK/err" ||
        fail "vigil -r $pcap $*: $(cat "$WORK/err")"
    eve_check "$out/eve.json"
}

jqe() { jq -c "$2" "$1"; }

# ---- off (the default) and explicitly off: no pcap_filename
config "$WORK/def.yaml" ""
config "$WORK/off.yaml" "no"
config "$WORK/on.yaml" "yes"
for c in def off; do
    run "$WORK/$c" "$DIR/a.pcap" "$WORK/$c.yaml"
    [ "$(jqe "$WORK/$c/eve.json" 'select(has("pcap_filename"))' | wc -l)" -eq 0 ] ||
        fail "$c: pcap_filename written: $(jqe "$WORK/$c/eve.json" 'select(has("pcap_filename"))' | head -1)"
done

# ---- one file: every record names it as given
run "$WORK/one" "$DIR/a.pcap" "$WORK/on.yaml"
E=$WORK/one/eve.json
for t in alert anomaly flow stats; do
    [ "$(jqe "$E" "select(.event_type==\"$t\")" | wc -l)" -ge 1 ] || fail "one file: no $t record"
done
[ "$(jq -r 'select(.pcap_filename != "'"$DIR/a.pcap"'") | .event_type' "$E" | wc -l)" -eq 0 ] ||
    fail "one file: a record without pcap_filename $DIR/a.pcap: $(jq -c 'select(.pcap_filename != "'"$DIR/a.pcap"'")' "$E" | head -1)"

# ---- the same event twice on one packet: two anomaly records, one alert
[ "$(jqe "$E" 'select(.event_type=="anomaly" and .pcap_cnt==3) | .anomaly.event' | sort | tr -d '\n')" = \
  '"decoder.ipv4.opt_invalid_len""decoder.ipv4.opt_invalid_len""decoder.ipv4.opt_pad_required"' ] ||
    fail "anomalies of packet 3: $(jqe "$E" 'select(.event_type=="anomaly") | [.pcap_cnt, .anomaly.event]')"
[ "$(jqe "$E" 'select(.event_type=="alert" and .alert.signature_id==2)' | wc -l)" -eq 1 ] ||
    fail "decode-event rule: expected one alert"
[ "$(stat "$E" decoder.event.ipv4.opt_invalid_len)" = 2 ] || fail "opt_invalid_len counted $(stat "$E" decoder.event.ipv4.opt_invalid_len) times"

# ---- a directory: each record names its own file, in every runmode
summary() {  # one line per record: type, key, file name (stats: the last record only)
    jq -r 'select(.event_type=="alert") | "alert \(.pcap_cnt) \(.alert.signature_id) \(.pcap_filename)"' "$1"
    jq -r 'select(.event_type=="anomaly") | "anomaly \(.pcap_cnt) \(.anomaly.event) \(.pcap_filename)"' "$1"
    jq -r 'select(.event_type=="flow") | "flow \(.src_ip) \(.pcap_filename)"' "$1"
    jq -r 'select(.event_type=="stats") | "stats \(.pcap_filename)"' "$1" | tail -1
}
run "$WORK/dir" "$DIR" "$WORK/on.yaml"
summary "$WORK/dir/eve.json" | sort >"$WORK/dir.sum"
sort >"$WORK/dir.want" <<W
alert 1 1 $DIR/a.pcap
alert 3 2 $DIR/a.pcap
alert 4 1 $DIR/b.pcap
alert 5 1 $DIR/b.pcap
anomaly 3 decoder.ipv4.opt_pad_required $DIR/a.pcap
anomaly 3 decoder.ipv4.opt_invalid_len $DIR/a.pcap
anomaly 3 decoder.ipv4.opt_invalid_len $DIR/a.pcap
flow 10.0.1.1 $DIR/a.pcap
flow 10.0.1.3 $DIR/a.pcap
flow 10.0.2.1 $DIR/b.pcap
stats $DIR/b.pcap
W
cmp -s "$WORK/dir.want" "$WORK/dir.sum" ||
    fail "directory: $(diff "$WORK/dir.want" "$WORK/dir.sum")"
nostats() { grep -v '"event_type":"stats"' "$1" | sort; }
for rm in autofp workers; do
    run "$WORK/$rm" "$DIR" "$WORK/on.yaml" --runmode "$rm"
    cmp -s <(nostats "$WORK/dir/eve.json") <(nostats "$WORK/$rm/eve.json") ||
        fail "runmode $rm: records differ: $(diff <(nostats "$WORK/dir/eve.json") <(nostats "$WORK/$rm/eve.json") | head -4)"
    [ "$(summary "$WORK/$rm/eve.json" | tail -1)" = "stats $DIR/b.pcap" ] ||
        fail "runmode $rm: final stats: $(summary "$WORK/$rm/eve.json" | tail -1)"
done
echo "ok"
