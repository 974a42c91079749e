#ifndef VG_TESTS_APP_LAYER_TEST_FIXTURE_H
#define VG_TESTS_APP_LAYER_TEST_FIXTURE_H

/* What the app-layer unit tests share: a flow with its app-layer state, feeding it,
 * the reset after a test, a tx's events, and a tx's EVE object. Include after
 * <cmocka.h> (and the headers it needs). */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-json.h"

/* f becomes an IPv4 flow proto sp -> dp (addresses as the caller left them); returns
 * its app-layer state (asserted). */
static inline AppFlow *app_test_flow_open(Flow *f, uint8_t proto, uint16_t sp, uint16_t dp)
{
    f->key.proto = proto;
    f->key.src.family = f->key.dst.family = 4;
    f->key.sp = sp;
    f->key.dp = dp;
    AppFlow *af = app_flow_get_or_new(f);
    assert_non_null(af);
    return af;
}

/* One packet's data in direction dir, as the stream or the flow stage hands it over. */
static inline void app_test_feed(AppFlow *af, uint8_t dir, const void *d, uint32_t n)
{
    app_flow_data(af, dir, (const uint8_t *)d, n);
    app_flow_packet_publish(af);
}

static inline void app_test_feed_str(AppFlow *af, uint8_t dir, const char *s)
{
    app_test_feed(af, dir, s, (uint32_t)strlen(s));
}

/* After a test: the app layer, flow storage ids and counters as before app_layer_init. */
static inline void app_test_reset(void)
{
    app_layer_deinit();
    flow_storage_reset();
    counters_reset();
}

/* Whether the event named name was raised on tx. */
static inline bool app_test_tx_has_event(const AppTx *tx, const char *name)
{
    int id = app_layer_event_find(name);
    for (uint32_t i = 0; i < tx->n_events && i < APP_TX_EVENTS_MAX; i++) {
        if (tx->events[i] == id) {
            return true;
        }
    }
    return false;
}

/* The EVE object of f's tx tx_id into jb (made with cap bytes; the caller frees it with
 * json_buf_deinit): {"<proto>":{...}}. Asserts that the tx logs. */
static inline void app_test_tx_json(const Flow *f, uint64_t tx_id, JsonBuf *jb, size_t cap)
{
    assert_int_equal(json_buf_init(jb, cap), 0);
    json_open_object(jb, NULL);
    assert_true(app_layer_tx_log_json(f, tx_id, jb));
    json_close_object(jb);
}

/* Asserts that s contains want (printing both when it does not). */
#define app_test_json_has(s, want) app_test_json_has_at((s), (want), __FILE__, __LINE__)

static inline void app_test_json_has_at(const char *s, const char *want, const char *file,
                                        int line)
{
    if (strstr(s, want) == NULL) {
        print_error("%s:%d: %s\n  not in %s\n", file, line, want, s);
    }
    assert_non_null(strstr(s, want));
}

#endif
