#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "flow/flow.h"

static void state_names_match_eve(void **state)
{
    (void)state;
    assert_string_equal(flow_state_name(FLOW_STATE_NEW), "new");
    assert_string_equal(flow_state_name(FLOW_STATE_ESTABLISHED), "established");
    assert_string_equal(flow_state_name(FLOW_STATE_CLOSED), "closed");
    assert_string_equal(flow_state_name((FlowState)42), "unknown");
}

static void end_reason_names_match_eve(void **state)
{
    (void)state;
    assert_string_equal(flow_end_reason_name(FLOW_END_TIMEOUT), "timeout");
    assert_string_equal(flow_end_reason_name(FLOW_END_FORCED), "forced");
    assert_string_equal(flow_end_reason_name(FLOW_END_SHUTDOWN), "shutdown");
    assert_string_equal(flow_end_reason_name((FlowEndReason)9), "unknown");
}

static void age_is_last_minus_first_seen(void **state)
{
    (void)state;
    Flow f;
    memset(&f, 0, sizeof(f));
    f.start_sec = 100;
    f.last_sec = 160;
    assert_int_equal(flow_age_sec(&f), 60);
}

static void defaults_are_suricatas(void **state)
{
    (void)state;
    FlowConfig cfg;
    flow_config_defaults(&cfg);
    assert_int_equal(cfg.memcap_bytes, 128ull * 1024 * 1024);
    assert_int_equal(cfg.hash_size, 65536);
    assert_int_equal(cfg.prealloc, 10000);
    assert_int_equal(cfg.emergency_recovery_pct, 30);
    const FlowTimeouts *tcp = &cfg.timeouts[FLOW_PROTO_TCP];
    /* Suricata's built-in values, used for keys a configuration leaves out
     * (etc/vigil.yaml sets the larger ones of Suricata's shipped yaml). */
    assert_int_equal(tcp->new_sec, 30);
    assert_int_equal(tcp->established_sec, 300);
    assert_int_equal(tcp->closed_sec, 10);
    assert_int_equal(tcp->emerg_new_sec, 10);
    assert_int_equal(tcp->emerg_established_sec, 100);
    assert_int_equal(tcp->emerg_closed_sec, 5);
    assert_int_equal(cfg.timeouts[FLOW_PROTO_UDP].new_sec, 30);
    assert_int_equal(cfg.timeouts[FLOW_PROTO_UDP].established_sec, 300);
    assert_int_equal(cfg.timeouts[FLOW_PROTO_ICMP].emerg_established_sec, 100);
    assert_int_equal(cfg.timeouts[FLOW_PROTO_DEFAULT].new_sec, 30);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(state_names_match_eve),
        cmocka_unit_test(end_reason_names_match_eve),
        cmocka_unit_test(age_is_last_minus_first_seen),
        cmocka_unit_test(defaults_are_suricatas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
