/* IKE message decoding (src/app-layer/ike/app-layer-ike-parse.c): IKEv1 and IKEv2
 * payload chains, SA attributes and transforms, encrypted messages, malformed input. The
 * messages are printed by tools/gen-misc-captures.py --c (readable form above each). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/ike/app-layer-ike.h"

/* IKEv1 main mode msg 1: SA (3DES, SHA, PSK, group 2, life 28800 s as TLV) + VID */
static const uint8_t ike1_sa_init[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x68, 0x0d, 0x00,
    0x00, 0x38, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2c, 0x01,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x24, 0x01, 0x01, 0x00, 0x00, 0x80, 0x01, 0x00, 0x05,
    0x80, 0x02, 0x00, 0x02, 0x80, 0x03, 0x00, 0x01, 0x80, 0x04, 0x00, 0x02, 0x80, 0x0b, 0x00,
    0x01, 0x00, 0x0c, 0x00, 0x04, 0x00, 0x00, 0x70, 0x80, 0x00, 0x00, 0x00, 0x14, 0xaf, 0xca,
    0xd7, 0x13, 0x68, 0xa1, 0xf1, 0xc9, 0x6b, 0x86, 0x96, 0xfc, 0x77, 0x57, 0x01, 0x00
};
/* IKEv1 main mode msg 2: the chosen SA */
static const uint8_t ike1_sa_resp[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    0x00, 0x01, 0x10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x54, 0x00, 0x00,
    0x00, 0x38, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x2c, 0x01,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x24, 0x01, 0x01, 0x00, 0x00, 0x80, 0x01, 0x00, 0x05,
    0x80, 0x02, 0x00, 0x02, 0x80, 0x03, 0x00, 0x01, 0x80, 0x04, 0x00, 0x02, 0x80, 0x0b, 0x00,
    0x01, 0x00, 0x0c, 0x00, 0x04, 0x00, 0x00, 0x70, 0x80
};
/* IKEv1 main mode msg 3: KE (16 octets 00..0f) + nonce "NONCE123" */
static const uint8_t ike1_ke[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    0x00, 0x04, 0x10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x3c, 0x0a, 0x00,
    0x00, 0x14, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
    0x0d, 0x0e, 0x0f, 0x00, 0x00, 0x00, 0x0c, 0x4e, 0x4f, 0x4e, 0x43, 0x45, 0x31, 0x32, 0x33
};
/* IKEv1 main mode msg 5: encryption flag set, 16 octets of ciphertext */
static const uint8_t ike1_enc[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    0x00, 0x05, 0x10, 0x02, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};
/* IKEv2 IKE_SA_INIT: SA (AES-CBC, SHA1 PRF and integ, DH 14), KE, nonce, VID */
static const uint8_t ike2_init[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x21, 0x20, 0x22, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x91, 0x22, 0x00,
    0x00, 0x2c, 0x00, 0x00, 0x00, 0x28, 0x01, 0x01, 0x00, 0x04, 0x03, 0x00, 0x00, 0x08, 0x01,
    0x00, 0x00, 0x0c, 0x03, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x02, 0x03, 0x00, 0x00, 0x08,
    0x03, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x0e, 0x28, 0x00, 0x00,
    0x28, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2b, 0x00, 0x00, 0x14, 0x6e, 0x6f, 0x6e, 0x63,
    0x65, 0x2d, 0x6f, 0x66, 0x2d, 0x31, 0x36, 0x2d, 0x62, 0x79, 0x74, 0x65, 0x00, 0x00, 0x00,
    0x0d, 0x76, 0x69, 0x67, 0x69, 0x6c, 0x2d, 0x76, 0x69, 0x64
};
/* IKEv2 IKE_AUTH: one SK (encrypted) payload */
static const uint8_t ike2_auth[] = {
    0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff,
    0x00, 0x2e, 0x20, 0x23, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x38, 0x00, 0x00,
    0x00, 0x1c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00
};

#define EV(e) ((e) + 1)

