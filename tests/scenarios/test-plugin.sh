#!/usr/bin/env bash
# The example plugin loads, its module runs and writes stats; a plugin built
# for another API version is refused with a clear error.
. "$(dirname "$0")/lib.sh"
so=$VG_BUILD_DIR/plugins/vlan-stats.so
[ -f "$so" ] || fail "example plugin not built: $so"
cat >"$WORK/plugin.yaml" <<YAML
include: $VG_SOURCE_DIR/etc/vigil.yaml
plugins:
  - $so
plugin-modules: [vlan-stats]
YAML
"$VIGIL" -c "$WORK/plugin.yaml" -r "$SAMPLE" -l "$WORK/out" 2>"$WORK/err" ||
    fail "vigil with the plugin failed: $(cat "$WORK/err")"
grep -q "plugin vlan-stats" "$WORK/err" || fail "plugin load not logged"
[ "$(stat "$WORK/out/eve.json" plugin.vlan.100)" -eq 1 ] || fail "plugin.vlan.100 != 1"
[ "$(stat "$WORK/out/eve.json" plugin.vlan.untagged)" -eq 16 ] || fail "untagged count wrong"

# A plugin claiming API version 999.
cat >"$WORK/old.c" <<'C'
#include "runtime/plugin.h"
static int init(const VgPluginRegistrar *r) { (void)r; return 0; }
const VgPluginInfo vg_plugin_info = { .hdr = { .api_version = 999, .struct_size = sizeof(VgPluginInfo) },
    .name = "old", .version = "0", .init = init };
C
cc -shared -fPIC -I"$VG_SOURCE_DIR/src" -o "$WORK/old.so" "$WORK/old.c" || fail "cannot build test plugin"
printf 'plugins:\n  - %s\n' "$WORK/old.so" >"$WORK/old.yaml"
expect_exit 1 "API version 999" "$VIGIL" -c "$WORK/old.yaml" -r "$SAMPLE" -l "$WORK/out2"
echo "plugin: ok"
