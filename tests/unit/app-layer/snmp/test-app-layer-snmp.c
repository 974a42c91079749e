/* SNMP message decoding (src/app-layer/snmp/app-layer-snmp-parse.c). The messages
 * below are printed by tools/gen-misc-captures.py --c (readable form above each). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/snmp/app-layer-snmp.h"

/* v2c GetRequest, community "public", sysDescr.0 = NULL */
static const uint8_t get[] = {
    0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa0, 0x19,
    0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08,
    0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00
};
/* v2c Response, community "public", sysDescr.0 = "vigil" */
static const uint8_t resp[] = {
    0x30, 0x2b, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa2, 0x1e,
    0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x13, 0x30, 0x11, 0x06, 0x08,
    0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x04, 0x05, 0x76, 0x69, 0x67, 0x69, 0x6c
};
/* v1 Trap: enterprise 1.3.6.1.4.1.9, agent 10.0.0.1, linkDown, uptime 5, no bindings */
static const uint8_t trap1[] = {
    0x30, 0x26, 0x02, 0x01, 0x00, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa4, 0x19,
    0x06, 0x06, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x09, 0x40, 0x04, 0x0a, 0x00, 0x00, 0x01, 0x02,
    0x01, 0x02, 0x02, 0x01, 0x00, 0x43, 0x01, 0x05, 0x30, 0x00
};
/* v2c Trap, community "private": sysUpTime.0, snmpTrapOID.0 = 1.3.6.1.6.3.1.1.5.3 */
static const uint8_t trap2[] = {
    0x30, 0x41, 0x02, 0x01, 0x01, 0x04, 0x07, 0x70, 0x72, 0x69, 0x76, 0x61, 0x74, 0x65, 0xa7,
    0x33, 0x02, 0x01, 0x09, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x28, 0x30, 0x0d, 0x06,
    0x08, 0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x03, 0x00, 0x43, 0x01, 0x05, 0x30, 0x17, 0x06,
    0x0a, 0x2b, 0x06, 0x01, 0x06, 0x03, 0x01, 0x01, 0x04, 0x01, 0x00, 0x06, 0x09, 0x2b, 0x06,
    0x01, 0x06, 0x03, 0x01, 0x01, 0x05, 0x03
};
/* v3, USM user "admin", plaintext scoped GetNextRequest 1.3.6.1.2.1.1 */
static const uint8_t v3_plain[] = {
    0x30, 0x4f, 0x02, 0x01, 0x03, 0x30, 0x0f, 0x02, 0x02, 0x10, 0x92, 0x02, 0x03, 0x00, 0xff,
    0xe3, 0x04, 0x01, 0x04, 0x02, 0x01, 0x03, 0x04, 0x1a, 0x30, 0x18, 0x04, 0x05, 0x80, 0x00,
    0x1f, 0x88, 0x01, 0x02, 0x01, 0x01, 0x02, 0x01, 0x64, 0x04, 0x05, 0x61, 0x64, 0x6d, 0x69,
    0x6e, 0x04, 0x00, 0x04, 0x00, 0x30, 0x1d, 0x04, 0x00, 0x04, 0x00, 0xa1, 0x17, 0x02, 0x01,
    0x05, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0c, 0x30, 0x0a, 0x06, 0x06, 0x2b, 0x06,
    0x01, 0x02, 0x01, 0x01, 0x05, 0x00
};
/* v3, USM user "admin", encrypted scoped PDU (8 octets) */
static const uint8_t v3_enc[] = {
    0x30, 0x3a, 0x02, 0x01, 0x03, 0x30, 0x0f, 0x02, 0x02, 0x10, 0x92, 0x02, 0x03, 0x00, 0xff,
    0xe3, 0x04, 0x01, 0x04, 0x02, 0x01, 0x03, 0x04, 0x1a, 0x30, 0x18, 0x04, 0x05, 0x80, 0x00,
    0x1f, 0x88, 0x01, 0x02, 0x01, 0x01, 0x02, 0x01, 0x64, 0x04, 0x05, 0x61, 0x64, 0x6d, 0x69,
    0x6e, 0x04, 0x00, 0x04, 0x00, 0x04, 0x08, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88
};
/* v3 with msgSecurityModel 99 */
static const uint8_t v3_model[] = {
    0x30, 0x33, 0x02, 0x01, 0x03, 0x30, 0x0f, 0x02, 0x02, 0x10, 0x92, 0x02, 0x03, 0x00, 0xff,
    0xe3, 0x04, 0x01, 0x04, 0x02, 0x01, 0x63, 0x04, 0x1a, 0x30, 0x18, 0x04, 0x05, 0x80, 0x00,
    0x1f, 0x88, 0x01, 0x02, 0x01, 0x01, 0x02, 0x01, 0x64, 0x04, 0x05, 0x61, 0x64, 0x6d, 0x69,
    0x6e, 0x04, 0x00, 0x04, 0x00, 0x04, 0x01, 0x00
};
/* v2c GetRequest cut after request-id */
static const uint8_t broken[] = {
    0x30, 0x10, 0x02, 0x01, 0x01, 0x04, 0x06, 0x70, 0x75, 0x62, 0x6c, 0x69, 0x63, 0xa0, 0x03,
    0x02, 0x01, 0x01
};

