/* Engine behaviour: grouping, ordering, actions, alert cap, header keywords,
 * flow state (flowbits across packets), thresholds, decode events. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "detect-test.h"
#include "util/util-json.h"

static const char payload[] = "hello world";

/* The packet's alerts after inspection; an empty list when none (the
 * engine reports "no alerts" as NULL). */
static const PacketAlerts *run_on(DetectEngine *de, DetectThread *dt, Packet *p)
{
    (void)de;
    static const PacketAlerts none;
    detect_packet(dt, p);
    const PacketAlerts *pa = detect_packet_alerts(p);
    return pa != NULL ? pa : &none;
}

static void port_group_excludes_other_ports(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert tcp any any -> any 80 (content:\"hello\"; sid:1;)", NULL);
    DetectThread *dt = detect_thread_new(de, NULL);
    Packet p = { 0 };
    test_tcp(&p, payload, sizeof(payload) - 1);
    assert_int_equal(run_on(de, dt, &p)->n, 1);
    uint64_t inspected = counters_get(dt->counters, dt->c_inspected);
    p.dp = 81;
    assert_int_equal(run_on(de, dt, &p)->n, 0);
    /* the rule was not even a candidate for port 81 */
    assert_int_equal(counters_get(dt->counters, dt->c_inspected), inspected);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
}

