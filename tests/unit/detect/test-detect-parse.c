/* Rule parser: header grammar, option syntax, and each refusal reason. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "detect-test.h"
#include "util/util-error.h"

#define OPTS "(msg:\"x\"; sid:1;)"

static void expect_ok(const char *rule)
{
    char err[256];
    int rc = test_parse(rule, err, sizeof(err));
    if (rc != 0) {
        fail_msg("rule refused: %s (%s)", err, rule);
    }
}

static void expect_err(const char *rule, const char *reason)
{
    char err[256];
    assert_int_not_equal(test_parse(rule, err, sizeof(err)), 0);
    if (strstr(err, reason) == NULL) {
        fail_msg("reason '%s' lacks '%s'", err, reason);
    }
}

static void parse_accepts_spaces_around_option_colons(void **state)
{
    (void)state;
    expect_ok("alert tcp any any -> any any (msg :\"m\"; content  :\"abc\"; sid :1;)");
    expect_ok("alert tcp any any -> any any (content : \"abc\" ; sid : 2 ;)");
}

static void parse_accepts_all_actions(void **state)
{
    (void)state;
    const char *actions[] = { "alert", "drop", "reject", "rejectsrc", "rejectdst", "rejectboth",
                              "pass" };
    for (size_t i = 0; i < 7; i++) {
        char rule[256];
        snprintf(rule, sizeof(rule), "%s tcp any any -> any any " OPTS, actions[i]);
        expect_ok(rule);
    }
    expect_err("block tcp any any -> any any " OPTS, "unknown action 'block'");
}

static void parse_accepts_protocols(void **state)
{
    (void)state;
    const char *protos[] = { "ip", "tcp", "udp", "icmp", "icmpv4", "icmpv6", "tcp-pkt",
                             "tcp-stream", "pkthdr" };
    for (size_t i = 0; i < 9; i++) {
        char rule[256];
        snprintf(rule, sizeof(rule), "alert %s any any -> any any " OPTS, protos[i]);
        expect_ok(rule);
    }
}

static void parse_refuses_app_layer_protocol(void **state)
{
    (void)state;
    expect_ok("alert http any any -> any any " OPTS);
    expect_ok("alert http1 any any -> any any " OPTS);
    expect_ok("alert dns any any -> any any " OPTS);
    expect_err("alert imap any any -> any any " OPTS, "unsupported protocol 'imap'");
    expect_err("alert imap any any -> any any " OPTS, "unsupported protocol 'imap'");
    expect_err("alert foo any any -> any any " OPTS, "unknown protocol 'foo'");
}

static void parse_accepts_address_forms(void **state)
{
    (void)state;
    expect_ok("alert ip 1.2.3.4 any -> 10.0.0.0/8 any " OPTS);
    expect_ok("alert ip [1.2.3.4,5.6.7.0/24] any -> !$HOME_NET any " OPTS);
    expect_ok("alert ip [10.0.0.0/8,![10.1.0.0/16,!10.1.1.0/24]] any -> any any " OPTS);
    expect_ok("alert ip 2001:db8::/32 any -> ::1 any " OPTS);
    expect_ok("alert ip 1.2.3.4-1.2.3.9 any -> $EXTERNAL_NET any " OPTS);
    expect_ok("alert ip [1.2.3.4, 5.6.7.8] any -> any any " OPTS);
}

static void parse_refuses_bad_addresses(void **state)
{
    (void)state;
    expect_err("alert ip 1.2.3.256 any -> any any " OPTS, "bad address");
    expect_err("alert ip 1.2.3.4/33 any -> any any " OPTS, "bad prefix length");
    expect_err("alert ip $NOPE any -> any any " OPTS, "unknown variable '$NOPE'");
    expect_err("alert ip [1.2.3.4 any -> any any " OPTS, "bad or missing");
    expect_err("alert ip !any any -> any any " OPTS, "matches nothing");
}

static void parse_accepts_port_forms(void **state)
{
    (void)state;
    expect_ok("alert tcp any 1024: -> any :1023 " OPTS);
    expect_ok("alert tcp any [80,443,8000:8080] -> any !$HTTP_PORTS " OPTS);
    expect_ok("alert tcp any ![1:10,!5] -> any any " OPTS);
    expect_ok("alert tcp any any <> any 80 " OPTS);
}

static void parse_refuses_bad_ports(void **state)
{
    (void)state;
    expect_err("alert tcp any 65536 -> any any " OPTS, "bad port");
    expect_err("alert tcp any 90:80 -> any any " OPTS, "reversed");
    expect_err("alert tcp any any =< any any " OPTS, "bad direction");
    expect_err("alert tcp any any => any any " OPTS, "needs app-layer transaction keywords");
}

static void parse_detects_variable_loop(void **state)
{
    (void)state;
    DetectEngine *de = detect_engine_new_empty();
    assert_int_equal(detect_vars_set(&de->vars, "A", "$B", false), 0);
    assert_int_equal(detect_vars_set(&de->vars, "B", "[$A]", false), 0);
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(detect_engine_load_string(de, "alert ip $A any -> any any " OPTS, "t"), 1);
    detect_engine_free(de);
}

static void parse_handles_escapes_in_options(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert tcp any any -> any any (msg:\"a\\;b\\\"c\\\\\"; "
                                   "content:\"x\\;y\"; sid:7;)", NULL);
    assert_int_equal(de->loaded, 1);
    assert_string_equal(de->sigs[0]->msg, "a;b\"c\\");
    detect_engine_free(de);
}

static void parse_joins_continued_lines_and_skips_comments(void **state)
{
    (void)state;
    int failed = -1;
    DetectEngine *de = test_engine("# a comment\n\n   # indented comment\n"
                                   "alert tcp any any -> any any (msg:\"m\"; \\\n"
                                   "    content:\"abc\"; \\\n  sid:9;)\n", &failed);
    assert_int_equal(failed, 0);
    assert_int_equal(de->loaded, 1);
    assert_int_equal(de->sigs[0]->sid, 9);
    detect_engine_free(de);
}

static void parse_refuses_unknown_keyword_with_its_name(void **state)
{
    (void)state;
    expect_err("alert tcp any any -> any any (msg:\"x\"; frobnicate:1; sid:1;)",
               "unsupported keyword 'frobnicate'");
    expect_err("alert tcp any any -> any any (nfs.procedure_name; content:\"x\"; sid:1;)",
               "unsupported keyword 'nfs.procedure_name'");
}

static void parse_refuses_structural_errors(void **state)
{
    (void)state;
    expect_err("alert tcp any any -> any any msg:\"x\"; sid:1;", "enclosed");
    expect_err("alert tcp any any -> any any (msg:\"x\"; sid:1)", "not terminated");
    expect_err("alert tcp any any -> any any (msg:\"x\";)", "no sid");
    expect_err("alert tcp any any", "bad or missing");
    expect_err("", "bad or missing");
    expect_err("alert tcp any any -> any any (sid:abc;)", "bad sid");
    expect_err("alert tcp any any -> any any (nocase:1; sid:1;)", "takes no value");
    expect_err("alert tcp any any -> any any (content; sid:1;)", "needs a value");
}

static void parse_refuses_unknown_classtype(void **state)
{
    (void)state;
    expect_err("alert tcp any any -> any any (classtype:nope; sid:1;)", "unknown classtype");
    expect_ok("alert tcp any any -> any any (classtype:trojan-activity; sid:1;)");
}

static void parse_classtype_sets_priority_unless_given(void **state)
{
    (void)state;
    DetectEngine *de = test_engine(
        "alert tcp any any -> any any (classtype:trojan-activity; sid:1;)\n"
        "alert tcp any any -> any any (classtype:trojan-activity; priority:4; sid:2;)\n"
        "alert tcp any any -> any any (sid:3;)\n", NULL);
    assert_int_equal(de->loaded, 3);
    for (uint32_t i = 0; i < 3; i++) {
        const Signature *s = de->sigs[i];
        int want = s->sid == 1 ? 1 : (s->sid == 2 ? 4 : 3);
        assert_int_equal(s->priority, want);
    }
    detect_engine_free(de);
}

static void parse_stores_metadata_pairs(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert tcp any any -> any any (metadata:created_at 2020_01_01,"
                                   " signature_severity Major; reference:url,example.com; "
                                   "target:dest_ip; gid:3; rev:5; sid:1;)", NULL);
    const Signature *s = de->sigs[0];
    assert_int_equal(s->n_meta, 2);
    assert_string_equal(s->meta[1].key, "signature_severity");
    assert_string_equal(s->meta[1].value, "Major");
    assert_int_equal(s->gid, 3);
    assert_int_equal(s->rev, 5);
    detect_engine_free(de);
}

static void parse_duplicate_sid_later_wins(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert tcp any any -> any any (msg:\"first\"; sid:5;)\n"
                                   "alert tcp any any -> any any (msg:\"second\"; sid:5;)\n"
                                   "alert tcp any any -> any any (msg:\"gid2\"; gid:2; sid:5;)\n",
                                   NULL);
    assert_int_equal(de->n_sigs, 2);
    bool seen_second = false;
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        seen_second |= strcmp(de->sigs[i]->msg, "second") == 0;
        assert_string_not_equal(de->sigs[i]->msg, "first");
    }
    assert_true(seen_second);
    detect_engine_free(de);
}

static void parse_counts_loaded_and_failed(void **state)
{
    (void)state;
    int failed = 0;
    DetectEngine *de = test_engine("alert tcp any any -> any any (sid:1;)\n"
                                   "garbage\n"
                                   "alert tcp any any -> any any (bogus; sid:2;)\n", &failed);
    uint32_t loaded, nfailed;
    detect_engine_stats(de, &loaded, &nfailed);
    assert_int_equal(loaded, 1);
    assert_int_equal(nfailed, 2);
    assert_int_equal(failed, 2);
    detect_engine_free(de);
}

static void parse_content_modifier_errors(void **state)
{
    (void)state;
    expect_err("alert tcp any any -> any any (nocase; sid:1;)", "needs a preceding content");
    expect_err("alert tcp any any -> any any (content:\"abc\"; depth:2; sid:1;)",
               "smaller than the content length");
    expect_err("alert tcp any any -> any any (content:\"a\"; content:\"b\"; distance:1; "
               "depth:4; sid:1;)", "can't mix");
    expect_err("alert tcp any any -> any any (content:\"|4|\"; sid:1;)", "odd number");
    expect_err("alert tcp any any -> any any (content:\"|zz|\"; sid:1;)", "bad hex");
    expect_err("alert tcp any any -> any any (content:\"|41\"; sid:1;)", "unterminated");
    expect_err("alert tcp any any -> any any (content:abc; sid:1;)", "quoted");
    expect_err("alert tcp any any -> any any (content:\"\"; sid:1;)", "empty");
    expect_err("alert tcp any any -> any any (content:\"a\"; fast_pattern; content:\"b\"; "
               "fast_pattern; sid:1;)", "more than one");
    expect_err("alert tcp any any -> any any (content:\"abc\"; fast_pattern:2,5; sid:1;)",
               "goes past");
    expect_err("alert tcp any any -> any any (content:\"a\"; offset:x; sid:1;)", "bad value");
}

static void parse_pcre_errors(void **state)
{
    (void)state;
    expect_ok("alert tcp any any -> any any (pcre:\"/a.c/ismxAEGRBO\"; sid:1;)");
    expect_err("alert tcp any any -> any any (pcre:\"/a/X\"; sid:1;)",
               "unknown pcre modifier 'X'");
    expect_err("alert tcp any any -> any any (pcre:\"/a/q\"; sid:1;)", "unknown pcre modifier");
    expect_err("alert tcp any any -> any any (pcre:\"/a(/\"; sid:1;)", "pcre compile error");
    expect_err("alert tcp any any -> any any (pcre:\"abc\"; sid:1;)", "/regex/flags");
}

static void parse_byte_keyword_errors(void **state)
{
    (void)state;
    expect_ok("alert tcp any any -> any any (byte_test:2,>,10,0,relative,little; sid:1;)");
    expect_ok("alert tcp any any -> any any (byte_extract:1,0,len; byte_test:1,=,len,1; "
              "content:\"a\"; distance:len; sid:1;)");
    expect_ok("alert tcp any any -> any any (byte_math:bytes 2, offset 0, oper +, rvalue 3, "
              "result r; byte_test:1,<,r,0; sid:1;)");
    expect_err("alert tcp any any -> any any (byte_test:9,=,1,0; sid:1;)", "nbytes");
    expect_err("alert tcp any any -> any any (byte_test:2,~,1,0; sid:1;)", "operator");
    expect_err("alert tcp any any -> any any (byte_test:2,=,1; sid:1;)", "needs");
    expect_err("alert tcp any any -> any any (byte_test:1,=,nope,0; sid:1;)", "bad value");
    expect_err("alert tcp any any -> any any (byte_jump:2,0,from_beginning,from_end; sid:1;)",
               "exclusive");
    expect_err("alert tcp any any -> any any (byte_math:bytes 2, offset 0; sid:1;)", "needs");
}

static void parse_refuses_text_after_a_quoted_value(void **state)
{
    (void)state;
    expect_err("alert ip any any -> any any (msg:\"a\" content:\"x\"; sid:1;)",
               "msg: unexpected text 'content:\"x\"' after the quoted value (missing ';'?)");
    expect_err("alert tcp any any -> any any (content:\"a\" nocase; sid:1;)",
               "content: unexpected text 'nocase'");
    expect_err("alert tcp any any -> any any (content:!\"a\"x; sid:1;)",
               "content: unexpected text 'x'");
}

static void parse_refuses_an_unclosed_quote(void **state)
{
    (void)state;
    expect_err("alert ip any any -> any any (msg:\"open; sid:1;)", "msg: quoted value not closed");
    expect_err("alert ip any any -> any any (msg:\"ends with escape\\\"; sid:1;)",
               "msg: quoted value not closed");
}

static void parse_accepts_quoted_values_ending_the_option(void **state)
{
    (void)state;
    expect_ok("alert ip any any -> any any (msg:\"a \\\"b\\\" c\"; sid:1;)");
    expect_ok("alert ip any any -> any any (msg:\"trailing backslash \\\\\"; sid:1;)");
    expect_ok("alert tcp any any -> any any (msg:\"a\"  ; content:!\"x\" ; sid:1;)");
    expect_ok("alert tcp any any -> any any (content:\"a\"; pcre:\"/a/i\"; sid:1;)");
    /* A literal quote inside a pcre, as three ET Open rules have (Suricata reads
     * the value up to its ';'). */
    expect_ok("alert tcp any any -> any any (pcre:\"/x(%22|\")y/Ri\"; sid:1;)");
    expect_ok("alert tcp any any -> any any (pcre:\"/['\"]\\s*:\\s*a/Ri\"; sid:1;)");
}

