#!/usr/bin/env bash
# Profiling mode (profiling.enabled): the report exists only when asked for,
# counts every packet once per stage whatever the runmode, and names the
# rules that alerted with their matches. Times are never asserted.
. "$(dirname "$0")/lib.sh"
CAP=$VG_SOURCE_DIR/tests/data/runmodes.pcap

"$VIGIL" -r "$CAP" -k none -l "$WORK/off" >"$WORK/off.log" 2>&1 || fail "run without profiling"
for f in profile.json profile.txt rule_perf.json; do
    [ ! -e "$WORK/off/$f" ] || fail "$f written without profiling.enabled"
done

# report_check DIR RUNMODE: the report agrees with the run's own counters and alerts.
report_check() {
    py "$1" "$2" <<'PY'
import json, sys
d, mode = sys.argv[1], sys.argv[2]
prof = json.load(open(f"{d}/profile.json"))
rules = json.load(open(f"{d}/rule_perf.json"))
stats = None
alerted = {}
for line in open(f"{d}/eve.json"):
    ev = json.loads(line)
    if ev["event_type"] == "stats":
        stats = ev["stats"]
    elif ev["event_type"] == "alert":
        sid = ev["alert"]["signature_id"]
        alerted[sid] = alerted.get(sid, 0) + 1
check(stats is not None, "no stats record")
check(len(alerted) > 0, "the capture should alert")
stages = {s["module"]: s for s in prof["stages"]}
for m in ("decode", "flow", "stream", "detect", "output"):
    check(m in stages, mode, "stage missing:", m, sorted(stages))
    check(stages[m]["calls"] == stats["decoder"]["pkts"], mode, m, stages[m]["calls"],
          "calls for", stats["decoder"]["pkts"], "packets")
    check(stages[m]["ticks"] > 0, mode, m, "has no ticks")
subs = {s["name"] for s in stages["detect"]["sub"]}
check({"detect.prefilter", "detect.rules"} <= subs, mode, "detect sub-stages:", subs)
by_sid = {r["signature_id"]: r for r in rules["rules"]}
for sid, n in alerted.items():
    check(sid in by_sid, mode, "alerted sid", sid, "missing from rule_perf.json")
    r = by_sid[sid]
    check(r["matches"] >= 1 and r["checks"] >= r["matches"], mode, sid, r)
    check(r["ticks_total"] > 0 and r["msg"] != "", mode, sid, r)
ticks = [r["ticks_total"] for r in rules["rules"]]
check(ticks == sorted(ticks, reverse=True), mode, "rule_perf.json not dearest first")
check(len(prof["rules_top"]) == min(20, len(rules["rules"])), mode, "rules_top length")
check(prof["threads"] >= 1 and prof["ticks_per_second"] > 0, mode, prof["threads"])
PY
}

for mode in single autofp workers; do
    "$VIGIL" -r "$CAP" -k none -l "$WORK/$mode" --runmode "$mode" \
        --set profiling.enabled=yes >"$WORK/$mode.log" 2>&1 || fail "$mode: $(tail -3 "$WORK/$mode.log")"
    grep -q "profiling report: $WORK/$mode/profile.txt" "$WORK/$mode.log" ||
        fail "$mode: no notice naming the report"
    report_check "$WORK/$mode" "$mode" || fail "$mode: report does not agree with the run"
    grep -q "^Top 20 of [0-9]* rules checked" "$WORK/$mode/profile.txt" || fail "$mode: no rule table"
    grep -qE "^decode +[0-9.]+ +[0-9.]+%" "$WORK/$mode/profile.txt" || fail "$mode: no stage table"
done

# Same alerts with and without profiling.
cmp <(grep -o '"signature_id":[0-9]*' "$WORK/off/eve.json" | sort) \
    <(grep -o '"signature_id":[0-9]*' "$WORK/single/eve.json" | sort) ||
    fail "profiling changed the alerts"

# Rules left out; a smaller table.
"$VIGIL" -r "$CAP" -k none -l "$WORK/norules" --set profiling.enabled=yes \
    --set profiling.rules.enabled=no >/dev/null 2>&1 || fail "run with profiling.rules.enabled=no"
[ -f "$WORK/norules/profile.json" ] || fail "no profile.json"
[ ! -e "$WORK/norules/rule_perf.json" ] || fail "rule_perf.json written with rules off"
"$VIGIL" -r "$CAP" -k none -l "$WORK/lim" --set profiling.enabled=yes \
    --set profiling.rules.limit=3 >/dev/null 2>&1 || fail "run with profiling.rules.limit=3"
grep -q "^Top 3 of" "$WORK/lim/profile.txt" || fail "profiling.rules.limit=3 not applied"
expect_exit 1 "profiling.rules.limit" "$VIGIL" -r "$CAP" -l "$WORK/bad" \
    --set profiling.enabled=yes --set profiling.rules.limit=0
echo "profiling: ok"
