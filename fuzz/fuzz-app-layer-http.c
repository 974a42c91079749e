/* libFuzzer target: TCP payloads of both directions through protocol detection, the
 * HTTP parser (libhtp), every buffer getter, the EVE object and tx cleanup.
 *
 * Built by fuzz/build.sh (make fuzz). Input: a sequence of chunks, each a header byte
 * (bit 7: direction toclient; bit 6: a gap before it; low 6 bits + 1: chunk length)
 * followed by that many bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "flow/flow.h"

static int g_ready;

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
    if (af == NULL) {
        return 0;
    }
    JsonBuf jb;
    if (json_buf_init(&jb, 4096) != 0) {
        app_flow_free(af);
        return 0;
    }
    size_t off = 0;
    while (off < size) {
        uint8_t h = data[off++];
        uint8_t dir = (h & 0x80) ? 1 : 0;
        size_t n = (size_t)(h & 0x3f) + 1;
        n = n > size - off ? size - off : n;
        if (h & 0x40) {
            app_flow_gap(af, dir);
        }
        app_flow_data(af, dir, data + off, (uint32_t)n);
        off += n;
        for (uint32_t i = 0; i < app_layer_tx_count(&f); i++) {
            AppTx *tx = app_layer_tx_at(&f, i);
            for (uint32_t b = 0; b < app_layer_buffer_count(); b++) {
                const AppBufferDef *d = app_layer_buffer_def((int)b);
                const uint8_t *p;
                uint32_t l;
                if (d->proto == tx->proto && d->get(&f, tx, &p, &l) && l > 0) {
                    volatile uint8_t sink = p[0] ^ p[l - 1];
                    (void)sink;
                }
            }
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
