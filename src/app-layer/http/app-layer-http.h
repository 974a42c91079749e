#ifndef VG_APP_LAYER_HTTP_APP_LAYER_HTTP_H
#define VG_APP_LAYER_HTTP_APP_LAYER_HTTP_H

/* HTTP/1.x through libhtp: internal to src/app-layer/http and its tests. */

#include <htp/htp.h>
#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer-internal.h"

/* Tx progress per direction (AppTx.progress): the stage that is done. */
enum {
    HTTP_PROG_NONE = 0,
    HTTP_PROG_LINE = 1,          // request/response line parsed
    HTTP_PROG_HEADERS = 2,       // headers parsed
    HTTP_PROG_BODY = 3,          // body data flowing
    HTTP_PROG_TRAILER = 4,
    HTTP_PROG_COMPLETE = 5,
};

/* Parser-local event ids (index into http_event_names). */
enum {
    HTTP_EV_UNKNOWN_ERROR = 0,
    HTTP_EV_GZIP_DECOMPRESSION_FAILED,
    HTTP_EV_REQUEST_FIELD_MISSING_COLON,
    HTTP_EV_RESPONSE_FIELD_MISSING_COLON,
    HTTP_EV_INVALID_REQUEST_CHUNK_LEN,
    HTTP_EV_INVALID_RESPONSE_CHUNK_LEN,
    HTTP_EV_INVALID_TRANSFER_ENCODING_VALUE_IN_REQUEST,
    HTTP_EV_INVALID_TRANSFER_ENCODING_VALUE_IN_RESPONSE,
    HTTP_EV_INVALID_CONTENT_LENGTH_FIELD_IN_REQUEST,
    HTTP_EV_INVALID_CONTENT_LENGTH_FIELD_IN_RESPONSE,
    HTTP_EV_100_CONTINUE_ALREADY_SEEN,
    HTTP_EV_UNABLE_TO_MATCH_RESPONSE_TO_REQUEST,
    HTTP_EV_INVALID_SERVER_PORT_IN_REQUEST,
    HTTP_EV_INVALID_AUTHORITY_PORT,
    HTTP_EV_REQUEST_HEADER_INVALID,
    HTTP_EV_RESPONSE_HEADER_INVALID,
    HTTP_EV_MISSING_HOST_HEADER,
    HTTP_EV_HOST_HEADER_AMBIGUOUS,
    HTTP_EV_INVALID_REQUEST_FIELD_FOLDING,
    HTTP_EV_INVALID_RESPONSE_FIELD_FOLDING,
    HTTP_EV_REQUEST_FIELD_TOO_LONG,
    HTTP_EV_RESPONSE_FIELD_TOO_LONG,
    HTTP_EV_MULTIPART_GENERIC_ERROR,
    HTTP_EV_MULTIPART_NO_FILEDATA,
    HTTP_EV_MULTIPART_INVALID_HEADER,
    HTTP_EV_REQUEST_SERVER_PORT_TCP_PORT_MISMATCH,
    HTTP_EV_REQUEST_URI_HOST_INVALID,
    HTTP_EV_REQUEST_HEADER_HOST_INVALID,
    HTTP_EV_URI_DELIM_NON_COMPLIANT,
    HTTP_EV_METHOD_DELIM_NON_COMPLIANT,
    HTTP_EV_REQUEST_LINE_LEADING_WHITESPACE,
    HTTP_EV_TOO_MANY_ENCODING_LAYERS,
    HTTP_EV_ABNORMAL_CE_HEADER,
    HTTP_EV_REQUEST_AUTH_UNRECOGNIZED,
    HTTP_EV_REQUEST_HEADER_REPETITION,
    HTTP_EV_RESPONSE_HEADER_REPETITION,
    HTTP_EV_RESPONSE_MULTIPART_BYTERANGES,
    HTTP_EV_RESPONSE_ABNORMAL_TRANSFER_ENCODING,
    HTTP_EV_RESPONSE_CHUNKED_OLD_PROTO,
    HTTP_EV_RESPONSE_INVALID_PROTOCOL,
    HTTP_EV_RESPONSE_INVALID_STATUS,
    HTTP_EV_REQUEST_LINE_INCOMPLETE,
    HTTP_EV_DOUBLE_ENCODED_URI,
    HTTP_EV_REQUEST_LINE_INVALID,
    HTTP_EV_REQUEST_BODY_UNEXPECTED,
    HTTP_EV_LZMA_MEMLIMIT_REACHED,
    HTTP_EV_DUPLICATE_CONTENT_LENGTH_FIELD_IN_REQUEST,
    HTTP_EV_DUPLICATE_CONTENT_LENGTH_FIELD_IN_RESPONSE,
    HTTP_EV_COMPRESSION_BOMB,
    HTTP_EV_TOO_MANY_WARNINGS,
    HTTP_EV_RANGE_INVALID,
    HTTP_EV_FILE_NAME_TOO_LONG,
    HTTP_EV_FAILED_PROTOCOL_CHANGE,
    HTTP_EV_REQUEST_CHUNK_EXTENSION,
    HTTP_EV_REQUEST_LINE_MISSING_PROTOCOL,
    HTTP_EV_REQUEST_TOO_MANY_HEADERS,
    HTTP_EV_RESPONSE_TOO_MANY_HEADERS,
    HTTP_EV_RESPONSE_CHUNK_EXTENSION,
    HTTP_EV_COMPRESSION_BOMB_LIMIT_REACHED,
    HTTP_EV_N,
};
extern const char *const http_event_names[HTTP_EV_N];

