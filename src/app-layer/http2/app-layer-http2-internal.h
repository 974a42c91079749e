#ifndef VG_APP_LAYER_HTTP2_APP_LAYER_HTTP2_INTERNAL_H
#define VG_APP_LAYER_HTTP2_APP_LAYER_HTTP2_INTERNAL_H

/* Inside src/app-layer/http2 and its tests: the HPACK decoder of one direction. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/http2/app-layer-http2.h"

typedef struct Http2Hpack Http2Hpack;

/* One decoded field; name and value are valid during the call only. */
typedef void (*Http2HeaderFn)(void *user, const uint8_t *name, uint32_t name_len,
                              const uint8_t *value, uint32_t value_len);

/* A decoder whose memory is charged to af's protocol memcap (af NULL: not charged).
 * NULL on memcap or no memory. */
Http2Hpack *http2_hpack_new(AppFlow *af);
void http2_hpack_free(Http2Hpack *h);
/* The peer's SETTINGS_HEADER_TABLE_SIZE (capped at HTTP2_TABLE_MAX). */
void http2_hpack_set_table_max(Http2Hpack *h, uint32_t bytes);
/* Decodes one complete header block, calling fn per field in order. 0, or VG_EINVAL
 * on a malformed block: the decoder is then unusable (the dynamic table is lost) and
 * every later call fails too. */
int http2_hpack_decode(Http2Hpack *h, const uint8_t *block, uint32_t len, Http2HeaderFn fn,
                       void *user) __attribute__((warn_unused_result));

/* Bodies (app-layer-http2-body.c). Starts a gzip/deflate/br decoder for side when its
 * headers say so (true when started). */
bool http2_body_decoder_start(AppFlow *af, Http2Side *s);
/* Inflates p into fn's calls: 0 ok (or nothing to do), 1 bomb stop, -1 corrupt data. */
typedef void (*Http2BodyFn)(void *user, const uint8_t *p, uint32_t n);
int http2_body_inflate(AppFlow *af, Http2Side *s, const uint8_t *p, uint32_t n,
                       Http2BodyFn fn, void *user);
void http2_body_decoder_end(AppFlow *af, Http2Side *s);

/* DoH (app-layer-http2-doh.c): parse the DNS message dir of t carried, once that
 * direction ended; release it with the tx. */
void http2_doh_parse(AppFlow *af, Http2Tx *t, uint8_t dir);
void http2_doh_free(AppFlow *af, Http2Side *s);
AppTx *http2_tx_sub(const AppTx *tx, uint32_t idx);   // the row's tx_sub
/* base64url (RFC 4648 section 5, padding optional) of in into out; bytes written, 0 on
 * a bad character or when out is too small. */
uint32_t http2_b64url_decode(const uint8_t *in, uint32_t n, uint8_t *out, uint32_t cap);

#endif
