/* tag keyword: parsing, session and host tags per metric, the host table cap. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "detect-test.h"
#include "util/util-error.h"

typedef struct TagPkt {
    const char *src;
    const char *dst;
    const char *payload;
    int64_t ts;
    bool in_flow;                      // belongs to the test's one flow
} TagPkt;

/* Runs pk through one engine; returns the bitmask of tagged packets. */
static unsigned tag_run(const char *rules, const TagPkt *pk, int n)
{
    detect_set_flow_storage_id(0);
    int failed = -1;
    DetectEngine *de = test_engine(rules, &failed);
    assert_non_null(de);
    assert_int_equal(failed, 0);
    DetectThread *dt = detect_thread_new(de, NULL);
    assert_non_null(dt);
    Flow f;
    memset(&f, 0, sizeof(f));
    Packet p = { 0 };
    unsigned mask = 0;
    for (int i = 0; i < n; i++) {
        const char *pl = pk[i].payload ? pk[i].payload : "x";
        test_packet(&p, PKT_L4_TCP, pk[i].src, 1000, pk[i].dst, 80, pl, (uint32_t)strlen(pl));
        p.ts_sec = pk[i].ts;
        p.caplen = 100;
        p.flow = pk[i].in_flow ? &f : NULL;
        detect_packet(dt, &p);
        mask |= (p.flags & PKT_F_TAGGED) ? 1u << i : 0;
    }
    detect_flow_storage_free(f.storage[0]);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
    return mask;
}

#define A "10.0.0.1"
#define B "192.0.2.1"
#define C "198.51.100.7"
#define TAG_RULE(t) "alert tcp any any -> any any (content:\"go\"; " t " sid:1;)\n"

static void session_tag_packets_follow_trigger_only_in_flow(void **state)
{
    (void)state;
    static const TagPkt pk[] = {
        { A, B, "x", 1, true }, { A, B, "go", 1, true }, { B, A, "x", 2, true },
        { A, B, "x", 2, false }, { A, B, "x", 3, true }, { A, B, "x", 3, true },
    };
    /* 2 packets after the trigger (packet 1) in the flow: 2 and 4; 3 is outside */
    assert_int_equal(tag_run(TAG_RULE("tag:session,2,packets;"), pk, 6), (1u << 2) | (1u << 4));
}

static void session_tag_default_is_256_packets(void **state)
{
    (void)state;
    TagPkt pk[300];
    for (int i = 0; i < 300; i++) {
        pk[i] = (TagPkt){ A, B, i == 0 ? "go" : "x", 1, true };
    }
    detect_set_flow_storage_id(0);
    int failed = -1;
    DetectEngine *de = test_engine(TAG_RULE("tag:session;"), &failed);
    DetectThread *dt = detect_thread_new(de, NULL);
    Flow f;
    memset(&f, 0, sizeof(f));
    Packet p = { 0 };
    int tagged = 0;
    for (int i = 0; i < 300; i++) {
        test_packet(&p, PKT_L4_TCP, A, 1000, B, 80, pk[i].payload,
                    (uint32_t)strlen(pk[i].payload));
        p.flow = &f;
        detect_packet(dt, &p);
        tagged += (p.flags & PKT_F_TAGGED) ? 1 : 0;
    }
    assert_int_equal(tagged, 256);
    detect_flow_storage_free(f.storage[0]);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
}

static void session_tag_bytes_and_seconds(void **state)
{
    (void)state;
    static const TagPkt pk[] = {
        { A, B, "go", 10, true }, { A, B, "x", 11, true }, { A, B, "x", 12, true },
        { A, B, "x", 13, true },
    };
    /* 100 bytes each: 250 bytes covers two packets */
    assert_int_equal(tag_run(TAG_RULE("tag:session,250,bytes;"), pk, 4), 0x6u);
    /* 2 seconds from t=10: t=11 and t=12, not t=13 */
    assert_int_equal(tag_run(TAG_RULE("tag:session,2,seconds;"), pk, 4), 0x6u);
}

static void host_tag_src_follows_source_both_directions(void **state)
{
    (void)state;
    static const TagPkt pk[] = {
        { A, B, "go", 1, false }, { C, A, "x", 2, false }, { B, C, "x", 2, false },
        { A, C, "x", 3, false }, { A, B, "x", 3, false },
    };
    /* host A for 2 packets: 1 (A as destination) and 3; 2 has no A, 4 is past the count */
    assert_int_equal(tag_run(TAG_RULE("tag:host,2,packets,src;"), pk, 5), (1u << 1) | (1u << 3));
}

static void host_tag_default_follows_destination(void **state)
{
    (void)state;
    static const TagPkt pk[] = {
        { A, B, "go", 1, false }, { A, C, "x", 2, false }, { C, B, "x", 2, false },
    };
    assert_int_equal(tag_run(TAG_RULE("tag:host;"), pk, 3), 1u << 2);
}

