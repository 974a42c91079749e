/* EtherNet/IP messages (enip_msg_parse): headers, ListIdentity identity items, CIP in
 * SendRRData (unconnected) and SendUnitData (connected) items, Multiple Service
 * Packets, and truncated, empty, oversized, maximum-value and garbage input. Bytes are
 * built here from their fields (the layout of tools/gen-ics-captures.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/enip/app-layer-enip.h"

typedef struct Msg {
    uint8_t b[600];
    uint32_t n;
} Msg;

static void hdr(Msg *m, uint16_t cmd, uint16_t len, uint32_t status)
{
    memset(m->b, 0, ENIP_HDR_LEN);
    m->b[0] = (uint8_t)cmd;
    m->b[1] = (uint8_t)(cmd >> 8);
    m->b[2] = (uint8_t)len;
    m->b[3] = (uint8_t)(len >> 8);
    m->b[8] = (uint8_t)status;
    m->n = ENIP_HDR_LEN;
}

static void body(Msg *m, const uint8_t *d, uint32_t n)
{
    memcpy(m->b + m->n, d, n);
    m->n += n;
    m->b[2] = (uint8_t)(m->n - ENIP_HDR_LEN);
    m->b[3] = (uint8_t)((m->n - ENIP_HDR_LEN) >> 8);
}

/* SendRRData: handle, timeout, 2 items (null address, unconnected data with cip). */
static void rr(Msg *m, const uint8_t *cip, uint8_t n)
{
    uint8_t d[16] = {0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0xb2, 0, n, 0};
    hdr(m, ENIP_CMD_SEND_RR_DATA, 0, 0);
    body(m, d, sizeof(d));
    body(m, cip, n);
}

static void list_identity_reply_has_identity(void **state)
{
    (void)state;
    uint8_t id[] = {
        1, 0,                                        // protocol version
        0, 2, 0xaf, 0x12, 10, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 0,   // sockaddr (BE)
        1, 0, 12, 0, 58, 0, 4, 3, 0x30, 0, 0xee, 0xff, 0xc0, 0,   // vendor .. serial
        4, 'E', 'N', 'B', 'T', 3,                    // name, state
    };
    uint8_t cpf[6] = {1, 0, 0x0c, 0, sizeof(id), 0};
    Msg m;
    hdr(&m, ENIP_CMD_LIST_IDENTITY, 0, 0);
    body(&m, cpf, sizeof(cpf));
    body(&m, id, sizeof(id));
    EnipMsg e;
    bool bad;
    assert_true(enip_msg_parse(m.b, m.n, &e, &bad));
    assert_false(bad);
    assert_true(e.has_identity);
    assert_int_equal(e.identity.vendor_id, 1);
    assert_int_equal(e.identity.port, 44818);
    assert_int_equal(e.identity.rev_major, 4);
    assert_int_equal(e.identity.rev_minor, 3);
    assert_int_equal(e.identity.serial, 0xc0ffee);
    assert_int_equal(e.identity.product_name_len, 4);
    assert_memory_equal(e.identity.product_name, "ENBT", 4);
    assert_true(e.identity.has_state);
    /* the name length pointing past the item */
    m.b[m.n - 6] = 200;
    assert_true(enip_msg_parse(m.b, m.n, &e, &bad));
    assert_true(bad);
    assert_false(e.has_identity);
}

static void cip_request_path(void **state)
{
    (void)state;
    static const uint8_t cip[] = {0x0e, 3, 0x20, 0x01, 0x24, 0x01, 0x30, 0x07};
    Msg m;
    rr(&m, cip, sizeof(cip));
    EnipMsg e;
    bool bad;
    assert_true(enip_msg_parse(m.b, m.n, &e, &bad));
    assert_false(bad);
    assert_int_equal(e.n_cip, 1);
    assert_int_equal(e.cip[0].service, 0x0e);
    assert_true(e.cip[0].has_class && e.cip[0].has_instance && e.cip[0].has_attribute);
    assert_int_equal(e.cip[0].class_id, 1);
    assert_int_equal(e.cip[0].attribute, 7);
    assert_string_equal(enip_cip_service_name(e.cip[0].service), "Get Attribute Single");
}

