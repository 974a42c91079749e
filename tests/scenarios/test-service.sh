#!/usr/bin/env bash
# Running as a service: --pidfile holds the pid while Vigil runs, is removed
# at the end, and a second instance over a live pid is refused (one line,
# exit 1, no output); -D detaches (the command returns at once, the daemon
# runs on and ends cleanly on SIGTERM). Live input: a FIFO.
. "$(dirname "$0")/lib.sh"
mkfifo "$WORK/cap.fifo"
"$VIGIL" -r "$WORK/cap.fifo" -S /dev/null --allow-empty-rules -l "$WORK/a" \
    --pidfile "$WORK/vigil.pid" -D 2>"$WORK/a.err"
rc=$?
[ "$rc" -eq 0 ] || fail "-D: the starting command exited $rc: $(cat "$WORK/a.err")"
for _ in $(seq 50); do
    [ -s "$WORK/vigil.pid" ] && break
    sleep 0.1
done
[ -s "$WORK/vigil.pid" ] || fail "no pid file written"
pid=$(cat "$WORK/vigil.pid")
kill -0 "$pid" || fail "daemon pid $pid is not running"
expect_exit 1 "vigil.pid: pid $pid is running; not starting a second instance" \
    "$VIGIL" -r "$SAMPLE" -S /dev/null --allow-empty-rules -l "$WORK/b" --pidfile "$WORK/vigil.pid"
[ ! -e "$WORK/b" ] || fail "a refused start left its log directory"
kill -TERM "$pid"
exec 3>"$WORK/cap.fifo"   # the reader may be blocked opening the FIFO
exec 3>&-
for _ in $(seq 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
done
kill -0 "$pid" 2>/dev/null && fail "daemon did not end on SIGTERM"
[ ! -e "$WORK/vigil.pid" ] || fail "pid file left behind"
# A stale pid file (no such process) is taken over.
echo 999999999 >"$WORK/stale.pid"
"$VIGIL" -r "$SAMPLE" -S /dev/null --allow-empty-rules -l "$WORK/c" --pidfile "$WORK/stale.pid" \
    2>"$WORK/c.err" || fail "stale pid file refused: $(cat "$WORK/c.err")"
echo "service: ok"
