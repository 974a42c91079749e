/* Reassembly: in-order and out-of-order insertion, retransmissions, the
 * overlap policies, depth, memcap, and many tiny segments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "stream-test-util.h"

static TestConn g_tc;

static int setup(void **state)
{
    (void)state;
    return tc_init(&g_tc, NULL);
}

static int teardown(void **state)
{
    (void)state;
    tc_deinit(&g_tc);
    return 0;
}

/* A bare stream: offset 0 is sequence number 1. */
static void stream_reset(TcpStream *s, StreamPolicy pol)
{
    stream_reasm_free(s);
    memset(s, 0, sizeof(*s));
    s->base_seq = 1;
    s->next_seq = 1;
    s->policy = (uint8_t)pol;
}

static void put(TcpStream *s, uint64_t off, const char *data)
{
    assert_int_equal(stream_reasm_insert(g_tc.st, &g_tc.p, s, (uint32_t)(1 + off),
                                         (const uint8_t *)data, (uint32_t)strlen(data)),
                     0);
}

/* The stored bytes of [from, to) with '.' for holes. */
static void get(const TcpStream *s, uint64_t from, uint64_t to, char *out)
{
    for (uint64_t o = from; o < to; o++) {
        out[o - from] = stream_reasm_run_len(s, o) ? (char)*stream_reasm_ptr(s, o) : '.';
    }
    out[to - from] = '\0';
}

static void in_order_segments_form_one_run(void **state)
{
    (void)state;
    TcpStream s = {0};
    stream_reset(&s, STREAM_POLICY_BSD);
    put(&s, 0, "abc");
    put(&s, 3, "def");
    assert_int_equal(stream_reasm_run_len(&s, 0), 6);
    char out[16];
    get(&s, 0, 6, out);
    assert_string_equal(out, "abcdef");
    stream_reasm_free(&s);
}

static void out_of_order_segments_fill_the_hole(void **state)
{
    (void)state;
    TcpStream s = {0};
    stream_reset(&s, STREAM_POLICY_BSD);
    put(&s, 6, "ghi");
    put(&s, 0, "abc");
    assert_int_equal(stream_reasm_run_len(&s, 0), 3);
    assert_int_equal(stream_reasm_next_stored(&s, 3), 6);
    put(&s, 3, "def");
    assert_int_equal(stream_reasm_run_len(&s, 0), 9);
    stream_reasm_free(&s);
}

static void retransmission_with_same_data_is_an_overlap_only(void **state)
{
    (void)state;
    TcpStream s = {0};
    stream_reset(&s, STREAM_POLICY_BSD);
    put(&s, 0, "abcdef");
    memset(&g_tc.p, 0, sizeof(g_tc.p));
    put(&s, 2, "cd");
    assert_int_equal(tc_counter("tcp.overlap"), 1);
    assert_int_equal(tc_counter("tcp.overlap_diff_data"), 0);
    assert_int_equal(g_tc.p.n_events, 0);
    stream_reasm_free(&s);
}

static void retransmission_with_different_data_raises_event(void **state)
{
    (void)state;
    TcpStream s = {0};
    stream_reset(&s, STREAM_POLICY_BSD);
    put(&s, 0, "abcdef");
    memset(&g_tc.p, 0, sizeof(g_tc.p));
    put(&s, 2, "XY");
    assert_int_equal(tc_counter("tcp.overlap_diff_data"), 1);
    assert_true(tc_has_event(&g_tc.p, DECODE_EV_STREAM_REASSEMBLY_OVERLAP_DIFFERENT_DATA));
    char out[16];
    get(&s, 0, 6, out);
    assert_string_equal(out, "abcdef");    // bsd: the old data stays
    stream_reasm_free(&s);
}

/* The classic overlap patterns: old segment "OOOO" at offsets [4, 8), then a
 * new segment of N's. Expected winner of the overlapped bytes per policy,
 * one letter per pattern in this order:
 *   before (2..6)  after (6..10)  inside (5..7)  around (2..10)  equal (4..8)
 *   same start longer (4..10)  same start shorter (4..6)
 *   same end, starts inside (6..8)  same end, starts before (2..8)
 * Source: Novak & Sturges, "Target-Based TCP Stream Reassembly" (2007), as
 * Suricata's reassembly applies it per host-os-policy name. */
