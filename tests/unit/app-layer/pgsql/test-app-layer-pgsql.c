/* PostgreSQL through the app-layer framework (TCP 5432): startup phase, authentication,
 * queries and answers, any split, oversized and unknown messages, SSL hand-over. The
 * messages are printed by tools/gen-misc-captures.py --c (readable form above each). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/pgsql/app-layer-pgsql.h"
#include "flow/flow.h"
#include "runtime/counters.h"

/* SSLRequest (length 8, code 80877103) */
static const uint8_t pg_ssl[] = {
    0x00, 0x00, 0x00, 0x08, 0x04, 0xd2, 0x16, 0x2f
};
/* StartupMessage 3.0: user vigil, database db, application_name psql */
static const uint8_t pg_startup[] = {
    0x00, 0x00, 0x00, 0x36, 0x00, 0x03, 0x00, 0x00, 0x75, 0x73, 0x65, 0x72, 0x00, 0x76, 0x69,
    0x67, 0x69, 0x6c, 0x00, 0x64, 0x61, 0x74, 0x61, 0x62, 0x61, 0x73, 0x65, 0x00, 0x64, 0x62,
    0x00, 0x61, 0x70, 0x70, 0x6c, 0x69, 0x63, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x5f, 0x6e, 0x61,
    0x6d, 0x65, 0x00, 0x70, 0x73, 0x71, 0x6c, 0x00, 0x00
};
/* R: cleartext password asked (3) */
static const uint8_t pg_auth_clear[] = {
    0x52, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x03
};
/* p: "s3cret" */
static const uint8_t pg_password[] = {
    0x70, 0x00, 0x00, 0x00, 0x0b, 0x73, 0x33, 0x63, 0x72, 0x65, 0x74, 0x00
};
/* R ok, S DateStyle, S server_version, K 4242/99, Z idle */
static const uint8_t pg_auth_ok[] = {
    0x52, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x53, 0x00, 0x00, 0x00, 0x17, 0x44,
    0x61, 0x74, 0x65, 0x53, 0x74, 0x79, 0x6c, 0x65, 0x00, 0x49, 0x53, 0x4f, 0x2c, 0x20, 0x4d,
    0x44, 0x59, 0x00, 0x53, 0x00, 0x00, 0x00, 0x18, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0x5f,
    0x76, 0x65, 0x72, 0x73, 0x69, 0x6f, 0x6e, 0x00, 0x31, 0x36, 0x2e, 0x31, 0x00, 0x4b, 0x00,
    0x00, 0x00, 0x0c, 0x00, 0x00, 0x10, 0x92, 0x00, 0x00, 0x00, 0x63, 0x5a, 0x00, 0x00, 0x00,
    0x05, 0x49
};
/* Q "SELECT name FROM users;" */
static const uint8_t pg_query[] = {
    0x51, 0x00, 0x00, 0x00, 0x1c, 0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x6e, 0x61, 0x6d,
    0x65, 0x20, 0x46, 0x52, 0x4f, 0x4d, 0x20, 0x75, 0x73, 0x65, 0x72, 0x73, 0x3b, 0x00
};
/* T (1 field), D alice, D bob, C "SELECT 2", Z */
static const uint8_t pg_rows[] = {
    0x54, 0x00, 0x00, 0x00, 0x1d, 0x00, 0x01, 0x6e, 0x61, 0x6d, 0x65, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x44, 0x00, 0x00, 0x00, 0x0f, 0x00, 0x01, 0x00, 0x00, 0x00, 0x05, 0x61, 0x6c, 0x69, 0x63,
    0x65, 0x44, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x03, 0x62, 0x6f, 0x62,
    0x43, 0x00, 0x00, 0x00, 0x0d, 0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x32, 0x00, 0x5a,
    0x00, 0x00, 0x00, 0x05, 0x49
};
/* Q "SELECT 1/0;" */
static const uint8_t pg_bad_query[] = {
    0x51, 0x00, 0x00, 0x00, 0x10, 0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x31, 0x2f, 0x30,
    0x3b, 0x00
};
/* E (ERROR 22012 division by zero), Z */
static const uint8_t pg_error[] = {
    0x45, 0x00, 0x00, 0x00, 0x2c, 0x53, 0x45, 0x52, 0x52, 0x4f, 0x52, 0x00, 0x56, 0x45, 0x52,
    0x52, 0x4f, 0x52, 0x00, 0x43, 0x32, 0x32, 0x30, 0x31, 0x32, 0x00, 0x4d, 0x64, 0x69, 0x76,
    0x69, 0x73, 0x69, 0x6f, 0x6e, 0x20, 0x62, 0x79, 0x20, 0x7a, 0x65, 0x72, 0x6f, 0x00, 0x00,
    0x5a, 0x00, 0x00, 0x00, 0x05, 0x49
};
/* X */
static const uint8_t pg_terminate[] = {
    0x58, 0x00, 0x00, 0x00, 0x04
};

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_PGSQL, true);   // keep every tx for the test
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 6, 46000, 5432);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_PGSQL, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const uint8_t *d, uint32_t n, bool bytewise)
{
    for (uint32_t i = 0; i < n; i += bytewise ? 1 : n) {
        app_test_feed(fx->af, dir, d + i, bytewise ? 1 : n);
    }
}