static void cip_16bit_segments_and_cut_path(void **state)
{
    (void)state;
    static const uint8_t cip[] = {0x0e, 4, 0x21, 0x00, 0x34, 0x12, 0x25, 0x00, 0x02, 0x00};
    Msg m;
    rr(&m, cip, sizeof(cip));
    EnipMsg e;
    bool bad;
    assert_true(enip_msg_parse(m.b, m.n, &e, &bad));
    assert_false(bad);
    assert_int_equal(e.cip[0].class_id, 0x1234);
    assert_int_equal(e.cip[0].instance, 2);
    static const uint8_t cut[] = {0x0e, 9, 0x20, 0x01};   // path of 18 bytes announced
    rr(&m, cut, sizeof(cut));
    assert_true(enip_msg_parse(m.b, m.n, &e, &bad));
    assert_true(bad);
}

static void multiple_service_packet_lists_embedded(void **state)
{
    (void)state;
    static const uint8_t cip[] = {
        0x0a, 2, 0x20, 0x02, 0x24, 0x01,             // MSP to the message router
        2, 0, 6, 0, 12, 0,                           // 2 services at 6 and 12
        0x03, 2, 0x20, 0x01, 0x24, 0x01,             // get attribute list, class 1
        0x0e, 2, 0x20, 0x8b, 0x24, 0x01,             // get attribute single, class 0x8b
    };
    Msg m;
    rr(&m, cip, sizeof(cip));
    EnipMsg e;
    bool bad;
    assert_true(enip_msg_parse(m.b, m.n, &e, &bad));
    assert_false(bad);
    assert_true(e.is_cip_multi);
    assert_int_equal(e.n_cip, 3);
    assert_int_equal(e.cip[2].class_id, 0x8b);
    assert_string_equal(enip_cip_class_name(e.cip[0].class_id), "Message Router");
    /* offsets out of order / past the end */
    uint8_t bad_cip[sizeof(cip)];
    memcpy(bad_cip, cip, sizeof(cip));
    bad_cip[8] = 0xf0;
    rr(&m, bad_cip, sizeof(bad_cip));
    assert_true(enip_msg_parse(m.b, m.n, &e, &bad));
    assert_true(bad);
}

static void lying_counts_are_bounded(void **state)
{
    (void)state;
    /* 0xffff CPF items announced, none present; an MSP announcing 0xffff services */
    static const uint8_t d[] = {0, 0, 0, 0, 0, 0, 0xff, 0xff};
    Msg m;
    hdr(&m, ENIP_CMD_SEND_RR_DATA, 0, 0);
    body(&m, d, sizeof(d));
    EnipMsg e;
    bool bad;
    assert_true(enip_msg_parse(m.b, m.n, &e, &bad));
    assert_true(bad);
    static const uint8_t msp[] = {0x0a, 0, 0xff, 0xff};
    rr(&m, msp, sizeof(msp));
    assert_true(enip_msg_parse(m.b, m.n, &e, &bad));
    assert_true(bad);
    assert_int_equal(e.n_cip, 1);
}

static void truncated_empty_and_garbage(void **state)
{
    (void)state;
    EnipMsg e;
    bool bad;
    Msg m = {.n = 0};
    assert_false(enip_msg_parse(m.b, 0, &e, &bad));
    hdr(&m, ENIP_CMD_LIST_IDENTITY, 10, 0);          // length says 10, nothing follows
    assert_false(enip_msg_parse(m.b, m.n, &e, &bad));
    assert_false(enip_msg_parse(m.b, ENIP_HDR_LEN - 1, &e, &bad));
    memset(m.b, 0xff, sizeof(m.b));
    m.b[2] = 8;
    m.b[3] = 0;
    assert_true(enip_msg_parse(m.b, ENIP_HDR_LEN + 8, &e, &bad));
    assert_null(enip_command_name(e.command));
    assert_int_equal(e.status, 0xffffffffu);
    assert_null(enip_status_name(e.status));
}

static void names(void **state)
{
    (void)state;
    assert_string_equal(enip_command_name(0x63), "list_identity");
    assert_int_equal(enip_command_by_name("send_unit_data"), 0x70);
    assert_int_equal(enip_command_by_name("nope"), -1);
    assert_int_equal(enip_status_by_name("invalid_cmd"), 1);
    assert_string_equal(enip_vendor_name(1), "Rockwell Automation/Allen-Bradley");
    assert_null(enip_cip_service_name(0x7f));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(list_identity_reply_has_identity),
        cmocka_unit_test(cip_request_path),
        cmocka_unit_test(cip_16bit_segments_and_cut_path),
        cmocka_unit_test(multiple_service_packet_lists_embedded),
        cmocka_unit_test(lying_counts_are_bounded),
        cmocka_unit_test(truncated_empty_and_garbage),
        cmocka_unit_test(names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