static const struct {
    uint64_t start;
    uint64_t end;
} patterns[9] = {{2, 6}, {6, 10}, {5, 7}, {2, 10}, {4, 8}, {4, 10}, {4, 6}, {6, 8}, {2, 8}};

static const struct {
    const char *policy;
    const char *winners;
} expected[] = {
    {"first", "OOOOOOOOO"},     {"vista", "OOOOOOOOO"},      {"bsd-right", "OOOOOOOOO"},
    {"old-solaris", "OOOOOOOOO"}, {"last", "NNNNNNNNN"},     {"bsd", "NOONOOOON"},
    {"hpux10", "NOONOOOON"},    {"irix", "NOONOOOON"},       {"windows", "NOONOOOON"},
    {"windows2k3", "NOONOOOON"}, {"macos", "NOONOOOON"},     {"linux", "NOONONOON"},
    {"old-linux", "NOONNNOON"}, {"solaris", "ONONNNOON"},    {"hpux11", "ONONNNOON"},
};

static void expected_bytes(int pat, char winner, char *out)
{
    for (uint64_t o = 0; o < 12; o++) {
        bool in_old = o >= 4 && o < 8;
        bool in_new = o >= patterns[pat].start && o < patterns[pat].end;
        char c = '.';
        if (in_old && in_new) {
            c = winner;
        } else if (in_old) {
            c = 'O';
        } else if (in_new) {
            c = 'N';
        }
        out[o] = c;
    }
    out[12] = '\0';
}

static void every_policy_resolves_classic_overlaps_as_published(void **state)
{
    (void)state;
    char want[16];
    char got[16];
    char newdata[16];
    for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++) {
        StreamPolicy pol;
        assert_true(stream_policy_by_name(expected[i].policy, &pol));
        for (int pat = 0; pat < 9; pat++) {
            TcpStream s = {0};
            stream_reset(&s, pol);
            put(&s, 4, "OOOO");
            size_t n = patterns[pat].end - patterns[pat].start;
            memset(newdata, 'N', n);
            newdata[n] = '\0';
            put(&s, patterns[pat].start, newdata);
            get(&s, 0, 12, got);
            expected_bytes(pat, expected[i].winners[pat], want);
            if (strcmp(got, want) != 0) {
                print_error("policy %s pattern %d: got %s want %s\n", expected[i].policy, pat,
                            got, want);
            }
            assert_string_equal(got, want);
            stream_reasm_free(&s);
        }
    }
}

static void unknown_policy_name_is_refused(void **state)
{
    (void)state;
    StreamPolicy pol;
    assert_false(stream_policy_by_name("default", &pol));
    assert_false(stream_policy_by_name("", &pol));
    tc_deinit(&g_tc);
    assert_int_not_equal(tc_init(&g_tc, "host-os-policy:\n  plan9: [10.0.0.1]\n"), 0);
}

static void bad_host_os_address_is_refused(void **state)
{
    (void)state;
    tc_deinit(&g_tc);
    assert_int_not_equal(tc_init(&g_tc, "host-os-policy:\n  linux: [10.0.0.300]\n"), 0);
    tc_deinit(&g_tc);
    assert_int_not_equal(tc_init(&g_tc, "host-os-policy:\n  linux: [10.0.0.0/33]\n"), 0);
}

static void host_os_policy_longest_prefix_and_default(void **state)
{
    (void)state;
    tc_deinit(&g_tc);
    assert_int_equal(tc_init(&g_tc, "host-os-policy:\n  windows: [10.0.0.0/8]\n"
                                    "  linux: [10.1.0.0/16, \"2001:db8::/32\"]\n"
                                    "  default: solaris\n"),
                     0);
    VgAddr a = {.family = 4, .a.u8 = {10, 1, 2, 3}};
    assert_int_equal(stream_policy_for(&a), STREAM_POLICY_LINUX);
    a.a.u8[1] = 2;
    assert_int_equal(stream_policy_for(&a), STREAM_POLICY_WINDOWS);
    a.a.u8[0] = 11;
    assert_int_equal(stream_policy_for(&a), STREAM_POLICY_SOLARIS);
    VgAddr b = {.family = 6, .a.u8 = {0x20, 0x01, 0x0d, 0xb8, 1}};
    assert_int_equal(stream_policy_for(&b), STREAM_POLICY_LINUX);
}

