/* QUIC: Initial key derivation and packet decryption against the RFC 9001 Appendix A
 * vectors, header parsing bounds (every truncation of the client Initial, empty and
 * garbage datagrams), and the parser through the app-layer framework: detection, one tx
 * per interesting datagram, the ClientHello/ServerHello inside (sni, ja3, ja3s), events
 * for packets that do not authenticate, buffers and the EVE object. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/app-layer-test-fixture.h"
#include "app-layer/quic/app-layer-quic.h"
#include "app-layer/quic/rfc9001-vectors.h"
#include "flow/flow.h"
#include "runtime/counters.h"
#include "util/util-json.h"

static uint32_t unhex(const char *h, uint8_t *out, uint32_t cap)
{
    uint32_t n = 0;
    for (; h[0] != '\0' && h[1] != '\0' && n < cap; h += 2) {
        unsigned v;
        sscanf(h, "%2x", &v);
        out[n++] = (uint8_t)v;
    }
    return n;
}

static void bytes_are(const uint8_t *got, const char *hex)
{
    uint8_t want[64];
    uint32_t n = unhex(hex, want, sizeof(want));
    assert_memory_equal(got, want, n);
}

static uint8_t g_cli[1200];
static uint8_t g_srv[135];
static uint8_t g_dcid[8];

static int load_vectors(void **state)
{
    (void)state;
    assert_int_equal(unhex(RFC9001_CLIENT_INITIAL_HEX, g_cli, sizeof(g_cli)), 1200);
    assert_int_equal(unhex(RFC9001_SERVER_INITIAL_HEX, g_srv, sizeof(g_srv)), 135);
    assert_int_equal(unhex(RFC9001_DCID_HEX, g_dcid, sizeof(g_dcid)), 8);
    return 0;
}

static void initial_keys_match_rfc(void **state)
{
    (void)state;
    QuicKeys k;
    assert_true(quic_initial_keys(QUIC_V1, g_dcid, 8, false, &k));
    bytes_are(k.key, RFC9001_CLIENT_KEY_HEX);
    bytes_are(k.iv, RFC9001_CLIENT_IV_HEX);
    bytes_are(k.hp, RFC9001_CLIENT_HP_HEX);
    assert_true(quic_initial_keys(QUIC_V1, g_dcid, 8, true, &k));
    bytes_are(k.key, RFC9001_SERVER_KEY_HEX);
    bytes_are(k.iv, RFC9001_SERVER_IV_HEX);
    bytes_are(k.hp, RFC9001_SERVER_HP_HEX);
    assert_false(quic_initial_keys(0x0a0a0a0a, g_dcid, 8, false, &k));
}

static void client_initial_decrypts(void **state)
{
    (void)state;
    QuicHdr h;
    assert_true(quic_parse_header(g_cli, sizeof(g_cli), 0, &h));
    assert_true(h.is_long);
    assert_int_equal(h.version, QUIC_V1);
    assert_int_equal(h.type, 0);
    assert_int_equal(h.dcid_len, 8);
    assert_int_equal(h.pkt_len, 1200);
    QuicKeys k;
    assert_true(quic_initial_keys(QUIC_V1, h.dcid, h.dcid_len, false, &k));
    uint8_t pkt[1200];
    memcpy(pkt, g_cli, sizeof(pkt));
    const uint8_t *pl;
    uint32_t pll;
    assert_true(quic_decrypt_initial(&k, &h, pkt, &pl, &pll));
    bytes_are(pkt, RFC9001_CLIENT_HEADER_HEX);
    /* CRYPTO frame at offset 0, 241 bytes, holding a ClientHello. */
    static const uint8_t frame[] = {0x06, 0x00, 0x40, 0xf1, 0x01, 0x00, 0x00, 0xed, 0x03, 0x03};
    assert_memory_equal(pl, frame, sizeof(frame));
    assert_int_equal(pll, 1200 - 22 - 16);
    /* One flipped ciphertext bit: the tag check fails. */
    memcpy(pkt, g_cli, sizeof(pkt));
    pkt[600] ^= 1;
    assert_false(quic_decrypt_initial(&k, &h, pkt, &pl, &pll));
    /* The server's keys do not open the client's packet. */
    assert_true(quic_initial_keys(QUIC_V1, h.dcid, h.dcid_len, true, &k));
    memcpy(pkt, g_cli, sizeof(pkt));
    assert_false(quic_decrypt_initial(&k, &h, pkt, &pl, &pll));
}

