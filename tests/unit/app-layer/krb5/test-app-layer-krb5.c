/* Kerberos 5 message decoding (src/app-layer/krb5/app-layer-krb5-parse.c) and TCP record
 * framing through the app-layer framework. The messages are printed by
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
#include "app-layer/krb5/app-layer-krb5.h"
#include "flow/flow.h"
#include "runtime/counters.h"

/* AS-REQ alice@EXAMPLE.COM for krbtgt/EXAMPLE.COM, etypes 18 17 23 */
static const uint8_t krb_as_req[] = {
    0x6a, 0x81, 0x85, 0x30, 0x81, 0x82, 0xa1, 0x03, 0x02, 0x01, 0x05, 0xa2, 0x03, 0x02, 0x01,
    0x0a, 0xa4, 0x76, 0x30, 0x74, 0xa0, 0x07, 0x03, 0x05, 0x00, 0x40, 0x81, 0x00, 0x10, 0xa1,
    0x12, 0x30, 0x10, 0xa0, 0x03, 0x02, 0x01, 0x01, 0xa1, 0x09, 0x30, 0x07, 0x1b, 0x05, 0x61,
    0x6c, 0x69, 0x63, 0x65, 0xa2, 0x0d, 0x1b, 0x0b, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c, 0x45,
    0x2e, 0x43, 0x4f, 0x4d, 0xa3, 0x20, 0x30, 0x1e, 0xa0, 0x03, 0x02, 0x01, 0x02, 0xa1, 0x17,
    0x30, 0x15, 0x1b, 0x06, 0x6b, 0x72, 0x62, 0x74, 0x67, 0x74, 0x1b, 0x0b, 0x45, 0x58, 0x41,
    0x4d, 0x50, 0x4c, 0x45, 0x2e, 0x43, 0x4f, 0x4d, 0xa5, 0x11, 0x18, 0x0f, 0x32, 0x30, 0x33,
    0x37, 0x30, 0x39, 0x31, 0x33, 0x30, 0x32, 0x34, 0x38, 0x30, 0x35, 0x5a, 0xa7, 0x04, 0x02,
    0x02, 0x30, 0x39, 0xa8, 0x0b, 0x30, 0x09, 0x02, 0x01, 0x12, 0x02, 0x01, 0x11, 0x02, 0x01,
    0x17
};
/* KRB-ERROR 25 (preauth required), realm EXAMPLE.COM, sname krbtgt/EXAMPLE.COM */
static const uint8_t krb_error[] = {
    0x7e, 0x5a, 0x30, 0x58, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x1e, 0xa4,
    0x11, 0x18, 0x0f, 0x32, 0x30, 0x33, 0x37, 0x30, 0x39, 0x31, 0x33, 0x30, 0x32, 0x34, 0x38,
    0x30, 0x35, 0x5a, 0xa5, 0x03, 0x02, 0x01, 0x00, 0xa6, 0x03, 0x02, 0x01, 0x19, 0xa9, 0x0d,
    0x1b, 0x0b, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c, 0x45, 0x2e, 0x43, 0x4f, 0x4d, 0xaa, 0x20,
    0x30, 0x1e, 0xa0, 0x03, 0x02, 0x01, 0x02, 0xa1, 0x17, 0x30, 0x15, 0x1b, 0x06, 0x6b, 0x72,
    0x62, 0x74, 0x67, 0x74, 0x1b, 0x0b, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c, 0x45, 0x2e, 0x43,
    0x4f, 0x4d
};
/* AS-REP alice: ticket krbtgt/EXAMPLE.COM (etype 18), enc-part rc4-hmac (23) */
static const uint8_t krb_as_rep[] = {
    0x6b, 0x81, 0xa6, 0x30, 0x81, 0xa3, 0xa0, 0x03, 0x02, 0x01, 0x05, 0xa1, 0x03, 0x02, 0x01,
    0x0b, 0xa3, 0x0d, 0x1b, 0x0b, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c, 0x45, 0x2e, 0x43, 0x4f,
    0x4d, 0xa4, 0x12, 0x30, 0x10, 0xa0, 0x03, 0x02, 0x01, 0x01, 0xa1, 0x09, 0x30, 0x07, 0x1b,
    0x05, 0x61, 0x6c, 0x69, 0x63, 0x65, 0xa5, 0x57, 0x61, 0x55, 0x30, 0x53, 0xa0, 0x03, 0x02,
    0x01, 0x05, 0xa1, 0x0d, 0x1b, 0x0b, 0x45, 0x58, 0x41, 0x4d, 0x50, 0x4c, 0x45, 0x2e, 0x43,
    0x4f, 0x4d, 0xa2, 0x20, 0x30, 0x1e, 0xa0, 0x03, 0x02, 0x01, 0x02, 0xa1, 0x17, 0x30, 0x15,
    0x1b, 0x06, 0x6b, 0x72, 0x62, 0x74, 0x67, 0x74, 0x1b, 0x0b, 0x45, 0x58, 0x41, 0x4d, 0x50,
    0x4c, 0x45, 0x2e, 0x43, 0x4f, 0x4d, 0xa3, 0x1b, 0x30, 0x19, 0xa0, 0x03, 0x02, 0x01, 0x12,
    0xa2, 0x12, 0x04, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0xa6, 0x1b, 0x30, 0x19, 0xa0, 0x03, 0x02, 0x01, 0x17, 0xa2,
    0x12, 0x04, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00
};

