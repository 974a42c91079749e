/* Limits of the tracker table: memcap, tracker and fragment limits, and a
 * flood of distinct datagrams staying within the memcap. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "flow/flow.h"
#include "util/util-error.h"
#include "defrag/defrag-internal.h"
#include "defrag/defrag-test-util.h"

/* A counter as the stats output sees it: merged over every set (the
 * table keeps defrag.memuse in a set of its own). */
static uint64_t merged(const char *name)
{
    CounterId id;
    if (!counters_find(name, &id)) {
        return UINT64_MAX;
    }
    uint64_t *m = calloc(counters_count(), sizeof(uint64_t));
    assert_non_null(m);
    counters_merge(m);
    uint64_t v = m[id];
    free(m);
    return v;
}

static void setup_with(DefragFixture *fx, uint64_t memcap, uint32_t trackers, uint32_t frags)
{
    DefragConfig c;
    defrag_config_defaults(&c);
    c.memcap_bytes = memcap;
    c.max_trackers = trackers;
    c.max_frags = frags;
    dfu_setup(fx, &c);
}

static void tracker_limit_refuses_and_counts(void **state)
{
    (void)state;
    DefragFixture fx;
    setup_with(&fx, 1 << 20, 2, 100);
    for (uint16_t id = 0; id < 3; id++) {
        assert_null(dfu_feed4(&fx, id, 0, true, 'a', 8, NULL));
        // the reason the decode stage picks defrag.trackers-policy by
        assert_int_equal(fx.dt.refused, id < 2 ? DEFRAG_REFUSED_NONE : DEFRAG_REFUSED_TRACKERS);
    }
    assert_int_equal(defrag_tracker_count(), 2);
    assert_int_equal(dfu_counter(&fx, "defrag.max_trackers_reached"), 1);
    dfu_teardown(&fx);
}

static void fragment_limit_refuses_and_counts(void **state)
{
    (void)state;
    DefragFixture fx;
    setup_with(&fx, 1 << 20, 10, 3);
    for (uint32_t i = 0; i < 4; i++) {
        assert_null(dfu_feed4(&fx, 1, i * 8, true, 'a', 8, NULL));
        assert_int_equal(fx.dt.refused, i < 3 ? DEFRAG_REFUSED_NONE : DEFRAG_REFUSED_MAX_FRAGS);
    }
    assert_int_equal(dfu_counter(&fx, "defrag.max_frags_reached"), 1);
    dfu_teardown(&fx);
}

/* One datagram can't hold more than DEFRAG_MAX_FRAGS_PER_DGRAM fragments,
 * however many the global limit and memcap would allow: an overlapping
 * 1-byte flood into one hole stays short, and other datagrams still get in. */
static void one_datagram_is_capped_in_fragments(void **state)
{
    (void)state;
    DefragFixture fx;
    setup_with(&fx, 64u << 20, 100, 65535);
    const uint32_t n = DEFRAG_MAX_FRAGS_PER_DGRAM + 500;
    for (uint32_t i = 0; i < n; i++) {
        assert_null(dfu_feed4(&fx, 9, 8 + (i % 16) * 8, true, 'a', 8, NULL));
    }
    assert_int_equal(dfu_counter(&fx, "defrag.max_frags_reached"), 500);
    assert_null(dfu_feed4(&fx, 10, 0, true, 'b', 8, NULL));
    assert_int_equal(dfu_counter(&fx, "defrag.max_frags_reached"), 500);
    dfu_teardown(&fx);
}

static void memcap_refuses_fragment_that_does_not_fit(void **state)
{
    (void)state;
    DefragFixture fx;
    setup_with(&fx, 4096, 100, 100);
    assert_null(dfu_feed4(&fx, 1, 0, true, 'a', 1024, NULL));
    assert_null(dfu_feed4(&fx, 1, 1024, true, 'a', 1024, NULL));
    assert_null(dfu_feed4(&fx, 1, 2048, true, 'a', 1024, NULL));
    assert_null(dfu_feed4(&fx, 1, 3072, true, 'a', 1024, NULL)); // beyond 4096 with headers
    assert_int_equal(dfu_counter(&fx, "defrag.memcap"), 1);
    assert_int_equal(fx.dt.refused, DEFRAG_REFUSED_MEMCAP);
    assert_int_equal(dfu_counter(&fx, "defrag.max_frags_reached"), 0);
    assert_true(defrag_memuse() <= 4096);
    dfu_teardown(&fx);
    assert_int_equal(defrag_memuse(), 0);
}

static void flood_of_fragments_stays_within_memcap(void **state)
{
    (void)state;
    DefragFixture fx;
    const uint64_t memcap = 256 * 1024;
    setup_with(&fx, memcap, 65535, 65535);
    uint64_t peak = 0;
    for (uint32_t i = 0; i < 20000; i++) {
        assert_null(dfu_feed4(&fx, (uint16_t)i, (i % 7) * 8, true, 'x', 64, NULL));
        uint64_t m = defrag_memuse();
        peak = m > peak ? m : peak;
    }
    assert_true(peak <= memcap);
    assert_true(dfu_counter(&fx, "defrag.memcap") > 0);
    assert_int_equal(dfu_counter(&fx, "defrag.max_trackers_reached"), 0);
    /* still working once the flood has timed out */
    uint8_t d[16];
    uint8_t b[64];
    memset(d, 'q', sizeof(d));
    uint32_t n = dfu_build4(b, 60000, 0, true, 253, d, 8);
    assert_null(dfu_feed(&fx, b, n, 2000, NULL));
    n = dfu_build4(b, 60000, 8, false, 253, d, 8);
    Packet *r = dfu_feed(&fx, b, n, 2000, NULL);
    assert_non_null(r);
    dfu_put(r, &fx);
    dfu_teardown(&fx);
}

