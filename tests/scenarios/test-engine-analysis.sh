#!/usr/bin/env bash
# --engine-analysis writes LOGDIR/rules.json (one object a rule: kind, fast
# pattern and its buffer, prefilter, keyword lists, warnings; refused rules
# with their reason) and a summary; -T -v prints the same summary. Each
# warning kind is provoked by one rule below and must be reported on that
# rule only.
. "$(dirname "$0")/lib.sh"
rules=$WORK/a.rules
cat >"$rules" <<'R'
alert tcp any any -> any 80 (msg:"fp"; flow:to_server; content:"GET /admin"; content:"x"; sid:1;)
alert tcp any any -> any any (msg:"short"; content:"|00 01|"; sid:2;)
alert tcp any any -> any any (msg:"pcre only"; pcre:"/ab+c/"; sid:3;)
alert tcp any any <> any 25 (msg:"both ways"; content:"HELO bad"; sid:4;)
alert http any any -> any any (msg:"http"; http.uri; content:"/evil.php"; fast_pattern; http.method; content:"POST"; sid:5;)
alert ip 10.0.0.0/8 any -> any any (msg:"ip only"; sid:6;)
drop tcp any any -> any any (msg:"negated"; content:!"|ff ff|"; sid:7;)
alert tcp any any -> any any (msg:"broken"; nosuchkeyword; sid:8;)
R
expect_exit 0 "rule analysis written to .*/rules.json" "$VIGIL" --engine-analysis -S "$rules" \
    -l "$WORK/out"
printf '%s\n' "$out" | grep -q "rule set: 7 rules, .* 1 refused" || fail "no summary: $out"
python3 - "$WORK/out/rules.json" <<'PY' || fail "rules.json content"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
by = {r.get("id"): r for r in recs}
def check(cond, what):
    if not cond:
        sys.exit("%s: %s" % (what, json.dumps(recs, indent=1)))
check(len(recs) == 8, "one record per rule, refused included")
w = {i: " | ".join(by[i]["warnings"]) for i in range(1, 8)}
check(by[1]["fast_pattern"]["pattern"] == "GET /admin" and by[1]["fast_pattern"]["buffer"] == "payload", "longest content is the fast pattern")
check(by[1]["prefilter"]["by"] == "fast pattern" and by[1]["prefilter"]["groups_by_fast_pattern"] >= 1 and w[1] == "", "rule 1 prefiltered, no warning")
check("content too short" in w[2] and by[2]["fast_pattern"]["pattern"] == "|00 01|", "short pattern")
check("pcre without content" in w[3] and "no fast pattern" in w[3] and "fast_pattern" not in by[3], "pcre only")
check("both directions" in w[4], "bidirectional")
check(by[5]["kind"] == "app-tx" and by[5]["app_proto"] == "http", "http rule kind")
check(by[5]["fast_pattern"]["buffer"] == "http.uri" and by[5]["fast_pattern"]["set_by_rule"], "fast_pattern keyword honoured")
check(sorted(l["name"] for l in by[5]["lists"]) == ["http.method", "http.uri"], "lists of rule 5")
check(by[6]["kind"] == "ip-only" and w[6] == "", "ip-only")
check(by[7]["action"] == "drop" and "no fast pattern" in w[7] and "fast_pattern" not in by[7], "a negated content is no fast pattern")
check("nosuchkeyword" in by[8]["refused"] and by[8]["line"] == 8 and "raw" in by[8], "refused rule listed")
check(all(w[i] == "" for i in (1, 5, 6)), "no stray warnings")
PY
# -T -v prints the summary (and still fails on the refused rule).
expect_exit 1 "warning \(1 rules\): pcre without content" "$VIGIL" -T -v -S "$rules"
# An unwritable log directory is an error that names it.
expect_exit 1 "$WORK/ro/x" "$VIGIL" --engine-analysis -S "$rules" -l "$WORK/ro/x/y"
echo "engine-analysis: ok"
