/* LDAP through the app-layer framework (TCP 389): message decoding, request/response
 * pairing by message ID, framing across any split, byte by byte, oversized and broken
 * messages, buffers and the EVE object. The messages are printed by
 * tools/gen-misc-captures.py --c (readable form above each). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/ldap/app-layer-ldap.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-json.h"

/* msg 1 bindRequest v3 "cn=admin,dc=example,dc=com", simple "secret" */
static const uint8_t ldap_bind[] = {
    0x30, 0x2c, 0x02, 0x01, 0x01, 0x60, 0x27, 0x02, 0x01, 0x03, 0x04, 0x1a, 0x63, 0x6e, 0x3d,
    0x61, 0x64, 0x6d, 0x69, 0x6e, 0x2c, 0x64, 0x63, 0x3d, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c,
    0x65, 0x2c, 0x64, 0x63, 0x3d, 0x63, 0x6f, 0x6d, 0x80, 0x06, 0x73, 0x65, 0x63, 0x72, 0x65,
    0x74
};
/* msg 1 bindResponse success */
static const uint8_t ldap_bind_ok[] = {
    0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00
};
/* msg 2 searchRequest base "dc=example,dc=com" subtree, (objectClass=*), [cn] */
static const uint8_t ldap_search[] = {
    0x30, 0x3a, 0x02, 0x01, 0x02, 0x63, 0x35, 0x04, 0x11, 0x64, 0x63, 0x3d, 0x65, 0x78, 0x61,
    0x6d, 0x70, 0x6c, 0x65, 0x2c, 0x64, 0x63, 0x3d, 0x63, 0x6f, 0x6d, 0x0a, 0x01, 0x02, 0x0a,
    0x01, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00, 0x87, 0x0b, 0x6f, 0x62,
    0x6a, 0x65, 0x63, 0x74, 0x43, 0x6c, 0x61, 0x73, 0x73, 0x30, 0x04, 0x04, 0x02, 0x63, 0x6e
};
/* msg 2 searchResEntry "cn=alice,dc=example,dc=com" cn: alice */
static const uint8_t ldap_entry[] = {
    0x30, 0x32, 0x02, 0x01, 0x02, 0x64, 0x2d, 0x04, 0x1a, 0x63, 0x6e, 0x3d, 0x61, 0x6c, 0x69,
    0x63, 0x65, 0x2c, 0x64, 0x63, 0x3d, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2c, 0x64,
    0x63, 0x3d, 0x63, 0x6f, 0x6d, 0x30, 0x0f, 0x30, 0x0d, 0x04, 0x02, 0x63, 0x6e, 0x31, 0x07,
    0x04, 0x05, 0x61, 0x6c, 0x69, 0x63, 0x65
};
/* msg 2 searchResDone success */
static const uint8_t ldap_done[] = {
    0x30, 0x0c, 0x02, 0x01, 0x02, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00
};
/* msg 3 delRequest "cn=bob,dc=example,dc=com" */
static const uint8_t ldap_del[] = {
    0x30, 0x1d, 0x02, 0x01, 0x03, 0x4a, 0x18, 0x63, 0x6e, 0x3d, 0x62, 0x6f, 0x62, 0x2c, 0x64,
    0x63, 0x3d, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2c, 0x64, 0x63, 0x3d, 0x63, 0x6f,
    0x6d
};
/* msg 3 delResponse noSuchObject, matched "dc=example,dc=com", "no such entry" */
static const uint8_t ldap_del_fail[] = {
    0x30, 0x2a, 0x02, 0x01, 0x03, 0x6b, 0x25, 0x0a, 0x01, 0x20, 0x04, 0x11, 0x64, 0x63, 0x3d,
    0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x2c, 0x64, 0x63, 0x3d, 0x63, 0x6f, 0x6d, 0x04,
    0x0d, 0x6e, 0x6f, 0x20, 0x73, 0x75, 0x63, 0x68, 0x20, 0x65, 0x6e, 0x74, 0x72, 0x79
};
/* msg 4 unbindRequest */
static const uint8_t ldap_unbind[] = {
    0x30, 0x05, 0x02, 0x01, 0x04, 0x42, 0x00
};

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_LDAP, true);   // keep every tx for the test
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 6, 45000, 389);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_LDAP, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const uint8_t *d, uint32_t n)
{
    app_test_feed(fx->af, dir, d, n);
}