static const PgsqlTx *tx_at(Fx *fx, uint32_t i)
{
    AppTx *tx = app_layer_tx_at(&fx->f, i);
    return tx != NULL && tx->proto == APP_PROTO_PGSQL ? (const PgsqlTx *)tx : NULL;
}

static void session(Fx *fx, bool bytewise)
{
    static const uint8_t no = 'N';
    feed(fx, APP_DIR_TOSERVER, pg_ssl, sizeof(pg_ssl), bytewise);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_PGSQL);
    feed(fx, APP_DIR_TOCLIENT, &no, 1, bytewise);
    feed(fx, APP_DIR_TOSERVER, pg_startup, sizeof(pg_startup), bytewise);
    feed(fx, APP_DIR_TOCLIENT, pg_auth_clear, sizeof(pg_auth_clear), bytewise);
    feed(fx, APP_DIR_TOSERVER, pg_password, sizeof(pg_password), bytewise);
    feed(fx, APP_DIR_TOCLIENT, pg_auth_ok, sizeof(pg_auth_ok), bytewise);
    feed(fx, APP_DIR_TOSERVER, pg_query, sizeof(pg_query), bytewise);
    feed(fx, APP_DIR_TOCLIENT, pg_rows, sizeof(pg_rows), bytewise);
    feed(fx, APP_DIR_TOSERVER, pg_bad_query, sizeof(pg_bad_query), bytewise);
    feed(fx, APP_DIR_TOCLIENT, pg_error, sizeof(pg_error), bytewise);
    feed(fx, APP_DIR_TOSERVER, pg_terminate, sizeof(pg_terminate), bytewise);
    assert_int_equal(app_layer_tx_count(&fx->f), 6);
    for (uint32_t i = 0; i < 6; i++) {
        assert_true(app_layer_tx_complete(&fx->f, &tx_at(fx, i)->tx, APP_DIR_TOCLIENT));
        assert_int_equal(tx_at(fx, i)->tx.n_events, 0);
    }
    assert_true(tx_at(fx, 0)->has_ssl_answer);
    assert_false(tx_at(fx, 0)->ssl_accepted);
    assert_int_equal(tx_at(fx, 1)->req_kind, PGSQL_REQ_STARTUP);
    assert_string_equal(tx_at(fx, 1)->auth_msg, "authentication_cleartext_password");
    assert_int_equal(tx_at(fx, 2)->req_kind, PGSQL_REQ_PASSWORD);
    assert_int_equal(tx_at(fx, 2)->process_id, 4242);
    const PgsqlTx *q = tx_at(fx, 3);
    assert_int_equal(q->data_rows, 2);
    assert_int_equal(q->data_size, 8);
    assert_int_equal(q->field_count, 1);
    assert_memory_equal(q->command_completed.p, "SELECT 2", 8);
    assert_non_null(tx_at(fx, 4)->error.p);
    assert_int_equal(tx_at(fx, 5)->req_kind, PGSQL_REQ_TERMINATE);
}

