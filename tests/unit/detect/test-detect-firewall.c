/* Firewall mode (detect-firewall.c): rule header grammar, refusals, and the
 * packet:filter table's verdicts on hand-built packets. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "app-layer/app-layer.h"
#include "detect-test.h"
#include "util/util-error.h"

/* An engine in firewall mode with these firewall rules (no TD rules). */
static DetectEngine *fw_engine(const char *rules, int *failed)
{
    util_log_set_level(LOG_LEVEL_ERROR);
    DetectEngine *de = detect_engine_new_empty();
    if (de == NULL || detect_fw_init(de, NULL) != 0) {
        detect_engine_free(de);
        return NULL;
    }
    detect_fw_set_loading(de, true);
    int f = detect_engine_load_string(de, rules, "fw.rules");
    detect_fw_set_loading(de, false);
    if (failed != NULL) {
        *failed = f;
    }
    if (detect_engine_build(de) != 0) {
        detect_engine_free(de);
        return NULL;
    }
    return de;
}

static int fw_parse(const char *rule, char *err, size_t len)
{
    DetectEngine *de = detect_engine_new_empty();
    if (de == NULL || detect_fw_init(de, NULL) != 0) {
        detect_engine_free(de);
        return VG_ENOMEM;
    }
    detect_fw_set_loading(de, true);
    Signature *s = NULL;
    err[0] = '\0';
    int rc = detect_parse_rule(de, rule, "fw.rules", 1, &s, err, len);
    if (rc == 0) {
        assert_non_null(s);
        assert_non_null(s->fw);
    }
    detect_sig_free(s);
    detect_engine_free(de);
    return rc;
}

static void expect_fw_ok(const char *rule)
{
    char err[256];
    if (fw_parse(rule, err, sizeof(err)) != 0) {
        fail_msg("firewall rule refused: %s (%s)", err, rule);
    }
}

static void expect_fw_err(const char *rule, const char *reason)
{
    char err[256];
    assert_int_not_equal(fw_parse(rule, err, sizeof(err)), 0);
    if (strstr(err, reason) == NULL) {
        fail_msg("reason '%s' lacks '%s'", err, reason);
    }
}

static void fw_parses_actions_scopes_and_hooks(void **state)
{
    (void)state;
    expect_fw_ok("accept:packet tcp:all any any -> any any (sid:1;)");
    expect_fw_ok("accept:flow udp:flow_start any any -> any 53 (sid:2;)");
    expect_fw_ok("accept:hook http1:request_line any any -> any any (http.method; "
                 "content:\"GET\"; sid:3;)");
    expect_fw_ok("accept:tx,alert http1:response_complete any any -> any any (sid:4;)");
    expect_fw_ok("drop:flow,alert tls:client_hello_done any any -> any any (sid:5;)");
    expect_fw_ok("accept:flow,pass:flow tls:<client_hello_done any any -> any any "
                 "(tls.sni; content:\"x\"; sid:6;)");
    expect_fw_ok("reject:packet icmp:all any any -> any any (alert; sid:7;)");
    expect_fw_ok("accept:hook dns:request_started any any -> any any (sid:8;)");
    expect_fw_ok("accept:hook smtp:request_data any any -> any any "
                 "(xbits:isset,ok,track tx; sid:11;)");
    expect_fw_ok("accept:hook smtp:response_data any any -> any any (sid:12;)");
    expect_fw_ok("accept:hook,alert smtp:request_started any any -> any any (smtp.mail_from; "
                 "content:\"a\"; xbits:set,ok,track tx; sid:13;)");
}

static void fw_sets_the_hook(void **state)
{
    (void)state;
    DetectEngine *de = detect_engine_new_empty();
    assert_int_equal(detect_fw_init(de, NULL), 0);
    detect_fw_set_loading(de, true);
    char err[256];
    Signature *s = NULL;
    assert_int_equal(detect_parse_rule(de, "accept:tx http1:<response_headers any any -> any "
                                           "any (sid:9;)", "fw.rules", 1, &s, err, sizeof(err)),
                     0);
    assert_int_equal(s->fw->hook_kind, DETECT_FW_HOOK_APP);
    assert_int_equal(s->fw->dir, APP_DIR_TOCLIENT);
    assert_int_equal(s->fw->hook, 2);
    assert_true(s->fw->accepts_prior);
    assert_int_equal(s->fw->scope, DETECT_FW_SCOPE_TX);
    detect_sig_free(s);
    s = NULL;
    assert_int_equal(detect_parse_rule(de, "drop:flow tcp:flow_start any any -> any any "
                                           "(flags:S; sid:10;)", "fw.rules", 1, &s, err,
                                       sizeof(err)), 0);
    assert_int_equal(s->fw->hook_kind, DETECT_FW_HOOK_FLOW_START);
    assert_int_equal(s->fw->action, DETECT_FW_DROP);
    assert_int_equal(s->action, DETECT_ACTION_DROP);
    detect_sig_free(s);
    detect_engine_free(de);
}

