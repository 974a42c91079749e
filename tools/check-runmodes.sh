#!/usr/bin/env bash
# Run one capture through every threaded runmode layout, each under a time limit,
# and compare each run's alert count and final flow count with the single runmode's.
#
#   tools/check-runmodes.sh [-b build/vigil] [-c etc/vigil.yaml] [-t SECONDS] [-p PASSES]
#                           [-S rules]... capture
#
# A run that does not end in time (killed), exits non-zero, or disagrees with single
# is reported; exit 1 if any did. Meant for big captures (the reference mix of
# bench/README.md), where scheduling varies most: it found the flow-end deadlock of
# workers with no rules (every run hung). tools/check-determinism.sh compares whole
# outputs many times on small captures; this looks for hangs and gross differences.
set -u
BIN=build/vigil
CONF=etc/vigil.yaml
LIMIT=300
PASSES=1
RULES=()
while getopts "b:c:t:p:S:" o; do
    case $o in
    b) BIN=$OPTARG ;;
    c) CONF=$OPTARG ;;
    t) LIMIT=$OPTARG ;;
    p) PASSES=$OPTARG ;;
    S) RULES+=("$OPTARG") ;;
    *) echo "usage: $0 [-b vigil] [-c conf] [-t seconds] [-p passes] [-S rules]... capture" >&2
       exit 2 ;;
    esac
done
shift $((OPTIND - 1))
if [ $# -ne 1 ] || [ ! -r "$1" ]; then
    echo "usage: $0 [-b vigil] [-c conf] [-t seconds] [-p passes] [-S rules]... capture" >&2
    exit 2
fi
CAP=$1
[ ${#RULES[@]} -eq 0 ] && RULES=("")
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
LAYOUTS=(
    ""
    "--runmode workers --set threading.worker-threads=2"
    "--runmode workers --set threading.worker-threads=4"
    "--runmode autofp --set threading.worker-threads=3"
    "--runmode workers --set threading.worker-threads=2 --set threading.inline-reader=yes"
    "--runmode workers --set threading.worker-threads=3 --set threading.inline-reader=yes"
)

# run RULES LAYOUT: prints "rc alerts flows" of one run
run() {
    local rules=$1 layout=$2 out=$W/run
    rm -rf "$out"
    mkdir -p "$out"
    local rarg=()
    if [ -n "$rules" ]; then
        rarg=(-S "$rules")
    else
        : >"$W/none.rules"
        rarg=(-S "$W/none.rules")
    fi
    # shellcheck disable=SC2086
    timeout -s KILL "$LIMIT" "$BIN" -c "$CONF" -r "$CAP" -k none "${rarg[@]}" -l "$out" \
        --set stats.interval=3600 $layout >"$out/console" 2>&1
    local rc=$?
    local alerts flows
    alerts=$(grep -c '"event_type":"alert"' "$out/eve.json" 2>/dev/null)
    flows=$(grep -c '"event_type":"flow"' "$out/eve.json" 2>/dev/null)
    echo "$rc ${alerts:-0} ${flows:-0}"
}

bad=0
for p in $(seq "$PASSES"); do
    for rules in "${RULES[@]}"; do
        name=${rules:-"(no rules)"}
        read -r rc0 a0 f0 < <(run "$rules" "")
        echo "pass $p, $name, single: exit $rc0, $a0 alerts, $f0 flow records"
        [ "$rc0" -ne 0 ] && bad=1
        for layout in "${LAYOUTS[@]:1}"; do
            read -r rc a f < <(run "$rules" "$layout")
            verdict=ok
            if [ "$rc" -eq 137 ]; then
                verdict="HUNG (killed after $LIMIT s)"
            elif [ "$rc" -ne 0 ]; then
                verdict="FAILED (exit $rc)"
            elif [ "$a" != "$a0" ] || [ "$f" != "$f0" ]; then
                verdict="DIFFERS from single"
            fi
            [ "$verdict" != ok ] && bad=1
            echo "  $layout: exit $rc, $a alerts, $f flow records: $verdict"
        done
    done
done
exit $bad
