/* Stream-aware detection: which rules inspect stream views or packets, the
 * header evaluated in the data's direction, duplicate suppression (overlap,
 * view and packet carrying the same bytes), chunk needs. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "detect-test.h"
#include "stream/stream.h"

typedef struct Fixture {
    DetectEngine *de;
    DetectThread *dt;
    Flow f;
    Packet p;
} Fixture;

static Fixture *fixture(const char *rules)
{
    Fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    fx->de = test_engine(rules, NULL);
    assert_non_null(fx->de);
    fx->dt = detect_thread_new(fx->de, NULL);
    assert_non_null(fx->dt);
    fx->f.state = FLOW_STATE_ESTABLISHED;
    return fx;
}

static void fixture_free(Fixture *fx)
{
    detect_packet_alerts_free(&fx->p);
    detect_thread_free(fx->dt);
    detect_engine_free(fx->de);
    free(fx);
}

/* A client (10.0.0.1:40000) -> server (192.0.2.1:80) packet, or the reverse. */
static void packet(Fixture *fx, bool to_server, const char *payload)
{
    uint32_t len = payload ? (uint32_t)strlen(payload) : 0;
    if (to_server) {
        test_packet(&fx->p, PKT_L4_TCP, "10.0.0.1", 40000, "192.0.2.1", 80, payload, len);
    } else {
        test_packet(&fx->p, PKT_L4_TCP, "192.0.2.1", 80, "10.0.0.1", 40000, payload, len);
    }
    fx->p.flags |= to_server ? PKT_F_TOSERVER : PKT_F_TOCLIENT;
    fx->p.flow = &fx->f;
    fx->p.flow_state = FLOW_STATE_ESTABLISHED;
}

static void view(Fixture *fx, bool to_server, const char *data, uint32_t overlap)
{
    fx->p.stream_data = (const uint8_t *)data;
    fx->p.stream_data_len = (uint32_t)strlen(data);
    fx->p.stream_flags |= (to_server ? PKT_STREAM_TOSERVER : 0) | PKT_STREAM_EST |
                          (overlap << PKT_STREAM_OVERLAP_SHIFT);
}

static const PacketAlerts *run(Fixture *fx)
{
    static const PacketAlerts none;
    detect_packet(fx->dt, &fx->p);
    const PacketAlerts *pa = detect_packet_alerts(&fx->p);
    return pa != NULL ? pa : &none;
}

static void view_on_acking_packet_matches_in_data_direction(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp 10.0.0.1 any -> any 80 (flow:to_server,established; "
                          "content:\"GET /x\"; sid:1;)");
    packet(fx, false, NULL);                     // the server's ACK of the request
    view(fx, true, "GET /x HTTP/1.0", 0);
    const PacketAlerts *pa = run(fx);
    assert_int_equal(pa->n, 1);
    assert_int_equal(pa->alerts[0].sid, 1);
    assert_int_equal(pa->alerts[0].flags, PACKET_ALERT_F_STREAM | PACKET_ALERT_F_REVERSED);
    assert_true(fx->p.flags & PKT_F_ALERTED);
    assert_true(fx->p.flags & PKT_F_TOCLIENT);  // the packet itself is left as it was
    fixture_free(fx);
}

static void view_header_is_not_matched_in_packet_direction(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp any 80 -> any any (flow:to_client; content:\"GET\"; sid:1;)\n"
                          "alert tcp any any -> 10.0.0.1 any (content:\"GET\"; sid:2;)");
    packet(fx, false, NULL);
    view(fx, true, "GET / HTTP/1.0", 0);
    assert_int_equal(run(fx)->n, 0);
    fixture_free(fx);
}