static void parse_reports_sid_beyond_32_bits_with_its_value(void **state)
{
    (void)state;
    expect_err("alert ip any any -> any any (msg:\"a\"; sid:99999999999;)",
               "bad sid '99999999999': out of range (1-4294967295)");
    expect_err("alert ip any any -> any any (msg:\"a\"; sid:0;)",
               "bad sid '0': out of range (1-4294967295)");
    expect_err("alert ip any any -> any any (msg:\"a\"; sid:12x;)", "bad sid '12x'");
    expect_ok("alert ip any any -> any any (msg:\"a\"; sid:4294967295;)");
    assert_int_equal(detect_parse_scan_sid("alert ip any any -> any any (sid:4294967296;)"), 0);
    assert_int_equal(detect_parse_scan_sid("alert ip any any -> any any (sid:4294967295;)"),
                     4294967295u);
}

static void parse_reports_multiplier_out_of_range(void **state)
{
    (void)state;
    expect_err("alert tcp any any -> any any (content:\"x\"; "
               "byte_jump:4,0,multiplier 4294967295; sid:1;)",
               "byte_jump: multiplier '4294967295' out of range (1-65535)");
    expect_err("alert tcp any any -> any any (byte_extract:1,0,v,multiplier 0; sid:1;)",
               "byte_extract: multiplier '0' out of range (1-65535)");
    expect_err("alert tcp any any -> any any (byte_jump:4,0,multiplier x; sid:1;)",
               "byte_jump: bad multiplier 'x'");
    expect_ok("alert tcp any any -> any any (content:\"x\"; byte_jump:4,0,multiplier 65535; "
              "sid:1;)");
}

