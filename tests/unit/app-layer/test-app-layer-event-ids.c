/* Event ids are global over every parser's events: with a plugin that names
 * many events, ids above 255 must register, be raised on a tx and on the
 * flow, and come back by name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "runtime/plugin-internal.h"


#define N_EVENTS 300
static char g_names[N_EVENTS][16];
static const char *g_events[N_EVENTS];

static void *st_new(VgAppFlow *af)
{
    (void)af;
    return calloc(1, 1);
}

static void st_free(void *state)
{
    free(state);
}

/* Every message opens a tx and raises its first byte's event number * 2 + 1
 * (so with byte 149, the last event) on it, and the flow-level event 299. */
static int parse(VgAppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len)
{
    (void)state;
    (void)dir;
    if (len == 0) {
        return VG_PARSE_OK;
    }
    void *tx = app_layer_plugin_tx_new(af, 8);
    if (tx == NULL) {
        return VG_PARSE_ERROR;
    }
    app_layer_plugin_tx_event(af, tx, (uint32_t)data[0] * 2u + 1u);
    app_layer_plugin_tx_event(af, NULL, N_EVENTS - 1);
    return VG_PARSE_OK;
}

static const VgAppPattern k_pat[] = { { .dir = VG_DIR_TOSERVER, .bytes = "WIDE", .len = 4 } };

static const VgAppLayer k_wide = {
    .name = "widetest",
    .ipproto = 6,
    .first_dir = VG_DIR_TOSERVER,
    .patterns = k_pat,
    .n_patterns = 1,
    .state_new = st_new,
    .state_free = st_free,
    .parse = parse,
    .complete = { 1, 1 },
    .events = g_events,
    .n_events = N_EVENTS,
};

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static int setup(void **state)
{
    for (int i = 0; i < N_EVENTS; i++) {
        snprintf(g_names[i], sizeof(g_names[i]), "ev%d", i);
        g_events[i] = g_names[i];
    }
    assert_int_equal(app_layer_plugin_add(&k_wide), 0);
    assert_int_equal(app_layer_init(NULL), 0);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 6, 40000, 7777);
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

static void ids_above_255_round_trip(void **state)
{
    Fx *fx = *state;
    int last = app_layer_event_find("widetest.ev299");
    assert_true(last > 255);
    assert_string_equal(app_layer_event_name(last), "widetest.ev299");
    int tx_ev = app_layer_event_find("widetest.ev299");

    uint8_t chunk[] = { 'W', 'I', 'D', 'E' };
    app_test_feed(fx->af, APP_DIR_TOSERVER, chunk, sizeof(chunk));

    const AppEventId *ids = NULL;
    uint32_t n = app_layer_flow_events(&fx->f, &ids);
    bool flow_has = false;
    for (uint32_t i = 0; i < n; i++) {
        flow_has |= ids[i] == last;
    }
    assert_true(flow_has);
    AppTx *tx = app_layer_tx_by_id(&fx->f, 0);
    assert_non_null(tx);
    /* 'W' = 87: event 175, id base + 175 */
    int want = app_layer_event_find("widetest.ev175");
    assert_true(want > 255);
    assert_int_equal(tx->n_events, 1);
    assert_int_equal(tx->events[0], want);
    assert_int_not_equal(tx->events[0], tx_ev);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(ids_above_255_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
