#!/usr/bin/env bash
# Run the shared suricata-verify subset (each case with its own suricata.yaml,
# as suricata-verify runs Suricata) and enforce the ratchet:
# every case listed in tests/conformance-pass.txt must still pass.
# New passes are listed so they can be added in the same commit.
set -u
engine=${1:-build/vigil}
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${VG_SHARED_DIR:-$top/../shared}
runner=$shared/conformance/run
ratchet=$top/tests/conformance-pass.txt
if [ ! -x "$runner" ] && [ ! -f "$runner" ]; then
    if [ "${CI:-}" = true ]; then
        echo "conformance: $runner not found: CI (CI=true) needs ../shared" >&2
        exit 1
    fi
    echo "conformance: $runner not found; skipping (../shared is not here)"
    exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
python3 "$runner" --engine "$engine" --pass-config --jobs "${JOBS:-2}" >"$out" 2>&1
tail -n 1 "$out"
grep -E '^PASS ' "$out" | awk '{print $2}' | sort >"$out.pass"
touch "$ratchet"
missing=$(comm -23 <(grep -v '^#' "$ratchet" | sed '/^$/d' | sort) "$out.pass")
new=$(comm -13 <(grep -v '^#' "$ratchet" | sed '/^$/d' | sort) "$out.pass")
rm -f "$out.pass"
if [ -n "$new" ]; then
    echo "conformance: new passes (add them to tests/conformance-pass.txt):"
    echo "$new" | sed 's/^/  /'
fi
if [ -n "$missing" ]; then
    echo "conformance: REGRESSION: these cases passed before and fail now:"
    echo "$missing" | sed 's/^/  /'
    grep -F -f <(echo "$missing" | sed 's/^/FAIL /') "$out" | head -50
    exit 1
fi
echo "conformance: ratchet holds ($(grep -cv '^#' "$ratchet" 2>/dev/null || echo 0) cases)"
# Robustness: every shared capture runs to the end with valid EVE output;
# and, in the same pass, the decoder counters of every 10th capture under
# data/pcaps (path order: a fixed subset, since tshark takes ~20 times longer
# than vigil; VG_TSHARK_EVERY=1 or make check-shared compares them all) equal
# tshark's, except the differences listed with their reason in
# tools/shared-captures-known-diffs.txt (--strict). Without tshark only the
# robustness part runs, which CI=true does not accept.
python3 "$top/tools/check-shared-captures.py" --engine "$engine" --shared "$shared" --strict \
    --tshark-every "${VG_TSHARK_EVERY:-10}" --jobs "${JOBS:-2}" || exit 1
exit 0
