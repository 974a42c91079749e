#!/usr/bin/env bash
# Every key of the schema (vigil --list-config-keys) is read by a run: a
# config that sets each of them (alternatives expanded, lists built) runs on
# the sample with -v, and no key may be listed as "set but not read". Open
# subtrees (checked by their owners) and keys marked "no effect" are left out.
. "$(dirname "$0")/lib.sh"

# Keys listed ahead of the code that reads them (issue 8, other work in
# progress); each must leave this list in the commit that reads it.
PENDING=""

"$VIGIL" --list-config-keys >"$WORK/keys.txt" || fail "--list-config-keys failed"
grep -q '^flow.memcap  *size  *128mb ' "$WORK/keys.txt" || fail "--list-config-keys lacks flow.memcap"

# IP reputation files for the reputation-* keys.
printf '1,BadHosts,Known bad hosts\n' >"$WORK/categories.txt"
printf '192.0.2.1,1,50\n' >"$WORK/rep.list"
python3 - "$WORK/keys.txt" "$VG_SOURCE_DIR" "$PENDING" "$WORK" >"$WORK/all.yaml" <<'PY' ||
import itertools, json, os, sys

keys_file, src, pending, work = sys.argv[1], sys.argv[2], set(sys.argv[3].split()), sys.argv[4]
values = {  # keys without a usable default
    "default-log-dir": "./logs",
    "default-rule-path": src + "/etc/rules",
    "rule-files": ["decoder-events.rules"],
    "classification-file": src + "/etc/classification.config",
    "threshold-file": src + "/etc/threshold.config",
    "action-order": ["pass", "drop", "reject", "alert"],
    "plugins": [],
    "plugin-modules": [],
    "app-layer.protocols.http.detection-ports.dp": "80",
    "outputs.*.eve-log.types.*.http.custom": ["X-Test"],
    "outputs.*.eve-log.types.*.smtp.custom": ["subject"],
    "outputs.*.eve-log.types.*.smtp.md5": ["body", "subject"],
    "outputs.*.eve-log.types.*.dns.formats": ["detailed", "grouped"],
    "outputs.*.eve-log.types.*.dns.types": ["a", "aaaa"],
    "outputs.*.eve-log.types.*.tls.custom": ["sni", "certificate"],
    "reputation-categories-file": work + "/categories.txt",
    "default-reputation-path": work,
    "reputation-files": ["rep.list"],
    "outputs.*.eve-log.rotate-interval": "1h",
    "logging.outputs.*.file.level": "info",
    "logging.outputs.*.syslog.level": "info",
    # the user running the test: switching to oneself is no switch
    "run-as.user": str(os.getuid()),
    "run-as.group": str(os.getgid()),
}
by_type = {"bool": "yes", "int": "1", "size": "1mb", "string": "x", "port": "4789", "ports": "3544, 3545"}

tree = {}
def put(path, value):
    node = tree
    for i, seg in enumerate(path):
        if i == len(path) - 1:
            node[seg] = value
        else:
            node = node.setdefault(seg, {})

n = 0
for line in open(keys_file).read().splitlines()[1:]:
    key, typ, dflt = line.split()[:3]
    if typ == "subtree" or "(no effect in Vigil)" in line or key in pending:
        continue
    segs = key.split(".")
    for combo in itertools.product(*[s.split("|") for s in segs]):
        name = ".".join(combo)
        if name in values:
            value = values[name]
        elif typ == "int" and dflt == "-":
            value = "30"
        elif dflt != "-":
            value = dflt
        elif typ in by_type:
            value = by_type[typ]
        else:
            sys.exit("no value for %s (%s)" % (name, typ))
        path = list(combo)
        if path[-1] == "*":  # a map of free names (vars.*-groups)
            path[-1] = "TEST_VAR"
            value = "[10.0.0.0/8]" if "address" in name else "80"
        put(path, value)
        n += 1

def emit(node):
    """'*' below a key is a list: one single-key item per name under it."""
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if isinstance(v, dict) and list(v) == ["*"]:
            items = v["*"]
            out[k] = [{name: emit(sub)} for name, sub in items.items()]
        else:
            out[k] = emit(v)
    return out

print(json.dumps(emit(tree), indent=1))  # JSON is YAML
print("# %d keys" % n, file=sys.stderr)
PY
    fail "could not build a config from the schema"

mkdir -p "$WORK/cwd"
(cd "$WORK/cwd" && "$VIGIL" -c "$WORK/all.yaml" --strict-config -v -r "$SAMPLE") \
    >"$WORK/out" 2>"$WORK/err" || fail "a config of every key fails: $(cat "$WORK/err")"
if grep -q "set but not read" "$WORK/err"; then
    fail "schema keys no reader looked at: $(grep "set but not read" "$WORK/err")"
fi
[ -s "$WORK/cwd/logs/eve.json" ] || fail "no ./logs/eve.json"
# --dump-config: the file, --set and the defaults of keys left unset.
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" --set flow.memcap=77mb --dump-config \
    >"$WORK/dump" 2>"$WORK/dump.err" || fail "--dump-config failed: $(cat "$WORK/dump.err")"
grep -qx 'flow.memcap = 77mb' "$WORK/dump" || fail "--dump-config lacks the --set value"
grep -qx 'unix-command.filename = vigil-command.socket' "$WORK/dump" ||
    fail "--dump-config lacks a value of the file"
sed -n '/^# built-in defaults/,$p' "$WORK/dump" | grep -q '^libhtp\.' ||
    fail "--dump-config lacks the defaults of unset keys"
[ "$(grep -c '^flow.memcap = ' "$WORK/dump")" = 1 ] || fail "flow.memcap printed twice"
expect_exit 1 "flow.memcapp: unknown key" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" \
    --set flow.memcapp=1 --dump-config
echo "config-keys: ok"
