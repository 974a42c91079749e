/* acquire_af_packet_setup: which interfaces an --af-packet run captures on,
 * copy-mode pairs (each entry naming the other with the same mode), and the
 * configurations refused before anything opens (no interface is touched). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "acquire/acquire.h"
#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

static Conf *conf_of(const char *yaml)
{
    Conf *c = conf_new();
    assert_non_null(c);
    assert_int_equal(conf_load_string(c, yaml, "t.yaml"), 0);
    return c;
}

static int setup_with(const char *yaml, const char *iface, AcquireAfPacketSetup *out)
{
    Conf *c = conf_of(yaml);
    memset(out, 0, sizeof(*out));
    int rc = acquire_af_packet_setup(c, iface, out);
    conf_free(c);
    return rc;
}

#define PAIR(mode_a, peer_a, mode_b, peer_b, cid_b)                                         \
    "af-packet:\n"                                                                          \
    "  - interface: r0\n    threads: 2\n    cluster-id: 10\n    copy-mode: " mode_a "\n"    \
    "    copy-iface: " peer_a "\n"                                                          \
    "  - interface: r1\n    threads: 1\n    cluster-id: " cid_b "\n    copy-mode: " mode_b  \
    "\n    copy-iface: " peer_b "\n"

static void ips_pair_from_one_name_brings_its_peer(void **state)
{
    (void)state;
    AcquireAfPacketSetup s;
    assert_int_equal(setup_with(PAIR("ips", "r1", "ips", "r0", "11"), "r0", &s), 0);
    assert_int_equal(s.n_ifaces, 2);
    assert_int_equal(s.n_threads, 3);
    assert_int_equal(s.copy_mode, AFP_COPY_IPS);
    assert_string_equal(s.first_iface, "r0");
}

static void no_name_takes_every_listed_interface(void **state)
{
    (void)state;
    AcquireAfPacketSetup s;
    assert_int_equal(setup_with(PAIR("tap", "r1", "tap", "r0", "11"), "", &s), 0);
    assert_int_equal(s.n_ifaces, 2);
    assert_int_equal(s.copy_mode, AFP_COPY_TAP);
    assert_int_equal(setup_with("af-packet:\n  - interface: b0\n    threads: 2\n"
                                "  - interface: default\n    threads: 1\n", NULL, &s), 0);
    assert_int_equal(s.n_ifaces, 1);
    assert_int_equal(s.n_threads, 2);
    assert_int_equal(s.copy_mode, AFP_COPY_NONE);
    assert_int_equal(setup_with("af-packet:\n  - interface: default\n", NULL, &s), VG_EINVAL);
}

static void peer_not_configured_back_is_refused(void **state)
{
    (void)state;
    AcquireAfPacketSetup s;
    /* r1 names another interface */
    assert_int_equal(setup_with(PAIR("ips", "r1", "ips", "r9", "11"), "r0", &s), VG_EINVAL);
    /* r1 in another mode */
    assert_int_equal(setup_with(PAIR("ips", "r1", "tap", "r0", "11"), "r0", &s), VG_EINVAL);
    /* r1 has no entry of its own (the default entry does not count) */
    assert_int_equal(setup_with("af-packet:\n  - interface: r0\n    copy-mode: ips\n"
                                "    copy-iface: r1\n  - interface: default\n", "r0", &s),
                     VG_EINVAL);
    /* copy mode without copy-iface, and copy-iface the interface itself */
    assert_int_equal(setup_with("af-packet:\n  - interface: r0\n    copy-mode: ips\n", "r0", &s),
                     VG_EINVAL);
    assert_int_equal(setup_with("af-packet:\n  - interface: r0\n    copy-mode: ips\n"
                                "    copy-iface: r0\n", "r0", &s), VG_EINVAL);
}

static void shared_cluster_id_and_mixed_modes_are_refused(void **state)
{
    (void)state;
    AcquireAfPacketSetup s;
    assert_int_equal(setup_with(PAIR("ips", "r1", "ips", "r0", "10"), "r0", &s), VG_EINVAL);
    assert_int_equal(setup_with("af-packet:\n  - interface: a0\n    cluster-id: 1\n"
                                "  - interface: r0\n    cluster-id: 2\n    copy-mode: ips\n"
                                "    copy-iface: r1\n"
                                "  - interface: r1\n    cluster-id: 3\n    copy-mode: ips\n"
                                "    copy-iface: r0\n", NULL, &s), VG_EINVAL);
}

static void bad_copy_mode_is_refused_by_the_check(void **state)
{
    (void)state;
    Conf *c = conf_of("af-packet:\n  - interface: r0\n    copy-mode: bridge\n");
    assert_int_equal(acquire_af_packet_conf_check(c), VG_EINVAL);
    conf_free(c);
    c = conf_of(PAIR("ips", "r1", "ips", "r0", "11"));
    assert_int_equal(acquire_af_packet_conf_check(c), 0);
    conf_free(c);
}

int main(void)
{
    util_log_set_level(LOG_LEVEL_ERROR);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ips_pair_from_one_name_brings_its_peer),
        cmocka_unit_test(no_name_takes_every_listed_interface),
        cmocka_unit_test(peer_not_configured_back_is_refused),
        cmocka_unit_test(shared_cluster_id_and_mixed_modes_are_refused),
        cmocka_unit_test(bad_copy_mode_is_refused_by_the_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