static void view_in_packet_direction_is_not_reversed(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp any any -> any 80 (flow:to_server; content:\"GET\"; sid:1;)");
    packet(fx, true, NULL);                      // inline: the view rides on its own data
    view(fx, true, "GET / HTTP/1.0", 0);
    fx->p.stream_flags |= PKT_STREAM_INLINE;
    const PacketAlerts *pa = run(fx);
    assert_int_equal(pa->n, 1);
    assert_int_equal(pa->alerts[0].flags, PACKET_ALERT_F_STREAM);
    fixture_free(fx);
}

static void match_inside_overlap_does_not_alert_again(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp any any -> any 80 (content:\"EVIL\"; sid:1;)");
    packet(fx, false, NULL);
    view(fx, true, "xxEVILyyyyyy", 6);          // EVIL ends at 6: inspected before
    assert_int_equal(run(fx)->n, 0);
    fixture_free(fx);
}

static void match_spanning_overlap_boundary_alerts(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp any any -> any 80 (content:\"EVIL\"; sid:1;)");
    packet(fx, false, NULL);
    view(fx, true, "xxEVILyyyyyy", 4);          // "EV" seen before, "IL" is new
    assert_int_equal(run(fx)->n, 1);
    fixture_free(fx);
}

static void later_occurrence_after_overlap_alerts(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp any any -> any 80 (content:\"EVIL\"; sid:1;)\n"
                          "alert tcp any any -> any 80 (content:\"EVIL\"; content:\"zz\"; "
                          "distance:0; sid:2;)");
    packet(fx, false, NULL);
    view(fx, true, "EVILzzyyEVILzz", 6);
    const PacketAlerts *pa = run(fx);
    assert_int_equal(pa->n, 2);
    fixture_free(fx);
}

static void packet_added_to_stream_is_left_to_the_stream(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp any any -> any 80 (content:\"EVIL\"; sid:1;)");
    packet(fx, true, "EVIL");
    fx->p.stream_flags = PKT_STREAM_ADDED;
    assert_int_equal(run(fx)->n, 0);
    packet(fx, true, "EVIL");                    // not in a stream: no session, SYN data...
    const PacketAlerts *pa = run(fx);
    assert_int_equal(pa->n, 1);
    assert_int_equal(pa->alerts[0].flags, 0);
    fixture_free(fx);
}

static void anchored_content_inspects_packets_too(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp any any -> any 80 (content:\"EVIL\"; depth:4; sid:1;)");
    packet(fx, true, "EVIL");
    fx->p.stream_flags = PKT_STREAM_ADDED;
    assert_int_equal(run(fx)->n, 1);
    fixture_free(fx);
}

/* flags (like ttl, tos, ...) is about one packet: its rule's content is looked
 * for in that packet's payload too, a Fast Open SYN's data added to the stream
 * included (Suricata: tcp-fastopen-08). */
static void packet_keywords_inspect_packets_too(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp any any -> any 80 (flags:S; content:\"GET\"; sid:1;)\n"
                          "alert tcp any any -> any 80 (content:\"GET\"; sid:2;)");
    packet(fx, true, "GET /");
    fx->p.tcp.flags = TH_SYN;
    fx->p.stream_flags = PKT_STREAM_ADDED;
    const PacketAlerts *pa = run(fx);
    assert_int_equal(pa->n, 1);
    assert_int_equal(pa->alerts[0].sid, 1);     // sid 2 leaves it to the stream
    fixture_free(fx);
}

static void same_bytes_in_view_and_packet_alert_once(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp any any -> any 80 (content:\"EVIL\"; depth:4; sid:1;)");
    packet(fx, true, "EVIL");
    fx->p.stream_flags = PKT_STREAM_ADDED | PKT_STREAM_INLINE;
    view(fx, true, "EVIL", 0);
    const PacketAlerts *pa = run(fx);
    assert_int_equal(pa->n, 1);
    assert_int_equal(pa->alerts[0].flags, PACKET_ALERT_F_STREAM);
    fixture_free(fx);
}

