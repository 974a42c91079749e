#ifndef VG_APP_LAYER_SIP_APP_LAYER_SIP_H
#define VG_APP_LAYER_SIP_APP_LAYER_SIP_H

/* SIP (RFC 3261) over UDP and TCP: every request and every response is a transaction of
 * its own (as Suricata: responses are not paired with their request), complete the
 * moment its head is parsed. Kept per message: the start line and the header lines
 * (names normalised from the compact forms of RFC 3261 section 7.3.3). The body is
 * skipped (TCP: by Content-Length). Details: src/app-layer/sip/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer.h"

#define SIP_HEAD_MAX 65536       // start line + headers kept at most (TCP: longer is invalid)
#define SIP_HEADERS_MAX 128      // header lines indexed per message; more are not kept
#define SIP_PROG_DONE 1

enum {
    SIP_EV_INCOMPLETE_DATA = 0,  // a message cut before the end of its head
    SIP_EV_INVALID_DATA,         // not a SIP start line or header
    SIP_EV_N,
};

/* Headers keywords look at (their normalised names). */
enum {
    SIP_HDR_OTHER = 0,
    SIP_HDR_FROM,
    SIP_HDR_TO,
    SIP_HDR_VIA,
    SIP_HDR_USER_AGENT,
    SIP_HDR_CONTENT_TYPE,
    SIP_HDR_CONTENT_LENGTH,
    SIP_HDR_N,
};

typedef struct SipSpan {
    uint32_t off;                // into SipMessage.head
    uint32_t len;
} SipSpan;

typedef struct SipHeader {
    SipSpan name;                // as sent (compact or long form)
    SipSpan value;               // leading and trailing blanks removed, folding joined
    uint8_t kind;                // SIP_HDR_*
} SipHeader;

typedef struct SipMessage {
    uint8_t *head;               // owned copy: start line, CRLF, header lines
    uint32_t head_len;
    bool is_request;
    SipSpan line;                // the start line without CRLF
    SipSpan method, uri, version;        // requests (version: both)
    SipSpan code, reason;                // responses
    SipHeader *headers;          // owned, n_headers entries
    uint32_t n_headers;
    uint32_t headers_cap;
    bool has_content_length;
    uint64_t content_length;     // saturates at UINT64_MAX
    uint64_t body_len;           // body bytes that followed (UDP) or were announced (TCP)
} SipMessage;

typedef struct SipTx {
    AppTx tx;
    uint8_t dir;                 // APP_DIR_* the message travelled
    SipMessage msg;
    uint32_t mem_bytes;          // charged to the sip memcap
} SipTx;

/* Parses the head of a message: data[0..len) holds the start line and header lines,
 * without the empty line that ends them. Copies it into m->head (malloc; the caller
 * frees with sip_message_deinit, on every return). 0; VG_EINVAL when the start line is
 * not SIP (m holds nothing) or a header line has no colon (m holds the start line and
 * the other headers); VG_ENOMEM. */
int sip_message_parse(const uint8_t *data, uint32_t len, SipMessage *m)
    __attribute__((warn_unused_result));
void sip_message_deinit(SipMessage *m);
/* Bytes owned by m (for the memcap). */
uint32_t sip_message_mem(const SipMessage *m);
/* The normalised kind of a header name (long or compact form, any case). */
uint8_t sip_header_kind(const uint8_t *name, uint32_t len);
/* Offset just past the empty line that ends the head in data (CRLFCRLF, or LFLF), the
 * head's length without that line in *head_len; 0 when not found. */
uint32_t sip_find_head_end(const uint8_t *data, uint32_t len, uint32_t *head_len);
/* Whether data starts like a SIP request or status line (APP_PROBE_*). */
int sip_probe_start(const uint8_t *data, uint32_t len);

/* For detect and output: the message of tx, NULL when tx is not SIP. */
const SipTx *sip_tx(const AppTx *tx);

extern const AppBufferDef sip_buffers[];
extern const char *const sip_event_names[];

#endif
