# Shared helpers for scenario tests (sourced). VIGIL is the binary under test.
set -u
: "${VIGIL:?VIGIL must point at the vigil binary}"
: "${VG_SOURCE_DIR:?}"
SAMPLE=$VG_SOURCE_DIR/tests/data/sample.pcap
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# eve_check FILE: every line is a JSON object.
eve_check() {
    python3 - "$1" <<'PY' || fail "$1 holds a line that is not JSON"
import json, sys
for n, line in enumerate(open(sys.argv[1]), 1):
    obj = json.loads(line)
    assert isinstance(obj, dict), f"line {n} is not an object"
PY
}

# stat FILE DOTTED.NAME: a value from the last stats record.
stat() {
    python3 - "$1" "$2" <<'PY'
import json, sys
last = None
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("event_type") == "stats":
        last = r["stats"]
v = last
for part in sys.argv[2].split("."):
    v = v[part]
print(v)
PY
}
