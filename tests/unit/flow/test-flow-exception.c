/* Exception policies (flow-exception.c): loading a policy key or the master
 * switch, refusing values a policy cannot take, resolving auto and the drops
 * for IPS and IDS mode, and what applying each policy does to a packet and
 * its flow. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "flow/flow.h"
#include "util/util-error.h"
#include "util/util-json.h"
#include "util/util-log.h"

static Conf *conf_of(const char *yaml)
{
    Conf *c = conf_new();
    assert_non_null(c);
    assert_int_equal(conf_load_string(c, yaml, "test.yaml"), 0);
    return c;
}

static void own_key_wins_over_the_master_switch(void **state)
{
    (void)state;
    Conf *c = conf_of("exception-policy: drop-flow\nstream:\n  midstream-policy: pass-flow\n");
    FlowExceptionPolicy pol;
    assert_int_equal(flow_exception_policy_load(c, "stream.midstream-policy", 0, &pol), 0);
    assert_int_equal(pol, FLOW_EXC_PASS_FLOW);
    conf_free(c);
}

static void unset_key_takes_the_master_switch_adapted(void **state)
{
    (void)state;
    Conf *c = conf_of("exception-policy: drop-packet\n");
    FlowExceptionPolicy pol;
    assert_int_equal(flow_exception_policy_load(c, "stream.midstream-policy",
                                                FLOW_EXC_F_FLOW_ONLY, &pol), 0);
    assert_int_equal(pol, FLOW_EXC_DROP_FLOW);
    assert_int_equal(flow_exception_policy_load(c, "stream.midstream-policy",
                                                FLOW_EXC_F_IGNORE_OR_PASS, &pol), 0);
    assert_int_equal(pol, FLOW_EXC_IGNORE);
    conf_free(c);
}

static void nothing_set_is_auto(void **state)
{
    (void)state;
    Conf *c = conf_of("stream:\n  midstream: true\n");
    FlowExceptionPolicy pol = FLOW_EXC_NOT_SET;
    assert_int_equal(flow_exception_policy_load(c, "stream.memcap-policy", 0, &pol), 0);
    assert_int_equal(pol, FLOW_EXC_AUTO);
    assert_int_equal(flow_exception_policy_resolve(pol, true, true), FLOW_EXC_DROP_FLOW);
    assert_int_equal(flow_exception_policy_resolve(pol, true, false), FLOW_EXC_DROP_PACKET);
    assert_int_equal(flow_exception_policy_resolve(pol, false, true), FLOW_EXC_IGNORE);
    /* With midstream pick-up enabled there is nothing to act on. */
    pol = FLOW_EXC_DROP_FLOW;
    assert_int_equal(flow_exception_policy_load(c, "stream.midstream-policy",
                                                FLOW_EXC_F_IGNORE_OR_PASS, &pol), 0);
    assert_int_equal(pol, FLOW_EXC_IGNORE);
    conf_free(c);
}

static void values_a_policy_cannot_take_are_refused(void **state)
{
    (void)state;
    util_log_set_level(LOG_LEVEL_ERROR + 1);
    Conf *c = conf_of("stream:\n  midstream-policy: drop-packet\n");
    FlowExceptionPolicy pol;
    assert_int_equal(flow_exception_policy_load(c, "stream.midstream-policy",
                                                FLOW_EXC_F_FLOW_ONLY, &pol), VG_EINVAL);
    conf_free(c);
    c = conf_of("stream:\n  midstream-policy: reject\n");
    assert_int_equal(flow_exception_policy_load(c, "stream.midstream-policy",
                                                FLOW_EXC_F_IGNORE_OR_PASS, &pol), VG_EINVAL);
    conf_free(c);
    assert_int_equal(flow_exception_policy_parse("k", "sometimes", &pol), VG_EINVAL);
    assert_int_equal(flow_exception_policy_parse("k", "", &pol), VG_EINVAL);
}

static void auto_and_drops_resolve_by_mode(void **state)
{
    (void)state;
    assert_int_equal(flow_exception_policy_resolve(FLOW_EXC_AUTO, true, true),
                     FLOW_EXC_DROP_FLOW);
    assert_int_equal(flow_exception_policy_resolve(FLOW_EXC_AUTO, true, false),
                     FLOW_EXC_DROP_PACKET);
    assert_int_equal(flow_exception_policy_resolve(FLOW_EXC_AUTO, false, true), FLOW_EXC_IGNORE);
    assert_int_equal(flow_exception_policy_resolve(FLOW_EXC_DROP_FLOW, false, true),
                     FLOW_EXC_IGNORE);
    assert_int_equal(flow_exception_policy_resolve(FLOW_EXC_REJECT, false, true),
                     FLOW_EXC_IGNORE);
    assert_int_equal(flow_exception_policy_resolve(FLOW_EXC_PASS_FLOW, false, true),
                     FLOW_EXC_PASS_FLOW);
    assert_int_equal(flow_exception_policy_resolve(FLOW_EXC_PASS_FLOW, true, false),
                     FLOW_EXC_PASS_PACKET);
}

/* Clears f, the record of the policies it met included (kept in the flow). */
static void flow_clear(Flow *f)
{
    memset(f, 0, sizeof(*f));
}

