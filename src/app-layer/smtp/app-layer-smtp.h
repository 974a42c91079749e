#ifndef VG_APP_LAYER_SMTP_APP_LAYER_SMTP_H
#define VG_APP_LAYER_SMTP_APP_LAYER_SMTP_H

/* SMTP (RFC 5321) with ESMTP pipelining (RFC 2920), BDAT (RFC 3030) and STARTTLS
 * (RFC 3207), and the MIME decoding of the messages (RFC 2045-2047, 2231): envelope
 * (helo, mail from, rcpt to), message headers, URLs in text parts, attachments as files.
 * One transaction per mail transaction; complete when its data ended (toserver) and the
 * server answered it (toclient), or when it was abandoned (RSET, HELO/EHLO, flow end).
 * Details: src/app-layer/smtp/README.md. */

#include <stdbool.h>
#include <stdint.h>

#include "app-layer/app-layer-internal.h"

#define SMTP_LINE_MAX 4096          // command/reply/data line bytes kept (truncated_line)
#define SMTP_MAX_RCPT 64            // rcpt_to entries kept per tx
#define SMTP_MAX_PENDING 64         // pipelined commands waiting for their reply
#define SMTP_MAX_FILES 64           // attachments per tx
#define MIME_HEADER_VALUE_MAX 2000  // header-value-depth (Suricata's default)
#define MIME_HEADER_NAME_MAX 75     // longer: mime_long_header_name
#define MIME_LINE_MAX 998           // RFC 5322 2.1.1: longer lines raise mime_long_line
#define MIME_BOUNDARY_MAX 254       // RFC 2046 says 70; longer than this: mime_long_boundary
#define MIME_MAX_DEPTH 16           // nested multiparts followed
#define MIME_MAX_LIST 64            // to/cc/received/url entries kept per message

/* Progress toserver: envelope being given, message data started (the envelope is final),
 * message header block read, done. Toclient: the server took the DATA command (354) or a
 * BDAT chunk, then the reply to the data came (or abandoned). */
enum { SMTP_PROG_OPEN = 0, SMTP_PROG_DATA = 1, SMTP_PROG_HEADERS = 2, SMTP_PROG_DONE = 3 };
enum { SMTP_PROG_TC_DATA = 1, SMTP_PROG_TC_DONE = 2 };

/* Parser-local event ids (names in app-layer-smtp.c, Suricata's). */
enum {
    SMTP_EV_INVALID_REPLY = 0,
    SMTP_EV_UNABLE_TO_MATCH_REPLY_WITH_REQUEST,
    SMTP_EV_MAX_COMMAND_LINE_LEN_EXCEEDED,
    SMTP_EV_MAX_REPLY_LINE_LEN_EXCEEDED,
    SMTP_EV_INVALID_PIPELINED_SEQUENCE,
    SMTP_EV_BDAT_CHUNK_LEN_EXCEEDED,
    SMTP_EV_NO_SERVER_WELCOME_MESSAGE,
    SMTP_EV_TLS_REJECTED,
    SMTP_EV_DATA_COMMAND_REJECTED,
    SMTP_EV_MIME_PARSE_FAILED,
    SMTP_EV_MIME_MALFORMED_MSG,
    SMTP_EV_MIME_INVALID_BASE64,
    SMTP_EV_MIME_INVALID_QP,
    SMTP_EV_MIME_LONG_LINE,
    SMTP_EV_MIME_LONG_ENC_LINE,
    SMTP_EV_MIME_LONG_HEADER_NAME,
    SMTP_EV_MIME_LONG_HEADER_VALUE,
    SMTP_EV_MIME_LONG_BOUNDARY,
    SMTP_EV_MIME_LONG_FILENAME,
    SMTP_EV_DUPLICATE_FIELDS,
    SMTP_EV_UNPARSABLE_CONTENT,
    SMTP_EV_TRUNCATED_LINE,
    SMTP_EV_FAILED_PROTOCOL_CHANGE,
    SMTP_EV_INVALID_BDAT,
    SMTP_EV_N,
};

/* A byte string owned by a tx, charged to the smtp memcap. */
typedef struct SmtpStr {
    uint8_t *p;
    uint32_t len;
} SmtpStr;

/* A list of strings (rcpt_to, email.to ...), at most its cap entries. */
typedef struct SmtpList {
    SmtpStr *v;
    uint32_t n;
    uint32_t cap;
} SmtpList;

/* Fields of one mail message (the top-level header block) and what its body gave. */
enum {
    MIME_F_FROM = 0, MIME_F_SUBJECT, MIME_F_DATE, MIME_F_MESSAGE_ID, MIME_F_X_MAILER,
    MIME_F_REPLY_TO, MIME_F_USER_AGENT, MIME_F_ORGANIZATION, MIME_F_N,
};
enum { MIME_L_TO = 0, MIME_L_CC, MIME_L_RECEIVED, MIME_L_URL, MIME_L_ATTACHMENT, MIME_L_N };
enum { MIME_ST_HEADER = 0, MIME_ST_BODY, MIME_ST_DONE, MIME_ST_ERROR };