static void source_port_rules_are_found(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert tcp any 80 -> any any (content:\"hello\"; sid:1;)\n"
                                   "alert udp any any -> any 53 (sid:2;)", NULL);
    Packet p = { 0 };
    test_packet(&p, PKT_L4_TCP, "192.0.2.1", 80, "10.0.0.1", 40000, payload, 11);
    assert_int_equal(test_run(de, &p), 1);
    test_packet(&p, PKT_L4_TCP, "192.0.2.1", 81, "10.0.0.1", 40000, payload, 11);
    assert_int_equal(test_run(de, &p), 0);
    test_packet(&p, PKT_L4_UDP, "192.0.2.1", 5000, "10.0.0.1", 53, NULL, 0);
    assert_int_equal(test_run(de, &p), 1);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void bidirectional_rule_matches_both_ways(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert tcp 10.0.0.1 any <> 192.0.2.1 80 (sid:1; "
                                   "content:\"hello\";)", NULL);
    Packet p = { 0 };
    test_packet(&p, PKT_L4_TCP, "10.0.0.1", 40000, "192.0.2.1", 80, payload, 11);
    assert_int_equal(test_run(de, &p), 1);
    test_packet(&p, PKT_L4_TCP, "192.0.2.1", 80, "10.0.0.1", 40000, payload, 11);
    assert_int_equal(test_run(de, &p), 1);
    test_packet(&p, PKT_L4_TCP, "192.0.2.1", 81, "10.0.0.1", 40000, payload, 11);
    assert_int_equal(test_run(de, &p), 0);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void address_negation_and_vars(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert ip $HOME_NET any -> $EXTERNAL_NET any (sid:1;)\n"
                                   "alert ip [10.0.0.0/8,!10.0.0.1] any -> any any (sid:2;)\n",
                                   NULL);
    Packet p = { 0 };
    test_tcp(&p, payload, 11);  // 10.0.0.1 -> 192.0.2.1
    assert_int_equal(test_run(de, &p), 1);
    assert_int_equal(detect_packet_alerts(&p)->alerts[0].sid, 1);
    test_packet(&p, PKT_L4_TCP, "10.0.0.2", 1, "10.0.0.3", 2, NULL, 0);
    assert_int_equal(test_run(de, &p), 1);
    assert_int_equal(detect_packet_alerts(&p)->alerts[0].sid, 2);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void ipv6_addresses_match(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert tcp 2001:db8::/32 any -> any any (sid:1;)", NULL);
    Packet p = { 0 };
    test_packet(&p, PKT_L4_TCP, "2001:db8::5", 1, "2001:db9::1", 2, NULL, 0);
    assert_int_equal(test_run(de, &p), 1);
    test_packet(&p, PKT_L4_TCP, "2001:db9::5", 1, "2001:db8::1", 2, NULL, 0);
    assert_int_equal(test_run(de, &p), 0);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void alerts_follow_action_order_then_priority(void **state)
{
    (void)state;
    DetectEngine *de = test_engine(
        "alert tcp any any -> any any (content:\"hello\"; priority:3; sid:1;)\n"
        "alert tcp any any -> any any (content:\"hello\"; priority:1; sid:2;)\n"
        "drop tcp any any -> any any (content:\"hello\"; priority:3; sid:3;)\n"
        "reject tcp any any -> any any (content:\"hello\"; sid:4;)\n", NULL);
    Packet p = { 0 };
    test_tcp(&p, payload, 11);
    assert_int_equal(test_run(de, &p), 4);
    const PacketAlerts *pa = detect_packet_alerts(&p);
    assert_int_equal(pa->alerts[0].sid, 3);
    assert_int_equal(pa->alerts[1].sid, 4);
    assert_int_equal(pa->alerts[2].sid, 2);
    assert_int_equal(pa->alerts[3].sid, 1);
    assert_int_equal(pa->alerts[0].action, DETECT_ACTION_DROP);
    assert_true(p.flags & PKT_F_DROP);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

/* A pass on packet content (no stream, no app layer) passes that packet:
 * inspection stops, the flow is not passed. */
static void packet_pass_rule_stops_inspection_but_not_the_flow(void **state)
{
    (void)state;
    DetectEngine *de = test_engine(
        "alert tcp any any -> any any (content:\"hello\"; sid:1;)\n"
        "pass tcp any any -> any any (content:\"world\"; sid:2;)\n", NULL);
    Packet p = { 0 };
    Flow f;
    memset(&f, 0, sizeof(f));
    test_tcp(&p, payload, 11);
    p.flow = &f;
    assert_int_equal(test_run(de, &p), 0);
    assert_false(f.flags & FLOW_F_PASS);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

/* A pass rule on addresses and ports only decides for the flow; one checking
 * the flow's state (flow:established, flow:not_established) is a packet rule, as
 * in Suricata (a handshake `pass ... (flow:not_established;)` passes the
 * handshake's packets, not the flow). */
static void like_iponly_pass_rule_passes_the_flow(void **state)
{
    (void)state;
    DetectEngine *de = test_engine(
        "alert tcp any any -> any any (content:\"hello\"; sid:1;)\n"
        "pass tcp any any -> any 80 (sid:2;)\n", NULL);
    Packet p = { 0 };
    Flow f;
    memset(&f, 0, sizeof(f));
    test_tcp(&p, payload, 11);
    p.flow = &f;
    p.flow_state = FLOW_STATE_ESTABLISHED;
    assert_int_equal(test_run(de, &p), 0);
    assert_true(f.flags & FLOW_F_PASS);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
    de = test_engine("alert tcp any any -> any any (content:\"hello\"; sid:1;)\n"
                     "pass tcp any any -> any 80 (flow:established; sid:2;)\n", NULL);
    memset(&p, 0, sizeof(p));
    memset(&f, 0, sizeof(f));
    test_tcp(&p, payload, 11);
    p.flow = &f;
    p.flow_state = FLOW_STATE_ESTABLISHED;
    assert_int_equal(test_run(de, &p), 0);
    assert_true(p.flags & PKT_F_PASS);
    assert_false(f.flags & FLOW_F_PASS);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

/* A drop on packet content drops the packet only; one on addresses and
 * ports (or with a one-sided flow direction: a packet rule) as Suricata
 * scopes them. */
static void packet_drop_rule_drops_the_packet_not_the_flow(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("drop tcp any any -> any any (content:\"world\"; sid:1;)\n",
                                   NULL);
    Packet p = { 0 };
    Flow f;
    memset(&f, 0, sizeof(f));
    test_tcp(&p, payload, 11);
    p.flow = &f;
    assert_int_equal(test_run(de, &p), 1);
    assert_true(p.flags & PKT_F_DROP);
    assert_false(p.flags & PKT_F_DROP_FLOW);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void like_iponly_drop_rule_drops_the_flow(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("drop tcp any any -> any 80 (flowbits:set,x; sid:1;)\n"
                                   "drop tcp any any -> any 80 (flow:to_server; sid:2;)\n", NULL);
    Packet p = { 0 };
    Flow f;
    memset(&f, 0, sizeof(f));
    test_tcp(&p, payload, 11);
    p.flow = &f;
    p.flags |= PKT_F_TOSERVER;
    assert_int_equal(test_run(de, &p), 2);
    assert_true(p.flags & PKT_F_DROP_FLOW);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
    de = test_engine("drop tcp any any -> any 80 (flow:to_server; sid:2;)\n", NULL);
    memset(&p, 0, sizeof(p));
    test_tcp(&p, payload, 11);
    p.flow = &f;
    p.flags |= PKT_F_TOSERVER;
    assert_int_equal(test_run(de, &p), 1);
    assert_true(p.flags & PKT_F_DROP);
    assert_false(p.flags & PKT_F_DROP_FLOW);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void pass_rule_with_alert_keyword_logs_one_alert(void **state)
{
    (void)state;
    DetectEngine *de = test_engine(
        "alert tcp any any -> any any (content:\"hello\"; sid:1;)\n"
        "pass tcp any any -> any any (alert; content:\"world\"; sid:2;)\n"
        "pass tcp any any -> any any (content:\"nothere\"; alert; sid:3;)\n", NULL);
    Packet p = { 0 };
    test_tcp(&p, payload, 11);
    assert_int_equal(test_run(de, &p), 1);
    const PacketAlerts *pa = detect_packet_alerts(&p);
    assert_int_equal(pa->alerts[0].sid, 2);
    assert_int_equal(pa->alerts[0].action, DETECT_ACTION_PASS);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void alerts_capped_at_fifteen(void **state)
{
    (void)state;
    char rules[4096] = "";
    for (int i = 1; i <= 20; i++) {
        char r[128];
        snprintf(r, sizeof(r), "alert tcp any any -> any any (content:\"hello\"; sid:%d;)\n", i);
        strcat(rules, r);
    }
    DetectEngine *de = test_engine(rules, NULL);
    Packet p = { 0 };
    test_tcp(&p, payload, 11);
    assert_int_equal(test_run(de, &p), 15);
    assert_int_equal(detect_packet_alerts(&p)->n_discarded, 5);
    assert_int_equal(detect_packet_alerts(&p)->alerts[0].sid, 1);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void alert_carries_class_and_message(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert tcp any any -> any any (msg:\"m1\"; "
                                   "classtype:trojan-activity; rev:3; sid:77;)", NULL);
    Packet p = { 0 };
    test_tcp(&p, payload, 11);
    assert_int_equal(test_run(de, &p), 1);
    const PacketAlert *a = &detect_packet_alerts(&p)->alerts[0];
    assert_string_equal(a->msg, "m1");
    assert_string_equal(a->class_msg, "A Network Trojan was detected");
    assert_int_equal(a->priority, 1);
    assert_int_equal(a->rev, 3);
    assert_int_equal(a->gid, 1);
    assert_non_null(a->sig);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void flow_keyword_direction_and_state(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert tcp any any -> any any (flow:established,to_server; "
                                   "sid:1;)\nalert tcp any any -> any any (flow:only_stream; "
                                   "sid:2;)\nalert tcp any any -> any any (flow:no_stream,"
                                   "to_client; sid:3;)", NULL);
    Packet p = { 0 };
    Flow f;
    memset(&f, 0, sizeof(f));
    test_tcp(&p, payload, 11);
    assert_int_equal(test_run(de, &p), 0);  // no flow: established can't hold
    p.flow = &f;
    p.flags |= PKT_F_TOSERVER;
    f.state = FLOW_STATE_NEW;
    p.flow_state = f.state;
    assert_int_equal(test_run(de, &p), 0);
    f.state = FLOW_STATE_ESTABLISHED;
    p.flow_state = f.state;
    assert_int_equal(test_run(de, &p), 1);
    p.flags = PKT_F_TOCLIENT;
    assert_int_equal(test_run(de, &p), 1);
    assert_int_equal(detect_packet_alerts(&p)->alerts[0].sid, 3);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void flowbits_set_then_isset_on_next_packet(void **state)
{
    (void)state;
    detect_set_flow_storage_id(0);
    DetectEngine *de = test_engine(
        "alert tcp any any -> any any (content:\"login\"; flowbits:set,auth; "
        "flowbits:noalert; sid:1;)\n"
        "alert tcp any any -> any any (content:\"cmd\"; flowbits:isset,auth; sid:2;)\n"
        "alert tcp any any -> any any (content:\"cmd\"; flowbits:isnotset,auth; sid:3;)\n", NULL);
    DetectThread *dt = detect_thread_new(de, NULL);
    Flow f;
    memset(&f, 0, sizeof(f));
    Packet p = { 0 };
    test_tcp(&p, "cmd", 3);
    p.flow = &f;
    assert_int_equal(run_on(de, dt, &p)->n, 1);
    assert_int_equal(detect_packet_alerts(&p)->alerts[0].sid, 3);
    test_tcp(&p, "login", 5);
    p.flow = &f;
    assert_int_equal(run_on(de, dt, &p)->n, 0);  // noalert
    test_tcp(&p, "cmd", 3);
    p.flow = &f;
    assert_int_equal(run_on(de, dt, &p)->n, 1);
    assert_int_equal(detect_packet_alerts(&p)->alerts[0].sid, 2);
    detect_flow_storage_free(f.storage[0]);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
}

/* EVE metadata: the flowbits set (name-index order) and flowints of a flow. */
static void flow_vars_json_lists_what_is_set(void **state)
{
    (void)state;
    detect_set_flow_storage_id(0);
    DetectEngine *de = test_engine(
        "alert tcp any any -> any any (content:\"a\"; flowbits:set,first; flowbits:noalert; "
        "sid:1;)\n"
        "alert tcp any any -> any any (content:\"b\"; flowbits:set,second; flowint:n,=,7; "
        "flowbits:noalert; sid:2;)\n"
        "alert tcp any any -> any any (content:\"c\"; flowbits:unset,first; flowint:n,+,2; "
        "flowbits:noalert; sid:3;)\n", NULL);
    assert_non_null(de);
    assert_true(detect_engine_has_flow_vars(de));
    DetectThread *dt = detect_thread_new(de, NULL);
    Flow f;
    memset(&f, 0, sizeof(f));
    Packet p = { 0 };
    JsonBuf jb;
    assert_int_equal(json_buf_init(&jb, 256), 0);
    const char *seq[] = { "x", "a", "b", "c" };
    const char *want[] = {
        "{}",
        "{\"metadata\":{\"flowbits\":[\"first\"]}}",
        "{\"metadata\":{\"flowbits\":[\"first\",\"second\"],\"flowints\":{\"n\":7}}}",
        "{\"metadata\":{\"flowbits\":[\"second\"],\"flowints\":{\"n\":9}}}",
    };
    for (int i = 0; i < 4; i++) {
        test_tcp(&p, seq[i], 1);
        p.flow = &f;
        (void)run_on(de, dt, &p);
        json_buf_reset(&jb);
        json_open_object(&jb, NULL);
        detect_flow_vars_json(de, &f, &jb);
        json_close_object(&jb);
        assert_string_equal(jb.buf, want[i]);
    }
    json_buf_deinit(&jb);
    detect_flow_storage_free(f.storage[0]);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
    de = test_engine("alert tcp any any -> any any (content:\"a\"; sid:1;)\n", NULL);
    assert_false(detect_engine_has_flow_vars(de));
    detect_engine_free(de);
}

/* pcre captures stored in variables only when the whole rule matches. */
static void pcre_captures_become_variables(void **state)
{
    (void)state;
    detect_set_flow_storage_id(0);
    int failed = -1;
    DetectEngine *de = test_engine(
        "alert tcp any any -> any any (content:\"ua=\"; "
        "pcre:\"/ua=([a-z]+) v=(\\d+)/, flow:agent, pkt:ver\"; sid:1;)\n"
        "alert tcp any any -> any any (pcre:\"/(?P<alert_who>[a-z]+) v=/\"; sid:2;)\n"
        "alert tcp any any -> any any (pcre:\"/ua=([a-z]+)/, flow:never\"; "
        "content:\"nothere\"; sid:3;)\n", &failed);
    assert_non_null(de);
    assert_int_equal(failed, 0);
    assert_true(detect_engine_has_flow_vars(de));
    DetectThread *dt = detect_thread_new(de, NULL);
    Flow f;
    memset(&f, 0, sizeof(f));
    Packet p = { 0 };
    test_tcp(&p, "ua=firefox v=42", 15);
    p.flow = &f;
    assert_int_equal(run_on(de, dt, &p)->n, 2);
    JsonBuf jb;
    assert_int_equal(json_buf_init(&jb, 256), 0);
    json_open_object(&jb, NULL);
    detect_vars_json(de, &p, &f, &jb);
    json_close_object(&jb);
    assert_string_equal(jb.buf, "{\"metadata\":{\"flowvars\":[{\"agent\":\"firefox\"}],"
                                "\"pktvars\":[{\"ver\":\"42\"}]}}");
    const PacketAlerts *pa = detect_packet_alerts(&p);
    for (uint16_t i = 0; i < pa->n; i++) {
        json_buf_reset(&jb);
        json_open_object(&jb, NULL);
        detect_alert_context_json(&p, &pa->alerts[i], &jb);
        json_close_object(&jb);
        assert_string_equal(jb.buf, pa->alerts[i].sid == 2 ? "{\"context\":{\"who\":\"firefox\"}}"
                                                           : "{}");
    }
    /* the next packet of the flow: its own packet variables, the flow's stay */
    test_tcp(&p, "ua=lynx v=7", 11);
    p.flow = &f;
    assert_int_equal(run_on(de, dt, &p)->n, 2);
    json_buf_reset(&jb);
    json_open_object(&jb, NULL);
    detect_vars_json(de, &p, &f, &jb);
    json_close_object(&jb);
    assert_string_equal(jb.buf, "{\"metadata\":{\"flowvars\":[{\"agent\":\"lynx\"}],"
                                "\"pktvars\":[{\"ver\":\"7\"}]}}");
    json_buf_deinit(&jb);
    detect_flow_storage_free(f.storage[0]);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
}

static void pcre_variable_specs_checked(void **state)
{
    (void)state;
    char err[256];
    assert_int_equal(test_parse("alert tcp any any -> any any (pcre:\"/a(b)/i, flow:x\"; sid:1;)",
                                err, sizeof(err)), 0);
    assert_int_not_equal(test_parse("alert tcp any any -> any any (pcre:\"/a(b)/, foo:x\"; "
                                    "sid:1;)", err, sizeof(err)), 0);
    assert_int_not_equal(test_parse("alert tcp any any -> any any (pcre:\"/a(b)/, flow:x, "
                                    "flow:y\"; sid:1;)", err, sizeof(err)), 0);
    assert_int_not_equal(test_parse("alert tcp any any -> any any (pcre:\"/a(b)/x y\"; sid:1;)",
                                    err, sizeof(err)), 0);
}

/* Rule text is kept only on request (EVE alert.rule). */
static void rule_text_kept_only_when_asked(void **state)
{
    (void)state;
    const char *rule = "alert tcp any any -> any any (msg:\"t\"; content:\"hello\"; sid:1;)";
    for (int keep = 0; keep < 2; keep++) {
        DetectEngine *de = detect_engine_new_empty();
        assert_non_null(de);
        de->keep_rule_text = keep != 0;
        assert_int_equal(detect_engine_load_string(de, rule, "t.rules"), 0);
        assert_int_equal(detect_engine_build(de), 0);
        Packet p = { 0 };
        test_tcp(&p, payload, sizeof(payload) - 1);
        assert_int_equal(test_run(de, &p), 1);
        const char *text = detect_sig_text(detect_packet_alerts(&p)->alerts[0].sig);
        if (keep) {
            assert_non_null(text);
            assert_string_equal(text, rule);
        } else {
            assert_null(text);
        }
        detect_packet_alerts_free(&p);
        detect_engine_free(de);
    }
}

static void flowbits_or_and_toggle(void **state)
{
    (void)state;
    detect_set_flow_storage_id(0);
    DetectEngine *de = test_engine(
        "alert tcp any any -> any any (content:\"a\"; flowbits:set,x&y; flowbits:noalert; "
        "sid:1;)\n"
        "alert tcp any any -> any any (content:\"b\"; flowbits:isset,x&y; sid:2;)\n"
        "alert tcp any any -> any any (content:\"c\"; flowbits:toggle,x; flowbits:noalert; "
        "sid:3;)\n"
        "alert tcp any any -> any any (content:\"d\"; flowbits:isset,x|y; sid:4;)\n", NULL);
    DetectThread *dt = detect_thread_new(de, NULL);
    Flow f;
    memset(&f, 0, sizeof(f));
    Packet p = { 0 };
    const char *seq[] = { "a", "b", "c", "b", "d" };
    int want[] = { 0, 1, 0, 0, 1 };
    for (int i = 0; i < 5; i++) {
        test_tcp(&p, seq[i], 1);
        p.flow = &f;
        assert_int_equal(run_on(de, dt, &p)->n, want[i]);
    }
    detect_flow_storage_free(f.storage[0]);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
}

static void flowint_counts_across_packets(void **state)
{
    (void)state;
    detect_set_flow_storage_id(0);
    DetectEngine *de = test_engine(
        "alert tcp any any -> any any (content:\"x\"; flowint:n,+,1; noalert; sid:1;)\n"
        "alert tcp any any -> any any (content:\"x\"; flowint:n,>=,2; sid:2;)\n", NULL);
    DetectThread *dt = detect_thread_new(de, NULL);
    Flow f;
    memset(&f, 0, sizeof(f));
    Packet p = { 0 };
    int want[] = { 0, 1, 1 };
    for (int i = 0; i < 3; i++) {
        test_tcp(&p, "x", 1);
        p.flow = &f;
        assert_int_equal(run_on(de, dt, &p)->n, want[i]);
    }
    detect_flow_storage_free(f.storage[0]);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
}

static int count_alerts(const char *rules, const char *tcfg, int n_packets, int64_t step_s)
{
    DetectEngine *de = detect_engine_new_empty();
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(detect_engine_load_string(de, rules, "t"), 0);
    if (tcfg != NULL) {
        assert_true(detect_engine_load_threshold_string(de, tcfg, "threshold.config") >= 0);
    }
    assert_int_equal(detect_engine_build(de), 0);
    DetectThread *dt = detect_thread_new(de, NULL);
    int total = 0;
    Packet p = { 0 };
    for (int i = 0; i < n_packets; i++) {
        test_tcp(&p, payload, 11);
        p.ts_sec = 1000 + i * step_s;
        detect_packet(dt, &p);
        const PacketAlerts *pa = detect_packet_alerts(&p);
        total += pa != NULL ? pa->n : 0;
        detect_packet_alerts_free(&p);
    }
    detect_thread_free(dt);
    detect_engine_free(de);
    return total;
}

#define THR(opt) "alert tcp any any -> any any (content:\"hello\"; " opt " sid:1;)"

static void threshold_types(void **state)
{
    (void)state;
    assert_int_equal(count_alerts(THR("threshold:type limit, track by_src, count 2, seconds 60;"),
                                  NULL, 10, 1), 2);
    assert_int_equal(count_alerts(THR("threshold:type threshold, track by_src, count 3, "
                                      "seconds 60;"), NULL, 10, 1), 3);
    assert_int_equal(count_alerts(THR("threshold:type both, track by_dst, count 3, "
                                      "seconds 60;"), NULL, 10, 1), 1);
    assert_int_equal(count_alerts(THR("detection_filter:track by_src, count 3, seconds 60;"),
                                  NULL, 10, 1), 7);
    /* a new window after the period */
    assert_int_equal(count_alerts(THR("threshold:type limit, track by_rule, count 1, "
                                      "seconds 5;"), NULL, 10, 3), 5);
}

/* n_packets alternating over n_flows flows and n_ports destination ports. */
static int count_alerts_spread(const char *rules, int n_packets, int n_flows, int n_ports)
{
    DetectEngine *de = detect_engine_new_empty();
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(detect_engine_load_string(de, rules, "t"), 0);
    assert_int_equal(detect_engine_build(de), 0);
    DetectThread *dt = detect_thread_new(de, NULL);
    Flow flows[4];
    memset(flows, 0, sizeof(flows));
    int total = 0;
    Packet p = { 0 };
    for (int i = 0; i < n_packets; i++) {
        test_tcp(&p, payload, 11);
        p.ts_sec = 1000;
        flows[i % n_flows].flow_id = 100 + (uint64_t)(i % n_flows);
        p.flow = &flows[i % n_flows];
        p.dp = (uint16_t)(80 + i % n_ports);
        detect_packet(dt, &p);
        const PacketAlerts *pa = detect_packet_alerts(&p);
        total += pa != NULL ? pa->n : 0;
        detect_packet_alerts_free(&p);
    }
    detect_thread_free(dt);
    detect_engine_free(de);
    return total;
}

static void threshold_by_flow_counts_each_flow(void **state)
{
    (void)state;
    const char *r = THR("threshold:type limit, track by_flow, count 1, seconds 3600;");
    assert_int_equal(count_alerts_spread(r, 6, 1, 1), 1);
    assert_int_equal(count_alerts_spread(r, 6, 3, 1), 3);
}

static void threshold_backoff_multiplies_the_count(void **state)
{
    (void)state;
    /* alerts on matches 3, 6, 12 of 20 */
    assert_int_equal(count_alerts_spread(THR("threshold:type backoff, track by_flow, count 3, "
                                             "multiplier 2;"), 20, 1, 1), 3);
    assert_int_equal(count_alerts_spread(THR("threshold:type backoff, track by_flow, count 1, "
                                             "multiplier 2;"), 20, 1, 1), 5);
    char err[DETECT_ERR_MAX];
    assert_int_not_equal(test_parse(THR("threshold:type backoff, track by_flow, count 1;"), err,
                                    sizeof(err)), 0);
    assert_int_not_equal(test_parse(THR("threshold:type backoff, track by_flow, count 1, "
                                        "multiplier 2, seconds 5;"), err, sizeof(err)), 0);
}

static void detection_filter_unique_on_counts_distinct_ports(void **state)
{
    (void)state;
    const char *r = THR("detection_filter:track by_dst, count 2, seconds 60, unique_on dst_port;");
    /* 10 packets over 2 ports: never more than 2 distinct */
    assert_int_equal(count_alerts_spread(r, 10, 1, 2), 0);
    /* over 3 ports: the third distinct port and every match after it */
    assert_int_equal(count_alerts_spread(r, 10, 1, 3), 8);
    char err[DETECT_ERR_MAX];
    assert_int_not_equal(test_parse(THR("threshold:type limit, track by_src, count 1, "
                                        "seconds 5, unique_on dst_port;"), err, sizeof(err)), 0);
    assert_int_not_equal(test_parse(THR("detection_filter:track by_src, count 1, seconds 5, "
                                        "unique_on proto;"), err, sizeof(err)), 0);
}

/* Runs packets {src, dst, ts} through one engine; returns alerts per packet as
 * a bitmask of sid 2's matches (bit i = packet i alerted with sid 2). */
typedef struct HbPkt {
    const char *src;
    const char *dst;
    int64_t ts;
} HbPkt;

static unsigned hostbits_run(const char *rules, const HbPkt *pk, int n)
{
    DetectEngine *de = detect_engine_new_empty();
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(detect_engine_load_string(de, rules, "t"), 0);
    assert_int_equal(de->failed, 0);
    assert_int_equal(detect_engine_build(de), 0);
    DetectThread *dt = detect_thread_new(de, NULL);
    unsigned mask = 0;
    Packet p = { 0 };
    for (int i = 0; i < n; i++) {
        test_packet(&p, PKT_L4_TCP, pk[i].src, 1000, pk[i].dst, 80, payload, 11);
        p.ts_sec = pk[i].ts;
        detect_packet(dt, &p);
        const PacketAlerts *pa = detect_packet_alerts(&p);
        for (uint16_t j = 0; pa != NULL && j < pa->n; j++) {
            mask |= pa->alerts[j].sid == 2 ? 1u << i : 0;
        }
    }
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
    return mask;
}

static void hostbits_follow_the_host_until_expiry(void **state)
{
    (void)state;
    const char *rules =
        "alert tcp any any -> any any (content:\"hello\"; hostbits:set,seen,src,expire 10; "
        "noalert; sid:1;)\n"
        "alert tcp any any -> any any (hostbits:isset,seen,dst; sid:2;)\n";
    /* 10.0.0.1 is marked, then seen as destination; 10.0.0.9 never was */
    static const HbPkt pk[] = {
        { "10.0.0.1", "192.0.2.1", 100 }, { "192.0.2.1", "10.0.0.1", 105 },
        { "192.0.2.1", "10.0.0.9", 105 }, { "192.0.2.7", "10.0.0.1", 111 },
    };
    /* packet 1 alerts; packets 0 and 3 re-set the bit for their own source only,
     * and by packet 3 (t=111) the mark from t=100/105 has expired for 10.0.0.1 */
    assert_int_equal(hostbits_run(rules, pk, 4), 1u << 1);
}

static void xbits_pair_is_unordered(void **state)
{
    (void)state;
    const char *rules =
        "alert tcp any any -> any any (content:\"hello\"; xbits:set,p,track ip_pair; noalert; "
        "sid:1;)\n"
        "alert tcp any any -> any any (xbits:isset,p,track ip_pair,expire 60; sid:2;)\n";
    static const HbPkt pk[] = {
        { "10.0.0.1", "192.0.2.1", 100 }, { "192.0.2.1", "10.0.0.1", 101 },
        { "10.0.0.2", "192.0.2.1", 102 },
    };
    /* setters run before readers: packet 0 already sees its own pair marked */
    assert_int_equal(hostbits_run(rules, pk, 3) & 3u, 3u);
    char err[DETECT_ERR_MAX];
    assert_int_not_equal(test_parse("alert ip any any -> any any (xbits:set,p; sid:1;)", err,
                                    sizeof(err)), 0);
    assert_int_not_equal(test_parse("alert ip any any -> any any (hostbits:frob,p; sid:1;)",
                                    err, sizeof(err)), 0);
    assert_int_not_equal(test_parse("alert ip any any -> any any (hostbits:set,p,left; "
                                    "sid:1;)", err, sizeof(err)), 0);
}

static void threshold_config_directives(void **state)
{
    (void)state;
    assert_int_equal(count_alerts(THR(""), "suppress gen_id 1, sig_id 1\n", 5, 1), 0);
    assert_int_equal(count_alerts(THR(""), "suppress gen_id 1, sig_id 1, track by_src, "
                                           "ip 10.0.0.0/8\n", 5, 1), 0);
    assert_int_equal(count_alerts(THR(""), "suppress gen_id 1, sig_id 1, track by_dst, "
                                           "ip 10.0.0.0/8\n", 5, 1), 5);
    assert_int_equal(count_alerts(THR(""), "event_filter gen_id 1, sig_id 1, type limit, "
                                           "track by_src, count 1, seconds 60\n", 5, 1), 1);
    /* config overrides the rule's own threshold */
    assert_int_equal(count_alerts(THR("threshold:type limit, track by_src, count 4, seconds 60;"),
                                  "threshold gen_id 1, sig_id 1, type limit, track by_src, "
                                  "count 2, seconds 60\n", 10, 1), 2);
    assert_int_equal(count_alerts(THR(""), "garbage line\n", 2, 1), 2);
}

static void rate_filter_changes_action(void **state)
{
    (void)state;
    DetectEngine *de = detect_engine_new_empty();
    assert_int_equal(detect_engine_load_string(de, THR(""), "t"), 0);
    assert_int_equal(detect_engine_load_threshold_string(de, "rate_filter gen_id 1, sig_id 1, "
        "track by_src, count 2, seconds 60, new_action drop, timeout 30\n", "t"), 0);
    assert_int_equal(detect_engine_build(de), 0);
    DetectThread *dt = detect_thread_new(de, NULL);
    Packet p = { 0 };
    uint8_t actions[4];
    for (int i = 0; i < 4; i++) {
        test_tcp(&p, payload, 11);
        p.ts_sec = 1000 + i;
        detect_packet(dt, &p);
        actions[i] = detect_packet_alerts(&p)->alerts[0].action;
    }
    assert_int_equal(actions[0], DETECT_ACTION_ALERT);
    assert_int_equal(actions[1], DETECT_ACTION_ALERT);
    assert_int_equal(actions[2], DETECT_ACTION_DROP);
    assert_int_equal(actions[3], DETECT_ACTION_DROP);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
}

static void header_keywords_match_fields(void **state)
{
    (void)state;
    DetectEngine *de = test_engine(
        "alert tcp any any -> any any (ttl:<10; sid:1;)\n"
        "alert tcp any any -> any any (flags:S,CE; sid:2;)\n"
        "alert tcp any any -> any any (flags:+A; window:!0; seq:5; ack:6; sid:3;)\n"
        "alert icmp any any -> any any (itype:8; icode:0; icmp_id:7; icmp_seq:1; sid:4;)\n"
        "alert ip any any -> any any (id:99; tos:16; fragbits:D; ip_proto:tcp; sid:5;)\n"
        "alert ip any any -> any any (sameip; sid:6;)\n"
        "alert ip any any -> any any (ipopts:rr; sid:7;)\n"
        "alert ip any any -> any any (fragoffset:>0; sid:8;)\n", NULL);
    Packet p = { 0 };
    test_tcp(&p, NULL, 0);
    p.ip4.ttl = 5;
    p.tcp.flags = TH_SYN | TH_ECN;
    assert_int_equal(test_run(de, &p), 2);
    test_tcp(&p, NULL, 0);
    p.tcp.flags = TH_ACK | TH_PUSH;
    p.tcp.win = 100;
    p.tcp.seq = 5;
    p.tcp.ack = 6;
    p.ip4.id = 99;
    p.ip4.tos = 16;
    p.ip4.frag_field = 0x4000;
    p.ip4.opts = IPV4_OPT_RR;
    assert_int_equal(test_run(de, &p), 3);
    test_packet(&p, PKT_L4_ICMPV4, "10.0.0.1", 0, "10.0.0.1", 0, NULL, 0);
    p.icmp = (IcmpVars){ .type = 8, .code = 0, .id = 7, .seq = 1, .has_id = true };
    p.ip4.frag_field = 10;
    assert_int_equal(test_run(de, &p), 3);  // 4, 6 and 8
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void decode_event_rule_matches_raised_event(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert pkthdr any any -> any any (msg:\"SURICATA IPv4 "
                                   "truncated packet\"; decode-event:ipv4.trunc_pkt; "
                                   "sid:2200003; rev:2;)", NULL);
    assert_int_equal(de->loaded, 1);
    Packet p = { 0 };
    test_tcp(&p, NULL, 0);
    assert_int_equal(test_run(de, &p), 0);
    p.events[0] = (uint16_t)decode_event_by_name("ipv4.trunc_pkt");
    p.n_events = 1;
    assert_int_equal(test_run(de, &p), 1);
    p.l3 = PKT_L3_NONE;  // a packet that never got an IP layer
    p.l4 = PKT_L4_NONE;
    p.events[0] = (uint16_t)decode_event_by_name("ipv4.trunc_pkt");
    p.n_events = 1;
    assert_int_equal(test_run(de, &p), 1);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void stream_event_rule_matches_raised_stream_event(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert tcp any any -> any any (msg:\"bad ts\"; "
                                   "stream-event:pkt_invalid_timestamp; sid:2210044;)", NULL);
    assert_int_equal(de->loaded, 1);
    Packet p = { 0 };
    test_tcp(&p, NULL, 0);
    p.events[0] = (uint16_t)decode_event_by_name("stream.pkt_invalid_ack");
    p.n_events = 1;
    assert_int_equal(test_run(de, &p), 0);
    p.events[0] = (uint16_t)decode_event_by_name("stream.pkt_invalid_timestamp");
    assert_int_equal(test_run(de, &p), 1);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

static void stream_event_refuses_unknown_and_decoder_names(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert tcp any any -> any any (stream-event:no_such; sid:1;)\n"
                                   "alert tcp any any -> any any (stream-event:ipv4.trunc_pkt; "
                                   "sid:2;)\n"
                                   "alert tcp any any -> any any (stream-event:; sid:3;)", NULL);
    assert_int_equal(de->loaded, 0);
    detect_engine_free(de);
}

static void shipped_stream_event_rules_all_load(void **state)
{
    (void)state;
    const char *src = getenv("VG_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/etc/rules/stream-events.rules", src ? src : ".");
    DetectEngine *de = detect_engine_new_empty();
    assert_int_equal(detect_engine_load_classification_string(de, test_classes, "t"), 0);
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(detect_engine_load_file(de, path), 0);
    assert_true(de->loaded > 40);
    detect_engine_free(de);
}

static void shipped_decoder_event_rules_all_load(void **state)
{
    (void)state;
    const char *src = getenv("VG_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/etc/rules/decoder-events.rules", src ? src : ".");
    DetectEngine *de = detect_engine_new_empty();
    assert_int_equal(detect_engine_load_classification_string(de, test_classes, "t"), 0);
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(detect_engine_load_file(de, path), 0);
    assert_true(de->loaded > 50);
    detect_engine_free(de);
}

typedef struct BadLines {
    int lines[8];
    int n;
} BadLines;

static void record_bad_line(void *ctx, const char *file, int line, uint32_t sid, const char *why)
{
    (void)file;
    (void)sid;
    (void)why;
    BadLines *b = ctx;
    if (b->n < 8) {
        b->lines[b->n++] = line;
    }
}

static void load_buffer_refuses_a_nul_line_and_reads_on(void **state)
{
    (void)state;
    static const char rules[] = "alert ip any any -> any any (msg:\"a\"; sid:1;)\n"
                                "alert ip any any -> any any (msg:\"b\0\"; sid:2;)\n"
                                "alert ip any any -> any any (msg:\"c\"; sid:3;)\n";
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    BadLines bad = { .n = 0 };
    de->on_bad_rule = record_bad_line;
    de->on_bad_rule_ctx = &bad;
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(detect_engine_load_buffer(de, rules, sizeof(rules) - 1, "t.rules"), 1);
    assert_int_equal(de->loaded, 2);
    assert_int_equal(de->failed, 1);
    assert_int_equal(bad.n, 1);
    assert_int_equal(bad.lines[0], 2);
    detect_engine_free(de);
}

static void load_buffer_names_the_binary_continuation_line(void **state)
{
    (void)state;
    static const char rules[] = "alert ip any any -> any any \\\n"
                                "  (msg:\"\x01\"; sid:1;)\n"
                                "alert ip any any -> any any (msg:\"c\"; sid:3;)";
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    BadLines bad = { .n = 0 };
    de->on_bad_rule = record_bad_line;
    de->on_bad_rule_ctx = &bad;
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(detect_engine_load_buffer(de, rules, sizeof(rules) - 1, "t.rules"), 1);
    assert_int_equal(de->loaded, 1);
    assert_int_equal(bad.lines[0], 2);
    detect_engine_free(de);
}

static void unsupported_rules_are_counted_by_reason(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert imap any any -> any any (msg:\"a\"; sid:1;)\n"
                                   "alert imap any any -> any any (msg:\"b\"; sid:2;)\n"
                                   "alert tcp any any -> any any (frobnicate; sid:3;)\n"
                                   "alert tcp any any -> any any (msg:\"x\" sid:4;)\n"
                                   "alert tcp any any -> any any (msg:\"ok\"; sid:5;)", NULL);
    assert_int_equal(de->loaded, 1);
    assert_int_equal(de->failed, 4);
    assert_int_equal(de->unsupported, 3);
    assert_int_equal(de->n_refusals, 2);
    assert_string_equal(de->refusals[0].reason, "unsupported protocol 'imap'");
    assert_int_equal(de->refusals[0].count, 2);
    assert_string_equal(de->refusals[1].reason, "unsupported keyword 'frobnicate'");
    assert_int_equal(de->refusals[1].count, 1);
    detect_engine_free(de);
}

static void classification_and_threshold_skip_binary_lines(void **state)
{
    (void)state;
    static const char cls[] = "config classification: a,A,1\n"
                              "config classification: b\0,B,2\n"
                              "config classification: c,C,3\n";
    static const char thr[] = "suppress gen_id 1, sig_id 1\0\n"
                              "suppress gen_id 1, sig_id 2\n";
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(detect_engine_load_classification_buffer(de, cls, sizeof(cls) - 1, "c"), 1);
    assert_int_equal(de->n_classes, 2);
    assert_int_equal(detect_engine_load_threshold_buffer(de, thr, sizeof(thr) - 1, "t"), 1);
    assert_int_equal(de->n_tcfg, 1);
    assert_int_equal(de->tcfg[0].sid, 2);
    detect_engine_free(de);
}

static void reference_config_gives_url_prefixes(void **state)
{
    (void)state;
    static const char ref[] = "# comment\n"
                              "config reference: cve   http://cve.example/?name=\n"
                              "config reference: nourl\n"
                              "config reference: b\0 http://y/\n"
                              "config reference: cve https://cve.example/\r\n";
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    util_log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(detect_engine_load_reference_buffer(de, ref, sizeof(ref) - 1, "r"), 2);
    assert_int_equal(de->n_refsys, 1);
    assert_string_equal(de->refsys[0].name, "cve");
    assert_string_equal(de->refsys[0].url, "https://cve.example/");
    detect_engine_free(de);
}

static void thread_requires_built_engine(void **state)
{
    (void)state;
    DetectEngine *de = detect_engine_new_empty();
    assert_null(detect_thread_new(de, NULL));
    assert_int_equal(detect_engine_build(de), 0);
    assert_int_not_equal(detect_engine_load_string(de, "alert ip any any -> any any (sid:1;)",
                                                   "t"), 0);
    DetectThread *dt = detect_thread_new(de, NULL);
    assert_non_null(dt);
    detect_thread_free(dt);
    detect_engine_free(de);
}

static void print_keywords_lists_content(void **state)
{
    (void)state;
    char buf[16384];
    FILE *f = fmemopen(buf, sizeof(buf), "w");
    detect_print_keywords(f);
    fclose(f);
    assert_non_null(strstr(buf, "content"));
    assert_non_null(strstr(buf, "byte_math"));
}

/* Rule 1 sits in the port 80 and port 443 groups: counted once. */
static void rules_without_fast_pattern_are_counted_once(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert tcp any any -> any [80,443] (ttl:10; sid:1;)\n"
                                   "alert tcp any any -> any 443 (ttl:11; sid:2;)\n"
                                   "alert tcp any any -> any 80 (content:\"x\"; sid:3;)",
                                   NULL);
    assert_non_null(de);
    assert_true(de->n_groups >= 2);
    assert_int_equal(de->n_nofp_total, 2);
    detect_engine_free(de);
}

/* A rule with ip_proto:N is a candidate on packets of protocol N only (its groups);
 * negations and ranges keep it in every group of its header's protocols. */
static void ip_proto_rules_are_grouped_by_their_protocol(void **state)
{
    (void)state;
    DetectEngine *de = test_engine(
        "alert ip any any -> any any (ip_proto:41; sid:1;)\n"
        "alert ip any any -> any any (ip_proto:!41; sid:2;)\n"
        "alert ip any any -> any any (ip_proto:tcp; sid:3;)\n"
        "alert ip any any -> any any (ip_proto:<50; sid:4;)\n", NULL);
    assert_non_null(de);
    DetectThread *dt = detect_thread_new(de, NULL);
    assert_non_null(dt);
    Packet p = { 0 };
    test_tcp(&p, NULL, 0);
    detect_collect(dt, &p);
    uint32_t seen = 0;
    for (uint32_t i = 0; i < dt->n_cand; i++) {
        seen |= 1u << de->sigs[dt->cand[i]]->sid;
    }
    assert_int_equal(seen, (1u << 2) | (1u << 3) | (1u << 4));
    detect_packet(dt, &p);
    assert_int_equal(p.n_alerts, 3);
    test_packet(&p, PKT_L4_OTHER, "10.0.0.1", 0, "192.0.2.1", 0, NULL, 0);
    p.proto = 41;
    detect_collect(dt, &p);
    seen = 0;
    for (uint32_t i = 0; i < dt->n_cand; i++) {
        seen |= 1u << de->sigs[dt->cand[i]]->sid;
    }
    assert_int_equal(seen, (1u << 1) | (1u << 2) | (1u << 4));  // 2 fails its check
    detect_packet(dt, &p);
    assert_int_equal(p.n_alerts, 2);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(port_group_excludes_other_ports),
        cmocka_unit_test(rules_without_fast_pattern_are_counted_once),
        cmocka_unit_test(source_port_rules_are_found),
        cmocka_unit_test(bidirectional_rule_matches_both_ways),
        cmocka_unit_test(address_negation_and_vars),
        cmocka_unit_test(ipv6_addresses_match),
        cmocka_unit_test(alerts_follow_action_order_then_priority),
        cmocka_unit_test(packet_pass_rule_stops_inspection_but_not_the_flow),
        cmocka_unit_test(like_iponly_pass_rule_passes_the_flow),
        cmocka_unit_test(packet_drop_rule_drops_the_packet_not_the_flow),
        cmocka_unit_test(like_iponly_drop_rule_drops_the_flow),
        cmocka_unit_test(pass_rule_with_alert_keyword_logs_one_alert),
        cmocka_unit_test(alerts_capped_at_fifteen),
        cmocka_unit_test(alert_carries_class_and_message),
        cmocka_unit_test(flow_keyword_direction_and_state),
        cmocka_unit_test(flowbits_set_then_isset_on_next_packet),
        cmocka_unit_test(flowbits_or_and_toggle),
        cmocka_unit_test(flowint_counts_across_packets),
        cmocka_unit_test(threshold_types),
        cmocka_unit_test(threshold_config_directives),
        cmocka_unit_test(threshold_by_flow_counts_each_flow),
        cmocka_unit_test(threshold_backoff_multiplies_the_count),
        cmocka_unit_test(detection_filter_unique_on_counts_distinct_ports),
        cmocka_unit_test(hostbits_follow_the_host_until_expiry),
        cmocka_unit_test(xbits_pair_is_unordered),
        cmocka_unit_test(rate_filter_changes_action),
        cmocka_unit_test(header_keywords_match_fields),
        cmocka_unit_test(decode_event_rule_matches_raised_event),
        cmocka_unit_test(shipped_decoder_event_rules_all_load),
        cmocka_unit_test(load_buffer_refuses_a_nul_line_and_reads_on),
        cmocka_unit_test(load_buffer_names_the_binary_continuation_line),
        cmocka_unit_test(unsupported_rules_are_counted_by_reason),
        cmocka_unit_test(classification_and_threshold_skip_binary_lines),
        cmocka_unit_test(reference_config_gives_url_prefixes),
        cmocka_unit_test(stream_event_rule_matches_raised_stream_event),
        cmocka_unit_test(stream_event_refuses_unknown_and_decoder_names),
        cmocka_unit_test(shipped_stream_event_rules_all_load),
        cmocka_unit_test(thread_requires_built_engine),
        cmocka_unit_test(print_keywords_lists_content),
        cmocka_unit_test(flow_vars_json_lists_what_is_set),
        cmocka_unit_test(rule_text_kept_only_when_asked),
        cmocka_unit_test(pcre_captures_become_variables),
        cmocka_unit_test(pcre_variable_specs_checked),
        cmocka_unit_test(ip_proto_rules_are_grouped_by_their_protocol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
