/* IP-only rule index: never leaves out a rule that matches, and prunes rules
 * whose narrow side cannot match. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "detect-test.h"

typedef struct Cands {
    uint8_t seen[4096];
    uint32_t n;
} Cands;

static void add(void *ctx, uint32_t num)
{
    Cands *c = ctx;
    if (num < sizeof(c->seen) && !c->seen[num]) {
        c->seen[num] = 1;
        c->n++;
    }
}

static uint32_t rnd(uint32_t *state)
{
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

/* Random IPv4 address in 10.0.0.0/16 or 192.0.2.0/24. */
static void rnd_addr(uint32_t *st, char *buf, size_t len)
{
    if (rnd(st) % 2) {
        snprintf(buf, len, "10.0.%u.%u", rnd(st) % 256, rnd(st) % 256);
    } else {
        snprintf(buf, len, "192.0.2.%u", rnd(st) % 256);
    }
}

static char *random_rules(uint32_t *st, int n)
{
    static const char *const shapes[] = {
        "alert ip %s any -> any any (sid:%d;)\n",
        "alert ip any any -> %s any (sid:%d;)\n",
        "alert ip [%s,10.0.7.0/24] any -> !192.0.2.0/25 any (sid:%d;)\n",
        "alert ip !%s any -> $HOME_NET any (sid:%d;)\n",
        "alert ip %s any <> 192.0.2.0/24 any (sid:%d;)\n",
        "alert tcp %s/30 any -> any any (sid:%d;)\n",
    };
    size_t cap = (size_t)n * 160;
    char *rules = calloc(1, cap);
    size_t used = 0;
    for (int i = 0; i < n && rules != NULL; i++) {
        char a[32];
        rnd_addr(st, a, sizeof(a));
        const char *shape = shapes[rnd(st) % 6];
        used += (size_t)snprintf(rules + used, cap - used, shape, a, i + 1);
    }
    return rules;
}

static void index_never_misses_a_matching_rule(void **state)
{
    (void)state;
    uint32_t st = 7;
    char *rules = random_rules(&st, 300);
    assert_non_null(rules);
    int failed = 0;
    DetectEngine *de = test_engine(rules, &failed);
    free(rules);
    assert_non_null(de);
    assert_int_equal(failed, 0);
    DetectThread *dt = detect_thread_new(de, NULL);
    Packet p = { 0 };
    uint64_t total_cands = 0;
    for (int k = 0; k < 500; k++) {
        char s[32];
        char d[32];
        rnd_addr(&st, s, sizeof(s));
        rnd_addr(&st, d, sizeof(d));
        test_packet(&p, PKT_L4_TCP, s, 1000, d, 80, "x", 1);
        Cands c;
        memset(&c, 0, sizeof(c));
        detect_iponly_candidates(de->iponly, &p, add, &c);
        total_cands += c.n;
        for (uint32_t i = 0; i < de->n_iponly; i++) {
            uint32_t num = de->iponly_sigs[i];
            if (detect_sig_match(dt, &p, de->sigs[num])) {
                assert_true(c.seen[num]);
            }
        }
    }
    /* the narrow rules are pruned: far fewer candidates than rules */
    assert_true(total_cands / 500 < de->n_iponly / 2);
    detect_packet_alerts_free(&p);
    detect_thread_free(dt);
    detect_engine_free(de);
}

static void index_handles_ipv6_and_any(void **state)
{
    (void)state;
    DetectEngine *de = test_engine("alert ip 2001:db8::/32 any -> any any (sid:1;)\n"
                                   "alert ip any any -> any any (sid:2;)\n"
                                   "alert ip 10.0.0.1 any -> any any (sid:3;)\n", NULL);
    assert_non_null(de);
    Packet p = { 0 };
    test_packet(&p, PKT_L4_UDP, "2001:db8::5", 1, "2001:db9::1", 2, "x", 1);
    Cands c;
    memset(&c, 0, sizeof(c));
    detect_iponly_candidates(de->iponly, &p, add, &c);
    assert_int_equal(c.n, 2);  // sid 1 and the any rule, not the IPv4 one
    test_packet(&p, PKT_L4_UDP, "2001:db7::5", 1, "2001:db9::1", 2, "x", 1);
    memset(&c, 0, sizeof(c));
    detect_iponly_candidates(de->iponly, &p, add, &c);
    assert_int_equal(c.n, 1);
    assert_int_equal(test_run(de, &p), 1);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(index_never_misses_a_matching_rule),
        cmocka_unit_test(index_handles_ipv6_and_any),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