static void depth_stops_storing_and_is_counted(void **state)
{
    (void)state;
    tc_deinit(&g_tc);
    assert_int_equal(tc_init(&g_tc, "stream:\n  reassembly:\n    depth: 8\n"), 0);
    TcpStream s = {0};
    stream_reset(&s, STREAM_POLICY_BSD);
    memset(&g_tc.p, 0, sizeof(g_tc.p));
    put(&s, 0, "0123456789");
    put(&s, 10, "abc");
    assert_int_equal(stream_reasm_run_len(&s, 0), 8);
    assert_int_equal(tc_counter("tcp.stream_depth_reached"), 1);
    assert_true(tc_has_event(&g_tc.p, DECODE_EV_STREAM_REASSEMBLY_DEPTH_REACHED));
    stream_reasm_free(&s);
}

static void memcap_stops_reassembly_without_crash(void **state)
{
    (void)state;
    tc_deinit(&g_tc);
    assert_int_equal(tc_init(&g_tc, "stream:\n  reassembly:\n    memcap: 16kb\n"), 0);
    TcpStream s = {0};
    stream_reset(&s, STREAM_POLICY_BSD);
    char seg[1001];
    memset(seg, 'a', 1000);
    seg[1000] = '\0';
    int failures = 0;
    for (int i = 0; i < 64; i++) {
        failures += stream_reasm_insert(g_tc.st, &g_tc.p, &s, (uint32_t)(1 + i * 1000),
                                        (const uint8_t *)seg, 1000) != 0;
    }
    assert_true(failures >= 1);
    assert_true(s.flags & STREAM_F_NOREASM);
    assert_true(tc_counter("tcp.segment_memcap_drop") >= 1);
    assert_true(stream_reassembly_memuse() <= 16 * 1024);
    stream_reasm_free(&s);
    assert_int_equal(stream_reassembly_memuse(), 0);
}

/* One byte far ahead of the delivered data is refused on its own: it does not
 * reserve the gap, and reassembly of the direction goes on. */
static void segment_far_ahead_is_refused_alone(void **state)
{
    (void)state;
    tc_deinit(&g_tc);
    assert_int_equal(tc_init(&g_tc, "stream:\n  reassembly:\n    depth: 0\n"), 0);
    TcpStream s = {0};
    stream_reset(&s, STREAM_POLICY_BSD);
    put(&s, 0, "abc");
    put(&s, STREAM_MAX_AHEAD_BYTES + 100, "x");
    assert_false(s.flags & STREAM_F_NOREASM);
    assert_true(stream_reassembly_memuse() < 1u << 20);
    assert_int_equal(tc_counter("tcp.segment_memcap_drop"), 1);
    put(&s, 3, "def");
    assert_int_equal(stream_reasm_run_len(&s, 0), 6);
    stream_reasm_free(&s);
}

static uint32_t lcg(uint32_t *x)
{
    *x = *x * 1103515245u + 12345u;
    return *x >> 8;
}

static uint32_t treap_depth(const StreamRun *t)
{
    if (t == NULL) {
        return 0;
    }
    uint32_t l = treap_depth(t->left);
    uint32_t r = treap_depth(t->right);
    return 1 + (l > r ? l : r);
}

/* 100k one-byte segments in random order, then the same in reverse order:
 * each a run of its own (distinct segments), kept in a balanced tree, so an
 * insert costs a walk of about 2 log2(n) runs, not a scan of the list. The
 * tree's depth is checked, not the time taken (the same on any machine). */