static void host_tag_seconds_expire_in_packet_time(void **state)
{
    (void)state;
    static const TagPkt pk[] = {
        { A, B, "go", 100, false }, { B, C, "x", 150, false }, { B, C, "x", 161, false },
    };
    assert_int_equal(tag_run(TAG_RULE("tag:host,60,seconds,dst;"), pk, 3), 1u << 1);
}

static void no_match_no_tag(void **state)
{
    (void)state;
    static const TagPkt pk[] = {
        { A, B, "x", 1, true }, { A, B, "x", 2, true }, { B, A, "x", 3, true },
    };
    assert_int_equal(tag_run(TAG_RULE("tag:session;"), pk, 3), 0u);
    assert_int_equal(tag_run(TAG_RULE("tag:host,5,packets,src;"), pk, 3), 0u);
}

static void tag_does_not_add_alerts(void **state)
{
    (void)state;
    int failed = -1;
    DetectEngine *de = test_engine(TAG_RULE("tag:host,5,packets,src;"), &failed);
    DetectThread *dt = detect_thread_new(de, NULL);
    Packet p = { 0 };
    test_packet(&p, PKT_L4_TCP, A, 1000, B, 80, "go", 2);
    detect_packet(dt, &p);
    assert_int_equal(p.n_alerts, 1);
    test_packet(&p, PKT_L4_TCP, A, 1000, B, 80, "x", 1);
    detect_packet(dt, &p);
    assert_true(p.flags & PKT_F_TAGGED);
    assert_int_equal(p.n_alerts, 0);  // EVE logs it as a "packet" record, not an alert
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
}

static void host_table_is_capped_and_counts_refusals(void **state)
{
    (void)state;
    DetectTagTable *t = detect_tag_table_new(2);
    assert_non_null(t);
    DetectTagSpec spec = { .metric = DETECT_TAG_PACKETS, .count = 3 };
    VgAddr a, b, c;
    test_addr(&a, A);
    test_addr(&b, B);
    test_addr(&c, C);
    assert_int_equal(detect_tag_host_add(t, &a, &spec, 1), 0);
    assert_int_equal(detect_tag_host_add(t, &b, &spec, 1), 0);
    assert_int_equal(detect_tag_host_add(t, &c, &spec, 1), VG_ERANGE);
    assert_int_equal(detect_tag_refused(t), 1);
    assert_int_equal(detect_tag_hosts(t), 2);
    /* slots per host are bounded too */
    for (int i = 1; i < DETECT_TAG_PER_HOST; i++) {
        assert_int_equal(detect_tag_host_add(t, &a, &spec, 1), 0);
    }
    assert_int_equal(detect_tag_host_add(t, &a, &spec, 1), VG_ERANGE);
    assert_int_equal(detect_tag_refused(t), 2);
    /* a host whose tags ran out is freed, making room */
    Packet p = { 0 };
    for (int i = 0; i < 5; i++) {
        (void)detect_tag_host_step(t, &b, &p);
    }
    assert_int_equal(detect_tag_hosts(t), 1);
    assert_int_equal(detect_tag_host_add(t, &c, &spec, 1), 0);
    detect_tag_table_free(t);
}

static void bad_tag_arguments_are_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "tag:;", "tag:flow;", "tag:session,10;", "tag:session,10,packets,src;",
        "tag:host,0,packets;", "tag:host,x,packets;", "tag:host,10,frames;",
        "tag:host,10,packets,left;", "tag:host,10,packets,src,more;",
        "tag:host,99999999999,packets;",
    };
    char err[DETECT_ERR_MAX];
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        char rule[256];
        (void)snprintf(rule, sizeof(rule), "alert ip any any -> any any (%s sid:1;)", bad[i]);
        assert_int_not_equal(test_parse(rule, err, sizeof(err)), 0);
    }
    assert_int_equal(test_parse("alert ip any any -> any any (tag: host , 3 , bytes , dst; "
                                "sid:1;)", err, sizeof(err)), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(session_tag_packets_follow_trigger_only_in_flow),
        cmocka_unit_test(session_tag_default_is_256_packets),
        cmocka_unit_test(session_tag_bytes_and_seconds),
        cmocka_unit_test(host_tag_src_follows_source_both_directions),
        cmocka_unit_test(host_tag_default_follows_destination),
        cmocka_unit_test(host_tag_seconds_expire_in_packet_time),
        cmocka_unit_test(no_match_no_tag),
        cmocka_unit_test(tag_does_not_add_alerts),
        cmocka_unit_test(host_table_is_capped_and_counts_refusals),
        cmocka_unit_test(bad_tag_arguments_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
