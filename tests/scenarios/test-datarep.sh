#!/usr/bin/env bash
# The datarep keyword on the sample capture (its DNS query is example.test):
# a reputation list loaded from "value,reputation" lines (bad lines warned
# about by file and line, skipped), every operator, a value not in the set
# never matches, an md5 list after to_md5; bad operator, value and option
# refused by rule with the reason, a dataset's set refused to datarep (and
# the other way round).
. "$(dirname "$0")/lib.sh"
cd "$WORK" || exit 1
b64() { printf '%s' "$1" | base64; }
printf '%s\n' "$(b64 example.test),250" "$(b64 other.test),10" "$(b64 nope.test)" \
    "$(b64 big.test),70000" "# a comment" "" >rep.lst
printf '%s,100\n' "$(printf example.test | md5sum | cut -d' ' -f1)" >md5.rep
cat >t.rules <<'R'
alert dns any any -> any any (msg:"rep > 200"; dns.query; datarep:rep-dom,>,200,type string,load rep.lst; sid:11;)
alert dns any any -> any any (msg:"rep < 200"; dns.query; datarep:rep-dom,<,200; sid:12;)
alert dns any any -> any any (msg:"rep == 250"; dns.query; datarep:rep-dom, ==, 250; sid:13;)
alert http any any -> any any (msg:"ua not listed"; http.user_agent; datarep:rep-dom,>=,0; sid:14;)
alert dns any any -> any any (msg:"md5 rep"; dns.query; to_md5; datarep:rep-md5,>=,100,type md5,load md5.rep,memcap 1mb,hashsize 64; sid:15;)
alert dns any any -> any any (msg:"bad op"; dns.query; datarep:rep-dom,~,3; sid:16;)
alert dns any any -> any any (msg:"bad value"; dns.query; datarep:rep-dom,>,70000; sid:17;)
alert dns any any -> any any (msg:"plain"; dns.query; dataset:isset,plain,type string; sid:18;)
alert dns any any -> any any (msg:"clash"; dns.query; datarep:plain,>,1; sid:19;)
alert dns any any -> any any (msg:"save"; dns.query; datarep:rep-dom,>,1,save x.lst; sid:20;)
alert dns any any -> any any (msg:"rep != 250"; dns.query; datarep:rep-dom,!=,250; sid:21;)
alert dns any any -> any any (msg:"rep <= 250"; dns.query; datarep:rep-dom,<=,250; sid:22;)
alert dns any any -> any any (msg:"rep >= 251"; dns.query; datarep:rep-dom,>=,251; sid:23;)
alert dns any any -> any any (msg:"dataset on a datarep set"; dns.query; dataset:isset,rep-dom; sid:24;)
alert dns any any -> any any (msg:"no value"; dns.query; datarep:rep-dom,>; sid:25;)
R
expect_exit 0 "" "$VIGIL" -S t.rules -r "$SAMPLE" -l out1
for want in "rep.lst:3: not a string value and reputation" "rep.lst:4: not a string value and reputation" \
    "t.rules:6: sid 16: bad datarep operator '~'" "t.rules:7: sid 17: bad datarep value '70000'" \
    "t.rules:9: sid 19: 'plain' is a dataset \(no reputations\): datarep cannot use it" \
    "t.rules:10: sid 20: unknown datarep option 'save'" \
    "t.rules:14: sid 24: 'rep-dom' is a datarep set" "t.rules:15: sid 25: datarep needs"; do
    printf '%s\n' "$out" | grep -qE "$want" || fail "no '$want' in: $out"
done
printf '%s\n' "$out" | grep -q "rep.lst:5:" && fail "a comment line was warned about"
sids() { grep -o '"signature_id":[0-9]*' "$1/eve.json" | cut -d: -f2 | sort -n | uniq -c | tr -s ' ' | tr '\n' ';'; }
[ "$(sids out1)" = " 1 11; 1 13; 1 15; 1 22;" ] || fail "alerts: $(sids out1)"
"$VIGIL" --list-keywords | grep -q '^datarep' || fail "datarep not in --list-keywords"
echo ok