static void applying_each_policy(void **state)
{
    (void)state;
    Flow f = {0};
    Packet p = {0};
    assert_false(flow_exception_apply(&f, &p, FLOW_EXC_IGNORE, PKT_DROP_STREAM_MIDSTREAM));
    assert_int_equal(p.flags, 0);

    assert_true(flow_exception_apply(&f, &p, FLOW_EXC_DROP_FLOW, PKT_DROP_STREAM_MIDSTREAM));
    assert_true(p.flags & PKT_F_DROP);
    assert_true(p.flags & PKT_F_DROP_FLOW);
    assert_int_equal(p.drop_reason, PKT_DROP_STREAM_MIDSTREAM);
    assert_true(f.flags & FLOW_F_DROP);

    flow_clear(&f);
    memset(&p, 0, sizeof(p));
    assert_true(flow_exception_apply(&f, &p, FLOW_EXC_DROP_PACKET, PKT_DROP_STREAM_MEMCAP));
    assert_true(p.flags & PKT_F_DROP);
    assert_false(f.flags & FLOW_F_DROP);

    memset(&p, 0, sizeof(p));
    assert_true(flow_exception_apply(&f, &p, FLOW_EXC_REJECT, PKT_DROP_STREAM_MIDSTREAM));
    assert_true(p.flags & PKT_F_REJECT);
    assert_true(f.flags & FLOW_F_DROP);

    flow_clear(&f);
    memset(&p, 0, sizeof(p));
    assert_true(flow_exception_apply(&f, &p, FLOW_EXC_BYPASS, PKT_DROP_STREAM_MIDSTREAM));
    assert_true(f.flags & FLOW_F_BYPASSED);
    assert_true(f.flags & FLOW_F_PASS);
    assert_true(p.flags & PKT_F_NOPACKET_INSPECT);
    assert_false(p.flags & PKT_F_DROP);

    flow_clear(&f);
    memset(&p, 0, sizeof(p));
    assert_true(flow_exception_apply(&f, &p, FLOW_EXC_PASS_PACKET, PKT_DROP_STREAM_MIDSTREAM));
    assert_true(p.flags & PKT_F_NOPACKET_INSPECT);
    assert_false(f.flags & FLOW_F_PASS);
    assert_string_equal(flow_exception_policy_name(FLOW_EXC_DROP_FLOW), "drop_flow");
    flow_clear(&f);
}

/* The flow remembers each exception once, in the order applied; the flow
 * record lists them as {target, policy}. */
static void applied_policies_are_recorded_for_the_flow_record(void **state)
{
    (void)state;
    flow_storage_reset();
    Conf *c = conf_of("exception-policy: drop-flow\n");
    FlowExceptionPolicy pol;
    assert_int_equal(flow_exception_policy_load(c, "stream.midstream-policy", 0, &pol), 0);
    conf_free(c);
    Flow f = {0};
    Packet p = {0};
    JsonBuf jb;
    assert_int_equal(json_buf_init(&jb, 256), 0);
    json_open_object(&jb, NULL);
    flow_exception_record_write(&f, &jb);
    json_close_object(&jb);
    assert_string_equal(jb.buf, "{}");
    assert_true(flow_exception_apply(&f, &p, FLOW_EXC_PASS_PACKET, PKT_DROP_STREAM_REASSEMBLY));
    assert_true(flow_exception_apply(&f, &p, FLOW_EXC_DROP_FLOW, PKT_DROP_APPLAYER_ERROR));
    assert_true(flow_exception_apply(&f, &p, FLOW_EXC_PASS_PACKET, PKT_DROP_STREAM_REASSEMBLY));
    json_buf_reset(&jb);
    json_open_object(&jb, NULL);
    flow_exception_record_write(&f, &jb);
    json_close_object(&jb);
    assert_string_equal(jb.buf,
                        "{\"exception_policy\":[{\"target\":\"stream_reassembly_memcap\","
                        "\"policy\":\"pass_packet\"},{\"target\":\"app_layer_error\","
                        "\"policy\":\"drop_flow\"}]}");
    for (int i = 0; i < FLOW_STORAGE_MAX; i++) {
        assert_null(f.storage[i]);   // in the flow itself: nothing allocated
    }
    json_buf_deinit(&jb);
    flow_clear(&f);
    flow_storage_reset();
}

/* Every target fits, each once, in the order met, whatever the policy. */
static void every_target_is_recorded_once(void **state)
{
    (void)state;
    Flow f = {0};
    Packet p = {0};
    for (int round = 0; round < 2; round++) {
        for (uint8_t r = PKT_DROP_DEFRAG_ERROR; r >= PKT_DROP_STREAM_MIDSTREAM; r--) {
            flow_exception_apply(&f, &p, round == 0 ? FLOW_EXC_NOT_SET : FLOW_EXC_REJECT, r);
        }
    }
    JsonBuf jb;
    assert_int_equal(json_buf_init(&jb, 512), 0);
    json_open_object(&jb, NULL);
    flow_exception_record_write(&f, &jb);
    json_close_object(&jb);
    assert_string_equal(
        jb.buf,
        "{\"exception_policy\":[{\"target\":\"defrag_error\",\"policy\":\"ignore\"},"
        "{\"target\":\"defrag_memcap\",\"policy\":\"ignore\"},"
        "{\"target\":\"flow_memcap\",\"policy\":\"ignore\"},"
        "{\"target\":\"app_layer_error\",\"policy\":\"ignore\"},"
        "{\"target\":\"stream_reassembly_memcap\",\"policy\":\"ignore\"},"
        "{\"target\":\"stream_memcap\",\"policy\":\"ignore\"},"
        "{\"target\":\"stream_midstream\",\"policy\":\"ignore\"}]}");
    json_buf_deinit(&jb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(own_key_wins_over_the_master_switch),
        cmocka_unit_test(unset_key_takes_the_master_switch_adapted),
        cmocka_unit_test(nothing_set_is_auto),
        cmocka_unit_test(values_a_policy_cannot_take_are_refused),
        cmocka_unit_test(auto_and_drops_resolve_by_mode),
        cmocka_unit_test(applying_each_policy),
        cmocka_unit_test(applied_policies_are_recorded_for_the_flow_record),
        cmocka_unit_test(every_target_is_recorded_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