static void truncations_and_garbage(void **state)
{
    (void)state;
    QuicHdr h;
    for (uint32_t cut = 0; cut < sizeof(g_cli); cut++) {
        assert_false(quic_parse_header(g_cli, cut, 0, &h) && h.pkt_len > cut);
        if (quic_parse_header(g_cli, cut, 0, &h)) {
            fail_msg("a %u-byte prefix parsed as a whole Initial", cut);
        }
    }
    assert_false(quic_parse_header(g_cli, 0, 0, &h));
    /* A connection id length over 20. */
    uint8_t bad[64];
    memcpy(bad, g_cli, sizeof(bad));
    bad[5] = 21;
    assert_false(quic_parse_header(bad, sizeof(bad), 0, &h));
    /* Varints: each length, and one running past the end. */
    static const uint8_t v[] = {0x25, 0x7b, 0xbd, 0x9d, 0x7f, 0x3e, 0x7d, 0xc2, 0x19, 0x7c,
                                0x5e, 0xff, 0x14, 0xe8, 0x8c};
    uint32_t off = 0;
    uint64_t x;
    assert_true(quic_varint(v, sizeof(v), &off, &x));
    assert_int_equal(x, 37);
    assert_true(quic_varint(v, sizeof(v), &off, &x));
    assert_int_equal(x, 15293);
    assert_true(quic_varint(v, sizeof(v), &off, &x));
    assert_int_equal(x, 494878333);
    assert_true(quic_varint(v, sizeof(v), &off, &x));
    assert_int_equal(x, 151288809941952652ull);
    off = 0;
    assert_false(quic_varint(v + 7, 4, &off, &x));
}

/* ---- through the framework ---- */

typedef struct Fx {
    Flow f;
    AppFlow *af;
} Fx;

static int setup(void **state)
{
    load_vectors(state);
    assert_int_equal(app_layer_init(NULL), 0);
    app_layer_set_proto_inspected(APP_PROTO_QUIC, true);
    Fx *fx = calloc(1, sizeof(*fx));
    fx->af = app_test_flow_open(&fx->f, 17, 50000, 443);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fx *fx = *state;
    app_flow_free(fx->af);
    free(fx);
    app_layer_set_proto_inspected(APP_PROTO_QUIC, false);
    app_test_reset();
    return 0;
}

static void feed(Fx *fx, uint8_t dir, const uint8_t *d, uint32_t n)
{
    app_test_feed(fx->af, dir, d, n);
}

static void buffer_is_n(const Fx *fx, const AppTx *tx, const char *name, uint8_t dir,
                        const char *want, uint32_t want_len)
{
    int id = app_layer_buffer_find_for(name, APP_PROTO_QUIC, dir);
    assert_true(id >= 0);
    const uint8_t *data;
    uint32_t len;
    bool ok = app_layer_buffer_def(id)->get(&fx->f, tx, &data, &len);
    if (want == NULL) {
        assert_false(ok);
        return;
    }
    assert_true(ok);
    assert_int_equal(len, want_len);
    assert_memory_equal(data, want, len);
}

static void buffer_is(const Fx *fx, const AppTx *tx, const char *name, uint8_t dir,
                      const char *want)
{
    buffer_is_n(fx, tx, name, dir, want, want != NULL ? (uint32_t)strlen(want) : 0);
}

static void rfc_exchange_through_parser(void **state)
{
    Fx *fx = *state;
    feed(fx, APP_DIR_TOSERVER, g_cli, sizeof(g_cli));
    assert_int_equal(fx->f.app_proto, APP_PROTO_QUIC);
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
    AppTx *c = app_layer_tx_at(&fx->f, 0);
    buffer_is(fx, c, "quic.sni", APP_DIR_TOSERVER, "example.com");
    buffer_is_n(fx, c, "quic.version", APP_DIR_TOSERVER, "\x00\x00\x00\x01", 4);
    const QuicTx *qc = quic_tx(c);
    assert_true(qc->has_hello);
    assert_non_null(qc->side.ja3);   // the RFC hello offers 1301 and 1302 only
    assert_string_equal(qc->side.ja3, "771,4865-4866,0-65281-10-16-5-51-43-13-45-28-57,29-23-24,");
    assert_int_equal(c->n_events, 0);
    feed(fx, APP_DIR_TOCLIENT, g_srv, sizeof(g_srv));
    assert_int_equal(app_layer_tx_count(&fx->f), 2);
    AppTx *s = app_layer_tx_at(&fx->f, 1);
    assert_true(quic_tx_is_toclient(s));
    buffer_is(fx, s, "ja3s.string", APP_DIR_TOCLIENT, "771,4865,51-43");
    buffer_is(fx, s, "quic.sni", APP_DIR_TOSERVER, NULL);
    JsonBuf jb;
    app_test_tx_json(&fx->f, 0, &jb, 256);
    assert_non_null(strstr(jb.buf, "\"quic\":{\"version\":\"1\",\"sni\":\"example.com\""));
    assert_non_null(strstr(jb.buf, "{\"name\":\"alpn\",\"type\":16,\"values\":[\"alpn\"]}"));
    json_buf_deinit(&jb);
}

