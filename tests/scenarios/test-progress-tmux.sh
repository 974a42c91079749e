#!/usr/bin/env bash
# The progress line on a real terminal (a tmux pane): on by itself when
# stderr is a terminal, rewritten in place (one line on the screen however
# long the run), ended by the final line and the summary (with alerts by
# severity); --quiet shows neither.
. "$(dirname "$0")/lib.sh"
command -v tmux >/dev/null || needs "tmux (apt-get install tmux)"
sock=vg-progress-$$
trap 'tmux -L "$sock" kill-server 2>/dev/null; rm -rf "$WORK"' EXIT
# feed FIFO ROUNDS: the sample capture ROUNDS times, 0.1 s between packets.
feed() {
    python3 "$VG_SOURCE_DIR/tests/scenarios/pcap-loop.py" "$SAMPLE" --rounds "$2" \
        --packet-delay 0.1 --round-delay 0 >"$1"
}
# pane CMD: run CMD in a fresh 160x30 tmux pane, on a tmux server of its own
# (a new server name each time: a server being killed may still hold the
# old name for a moment); the pane stays after CMD ends.
n_pane=0
pane() {
    tmux -L "$sock" kill-server 2>/dev/null
    n_pane=$((n_pane + 1))
    sock=vg-progress-$$-$n_pane
    for _ in $(seq 20); do
        tmux -L "$sock" new-session -d -x 160 -y 30 "$1; echo EXIT=\$?; sleep 60" 2>/dev/null &&
            return 0
        sleep 0.2
    done
    fail "cannot start tmux"
}
screen() { tmux -L "$sock" capture-pane -p -J; }
wait_for() {
    for _ in $(seq 300); do
        screen | grep -q "$1" && return 0
        sleep 0.1
    done
    fail "no '$1' on the terminal: $(screen)"
}

mkfifo "$WORK/f1"
pane "'$VIGIL' -c '$VG_SOURCE_DIR/etc/vigil.yaml' -r '$WORK/f1' -l '$WORK/o1'"
feed "$WORK/f1" 3 &
feeder=$!
wait_for "progress: [1-9][0-9]* packets"
sleep 1.5
mid=$(screen)
[ "$(printf '%s\n' "$mid" | grep -c 'progress:')" = 1 ] ||
    fail "the progress line is not rewritten in place: $mid"
wait "$feeder"
wait_for "EXIT="
end=$(screen)
printf '%s\n' "$end" | grep -q "EXIT=0" || fail "run failed: $end"
[ "$(printf '%s\n' "$end" | grep -c 'progress:')" = 1 ] || fail "progress lines at the end: $end"
printf '%s\n' "$end" | grep -q "progress: 51 packets" || fail "final progress line: $end"
printf '%s\n' "$end" | grep -q "summary: 51 packets" || fail "no summary: $end"
printf '%s\n' "$end" | grep -q "alerts by severity: 1: [0-9]*, 2: [0-9]*, 3: [0-9]*" ||
    fail "no alerts by severity: $end"

# --quiet: neither the progress line nor the summary.
mkfifo "$WORK/f2"
pane "'$VIGIL' -c '$VG_SOURCE_DIR/etc/vigil.yaml' -r '$WORK/f2' -l '$WORK/o2' --quiet"
feed "$WORK/f2" 1
wait_for "EXIT="
end=$(screen)
printf '%s\n' "$end" | grep -q "EXIT=0" || fail "quiet run failed: $end"
printf '%s\n' "$end" | grep -qE "progress:|summary:" && fail "--quiet still printed: $end"
echo "progress on a terminal: ok"
