#!/usr/bin/env bash
# pcap-log: conditional all writes every packet of the capture unchanged;
# alerts writes only packets of flows that alerted; limit and max-files
# rotate and prune the files.
. "$(dirname "$0")/lib.sh"
PCAP=$VG_SOURCE_DIR/tests/data/determinism.pcap
records() { # FILE... -> one line per packet: ts_sec.ts_usec hex(data)
    python3 - "$@" <<'PY'
import struct, sys
for path in sys.argv[1:]:
    d = open(path, "rb").read()
    magic = struct.unpack("<I", d[:4])[0]
    e = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
    off = 24
    while off + 16 <= len(d):
        s, us, incl, orig = struct.unpack(e + "IIII", d[off:off + 16])
        print("%d.%06d %s" % (s, us, d[off + 16:off + 16 + incl].hex()))
        off += 16 + incl
PY
}
conf() { # OPTIONS...
    printf 'include: %s/etc/vigil.yaml\noutputs:\n  - eve-log:\n      filename: eve.json\n      types: [alert, flow, stats]\n  - pcap-log:\n' "$VG_SOURCE_DIR"
    for o in "$@"; do printf '      %s\n' "$o"; done
}

conf "filename: all.pcap" "conditional: all" >"$WORK/all.yaml"
"$VIGIL" -c "$WORK/all.yaml" -r "$PCAP" -l "$WORK/all" 2>"$WORK/err" ||
    fail "vigil with pcap-log failed: $(cat "$WORK/err")"
set -- "$WORK"/all/all.pcap.*
[ $# -eq 1 ] && [ -f "$1" ] || fail "expected one all.pcap.<time> file: $*"
records "$PCAP" >"$WORK/in.txt"
records "$1" >"$WORK/out.txt"
cmp -s "$WORK/in.txt" "$WORK/out.txt" ||
    fail "conditional all: $(wc -l <"$WORK/out.txt") packets logged of $(wc -l <"$WORK/in.txt"), or not the same"
n_all=$(wc -l <"$WORK/in.txt")

# runmodes.pcap: alerts on packets from the wire (determinism.pcap's come at flow end).
APCAP=$VG_SOURCE_DIR/tests/data/runmodes.pcap
conf "filename: alerts.pcap" "conditional: alerts" >"$WORK/al.yaml"
"$VIGIL" -c "$WORK/al.yaml" -r "$APCAP" -l "$WORK/al" 2>"$WORK/err" ||
    fail "vigil with pcap-log alerts failed: $(cat "$WORK/err")"
n_alerts=$(jq -s '[.[] | select(.event_type == "alert" and .pkt_src == "wire/pcap")] | length' "$WORK/al/eve.json")
[ "$n_alerts" -gt 0 ] || fail "the capture raised no alerts on wire packets: the test proves nothing"
records "$WORK"/al/alerts.pcap.* | sort >"$WORK/al.txt"
records "$APCAP" | sort >"$WORK/ain.txt"
n=$(wc -l <"$WORK/al.txt")
n_in=$(wc -l <"$WORK/ain.txt")
[ "$n" -ge "$n_alerts" ] && [ "$n" -lt "$n_in" ] || fail "conditional alerts logged $n of $n_in packets ($n_alerts alerts)"
# Every logged packet is one of the capture's.
comm -13 "$WORK/ain.txt" "$WORK/al.txt" | grep -q . && fail "alerts: a packet not in the capture"

conf "filename: r.pcap" "limit: 8kb" "max-files: 3" >"$WORK/r.yaml"
"$VIGIL" -c "$WORK/r.yaml" -r "$PCAP" -l "$WORK/r" 2>"$WORK/err" ||
    fail "vigil with pcap-log rotation failed: $(cat "$WORK/err")"
files=("$WORK"/r/r.pcap.*)
[ "${#files[@]}" -eq 3 ] || fail "max-files 3: ${#files[@]} files"
for f in "${files[@]}"; do
    [ "$(wc -c <"$f")" -le 8192 ] || fail "$f is larger than the 8kb limit"
done
last=$(grep '"event_type":"stats"' "$WORK/r/eve.json" | tail -1)
[ "$(printf '%s' "$last" | jq '.stats["pcap-log"].packets')" -eq "$n_all" ] ||
    fail "pcap-log.packets != $n_all"
[ "$(printf '%s' "$last" | jq '.stats["pcap-log"].files')" -gt 3 ] || fail "pcap-log.files: no rotation"
echo "pcap-log: ok ($n_all packets; alerts: $n)"