#define EV(e) ((e) + 1)

static void krb5_as_req_names_and_etypes(void **state)
{
    (void)state;
    Krb5Msg m;
    assert_int_equal(krb5_msg_parse(krb_as_req, sizeof(krb_as_req), &m), 0);
    assert_int_equal(m.msg_type, 10);
    assert_true(m.has_cname);
    assert_int_equal(m.cname.n_parts, 1);
    assert_memory_equal(m.cname.part[0], "alice", 5);
    assert_int_equal(m.sname.n_parts, 2);
    assert_memory_equal(m.sname.part[1], "EXAMPLE.COM", 11);
    assert_int_equal(m.realm_len, 11);
    assert_int_equal(m.n_etypes, 3);
    assert_int_equal(m.etypes[2], 23);
}

static void krb5_error_code(void **state)
{
    (void)state;
    Krb5Msg m;
    assert_int_equal(krb5_msg_parse(krb_error, sizeof(krb_error), &m), 0);
    assert_int_equal(m.msg_type, 30);
    assert_true(m.has_error);
    assert_int_equal(m.error_code, 25);
    assert_false(m.has_cname);
    assert_true(m.has_sname);
}

static void krb5_as_rep_etypes(void **state)
{
    (void)state;
    Krb5Msg m;
    assert_int_equal(krb5_msg_parse(krb_as_rep, sizeof(krb_as_rep), &m), 0);
    assert_int_equal(m.msg_type, 11);
    assert_int_equal(m.enc_etype, 23);
    assert_int_equal(m.ticket_etype, 18);
    assert_true(krb5_etype_is_weak(m.enc_etype));
    assert_false(krb5_etype_is_weak(m.ticket_etype));
    assert_string_equal(krb5_etype_name(18), "aes256-cts-hmac-sha1-96");
}

static void krb5_truncations_and_garbage_are_malformed(void **state)
{
    (void)state;
    Krb5Msg m;
    for (uint32_t n = 0; n < sizeof(krb_as_rep); n++) {
        assert_int_equal(krb5_msg_parse(krb_as_rep, n, &m), EV(KRB5_EV_MALFORMED_DATA));
    }
    static const uint8_t garbage[] = "\x6a\x03\x02\x01\x05";   // AS-REQ holding an INTEGER
    assert_int_equal(krb5_msg_parse(garbage, sizeof(garbage) - 1, &m), EV(KRB5_EV_MALFORMED_DATA));
    static const uint8_t other[] = {0x61, 0x02, 0x30, 0x00};   // [APPLICATION 1]: no message
    assert_int_equal(krb5_msg_parse(other, sizeof(other), &m), EV(KRB5_EV_MALFORMED_DATA));
    assert_int_equal(krb5_msg_parse(NULL, 0, &m), EV(KRB5_EV_MALFORMED_DATA));
}

