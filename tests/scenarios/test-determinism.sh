#!/usr/bin/env bash
# Same input, same output: every runmode (single, autofp, workers with the
# capture read by the workers in turn and by a reader thread, a custom
# pipeline whose flow and detect stages are separate thread groups) runs
# each capture several times, with a CPU hog beside it in half the runs and
# the whole engine pinned to one CPU in a third of them. Within a runmode
# every run must give the same EVE output (single: byte for byte in file
# order; several threads: the same lines, since threads interleave their
# writes); between runmodes the sorted records must be the same.
#
# Compared: every record (flow, alert, anomaly, ...) and the counters of the
# last stats record; left out are periodic stats records (they follow the
# wall clock unless stats.clock is packet) and wall-clock fields; with
# several threads also memory gauges, and between runmodes the flow
# manager's pacing counters (tools/eve-normalise.py says why).
#
# VG_DETERMINISM_RUNS (default 5; 20 for the full check) sets runs per
# runmode and capture.
. "$(dirname "$0")/lib.sh"
RUNS=${VG_DETERMINISM_RUNS:-5}
NORM=$VG_SOURCE_DIR/tools/eve-normalise.py
if grep -q "ThreadSanitizer" "$VIGIL" 2>/dev/null && [ -z "${VG_DETERMINISM_RUNS:-}" ]; then
    RUNS=2 # instrumented binary: fewer runs, the races TSan looks for show in any run
fi
caps=("$VG_SOURCE_DIR/tests/data/determinism.pcap" "$VG_SOURCE_DIR/tests/data/tunnels.pcap"
      "$VG_SOURCE_DIR/tests/data/defrag-overlap.pcap" "$VG_SOURCE_DIR/tests/data/runmodes.pcap"
      "$VG_SOURCE_DIR/tests/data/tunnel-mixed.pcap")

cat >"$WORK/det.rules" <<'EOF'
alert tcp any any -> any 80 (msg:"back after a gap"; content:"again"; sid:9000001; rev:1;)
alert udp any any -> any 53 (msg:"query asked again"; content:"R0"; sid:9000002; rev:1;)
alert udp any any -> any 9000 (msg:"rebuilt datagram"; content:"BBBBBBBB"; sid:9000003; rev:1;)
alert tcp any any -> any 443 (msg:"tunnelled syn"; flags:S; sid:9000004; rev:1;)
alert icmp any any -> any any (msg:"port unreachable"; itype:3; icode:3; sid:9000005; rev:1;)
alert udp any any -> any 8000 (msg:"vxlan inner"; content:"ping"; sid:9000006; rev:1;)
alert tcp any any -> any 80 (msg:"request, established"; flow:established,to_server; content:"GET"; sid:9000007; rev:1;)
alert ip any any -> any any (msg:"any ip"; sid:9000008; rev:1;)
EOF
cat >"$WORK/custom.yaml" <<YAML
include: $VG_SOURCE_DIR/etc/vigil.yaml
threading:
  custom:
    - name: RX
      modules: [pcap-file]
    - name: DEC
      modules: [decode]
      input: simple
    - name: W
      modules: [flow, stream, app-layer, detect, verdict, output]
      threads: 2
      input: flow
YAML

# run RUNMODE CAPTURE OUTDIR I: run i (1-based) of a runmode on a capture.
run() {
    local rm=$1 cap=$2 out=$3 i=$4
    local conf=$VG_SOURCE_DIR/etc/vigil.yaml
    [ "$rm" = custom ] && conf=$WORK/custom.yaml
    # workers with a reader thread, and with the capture read by the workers in
    # turn, whatever the CPUs (threading.inline-reader no / yes; plain workers: the
    # configured default)
    local extra=()
    case $rm in
    workers-rx) rm=workers; extra=(--set threading.inline-reader=no) ;;
    workers-inline) rm=workers; extra=(--set threading.inline-reader=yes) ;;
    esac
    run_load "$i"
    mkdir -p "$out"
    "${PIN[@]}" "$VIGIL" -c "$conf" -S "$WORK/det.rules" --runmode "$rm" -r "$cap" -l "$out" \
        --set threading.worker-threads=2 "${extra[@]}" 2>"$out.log"
    local rc=$?
    stop_hog
    [ $rc = 0 ] || fail "$rm run $i on $(basename "$cap") exited $rc: $(cat "$out.log")"
    [ -s "$out/eve.json" ] || fail "$rm run $i on $(basename "$cap") wrote no EVE records"
}

