#!/usr/bin/env bash
# The metrics endpoint while packets flow (a FIFO fed with the sample capture
# over and over): scraped with curl, the answer must be valid Prometheus text
# (checked by a strict parser below: names, HELP/TYPE before samples, label
# syntax, no series twice, numeric values) and hold the engine totals and the
# per-thread families; wrong path, method and a silent client get their
# answers without stalling the next scrape; a taken port and a bad
# metrics.port stop start-up with a message.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || needs "curl (apt-get install curl)"
fifo=$WORK/cap.fifo
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
set_args=(--set metrics.enabled=yes --set metrics.port="$port")

expect_exit 1 "metrics.port" "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$SAMPLE" \
    -l "$WORK/o0" --set metrics.enabled=yes --set metrics.port=0

mkfifo "$fifo"
"$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$fifo" -l "$WORK/out" --runmode workers \
    "${set_args[@]}" 2>"$WORK/err" &
pid=$!
python3 "$VG_SOURCE_DIR/tests/scenarios/pcap-loop.py" "$SAMPLE" >"$fifo" 2>/dev/null &
feeder=$!
trap 'kill $feeder 2>/dev/null; kill $pid 2>/dev/null; rm -rf "$WORK"' EXIT
url=http://127.0.0.1:$port
# Up, and packets counted.
for _ in $(seq 100); do
    curl -s "$url/metrics" 2>/dev/null | grep -qE '^vigil_decoder_pkts_total [1-9]' && break
    sleep 0.1
done
curl -sf -o "$WORK/m1" -D "$WORK/h1" "$url/metrics" || fail "no metrics endpoint: $(cat "$WORK/err")"
grep -qi '^content-type: text/plain; version=0.0.4' "$WORK/h1" || fail "content type: $(cat "$WORK/h1")"

# A second instance on the same port is refused at start-up.
expect_exit 1 "metrics endpoint: cannot listen on 127.0.0.1:$port" "$VIGIL" \
    -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$SAMPLE" -l "$WORK/o1" "${set_args[@]}"

check_exposition() {
    python3 - "$1" <<'PY' || fail "invalid exposition in $1"
import re, sys
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
sample = re.compile(r"^(" + NAME + r")(\{(.*)\})? (\S+)$")
label = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"')
types, helps, seen, fams = {}, set(), set(), {}
for n, line in enumerate(open(sys.argv[1], encoding="utf-8").read().split("\n")[:-1], 1):
    def bad(why):
        sys.exit("line %d: %s: %r" % (n, why, line))
    if line.startswith("# HELP "):
        name = line.split(" ")[2]
        if not re.fullmatch(NAME, name) or name in helps:
            bad("HELP name")
        helps.add(name)
        continue
    if line.startswith("# TYPE "):
        parts = line.split(" ")
        if len(parts) != 4 or parts[3] not in ("counter", "gauge", "untyped") or parts[2] in types:
            bad("TYPE")
        types[parts[2]] = parts[3]
        continue
    if line.startswith("#") or line == "":
        bad("stray line")
    m = sample.match(line)
    if not m:
        bad("sample syntax")
    name, labels, value = m.group(1), m.group(3), m.group(4)
    if name not in types:
        bad("sample before its TYPE")
    if labels is not None:
        rest = labels
        while rest:
            lm = label.match(rest)
            if not lm:
                bad("label syntax")
            rest = rest[lm.end():]
            if rest.startswith(","):
                rest = rest[1:]
            elif rest:
                bad("label separator")
    key = (name, labels)
    if key in seen:
        bad("series twice")
    seen.add(key)
    v = float(value)
    if types[name] == "counter" and (v < 0 or not name.endswith("_total")):
        bad("counter value or name")
    fams[key] = v
def get(name, labels=None):
    return fams.get((name, labels))
assert get("vigil_decoder_pkts_total") is not None and get("vigil_decoder_pkts_total") > 0, "no packets counted"
assert get("vigil_uptime_seconds") is not None, "no uptime"
assert any(k[0] == "vigil_info" for k in fams), "no vigil_info"
assert get("vigil_rules_loaded") is not None and get("vigil_rules_loaded") > 0, "no rules"
per_thread = [k for k in fams if k[0] == "vigil_thread_decoder_pkts_total"]
assert len(per_thread) >= 2, "no per-thread packet counters: %r" % per_thread
PY
}
check_exposition "$WORK/m1"
p1=$(sed -n 's/^vigil_decoder_pkts_total //p' "$WORK/m1")
sleep 1
curl -sf -o "$WORK/m2" "$url/metrics" || fail "second scrape failed"
check_exposition "$WORK/m2"
p2=$(sed -n 's/^vigil_decoder_pkts_total //p' "$WORK/m2")
[ "$p2" -ge "$p1" ] || fail "packet counter went back: $p1 then $p2"

# Wrong path, wrong method, HEAD.
code=$(curl -s -o /dev/null -w '%{http_code}' "$url/nope")
[ "$code" = 404 ] || fail "unknown path answered $code"
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$url/metrics")
[ "$code" = 405 ] || fail "POST answered $code"
code=$(curl -s -I -o /dev/null -w '%{http_code}' "$url/metrics")
[ "$code" = 200 ] || fail "HEAD answered $code"
# A client that connects and says nothing, and one sending garbage, do not
# stop the next scrape (each connection has a one-second budget).
python3 - "$port" <<'PY' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(3)
PY
silent=$!
printf 'garbage\r\n\r\n' | timeout 5 python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(sys.stdin.buffer.read())
print(s.recv(100).decode().split("\r\n")[0])' "$port" >"$WORK/garbage"
grep -q "400 Bad Request" "$WORK/garbage" || fail "garbage answered: $(cat "$WORK/garbage")"
curl -sf -m 5 -o "$WORK/m3" "$url/metrics" || fail "scrape after a silent client failed"
check_exposition "$WORK/m3"
wait "$silent"
kill -0 "$pid" || fail "engine gone: $(cat "$WORK/err")"
kill "$feeder"
wait "$pid" || fail "engine exit $?: $(cat "$WORK/err")"
echo "metrics endpoint: ok"
