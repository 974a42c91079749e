/* SSH through the app-layer framework, fed as the stream subscriber feeds it: banner
 * detection, banners and KEXINIT of both sides (HASSH), NEWKEYS, malformed input
 * (truncated, empty, oversized, garbage), byte-by-byte splits, buffers and the EVE
 * object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/ssh/app-layer-ssh.h"
#include "conf/conf.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-json.h"

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

typedef struct Buf {
    uint8_t b[80000];
    uint32_t n;
} Buf;

static void put(Buf *b, const void *p, uint32_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

static void put32(Buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    put(b, x, 4);
}

static void put_list(Buf *b, const char *s)
{
    put32(b, (uint32_t)strlen(s));
    put(b, s, (uint32_t)strlen(s));
}

/* A KEXINIT payload (type, cookie, ten name-lists, first_kex_follows, reserved). */
static void kexinit_payload(Buf *p, const char *enc, const char *mac, const char *comp)
{
    p->n = 0;
    uint8_t t = 20;
    put(p, &t, 1);
    put(p, "0123456789abcdef", 16);
    put_list(p, "curve25519-sha256");
    put_list(p, "ssh-ed25519");
    put_list(p, enc);                 // c2s and s2c get the same list here,
    put_list(p, enc);                 // the side decides which one hashes
    put_list(p, mac);
    put_list(p, mac);
    put_list(p, comp);
    put_list(p, comp);
    put_list(p, "");
    put_list(p, "");
    uint8_t z[5] = {0};
    put(p, z, 5);
}

/* payload -> binary packet (4 bytes of padding). */
static void packet(Buf *out, const Buf *payload)
{
    put32(out, payload->n + 5);
    uint8_t pad = 4;
    put(out, &pad, 1);
    put(out, payload->b, payload->n);
    put(out, "\0\0\0\0", 4);
}

static void newkeys(Buf *out)
{
    static const uint8_t nk[] = {0, 0, 0, 12, 10, 21, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    put(out, nk, sizeof(nk));
}

static Buf g_cli;
static Buf g_srv;

static int setup(void **state)
{
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_SSH, true);   // keep txs for the test
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 6, 40000, 22);
    *state = fx;
    Buf p;
    g_cli.n = g_srv.n = 0;
    put(&g_cli, "SSH-2.0-OpenSSH_9.6 Debian\r\n", 28);
    kexinit_payload(&p, "aes128-ctr", "hmac-sha2-256", "none");
    packet(&g_cli, &p);
    newkeys(&g_cli);
    put(&g_cli, "\x8a\x11 encrypted...", 16);
    put(&g_srv, "SSH-1.99-Cisco-1.25\n", 20);
    kexinit_payload(&p, "aes256-ctr", "hmac-sha1", "zlib");
    packet(&g_srv, &p);
    newkeys(&g_srv);
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_SSH, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const uint8_t *d, uint32_t n)
{
    app_test_feed(fx->af, dir, d, n);
}

static void feed_bytewise(Fx *fx, uint8_t dir, const uint8_t *d, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        feed(fx, dir, d + i, 1);
    }
}

static void buffer_is(const Fx *fx, const AppTx *tx, const char *name, uint8_t dir,
                      const char *want)
{
    int id = app_layer_buffer_find_for(name, APP_PROTO_SSH, dir);
    assert_true(id >= 0);
    const uint8_t *data;
    uint32_t len;
    bool ok = app_layer_buffer_def(id)->get(&fx->f, tx, &data, &len);
    if (want == NULL) {
        assert_false(ok);
        return;
    }
    assert_true(ok);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(data, want, len);
}

