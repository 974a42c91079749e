#!/usr/bin/env bash
# cmake --install into a temporary prefix (what make install PREFIX= runs):
# the installed vigil runs on its installed configuration and rules, vigilctl
# is there and runs, and a second install keeps an edited vigil.yaml.
. "$(dirname "$0")/lib.sh"
: "${VG_BUILD_DIR:?}"
p=$WORK/prefix
cmake --install "$VG_BUILD_DIR" --prefix "$p" >"$WORK/inst.log" 2>&1 ||
    fail "install failed: $(cat "$WORK/inst.log")"
for f in bin/vigil bin/vigilctl etc/vigil/vigil.yaml etc/vigil/classification.config \
    etc/vigil/reference.config etc/vigil/threshold.config etc/vigil/rules/vigil-demo.rules; do
    [ -f "$p/$f" ] || fail "not installed: $f"
done
[ -x "$p/bin/vigilctl" ] || fail "vigilctl not executable"
expect_exit 0 "This is Vigil version" "$p/bin/vigil" -V
expect_exit 0 "configuration test passed" "$p/bin/vigil" -c "$p/etc/vigil/vigil.yaml" -T
expect_exit 0 "summary: 17 packets" "$p/bin/vigil" -c "$p/etc/vigil/vigil.yaml" -r "$SAMPLE" \
    -l "$WORK/out"
grep -q '"event_type":"alert"' "$WORK/out/eve.json" || fail "installed rules did not fire"
expect_exit 0 "usage: vigilctl" python3 "$p/bin/vigilctl" --help
expect_exit 2 "vigilctl: $WORK/none.sock" python3 "$p/bin/vigilctl" --socket "$WORK/none.sock" version
# An operator's edit survives a second install; the rules are refreshed.
echo "# edited" >>"$p/etc/vigil/vigil.yaml"
echo "garbage" >"$p/etc/vigil/rules/vigil-demo.rules"
cmake --install "$VG_BUILD_DIR" --prefix "$p" >"$WORK/inst2.log" 2>&1 || fail "second install failed"
grep -q "^# edited" "$p/etc/vigil/vigil.yaml" || fail "the edited vigil.yaml was overwritten"
grep -q "Kept: .*vigil.yaml" "$WORK/inst2.log" || fail "the kept file is not reported"
cmp -s "$p/etc/vigil/rules/vigil-demo.rules" "$VG_SOURCE_DIR/etc/rules/vigil-demo.rules" ||
    fail "the shipped rules were not refreshed"
echo "install: ok"
