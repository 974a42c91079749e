/* Overlap policies: the pairwise rule on the classic overlap shapes, and
 * the full test pattern of Novak, "Target-Based Fragmentation Reassembly"
 * (17 fragments, 8-byte units), whose rebuilt bytes per policy are the
 * results Suricata reports for it. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "defrag/defrag-internal.h"
#include "defrag/defrag-test-util.h"

/* ---- pairwise rule: old fragment [16, 32) against new shapes ---- */

typedef struct Shape {
    const char *name;
    uint32_t off, end;
} Shape;

static const Shape shapes[] = {
    { "starts before, ends inside", 8, 24 },
    { "starts inside, ends after", 24, 40 },
    { "inside", 20, 28 },
    { "around", 8, 40 },
    { "equal", 16, 32 },
    { "same start, longer", 16, 40 },
    { "same start, shorter", 16, 24 },
    { "starts before, same end", 8, 32 },
};

/* Expected "new wins" per shape above, one string per policy. */
static void expect_rule(DefragPolicy pol, const char *want)
{
    for (size_t i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
        bool got = defrag_new_wins(pol, shapes[i].off, shapes[i].end, 16, 32);
        if (got != (want[i] == 'N')) {
            fail_msg("%s: %s: got %s", defrag_policy_name(pol), shapes[i].name,
                     got ? "new" : "old");
        }
    }
}

static void rule_first_keeps_old(void **state)
{
    (void)state;
    expect_rule(DEFRAG_POLICY_FIRST, "OOOOOOOO");
}

static void rule_last_takes_new(void **state)
{
    (void)state;
    expect_rule(DEFRAG_POLICY_LAST, "NNNNNNNN");
}

static void rule_bsd_takes_new_starting_before(void **state)
{
    (void)state;
    expect_rule(DEFRAG_POLICY_BSD, "NOONOOON");
}

static void rule_linux_takes_new_starting_at_or_before(void **state)
{
    (void)state;
    expect_rule(DEFRAG_POLICY_LINUX, "NOONNNNN");
}

static void rule_windows_takes_new_only_around(void **state)
{
    (void)state;
    expect_rule(DEFRAG_POLICY_WINDOWS, "OOONOOOO");
}

static void rule_solaris_takes_new_around_or_same_end(void **state)
{
    (void)state;
    expect_rule(DEFRAG_POLICY_SOLARIS, "OOONOOON");
}

static void rule_bsd_right_keeps_old_covering_new_end(void **state)
{
    (void)state;
    expect_rule(DEFRAG_POLICY_BSD_RIGHT, "NNONNNNN");
}

/* ---- the Novak pattern through defrag_packet ---- */

typedef struct NovakFrag {
    uint32_t off;                // bytes
    char fill;
    uint32_t len;
} NovakFrag;

static const NovakFrag novak[17] = {
    { 0, 'A', 24 },   { 32, 'B', 16 },  { 48, 'C', 24 },  { 80, 'D', 8 },
    { 104, 'E', 16 }, { 120, 'F', 24 }, { 144, 'G', 16 }, { 160, 'H', 16 },
    { 176, 'I', 8 },  { 8, 'J', 32 },   { 48, 'K', 24 },  { 72, 'L', 24 },
    { 96, 'M', 24 },  { 128, 'N', 8 },  { 152, 'O', 8 },  { 160, 'P', 8 },
    { 176, 'Q', 16 },
};

/* Sends the pattern (the last one closes the datagram) and checks the 24
 * data units against want (one letter per 8 bytes). */
static void run_novak(DefragPolicy pol, bool v6, const char *want)
{
    DefragFixture fx;
    dfu_setup(&fx, NULL);
    fx.policy = pol;
    int overlaps = 0;
    Packet *r = NULL;
    for (int i = 0; i < 17; i++) {
        Packet *frag = NULL;
        bool more = i != 16;
        r = v6 ? dfu_feed6(&fx, 7, novak[i].off, more, novak[i].fill, novak[i].len, &frag)
               : dfu_feed4(&fx, 7, novak[i].off, more, novak[i].fill, novak[i].len, &frag);
        overlaps += packet_has_event(frag, v6 ? DECODE_EV_IPV6_FRAG_OVERLAP
                                              : DECODE_EV_IPV4_FRAG_OVERLAP);
        dtu_packet_free(frag);
        if (i < 16) {
            assert_null(r);
        }
    }
    assert_true(overlaps > 0);
    assert_non_null(r);
    uint32_t hdr = v6 ? 40 : 20;
    assert_int_equal(r->l3_len, hdr + 192);
    const uint8_t *d = r->l3_hdr + hdr;
    for (int u = 0; u < 24; u++) {
        for (int k = 0; k < 8; k++) {
            if (d[u * 8 + k] != (uint8_t)want[u]) {
                fail_msg("%s: unit %d byte %d: got %c want %c", defrag_policy_name(pol), u, k,
                         d[u * 8 + k], want[u]);
            }
        }
    }
    dfu_put(r, &fx);
    assert_int_equal(fx.outstanding, 0);
    assert_int_equal(defrag_tracker_count(), 0);
    dfu_teardown(&fx);
}