static void check_full_exchange(Fx *fx)
{
    assert_int_equal(fx->f.app_proto, APP_PROTO_SSH);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_int_equal(tx->progress[0], SSH_PROG_DONE);
    assert_int_equal(tx->progress[1], SSH_PROG_DONE);
    assert_true(app_layer_tx_complete(&fx->f, tx, 0) && app_layer_tx_complete(&fx->f, tx, 1));
    buffer_is(fx, tx, "ssh.proto", APP_DIR_TOSERVER, "2.0");
    buffer_is(fx, tx, "ssh.proto", APP_DIR_TOCLIENT, "1.99");
    buffer_is(fx, tx, "ssh.software", APP_DIR_TOSERVER, "OpenSSH_9.6");
    buffer_is(fx, tx, "ssh.software", APP_DIR_TOCLIENT, "Cisco-1.25");
    buffer_is(fx, tx, "ssh.hassh.string", APP_DIR_TOSERVER,
              "curve25519-sha256;aes128-ctr;hmac-sha2-256;none");
    buffer_is(fx, tx, "ssh.hassh", APP_DIR_TOSERVER, "e97d07603350d1111ec2b64bf25413c9");
    buffer_is(fx, tx, "ssh.hassh.server.string", APP_DIR_TOCLIENT,
              "curve25519-sha256;aes256-ctr;hmac-sha1;zlib");
    buffer_is(fx, tx, "ssh.hassh.server", APP_DIR_TOCLIENT, "1d28bf246fed683b2556414dbd13cd28");
    assert_int_equal(tx->n_events, 0);
}

static void full_exchange(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, g_srv.b, g_srv.n);
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    check_full_exchange(fx);
}

/* encryption-handling default: once both sides sent NEWKEYS the flow's payload is no
 * longer inspected, from the packet after the one that completed it. */
static void both_newkeys_end_payload_inspection(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, g_srv.b, g_srv.n);
    assert_false(app_layer_flow_no_inspection(&fx->f));  // one side only
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    assert_false(app_layer_flow_no_inspection(&fx->f));  // the completing packet: inspected
    app_flow_packet_publish(fx->af);                     // the next packet
    assert_true(app_layer_flow_no_inspection(&fx->f));
}

static void encryption_handling_full_keeps_inspection(void **state)
{
    (void)state;
    Buf p;
    g_cli.n = g_srv.n = 0;
    put(&g_cli, "SSH-2.0-a\r\n", 11);
    kexinit_payload(&p, "aes128-ctr", "hmac-sha2-256", "none");
    packet(&g_cli, &p);
    newkeys(&g_cli);
    put(&g_srv, "SSH-2.0-b\r\n", 11);
    kexinit_payload(&p, "aes256-ctr", "hmac-sha1", "zlib");
    packet(&g_srv, &p);
    newkeys(&g_srv);
    Conf *c = conf_new();
    assert_int_equal(conf_set(c, "app-layer.protocols.ssh.encryption-handling", "full"), 0);
    assert_int_equal(app_layer_init(c), 0);
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.proto = 6;
    f.key.src.family = f.key.dst.family = 4;
    f.key.dp = 22;
    AppFlow *af = app_flow_get_or_new(&f);
    app_flow_data(af, APP_DIR_TOCLIENT, g_srv.b, g_srv.n);
    app_flow_data(af, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    for (int i = 0; i < 3; i++) {
        app_flow_packet_publish(af);
    }
    assert_false(app_layer_flow_no_inspection(&f));
    app_flow_free(af);
    app_layer_deinit();
    flow_storage_reset();
    assert_int_equal(conf_set(c, "app-layer.protocols.ssh.encryption-handling", "never"), 0);
    assert_int_not_equal(app_layer_init(c), 0);
    app_layer_deinit();
    conf_free(c);
}

static void full_exchange_byte_by_byte(void **state)
{
    Fx *fx = *state;
    feed_bytewise(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    feed_bytewise(fx, APP_DIR_TOCLIENT, g_srv.b, g_srv.n);
    check_full_exchange(fx);
}

static void banner_parse_forms(void **state)
{
    (void)state;
    SshSide s;
    memset(&s, 0, sizeof(s));
    assert_true(ssh_banner_parse((const uint8_t *)"SSH-2.0-x", 9, &s));
    assert_int_equal(s.proto_len, 3);
    assert_int_equal(s.software_len, 1);
    assert_true(ssh_banner_parse((const uint8_t *)"SSH-2.0-", 8, &s));
    assert_int_equal(s.software_len, 0);
    assert_false(ssh_banner_parse((const uint8_t *)"SSH-2.0", 7, &s));
    assert_false(ssh_banner_parse((const uint8_t *)"SSH--x", 6, &s));
    assert_false(ssh_banner_parse((const uint8_t *)"SSH", 3, &s));
    assert_false(ssh_banner_parse((const uint8_t *)"", 0, &s));
    assert_false(ssh_banner_parse((const uint8_t *)"HTTP/1.1 200 OK", 15, &s));
}

static void hassh_string_truncated_and_empty(void **state)
{
    (void)state;
    Buf p;
    kexinit_payload(&p, "a", "b", "c");
    uint32_t n;
    bool nomem;
    char *s = ssh_hassh_string(p.b, p.n, true, &n, &nomem);
    assert_non_null(s);
    assert_string_equal(s, "curve25519-sha256;a;b;c");
    free(s);
    /* Every shorter prefix that cuts into the eight lists used is refused. */
    for (uint32_t cut = 0; cut < p.n - 13; cut++) {
        assert_null(ssh_hassh_string(p.b, cut, true, &n, &nomem));
        assert_false(nomem);
    }
    /* A list length running past the end. */
    p.b[17] = 0x7f;
    assert_null(ssh_hassh_string(p.b, p.n, false, &n, &nomem));
    assert_null(ssh_hassh_string(p.b, 0, false, &n, &nomem));
}

static void garbage_is_not_ssh(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, (const uint8_t *)"GET / HTTP/1.1\r\n\r\n", 18);
    assert_int_not_equal(fx->f.app_proto, APP_PROTO_SSH);
}

static void invalid_banner_stops_direction(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, (const uint8_t *)"SSH-2.0\r\n", 9);
    assert_int_equal(fx->f.app_proto, APP_PROTO_SSH);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_non_null(tx);
    assert_true(app_test_tx_has_event(tx, "ssh.invalid_banner"));
    /* A valid-looking packet afterwards is not parsed. */
    feed(fx, APP_DIR_TOCLIENT, g_srv.b + 20, g_srv.n - 20);
    buffer_is(fx, tx, "ssh.hassh.server", APP_DIR_TOCLIENT, NULL);
    /* The client side is unaffected. */
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    buffer_is(fx, tx, "ssh.software", APP_DIR_TOSERVER, "OpenSSH_9.6");
}

