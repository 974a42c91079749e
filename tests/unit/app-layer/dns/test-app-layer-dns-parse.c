/* The DNS message parser alone: header, sections, rdata types, name decompression and its
 * limits, truncated/empty/oversized/garbage input, and the probe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/dns/app-layer-dns.h"
#include "app-layer/dns/dns-test-util.h"
#include "util/util-error.h"

static DnsBuild g_d;

static bool name_is(const DnsMessage *m, const DnsName *n, const char *want)
{
    return n->len == strlen(want) && memcmp(dns_name_bytes(m, n), want, n->len) == 0;
}

/* id 0x1234, RD, one question www.example.com A */
static void build_query(DnsBuild *d)
{
    db_header(d, 0x1234, 0x0100, 1, 0, 0, 0);
    db_question(d, "www.example.com", DNS_RR_A);
}

static void query_parses_header_and_question(void **state)
{
    (void)state;
    build_query(&g_d);
    DnsMessage m;
    assert_int_equal(dns_message_parse(g_d.b, g_d.n, &m), 0);
    assert_int_equal(m.id, 0x1234);
    assert_int_equal(m.flags, 0x0100);
    assert_int_equal(m.n_sec[DNS_SEC_QUERY], 1);
    assert_true(name_is(&m, &m.rr[0].name, "www.example.com"));
    assert_int_equal(m.rr[0].rrtype, DNS_RR_A);
    assert_int_equal(m.events, 0);
    assert_true(m.is_complete);
    dns_message_deinit(&m);
}

/* Response: question, then answers CNAME (pointer to the question name), A, AAAA, MX,
 * TXT "v=spf1" "x", SRV, SSHFP, an unknown type 99 kept raw; authority SOA; additional
 * OPT with the root name. */
