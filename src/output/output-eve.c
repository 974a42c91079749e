/* The EVE sink (every eve-log output of the run, each record routed by type)
 * and its per-thread batching buffer. */

#include "output/output.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "output/output-sink-internal.h"
#include "util/util-error.h"

struct EveSink {
    EveOut **outs;               // each with its own types, queue and backend
    uint32_t n_outs;
    _Atomic uint64_t invalid;    // records refused before any output: builder failed
};

struct EveThreadBuf {
    EveSink *sink;
    char *buf;
    size_t len;
    size_t cap;
    uint64_t n_records;          // records in buf
};

EveSink *eve_sink_group_new(void)
{
    return calloc(1, sizeof(EveSink));
}

int eve_sink_group_add(EveSink *sink, EveOut *o)
{
    EveOut **outs = realloc(sink->outs, (sink->n_outs + 1) * sizeof(*outs));
    if (outs == NULL) {
        eve_out_free(o);
        return VG_ENOMEM;
    }
    sink->outs = outs;
    sink->outs[sink->n_outs++] = o;
    return 0;
}

uint32_t eve_sink_group_size(const EveSink *sink)
{
    return sink->n_outs;
}

EveOut *eve_sink_group_at(const EveSink *sink, uint32_t i)
{
    return i < sink->n_outs ? sink->outs[i] : NULL;
}

EveSink *eve_sink_open(const char *path)
{
    EveSink *sink = eve_sink_group_new();
    if (sink == NULL) {
        return NULL;
    }
    /* Direct: written on the caller's thread, as this API always did. */
    EveOutConf c = {.name = "eve", .ops = &eve_sink_ops_regular, .path = path,
                    .accept_all = true};
    EveOut *o = eve_out_new(&c);
    if (o == NULL || eve_sink_group_add(sink, o) != 0) {
        free(sink);
        return NULL;
    }
    return sink;
}

int eve_sink_write(EveSink *sink, const JsonBuf *jb)
{
    if (!json_complete(jb)) {
        atomic_fetch_add_explicit(&sink->invalid, 1, memory_order_relaxed);
        return VG_EINVAL;
    }
    int rc = 0;
    for (uint32_t i = 0; i < sink->n_outs; i++) {
        int r = eve_out_offer_record(sink->outs[i], jb->buf, jb->len);
        rc = rc != 0 ? rc : r;
    }
    return rc == VG_ENOMEM ? VG_EIO : rc;
}

int eve_sink_write_lines(EveSink *sink, const char *data, size_t len, uint64_t n_records)
{
    if (len == 0) {
        return 0;
    }
    int rc = 0;
    for (uint32_t i = 0; i < sink->n_outs; i++) {
        int r = eve_out_offer(sink->outs[i], data, len, (uint32_t)n_records);
        rc = rc != 0 ? rc : r;
    }
    return rc == VG_ENOMEM ? VG_EIO : rc;
}

int eve_sink_reopen(EveSink *sink)
{
    int rc = 0;
    for (uint32_t i = 0; i < sink->n_outs; i++) {
        int r = eve_out_reopen(sink->outs[i]);
        rc = rc != 0 ? rc : r;
    }
    return rc;
}

int eve_sink_drain(EveSink *sink, int64_t timeout_ms)
{
    int rc = 0;
    for (uint32_t i = 0; i < sink->n_outs; i++) {
        int r = eve_out_drain(sink->outs[i], timeout_ms);
        rc = rc != 0 ? rc : r;
    }
    return rc;
}

int eve_sink_flush(EveSink *sink)
{
    return eve_sink_drain(sink, 5000);
}

void eve_sink_get_stats(EveSink *sink, EveSinkStats *out)
{
    memset(out, 0, sizeof(*out));
    for (uint32_t i = 0; i < sink->n_outs; i++) {
        EveSinkStats st;
        eve_out_get_stats(sink->outs[i], &st);
        out->records += st.records;
        out->bytes += st.bytes;
        out->write_errors += st.write_errors;
        out->dropped += st.dropped;
        out->produced += st.produced;
        out->reconnects += st.reconnects;
    }
    out->dropped += atomic_load_explicit(&sink->invalid, memory_order_relaxed);
}

void eve_sink_close(EveSink *sink)
{
    if (sink == NULL) {
        return;
    }
    for (uint32_t i = 0; i < sink->n_outs; i++) {
        eve_out_free(sink->outs[i]);
    }
    free(sink->outs);
    free(sink);
}

EveThreadBuf *eve_thread_buf_new(EveSink *sink)
{
    EveThreadBuf *tb = calloc(1, sizeof(*tb));
    if (tb == NULL) {
        return NULL;
    }
    tb->cap = EVE_THREAD_BUF_FLUSH_BYTES;
    tb->buf = malloc(tb->cap);
    if (tb->buf == NULL) {
        free(tb);
        return NULL;
    }
    tb->sink = sink;
    return tb;
}

int eve_thread_buf_flush(EveThreadBuf *tb)
{
    int rc = eve_sink_write_lines(tb->sink, tb->buf, tb->len, tb->n_records);
    /* A failed batch is dropped (and counted by the sink): keeping it would
     * let a dead target grow the buffer without bound. */
    tb->len = 0;
    tb->n_records = 0;
    return rc;
}

int eve_thread_buf_write(EveThreadBuf *tb, const JsonBuf *jb)
{
    if (!json_complete(jb)) {
        return eve_sink_write(tb->sink, jb);  // counts the drop
    }
    int rc = 0;
    if (jb->len + 1 > tb->cap - tb->len) {
        rc = eve_thread_buf_flush(tb);
    }
    if (jb->len + 1 > tb->cap) {
        /* Larger than the whole buffer: pending records went out first, so
         * order is kept. */
        int rc2 = eve_sink_write(tb->sink, jb);
        return rc != 0 ? rc : rc2;
    }
    memcpy(tb->buf + tb->len, jb->buf, jb->len);
    tb->len += jb->len;
    tb->buf[tb->len++] = '\n';
    tb->n_records++;
    if (tb->len >= tb->cap) {
        int rc2 = eve_thread_buf_flush(tb);
        rc = rc != 0 ? rc : rc2;
    }
    return rc;
}

void eve_thread_buf_free(EveThreadBuf *tb)
{
    if (tb == NULL) {
        return;
    }
    eve_thread_buf_flush(tb);
    free(tb->buf);
    free(tb);
}
