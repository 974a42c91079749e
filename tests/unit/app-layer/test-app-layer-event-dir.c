/* Transaction events carry the direction whose data raised them: an event of
 * the request side is not one of the response side (app-layer-event rules with
 * flow:to_server / to_client), also once the flow end forces the tx done, and
 * the same event raised by both sides is kept once per side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "runtime/plugin-internal.h"

static const char *const g_events[] = { "first", "second", "third" };

typedef struct St {
    void *last_tx;
} St;

static void *st_new(VgAppFlow *af)
{
    (void)af;
    return calloc(1, sizeof(St));
}

static void st_free(void *state)
{
    free(state);
}

/* A message is "N" (opens a tx) and/or digits: each digit raises that event on
 * the newest tx, whatever the direction. */
static int parse(VgAppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len)
{
    (void)dir;
    St *st = state;
    for (uint32_t i = 0; i < len; i++) {
        if (data[i] == 'N') {
            st->last_tx = app_layer_plugin_tx_new(af, 8);
            if (st->last_tx == NULL) {
                return VG_PARSE_ERROR;
            }
        } else if (data[i] >= '0' && data[i] <= '2' && st->last_tx != NULL) {
            app_layer_plugin_tx_event(af, st->last_tx, (uint32_t)(data[i] - '0'));
        }
    }
    return VG_PARSE_OK;
}

static const VgAppPattern k_pat[] = { { .dir = VG_DIR_TOSERVER, .bytes = "N", .len = 1 } };

static const VgAppLayer k_dir = {
    .name = "dirtest",
    .ipproto = 6,
    .first_dir = VG_DIR_TOSERVER,
    .patterns = k_pat,
    .n_patterns = 1,
    .state_new = st_new,
    .state_free = st_free,
    .parse = parse,
    .complete = { 1, 1 },
    .events = g_events,
    .n_events = 3,
};

typedef struct Fx {
    Flow f;
    AppFlow *af;
    int ev[3];
} Fx;

static int setup(void **state)
{
    assert_int_equal(app_layer_plugin_add(&k_dir), 0);
    assert_int_equal(app_layer_init(NULL), 0);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 6, 40000, 7777);
    fx->ev[0] = app_layer_event_find("dirtest.first");
    fx->ev[1] = app_layer_event_find("dirtest.second");
    fx->ev[2] = app_layer_event_find("dirtest.third");
    for (int i = 0; i < 3; i++) {
        assert_true(fx->ev[i] >= 0);
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_test_reset();
    return 0;
}

static void send(Fx *fx, uint8_t dir, const char *msg)
{
    app_test_feed(fx->af, dir, msg, (uint32_t)strlen(msg));
}

static void events_belong_to_the_side_that_raised_them(void **state)
{
    Fx *fx = *state;
    send(fx, APP_DIR_TOSERVER, "N0");
    AppTx *tx = app_layer_tx_by_id(&fx->f, 0);
    assert_non_null(tx);
    assert_true(app_layer_tx_event_in_dir(tx, fx->ev[0], APP_DIR_TOSERVER));
    assert_false(app_layer_tx_event_in_dir(tx, fx->ev[0], APP_DIR_TOCLIENT));

    send(fx, APP_DIR_TOCLIENT, "1");
    assert_true(app_layer_tx_event_in_dir(tx, fx->ev[1], APP_DIR_TOCLIENT));
    assert_false(app_layer_tx_event_in_dir(tx, fx->ev[1], APP_DIR_TOSERVER));
    assert_false(app_layer_tx_event_in_dir(tx, fx->ev[0], APP_DIR_TOCLIENT));
    assert_false(app_layer_tx_event_in_dir(tx, fx->ev[2], APP_DIR_TOSERVER));
    assert_int_equal(tx->n_events, 2);

    /* forced done at the flow's end: nothing moves to the other side */
    app_flow_end(fx->af);
    assert_true(app_layer_tx_event_in_dir(tx, fx->ev[0], APP_DIR_TOSERVER));
    assert_false(app_layer_tx_event_in_dir(tx, fx->ev[0], APP_DIR_TOCLIENT));
    assert_false(app_layer_tx_event_in_dir(tx, fx->ev[1], APP_DIR_TOSERVER));
}

static void same_event_from_both_sides_is_kept_once_per_side(void **state)
{
    Fx *fx = *state;
    send(fx, APP_DIR_TOSERVER, "N22");
    AppTx *tx = app_layer_tx_by_id(&fx->f, 0);
    assert_non_null(tx);
    assert_int_equal(tx->n_events, 1);
    send(fx, APP_DIR_TOCLIENT, "22");
    assert_int_equal(tx->n_events, 2);
    assert_int_equal(tx->events[0], fx->ev[2]);
    assert_int_equal(tx->events[1], fx->ev[2]);
    assert_true(app_layer_tx_event_in_dir(tx, fx->ev[2], APP_DIR_TOSERVER));
    assert_true(app_layer_tx_event_in_dir(tx, fx->ev[2], APP_DIR_TOCLIENT));
    send(fx, APP_DIR_TOSERVER, "2");
    assert_int_equal(tx->n_events, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(events_belong_to_the_side_that_raised_them, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(same_event_from_both_sides_is_kept_once_per_side, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
