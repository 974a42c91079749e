#ifndef VG_APP_LAYER_HTTP2_APP_LAYER_HTTP2_H
#define VG_APP_LAYER_HTTP2_APP_LAYER_HTTP2_H

/* HTTP/2 (RFC 9113) over TCP, prior knowledge or after an HTTP/1 `Upgrade: h2c`: the
 * client connection preface, frames in both directions, HPACK header blocks (RFC 7541,
 * decoded with libnghttp2's inflater, one per direction) and streams as transactions.
 * Frames on stream 0 (SETTINGS, PING, GOAWAY, WINDOW_UPDATE) each make a transaction of
 * their own, complete at once, as Suricata does. Details: src/app-layer/http2/README.md.
 *
 * Threads: everything taking a tx or a state runs on the packet thread owning the flow,
 * flow lock held. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define HTTP2_PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define HTTP2_PREFACE_LEN 24
#define HTTP2_FRAME_HDR_LEN 9

/* Bounds (per flow unless said otherwise): what an attacker can grow stops here, with
 * an event, and the parser goes on. */
#define HTTP2_FRAME_BUF_MAX 65536     // payload of a non-DATA frame kept for parsing
#define HTTP2_BLOCK_MAX 102400        // a header block over HEADERS + CONTINUATION frames
#define HTTP2_HEADER_BYTES_MAX 65536  // decoded header bytes kept per tx and direction
#define HTTP2_HEADERS_MAX 512         // decoded headers kept per tx and direction
#define HTTP2_FRAMES_MAX 64           // frame types kept per tx and direction
#define HTTP2_VALUES_MAX 16           // settings/priorities/windows/size updates kept
#define HTTP2_STREAMS_MAX 4096        // open streams (Suricata's max-streams default)
#define HTTP2_TABLE_MAX 65536         // HPACK dynamic table size we accept from settings
#define HTTP2_BODY_MAX 102400         // DATA bytes kept per tx and direction (body limit)

enum {
    HTTP2_FRAME_DATA = 0,
    HTTP2_FRAME_HEADERS = 1,
    HTTP2_FRAME_PRIORITY = 2,
    HTTP2_FRAME_RST_STREAM = 3,
    HTTP2_FRAME_SETTINGS = 4,
    HTTP2_FRAME_PUSH_PROMISE = 5,
    HTTP2_FRAME_PING = 6,
    HTTP2_FRAME_GOAWAY = 7,
    HTTP2_FRAME_WINDOW_UPDATE = 8,
    HTTP2_FRAME_CONTINUATION = 9,
    HTTP2_FRAME_N,
};

enum {
    HTTP2_FLAG_END_STREAM = 0x1,   // DATA, HEADERS; ACK on SETTINGS and PING
    HTTP2_FLAG_END_HEADERS = 0x4,
    HTTP2_FLAG_PADDED = 0x8,
    HTTP2_FLAG_PRIORITY = 0x20,
};

/* Progress per direction of a stream's tx. */
enum {
    HTTP2_PROG_IDLE = 0,
    HTTP2_PROG_HEADERS = 1,      // a header block started
    HTTP2_PROG_DATA = 2,         // headers decoded, body may follow
    HTTP2_PROG_DONE = 3,         // END_STREAM, RST_STREAM, or a stream-0 frame
};

/* Events, in Suricata's order (app-layer-event:http2.<name>). */
enum {
    HTTP2_EV_INVALID_FRAME_HEADER = 0,
    HTTP2_EV_INVALID_CLIENT_MAGIC,
    HTTP2_EV_INVALID_FRAME_DATA,
    HTTP2_EV_INVALID_HEADER,
    HTTP2_EV_INVALID_FRAME_LENGTH,
    HTTP2_EV_EXTRA_HEADER_DATA,
    HTTP2_EV_LONG_FRAME_DATA,
    HTTP2_EV_STREAM_ID_REUSE,
    HTTP2_EV_INVALID_HTTP1_SETTINGS,
    HTTP2_EV_FAILED_DECOMPRESSION,
    HTTP2_EV_INVALID_RANGE,
    HTTP2_EV_HEADER_INTEGER_OVERFLOW,
    HTTP2_EV_TOO_MANY_STREAMS,
    HTTP2_EV_AUTHORITY_HOST_MISMATCH,
    HTTP2_EV_USERINFO_IN_URI,
    HTTP2_EV_REASSEMBLY_LIMIT_REACHED,
    HTTP2_EV_DNS_REQUEST_TOO_LONG,
    HTTP2_EV_DNS_RESPONSE_TOO_LONG,
    HTTP2_EV_DATA_STREAM_ZERO,
    HTTP2_EV_TOO_MANY_FRAMES,
    HTTP2_EV_COMPRESSION_BOMB,
    HTTP2_EV_N,
};

typedef struct Http2Setting {
    uint16_t id;
    uint32_t value;
} Http2Setting;

/* One decoded header, stored as "name: value" in Http2Side.hbytes so the pair is one
 * contiguous buffer (http.request_header, http2.header). */
typedef struct Http2Header {
    uint32_t off;
    uint32_t name_len;
    uint32_t value_len;
} Http2Header;