static void many_tiny_out_of_order_segments_stay_balanced(void **state)
{
    (void)state;
    enum { N = 100000 };
    uint32_t *order = malloc(N * sizeof(uint32_t));
    assert_non_null(order);
    for (uint32_t i = 0; i < N; i++) {
        order[i] = i;
    }
    uint32_t x = 7;
    for (uint32_t i = N - 1; i > 0; i--) {
        uint32_t j = lcg(&x) % (i + 1);
        uint32_t t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    TcpStream s = {0};
    stream_reset(&s, STREAM_POLICY_BSD);
    for (uint32_t i = 0; i < N; i++) {
        uint8_t b = (uint8_t)('a' + order[i] % 26);
        assert_int_equal(stream_reasm_insert(g_tc.st, NULL, &s, 1 + order[i], &b, 1), 0);
    }
    assert_int_equal(stream_reasm_run_len(&s, 0), N);
    assert_int_equal(s.n_runs, N);
    assert_in_range(treap_depth(s.runs), 17, 80);   // log2(100k) is 16.6; 45 here
    for (uint32_t i = 0; i < N; i++) {     // every byte again, overlapping
        uint8_t b = (uint8_t)('a' + (N - 1 - i) % 26);
        assert_int_equal(stream_reasm_insert(g_tc.st, NULL, &s, 1 + (N - 1 - i), &b, 1), 0);
    }
    assert_in_range(treap_depth(s.runs), 17, 80);
    assert_int_equal(tc_counter("tcp.overlap_diff_data"), 0);
    assert_true(stream_reassembly_memuse() < 16u << 20);
    stream_reasm_free(&s);
    free(order);
}

/* Runs wholly below the delivered data (max of insp_off and sub_off) become
 * one at the next prune; the bytes read the same, a run reaching past the
 * floor and the runs above keep their segments (an overlap there is still
 * decided by the policy against the old segment's extent). */
static void delivered_runs_are_merged(void **state)
{
    (void)state;
    TcpStream s = {0};
    stream_reset(&s, STREAM_POLICY_LINUX);
    char seg[4];
    for (int i = 0; i < 100; i++) {         // "abc" "bcd" ... at offsets 0, 3, 6, ...
        for (int k = 0; k < 3; k++) {
            seg[k] = (char)('a' + (i + k) % 26);
        }
        seg[3] = '\0';
        put(&s, (uint64_t)i * 3, seg);
    }
    assert_int_equal(s.n_runs, 100);
    char before[301];
    get(&s, 0, 300, before);

    s.insp_off = 100;                       // inside the run at [99, 102)
    stream_reasm_prune(&s, 0);
    assert_int_equal(s.n_runs, 1 + 67);     // [0, 99) merged; the straddling run stays
    s.sub_off = 150;
    stream_reasm_prune(&s, 0);
    assert_int_equal(s.n_runs, 1 + 50);     // [0, 150) merged
    assert_int_equal(stream_reasm_run_len(&s, 0), 300);
    char after[301];
    get(&s, 0, 300, after);
    assert_string_equal(after, before);

    /* linux: a new segment starting before an old one wins; one starting
     * at the same place loses (the old one's extent is still known). */
    put(&s, 152, "XY");                     // loses in [150, 153), wins in [153, 156)
    get(&s, 150, 155, after);
    assert_string_equal(after, "yzaYa");
    put(&s, 160, "PQRS");                   // loses in [159, 162), wins in [162, 165)
    get(&s, 159, 165, after);
    assert_string_equal(after, "bcdRSe");
    stream_reasm_free(&s);
    assert_int_equal(s.n_runs, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(in_order_segments_form_one_run),
        T(out_of_order_segments_fill_the_hole),
        T(retransmission_with_same_data_is_an_overlap_only),
        T(retransmission_with_different_data_raises_event),
        T(every_policy_resolves_classic_overlaps_as_published),
        T(unknown_policy_name_is_refused),
        T(bad_host_os_address_is_refused),
        T(host_os_policy_longest_prefix_and_default),
        T(depth_stops_storing_and_is_counted),
        T(memcap_stops_reassembly_without_crash),
        T(segment_far_ahead_is_refused_alone),
        T(many_tiny_out_of_order_segments_stay_balanced),
        T(delivered_runs_are_merged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