static void long_banner_truncated(void **state)
{
    Fx *fx = *state;
    Buf b = {.n = 0};
    put(&b, "SSH-2.0-", 8);
    for (int i = 0; i < 400; i++) {
        put(&b, "A", 1);
    }
    put(&b, "\r\n", 2);
    feed(fx, APP_DIR_TOSERVER, b.b, b.n);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_true(app_test_tx_has_event(tx, "ssh.long_banner"));
    const SshSide *s = ssh_tx_side(tx, APP_DIR_TOSERVER);
    assert_true(s->has_banner);
    assert_int_equal(s->software_len, SSH_BANNER_MAX - 8);
    assert_int_equal(tx->progress[0], SSH_PROG_BANNER);
}

static void endless_line_is_invalid(void **state)
{
    Fx *fx = *state;
    static uint8_t junk[SSH_LINE_MAX + 100];
    memset(junk, 'x', sizeof(junk));
    memcpy(junk, "SSH-2.0-", 8);
    feed(fx, APP_DIR_TOSERVER, junk, sizeof(junk));
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_true(app_test_tx_has_event(tx, "ssh.invalid_banner"));
    assert_true(app_test_tx_has_event(tx, "ssh.long_banner"));
    assert_false(ssh_tx_side(tx, APP_DIR_TOSERVER)->has_banner);
}

static void bad_record_lengths(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, 28);
    feed(fx, APP_DIR_TOSERVER, (const uint8_t *)"\xff\xff\xff\xff\x04\x14", 6);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_true(app_test_tx_has_event(tx, "ssh.invalid_record_length"));
    assert_int_equal(tx->progress[0], SSH_PROG_BANNER);
    /* The server: a packet whose padding covers it all. */
    feed(fx, APP_DIR_TOCLIENT, g_srv.b, 20);
    feed(fx, APP_DIR_TOCLIENT, (const uint8_t *)"\x00\x00\x00\x05\x05\x14", 6);
    assert_int_equal(tx->progress[1], SSH_PROG_BANNER);
}

