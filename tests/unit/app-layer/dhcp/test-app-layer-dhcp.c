/* DHCP message decoding: a full message, option 52 overload of file and sname, and
 * malformed input (short, bad op, no cookie, options running past their area, no end
 * option, an overload pointing at garbage, oversized lists). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/dhcp/app-layer-dhcp.h"

typedef struct Msg {
    uint8_t b[1500];
    uint32_t n;
} Msg;

static void base(Msg *m, uint8_t op)
{
    memset(m, 0, sizeof(*m));
    m->b[0] = op;
    m->b[1] = 1;
    m->b[2] = 6;
    m->b[4] = 0xde;
    m->b[5] = 0xad;
    m->b[6] = 0xbe;
    m->b[7] = 0xef;
    memcpy(m->b + 28, "\x00\x11\x22\x33\x44\x55", 6);
    memcpy(m->b + 236, "\x63\x82\x53\x63", 4);
    m->n = 240;
}

static void put(Msg *m, const void *d, uint32_t n)
{
    memcpy(m->b + m->n, d, n);
    m->n += n;
}

#define PUT(m, s) put((m), (s), sizeof(s) - 1)

static void full_message(void **state)
{
    (void)state;
    Msg m;
    base(&m, 2);
    PUT(&m, "\x35\x01\x05" "\x33\x04\x00\x01\x51\x80" "\x01\x04\xff\xff\xff\x00"
            "\x03\x08\x0a\x00\x00\x01\x0a\x00\x00\x02" "\x37\x03\x01\x2a\x63" "\xff");
    DhcpMsg d;
    assert_true(dhcp_decode(m.b, m.n, &d));
    assert_int_equal(d.op, DHCP_OP_REPLY);
    assert_int_equal(d.xid, 0xdeadbeef);
    assert_int_equal(d.msg_type, 5);
    assert_int_equal(d.lease_time, 86400);
    assert_int_equal(d.n_routers, 2);
    assert_memory_equal(d.routers[1], "\x0a\x00\x00\x02", 4);
    assert_int_equal(d.n_params, 3);
    assert_false(d.truncated_options);
}

static void overload(void **state)
{
    (void)state;
    Msg m;
    base(&m, 2);
    PUT(&m, "\x35\x01\x02" "\x34\x01\x03" "\xff");
    memcpy(m.b + 108, "\x06\x04\x08\x08\x08\x08\xff", 7);      // file: a dns server
    memcpy(m.b + 44, "\x3a\x04\x00\x00\x0e\x10\xff", 7);       // sname: renewal time
    DhcpMsg d;
    assert_true(dhcp_decode(m.b, m.n, &d));
    assert_int_equal(d.n_dns, 1);
    assert_true(d.has & DHCP_HAS_RENEWAL);
    assert_int_equal(d.renewal_time, 3600);
    /* without option 52 the same fields are not options */
    base(&m, 2);
    PUT(&m, "\x35\x01\x02" "\xff");
    memcpy(m.b + 108, "\x06\x04\x08\x08\x08\x08\xff", 7);
    assert_true(dhcp_decode(m.b, m.n, &d));
    assert_false(d.has & DHCP_HAS_DNS);
    /* an overloaded file field of garbage that never ends: bounded by 128 bytes */
    base(&m, 2);
    PUT(&m, "\x34\x01\x01" "\xff");
    memset(m.b + 108, 0x0c, 128);                              // hostname, length 12...
    assert_true(dhcp_decode(m.b, m.n, &d));
    assert_true(d.truncated_options);
    assert_true(d.hostname_len <= 12);
}

static void malformed(void **state)
{
    (void)state;
    Msg m;
    DhcpMsg d;
    base(&m, 1);
    assert_false(dhcp_decode(NULL, 0, &d));
    assert_false(dhcp_decode(m.b, 239, &d));                   // cookie cut
    m.b[0] = 3;
    assert_false(dhcp_decode(m.b, m.n, &d));                   // bad op
    base(&m, 1);
    m.b[239] = 0;
    assert_false(dhcp_decode(m.b, m.n, &d));                   // bad cookie
    base(&m, 1);
    PUT(&m, "\x3c\x28" "abc");                                  // vendor class: 40 claimed
    assert_true(dhcp_decode(m.b, m.n, &d));
    assert_true(d.truncated_options);
    assert_false(d.has & DHCP_HAS_VENDOR);
    base(&m, 1);
    PUT(&m, "\x35");                                            // code without length
    assert_true(dhcp_decode(m.b, m.n, &d));
    assert_true(d.truncated_options);
    base(&m, 1);
    PUT(&m, "\x35\x01\x01");                                    // no end option
    assert_true(dhcp_decode(m.b, m.n, &d));
    assert_true(d.truncated_options);
    assert_int_equal(d.msg_type, 1);
    /* long lists are cut to their bounds */
    base(&m, 1);
    uint8_t big[2 + 255];
    big[0] = 6;
    big[1] = 255;
    memset(big + 2, 9, 255);
    put(&m, big, sizeof(big));
    big[0] = 55;
    put(&m, big, sizeof(big));
    PUT(&m, "\xff");
    assert_true(dhcp_decode(m.b, m.n, &d));
    assert_int_equal(d.n_dns, DHCP_ADDRS_MAX);
    assert_int_equal(d.n_params, DHCP_PARAMS_MAX);
    assert_false(d.truncated_options);
    /* short option data: ignored, no read past it */
    base(&m, 1);
    PUT(&m, "\x33\x02\x00\x01" "\x01\x00" "\xff");
    assert_true(dhcp_decode(m.b, m.n, &d));
    assert_false(d.has & (DHCP_HAS_LEASE | DHCP_HAS_MASK));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_message),
        cmocka_unit_test(overload),
        cmocka_unit_test(malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