static void pgsql_session_whole_segments(void **state)
{
    session(*state, false);
}

static void pgsql_session_byte_by_byte(void **state)
{
    session(*state, true);
}

static void pgsql_unknown_startup_code_is_malformed(void **state)
{
    Fx *fx = *state;
    static const uint8_t odd[] = {0, 0, 0, 8, 0x00, 0xff, 0x00, 0xff};
    feed(fx, APP_DIR_TOSERVER, odd, sizeof(odd), false);
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_PGSQL);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    assert_true(app_test_tx_has_event(&tx_at(fx, 0)->tx, "pgsql.malformed_request"));
}

/* A query claiming 2 GiB: invalid_length, skipped by its length, the next one parses. */
static void pgsql_oversized_message_is_skipped(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, pg_startup, sizeof(pg_startup), false);
    static const uint8_t big[] = {'Q', 0x00, 0x20, 0x00, 0x04};   // 2 MiB
    feed(fx, APP_DIR_TOSERVER, big, sizeof(big), false);
    uint8_t *zeros = calloc(1, 65536);
    assert_non_null(zeros);
    for (uint32_t i = 0; i < 32; i++) {
        feed(fx, APP_DIR_TOSERVER, zeros, 65536, false);
    }
    free(zeros);
    feed(fx, APP_DIR_TOSERVER, pg_query, sizeof(pg_query), false);
    assert_int_equal(app_layer_tx_count(&fx->f), 3);
    assert_true(app_test_tx_has_event(&tx_at(fx, 1)->tx, "pgsql.invalid_length"));
    assert_int_equal(tx_at(fx, 2)->req_kind, PGSQL_REQ_QUERY);
}

static void pgsql_unknown_frontend_type_is_malformed(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, pg_startup, sizeof(pg_startup), false);
    static const uint8_t odd[] = {'~', 0, 0, 0, 4};
    feed(fx, APP_DIR_TOSERVER, odd, sizeof(odd), false);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    assert_true(app_test_tx_has_event(&tx_at(fx, 1)->tx, "pgsql.malformed_request"));
}

/* 'S' to SSLRequest: the rest of the connection is TLS, not parsed as PostgreSQL. */
static void pgsql_ssl_accepted_hands_over(void **state)
{
    Fx *fx = *state;
    static const uint8_t yes = 'S';
    feed(fx, APP_DIR_TOSERVER, pg_ssl, sizeof(pg_ssl), false);
    feed(fx, APP_DIR_TOCLIENT, &yes, 1, false);
    assert_true(tx_at(fx, 0)->ssl_accepted);
    assert_int_equal(app_layer_flow_proto_orig(&fx->f), APP_PROTO_PGSQL);
    feed(fx, APP_DIR_TOSERVER, pg_query, sizeof(pg_query), false);
    for (uint32_t i = 0; i < app_layer_tx_count(&fx->f); i++) {
        const PgsqlTx *t = tx_at(fx, i);
        assert_true(t == NULL || t->req_kind != PGSQL_REQ_QUERY);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(pgsql_session_whole_segments, setup, teardown),
        cmocka_unit_test_setup_teardown(pgsql_session_byte_by_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(pgsql_unknown_startup_code_is_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(pgsql_oversized_message_is_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(pgsql_unknown_frontend_type_is_malformed, setup, teardown),
        cmocka_unit_test_setup_teardown(pgsql_ssl_accepted_hands_over, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