#define NOVAK_BSD "AAAJJBCCCLLLMMMFFFGGHHIQ"
#define NOVAK_LINUX "AAAJJBKKKLLLMMMFFFGGPHQQ"
#define NOVAK_WINDOWS "AAAJBBCCCLLLMEEFFFGGHHIQ"
#define NOVAK_SOLARIS "AAAJBBCCCLLLMMMFFFGGHHIQ"
#define NOVAK_FIRST "AAAJBBCCCLDLMEEFFFGGHHIQ"
#define NOVAK_LAST "AJJJJBKKKLLLMMMFNFGOPHQQ"
#define NOVAK_BSD_RIGHT "AJJJJBKKKLLLMMMFFFGGPHQQ"

static void novak_bsd_ipv4(void **state)
{
    (void)state;
    run_novak(DEFRAG_POLICY_BSD, false, NOVAK_BSD);
}

static void novak_linux_ipv4(void **state)
{
    (void)state;
    run_novak(DEFRAG_POLICY_LINUX, false, NOVAK_LINUX);
}

static void novak_windows_ipv4(void **state)
{
    (void)state;
    run_novak(DEFRAG_POLICY_WINDOWS, false, NOVAK_WINDOWS);
}

static void novak_solaris_ipv4(void **state)
{
    (void)state;
    run_novak(DEFRAG_POLICY_SOLARIS, false, NOVAK_SOLARIS);
}

static void novak_first_ipv4(void **state)
{
    (void)state;
    run_novak(DEFRAG_POLICY_FIRST, false, NOVAK_FIRST);
}

static void novak_last_ipv4(void **state)
{
    (void)state;
    run_novak(DEFRAG_POLICY_LAST, false, NOVAK_LAST);
}

static void novak_bsd_right_ipv4(void **state)
{
    (void)state;
    run_novak(DEFRAG_POLICY_BSD_RIGHT, false, NOVAK_BSD_RIGHT);
}

static void novak_bsd_ipv6(void **state)
{
    (void)state;
    run_novak(DEFRAG_POLICY_BSD, true, NOVAK_BSD);
}

static void novak_linux_ipv6(void **state)
{
    (void)state;
    run_novak(DEFRAG_POLICY_LINUX, true, NOVAK_LINUX);
}

static void novak_windows_ipv6(void **state)
{
    (void)state;
    run_novak(DEFRAG_POLICY_WINDOWS, true, NOVAK_WINDOWS);
}

static void novak_first_ipv6(void **state)
{
    (void)state;
    run_novak(DEFRAG_POLICY_FIRST, true, NOVAK_FIRST);
}

static void novak_last_ipv6(void **state)
{
    (void)state;
    run_novak(DEFRAG_POLICY_LAST, true, NOVAK_LAST);
}

static void policy_names_map_as_suricata(void **state)
{
    (void)state;
    DefragPolicy p;
    assert_true(defrag_policy_by_name("old-linux", &p));
    assert_int_equal(p, DEFRAG_POLICY_LINUX);
    assert_true(defrag_policy_by_name("windows2k3", &p));
    assert_int_equal(p, DEFRAG_POLICY_WINDOWS);
    assert_true(defrag_policy_by_name("macos", &p));
    assert_int_equal(p, DEFRAG_POLICY_FIRST);
    assert_true(defrag_policy_by_name("hpux10", &p));
    assert_int_equal(p, DEFRAG_POLICY_BSD);
    assert_false(defrag_policy_by_name("plan9", &p));
    assert_false(defrag_policy_by_name(NULL, &p));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rule_first_keeps_old),
        cmocka_unit_test(rule_last_takes_new),
        cmocka_unit_test(rule_bsd_takes_new_starting_before),
        cmocka_unit_test(rule_linux_takes_new_starting_at_or_before),
        cmocka_unit_test(rule_windows_takes_new_only_around),
        cmocka_unit_test(rule_solaris_takes_new_around_or_same_end),
        cmocka_unit_test(rule_bsd_right_keeps_old_covering_new_end),
        cmocka_unit_test(novak_bsd_ipv4),
        cmocka_unit_test(novak_linux_ipv4),
        cmocka_unit_test(novak_windows_ipv4),
        cmocka_unit_test(novak_solaris_ipv4),
        cmocka_unit_test(novak_first_ipv4),
        cmocka_unit_test(novak_last_ipv4),
        cmocka_unit_test(novak_bsd_right_ipv4),
        cmocka_unit_test(novak_bsd_ipv6),
        cmocka_unit_test(novak_linux_ipv6),
        cmocka_unit_test(novak_windows_ipv6),
        cmocka_unit_test(novak_first_ipv6),
        cmocka_unit_test(novak_last_ipv6),
        cmocka_unit_test(policy_names_map_as_suricata),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