static uint64_t attr(const IkeMsg *m, const char *name)
{
    int t = ike_attr_by_name(name);
    for (uint32_t i = 0; i < m->n_attrs; i++) {
        if (m->attrs[i].type == t) {
            return m->attrs[i].value;
        }
    }
    return UINT64_MAX;
}

static void ike_v1_sa_attributes(void **state)
{
    (void)state;
    IkeMsg m;
    assert_int_equal(ike_msg_parse(ike1_sa_init, sizeof(ike1_sa_init), &m), 0);
    assert_int_equal(m.maj_ver, 1);
    assert_int_equal(m.exch_type, 2);
    assert_string_equal(m.init_spi_hex, "1122334455667788");
    assert_string_equal(m.resp_spi_hex, "0000000000000000");
    assert_int_equal(m.n_proposals, 1);
    assert_int_equal(attr(&m, "alg_enc"), 5);
    assert_int_equal(attr(&m, "alg_hash"), 2);
    assert_int_equal(attr(&m, "alg_dh"), 2);
    assert_int_equal(attr(&m, "sa_life_duration"), 28800);
    assert_int_equal(m.n_vendors, 1);
    assert_string_equal(m.vendor_hex + m.vendor_hex_off[0], "afcad71368a1f1c96b8696fc77570100");
    ike_msg_deinit(&m);
    assert_int_equal(ike_msg_parse(ike1_sa_resp, sizeof(ike1_sa_resp), &m), 0);
    assert_string_equal(m.resp_spi_hex, "99aabbccddeeff00");
    assert_int_equal(m.n_vendors, 0);
    assert_null(m.vendor_hex);
    ike_msg_deinit(&m);
}

static void ike_v1_ke_and_nonce(void **state)
{
    (void)state;
    IkeMsg m;
    assert_int_equal(ike_msg_parse(ike1_ke, sizeof(ike1_ke), &m), 0);
    assert_non_null(m.ke);
    assert_int_equal(m.ke_len, 16);
    assert_int_equal(m.ke[15], 15);
    assert_int_equal(m.nonce_len, 8);
    assert_memory_equal(m.nonce, "NONCE123", 8);
    ike_msg_deinit(&m);
}

static void ike_v1_encrypted_stops_after_header(void **state)
{
    (void)state;
    IkeMsg m;
    assert_int_equal(ike_msg_parse(ike1_enc, sizeof(ike1_enc), &m), 0);
    assert_true(m.is_encrypted);
    assert_int_equal(m.n_payloads, 0);
    ike_msg_deinit(&m);
}

static void ike_v2_transforms_and_sk(void **state)
{
    (void)state;
    IkeMsg m;
    assert_int_equal(ike_msg_parse(ike2_init, sizeof(ike2_init), &m), 0);
    assert_int_equal(m.maj_ver, 2);
    assert_int_equal(m.exch_type, 34);
    assert_int_equal(m.n_attrs, 4);
    assert_int_equal(m.attrs[0].type, 1);
    assert_int_equal(m.attrs[0].value, 12);
    assert_int_equal(m.attrs[3].value, 14);
    assert_int_equal(m.ke_group, 14);
    assert_int_equal(m.ke_len, 32);
    assert_int_equal(m.nonce_len, 16);
    ike_msg_deinit(&m);
    assert_int_equal(ike_msg_parse(ike2_auth, sizeof(ike2_auth), &m), 0);
    assert_true(m.is_encrypted);
    assert_null(m.nonce);
    ike_msg_deinit(&m);
}

static void ike_every_truncation_is_malformed(void **state)
{
    (void)state;
    for (uint32_t n = 0; n < sizeof(ike2_init); n++) {
        IkeMsg m;
        assert_int_equal(ike_msg_parse(ike2_init, n, &m), EV(IKE_EV_MALFORMED_DATA));
        ike_msg_deinit(&m);
    }
}

