#!/usr/bin/env bash
# tools/eve-parity.py on the tiny fixtures of tests/data/parity/tool/: per-sid
# and per-flow differences, pseudo-packet alerts paired whatever their time,
# the parity-directory format (alert records + per-sid counts), the options,
# and exit codes (0 same, 1 different, 2 bad input).
. "$(dirname "$0")/lib.sh"
T=$VG_SOURCE_DIR/tests/data/parity/tool
parity() { python3 "$VG_SOURCE_DIR/tools/eve-parity.py" "$@"; }

expect_exit 0 '3 compared, 0 differ' parity "$T/a.json" "$T/a.json"

# b has a second alert of sid 1 on the same flow (packet 15); sid 3 was
# raised at flow end in both, at different times: not a difference.
expect_exit 1 'only B: 10\.0\.0\.1:1000 -> 10\.0\.0\.2:80 pcap_cnt 15' \
    parity "$T/a.json" "$T/b.json"
printf '%s\n' "$out" | grep -qE '^1 +1 +2$' || fail "per-sid table lacks sid 1: $out"
printf '%s\n' "$out" | grep -q 'sid 3' && fail "flow-end alerts of sid 3 reported: $out"
expect_exit 1 '' parity --flow-counts "$T/a.json" "$T/b.json"

# Against a parity directory: same count of sid 1, other packet.
expect_exit 1 'only B: 10\.0\.0\.1:1000 -> 10\.0\.0\.2:80 pcap_cnt 16' \
    parity "$T/b.json" "$T/ref"
printf '%s\n' "$out" | grep -q 'sid 4: A 0, B 5 (no alert records' ||
    fail "counts-only sid 4 not reported: $out"
expect_exit 0 '1 compared, 0 differ' parity --flow-counts --sid 1 "$T/b.json" "$T/ref"
expect_exit 1 '' parity --flow-counts --slack 4 "$T/b.json" "$T/ref"
expect_exit 0 '' parity --flow-counts --slack 5 "$T/b.json" "$T/ref"
expect_exit 1 '^sid +A +B' parity --counts "$T/b.json" "$T/ref/ref-counts.json"
expect_exit 0 'alerts: x 3, y 3' parity --names x,y "$T/a.json" "$T/a.json"

# Bad input names the file and line.
printf '%s\n' '{"event_type":"alert","alert":{"signature_id":1}}' 'not json' >"$WORK/bad.json"
expect_exit 2 'bad\.json:2: not JSON' parity "$WORK/bad.json" "$T/a.json"
printf '%s\n' '{"event_type":"alert","src_ip":"10.0.0.1"}' >"$WORK/nosid.json"
expect_exit 2 'nosid\.json:1: alert without a sid' parity "$WORK/nosid.json" "$T/a.json"
expect_exit 2 'cannot read' parity "$WORK/missing.json" "$T/a.json"
mkdir "$WORK/empty"
expect_exit 2 'no \*\.jsonl or \*counts\.json' parity "$WORK/empty" "$T/a.json"
echo "eve-parity: ok"