/* Which libhtp log message raises which event (-1: none). */
int http_event_from_log(const char *msg);

/* A growing byte buffer charged to the HTTP memcap. */
typedef struct HttpBuf {
    uint8_t *data;
    uint32_t len;
    uint32_t cap;
} HttpBuf;

/* Cached derived buffers of a tx (built once, when their direction is ready). */
enum {
    HTTP_C_URI = 0,              // normalised uri
    HTTP_C_HEADER_TS,
    HTTP_C_HEADER_TC,
    HTTP_C_NAMES_TS,
    HTTP_C_NAMES_TC,
    HTTP_C_START_TS,
    HTTP_C_START_TC,
    HTTP_C_N,
};

typedef struct HttpFile {
    AppFile f;
    uint8_t *name;               // owned
    uint32_t charged;            // bytes charged to the HTTP memcap for it
    void *md5;                   // EVP_MD_CTX * while open
    void *sha1;
    void *sha256;
    AppFileStore *store;         // being written to the file store
    bool store_failed;           // asked for too late (data gone) or I/O error
    const HttpBuf *window;       // the body buffer holding this file's data (NULL: none)
    char magic_buf[128];         // AppFile.magic points here
} HttpFile;

typedef struct HttpTx {
    AppTx tx;                    // first
    htp_tx_t *htp;               // NULL once libhtp let go of it
    HttpBuf body[2];             // request / response body (dechunked, decompressed), capped
    uint64_t body_base[2];       // body offset of body[d].data[0] (bytes pruned before it)
    uint64_t insp_end[2];        // body offset up to which a window was handed to detection
    uint64_t win_off[2];         // start of that window
    bool win_given[2];
    uint64_t body_seen[2];       // body bytes seen (beyond the cap too)
    bool body_truncated[2];
    HttpBuf raw_hdr[2];          // header block as received
    HttpBuf line;                // the header instance handed out last (not charged: one
                                 // header, bounded by libhtp's field limit)
    HttpBuf cache[HTTP_C_N];
    bool cached[HTTP_C_N];
    bool events_done;            // tx flags turned into events
    bool is_connect;
    HttpFile *files[2];          // one file per direction (body), NULL if none
    struct HttpMultipart *mp;    // request multipart parser state
    HttpFile *mp_files[8];       // multipart upload files (toserver)
    uint32_t n_mp_files;
    uint16_t status;
} HttpTx;

/* Chunked-body framing seen beside libhtp (which does not report chunk extensions in
 * its 0.5 series): size lines, data, trailer, per direction. */
typedef struct HttpChunkScan {
    uint8_t state;               // HTTP_CS_*: 0 = not in a chunked body
    bool has_size;               // a hex digit on this size line
    bool is_last;                // size line of the last (0) chunk
    uint64_t size;               // of the chunk being read / data left in it
    uint32_t line_len;           // bytes of the current trailer line
    uint64_t tx_id;              // tx whose body this is
} HttpChunkScan;
enum { HTTP_CS_OFF = 0, HTTP_CS_SIZE, HTTP_CS_EXT, HTTP_CS_DATA, HTTP_CS_DATA_END,
       HTTP_CS_TRAILER };
/* Scans n bytes of a chunked body; returns true when a size line carried an extension
 * (";name=value"). The scan ends (state HTTP_CS_OFF) after the trailer's blank line. */
bool http_chunk_scan(HttpChunkScan *cs, const uint8_t *p, uint32_t n);

