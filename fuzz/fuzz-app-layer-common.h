/* Shared driver of the application-layer fuzz targets (fuzz/fuzz-app-layer-*.c).
 *
 * Each target describes its transport and input format in a FuzzAlTarget and calls
 * fuzz_al_run() from LLVMFuzzerTestOneInput. The input is a sequence of chunks, each a
 * header byte followed by its bytes:
 *   bit 7      direction: set = toclient
 *   bit 6      per target: nothing, a gap before the chunk (TCP), or end of data in
 *              that direction after the chunk
 *   bits 0..5  k: k + 1 bytes follow; with len_ext, k = 63 means a 16-bit big-endian
 *              length follows, then that many bytes
 * With mode_byte the input starts with one byte whose bit 0 picks TCP (set) or UDP.
 * For UDP every chunk is one datagram.
 *
 * After each chunk every live transaction has each of its buffers (every instance of
 * multi-buffers) touched at both ends and its EVE object written, then is marked
 * inspected so that the parser may free it; the flow ends with end of data in both
 * directions. The seed corpora (fuzz/corpus/<target>/, tools/make-fuzz-corpus.py)
 * depend on each target's format: keep a target's options when editing this file. */
#ifndef VIGIL_FUZZ_APP_LAYER_COMMON_H
#define VIGIL_FUZZ_APP_LAYER_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "flow/flow.h"

typedef enum {
    FUZZ_AL_BIT6_NONE = 0,
    FUZZ_AL_BIT6_GAP,    /* a gap in that direction before the chunk (TCP only) */
    FUZZ_AL_BIT6_EOF,    /* end of data in that direction after the chunk */
} FuzzAlBit6;

typedef struct FuzzAlTarget {
    uint8_t ipproto;     /* 6 or 17; ignored with mode_byte */
    uint16_t dport;      /* server port: a hint for protocol detection */
    bool mode_byte;      /* the first input byte picks the transport */
    bool len_ext;        /* k = 63 announces a 16-bit length */
    FuzzAlBit6 bit6;
    /* Called once, after app_layer_init(). Optional. */
    void (*init)(void);
    /* Extra per-transaction work after the EVE object (other record layouts). Optional. */
    void (*log_extra)(const Flow *f, const AppTx *tx, JsonBuf *jb);
} FuzzAlTarget;

static void fuzz_al_touch(const uint8_t *p, uint32_t l)
{
    if (l > 0) {
        volatile uint8_t sink = p[0] ^ p[l - 1];
        (void)sink;
    }
}

static void fuzz_al_touch_buffers(const Flow *f, const AppTx *tx)
{
    for (uint32_t b = 0; b < app_layer_buffer_count(); b++) {
        const AppBufferDef *d = app_layer_buffer_def((int)b);
        const uint8_t *p;
        uint32_t l;
        if (d->proto != tx->proto) {
            continue;
        }
        if (d->get != NULL && d->get(f, tx, &p, &l)) {
            fuzz_al_touch(p, l);
        }
        for (uint32_t k = 0; d->get_multi != NULL && d->get_multi(f, tx, k, &p, &l); k++) {
            fuzz_al_touch(p, l);
        }
    }
}

static void fuzz_al_visit_txs(const FuzzAlTarget *t, Flow *f, JsonBuf *jb)
{
    for (uint32_t i = 0; i < app_layer_tx_count(f); i++) {
        AppTx *tx = app_layer_tx_at(f, i);
        fuzz_al_touch_buffers(f, tx);
        json_buf_reset(jb);
        json_open_object(jb, NULL);
        (void)app_layer_tx_log_json(f, tx->id, jb);
        json_close_object(jb);
        if (t->log_extra != NULL) {
            t->log_extra(f, tx, jb);
        }
        tx->flags |= APP_TX_F_INSPECTED_TS | APP_TX_F_INSPECTED_TC;
    }
}

static int fuzz_al_run(const FuzzAlTarget *t, const uint8_t *data, size_t size)
{
    static bool ready;
    if (!ready) {
        if (app_layer_init(NULL) != 0) {
            abort();
        }
        if (t->init != NULL) {
            t->init();
        }
        ready = true;
    }
    size_t off = 0;
    uint8_t ipproto = t->ipproto;
    if (t->mode_byte) {
        if (size < 1) {
            return 0;
        }
        ipproto = (data[0] & 1) ? 6 : 17;
        off = 1;
    }
    Flow f;
    memset(&f, 0, sizeof(f));
    f.key.proto = ipproto;
    f.key.src.family = f.key.dst.family = 4;
    f.key.sp = 1234;
    f.key.dp = t->dport;
    AppFlow *af = app_flow_get_or_new(&f);
    JsonBuf jb;
    if (af == NULL || json_buf_init(&jb, 4096) != 0) {
        app_flow_free(af);
        return 0;
    }
    while (off < size) {
        uint8_t h = data[off++];
        uint8_t dir = (h & 0x80) ? 1 : 0;
        size_t n = (size_t)(h & 0x3f) + 1;
        if (t->len_ext && (h & 0x3f) == 0x3f && size - off >= 2) {
            n = (size_t)data[off] << 8 | data[off + 1];
            off += 2;
        }
        n = n > size - off ? size - off : n;
        bool bit6 = (h & 0x40) != 0;
        if (bit6 && t->bit6 == FUZZ_AL_BIT6_GAP && ipproto == 6) {
            app_flow_gap(af, dir);
        }
        app_flow_data(af, dir, data + off, (uint32_t)n);
        off += n;
        if (bit6 && t->bit6 == FUZZ_AL_BIT6_EOF) {
            app_flow_eof(af, dir);
        }
        fuzz_al_visit_txs(t, &f, &jb);
        app_flow_packet_publish(af);
    }
    app_flow_eof(af, 0);
    app_flow_eof(af, 1);
    app_flow_end(af);
    json_buf_deinit(&jb);
    app_flow_free(af);
    return 0;
}

#endif