static void parse_header_keyword_errors(void **state)
{
    (void)state;
    expect_err("alert tcp any any -> any any (flow:sideways; sid:1;)", "unknown flow option");
    expect_err("alert tcp any any -> any any (flow:to_server,to_client; sid:1;)", "conflicting");
    expect_err("alert tcp any any -> any any (ttl:300; sid:1;)", "bad number");
    expect_err("alert tcp any any -> any any (flags:Q; sid:1;)", "bad tcp flags");
    expect_err("alert tcp any any -> any any (ipopts:foo; sid:1;)", "unknown ipopts");
    expect_err("alert tcp any any -> any any (fragbits:X; sid:1;)", "bad fragbits");
    expect_err("alert tcp any any -> any any (dsize:10<>5; sid:1;)", "bad range");
    expect_err("alert tcp any any -> any any (flowbits:frob,a; sid:1;)", "bad flowbits");
    expect_err("alert tcp any any -> any any (threshold:type limit; sid:1;)", "threshold needs");
    expect_err("alert pkthdr any any -> any any (decode-event:no.such; sid:1;)",
               "unknown decode-event");
}

/* Garbage is refused with VG_EINVAL and the reason an operator reads (no
 * crash, no rule); a strange but valid port list is accepted. */
static void parse_refuses_garbage_with_its_reason(void **state)
{
    (void)state;
    static const struct {
        const char *rule;
        const char *reason;
    } junk[] = {
        {"(", "bad or missing action in rule header"},
        {")", "bad or missing protocol in rule header"},
        {"alert", "bad or missing protocol in rule header"},
        {"alert tcp any any -> any any (", "rule options must be enclosed in '(' ')'"},
        {"alert tcp any any -> any any ()", "rule has no sid"},
        {"alert tcp any any -> any any (;;;;)", "rule has no sid"},
        {"alert tcp any any -> any any (content:\"\\", "rule options must be enclosed"},
        {"alert tcp [[[[[[[[[[ any -> any any (sid:1;)", "bad or missing source address"},
        {"alert tcp any any -> any any (:;)", "bad option name ''"},
        {"alert tcp any any -> any any (content:!; sid:1;)", "content must be quoted"},
        {"alert tcp any any -> any any (pcre:\"/\"; sid:1;)", "pcre must look like"},
        {"alert tcp any any -> any any (isdataat:; sid:1;)", "bad isdataat ''"},
    };
    char err[256];
    for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
        int rc = test_parse(junk[i].rule, err, sizeof(err));
        if (rc != VG_EINVAL || strstr(err, junk[i].reason) == NULL) {
            fail_msg("%s: rc %d, error '%s'; want %d and '%s'", junk[i].rule, rc, err,
                     VG_EINVAL, junk[i].reason);
        }
    }
    char big[20000];
    memset(big, '[', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(test_parse(big, err, sizeof(err)), VG_EINVAL);
    assert_non_null(strstr(err, "bad or missing action"));
    /* 1 and up, up to 2, not 3: odd but valid */
    assert_int_equal(test_parse("alert tcp any [1:,:2,!3] -> any any (sid:1;)", err,
                                sizeof(err)), 0);
    assert_string_equal(err, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parse_accepts_all_actions),
        cmocka_unit_test(parse_accepts_protocols),
        cmocka_unit_test(parse_refuses_app_layer_protocol),
        cmocka_unit_test(parse_accepts_address_forms),
        cmocka_unit_test(parse_refuses_bad_addresses),
        cmocka_unit_test(parse_accepts_port_forms),
        cmocka_unit_test(parse_accepts_spaces_around_option_colons),
        cmocka_unit_test(parse_refuses_bad_ports),
        cmocka_unit_test(parse_detects_variable_loop),
        cmocka_unit_test(parse_handles_escapes_in_options),
        cmocka_unit_test(parse_joins_continued_lines_and_skips_comments),
        cmocka_unit_test(parse_refuses_unknown_keyword_with_its_name),
        cmocka_unit_test(parse_refuses_structural_errors),
        cmocka_unit_test(parse_refuses_unknown_classtype),
        cmocka_unit_test(parse_classtype_sets_priority_unless_given),
        cmocka_unit_test(parse_stores_metadata_pairs),
        cmocka_unit_test(parse_duplicate_sid_later_wins),
        cmocka_unit_test(parse_counts_loaded_and_failed),
        cmocka_unit_test(parse_content_modifier_errors),
        cmocka_unit_test(parse_pcre_errors),
        cmocka_unit_test(parse_byte_keyword_errors),
        cmocka_unit_test(parse_header_keyword_errors),
        cmocka_unit_test(parse_refuses_text_after_a_quoted_value),
        cmocka_unit_test(parse_refuses_an_unclosed_quote),
        cmocka_unit_test(parse_accepts_quoted_values_ending_the_option),
        cmocka_unit_test(parse_reports_sid_beyond_32_bits_with_its_value),
        cmocka_unit_test(parse_reports_multiplier_out_of_range),
        cmocka_unit_test(parse_refuses_garbage_with_its_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