#define EV(e) ((e) + 1)

static void snmp_v2c_get_request(void **state)
{
    (void)state;
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(get, sizeof(get), &m), 0);
    assert_int_equal(m.version, 2);
    assert_true(m.has_pdu);
    assert_int_equal(m.pdu_type, SNMP_PDU_GET_REQUEST);
    assert_true(m.has_community);
    assert_int_equal(m.community_len, 6);
    assert_memory_equal(m.community, "public", 6);
    assert_int_equal(m.n_vars, 1);
    assert_string_equal(m.vars[0], "1.3.6.1.2.1.1.1.0");
    assert_string_equal(m.trap_oid, "");
    snmp_msg_deinit(&m);
}

static void snmp_v2c_response(void **state)
{
    (void)state;
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(resp, sizeof(resp), &m), 0);
    assert_int_equal(m.pdu_type, SNMP_PDU_RESPONSE);
    assert_string_equal(snmp_pdu_type_name(m.pdu_type), "response");
    snmp_msg_deinit(&m);
}

static void snmp_v1_trap_enterprise_and_address(void **state)
{
    (void)state;
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(trap1, sizeof(trap1), &m), 0);
    assert_int_equal(m.version, 1);
    assert_int_equal(m.pdu_type, SNMP_PDU_TRAP_V1);
    assert_string_equal(m.trap_oid, "1.3.6.1.4.1.9");
    assert_string_equal(m.trap_address, "10.0.0.1");
    assert_int_equal(m.generic_trap, 2);
    assert_int_equal(m.n_vars, 0);
    assert_null(m.vars);
    snmp_msg_deinit(&m);
}

static void snmp_v2_trap_oid_from_bindings(void **state)
{
    (void)state;
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(trap2, sizeof(trap2), &m), 0);
    assert_int_equal(m.pdu_type, SNMP_PDU_TRAP_V2);
    assert_string_equal(m.trap_oid, "1.3.6.1.6.3.1.1.5.3");
    assert_int_equal(m.generic_trap, -1);
    assert_int_equal(m.n_vars, 2);
    snmp_msg_deinit(&m);
}

static void snmp_v3_usm_user_and_plain_pdu(void **state)
{
    (void)state;
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(v3_plain, sizeof(v3_plain), &m), 0);
    assert_int_equal(m.version, 3);
    assert_false(m.has_community);
    assert_true(m.has_usm);
    assert_memory_equal(m.usm, "admin", 5);
    assert_int_equal(m.usm_len, 5);
    assert_true(m.has_pdu);
    assert_int_equal(m.pdu_type, SNMP_PDU_GET_NEXT_REQUEST);
    snmp_msg_deinit(&m);
}

static void snmp_v3_encrypted_has_no_pdu(void **state)
{
    (void)state;
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(v3_enc, sizeof(v3_enc), &m), 0);
    assert_true(m.is_encrypted);
    assert_false(m.has_pdu);
    assert_true(m.has_usm);
    snmp_msg_deinit(&m);
}

