#!/usr/bin/env bash
# The two prefilters (Hyperscan and our Aho-Corasick) must give the same
# alerts on the same rules and traffic: a generated corpus of content rules
# (many patterns per port group, nocase, offsets, negations) over the bundled
# captures, compared record by record.
. "$(dirname "$0")/lib.sh"
"$VIGIL" --build-info | grep -q "Hyperscan: yes" || needs "vigil built without Hyperscan"
py "$WORK/corpus.rules" <<'PY' || fail "rule corpus not generated"
import random, sys
random.seed(11)
words = [b"GET", b"HTTP/1.1", b"uid=0", b"root", b"example", b"hello", b"OK", b"groups",
         b"Host", b"test", b"\x07example", b"\x00\x01", b"ping", b"vlan", b"demo", b"gid="]
out = open(sys.argv[1], "w")
sid = 100000
def hexify(b):
    return "".join(chr(c) if 32 < c < 127 and chr(c) not in '";\\|' else "|%02x|" % c for c in b)
for i in range(600):
    sid += 1
    proto = random.choice(["tcp", "udp", "ip", "icmp"])
    port = random.choice(["any", "80", "53", "[80,53,6000]", "!80"]) if proto in ("tcp", "udp") else "any"
    opts = []
    for _ in range(random.randint(1, 3)):
        w = random.choice(words)
        neg = "!" if random.random() < 0.1 else ""
        mods = []
        if random.random() < 0.3:
            mods.append("nocase;")
        if random.random() < 0.2:
            mods.append("offset:%d;" % random.randint(0, 8))
        opts.append('content:%s"%s"; %s' % (neg, hexify(w if random.random() < 0.7 else w.lower()), " ".join(mods)))
    out.write('alert %s any any -> any %s (msg:"corpus %d"; %s sid:%d; rev:1;)\n'
              % (proto, port, i, " ".join(opts), sid))
PY
cat "$WORK/corpus.rules" "$VG_SOURCE_DIR/etc/rules/vigil-demo.rules" >"$WORK/all.rules"
for algo in hs ac; do
    for cap in "$SAMPLE" "$VG_SOURCE_DIR/tests/data/runmodes.pcap"; do
        out=$WORK/$algo-$(basename "$cap")
        "$VIGIL" -c "$VG_SOURCE_DIR/etc/vigil.yaml" -r "$cap" -S "$WORK/all.rules" -l "$out" \
            --set mpm-algo=$algo 2>"$WORK/err" || fail "mpm-algo $algo failed: $(cat "$WORK/err")"
        py "$out/eve.json" >"$out.alerts" <<'PY'
import json, sys
rows = sorted((r.get("pcap_cnt", 0), r["alert"]["signature_id"]) for r in map(json.loads, open(sys.argv[1]))
              if r["event_type"] == "alert")
for row in rows:
    print(*row)
PY
    done
done
for cap in "$SAMPLE" "$VG_SOURCE_DIR/tests/data/runmodes.pcap"; do
    b=$(basename "$cap")
    [ -s "$WORK/hs-$b.alerts" ] || fail "$b: the corpus raised no alerts at all"
    diff -u "$WORK/hs-$b.alerts" "$WORK/ac-$b.alerts" || fail "$b: hs and ac disagree"
done
echo "mpm oracle: ok ($(cat "$WORK"/hs-*.alerts | wc -l) alerts each)"