/* A memcap too small for one tracker: the tracker is refused and counted as
 * a memcap refusal, not as the tracker limit. */
static void memcap_refuses_tracker_and_counts_memcap(void **state)
{
    (void)state;
    DefragFixture fx;
    setup_with(&fx, 16, 100, 100);
    assert_null(dfu_feed4(&fx, 1, 0, true, 'a', 8, NULL));
    assert_int_equal(defrag_tracker_count(), 0);
    assert_int_equal(dfu_counter(&fx, "defrag.memcap"), 1);
    assert_int_equal(dfu_counter(&fx, "defrag.max_trackers_reached"), 0);
    dfu_teardown(&fx);
}

/* defrag.memuse is the bytes charged now: up while fragments wait, back to
 * zero when their datagram is rebuilt. */
static void memuse_counter_follows_the_table(void **state)
{
    (void)state;
    DefragFixture fx;
    setup_with(&fx, 1 << 20, 100, 100);
    assert_int_equal(merged("defrag.memuse"), 0);
    assert_null(dfu_feed4(&fx, 7, 0, true, 'a', 64, NULL));
    uint64_t held = defrag_memuse();
    assert_true(held > 64);
    assert_int_equal(merged("defrag.memuse"), held);
    assert_null(dfu_feed4(&fx, 8, 0, true, 'b', 64, NULL));
    uint64_t both = merged("defrag.memuse");
    assert_int_equal(both, 2 * held);
    Packet *r = dfu_feed4(&fx, 7, 64, false, 'a', 8, NULL);
    assert_non_null(r);
    dfu_put(r, &fx);
    assert_int_equal(defrag_memuse(), held);
    assert_int_equal(merged("defrag.memuse"), held);
    dfu_teardown(&fx);
}

static void config_reads_suricata_keys(void **state)
{
    (void)state;
    DefragConfig c;
    defrag_config_defaults(&c);
    assert_int_equal(c.memcap_bytes, 32u * 1024 * 1024);
    assert_int_equal(c.timeout_sec, 60);
    assert_int_equal(c.max_trackers, 65535);
    Conf *conf = conf_new();
    assert_int_equal(conf_load_string(conf,
                                      "defrag:\n  memcap: 1mb\n  timeout: 5\n  trackers: 10\n"
                                      "  max-frags: 20\n  hash-size: 64\n",
                                      "t.yaml"),
                     0);
    assert_int_equal(defrag_config_load(&c, conf), 0);
    assert_int_equal(c.memcap_bytes, 1024 * 1024);
    assert_int_equal(c.timeout_sec, 5);
    assert_int_equal(c.max_trackers, 10);
    assert_int_equal(c.max_frags, 20);
    assert_int_equal(c.hash_size, 64);
    conf_free(conf);
}

/* The three limit policies: each its own key, else the master switch. */
static void config_reads_limit_policies(void **state)
{
    (void)state;
    DefragConfig c;
    defrag_config_defaults(&c);
    Conf *conf = conf_new();
    assert_int_equal(conf_load_string(conf,
                                      "exception-policy: pass-packet\n"
                                      "defrag:\n  trackers-policy: drop-packet\n"
                                      "  max-frags-policy: reject\n",
                                      "t.yaml"),
                     0);
    assert_int_equal(defrag_config_load(&c, conf), 0);
    assert_int_equal(c.memcap_policy, FLOW_EXC_PASS_PACKET);
    assert_int_equal(c.trackers_policy, FLOW_EXC_DROP_PACKET);
    assert_int_equal(c.max_frags_policy, FLOW_EXC_REJECT);
    conf_free(conf);
    conf = conf_new();
    assert_int_equal(conf_load_string(conf, "defrag:\n  max-frags-policy: nonsense\n", "t.yaml"),
                     0);
    assert_int_equal(defrag_config_load(&c, conf), VG_EINVAL);
    conf_free(conf);
}

static void config_rejects_zero_timeout(void **state)
{
    (void)state;
    DefragConfig c;
    defrag_config_defaults(&c);
    Conf *conf = conf_new();
    assert_int_equal(conf_load_string(conf, "defrag:\n  timeout: 0\n", "t.yaml"), 0);
    assert_int_equal(defrag_config_load(&c, conf), VG_EINVAL);
    conf_free(conf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tracker_limit_refuses_and_counts),
        cmocka_unit_test(one_datagram_is_capped_in_fragments),
        cmocka_unit_test(fragment_limit_refuses_and_counts),
        cmocka_unit_test(memcap_refuses_fragment_that_does_not_fit),
        cmocka_unit_test(flood_of_fragments_stays_within_memcap),
        cmocka_unit_test(memcap_refuses_tracker_and_counts_memcap),
        cmocka_unit_test(config_reads_limit_policies),
        cmocka_unit_test(memuse_counter_follows_the_table),
        cmocka_unit_test(config_reads_suricata_keys),
        cmocka_unit_test(config_rejects_zero_timeout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