static void fw_refuses_bad_headers(void **state)
{
    (void)state;
    expect_fw_err("alert tcp:all any any -> any any (sid:1;)", "bad primary action");
    expect_fw_err("accept tcp:all any any -> any any (sid:1;)", "bad primary action");
    expect_fw_err("accept:hook,drop:flow tcp:all any any -> any any (sid:1;)",
                  "bad secondary action");
    expect_fw_err("accept:hook tcp any any -> any any (sid:1;)", "needs a hook");
    expect_fw_err("accept:tx tcp:all any any -> any any (sid:1;)", "accept:tx needs");
    expect_fw_err("accept:hook tcp:every any any -> any any (sid:1;)", "unknown packet hook");
    expect_fw_err("accept:hook http1:request_nothing any any -> any any (sid:1;)",
                  "has no hook");
    expect_fw_err("accept:hook http2:stream:request_started any any -> any any (sid:1;)",
                  "sub states");
    expect_fw_err("accept:hook tcp:all any any -> any any (http.uri; content:\"a\"; sid:1;)",
                  "app-layer");
}

static void td_rules_take_scopes_but_not_accept(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(test_parse("drop:flow tcp any any -> any any (sid:1;)", err, sizeof(err)),
                     0);
    assert_int_equal(test_parse("pass:packet tcp any any -> any any (sid:1;)", err,
                                sizeof(err)), 0);
    assert_int_not_equal(test_parse("alert:flow tcp any any -> any any (sid:1;)", err,
                                    sizeof(err)), 0);
    assert_non_null(strstr(err, "bad action scope"));
    assert_int_not_equal(test_parse("accept:flow tcp any any -> any any (sid:1;)", err,
                                    sizeof(err)), 0);
    assert_non_null(strstr(err, "firewall rules only"));
}

/* One UDP packet (no flow) through the firewall: its drop flags and reason. */
static void run_udp(const DetectEngine *de, Packet *p, uint16_t dp)
{
    test_packet(p, PKT_L4_UDP, "10.0.0.1", 5000, "192.0.2.1", dp, "x", 1);
    (void)test_run(de, p);
}

static void fw_packet_filter_verdicts(void **state)
{
    (void)state;
    int failed = 0;
    DetectEngine *de = fw_engine("accept:packet udp:all any any -> any 53 (sid:1;)\n"
                                 "drop:packet,alert udp:all any any -> any 69 (sid:2;)\n"
                                 "accept:hook udp:all any any -> any 123 (alert; sid:3;)\n",
                                 &failed);
    assert_non_null(de);
    assert_int_equal(failed, 0);
    assert_true(detect_engine_has_firewall(de));
    Packet p = { 0 };
    run_udp(de, &p, 53);
    assert_false(p.flags & PKT_F_DROP);
    assert_true(p.flags & PKT_F_FIREWALL);
    run_udp(de, &p, 69);
    assert_true(p.flags & PKT_F_DROP);
    assert_int_equal(p.drop_reason, PKT_DROP_FW_RULES);
    assert_int_equal(p.n_alerts, 1);
    assert_int_equal(detect_packet_alerts(&p)->alerts[0].action, DETECT_ACTION_DROP);
    assert_true(detect_packet_alerts(&p)->alerts[0].flags & PACKET_ALERT_F_FW);
    run_udp(de, &p, 123);  // accept:hook: the packet goes on, the alert is logged
    assert_false(p.flags & PKT_F_DROP);
    assert_int_equal(p.n_alerts, 1);
    run_udp(de, &p, 7);    // no rule: the default packet policy
    assert_true(p.flags & PKT_F_DROP);
    assert_false(p.flags & PKT_F_DROP_FLOW);
    assert_int_equal(p.drop_reason, PKT_DROP_FW_PACKET_POLICY);
    assert_int_equal(p.n_alerts, 0);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void fw_without_rules_drops_everything(void **state)
{
    (void)state;
    DetectEngine *de = fw_engine("", NULL);
    assert_non_null(de);
    Packet p = { 0 };
    run_udp(de, &p, 53);
    assert_true(p.flags & PKT_F_DROP);
    assert_int_equal(p.drop_reason, PKT_DROP_FW_PACKET_POLICY);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
    /* without firewall mode nothing is dropped */
    de = test_engine("alert udp any any -> any 9 (sid:1;)", NULL);
    assert_false(detect_engine_has_firewall(de));
    Packet q = { 0 };
    run_udp(de, &q, 53);
    assert_false(q.flags & (PKT_F_DROP | PKT_F_FIREWALL));
    detect_packet_alerts_free(&q);
    detect_engine_free(de);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fw_parses_actions_scopes_and_hooks),
        cmocka_unit_test(fw_sets_the_hook),
        cmocka_unit_test(fw_refuses_bad_headers),
        cmocka_unit_test(td_rules_take_scopes_but_not_accept),
        cmocka_unit_test(fw_packet_filter_verdicts),
        cmocka_unit_test(fw_without_rules_drops_everything),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
