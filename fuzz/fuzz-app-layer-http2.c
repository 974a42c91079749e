/* libFuzzer target: HTTP/2 over TCP through protocol detection, the HTTP/2 parser
 * (preface, frames, HPACK with the dynamic table, CONTINUATION, streams), every http2
 * buffer (each instance of the multi-buffers), the EVE object and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: chunks, each a header byte (bit 7:
 * direction toclient; bit 6: a gap before it; low 6 bits k: k + 1 bytes follow, or for
 * k = 63 a 16-bit big-endian length then that many bytes). The seeds
 * (fuzz/corpus/fuzz-app-layer-http2/) are the crafted captures' streams in this form,
 * written by tools/make-http2-data.py. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/http2/app-layer-http2.h"
#include "flow/flow.h"

static int g_ready;

static void touch(const uint8_t *p, uint32_t l)
{
    if (l > 0) {
        volatile uint8_t sink = p[0] ^ p[l - 1];
        (void)sink;
    }
}

static void touch_buffers(const Flow *f, const AppTx *tx)
{
    for (uint32_t b = 0; b < app_layer_buffer_count(); b++) {
        const AppBufferDef *d = app_layer_buffer_def((int)b);
        const uint8_t *p;
        uint32_t l;
        if (d->proto != tx->proto) {
            continue;
        }
        if (d->get(f, tx, &p, &l)) {
            touch(p, l);
        }
        for (uint32_t i = 0; d->get_multi != NULL && d->get_multi(f, tx, i, &p, &l); i++) {
            touch(p, l);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!g_ready) {
        if (app_layer_init(NULL) != 0) {
            abort();
        }
        g_ready = 1;
    }
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.proto = 6;
    f.key.src.family = f.key.dst.family = 4;
    f.key.sp = 1234;
    f.key.dp = 80;
    AppFlow *af = app_flow_get_or_new(&f);
    JsonBuf jb;
    if (af == NULL || json_buf_init(&jb, 4096) != 0) {
        app_flow_free(af);
        return 0;
    }
    size_t off = 0;
    while (off < size) {
        uint8_t h = data[off++];
        uint8_t dir = (h & 0x80) ? 1 : 0;
        size_t n = (size_t)(h & 0x3f) + 1;
        if ((h & 0x3f) == 0x3f && size - off >= 2) {
            n = (size_t)data[off] << 8 | data[off + 1];
            off += 2;
        }
        n = n > size - off ? size - off : n;
        if (h & 0x40) {
            app_flow_gap(af, dir);
        }
        app_flow_data(af, dir, data + off, (uint32_t)n);
        off += n;
        for (uint32_t i = 0; i < app_layer_tx_count(&f); i++) {
            AppTx *tx = app_layer_tx_at(&f, i);
            touch_buffers(&f, tx);
            json_buf_reset(&jb);
            json_open_object(&jb, NULL);
            (void)app_layer_tx_log_json(&f, tx->id, &jb);
            json_close_object(&jb);
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
