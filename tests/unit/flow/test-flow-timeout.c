#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "flow/flow-internal.h"
#include "flow/flow-test-util.h"

static int teardown(void **state)
{
    (void)state;
    counters_reset();
    return 0;
}

static void timeout_follows_protocol_and_state(void **state)
{
    (void)state;
    FlowConfig cfg;
    test_config(&cfg);
    FlowTable *ft = flow_table_new(&cfg);
    Packet p;
    test_tcp(&p, "10.0.0.1", 40000, "10.0.0.2", 80, TH_SYN, 1);
    Flow *f = flow_lookup_or_create(ft, NULL, &p);
    assert_int_equal(flow_timeout_sec(ft, f), 30);
    flow_set_state(f, FLOW_STATE_ESTABLISHED);
    assert_int_equal(flow_timeout_sec(ft, f), 300);
    flow_set_state(f, FLOW_STATE_CLOSED);
    assert_int_equal(flow_timeout_sec(ft, f), 10);
    flow_release(f);
    test_pkt(&p, "2001:db8::1", 0, "2001:db8::2", 0, 47, 1);
    f = flow_lookup_or_create(ft, NULL, &p);
    assert_int_equal(f->proto_class, FLOW_PROTO_DEFAULT);
    assert_int_equal(flow_timeout_sec(ft, f), 30);
    flow_release(f);
    flow_table_free(ft);
}

static void emergency_mode_uses_emergency_timeouts(void **state)
{
    (void)state;
    FlowConfig cfg;
    test_config(&cfg);
    FlowTable *ft = flow_table_new(&cfg);
    Packet p;
    test_tcp(&p, "10.0.0.1", 40000, "10.0.0.2", 80, TH_SYN, 1);
    Flow *f = flow_lookup_or_create(ft, NULL, &p);
    atomic_store(&ft->owners[f->owner].is_emergency, true); // its owner (thread 0)
    assert_int_equal(flow_timeout_sec(ft, f), 10);
    flow_set_state(f, FLOW_STATE_ESTABLISHED);
    assert_int_equal(flow_timeout_sec(ft, f), 100);
    flow_set_state(f, FLOW_STATE_CLOSED);
    assert_int_equal(flow_timeout_sec(ft, f), 5);
    assert_true(flow_is_expired(ft, f, 6, true));
    assert_false(flow_is_expired(ft, f, 6, false));
    assert_false(flow_is_expired(ft, f, 10, false));
    assert_true(flow_is_expired(ft, f, 11, false));
    flow_release(f);
    flow_table_free(ft);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(timeout_follows_protocol_and_state, teardown),
        cmocka_unit_test_teardown(emergency_mode_uses_emergency_timeouts, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