static void oversized_kexinit_skipped(void **state)
{
    Fx *fx = *state;
    Buf p;
    kexinit_payload(&p, "aes128-ctr", "hmac-sha2-256", "none");
    Buf *b = calloc(1, sizeof(*b));
    put(b, "SSH-2.0-big\r\n", 13);
    uint32_t extra = 70000;
    put32(b, p.n + 1 + extra);
    uint8_t pad = (uint8_t)4;
    put(b, &pad, 1);
    put(b, p.b, p.n);
    memset(b->b + b->n, 0, extra);
    b->n += extra;
    newkeys(b);
    feed(fx, APP_DIR_TOSERVER, b->b, b->n);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_true(app_test_tx_has_event(tx, "ssh.long_kex_record"));
    buffer_is(fx, tx, "ssh.hassh", APP_DIR_TOSERVER, NULL);
    assert_int_equal(tx->progress[0], SSH_PROG_DONE);   // NEWKEYS after the skipped packet
    free(b);
}

static void truncated_kexinit_waits(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n - 40);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_int_equal(tx->progress[0], SSH_PROG_BANNER);
    buffer_is(fx, tx, "ssh.hassh", APP_DIR_TOSERVER, NULL);
    app_flow_eof(fx->af, APP_DIR_TOSERVER);
    app_flow_end(fx->af);
    assert_true(app_layer_tx_complete(&fx->f, tx, 0));
}

/* A KEXINIT whose payload ends right after the eighth name-list: every byte of the
 * packet must be kept for the hash (none lost to the header bytes buffered first). */
static void kexinit_buffered_to_its_last_byte(void **state)
{
    Fx *fx = *state;
    Buf p;
    kexinit_payload(&p, "aes128-ctr", "hmac-sha2-256", "none");
    p.n -= 4 + 4 + 5;            // drop both language lists, first_kex_follows, reserved
    Buf b = {.n = 0};
    put(&b, "SSH-2.0-x\r\n", 11);
    packet(&b, &p);
    feed(fx, APP_DIR_TOSERVER, b.b, b.n);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    buffer_is(fx, tx, "ssh.hassh", APP_DIR_TOSERVER, "e97d07603350d1111ec2b64bf25413c9");
}

static void eve_object(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOCLIENT, g_srv.b, g_srv.n);
    feed(fx, APP_DIR_TOSERVER, g_cli.b, g_cli.n);
    JsonBuf jb;
    app_test_tx_json(&fx->f, 0, &jb, 256);
    assert_string_equal(jb.buf,
                        "{\"ssh\":{\"client\":{\"proto_version\":\"2.0\",\"software_version\":"
                        "\"OpenSSH_9.6\"},\"server\":{\"proto_version\":\"1.99\","
                        "\"software_version\":\"Cisco-1.25\"}}}");
    json_buf_deinit(&jb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(banner_parse_forms),
        cmocka_unit_test(encryption_handling_full_keeps_inspection),
        cmocka_unit_test(hassh_string_truncated_and_empty),
        cmocka_unit_test_setup_teardown(full_exchange, setup, teardown),
        cmocka_unit_test_setup_teardown(both_newkeys_end_payload_inspection, setup, teardown),
        cmocka_unit_test_setup_teardown(full_exchange_byte_by_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(garbage_is_not_ssh, setup, teardown),
        cmocka_unit_test_setup_teardown(invalid_banner_stops_direction, setup, teardown),
        cmocka_unit_test_setup_teardown(long_banner_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(endless_line_is_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(bad_record_lengths, setup, teardown),
        cmocka_unit_test_setup_teardown(oversized_kexinit_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(truncated_kexinit_waits, setup, teardown),
        cmocka_unit_test_setup_teardown(kexinit_buffered_to_its_last_byte, setup, teardown),
        cmocka_unit_test_setup_teardown(eve_object, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
