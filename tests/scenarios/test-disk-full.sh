#!/usr/bin/env bash
# A full disk under the log directory (issue 13, bad input): the run goes on
# to the end of the capture and exits 0, one warning names the file and the
# cause, and the EVE output's counters account for every record (written +
# dropped = produced). The log directory is a 48 KiB tmpfs, so this needs
# root (mount); without it the test is skipped.
. "$(dirname "$0")/lib.sh"
if [ "$(id -u)" != 0 ]; then
    echo "skipped: mounting a small tmpfs needs root"
    exit 77
fi
DIR=$WORK/full
mkdir -p "$DIR"
if ! mount -t tmpfs -o size=48k tmpfs "$DIR" 2>/dev/null; then
    echo "skipped: cannot mount a tmpfs here"
    exit 77
fi
trap 'umount "$DIR" 2>/dev/null; rm -rf "$WORK"' EXIT
cat >"$WORK/r.rules" <<'R'
alert tcp any any -> any any (msg:"any tcp"; flags:S; sid:1; rev:1;)
R
expect_exit 0 "" timeout 120 "$VIGIL" -k none -r "$VG_SOURCE_DIR/tests/data/threshold-order.pcap" \
    -S "$WORK/r.rules" -l "$DIR"
printf '%s\n' "$out" | grep -qE "Warning: eve: cannot write to $DIR/eve.json: No space left on device" ||
    fail "no warning naming eve.json and the cause: $out"
[ "$(printf '%s\n' "$out" | grep -c 'cannot write to')" -le 2 ] ||
    fail "the warning is repeated per write: $out"
line=$(printf '%s\n' "$out" | grep -E 'eve-log [^:]+: [0-9]+ records produced') ||
    fail "no output summary: $out"
py "$line" <<'PY'
import re
m = re.search(r"(\d+) records produced, (\d+) written, (\d+) dropped", sys.argv[1])
check(m is not None, sys.argv[1])
produced, written, dropped = map(int, m.groups())
check(dropped > 0, "nothing dropped on a full disk?", sys.argv[1])
check(written + dropped == produced, sys.argv[1])
PY
# Whatever reached the file is whole lines of JSON, but for the last one cut
# by the full disk.
head -n -1 "$DIR/eve.json" >"$WORK/whole.json"
py "$WORK/whole.json" <<'PY'
import json
n = 0
for line in open(sys.argv[1]):
    json.loads(line)
    n += 1
check(n > 0, "no record reached the file")
PY
echo "disk-full: ok"