static void feed_bytes(Fx *fx, uint8_t dir, const uint8_t *d, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        feed(fx, dir, d + i, 1);
    }
}

static const LdapTx *tx_at(Fx *fx, uint32_t i)
{
    return ldap_tx(app_layer_tx_at(&fx->f, i));
}

static void ldap_msg_decoding(void **state)
{
    (void)state;
    uint32_t id, code;
    uint8_t op;
    const uint8_t *dn;
    uint32_t dn_len;
    assert_int_equal(ldap_msg_peek(ldap_bind, sizeof(ldap_bind), &id, &op), 0);
    assert_int_equal(id, 1);
    assert_int_equal(op, LDAP_OP_BIND_REQUEST);
    assert_true(ldap_msg_dn(ldap_bind, sizeof(ldap_bind), &dn, &dn_len));
    assert_int_equal(dn_len, 26);
    assert_memory_equal(dn, "cn=admin,dc=example,dc=com", 26);
    assert_true(ldap_msg_dn(ldap_del, sizeof(ldap_del), &dn, &dn_len));
    assert_memory_equal(dn, "cn=bob,", 7);
    assert_true(ldap_msg_dn(ldap_del_fail, sizeof(ldap_del_fail), &dn, &dn_len));
    assert_memory_equal(dn, "dc=example,dc=com", 17);
    assert_true(ldap_msg_result_code(ldap_del_fail, sizeof(ldap_del_fail), &code));
    assert_int_equal(code, 32);
    assert_string_equal(ldap_result_name(code), "no_such_object");
    assert_false(ldap_msg_result_code(ldap_entry, sizeof(ldap_entry), &code));
    assert_int_equal(ldap_msg_peek(ldap_unbind, sizeof(ldap_unbind), &id, &op), 0);
    assert_int_equal(op, LDAP_OP_UNBIND_REQUEST);
}

static void ldap_msg_truncations_and_garbage_are_refused(void **state)
{
    (void)state;
    uint32_t id;
    uint8_t op;
    for (uint32_t n = 0; n < sizeof(ldap_search); n++) {
        assert_int_equal(ldap_msg_peek(ldap_search, n, &id, &op), -2);
    }
    static const uint8_t garbage[] = "GET / HTTP/1.0\r\n\r\n";
    assert_int_not_equal(ldap_msg_peek(garbage, sizeof(garbage) - 1, &id, &op), 0);
    /* operation tag 30 (none), and unbind sent constructed */
    static const uint8_t bad_op[] = {0x30, 0x05, 0x02, 0x01, 0x01, 0x7e, 0x00};
    static const uint8_t bad_form[] = {0x30, 0x05, 0x02, 0x01, 0x01, 0x62, 0x00};
    assert_int_not_equal(ldap_msg_peek(bad_op, sizeof(bad_op), &id, &op), 0);
    assert_int_not_equal(ldap_msg_peek(bad_form, sizeof(bad_form), &id, &op), 0);
}

static void ldap_session_pairs_responses(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, ldap_bind, sizeof(ldap_bind));
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_LDAP);
    feed(fx, APP_DIR_TOCLIENT, ldap_bind_ok, sizeof(ldap_bind_ok));
    feed(fx, APP_DIR_TOSERVER, ldap_search, sizeof(ldap_search));
    feed(fx, APP_DIR_TOCLIENT, ldap_entry, sizeof(ldap_entry));
    const LdapTx *t = tx_at(fx, 1);
    assert_non_null(t);
    assert_false(app_layer_tx_complete(&fx->f, &t->tx, APP_DIR_TOCLIENT));
    feed(fx, APP_DIR_TOCLIENT, ldap_done, sizeof(ldap_done));
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, APP_DIR_TOCLIENT));
    assert_int_equal(t->n_resp, 2);
    assert_int_equal(t->resp[0].op, LDAP_OP_SEARCH_RESULT_ENTRY);
    feed(fx, APP_DIR_TOSERVER, ldap_unbind, sizeof(ldap_unbind));
    assert_int_equal(app_layer_tx_count(&fx->f), 3);
    t = tx_at(fx, 2);
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, APP_DIR_TOCLIENT));   // no response
    /* the EVE object */
    JsonBuf jb;
    app_test_tx_json(&fx->f, 1, &jb, 1024);
    assert_non_null(strstr(jb.buf, "\"responses\":[{\"message_id\":2,\"operation\":"
                                   "\"search_result_entry\",\"search_result_entry\":"
                                   "{\"base_object\":\"cn=alice,dc=example,dc=com\""));
    assert_non_null(strstr(jb.buf, "\"search_result_done\":{\"result_code\":\"success\""));
    json_buf_deinit(&jb);
}

