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
for f in share/man/man8/vigil.8 lib/systemd/system/vigil.service share/vigil/logrotate.d/vigil; do
    [ -f "$p/$f" ] || fail "not installed: $f"
done
# The man page renders without a warning; the unit names this prefix's
# binary and configuration, and systemd accepts it (every key known, the
# binary there, the man page found).
warn=$(groff -man -Tutf8 -ww "$p/share/man/man8/vigil.8" 2>&1 >/dev/null)
[ -z "$warn" ] || fail "man page warnings: $warn"
grep -qx "ExecStart=$p/bin/vigil -c $p/etc/vigil/vigil.yaml --af-packet -l /var/log/vigil --pidfile /run/vigil/vigil.pid" \
    "$p/lib/systemd/system/vigil.service" || fail "unit ExecStart: $(grep ExecStart= "$p/lib/systemd/system/vigil.service")"
if command -v systemd-analyze >/dev/null; then
    v=$(MANPATH=$p/share/man systemd-analyze verify "$p/lib/systemd/system/vigil.service" 2>&1) ||
        fail "systemd-analyze verify: $v"
    [ -z "$v" ] || fail "systemd-analyze verify warns: $v"
else
    needs "systemd-analyze (systemd)"
fi
# The unit's start-up check passes on the installed configuration.
expect_exit 0 "" "$p/bin/vigil" -c "$p/etc/vigil/vigil.yaml" -T -l "$WORK/tl" --quiet
expect_exit 0 "This is Vigil version" "$p/bin/vigil" -V
expect_exit 0 "configuration test passed" "$p/bin/vigil" -c "$p/etc/vigil/vigil.yaml" -T
expect_exit 0 "summary: 17 packets" "$p/bin/vigil" -c "$p/etc/vigil/vigil.yaml" -r "$SAMPLE" \
    -l "$WORK/out"
grep -q '"event_type":"alert"' "$WORK/out/eve.json" || fail "installed rules did not fire"
expect_exit 0 "usage: vigilctl" python3 "$p/bin/vigilctl" --help
expect_exit 2 "vigilctl: $WORK/none.sock" python3 "$p/bin/vigilctl" --socket "$WORK/none.sock" version
# The plugin API is installed: a plugin builds out of the tree against the
# installed headers alone (found through pkg-config), and the installed vigil
# loads it and runs its keyword.
for h in runtime/plugin.h runtime/module.h runtime/counters.h runtime/runtime.h \
    decode/packet-types.h decode/decode-events.h decode/decode-events-list.h; do
    [ -f "$p/include/vigil/$h" ] || fail "not installed: include/vigil/$h"
done
pc=$(find "$p" -name vigil-plugin.pc | head -1)
[ -n "$pc" ] || fail "not installed: vigil-plugin.pc"
command -v pkg-config >/dev/null || needs "pkg-config"
cflags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags vigil-plugin) ||
    fail "pkg-config vigil-plugin failed"
cflags=${cflags% }
[ "$cflags" = "-I$p/include/vigil" ] || fail "vigil-plugin cflags: $cflags"
mkdir -p "$WORK/oot"
cp "$VG_SOURCE_DIR/plugins/entropy/entropy.c" "$WORK/oot/"
(cd "$WORK/oot" && cc -shared -fPIC -Wall -Werror $cflags -o entropy.so entropy.c -lm) ||
    fail "the entropy plugin does not build against the installed headers"
printf 'include: %s\nplugins:\n  - %s\n' "$p/etc/vigil/vigil.yaml" "$WORK/oot/entropy.so" \
    >"$WORK/oot/vigil.yaml"
echo 'alert tcp any any -> any 11211 (msg:"e"; flow:to_server; entropy: value >= 7.5; sid:9;)' \
    >"$WORK/oot/e.rules"
expect_exit 0 "plugin entropy 1.0 loaded" "$p/bin/vigil" -c "$WORK/oot/vigil.yaml" \
    -S "$WORK/oot/e.rules" -r "$VG_SOURCE_DIR/tests/data/plugins/memcached.pcap" -l "$WORK/oot/out"
grep -q '"signature_id":9' "$WORK/oot/out/eve.json" || fail "the out-of-tree plugin's rule did not fire"
# With no classification-file or reference-config-file set, the files beside
# the configuration are read (the installed ones, whatever the source tree
# holds): an edited prefix and class description show in the alert.
sed -e 's/^classification-file:.*//' \
    -e 's/^            #metadata:/            metadata:/' -e 's/^            #  rule:/              rule:/' \
    -e 's/^            #    reference: no/                reference: yes/' \
    "$p/etc/vigil/vigil.yaml" >"$p/etc/vigil/refs.yaml"
grep -q "^                reference: yes" "$p/etc/vigil/refs.yaml" || fail "refs.yaml: no reference: yes"
sed -i 's#^config reference: url .*#config reference: url https://installed.test/#' "$p/etc/vigil/reference.config"
sed -i 's#^config classification: misc-activity,[^,]*#config classification: misc-activity,Installed Misc#' \
    "$p/etc/vigil/classification.config"
sed 's/classtype:misc-activity; sid:9000003;/classtype:misc-activity; reference:url,a.test\/x; sid:9000003;/' \
    "$p/etc/vigil/rules/vigil-demo.rules" >"$WORK/refs.rules"
expect_exit 0 "" "$p/bin/vigil" -c "$p/etc/vigil/refs.yaml" -S "$WORK/refs.rules" -r "$SAMPLE" -l "$WORK/refs"
python3 - "$WORK/refs/eve.json" <<'PY' || fail "the installed reference.config/classification.config were not used"
import json, sys
a = [r["alert"] for r in map(json.loads, open(sys.argv[1])) if r.get("event_type") == "alert"
     and r["alert"]["signature_id"] == 9000003]
assert a and a[0].get("references") == ["https://installed.test/a.test/x"], a
assert a[0]["category"] == "Installed Misc", a
PY
# An operator's edit survives a second install; the rules are refreshed.
echo "# edited" >>"$p/etc/vigil/vigil.yaml"
echo "garbage" >"$p/etc/vigil/rules/vigil-demo.rules"
cmake --install "$VG_BUILD_DIR" --prefix "$p" >"$WORK/inst2.log" 2>&1 || fail "second install failed"
grep -q "^# edited" "$p/etc/vigil/vigil.yaml" || fail "the edited vigil.yaml was overwritten"
grep -q "Kept: .*vigil.yaml" "$WORK/inst2.log" || fail "the kept file is not reported"
cmp -s "$p/etc/vigil/rules/vigil-demo.rules" "$VG_SOURCE_DIR/etc/rules/vigil-demo.rules" ||
    fail "the shipped rules were not refreshed"
echo "install: ok"