/* What one direction of a stream carried. */
typedef struct Http2Side {
    uint8_t frame_types[HTTP2_FRAMES_MAX];
    uint16_t n_frames;
    Http2Setting settings[HTTP2_VALUES_MAX];
    uint16_t n_settings;
    bool has_settings;           // a SETTINGS frame (even empty or an ACK) was seen
    bool has_error;              // GOAWAY or RST_STREAM: error_code valid
    bool multiple_error;
    bool multiple_priority;
    uint32_t error_code;
    uint8_t priorities[HTTP2_VALUES_MAX];   // weights of PRIORITY / HEADERS priority
    uint16_t n_priorities;
    uint32_t windows[HTTP2_VALUES_MAX];     // WINDOW_UPDATE increments
    uint16_t n_windows;
    uint32_t size_updates[HTTP2_VALUES_MAX];   // HPACK dynamic table size updates
    uint16_t n_size_updates;
    Http2Header *headers;
    uint32_t n_headers;
    uint32_t cap_headers;
    uint8_t *hbytes;             // "name: value" of each header, back to back
    uint32_t hbytes_len;
    uint32_t hbytes_cap;
    bool headers_truncated;      // the per-tx bounds dropped some
    uint8_t *body;               // DATA payload, at most HTTP2_BODY_MAX bytes
    uint32_t body_len;
    uint32_t body_cap;
    uint64_t body_seen;          // DATA bytes seen (kept or not)
    uint8_t *joined;             // http.header (non-pseudo "name: value\r\n"), built once
    uint32_t joined_len;         // the block is complete
    uint8_t *cookie;             // cookie headers joined with "; "
    uint32_t cookie_len;
    uint8_t *host;               // :authority (or host) lower case, no port, no userinfo
    uint32_t host_len;
    AppFile file;                // the body as a file (tx.n_files[dir] is 1 once it starts)
    uint8_t *file_name;          // the request's :path, owned
    void *md5;                   // EVP_MD_CTX * while the file is open and hashed
    void *sha1;
    void *sha256;
    void *zs;                    // z_stream * or BrotliDecoderState * while a body is decoded
    uint8_t z_state;             // HTTP2_Z_*
    uint8_t z_kind;              // HTTP2_ZK_*
    uint64_t z_in;               // compressed bytes in, decompressed bytes out
    uint64_t z_out;
    bool is_dns_message;         // Content-Type application/dns-message (DNS over HTTP/2)
    bool dns_too_long;           // its body passed the 65535 bytes of a DNS message
    void *doh;                   // DnsTx * of the DNS message this side carried (DoH)
} Http2Side;

enum { HTTP2_Z_NONE = 0, HTTP2_Z_ACTIVE, HTTP2_Z_DONE, HTTP2_Z_FAILED, HTTP2_Z_BOMB };
enum { HTTP2_ZK_ZLIB = 0, HTTP2_ZK_RAW, HTTP2_ZK_BROTLI };
#define HTTP2_INFLATE_MAX (1024 * 1024)   // decompressed bytes before the ratio is checked
#define HTTP2_INFLATE_RATIO 64u

typedef struct Http2Tx {
    AppTx tx;
    uint32_t stream_id;
    bool is_global;              // a stream-0 frame
    bool in_open_list;           // internal: listed in the state's open streams
    Http2Side side[2];
} Http2Tx;

/* ---- pure helpers (tests) ---- */

/* Frame header fields of 9 bytes at p. */
void http2_frame_header_parse(const uint8_t *p, uint32_t *len, uint8_t *type, uint8_t *flags,
                              uint32_t *stream_id);
/* An HPACK integer (RFC 7541 section 5.1) of prefix bits at p[0..len): value and bytes
 * used; 0 when more bytes are needed, -1 when it overflows 32 bits. */
int http2_hpack_int(const uint8_t *p, uint32_t len, uint8_t prefix_bits, uint32_t *value);
/* Dynamic table size updates at the start of a header block (RFC 7541 section 4.2):
 * their values (at most max) into out; count returned. *overflow set when one overflows. */
uint32_t http2_hpack_size_updates(const uint8_t *p, uint32_t len, uint32_t *out, uint32_t max,
                                  bool *overflow);
/* Suricata's names: "GOAWAY", "RST_STREAM"... (NULL past CONTINUATION), error codes
 * ("NO_ERROR"...), settings ("SETTINGS_HEADER_TABLE_SIZE"...). */
const char *http2_frame_type_name(uint8_t type);
const char *http2_error_code_name(uint32_t code);
const char *http2_settings_name(uint16_t id);

/* ---- for detect and output (tx of another protocol: NULL / false) ---- */

const Http2Tx *http2_tx(const AppTx *tx);
/* Header i of side ("name", "value", and "name: value"). False past the last. */
bool http2_header_at(const Http2Side *s, uint32_t i, const uint8_t **name, uint32_t *name_len,
                     const uint8_t **value, uint32_t *value_len);
/* The first header named name (lower case) of side. */
bool http2_header_find(const Http2Side *s, const char *name, const uint8_t **value,
                       uint32_t *value_len);

extern const AppBufferDef http2_buffers[];
#define HTTP2_N_BUFFERS 35
extern const char *const http2_event_names[];

/* Files (app-layer-http2-files.c): DATA bytes of dir on t (the file starts with the
 * first), the file's end (CLOSED, or TRUNCATED by a reset or the end of the data), and
 * release with the tx. af: memcap accounting. */
struct AppFlow;
void http2_file_data(struct AppFlow *af, Http2Tx *t, uint8_t dir, const uint8_t *p, uint32_t n);
void http2_file_close(Http2Tx *t, uint8_t dir, uint8_t state);
void http2_file_free(struct AppFlow *af, Http2Side *s);
const AppFile *http2_tx_file_at(const AppTx *tx, uint8_t dir, uint32_t idx);

/* DNS over HTTP/2 (app-layer-http2-doh.c): the DNS tx (proto DNS, not listed in the
 * flow) of the message tx carried in dir, NULL when none. Output writes it as a dns
 * record and sets its logged bits. */
AppTx *http2_tx_doh(const AppTx *tx, uint8_t dir);

/* The EVE "http" object of tx (app-layer-http2-log.c). */
void http2_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);

#endif
