/* decode-vlan.c: 802.1Q, 802.1ad QinQ, depth limit, truncation, 802.1ah.
 * Sample bytes from gen-decode-samples.py. */

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "decode/decode-test-util.h"
#include "util/util-error.h"

/* Ether type 0x8100 / 802.1Q vid 100 type 0x0800 / ipv4_udp (50 bytes) */
static const uint8_t vlan[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x81, 0x00, 0x00, 0x64, 0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01,
    0x00, 0x00, 0x40, 0x11, 0x66, 0xca, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00,
    0x00, 0x02, 0x04, 0x00, 0x00, 0x35, 0x00, 0x0c, 0x22, 0xd8, 0x61, 0x62,
    0x63, 0x64,
};
/* Ether type 0x88a8 / 802.1ad vid 10 type 0x8100 / 802.1Q vid 20 (pcp 5) type 0x0800 /
 * ipv4_udp (54 bytes) */
static const uint8_t qinq[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0xa0, 0x14, 0x08, 0x00, 0x45, 0x00,
    0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x66, 0xca, 0x0a, 0x00,
    0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x00, 0x00, 0x35, 0x00, 0x0c,
    0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
};
/* Ether type 0x88a8 / vid 10 type 0x8100 / vid 20 type 0x8100 / vid 30 type 0x0800 / ipv4_udp
 * (58 bytes) */
static const uint8_t qinqinq[] = {
    0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x99, 0xaa, 0xbb,
    0x88, 0xa8, 0x00, 0x0a, 0x81, 0x00, 0x00, 0x14, 0x81, 0x00, 0x00, 0x1e,
    0x08, 0x00, 0x45, 0x00, 0x00, 0x20, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11,
    0x66, 0xca, 0x0a, 0x00, 0x00, 0x01, 0x0a, 0x00, 0x00, 0x02, 0x04, 0x00,
    0x00, 0x35, 0x00, 0x0c, 0x22, 0xd8, 0x61, 0x62, 0x63, 0x64,
};

static DecodeTestCtx t;

static int setup(void **state)
{
    (void)state;
    dtu_setup(&t, CHECKSUM_NONE);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    dtu_teardown(&t);
    return 0;
}

static void vlan_keeps_id_and_reaches_ip(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, vlan, sizeof(vlan), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->n_vlan, 1);
    assert_int_equal(p->vlan_id[0], 100);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(dtu_counter(&t, "decoder.vlan"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.vlan_qinq"), 0);
    dtu_packet_free(p);
}

static void qinq_keeps_both_ids_outermost_first(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, qinq, sizeof(qinq), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->n_vlan, 2);
    assert_int_equal(p->vlan_id[0], 10);
    assert_int_equal(p->vlan_id[1], 20); // priority bits stripped
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(dtu_counter(&t, "decoder.vlan"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.vlan_qinq"), 1);
    dtu_packet_free(p);
}

static void three_tags_are_kept_like_suricata(void **state)
{
    (void)state;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, qinqinq, sizeof(qinqinq), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->n_vlan, 3);
    assert_int_equal(p->vlan_id[2], 30);
    assert_int_equal(p->l3, PKT_L3_IPV4);
    assert_int_equal(dtu_counter(&t, "decoder.vlan"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.vlan_qinq"), 1);
    assert_int_equal(dtu_counter(&t, "decoder.vlan_qinqinq"), 1);
    dtu_packet_free(p);
}

static void fourth_tag_raises_too_many_layers(void **state)
{
    (void)state;
    uint8_t frame[sizeof(qinqinq) + 4];
    static const uint8_t tag4[] = { 0x81, 0x00, 0x00, 0x28 }; // type of tag 3, TCI of tag 4
    memcpy(frame, qinqinq, 24);
    memcpy(frame + 24, tag4, sizeof(tag4));
    memcpy(frame + 28, qinqinq + 24, sizeof(qinqinq) - 24);
    Packet *p = NULL;
    assert_true(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_VLAN_TOO_MANY_LAYERS));
    assert_true(p->flags & PKT_F_INVALID);
    assert_int_equal(p->n_vlan, 3);
    assert_int_equal(p->l3, PKT_L3_NONE);
    dtu_packet_free(p);
}

static void old_qinq_ethertype_9100_is_vlan(void **state)
{
    (void)state;
    uint8_t frame[sizeof(qinq)];
    memcpy(frame, qinq, sizeof(frame));
    frame[12] = 0x91;
    frame[13] = 0x00;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->n_vlan, 2);
    dtu_packet_free(p);
}

static void maximum_tci_gives_vid_4095(void **state)
{
    (void)state;
    uint8_t frame[sizeof(vlan)];
    memcpy(frame, vlan, sizeof(frame));
    frame[14] = 0xFF; // PCP 7, DEI 1, VID 4095
    frame[15] = 0xFF;
    Packet *p = NULL;
    assert_int_equal(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p), 0);
    assert_int_equal(p->vlan_id[0], 4095);
    dtu_packet_free(p);
}

static void unknown_inner_type_is_invalid(void **state)
{
    (void)state;
    uint8_t frame[sizeof(vlan)];
    memcpy(frame, vlan, sizeof(frame));
    frame[16] = 0x12; // inner ethertype 0x1234
    frame[17] = 0x34;
    Packet *p = NULL;
    assert_true(dtu_decode(&t, frame, sizeof(frame), LINKTYPE_ETHERNET, &p) < 0);
    assert_true(packet_has_event(p, DECODE_EV_VLAN_UNKNOWN_TYPE));
    assert_int_equal(dtu_counter(&t, "decoder.unknown_ethertype"), 1);
    dtu_packet_free(p);
}

static void check_qinq_truncation(DecodeTestCtx *tc, const Packet *p, uint32_t len, int rc,
                                  void *arg)
{
    (void)tc;
    (void)arg;
    bool short_tag = (len >= 14 && len < 18) || (len >= 18 && len < 22);
    assert_int_equal(packet_has_event(p, DECODE_EV_VLAN_HEADER_TOO_SMALL), short_tag);
    if (len < 22) {
        assert_true(rc < 0);
    }
    assert_int_equal(p->n_vlan, len < 18 ? 0 : (len < 22 ? 1 : 2));
}

static void qinq_every_truncation_is_safe(void **state)
{
    (void)state;
    dtu_for_each_truncation(&t, qinq, sizeof(qinq), LINKTYPE_ETHERNET, check_qinq_truncation,
                            NULL);
    assert_int_equal(dtu_counter(&t, "decoder.vlan"), sizeof(qinq) - 14);
    assert_int_equal(dtu_counter(&t, "decoder.vlan_qinq"), sizeof(qinq) - 18);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(vlan_keeps_id_and_reaches_ip),
        T(qinq_keeps_both_ids_outermost_first),
        T(three_tags_are_kept_like_suricata),
        T(fourth_tag_raises_too_many_layers),
        T(old_qinq_ethertype_9100_is_vlan),
        T(maximum_tci_gives_vid_4095),
        T(unknown_inner_type_is_invalid),
        T(qinq_every_truncation_is_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