static void build_response(DnsBuild *d)
{
    db_header(d, 0x1234, 0x8180, 1, 8, 1, 1);
    db_question(d, "www.example.com", DNS_RR_A);    // name at offset 12
    db_ptr(d, 12);
    db_rr_fixed(d, DNS_RR_CNAME, 300, 8);
    db_u8(d, 5);
    db_bytes(d, "alias", 5);
    db_ptr(d, 16);                                   // "example.com"
    db_ptr(d, 12);
    static const uint8_t a[4] = {192, 0, 2, 1};
    db_rr_fixed(d, DNS_RR_A, 60, 4);
    db_bytes(d, a, 4);
    static const uint8_t aaaa[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    db_ptr(d, 12);
    db_rr_fixed(d, DNS_RR_AAAA, 60, 16);
    db_bytes(d, aaaa, 16);
    db_ptr(d, 16);
    db_rr_fixed(d, DNS_RR_MX, 60, 2 + 7);
    db_u16(d, 10);
    db_u8(d, 4);
    db_bytes(d, "mail", 4);
    db_ptr(d, 16);
    db_ptr(d, 16);
    db_rr_fixed(d, DNS_RR_TXT, 60, 7 + 2);
    db_u8(d, 6);
    db_bytes(d, "v=spf1", 6);
    db_u8(d, 1);
    db_bytes(d, "x", 1);
    db_ptr(d, 16);
    db_rr_fixed(d, DNS_RR_SRV, 60, 6 + 2);
    db_u16(d, 20);
    db_u16(d, 5);
    db_u16(d, 5060);
    db_ptr(d, 16);
    db_ptr(d, 16);
    db_rr_fixed(d, DNS_RR_SSHFP, 60, 2 + 4);
    db_u8(d, 1);
    db_u8(d, 2);
    db_bytes(d, "\xde\xad\xbe\xef", 4);
    db_ptr(d, 16);
    db_rr_fixed(d, 99, 60, 3);
    db_bytes(d, "abc", 3);
    db_ptr(d, 16);                                   // authority SOA
    db_rr_fixed(d, DNS_RR_SOA, 900, 2 + 2 + 20);
    db_ptr(d, 12);
    db_ptr(d, 16);
    for (uint32_t i = 1; i <= 5; i++) {
        db_u32(d, i * 100);
    }
    db_u8(d, 0);                                     // additional OPT, root name
    db_rr_fixed(d, DNS_RR_OPT, 0, 0);
}

static void response_decodes_every_rdata_type(void **state)
{
    (void)state;
    build_response(&g_d);
    DnsMessage m;
    assert_int_equal(dns_message_parse(g_d.b, g_d.n, &m), 0);
    assert_int_equal(m.n_sec[DNS_SEC_ANSWER], 8);
    assert_int_equal(m.n_sec[DNS_SEC_AUTHORITY], 1);
    assert_int_equal(m.n_sec[DNS_SEC_ADDITIONAL], 1);
    uint32_t n;
    const DnsRecord *an = dns_message_section(&m, DNS_SEC_ANSWER, &n);
    assert_true(name_is(&m, &an[0].target, "alias.example.com"));
    assert_int_equal(an[1].rd_kind, DNS_RD_ADDR);
    assert_int_equal(an[1].data_len, 4);
    assert_int_equal(an[2].data_len, 16);
    assert_int_equal(an[3].num[0], 10);
    assert_true(name_is(&m, &an[3].target, "mail.example.com"));
    assert_int_equal(an[4].rd_kind, DNS_RD_TXT);
    assert_int_equal(an[5].num[2], 5060);
    assert_true(name_is(&m, &an[5].target, "example.com"));
    assert_int_equal(an[6].num[0], 1);
    assert_int_equal(an[6].data_len, 4);
    assert_int_equal(an[7].rd_kind, DNS_RD_RAW);
    assert_memory_equal(m.pool + an[7].data_off, "abc", 3);
    const DnsRecord *ns = dns_message_section(&m, DNS_SEC_AUTHORITY, &n);
    assert_true(name_is(&m, &ns[0].target2, "example.com"));
    assert_int_equal(ns[0].num[4], 500);
    const DnsRecord *ar = dns_message_section(&m, DNS_SEC_ADDITIONAL, &n);
    assert_int_equal(ar[0].name.len, 0);
    assert_int_equal(ar[0].rrtype, DNS_RR_OPT);
    dns_message_deinit(&m);
}

static void every_truncation_is_malformed_not_a_crash(void **state)
{
    (void)state;
    build_response(&g_d);
    for (uint32_t len = 0; len < g_d.n; len++) {
        uint8_t *copy = malloc(len ? len : 1);   // exact size: ASan sees any over-read
        memcpy(copy, g_d.b, len);
        DnsMessage m;
        int rc = dns_message_parse(copy, len, &m);
        assert_int_equal(rc, VG_EINVAL);
        assert_true(m.events & (1u << DNS_EV_MALFORMED_DATA));
        dns_message_deinit(&m);
        free(copy);
    }
}

static void empty_message_is_malformed(void **state)
{
    (void)state;
    DnsMessage m;
    assert_int_equal(dns_message_parse((const uint8_t *)"", 0, &m), VG_EINVAL);
    assert_int_equal(m.n_rr, 0);
    dns_message_deinit(&m);
}

/* A pointer to itself: the jump limit ends it, flagged as a loop; the message still
 * parses (the name's end is known from its first pointer). */
static void self_pointer_is_an_infinite_loop(void **state)
{
    (void)state;
    db_header(&g_d, 1, 0x0100, 1, 0, 0, 0);
    db_ptr(&g_d, 12);
    db_u16(&g_d, 1);
    db_u16(&g_d, 1);
    DnsMessage m;
    assert_int_equal(dns_message_parse(g_d.b, g_d.n, &m), 0);
    assert_true(m.rr[0].name.flags & DNS_NAME_F_LOOP);
    assert_true(m.events & (1u << DNS_EV_INFINITE_LOOP));
    dns_message_deinit(&m);
}

/* Two labels pointing at each other. */
static void pointer_cycle_is_an_infinite_loop(void **state)
{
    (void)state;
    db_header(&g_d, 1, 0x0100, 1, 0, 0, 0);
    db_u8(&g_d, 1);          // offset 12: "a" then pointer to 16
    db_u8(&g_d, 'a');
    db_ptr(&g_d, 16);
    db_u8(&g_d, 1);          // offset 16: "b" then pointer to 12
    db_u8(&g_d, 'b');
    db_ptr(&g_d, 12);
    db_u16(&g_d, 1);
    db_u16(&g_d, 1);
    DnsMessage m;
    int rc = dns_message_parse(g_d.b, g_d.n, &m);
    assert_true(rc == 0 || rc == VG_EINVAL);
    assert_true(m.events & ((1u << DNS_EV_INFINITE_LOOP) | (1u << DNS_EV_TOO_MANY_LABELS)));
    dns_message_deinit(&m);
}

static void pointer_past_the_end_is_malformed(void **state)
{
    (void)state;
    db_header(&g_d, 1, 0x0100, 1, 0, 0, 0);
    db_ptr(&g_d, 0x3fff);
    db_u16(&g_d, 1);
    db_u16(&g_d, 1);
    DnsMessage m;
    assert_int_equal(dns_message_parse(g_d.b, g_d.n, &m), VG_EINVAL);
    dns_message_deinit(&m);
}

/* 200 labels of 63 bytes: cut at DNS_NAME_MAX and flagged. */
static void long_name_is_truncated_at_the_maximum(void **state)
{
    (void)state;
    db_header(&g_d, 1, 0x0100, 1, 0, 0, 0);
    for (int i = 0; i < 200; i++) {
        db_u8(&g_d, 63);
        memset(g_d.b + g_d.n, 'x', 63);
        g_d.n += 63;
    }
    db_u8(&g_d, 0);
    db_u16(&g_d, 1);
    db_u16(&g_d, 1);
    DnsMessage m;
    assert_int_equal(dns_message_parse(g_d.b, g_d.n, &m), 0);
    assert_int_equal(m.rr[0].name.len, DNS_NAME_MAX);
    assert_true(m.rr[0].name.flags & DNS_NAME_F_TRUNCATED);
    assert_true(m.events & (1u << DNS_EV_NAME_TOO_LONG));
    dns_message_deinit(&m);
}

/* 300 one-byte labels: too many labels. */
static void too_many_labels_are_flagged(void **state)
{
    (void)state;
    db_header(&g_d, 1, 0x0100, 1, 0, 0, 0);
    for (int i = 0; i < 300; i++) {
        db_u8(&g_d, 1);
        db_u8(&g_d, 'a');
    }
    db_u8(&g_d, 0);
    db_u16(&g_d, 1);
    db_u16(&g_d, 1);
    DnsMessage m;
    assert_int_equal(dns_message_parse(g_d.b, g_d.n, &m), 0);
    assert_true(m.events & (1u << DNS_EV_TOO_MANY_LABELS));
    dns_message_deinit(&m);
}

/* Counts that lie: 65535 answers claimed, none present. */
static void lying_counts_are_malformed_and_bounded(void **state)
{
    (void)state;
    db_header(&g_d, 1, 0x8180, 1, 0xffff, 0xffff, 0xffff);
    db_question(&g_d, "a.b", DNS_RR_A);
    DnsMessage m;
    assert_int_equal(dns_message_parse(g_d.b, g_d.n, &m), VG_EINVAL);
    assert_true(m.rr_cap <= (g_d.n - DNS_HEADER_LEN) / 5);
    dns_message_deinit(&m);
}

/* 10,000 questions pointing at one long name share its bytes. */
static void repeated_pointer_names_share_their_bytes(void **state)
{
    (void)state;
    db_header(&g_d, 1, 0x0100, 10000, 0, 0, 0);
    for (int i = 0; i < 16; i++) {
        db_u8(&g_d, 63);
        memset(g_d.b + g_d.n, 'y', 63);
        g_d.n += 63;
    }
    db_u8(&g_d, 0);
    db_u16(&g_d, 1);
    db_u16(&g_d, 1);
    for (int i = 1; i < 10000; i++) {
        db_ptr(&g_d, 12);
        db_u16(&g_d, 16);
        db_u16(&g_d, 1);
    }
    DnsMessage m;
    assert_int_equal(dns_message_parse(g_d.b, g_d.n, &m), 0);
    assert_int_equal(m.n_rr, DNS_MAX_RECORDS);
    assert_true(m.events & (1u << DNS_EV_TOO_MANY_RECORDS));
    assert_true(m.pool_len < 2048);
    dns_message_deinit(&m);
}

static void bad_rdata_lengths_are_malformed(void **state)
{
    (void)state;
    db_header(&g_d, 1, 0x8180, 0, 1, 0, 0);
    db_name(&g_d, "a");
    db_rr_fixed(&g_d, DNS_RR_A, 1, 3);   // A with 3 bytes
    db_bytes(&g_d, "abc", 3);
    DnsMessage m;
    assert_int_equal(dns_message_parse(g_d.b, g_d.n, &m), VG_EINVAL);
    dns_message_deinit(&m);
    db_header(&g_d, 1, 0x8180, 0, 1, 0, 0);
    db_name(&g_d, "a");
    db_rr_fixed(&g_d, DNS_RR_TXT, 1, 3);  // string length 5 in 3 bytes
    db_bytes(&g_d, "\x05zz", 3);
    assert_int_equal(dns_message_parse(g_d.b, g_d.n, &m), VG_EINVAL);
    dns_message_deinit(&m);
}

static void maximum_values_parse(void **state)
{
    (void)state;
    db_header(&g_d, 0xffff, 0xffff, 1, 1, 0, 0);
    db_question(&g_d, "m", 0xffff);
    db_ptr(&g_d, 12);
    db_rr_fixed(&g_d, 0xffff, 0xffffffffu, 0);
    DnsMessage m;
    assert_int_equal(dns_message_parse(g_d.b, g_d.n, &m), 0);
    assert_int_equal(m.id, 0xffff);
    assert_int_equal(dns_opcode(m.flags), 15);
    assert_int_equal(dns_rcode(m.flags), 15);
    assert_int_equal(m.rr[1].ttl, 0xffffffffu);
    assert_null(dns_rcode_name(15));
    assert_null(dns_rrtype_name(0xffff));
    dns_message_deinit(&m);
}

/* Pseudo-random garbage never crashes, leaks or reads out of bounds. */
static void garbage_never_crashes(void **state)
{
    (void)state;
    uint32_t x = 12345;
    for (int round = 0; round < 2000; round++) {
        uint32_t len = (x >> 8) % 300;
        uint8_t *buf = malloc(len ? len : 1);
        for (uint32_t i = 0; i < len; i++) {
            x = x * 1103515245u + 12345u;
            buf[i] = (uint8_t)(x >> 16);
            if (i >= 4 && i < 12) {
                buf[i] &= 0x01;  // small counts, so records get parsed
            }
        }
        DnsMessage m;
        int rc = dns_message_parse(buf, len, &m);
        assert_true(rc == 0 || rc == VG_EINVAL);
        dns_message_deinit(&m);
        (void)dns_probe_message(buf, len, true);
        (void)dns_probe_message(buf, len, false);
        free(buf);
        x = x * 1103515245u + 12345u;
    }
}

static void probe_accepts_dns_and_refuses_junk(void **state)
{
    (void)state;
    build_query(&g_d);
    assert_int_equal(dns_probe_message(g_d.b, g_d.n, false), APP_PROBE_YES);
    assert_int_equal(dns_probe_message((const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18, false),
                     APP_PROBE_NO);
    uint8_t zero[12] = {0};                         // no question
    assert_int_equal(dns_probe_message(zero, sizeof(zero), false), APP_PROBE_NO);
    /* TCP: length prefix; a partial header asks for more. */
    uint8_t tcp[600];
    tcp[0] = (uint8_t)(g_d.n >> 8);
    tcp[1] = (uint8_t)g_d.n;
    memcpy(tcp + 2, g_d.b, g_d.n);
    assert_int_equal(dns_probe_message(tcp, g_d.n + 2, true), APP_PROBE_YES);
    assert_int_equal(dns_probe_message(tcp, 6, true), APP_PROBE_MORE);
    assert_int_equal(dns_probe_message(g_d.b, g_d.n, true), APP_PROBE_NO);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(query_parses_header_and_question),
        cmocka_unit_test(response_decodes_every_rdata_type),
        cmocka_unit_test(every_truncation_is_malformed_not_a_crash),
        cmocka_unit_test(empty_message_is_malformed),
        cmocka_unit_test(self_pointer_is_an_infinite_loop),
        cmocka_unit_test(pointer_cycle_is_an_infinite_loop),
        cmocka_unit_test(pointer_past_the_end_is_malformed),
        cmocka_unit_test(long_name_is_truncated_at_the_maximum),
        cmocka_unit_test(too_many_labels_are_flagged),
        cmocka_unit_test(lying_counts_are_malformed_and_bounded),
        cmocka_unit_test(repeated_pointer_names_share_their_bytes),
        cmocka_unit_test(bad_rdata_lengths_are_malformed),
        cmocka_unit_test(maximum_values_parse),
        cmocka_unit_test(garbage_never_crashes),
        cmocka_unit_test(probe_accepts_dns_and_refuses_junk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
