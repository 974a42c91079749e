#!/usr/bin/env bash
# eve-log files: force-hash (md5, sha1, sha256) and force-magic make fileinfo
# records carry them for every file, with no rule asking (Suricata's options), on
# the HTTP response of tests/data/detect-app/tx-payload-window.pcap
# (tools/gen-tx-payload-window-capture.py: a 1500-byte body); without them no
# hash is computed and the file is not typed (no magic, as Suricata with no
# filemagic rule); an unknown hash name is warned about and ignored.
. "$(dirname "$0")/lib.sh"
PCAP=$VG_SOURCE_DIR/tests/data/detect-app/tx-payload-window.pcap
BODY_MD5=$(python3 -c 'b=bytearray(b"x"*1500); b[100:108]=b"MARK-ONE"; import hashlib; print(hashlib.md5(bytes(b)).hexdigest())')
BODY_SHA256=$(python3 -c 'b=bytearray(b"x"*1500); b[100:108]=b"MARK-ONE"; import hashlib; print(hashlib.sha256(bytes(b)).hexdigest())')

run() {  # run OUTDIR FILES_OPTIONS_YAML
    printf '%%YAML 1.1\n---\noutputs:\n  - eve-log:\n      enabled: yes\n      filename: eve.json\n      types:\n        - files:\n%s\n' "$2" >"$WORK/c.yaml"
    "$VIGIL" -c "$WORK/c.yaml" -k none -r "$PCAP" -S /dev/null -l "$1" 2>"$WORK/err" ||
        fail "vigil: $(cat "$WORK/err")"
    eve_check "$1/eve.json"
}
fileinfo() {  # fileinfo FILE FIELD: the field of the one fileinfo record ("-" when absent)
    python3 - "$1" "$2" <<'PY'
import json, sys
recs = [r for r in map(json.loads, open(sys.argv[1])) if r["event_type"] == "fileinfo"]
assert len(recs) == 1, recs
print(recs[0]["fileinfo"].get(sys.argv[2], "-"))
PY
}

run "$WORK/none" '            enabled: yes'
for h in md5 sha1 sha256 magic; do
    [ "$(fileinfo "$WORK/none/eve.json" $h)" = "-" ] || fail "$h without force-hash/force-magic"
done

run "$WORK/magic" '            force-magic: yes'
case "$(fileinfo "$WORK/magic/eve.json" magic)" in
    ASCII\ text*) ;;
    *) fail "force-magic: magic $(fileinfo "$WORK/magic/eve.json" magic), want ASCII text" ;;
esac
[ "$(fileinfo "$WORK/magic/eve.json" md5)" = "-" ] || fail "md5 with force-magic only"

run "$WORK/md5" '            force-hash: [md5]'
[ "$(fileinfo "$WORK/md5/eve.json" md5)" = "$BODY_MD5" ] || fail "md5: $(fileinfo "$WORK/md5/eve.json" md5), want $BODY_MD5"
[ "$(fileinfo "$WORK/md5/eve.json" sha256)" = "-" ] || fail "sha256 without asking"

run "$WORK/two" '            force-hash: [sha256, bogus]'
[ "$(fileinfo "$WORK/two/eve.json" sha256)" = "$BODY_SHA256" ] || fail "sha256: $(fileinfo "$WORK/two/eve.json" sha256)"
grep -q "force-hash: 'bogus'" "$WORK/err" || fail "no warning for an unknown hash: $(cat "$WORK/err")"
echo "files force-hash: ok"