static void tampered_initial_raises_event(void **state)
{
    Fx *fx = *state;
    uint8_t pkt[1200];
    memcpy(pkt, g_cli, sizeof(pkt));
    pkt[1000] ^= 0x80;
    feed(fx, APP_DIR_TOSERVER, pkt, sizeof(pkt));
    assert_int_equal(fx->f.app_proto, APP_PROTO_QUIC);
    AppTx *tx = app_layer_tx_at(&fx->f, 0);
    assert_non_null(tx);
    assert_true(app_test_tx_has_event(tx, "quic.failed_decrypt"));
    buffer_is(fx, tx, "quic.sni", APP_DIR_TOSERVER, NULL);
    /* Junk, empty and short-header datagrams afterwards make no tx and no crash. */
    static const uint8_t junk[] = {0x40, 1, 2, 3};
    feed(fx, APP_DIR_TOSERVER, junk, sizeof(junk));
    feed(fx, APP_DIR_TOSERVER, junk, 0);
    feed(fx, APP_DIR_TOCLIENT, g_srv, 30);   // truncated server Initial
    assert_int_equal(app_layer_tx_count(&fx->f), 1);
}

static void not_quic(void **state)
{
    Fx *fx = *state;
    uint8_t d[1200];
    memcpy(d, g_cli, sizeof(d));
    d[1] = 0x0a;                 // a version we do not know (reserved pattern)
    d[4] = 0x0a;
    feed(fx, APP_DIR_TOSERVER, d, sizeof(d));
    assert_int_not_equal(fx->f.app_proto, APP_PROTO_QUIC);
}

/* A Q046 datagram: header, a few frame bytes, then CHLO with PAD, SNI, UAID. */
static uint32_t gquic_chlo(uint8_t *d)
{
    static const uint8_t hdr[] = {0xc3, 'Q', '0', '4', '6', 0x50, 1, 2, 3, 4, 5, 6, 7, 8,
                                  0, 0, 0, 1, 0xa0, 0x01, 0x04, 0x00};
    uint32_t n = 0;
    memcpy(d, hdr, sizeof(hdr));
    n += sizeof(hdr);
    static const uint8_t chlo[] = {'C', 'H', 'L', 'O', 3, 0, 0, 0,
                                   'P', 'A', 'D', 0, 4, 0, 0, 0,
                                   'S', 'N', 'I', 0, 15, 0, 0, 0,
                                   'U', 'A', 'I', 'D', 20, 0, 0, 0,
                                   '-', '-', '-', '-', 'e', 'x', 'a', 'm', 'p', 'l', 'e', '.',
                                   'o', 'r', 'g', 'C', 'h', 'r', 'o', 'm', 'e'};
    memcpy(d + n, chlo, sizeof(chlo));
    return n + sizeof(chlo);
}

static void gquic_chlo_fingerprint(void **state)
{
    (void)state;
    uint8_t d[128];
    uint32_t n = gquic_chlo(d);
    QuicTx qt;
    memset(&qt, 0, sizeof(qt));
    qt.version = 0x51303436;     // Q046
    assert_true(quic_gquic_chlo(&qt, d, n));
    assert_string_equal(qt.cyu, "46,PAD-SNI-UAID");
    assert_string_equal(qt.cyu_hash, "bc252431df58411cd2ea00eba190964f");
    assert_int_equal(qt.g_sni_len, 11);
    assert_memory_equal(qt.g_sni, "example.org", 11);
    assert_int_equal(qt.ua_len, 5);
    assert_memory_equal(qt.ua, "Chrom", 5);
    free(qt.cyu);
    free(qt.g_sni);
    free(qt.ua);
    /* Truncated anywhere inside the tag table or values (the last byte, the 'e' of
     * "Chrome", lies past UAID's end offset): refused, nothing kept. */
    for (uint32_t cut = 0; cut < n - 1; cut++) {
        memset(&qt, 0, sizeof(qt));
        qt.version = 0x51303436;
        if (quic_gquic_chlo(&qt, d, cut)) {
            fail_msg("a %u-byte cut of %u parsed", cut, n);
        }
        assert_null(qt.g_sni);
        free(qt.cyu);
        free(qt.g_sni);
        free(qt.ua);
    }
    /* End offsets going backwards; an absurd tag count. */
    d[22 + 8 + 12] = 2;
    memset(&qt, 0, sizeof(qt));
    assert_false(quic_gquic_chlo(&qt, d, n));
    assert_null(qt.g_sni);
    gquic_chlo(d);
    d[22 + 4] = 200;
    memset(&qt, 0, sizeof(qt));
    assert_false(quic_gquic_chlo(&qt, d, n));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(initial_keys_match_rfc, load_vectors),
        cmocka_unit_test_setup(client_initial_decrypts, load_vectors),
        cmocka_unit_test_setup(truncations_and_garbage, load_vectors),
        cmocka_unit_test(gquic_chlo_fingerprint),
        cmocka_unit_test_setup_teardown(rfc_exchange_through_parser, setup, teardown),
        cmocka_unit_test_setup_teardown(tampered_initial_raises_event, setup, teardown),
        cmocka_unit_test_setup_teardown(not_quic, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
