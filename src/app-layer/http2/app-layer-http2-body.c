/* HTTP/2 bodies with Content-Encoding gzip, deflate (zlib wrapper, or raw deflate as
 * some servers send it) or br: DATA bytes are decoded before they reach the body buffer
 * and the file, as Suricata does. Bounds: the decoder's memory is charged to the http2
 * memcap (zlib: a fixed estimate of its window and state; brotli: every allocation, its
 * window can be 16 MiB); once a stream's output passes HTTP2_INFLATE_MAX bytes and
 * HTTP2_INFLATE_RATIO times its input, decoding stops (compression_bomb); corrupt data
 * stops it too (failed_decompression). Either way the rest of the body is dropped, not
 * passed on compressed. Other encodings pass through as sent. */
#include "app-layer/http2/app-layer-http2-internal.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <brotli/decode.h>
#include <zlib.h>

#include "util/util-error.h"

#define INFLATE_CHARGE (sizeof(z_stream) + 48 * 1024)   // state and 32 KiB window, rounded

/* Brotli's allocations, each with its size in front, charged to the flow's memcap. */
#define BR_HDR 16

static void *br_alloc(void *opaque, size_t size)
{
    AppFlow *af = opaque;
    if (!app_mem_charge(af, size + BR_HDR)) {
        return NULL;
    }
    uint8_t *p = malloc(size + BR_HDR);
    if (p == NULL) {
        app_mem_release(af, size + BR_HDR);
        return NULL;
    }
    memcpy(p, &size, sizeof(size));
    return p + BR_HDR;
}

static void br_free(void *opaque, void *ptr)
{
    if (ptr == NULL) {
        return;
    }
    uint8_t *p = (uint8_t *)ptr - BR_HDR;
    size_t size;
    memcpy(&size, p, sizeof(size));
    app_mem_release(opaque, size + BR_HDR);
    free(p);
}

static bool start_zlib(AppFlow *af, Http2Side *s, int window_bits)
{
    if (!app_mem_charge(af, INFLATE_CHARGE)) {
        return false;
    }
    z_stream *zs = calloc(1, sizeof(*zs));
    if (zs == NULL || inflateInit2(zs, window_bits) != Z_OK) {
        free(zs);
        app_mem_release(af, INFLATE_CHARGE);
        return false;
    }
    s->zs = zs;
    s->z_kind = window_bits < 0 ? HTTP2_ZK_RAW : HTTP2_ZK_ZLIB;
    s->z_state = HTTP2_Z_ACTIVE;
    return true;
}

bool http2_body_decoder_start(AppFlow *af, Http2Side *s)
{
    const uint8_t *v;
    uint32_t n;
    if (s->zs != NULL || s->z_state != HTTP2_Z_NONE ||
        !http2_header_find(s, "content-encoding", &v, &n)) {
        return false;
    }
    bool is_gzip = (n == 4 && strncasecmp((const char *)v, "gzip", 4) == 0) ||
                   (n == 6 && strncasecmp((const char *)v, "x-gzip", 6) == 0);
    bool is_deflate = n == 7 && strncasecmp((const char *)v, "deflate", 7) == 0;
    if (n == 2 && strncasecmp((const char *)v, "br", 2) == 0) {
        s->zs = BrotliDecoderCreateInstance(br_alloc, br_free, af);
        if (s->zs == NULL) {
            return false;
        }
        s->z_kind = HTTP2_ZK_BROTLI;
        s->z_state = HTTP2_Z_ACTIVE;
        return true;
    }
    return (is_gzip || is_deflate) && start_zlib(af, s, 15 + 32);   // +32: zlib or gzip
}

static int brotli_step(Http2Side *s, const uint8_t *p, uint32_t n, Http2BodyFn fn, void *user)
{
    uint8_t out[16384];
    size_t avail_in = n;
    const uint8_t *next_in = p;
    s->z_in += n;
    for (;;) {
        size_t avail_out = sizeof(out);
        uint8_t *next_out = out;
        BrotliDecoderResult r = BrotliDecoderDecompressStream(s->zs, &avail_in, &next_in,
                                                              &avail_out, &next_out, NULL);
        uint32_t got = (uint32_t)(sizeof(out) - avail_out);
        if (got > 0) {
            s->z_out += got;
            fn(user, out, got);
        }
        if (s->z_out > HTTP2_INFLATE_MAX && s->z_out > s->z_in * HTTP2_INFLATE_RATIO) {
            s->z_state = HTTP2_Z_BOMB;
            return 1;
        }
        if (r == BROTLI_DECODER_RESULT_ERROR) {
            s->z_state = HTTP2_Z_FAILED;
            return -1;
        }
        if (r == BROTLI_DECODER_RESULT_SUCCESS) {
            s->z_state = HTTP2_Z_DONE;
            return 0;
        }
        if (r == BROTLI_DECODER_RESULT_NEEDS_MORE_INPUT) {
            return 0;
        }
    }
}

int http2_body_inflate(AppFlow *af, Http2Side *s, const uint8_t *p, uint32_t n,
                       Http2BodyFn fn, void *user)
{
    if (s->zs == NULL || s->z_state != HTTP2_Z_ACTIVE) {
        return 0;
    }
    if (s->z_kind == HTTP2_ZK_BROTLI) {
        return brotli_step(s, p, n, fn, user);
    }
    z_stream *zs = s->zs;
    bool first = s->z_out == 0 && s->z_in == 0;
    uint8_t out[16384];
    zs->next_in = (Bytef *)(uintptr_t)p;
    zs->avail_in = n;
    s->z_in += n;
    while (zs->avail_in > 0) {
        zs->next_out = out;
        zs->avail_out = sizeof(out);
        int rc = inflate(zs, Z_NO_FLUSH);
        uint32_t got = (uint32_t)(sizeof(out) - zs->avail_out);
        if (got > 0) {
            s->z_out += got;
            fn(user, out, got);
        }
        if (s->z_out > HTTP2_INFLATE_MAX && s->z_out > s->z_in * HTTP2_INFLATE_RATIO) {
            s->z_state = HTTP2_Z_BOMB;
            return 1;
        }
        if (rc == Z_STREAM_END) {
            s->z_state = HTTP2_Z_DONE;   // bytes after the end are not body
            return 0;
        }
        if (rc == Z_DATA_ERROR && first && s->z_kind == HTTP2_ZK_ZLIB && s->z_out == 0) {
            /* "deflate" without the zlib wrapper: start over as raw deflate */
            http2_body_decoder_end(af, s);
            s->z_in = 0;
            if (!start_zlib(af, s, -15)) {
                s->z_state = HTTP2_Z_FAILED;
                return -1;
            }
            return http2_body_inflate(af, s, p, n, fn, user);
        }
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            s->z_state = HTTP2_Z_FAILED;
            return -1;
        }
        if (rc == Z_BUF_ERROR && got == 0) {
            break;   // no progress possible with this input
        }
    }
    return 0;
}

void http2_body_decoder_end(AppFlow *af, Http2Side *s)
{
    if (s->zs == NULL) {
        return;
    }
    if (s->z_kind == HTTP2_ZK_BROTLI) {
        BrotliDecoderDestroyInstance(s->zs);   // releases through br_free
        s->zs = NULL;
        return;
    }
    inflateEnd(s->zs);
    free(s->zs);
    s->zs = NULL;
    if (af != NULL) {
        app_mem_release(af, INFLATE_CHARGE);
    }
}
