/* HPACK (RFC 7541): the integer and size-update helpers we need ourselves, and the
 * header block decoder of one direction, libnghttp2's inflater (dynamic table,
 * Huffman) with its memory charged to the http2 memcap of the flow.
 *
 * Bounds: the dynamic table is at most what the peer allowed in SETTINGS, itself
 * capped at HTTP2_TABLE_MAX; libnghttp2 refuses header fields over 64 KiB; the block
 * handed in is at most HTTP2_BLOCK_MAX bytes. Indexed fields are handed out without
 * copies, so the work is linear in the block even when the output (an HPACK bomb:
 * one byte repeating a 4 KiB table entry) is not; the caller bounds what it keeps. */
#include "app-layer/http2/app-layer-http2-internal.h"

#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "util/util-error.h"

struct Http2Hpack {
    AppFlow *af;                 // memcap accounting (NULL: not charged, tests)
    nghttp2_mem mem;
    nghttp2_hd_inflater *inf;
    bool is_broken;              // a decoding error: the table is lost for the connection
};

int http2_hpack_int(const uint8_t *p, uint32_t len, uint8_t prefix_bits, uint32_t *value)
{
    if (len == 0) {
        return 0;
    }
    uint32_t max = (1u << prefix_bits) - 1;
    uint32_t v = p[0] & max;
    if (v < max) {
        *value = v;
        return 1;
    }
    uint64_t acc = v;
    for (uint32_t i = 1, shift = 0; i < len; i++, shift += 7) {
        if (shift > 28) {
            return -1;
        }
        acc += (uint64_t)(p[i] & 0x7f) << shift;
        if (acc > UINT32_MAX) {
            return -1;
        }
        if (!(p[i] & 0x80)) {
            *value = (uint32_t)acc;
            return (int)(i + 1);
        }
    }
    return 0;
}

uint32_t http2_hpack_size_updates(const uint8_t *p, uint32_t len, uint32_t *out, uint32_t max,
                                  bool *overflow)
{
    uint32_t n = 0;
    uint32_t off = 0;
    *overflow = false;
    while (off < len && (p[off] & 0xe0) == 0x20) {   // 001xxxxx
        uint32_t v;
        int used = http2_hpack_int(p + off, len - off, 5, &v);
        if (used < 0) {
            *overflow = true;
            return n;
        }
        if (used == 0) {
            return n;
        }
        if (n < max) {
            out[n] = v;
        }
        n++;
        off += (uint32_t)used;
    }
    return n < max ? n : max;
}

/* ---- memory: each block carries its size so free can release the charge ---- */

#define HDR_SZ 16

static void *mem_malloc(size_t size, void *user)
{
    Http2Hpack *h = user;
    if (h->af != NULL && !app_mem_charge(h->af, size + HDR_SZ)) {
        return NULL;
    }
    uint8_t *p = malloc(size + HDR_SZ);
    if (p == NULL) {
        if (h->af != NULL) {
            app_mem_release(h->af, size + HDR_SZ);
        }
        return NULL;
    }
    memcpy(p, &size, sizeof(size));
    return p + HDR_SZ;
}

static void mem_free(void *ptr, void *user)
{
    Http2Hpack *h = user;
    if (ptr == NULL) {
        return;
    }
    uint8_t *p = (uint8_t *)ptr - HDR_SZ;
    size_t size;
    memcpy(&size, p, sizeof(size));
    if (h->af != NULL) {
        app_mem_release(h->af, size + HDR_SZ);
    }
    free(p);
}

static void *mem_calloc(size_t n, size_t size, void *user)
{
    if (size != 0 && n > SIZE_MAX / size) {
        return NULL;
    }
    void *p = mem_malloc(n * size, user);
    if (p != NULL) {
        memset(p, 0, n * size);
    }
    return p;
}

static void *mem_realloc(void *ptr, size_t size, void *user)
{
    if (ptr == NULL) {
        return mem_malloc(size, user);
    }
    size_t old;
    memcpy(&old, (uint8_t *)ptr - HDR_SZ, sizeof(old));
    void *q = mem_malloc(size, user);
    if (q == NULL) {
        return NULL;
    }
    memcpy(q, ptr, old < size ? old : size);
    mem_free(ptr, user);
    return q;
}

Http2Hpack *http2_hpack_new(AppFlow *af)
{
    Http2Hpack *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        return NULL;
    }
    if (af != NULL && !app_mem_charge(af, sizeof(*h))) {
        free(h);
        return NULL;
    }
    h->af = af;
    h->mem = (nghttp2_mem){
        .mem_user_data = h,
        .malloc = mem_malloc,
        .free = mem_free,
        .calloc = mem_calloc,
        .realloc = mem_realloc,
    };
    if (nghttp2_hd_inflate_new2(&h->inf, &h->mem) != 0) {
        http2_hpack_free(h);
        return NULL;
    }
    return h;
}

void http2_hpack_free(Http2Hpack *h)
{
    if (h == NULL) {
        return;
    }
    if (h->inf != NULL) {
        nghttp2_hd_inflate_del(h->inf);
    }
    if (h->af != NULL) {
        app_mem_release(h->af, sizeof(*h));
    }
    free(h);
}

void http2_hpack_set_table_max(Http2Hpack *h, uint32_t bytes)
{
    if (h == NULL || h->is_broken) {
        return;
    }
    if (bytes > HTTP2_TABLE_MAX) {
        bytes = HTTP2_TABLE_MAX;
    }
    if (nghttp2_hd_inflate_change_table_size(h->inf, bytes) != 0) {
        h->is_broken = true;
    }
}

int http2_hpack_decode(Http2Hpack *h, const uint8_t *block, uint32_t len, Http2HeaderFn fn,
                       void *user)
{
    if (h == NULL || h->is_broken) {
        return VG_EINVAL;
    }
    const uint8_t *p = block;
    size_t left = len;
    for (;;) {
        nghttp2_nv nv;
        int flags = 0;
        ssize_t used = nghttp2_hd_inflate_hd2(h->inf, &nv, &flags, p, left, 1);
        if (used < 0) {
            h->is_broken = true;
            return VG_EINVAL;
        }
        p += used;
        left -= (size_t)used;
        if (flags & NGHTTP2_HD_INFLATE_EMIT) {
            fn(user, nv.name, (uint32_t)nv.namelen, nv.value, (uint32_t)nv.valuelen);
        }
        if (flags & NGHTTP2_HD_INFLATE_FINAL) {
            nghttp2_hd_inflate_end_headers(h->inf);
            return 0;
        }
        if (used == 0 && !(flags & NGHTTP2_HD_INFLATE_EMIT)) {
            /* no progress and no end: the block ends inside a field */
            h->is_broken = true;
            return VG_EINVAL;
        }
    }
}