/* A payload claiming more than the message holds; a message length past the datagram. */
static void ike_lying_lengths_are_malformed(void **state)
{
    (void)state;
    uint8_t b[sizeof(ike1_ke)];
    memcpy(b, ike1_ke, sizeof(b));
    b[28 + 2] = 0xff;            // KE payload length
    b[28 + 3] = 0xff;
    IkeMsg m;
    assert_int_equal(ike_msg_parse(b, sizeof(b), &m), EV(IKE_EV_MALFORMED_DATA));
    assert_null(m.ke);
    ike_msg_deinit(&m);
    memcpy(b, ike1_ke, sizeof(b));
    b[24] = 0x7f;                // message length 2 GiB
    assert_int_equal(ike_msg_parse(b, sizeof(b), &m), EV(IKE_EV_MALFORMED_DATA));
    ike_msg_deinit(&m);
    memcpy(b, ike1_sa_init, 28);
    b[17] = 0x30;                // version 3
    assert_int_equal(ike_msg_parse(b, 28, &m), EV(IKE_EV_MALFORMED_DATA));
    ike_msg_deinit(&m);
}

static void ike_trailing_bytes_are_extra_data(void **state)
{
    (void)state;
    uint8_t b[sizeof(ike1_ke) + 8];
    memcpy(b, ike1_ke, sizeof(ike1_ke));
    memset(b + sizeof(ike1_ke), 0, 8);
    uint32_t total = sizeof(b);
    b[24] = (uint8_t)(total >> 24);
    b[25] = (uint8_t)(total >> 16);
    b[26] = (uint8_t)(total >> 8);
    b[27] = (uint8_t)total;
    IkeMsg m;
    assert_int_equal(ike_msg_parse(b, sizeof(b), &m), EV(IKE_EV_PAYLOAD_EXTRA_DATA));
    assert_int_equal(m.ke_len, 16);
    ike_msg_deinit(&m);
}

/* Many small vendor payloads: IKE_VENDORS_MAX kept, every payload counted. */
static void ike_many_payloads_are_bounded(void **state)
{
    (void)state;
    enum { N = 500 };
    uint32_t total = 28 + N * 5;
    uint8_t *b = calloc(1, total);
    assert_non_null(b);
    memcpy(b, ike1_sa_init, 28);
    b[16] = 13;
    b[24] = (uint8_t)(total >> 24);
    b[25] = (uint8_t)(total >> 16);
    b[26] = (uint8_t)(total >> 8);
    b[27] = (uint8_t)total;
    for (uint32_t i = 0; i < N; i++) {
        uint8_t *p = b + 28 + 5 * i;
        p[0] = i + 1 < N ? 13 : 0;
        p[3] = 5;
        p[4] = (uint8_t)i;
    }
    IkeMsg m;
    assert_int_equal(ike_msg_parse(b, total, &m), 0);
    assert_int_equal(m.n_payloads, N);
    assert_int_equal(m.n_vendors, IKE_VENDORS_MAX);
    ike_msg_deinit(&m);
    free(b);
}

static void ike_attribute_names(void **state)
{
    (void)state;
    assert_int_equal(ike_attr_by_name("alg_enc"), 1);
    assert_int_equal(ike_attr_by_name("sa_key_length"), 14);
    assert_int_equal(ike_attr_by_name("nope"), -1);
    assert_string_equal(ike_attr_name(12), "sa_life_duration");
    assert_null(ike_attr_name(999));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ike_v1_sa_attributes),
        cmocka_unit_test(ike_v1_ke_and_nonce),
        cmocka_unit_test(ike_v1_encrypted_stops_after_header),
        cmocka_unit_test(ike_v2_transforms_and_sk),
        cmocka_unit_test(ike_every_truncation_is_malformed),
        cmocka_unit_test(ike_lying_lengths_are_malformed),
        cmocka_unit_test(ike_trailing_bytes_are_extra_data),
        cmocka_unit_test(ike_many_payloads_are_bounded),
        cmocka_unit_test(ike_attribute_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