static void ldap_byte_by_byte_is_the_same(void **state)
{
    Fx *fx = *state;
    feed_bytes(fx, APP_DIR_TOSERVER, ldap_search, sizeof(ldap_search));
    uint8_t both[sizeof(ldap_entry) + sizeof(ldap_done)];
    memcpy(both, ldap_entry, sizeof(ldap_entry));
    memcpy(both + sizeof(ldap_entry), ldap_done, sizeof(ldap_done));
    feed_bytes(fx, APP_DIR_TOCLIENT, both, sizeof(both));
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    const LdapTx *t = tx_at(fx, 0);
    assert_int_equal(t->n_resp, 2);
    assert_true(app_layer_tx_complete(&fx->f, &t->tx, APP_DIR_TOCLIENT));
    /* buffers */
    int id = app_layer_buffer_find_for("ldap.responses.dn", APP_PROTO_LDAP, APP_DIR_TOCLIENT);
    assert_true(id >= 0);
    const AppBufferDef *d = app_layer_buffer_def(id);
    const uint8_t *p;
    uint32_t n;
    assert_true(d->get_multi(&fx->f, &t->tx, 0, &p, &n));
    assert_memory_equal(p, "cn=alice", 8);
    assert_true(d->get_multi(&fx->f, &t->tx, 1, &p, &n));   // the done's matched DN
    assert_int_equal(n, 0);
    assert_false(d->get_multi(&fx->f, &t->tx, 2, &p, &n));
}

static void ldap_response_without_request(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, ldap_bind, sizeof(ldap_bind));
    feed(fx, APP_DIR_TOCLIENT, ldap_del_fail, sizeof(ldap_del_fail));   // ID 3: unknown
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    const LdapTx *t = tx_at(fx, 1);
    assert_false(t->has_request);
    assert_true(app_test_tx_has_event(&t->tx, "ldap.request_not_found"));
}

/* A message claiming 16 MiB: skipped by its length, the next one parses. */
static void ldap_oversized_message_is_skipped(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, ldap_bind, sizeof(ldap_bind));
    static const uint8_t big_hdr[] = {0x30, 0x84, 0x01, 0x00, 0x00, 0x00};
    feed(fx, APP_DIR_TOSERVER, big_hdr, sizeof(big_hdr));
    uint8_t *zeros = calloc(1, 65536);
    assert_non_null(zeros);
    for (uint32_t i = 0; i < 256; i++) {
        feed(fx, APP_DIR_TOSERVER, zeros, 65536);
    }
    free(zeros);
    feed(fx, APP_DIR_TOSERVER, ldap_unbind, sizeof(ldap_unbind));
    uint32_t n = app_layer_tx_count(&fx->f);
    assert_int_equal(n, 3);
    assert_true(app_test_tx_has_event(&tx_at(fx, 1)->tx, "ldap.invalid_data"));
    assert_int_equal(tx_at(fx, 2)->req.op, LDAP_OP_UNBIND_REQUEST);
}

/* A header that is no LDAPMessage stops the direction (one event). */
static void ldap_garbage_stops_the_direction(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, ldap_bind, sizeof(ldap_bind));
    static const uint8_t junk[] = "\x05\x00garbage";
    feed(fx, APP_DIR_TOSERVER, junk, sizeof(junk) - 1);
    feed(fx, APP_DIR_TOSERVER, ldap_unbind, sizeof(ldap_unbind));
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    assert_true(app_test_tx_has_event(&tx_at(fx, 1)->tx, "ldap.invalid_data"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ldap_msg_decoding),
        cmocka_unit_test(ldap_msg_truncations_and_garbage_are_refused),
        cmocka_unit_test_setup_teardown(ldap_session_pairs_responses, setup, teardown),
        cmocka_unit_test_setup_teardown(ldap_byte_by_byte_is_the_same, setup, teardown),
        cmocka_unit_test_setup_teardown(ldap_response_without_request, setup, teardown),
        cmocka_unit_test_setup_teardown(ldap_oversized_message_is_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(ldap_garbage_stops_the_direction, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