typedef struct MimeEntity MimeEntity;
typedef struct SmtpMime {
    AppFlow *af;                 // memcap
    AppTx *tx;                   // events
    uint8_t status;              // MIME_ST_*
    SmtpStr field[MIME_F_N];     // top-level header values
    SmtpList list[MIME_L_N];     // top-level to/cc/received, urls, attachment names
    /* parsing */
    MimeEntity *ent[MIME_MAX_DEPTH + 1];   // entity stack: [0] the message
    uint32_t depth;              // entities open - 1
    uint8_t *hdr;                // header being read (name: value, unfolded)
    uint32_t hdr_len;
    bool hdr_long;               // value past MIME_HEADER_VALUE_MAX (rest dropped)
    uint32_t line_len;           // bytes of the current (possibly split) line so far
    /* body-md5: MD5 of the message's raw lines from the end of its header block */
    bool md5_want;               // mime.body-md5 yes, or auto and a rule inspects it
    void *md5;                   // digest under way (EVP_MD_CTX), NULL when not
    bool has_body_md5;           // the message ended with its digest done
    char body_md5[33];           // lower-case hex
    /* files made (owned by the tx through the callback) */
    void (*file_open)(void *user, const uint8_t *name, uint32_t len);
    void (*file_data)(void *user, const uint8_t *d, uint32_t len);
    void (*file_close)(void *user, bool ok);
    void *user;
} SmtpMime;

typedef struct SmtpTx {
    AppTx tx;                    // first
    SmtpStr helo;
    SmtpStr mail_from;
    SmtpList rcpt_to;
    bool has_mime;               // DATA/BDAT started: the email object exists
    bool data_tried;             // a DATA was sent (even if refused)
    bool data_ended;             // the message's data ended (".", BDAT LAST)
    bool is_done;                // no more commands go to this tx
    SmtpMime mime;
    AppFileTrack *files[SMTP_MAX_FILES];
    uint16_t n_files;
    AppFileTrack *open_file;     // the attachment being decoded
} SmtpTx;

/* ---- MIME (app-layer-smtp-mime.c) ---- */

struct Conf;
/* Start-up: app-layer.protocols.smtp.mime.extract-urls, extract-urls-schemes,
 * log-url-scheme, body-md5. 0 or VG_EINVAL (message names file, line and key). */
int smtp_mime_config(const struct Conf *conf);

void smtp_mime_init(SmtpMime *m, AppFlow *af, AppTx *tx);
/* One line of the message (after dot-unstuffing, without its line end). partial: the
 * line goes on in the next call (a line split at SMTP_LINE_MAX or at a BDAT chunk). */
void smtp_mime_line(SmtpMime *m, const uint8_t *line, uint32_t len, bool partial);
/* The same line as the message data carried it (dot-stuffed, with its line end eol,
 * "" for a piece of a longer line): hashed into the body MD5 when the message's header
 * block ended before it (the empty line ending it is not part of the body). Call before
 * smtp_mime_line for the line. */
void smtp_mime_raw(SmtpMime *m, const uint8_t *line, uint32_t len, const char *eol);
/* End of the message data: open files closed, status PARSE_DONE. */
void smtp_mime_end(SmtpMime *m);
/* Flow end or abort: open files truncated. */
void smtp_mime_abort(SmtpMime *m);
void smtp_mime_free(SmtpMime *m);
const char *smtp_mime_status_name(const SmtpMime *m);

/* ---- strings (app-layer-smtp.c) ---- */

bool smtp_str_set(AppFlow *af, SmtpStr *s, const uint8_t *d, uint32_t len);
bool smtp_list_add(AppFlow *af, SmtpList *l, const uint8_t *d, uint32_t len, uint32_t max);
void smtp_str_free(AppFlow *af, SmtpStr *s);
void smtp_list_free(AppFlow *af, SmtpList *l);

/* ---- for detect and output ---- */

/* The SMTP tx, NULL when tx is not SMTP. */
const SmtpTx *smtp_tx(const AppTx *tx);
/* EVE: the "smtp" and "email" objects (app-layer-smtp-log.c). */
void smtp_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb);
/* outputs.eve-log.types.smtp: extended: yes or custom: [fields] (start-up). */
void smtp_log_set_fields(bool extended, const char *const *custom, uint32_t n_custom);
/* outputs.eve-log.types.smtp.md5: [body, subject] (start-up): email.body_md5 (when the
 * parser computed it, mime.body-md5) and email.subject_md5. */
void smtp_log_set_md5(bool body, bool subject);

#define SMTP_N_BUFFERS 14
extern const AppBufferDef smtp_buffers[SMTP_N_BUFFERS];
extern const char *const smtp_event_names[];

#endif