static void snmp_v3_unknown_security_model(void **state)
{
    (void)state;
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(v3_model, sizeof(v3_model), &m),
                     EV(SNMP_EV_UNKNOWN_SECURITY_MODEL));
    assert_int_equal(m.version, 3);
    snmp_msg_deinit(&m);
}

static void snmp_broken_pdu_is_malformed(void **state)
{
    (void)state;
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(broken, sizeof(broken), &m), EV(SNMP_EV_MALFORMED_DATA));
    assert_int_equal(m.version, 2);
    assert_true(m.has_community);
    snmp_msg_deinit(&m);
}

static void snmp_every_truncation_is_malformed(void **state)
{
    (void)state;
    for (uint32_t n = 0; n < sizeof(trap2); n++) {
        SnmpMsg m;
        assert_int_equal(snmp_msg_parse(trap2, n, &m), EV(SNMP_EV_MALFORMED_DATA));
        snmp_msg_deinit(&m);
    }
}

static void snmp_garbage_and_empty(void **state)
{
    (void)state;
    static const uint8_t garbage[] = "GET / HTTP/1.1\r\n\r\n";
    static const uint8_t version9[] = {0x30, 0x03, 0x02, 0x01, 0x09};
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(garbage, sizeof(garbage) - 1, &m),
                     EV(SNMP_EV_MALFORMED_DATA));
    assert_int_equal(m.version, 0);
    assert_int_equal(snmp_msg_parse(NULL, 0, &m), EV(SNMP_EV_MALFORMED_DATA));
    assert_int_equal(snmp_msg_parse(version9, sizeof(version9), &m), EV(SNMP_EV_MALFORMED_DATA));
    assert_int_equal(snmp_probe(garbage, sizeof(garbage) - 1, 0), APP_PROBE_NO);
    assert_int_equal(snmp_probe(version9, sizeof(version9), 0), APP_PROBE_NO);
    assert_int_equal(snmp_probe(get, sizeof(get), 0), APP_PROBE_YES);
    assert_int_equal(snmp_probe(get, 10, 0), APP_PROBE_NO);
}

/* Lying length: the outer SEQUENCE claims 4 GiB. */
static void snmp_lying_length_is_malformed(void **state)
{
    (void)state;
    uint8_t lie[sizeof(get) + 3];
    memcpy(lie, get, sizeof(get));
    lie[1] = 0x84;
    memset(lie + 2, 0xff, 4);
    memcpy(lie + 6, get + 2, sizeof(get) - 5);
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(lie, sizeof(lie), &m), EV(SNMP_EV_MALFORMED_DATA));
    assert_int_equal(m.version, 0);
}

/* 1000 bindings: all counted, SNMP_VARS_MAX names kept. */
static void snmp_many_bindings_keep_a_bounded_number(void **state)
{
    (void)state;
    enum { N = 1000, VB = 14 };  // 30 0c 06 08 <8 oid octets> 05 00
    uint32_t list_len = N * VB;
    uint8_t *b = malloc(64 + list_len);
    assert_non_null(b);
    uint32_t pdu_len = 9 + 5 + list_len;
    uint32_t msg_len = 3 + 8 + 5 + pdu_len;
    uint32_t o = 0;
    const uint8_t head[] = {0x30, 0x83, (uint8_t)(msg_len >> 16), (uint8_t)(msg_len >> 8),
                            (uint8_t)msg_len, 0x02, 0x01, 0x01, 0x04, 0x06, 'p', 'u', 'b',
                            'l', 'i', 'c', 0xa1, 0x83, (uint8_t)(pdu_len >> 16),
                            (uint8_t)(pdu_len >> 8), (uint8_t)pdu_len, 0x02, 0x01, 0x01,
                            0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x83,
                            (uint8_t)(list_len >> 16), (uint8_t)(list_len >> 8),
                            (uint8_t)list_len};
    memcpy(b, head, sizeof(head));
    o = sizeof(head);
    for (uint32_t i = 0; i < N; i++) {
        const uint8_t vb[VB] = {0x30, 0x0c, 0x06, 0x08, 0x2b, 6, 1, 2, 1, 1, 1, 0, 0x05, 0x00};
        memcpy(b + o, vb, VB);
        o += VB;
    }
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(b, o, &m), 0);
    assert_int_equal(m.n_vars, N);
    assert_int_equal(m.n_vars_kept, SNMP_VARS_MAX);
    snmp_msg_deinit(&m);
    free(b);
}