/* Per-flow parser state. */
typedef struct HttpState {
    AppFlow *af;
    htp_connp_t *connp;
    const struct HttpCfg *cfg;
    HttpBuf pending[2];          // data libhtp did not take yet (DATA_OTHER)
    bool tunnel;
    bool after_09;               // an HTTP/0.9 request was complete: toserver data ignored
    HttpChunkScan chunk[2];
    const uint8_t *feed_data[2]; // the data being handed to libhtp (NULL between calls)
    uint32_t feed_len[2];
    uint32_t chunk_from[2];      // offset in it up to which the chunk framing was scanned
    bool req_at_start;           // the next toserver data starts a request
    bool req_next_at_start;      // set by the request-complete callback during a feed
    const uint8_t *orig_line;    // a request line given to libhtp with " HTTP/1.0" added
    uint32_t orig_line_len;      // (missing protocol, headers follow): restored on the tx
} HttpState;

/* Configuration: the default personality and per-server ones. */
typedef struct HttpCfg {
    htp_cfg_t *htp;
    uint64_t request_body_limit;
    uint64_t response_body_limit;
    uint64_t request_inspect_min;
    uint64_t request_inspect_window;
    uint64_t response_inspect_min;
    uint64_t response_inspect_window;
    bool double_decode_path;
    bool double_decode_query;
    bool uri_include_all;
    uint64_t decompression_time_limit; // microseconds given to libhtp (offline: INT32_MAX)
} HttpCfg;

const HttpCfg *http_cfg_for(const Flow *f);
int http_config(const struct Conf *conf);
void http_config_deinit(void);
/* Registers the libhtp callbacks on a fresh htp config. */
void http_register_callbacks(htp_cfg_t *cfg);

/* Buffers (app-layer-http-buffers.c). */
#define HTTP_N_BUFFERS 40
extern const AppBufferDef http_buffers[HTTP_N_BUFFERS];
/* Normalised uri per config, built once at the request line (cached in the tx);
 * *double_encoded when double decoding changed it. */
void http_build_uri(const Flow *f, HttpTx *ht, const HttpCfg *cfg, bool *double_encoded);
bool http_get_uri(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len);
/* The tx's host name (http.host, EVE hostname): libhtp's, unless it is not a host name at
 * all (a CONNECT target "/"); NULL when absent. */
const bstr *http_tx_hostname(const HttpTx *ht);
bool http_is_hostname(const uint8_t *p, size_t n);
/* Header value by name (case-insensitive) of dir; false when absent. */
bool http_header_value(const HttpTx *ht, uint8_t dir, const char *name, const uint8_t **data,
                       uint32_t *len);

/* EVE (app-layer-http-log.c). */
void http_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);
typedef struct HttpLogCfg {
    uint8_t dump_headers;        // bit 0 request, bit 1 response
    bool extended;
    const char **custom;         // extra headers to log (NULL-terminated)
    uint8_t xff_mode;            // 0 off, 1 extra-data, 2 overwrite
    uint8_t xff_deployment;      // 0 reverse, 1 forward
    const char *xff_header;
} HttpLogCfg;
extern HttpLogCfg g_http_log_cfg;

/* Files (app-layer-http-files.c). */
void http_file_body(AppFlow *af, HttpTx *ht, uint8_t dir, const uint8_t *data, uint32_t len);
void http_file_close(AppFlow *af, HttpTx *ht, uint8_t dir, bool truncated);
/* len bytes of the body of dir are missing: the file (if any) has a gap, closes truncated. */
void http_file_gap(AppFlow *af, HttpTx *ht, uint8_t dir, uint32_t len);
void http_files_free(struct AppFlow *af, HttpTx *ht);   // af NULL: no memcap release
void http_files_deinit(void);    // the libmagic handle
const AppFile *http_tx_file_at(const AppTx *tx, uint8_t dir, uint32_t idx);

bool http_buf_append(AppFlow *af, HttpBuf *b, const uint8_t *data, uint32_t len, uint64_t cap);
/* The body window detection inspects now (NULL-free false: none yet, deferred until
 * minimal-inspect-size or the end of the body); may prune what no window needs again. */
bool http_body_window(const Flow *f, const AppTx *tx, uint8_t dir, const uint8_t **d,
                      uint32_t *l);
/* Body bytes of dir that the tx still holds must stay whole (files to store, multipart). */
bool http_body_keep_all(const HttpTx *ht, uint8_t dir);
/* The file of a body learns its type before the body start is pruned. */
void http_file_before_prune(HttpTx *ht, uint8_t dir);
void http_buf_free(AppFlow *af, HttpBuf *b);

#endif