static void tcp_pkt_and_tcp_stream_protocols(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp-pkt any any -> any 80 (content:\"EVIL\"; sid:1;)\n"
                          "alert tcp-stream any any -> any 80 (content:\"EVIL\"; sid:2;)");
    packet(fx, true, "EVIL");                    // a packet outside any stream
    const PacketAlerts *pa = run(fx);
    assert_int_equal(pa->n, 1);
    assert_int_equal(pa->alerts[0].sid, 1);
    packet(fx, false, NULL);
    view(fx, true, "EVIL", 0);
    pa = run(fx);
    assert_int_equal(pa->n, 1);
    assert_int_equal(pa->alerts[0].sid, 2);
    fixture_free(fx);
}

static void only_stream_and_no_stream(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp any any -> any 80 (flow:only_stream; content:\"EVIL\"; "
                          "sid:1;)\n"
                          "alert tcp any any -> any 80 (flow:no_stream; content:\"EVIL\"; sid:2;)");
    packet(fx, true, "EVIL");
    fx->p.stream_flags = PKT_STREAM_ADDED;
    const PacketAlerts *pa = run(fx);
    assert_int_equal(pa->n, 1);
    assert_int_equal(pa->alerts[0].sid, 2);
    packet(fx, false, NULL);
    view(fx, true, "EVIL", 0);
    pa = run(fx);
    assert_int_equal(pa->n, 1);
    assert_int_equal(pa->alerts[0].sid, 1);
    fixture_free(fx);
}

static void dsize_rules_inspect_packets_only(void **state)
{
    (void)state;
    Fixture *fx = fixture("alert tcp any any -> any 80 (dsize:4; content:\"EVIL\"; sid:1;)");
    packet(fx, false, NULL);
    view(fx, true, "EVIL", 0);
    assert_int_equal(run(fx)->n, 0);
    packet(fx, true, "EVIL");
    fx->p.stream_flags = PKT_STREAM_ADDED;
    assert_int_equal(run(fx)->n, 1);
    fixture_free(fx);
}

static void stream_needs_follow_patterns_and_depth(void **state)
{
    (void)state;
    DetectEngine *de = test_engine(
        "alert tcp any any -> any 80 (content:\"GET /evil\"; sid:1;)\n"
        "alert tcp any any -> any 81 (content:\"ab\"; offset:5; depth:20; sid:2;)\n"
        "alert tcp-pkt any any -> any 82 (content:\"abc\"; sid:3;)\n"
        "alert udp any any -> any 53 (content:\"abc\"; sid:4;)", NULL);
    assert_non_null(de);
    uint32_t need[5] = { 0 };
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        need[de->sigs[i]->sid] = detect_stream_need(de->sigs[i]);
    }
    assert_int_equal(need[1], 9);
    assert_int_equal(need[2], 25);
    assert_int_equal(need[3], 0);
    assert_int_equal(need[4], 0);
    detect_engine_free(de);
}

static void pass_rule_on_view_stops_inspection(void **state)
{
    (void)state;
    Fixture *fx = fixture("pass tcp any any -> any 80 (content:\"ok\"; sid:1;)\n"
                          "alert tcp any any -> any any (flow:to_client; sid:2;)");
    packet(fx, false, NULL);
    view(fx, true, "ok", 0);
    assert_int_equal(run(fx)->n, 0);
    assert_true(fx->f.flags & FLOW_F_PASS);
    fixture_free(fx);
}

/* The packet prefilter per kind of scan holds only the rules such a scan can give
 * (DetectEngine.pf): a stream rule is not looked for in a packet that went into
 * the stream, a TCP rule not in a UDP packet; each rule still alerts where it did. */