for cap in "${caps[@]}"; do
    name=$(basename "$cap")
    for rm in single autofp workers workers-rx workers-inline custom; do
        opts=(--sort --threads)
        [ "$rm" = single ] && opts=()
        for i in $(seq 1 "$RUNS"); do
            out=$WORK/$name-$rm-$i
            run "$rm" "$cap" "$out" "$i"
            python3 "$NORM" "${opts[@]}" "$out/eve.json" >"$out.norm" ||
                fail "$rm run $i on $name: EVE output does not parse"
            if [ "$i" -gt 1 ]; then
                cmp -s "$WORK/$name-$rm-1.norm" "$out.norm" || {
                    python3 "$NORM" --diff "$WORK/$name-$rm-1.norm" "$out.norm" >&2
                    fail "$name: $rm run $i differs from run 1"
                }
            fi
        done
        python3 "$NORM" --sort --cross "$WORK/$name-$rm-1/eve.json" >"$WORK/$name-$rm.cross"
    done
    for rm in autofp workers workers-rx workers-inline custom; do
        cmp -s "$WORK/$name-single.cross" "$WORK/$name-$rm.cross" || {
            python3 "$NORM" --diff "$WORK/$name-single.cross" "$WORK/$name-$rm.cross" >&2
            fail "$name: $rm records differ from single"
        }
    done
done

# What the determinism capture holds really happened (see
# tools/make-determinism-pcap.py), so the comparison above is about
# something: splits at timeouts, ICMP errors on the flows they quote,
# rebuilt datagrams, tunnels, and both ends of the capture's last moment.
python3 - "$WORK/determinism.pcap-single-1/eve.json" <<'PY' || fail "determinism.pcap: unexpected records"
import collections, json, sys
flows = collections.defaultdict(list)
alerts = collections.Counter()
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["event_type"] == "flow":
        flows[(r["src_ip"], r.get("src_port"), r["dest_ip"], r.get("dest_port"), r["proto"])].append(r)
    elif r["event_type"] == "alert":
        alerts[r["alert"]["signature_id"]] += 1

def check(cond, what):
    if not cond:
        sys.exit(f"determinism.pcap: {what}")

def recs(src, sport, dst, dport, proto):
    return sorted(flows[(src, sport, dst, dport, proto)], key=lambda r: r["flow"]["start"])

# TCP idle 590 s while established (timeout 600 s): one flow
check(len(recs("10.20.8.1", 40008, "10.21.0.4", 80, "TCP")) == 1, "590 s gap split the flow")
# idle 610 s: the first flow ends by timeout, the comeback is a new flow
r = recs("10.20.20.1", 40020, "10.21.0.1", 80, "TCP")
check(len(r) == 2 and r[0]["flow"]["reason"] == "timeout", "610 s gap did not split the flow")
# closed (FIN) then back after 70 s (closed timeout 60 s)
check(len(recs("10.20.0.1", 40000, "10.21.0.1", 80, "TCP")) == 2, "closed flow not split")
# UDP answered (established, 300 s): asked again after 299 s: same; 301 s: new flow
check(len(recs("10.30.0.4", 50003, "10.31.0.1", 53, "UDP")) == 1, "299 s gap split UDP")
check(len(recs("10.30.0.5", 50004, "10.31.0.1", 53, "UDP")) == 2, "301 s gap kept UDP")
# the port unreachable for query 0 is counted in that query's flow
r = recs("10.30.0.1", 50000, "10.31.0.1", 53, "UDP")
check(len(r) == 1 and r[0]["flow"]["pkts_toclient"] == 1, "ICMP error not on the UDP flow")
check(not recs("10.31.0.1", None, "10.30.0.1", None, "ICMP"), "ICMP error made its own flow")
# the rebuilt datagrams matched, in a flow with the unfragmented packets
check(alerts[9000003] == 6, f"rebuilt datagram alerts: {alerts[9000003]}")
check(alerts[9000004] == 6 and alerts[9000006] == 18, "tunnel alerts missing")
reasons = collections.Counter(r["flow"]["reason"] for v in flows.values() for r in v)
check(reasons["timeout"] > 0 and reasons["shutdown"] > 0, f"reasons {dict(reasons)}")
PY
# tunnel-mixed.pcap (tools/make-tunnel-mixed-pcap.py): each outer flow
# starts with a packet that carries no tunnel (Geneve carrying ARP, a
# header that is not VXLAN), and every packet of it counts.
python3 - "$WORK/tunnel-mixed.pcap-single-1/eve.json" <<'PY' || fail "tunnel-mixed.pcap: unexpected records"
import json, sys
recs = {6081: [], 4789: []}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["event_type"] == "flow" and r.get("dest_port") in recs and r["proto"] == "UDP":
        recs[r["dest_port"]].append(r["flow"])
for port, usec, toserver in ((6081, "010000", 3), (4789, "020000", 2)):
    fl = recs[port]
    if len(fl) != 80:
        sys.exit(f"port {port}: {len(fl)} flow records, expected 80 (40 flows, twice)")
    for f in fl:
        if not f["start"].split(".")[1].startswith(usec) or f["pkts_toserver"] != toserver or \
                f["pkts_toclient"] != 1:
            sys.exit(f"port {port}: flow {f}")
PY
echo "determinism: ok ($RUNS runs x 6 runmodes x ${#caps[@]} captures)"
