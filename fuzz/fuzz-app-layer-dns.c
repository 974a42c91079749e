/* libFuzzer target: DNS over UDP (first input byte even) or TCP (odd) through protocol
 * detection, the DNS parser (framing, names, rdata), every buffer instance, the EVE
 * object and records of both layouts, and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: one mode byte, then chunks, each a header
 * byte (bit 7: direction toclient; bit 6: a gap before it, TCP only; low 6 bits k: k + 1
 * bytes follow, or for k = 63 a 16-bit big-endian length then that many bytes). For UDP
 * each chunk is one datagram. The seeds (fuzz/corpus/) hold datagrams of the shared
 * captures in this form. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/dns/app-layer-dns-tx.h"
#include "app-layer/dns/app-layer-dns.h"
#include "flow/flow.h"

static int g_ready;

static void touch_buffers(const Flow *f, const AppTx *tx)
{
    for (uint32_t b = 0; b < app_layer_buffer_count(); b++) {
        const AppBufferDef *d = app_layer_buffer_def((int)b);
        const uint8_t *p;
        uint32_t l;
        for (uint32_t k = 0; d->proto == tx->proto && d->get_multi != NULL &&
                             d->get_multi(f, tx, k, &p, &l); k++) {
            if (l > 0) {
                volatile uint8_t sink = p[0] ^ p[l - 1];
                (void)sink;
            }
        }
    }
}

static void log_tx(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    (void)app_layer_tx_log_json(f, tx->id, jb);
    json_close_object(jb);
    for (uint8_t v = 2; v <= 3; v++) {
        g_dns_log_cfg.version = v;
        uint32_t n = dns_tx_log_record_count(tx);
        for (uint32_t i = 0; i < n && tx->proto == APP_PROTO_DNS; i++) {
            json_buf_reset(jb);
            json_open_object(jb, NULL);
            dns_tx_log_record(tx, i, jb);
            json_close_object(jb);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_ready) {
        if (app_layer_init(NULL) != 0) {
            abort();
        }
        g_dns_log_cfg.fmt_grouped = true;
        g_ready = 1;
    }
    if (size < 1) {
        return 0;
    }
    bool is_tcp = data[0] & 1;
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.proto = is_tcp ? 6 : 17;
    f.key.src.family = f.key.dst.family = 4;
    f.key.sp = 1234;
    f.key.dp = 53;
    AppFlow *af = app_flow_get_or_new(&f);
    JsonBuf jb;
    if (af == NULL || json_buf_init(&jb, 4096) != 0) {
        app_flow_free(af);
        return 0;
    }
    size_t off = 1;
    while (off < size) {
        uint8_t h = data[off++];
        uint8_t dir = (h & 0x80) ? 1 : 0;
        size_t n = (size_t)(h & 0x3f) + 1;
        if ((h & 0x3f) == 0x3f && size - off >= 2) {
            n = (size_t)data[off] << 8 | data[off + 1];
            off += 2;
        }
        n = n > size - off ? size - off : n;
        if ((h & 0x40) && is_tcp) {
            app_flow_gap(af, dir);
        }
        app_flow_data(af, dir, data + off, (uint32_t)n);
        off += n;
        for (uint32_t i = 0; i < app_layer_tx_count(&f); i++) {
            AppTx *tx = app_layer_tx_at(&f, i);
            touch_buffers(&f, tx);
            log_tx(&f, tx, &jb);
            tx->flags |= APP_TX_F_INSPECTED_TS | APP_TX_F_INSPECTED_TC;
        }
        app_flow_packet_publish(af);
    }
    app_flow_eof(af, 0);
    app_flow_eof(af, 1);
    app_flow_end(af);
    json_buf_deinit(&jb);
    app_flow_free(af);
    return 0;
}