static void prefilter_kinds_hold_the_rules_their_scans_inspect(void **state)
{
    (void)state;
    Fixture *fx = fixture(
        "alert tcp any any -> any 80 (flow:to_server; content:\"STREAMONLY\"; sid:1;)\n"
        "alert tcp any any -> any 80 (flow:to_server; content:\"ANCHORED\"; depth:8; sid:2;)\n"
        "alert tcp-pkt any any -> any 80 (flow:to_server; content:\"TCPPKT\"; sid:3;)\n"
        "alert udp any any -> any 80 (content:\"UDPRULE\"; sid:4;)\n"
        "alert ip any any -> any any (content:\"IPRULE\"; sid:5;)\n");
    const DetectEngine *de = fx->de;
    assert_int_equal(detect_prefilter_n_patterns(de->pf[DETECT_PF_ALL][0]), 5);
    assert_int_equal(detect_prefilter_n_patterns(de->pf[DETECT_PF_VIEW][0]), 3);       // 1 2 5
    assert_int_equal(detect_prefilter_n_patterns(de->pf[DETECT_PF_TCP_ADDED][0]), 2);  // 2 3
    assert_int_equal(detect_prefilter_n_patterns(de->pf[DETECT_PF_UDP][0]), 2);        // 4 5
    assert_int_equal(detect_prefilter_n_patterns(de->pf[DETECT_PF_UDP][1]), 2);
    /* a packet that went into the stream: the packet rules only */
    packet(fx, true, "ANCHORED STREAMONLY TCPPKT UDPRULE IPRULE");
    fx->p.stream_flags = PKT_STREAM_ADDED;
    const PacketAlerts *pa = run(fx);
    assert_int_equal(pa->n, 2);
    assert_int_equal(pa->alerts[0].sid, 2);
    assert_int_equal(pa->alerts[1].sid, 3);
    /* its view: the stream rules */
    packet(fx, true, NULL);
    view(fx, true, "ANCHORED STREAMONLY TCPPKT UDPRULE IPRULE", 0);
    pa = run(fx);
    assert_int_equal(pa->n, 3);
    assert_int_equal(pa->alerts[0].sid, 1);
    assert_int_equal(pa->alerts[1].sid, 2);
    assert_int_equal(pa->alerts[2].sid, 5);
    /* a TCP packet outside any stream: every TCP rule */
    packet(fx, true, "ANCHORED STREAMONLY TCPPKT UDPRULE IPRULE");
    pa = run(fx);
    assert_int_equal(pa->n, 4);
    /* a UDP packet: the UDP and IP rules */
    const char *u = "ANCHORED STREAMONLY TCPPKT UDPRULE IPRULE";
    test_packet(&fx->p, PKT_L4_UDP, "10.0.0.1", 40000, "192.0.2.1", 80, u, (uint32_t)strlen(u));
    pa = run(fx);
    assert_int_equal(pa->n, 2);
    assert_int_equal(pa->alerts[0].sid, 4);
    assert_int_equal(pa->alerts[1].sid, 5);
    fixture_free(fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(view_on_acking_packet_matches_in_data_direction),
        cmocka_unit_test(view_header_is_not_matched_in_packet_direction),
        cmocka_unit_test(view_in_packet_direction_is_not_reversed),
        cmocka_unit_test(match_inside_overlap_does_not_alert_again),
        cmocka_unit_test(match_spanning_overlap_boundary_alerts),
        cmocka_unit_test(later_occurrence_after_overlap_alerts),
        cmocka_unit_test(packet_added_to_stream_is_left_to_the_stream),
        cmocka_unit_test(anchored_content_inspects_packets_too),
        cmocka_unit_test(packet_keywords_inspect_packets_too),
        cmocka_unit_test(same_bytes_in_view_and_packet_alert_once),
        cmocka_unit_test(tcp_pkt_and_tcp_stream_protocols),
        cmocka_unit_test(only_stream_and_no_stream),
        cmocka_unit_test(dsize_rules_inspect_packets_only),
        cmocka_unit_test(stream_needs_follow_patterns_and_depth),
        cmocka_unit_test(pass_rule_on_view_stops_inspection),
        cmocka_unit_test(prefilter_kinds_hold_the_rules_their_scans_inspect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
