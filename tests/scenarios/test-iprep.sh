#!/usr/bin/env bash
# iprep on the sample capture: categories and reputation files from the
# config (relative to default-reputation-path, a scalar reputation-files
# too), exact addresses and prefixes (the longest prefix wins, the last line
# of equals), each operator and side, isset/isnotset; bad lines named by file
# and line and skipped; an unknown category refuses the rule; a broken
# categories file stops start-up.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
mkdir rep
cat >rep/categories.txt <<'C'
# id,short name,description
1,BadHosts,Known bad hosts
2,Web,Web servers
C
cat >rep/a.list <<'L'
203.0.113.80,2,90
198.51.100.0/24,1,40
198.51.100.53/32,1,20
192.168.1.10,1,5
192.168.1.10,1,15
not-an-address,1,10
10.0.0.1,7,10
10.0.0.2,1,300
L
cat >rep/b.list <<'L'
10.1.1.0/24,1,60
10.1.0.0/16,1,70
L
cat >c.yaml <<Y
reputation-categories-file: rep/categories.txt
default-reputation-path: rep
reputation-files:
  - a.list
  - b.list
Y
cat >t.rules <<'R'
alert ip any any -> any any (msg:"web server dst > 80"; iprep:dst,Web,>,80; sid:1;)
alert ip any any -> any any (msg:"bad src < 20 (last line of equals: 15)"; iprep:src,BadHosts,<,20; sid:2;)
alert ip any any -> any any (msg:"bad src = 5 (overridden)"; iprep:src,BadHosts,=,5; sid:3;)
alert ip any any -> any any (msg:"dns server /32 beats /24: 20"; iprep:dst,BadHosts,=,20; sid:4;)
alert ip any any -> any any (msg:"both bad"; iprep:both,BadHosts,isset; sid:5;)
alert ip any any -> any any (msg:"any unknown web"; iprep:any,Web,isnotset; sid:6;)
alert ip any any -> any any (msg:"prefix /24 beats /16: 60"; iprep:src,BadHosts,=,60; sid:7;)
alert ip any any -> any any (msg:"unknown category"; iprep:src,Nope,>,1; sid:8;)
R
expect_exit 0 "" "$VIGIL" -c c.yaml -S t.rules -r "$SAMPLE" -l out -k none
for pat in "a.list:6: expected address" "a.list:7: expected address" "a.list:8: expected address" \
    "t.rules:8: .*iprep category 'Nope' is unknown"; do
    printf '%s\n' "$out" | grep -q "$pat" || fail "missing '$pat': $out"
done
count() { grep -c "\"signature_id\":$1," out/eve.json; }
# 192.168.1.10 -> 203.0.113.80: 6 packets; back: 5; the DNS pair 1 + 1;
# 10.1.1.1 -> 10.1.1.2: 1.
[ "$(count 1)" = 6 ] || fail "sid 1: $(count 1)"
[ "$(count 2)" = 7 ] || fail "sid 2 (src 192.168.1.10 at 15; 198.51.100.53 at 20 is not < 20): $(count 2)"
[ "$(count 3)" = 0 ] || fail "sid 3: $(count 3)"
[ "$(count 4)" = 1 ] || fail "sid 4: $(count 4)"
[ "$(count 5)" = 3 ] || fail "sid 5 (DNS both ways, 10.1.1.x): $(count 5)"
[ "$(count 7)" = 1 ] || fail "sid 7: $(count 7)"
[ "$(count 6)" = 16 ] || fail "sid 6 (every IPv4 and IPv6 packet: one side is never a web server): $(count 6)"
# A scalar reputation-files and no default path: relative to the working dir.
printf 'reputation-categories-file: rep/categories.txt\nreputation-files: rep/b.list\n' >d.yaml
expect_exit 0 "" "$VIGIL" -c d.yaml -S t.rules -r "$SAMPLE" -l out2 -k none
[ "$(grep -c '"signature_id":7,' out2/eve.json)" = 1 ] || fail "scalar reputation-files"
# A line longer than the reader's buffer is one bad line, not two.
{ printf '10.1.1.1,1,'; head -c 2000 /dev/zero | tr '\0' '9'; printf '\n10.1.1.2,1,33\n'; } >rep/long.list
printf 'reputation-categories-file: rep/categories.txt\nreputation-files: rep/long.list\n' >g.yaml
echo 'alert ip any any -> any any (iprep:dst,BadHosts,=,33; sid:11;)' >g.rules
expect_exit 0 "long.list:1: line longer than 512 bytes" "$VIGIL" -c g.yaml -S g.rules -r "$SAMPLE" \
    -l out3 -k none
[ "$(grep -c '"signature_id":11,' out3/eve.json)" = 1 ] || fail "the line after a long one"
printf '1,A,x\n1,B,y\n' >rep/dup.txt
printf 'reputation-categories-file: rep/dup.txt\n' >e.yaml
expect_exit 1 "dup.txt:2: category B \(id 1\) defined twice" "$VIGIL" -c e.yaml -S t.rules -T
printf 'reputation-files: rep/b.list\n' >f.yaml
expect_exit 1 "reputation-files needs reputation-categories-file" "$VIGIL" -c f.yaml -S t.rules -T
echo "iprep: ok"