/* A name of 100 components: KRB5_NAME_PARTS_MAX kept. */
static void krb5_long_names_are_bounded(void **state)
{
    (void)state;
    enum { N = 100 };
    uint8_t b[16 + N * 3 + 64];
    uint32_t list = N * 3;          // 1b 01 'x' each
    uint32_t o = 0;
    /* [APPLICATION 30] SEQUENCE { [10] PrincipalName } with long-form lengths */
    uint32_t names = 4 + list;      // 30 82 LL LL + list
    uint32_t ctx1 = names;          // a1 82 .. around the SEQUENCE OF
    uint32_t pn = 5 + 4 + ctx1;     // [0] name-type (a0 03 02 01 01) + a1 82 ..
    uint32_t pseq = 4 + pn;         // 30 82 .. PrincipalName
    uint32_t c10 = 4 + pseq;        // aa 82 ..
    uint32_t body = c10;
    uint32_t outer = 4 + body;      // 30 82 ..
#define L2(x) (uint8_t)((x) >> 8), (uint8_t)(x)
    const uint8_t head[] = {0x7e, 0x82, L2(outer), 0x30, 0x82, L2(body), 0xaa, 0x82, L2(pseq),
                            0x30, 0x82, L2(pn), 0xa0, 0x03, 0x02, 0x01, 0x01, 0xa1, 0x82,
                            L2(ctx1), 0x30, 0x82, L2(list)};
    memcpy(b, head, sizeof(head));
    o = sizeof(head);
    for (uint32_t i = 0; i < N; i++) {
        b[o++] = 0x1b;
        b[o++] = 0x01;
        b[o++] = 'x';
    }
    Krb5Msg m;
    assert_int_equal(krb5_msg_parse(b, o, &m), 0);
    assert_true(m.has_sname);
    assert_int_equal(m.sname.n_parts, KRB5_NAME_PARTS_MAX);
}

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static int setup_tcp(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_KRB5, true);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->f.key.proto = 6;
    fx->f.key.src.family = fx->f.key.dst.family = 4;
    fx->f.key.sp = 51001;
    fx->f.key.dp = 88;
    fx->af = app_flow_get_or_new(&fx->f);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_KRB5, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const uint8_t *d, uint32_t n)
{
    app_test_feed(fx->af, dir, d, n);
}

/* TCP records byte by byte, then a record claiming 1 GiB is skipped by its length. */
static void krb5_tcp_records(void **state)
{
    Fx *fx = *state;
    uint8_t rec[4 + sizeof(krb_as_req)];
    rec[0] = 0;
    rec[1] = 0;
    rec[2] = (uint8_t)(sizeof(krb_as_req) >> 8);
    rec[3] = (uint8_t)sizeof(krb_as_req);
    memcpy(rec + 4, krb_as_req, sizeof(krb_as_req));
    for (uint32_t i = 0; i < sizeof(rec); i++) {
        feed(fx, APP_DIR_TOSERVER, rec + i, 1);
    }
    assert_int_equal(app_layer_flow_proto(&fx->f), APP_PROTO_KRB5);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    assert_int_equal(krb5_tx_msg(app_layer_tx_at(&fx->f, 0))->msg_type, 10);
    static const uint8_t big[] = {0x40, 0x00, 0x00, 0x00};
    feed(fx, APP_DIR_TOSERVER, big, sizeof(big));
    assert_int_equal(app_layer_tx_count(&fx->f), 2);   // malformed_data on its own tx
    uint8_t *zeros = calloc(1, 1 << 20);
    assert_non_null(zeros);
    feed(fx, APP_DIR_TOSERVER, zeros, 1 << 20);        // still inside the skipped record
    free(zeros);
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(krb5_as_req_names_and_etypes),
        cmocka_unit_test(krb5_error_code),
        cmocka_unit_test(krb5_as_rep_etypes),
        cmocka_unit_test(krb5_truncations_and_garbage_are_malformed),
        cmocka_unit_test(krb5_long_names_are_bounded),
        cmocka_unit_test_setup_teardown(krb5_tcp_records, setup_tcp, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