/* A binding nested far deeper than the reader allows. */
static void snmp_deep_nesting_is_malformed(void **state)
{
    (void)state;
    enum { DEPTH = 200 };
    uint8_t b[16 + 2 * DEPTH];
    const uint8_t head[] = {0x30, 0x00, 0x02, 0x01, 0x01, 0x04, 0x01, 'p', 0xa0, 0x00};
    memcpy(b, head, sizeof(head));
    uint32_t o = sizeof(head);
    for (uint32_t i = 0; i < DEPTH; i++) {
        b[o++] = 0x30;
        b[o++] = (uint8_t)(2 * (DEPTH - i - 1));
    }
    /* the outer lengths pass 127: message and PDU headers in the long form */
    uint8_t msg[16 + 2 * DEPTH + 8];
    uint32_t inner = o - sizeof(head);   // the nested SEQUENCEs
    uint32_t pdu_len = inner;
    uint32_t n = 0;
    msg[n++] = 0x30;
    msg[n++] = 0x82;
    uint32_t msg_len = 3 + 3 + 4 + pdu_len;
    msg[n++] = (uint8_t)(msg_len >> 8);
    msg[n++] = (uint8_t)msg_len;
    const uint8_t mid[] = {0x02, 0x01, 0x01, 0x04, 0x01, 'p', 0xa0, 0x82,
                           (uint8_t)(pdu_len >> 8), (uint8_t)pdu_len};
    memcpy(msg + n, mid, sizeof(mid));
    n += sizeof(mid);
    memcpy(msg + n, b + sizeof(head), inner);
    n += inner;
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(msg, n, &m), EV(SNMP_EV_MALFORMED_DATA));
    snmp_msg_deinit(&m);
}

static void snmp_long_community_is_truncated(void **state)
{
    (void)state;
    uint8_t b[600];
    uint32_t clen = 500;
    uint32_t pdu = 11;           // a0 09 02 01 01 02 01 00 02 01 00 ... + 30 00
    uint32_t body = 3 + 4 + clen + pdu + 2;
    uint32_t n = 0;
    b[n++] = 0x30;
    b[n++] = 0x82;
    b[n++] = (uint8_t)(body >> 8);
    b[n++] = (uint8_t)body;
    const uint8_t ver[] = {0x02, 0x01, 0x01, 0x04, 0x82, (uint8_t)(clen >> 8), (uint8_t)clen};
    memcpy(b + n, ver, sizeof(ver));
    n += sizeof(ver);
    memset(b + n, 'c', clen);
    n += clen;
    const uint8_t p[] = {0xa0, 0x0b, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
                         0x30, 0x00};
    memcpy(b + n, p, sizeof(p));
    n += sizeof(p);
    SnmpMsg m;
    assert_int_equal(snmp_msg_parse(b, n, &m), 0);
    assert_int_equal(m.community_len, SNMP_STR_MAX - 1);
    snmp_msg_deinit(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(snmp_v2c_get_request),
        cmocka_unit_test(snmp_v2c_response),
        cmocka_unit_test(snmp_v1_trap_enterprise_and_address),
        cmocka_unit_test(snmp_v2_trap_oid_from_bindings),
        cmocka_unit_test(snmp_v3_usm_user_and_plain_pdu),
        cmocka_unit_test(snmp_v3_encrypted_has_no_pdu),
        cmocka_unit_test(snmp_v3_unknown_security_model),
        cmocka_unit_test(snmp_broken_pdu_is_malformed),
        cmocka_unit_test(snmp_every_truncation_is_malformed),
        cmocka_unit_test(snmp_garbage_and_empty),
        cmocka_unit_test(snmp_lying_length_is_malformed),
        cmocka_unit_test(snmp_many_bindings_keep_a_bounded_number),
        cmocka_unit_test(snmp_deep_nesting_is_malformed),
        cmocka_unit_test(snmp_long_community_is_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
