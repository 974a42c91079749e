#!/usr/bin/env bash
# The dataset keyword on the sample capture: isset/isnotset against a set
# loaded from a file (a bad line is warned about by file and line and
# skipped), set with a state file written at exit and read back by the next
# run, the rule-file path policy (absolute names refused unless allowed),
# type clashes refused by rule; config-defined sets; every type's serialized
# form in a state file round trip.
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
b64() { printf '%s' "$1" | base64; }
printf '%s\n' "$(b64 example.test)" "$(b64 other.test)" "not base64!" "# a comment" "" >bad.lst
cat >t.rules <<'R'
alert dns any any -> any any (msg:"listed domain"; dns.query; dataset:isset,bad-domains,type string,load bad.lst; sid:1;)
alert http any any -> any any (msg:"ua"; http.user_agent; dataset:set,ua-seen,type string,state ua.lst; sid:2;)
alert dns any any -> any any (msg:"unlisted domain"; dns.query; dataset:isnotset,bad-domains; sid:3;)
alert http any any -> any any (msg:"abs"; http.user_agent; dataset:set,x,type string,save /tmp/vg-x.lst; sid:4;)
alert http any any -> any any (msg:"clash"; http.user_agent; dataset:isset,ua-seen,type md5; sid:5;)
alert http any any -> any any (msg:"new set without type"; http.user_agent; dataset:isset,untyped; sid:6;)
alert http any any -> any any (msg:"known ua"; http.user_agent; dataset:isset,ua-seen; sid:7;)
R
expect_exit 0 "" "$VIGIL" -S t.rules -r "$SAMPLE" -l out1
printf '%s\n' "$out" | grep -q "bad.lst:3: not a string value of dataset bad-domains" ||
    fail "bad line not named: $out"
printf '%s\n' "$out" | grep -q "t.rules:4: .*allow-absolute-filenames" || fail "absolute path: $out"
printf '%s\n' "$out" | grep -q "t.rules:5: .*is of type string, not md5" || fail "type clash: $out"
printf '%s\n' "$out" | grep -q "t.rules:6: .*give its type" || fail "untyped new set: $out"
[ ! -e /tmp/vg-x.lst ] || fail "a refused rule wrote its file"
sids() { grep -o '"signature_id":[0-9]*' "$1/eve.json" | cut -d: -f2 | sort -n | uniq -c | tr -s ' ' | tr '\n' ';'; }
# sid 7 runs after sid 2 on the same transaction: it sees what sid 2 added.
[ "$(sids out1)" = " 1 1; 1 2; 1 7;" ] || fail "first run alerts: $(sids out1)"
[ "$(cat ua.lst)" = "$(b64 demo)" ] || fail "state file: $(cat ua.lst)"
# Second run, only a reader: the state file is read back, so it fires.
echo 'alert http any any -> any any (msg:"known ua"; http.user_agent; dataset:isset,ua-seen,type string,state ua.lst; sid:7;)' >t2.rules
expect_exit 0 "" "$VIGIL" -S t2.rules -r "$SAMPLE" -l out2
[ "$(sids out2)" = " 1 7;" ] || fail "second run alerts: $(sids out2)"
: >ua.lst
expect_exit 0 "" "$VIGIL" -S t2.rules -r "$SAMPLE" -l out2b
[ ! -s out2b/eve.json ] || ! grep -q '"signature_id":7' out2b/eve.json || fail "sid 7 fired on an empty set"
# --data-dir: the state file lives there (read back, written at exit), the
# loaded list still beside the rule file; "ipv6" names the ip type.
mkdir -p dd
printf '%s\n' "$(b64 demo)" >dd/ua.lst
echo 'alert http any any -> any any (msg:"known ua"; http.user_agent; dataset:isset,ua-seen,type string,state ua.lst; sid:7;)
alert ip any any -> any any (msg:"v6 src"; ip.src; dataset:set,srcs,type ipv6,save srcs.lst; sid:8;)
alert dns any any -> any any (msg:"listed domain"; dns.query; dataset:isset,bad-domains,type string,load bad.lst; sid:1;)' >t3.rules
expect_exit 0 "" "$VIGIL" -S t3.rules -r "$SAMPLE" -l out2c --data-dir "$WORK/dd"
[ "$(sids out2c)" = " 1 1; 1 7; 16 8;" ] || fail "--data-dir alerts: $(sids out2c)"
[ "$(cat dd/ua.lst)" = "$(b64 demo)" ] || fail "--data-dir state file: $(cat dd/ua.lst)"
[ -f dd/srcs.lst ] && [ ! -e srcs.lst ] || fail "--data-dir: save file not in the data dir"
expect_exit 2 "--data-dir needs a directory name" "$VIGIL" -S t3.rules -r "$SAMPLE" --data-dir ""
# Absolute names when the config allows them.
expect_exit 0 "" "$VIGIL" -S t.rules -r "$SAMPLE" -l out3 \
    --set datasets.rules.allow-absolute-filenames=yes
[ -f /tmp/vg-x.lst ] && rm -f /tmp/vg-x.lst || fail "allowed absolute save not written"
# Writing from rules can be turned off.
expect_exit 0 "" "$VIGIL" -S t.rules -r "$SAMPLE" -l out4 --set datasets.rules.allow-write=no
printf '%s\n' "$out" | grep -q "t.rules:2: .*datasets.rules.allow-write" || fail "allow-write: $out"
# A set defined in the config, every type: state files round trip.
cat >c.yaml <<'Y'
datasets:
  hashes:
    type: md5
    state: md5.lst
  digests:
    type: sha256
    state: sha.lst
  v4:
    type: ipv4
    state: v4.lst
  any-ip:
    type: ip
    state: ip.lst
    memcap: 1mb
    hashsize: 64
Y
printf '%s\n' d41d8cd98f00b204e9800998ecf8427e >md5.lst
printf '%s\n' e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 >sha.lst
printf '%s\n' 192.0.2.1 10.0.0.300 >v4.lst
printf '%s\n' 198.51.100.7 2001:db8::1 >ip.lst
echo 'alert dns any any -> any any (dns.query; dataset:isset,v4; sid:9;)' >c.rules
expect_exit 0 "" "$VIGIL" -c c.yaml -S c.rules -r "$SAMPLE" -l out5
printf '%s\n' "$out" | grep -q "v4.lst:2: not a ipv4 value" || fail "bad ipv4 line: $out"
[ "$(cat md5.lst)" = d41d8cd98f00b204e9800998ecf8427e ] || fail "md5 round trip: $(cat md5.lst)"
[ "$(cat sha.lst)" = e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855 ] ||
    fail "sha256 round trip"
[ "$(cat v4.lst)" = 192.0.2.1 ] || fail "ipv4 round trip: $(cat v4.lst)"
# IPv6 written in full, eight groups of four digits, as Suricata writes them
[ "$(sort ip.lst | tr '\n' ' ')" = "198.51.100.7 2001:0db8:0000:0000:0000:0000:0000:0001 " ] ||
    fail "ip round trip: $(cat ip.lst)"
printf 'datasets:\n  broken:\n    type: words\n' >bad.yaml
expect_exit 1 "bad.yaml:2: dataset broken: type must be" "$VIGIL" -c bad.yaml -S c.rules -T
echo "datasets: ok"
