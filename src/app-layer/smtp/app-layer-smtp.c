/* SMTP: the parser row, line framing of both directions, the command/reply state
 * machine and the mail transactions.
 *
 * Commands and replies are CRLF (or LF) terminated lines (RFC 5321 2.3.8); a line is
 * kept up to SMTP_LINE_MAX bytes, the rest is dropped up to its line end
 * (truncated_line). Commands may be pipelined (RFC 2920): each waits in a bounded queue
 * for its final reply ("NNN " after any "NNN-" lines). DATA switches the client side to
 * message lines at once (a server refusing it with anything but 354 switches back:
 * data_command_rejected), ending at a line holding a single "."; a leading dot is
 * removed from other lines (RFC 5321 4.5.2). "BDAT n [LAST]" (RFC 3030) is followed by
 * exactly n bytes of message. Message bytes go to the MIME decoder
 * (app-layer-smtp-mime.c). A 220 reply to STARTTLS hands the connection to protocol
 * detection (the framework's tunnel path: TLS is found on the client hello and parsed by
 * the TLS parser; app_proto becomes tls, app_proto_orig smtp).
 *
 * Transactions: a command starts one when there is none or the current one is done
 * (RSET and QUIT do not start one). A tx is done for commands once its message data
 * ended, when the server accepts an RSET sent in it, or when a new HELO/EHLO abandons its
 * envelope (RFC 5321 4.1.4); it is
 * complete toserver then, and toclient once the reply to its data came (abandoned: at
 * once). Memory per flow: three line buffers (charged), the pending queue, and per tx
 * the envelope, the message fields and attachments (all charged to the smtp memcap). */
#include "app-layer/smtp/app-layer-smtp.h"
#include "app-layer/tls/app-layer-tls.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util-error.h"

const char *const smtp_event_names[SMTP_EV_N] = {
    "invalid_reply",
    "unable_to_match_reply_with_request",
    "max_command_line_len_exceeded",
    "max_reply_line_len_exceeded",
    "invalid_pipelined_sequence",
    "bdat_chunk_len_exceeded",
    "no_server_welcome_message",
    "tls_rejected",
    "data_command_rejected",
    "mime_parse_failed",
    "mime_malformed_msg",
    "mime_invalid_base64",
    "mime_invalid_qp",
    "mime_long_line",
    "mime_long_enc_line",
    "mime_long_header_name",
    "mime_long_header_value",
    "mime_long_boundary",
    "mime_long_filename",
    "duplicate_fields",
    "unparsable_content",
    "truncated_line",
    "failed_protocol_change",
    "invalid_bdat",
};

enum { MODE_CMD = 0, MODE_DATA, MODE_BDAT };
enum {
    CMD_OTHER = 0, CMD_DATA, CMD_DATA_END, CMD_BDAT, CMD_BDAT_LAST, CMD_STARTTLS, CMD_RSET,
};

typedef struct SmtpLine {
    uint8_t *buf;                // SMTP_LINE_MAX bytes, allocated on first use
    uint32_t len;
    bool skipping;               // past SMTP_LINE_MAX: dropping bytes up to the line end
    bool split;                  // (data lines) the line was handed on in pieces
    bool cr;                     // the line ended with CR LF (the CR was taken off)
} SmtpLine;

typedef struct SmtpPending {
    uint8_t cmd;
    uint64_t tx_id;
} SmtpPending;

typedef struct SmtpState {
    AppFlow *af;
    SmtpLine line[2];            // command lines, reply lines
    SmtpLine data;               // BDAT message lines
    SmtpTx *cur;                 // tx commands go to (NULL: none yet or freed)
    uint8_t mode;                // MODE_*
    uint64_t bdat_left;
    bool bdat_last;
    SmtpPending pending[SMTP_MAX_PENDING];
    uint32_t p_head;
    uint32_t p_count;
    bool seen_reply;             // the server said something
    bool in_multiline;           // inside "NNN-" reply lines
    SmtpStr helo;                // the last HELO/EHLO argument
    uint64_t line_off[2];        // frames: stream offset of the line being read
    uint64_t data_frame;         // frames: the message data frame open (0: none)
} SmtpState;

/* Frames: each command line and reply line with its line end, and the message data
 * after DATA up to the line holding the single dot (with the tx id). */
enum { SMTP_FRAME_COMMAND_LINE = 0, SMTP_FRAME_DATA, SMTP_FRAME_RESPONSE_LINE };
static const char *const smtp_frame_types[] = { "command_line", "data", "response_line" };

/* ---- strings ---- */

bool smtp_str_set(AppFlow *af, SmtpStr *s, const uint8_t *d, uint32_t len)
{
    smtp_str_free(af, s);
    if (len == 0) {
        return true;
    }
    if (!app_mem_charge(af, len)) {
        return false;
    }
    s->p = malloc(len);
    if (s->p == NULL) {
        app_mem_release(af, len);
        return false;
    }
    memcpy(s->p, d, len);
    s->len = len;
    return true;
}

void smtp_str_free(AppFlow *af, SmtpStr *s)
{
    if (s->p != NULL && af != NULL) {
        app_mem_release(af, s->len);
    }
    free(s->p);
    s->p = NULL;
    s->len = 0;
}

bool smtp_list_add(AppFlow *af, SmtpList *l, const uint8_t *d, uint32_t len, uint32_t max)
{
    if (l->n >= max) {
        return false;
    }
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        cap = cap > max ? max : cap;
        if (!app_mem_charge(af, (uint64_t)(cap - l->cap) * sizeof(SmtpStr))) {
            return false;
        }
        SmtpStr *v = realloc(l->v, cap * sizeof(SmtpStr));
        if (v == NULL) {
            app_mem_release(af, (uint64_t)(cap - l->cap) * sizeof(SmtpStr));
            return false;
        }
        memset(v + l->cap, 0, (cap - l->cap) * sizeof(SmtpStr));
        l->v = v;
        l->cap = cap;
    }
    if (!smtp_str_set(af, &l->v[l->n], d, len)) {
        return false;
    }
    l->n++;
    return true;
}

void smtp_list_free(AppFlow *af, SmtpList *l)
{
    for (uint32_t i = 0; i < l->n; i++) {
        smtp_str_free(af, &l->v[i]);
    }
    if (l->cap != 0 && af != NULL) {
        app_mem_release(af, (uint64_t)l->cap * sizeof(SmtpStr));
    }
    free(l->v);
    memset(l, 0, sizeof(*l));
}

const SmtpTx *smtp_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_SMTP ? (const SmtpTx *)tx : NULL;
}

/* ---- state and txs ---- */

static void *smtp_state_new(AppFlow *af)
{
    SmtpState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static void line_free(SmtpState *st, SmtpLine *l)
{
    if (l->buf != NULL) {
        app_mem_release(st->af, SMTP_LINE_MAX);
    }
    free(l->buf);
    l->buf = NULL;
}

static void smtp_state_free(void *state)
{
    SmtpState *st = state;
    if (st == NULL) {
        return;
    }
    line_free(st, &st->line[0]);
    line_free(st, &st->line[1]);
    line_free(st, &st->data);
    smtp_str_free(st->af, &st->helo);
    free(st);
}

static void smtp_tx_free(void *state, AppTx *tx)
{
    SmtpState *st = state;
    SmtpTx *t = (SmtpTx *)tx;
    AppFlow *af = st != NULL ? st->af : NULL;
    smtp_mime_abort(&t->mime);
    smtp_mime_free(&t->mime);
    for (uint16_t i = 0; i < t->n_files; i++) {
        app_file_free(af, t->files[i]);
    }
    smtp_str_free(af, &t->helo);
    smtp_str_free(af, &t->mail_from);
    smtp_list_free(af, &t->rcpt_to);
    if (st != NULL && st->cur == t) {
        st->cur = NULL;
    }
}

static const AppFile *smtp_tx_file_at(const AppTx *tx, uint8_t dir, uint32_t idx)
{
    const SmtpTx *t = (const SmtpTx *)tx;
    if (dir != APP_DIR_TOSERVER || idx >= t->n_files) {
        return NULL;
    }
    return &t->files[idx]->f;
}

/* Attachments: the MIME decoder opens, fills and closes them through these. */
static void file_open_cb(void *user, const uint8_t *name, uint32_t len)
{
    SmtpTx *t = user;
    AppFlow *af = t->mime.af;
    if (t->open_file != NULL || t->n_files >= SMTP_MAX_FILES) {
        return;
    }
    AppFileTrack *ft = app_file_new(af, APP_DIR_TOSERVER, name, len);
    if (ft == NULL) {
        return;
    }
    t->files[t->n_files++] = ft;
    t->tx.n_files[APP_DIR_TOSERVER] = t->n_files;
    t->open_file = ft;
}

static void file_data_cb(void *user, const uint8_t *d, uint32_t len)
{
    SmtpTx *t = user;
    if (t->open_file != NULL) {
        app_file_data(t->mime.af, t->open_file, d, len);
    }
}

static void file_close_cb(void *user, bool ok)
{
    SmtpTx *t = user;
    if (t->open_file != NULL) {
        app_file_close(t->open_file, ok ? APP_FILE_CLOSED : APP_FILE_TRUNCATED);
        t->open_file = NULL;
    }
}

static SmtpTx *tx_new(SmtpState *st)
{
    SmtpTx *t = (SmtpTx *)app_tx_new(st->af, sizeof(SmtpTx));
    if (t == NULL) {
        return NULL;
    }
    if (st->helo.len > 0) {
        (void)smtp_str_set(st->af, &t->helo, st->helo.p, st->helo.len);
    }
    smtp_mime_init(&t->mime, st->af, &t->tx);
    t->mime.file_open = file_open_cb;
    t->mime.file_data = file_data_cb;
    t->mime.file_close = file_close_cb;
    t->mime.user = t;
    st->cur = t;
    return t;
}

static void tx_progress(SmtpTx *t, uint8_t dir, uint8_t prog)
{
    if (t->tx.progress[dir] < prog) {
        t->tx.progress[dir] = prog;
    }
    app_tx_touch(&t->tx, dir);
}

/* After message lines: the header block may have ended. */
static void mime_progress(SmtpTx *t)
{
    if (t->mime.status != MIME_ST_HEADER) {
        tx_progress(t, APP_DIR_TOSERVER, SMTP_PROG_HEADERS);
    } else {
        app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    }
}

/* The tx's envelope was abandoned (RSET, HELO/EHLO): complete both ways now. */
static void tx_abandon(SmtpTx *t)
{
    if (t->has_mime && !t->data_ended) {
        smtp_mime_abort(&t->mime);
    }
    t->is_done = true;
    tx_progress(t, APP_DIR_TOSERVER, SMTP_PROG_DONE);
    tx_progress(t, APP_DIR_TOCLIENT, SMTP_PROG_TC_DONE);
}

static void event(SmtpState *st, SmtpTx *t, uint32_t ev)
{
    app_tx_event(st->af, t != NULL ? &t->tx : NULL, ev);
    if (t != NULL) {
        app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    }
}

static void pending_push(SmtpState *st, uint8_t cmd)
{
    /* RFC 2920 3.1: DATA and STARTTLS end a pipelined group; nothing may follow them
     * before their reply */
    if (st->p_count > 0) {
        uint8_t last = st->pending[(st->p_head + st->p_count - 1) % SMTP_MAX_PENDING].cmd;
        if (last == CMD_DATA || last == CMD_STARTTLS) {
            event(st, st->cur, SMTP_EV_INVALID_PIPELINED_SEQUENCE);
        }
    }
    if (st->p_count >= SMTP_MAX_PENDING) {
        /* a client far ahead of the server: the oldest is forgotten */
        st->p_head = (st->p_head + 1) % SMTP_MAX_PENDING;
        st->p_count--;
    }
    uint32_t i = (st->p_head + st->p_count) % SMTP_MAX_PENDING;
    st->pending[i].cmd = cmd;
    st->pending[i].tx_id = st->cur != NULL ? st->cur->tx.id : UINT64_MAX;
    st->p_count++;
}

/* ---- line framing ---- */

/* Takes bytes of data up to and including a line end into l; *done when the line is
 * complete (its end removed). A line whose end does not fit in SMTP_LINE_MAX bytes is
 * kept truncated to them (as Suricata: a CR before the cut stays). Returns bytes used.
 * False from *ok on memcap. */
static uint32_t line_take(SmtpState *st, SmtpLine *l, const uint8_t *data, uint32_t len,
                          bool *done, bool *ok)
{
    *done = false;
    *ok = true;
    if (l->buf == NULL) {
        if (!app_mem_charge(st->af, SMTP_LINE_MAX) ||
            (l->buf = malloc(SMTP_LINE_MAX)) == NULL) {
            *ok = false;
            return len;
        }
    }
    const uint8_t *lf = memchr(data, '\n', len);
    uint32_t n = lf != NULL ? (uint32_t)(lf - data) : len;
    uint32_t room = SMTP_LINE_MAX - l->len;
    uint32_t copy = n < room ? n : room;
    if (!l->skipping) {
        memcpy(l->buf + l->len, data, copy);
        l->len += copy;
        if (l->len == SMTP_LINE_MAX) {
            l->skipping = true;  // the line end does not fit: kept as is (CR included)
        }
    }
    if (lf == NULL) {
        return len;
    }
    l->cr = false;
    if (!l->skipping && l->len > 0 && l->buf[l->len - 1] == '\r') {
        l->len--;
        l->cr = true;
    }
    *done = true;
    return n + 1;
}

static void line_reset(SmtpLine *l)
{
    l->len = 0;
    l->skipping = false;
    l->split = false;
    l->cr = false;
}

/* ---- commands ---- */

static bool cmd_is(const uint8_t *line, uint32_t len, const char *cmd)
{
    size_t n = strlen(cmd);
    return len >= n && strncasecmp((const char *)line, cmd, n) == 0 &&
           (len == n || line[n] == ' ' || cmd[n - 1] == ':');
}

/* The argument after a command of n bytes: leading and trailing spaces dropped. */
static void arg_of(const uint8_t *line, uint32_t len, uint32_t n, const uint8_t **a,
                   uint32_t *alen)
{
    uint32_t s = n < len ? n : len;
    while (s < len && (line[s] == ' ' || line[s] == '\t')) {
        s++;
    }
    uint32_t e = len;
    while (e > s && (line[e - 1] == ' ' || line[e - 1] == '\t')) {
        e--;
    }
    *a = line + s;
    *alen = e - s;
}

static void cmd_helo(SmtpState *st, const uint8_t *line, uint32_t len)
{
    const uint8_t *a;
    uint32_t alen;
    arg_of(line, len, 4, &a, &alen);
    SmtpTx *t = st->cur;
    if (st->helo.p != NULL) {
        event(st, t, SMTP_EV_DUPLICATE_FIELDS);   // the first one is kept
    } else {
        (void)smtp_str_set(st->af, &st->helo, a, alen);
    }
    if (t == NULL) {
        return;
    }
    if (!t->is_done &&
        (t->mail_from.p != NULL || t->rcpt_to.n > 0 || t->has_mime || t->data_tried)) {
        tx_abandon(t);           // RFC 5321 4.1.4: HELO/EHLO resets like RSET
        return;
    }
    if (!t->is_done && t->helo.p == NULL && st->helo.p != NULL) {
        (void)smtp_str_set(st->af, &t->helo, st->helo.p, st->helo.len);
        app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    }
}

static void cmd_data(SmtpState *st, SmtpTx *t)
{
    pending_push(st, CMD_DATA);
    st->mode = MODE_DATA;
    t->has_mime = true;
    t->data_tried = true;
    tx_progress(t, APP_DIR_TOSERVER, SMTP_PROG_DATA);
}

static bool parse_u64(const uint8_t *p, uint32_t len, uint32_t *used, uint64_t *out)
{
    uint64_t v = 0;
    uint32_t i = 0;
    for (; i < len && isdigit(p[i]); i++) {
        if (v > (UINT64_MAX - 9) / 10) {
            return false;
        }
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    *used = i;
    *out = v;
    return i > 0;
}

static void cmd_bdat(SmtpState *st, SmtpTx *t, const uint8_t *line, uint32_t len)
{
    const uint8_t *a;
    uint32_t alen, used;
    uint64_t n;
    arg_of(line, len, 4, &a, &alen);
    if (!parse_u64(a, alen, &used, &n)) {
        event(st, t, SMTP_EV_INVALID_BDAT);
        pending_push(st, CMD_OTHER);
        return;
    }
    const uint8_t *rest;
    uint32_t rlen;
    arg_of(a, alen, used, &rest, &rlen);
    bool last = rlen == 4 && strncasecmp((const char *)rest, "LAST", 4) == 0;
    if (rlen > 0 && !last) {
        event(st, t, SMTP_EV_INVALID_BDAT);
    }
    t->has_mime = true;
    st->bdat_left = n;
    st->bdat_last = last;
    pending_push(st, last ? CMD_BDAT_LAST : CMD_BDAT);
    st->mode = MODE_BDAT;
    tx_progress(t, APP_DIR_TOSERVER, SMTP_PROG_DATA);
}

/* A command line (not message data). */
static void command(SmtpState *st, const uint8_t *line, uint32_t len)
{
    bool is_rset = cmd_is(line, len, "RSET");
    bool is_quit = cmd_is(line, len, "QUIT");
    if (st->cur == NULL ? st->af->next_tx_id == 0 || !(is_rset || is_quit)
                        : st->cur->is_done && !is_rset && !is_quit) {
        if (tx_new(st) == NULL) {
            return;
        }
    }
    SmtpTx *t = st->cur;
    if (t == NULL) {
        pending_push(st, CMD_OTHER);
        return;
    }
    if (cmd_is(line, len, "HELO") || cmd_is(line, len, "EHLO")) {
        pending_push(st, CMD_OTHER);
        cmd_helo(st, line, len);
    } else if (cmd_is(line, len, "MAIL FROM:")) {
        const uint8_t *a;
        uint32_t alen;
        arg_of(line, len, 10, &a, &alen);
        if (t->mail_from.p != NULL) {
            event(st, t, SMTP_EV_DUPLICATE_FIELDS);
        } else {
            (void)smtp_str_set(st->af, &t->mail_from, a, alen);
        }
        pending_push(st, CMD_OTHER);
    } else if (cmd_is(line, len, "RCPT TO:")) {
        const uint8_t *a;
        uint32_t alen;
        arg_of(line, len, 8, &a, &alen);
        (void)smtp_list_add(st->af, &t->rcpt_to, a, alen, SMTP_MAX_RCPT);
        pending_push(st, CMD_OTHER);
    } else if (cmd_is(line, len, "DATA")) {
        cmd_data(st, t);
        return;
    } else if (cmd_is(line, len, "BDAT")) {
        cmd_bdat(st, t, line, len);
        return;
    } else if (cmd_is(line, len, "STARTTLS")) {
        pending_push(st, CMD_STARTTLS);
    } else if (is_rset) {
        pending_push(st, CMD_RSET);     // the server resets when it answers
    } else {
        pending_push(st, CMD_OTHER);
    }
    app_tx_touch(&t->tx, APP_DIR_TOSERVER);
}

/* The message data of the current tx ended ("." or BDAT LAST). */
static void data_end(SmtpState *st, uint8_t cmd)
{
    SmtpTx *t = st->cur;
    st->mode = MODE_CMD;
    if (t == NULL) {
        return;
    }
    if (cmd == CMD_DATA_END) {
        pending_push(st, cmd);   // "." is answered; BDAT LAST waits in the queue already
    }
    smtp_mime_end(&t->mime);
    t->data_ended = true;
    t->is_done = true;
    tx_progress(t, APP_DIR_TOSERVER, SMTP_PROG_DONE);
}

/* What ended a line handed to MIME: nothing for a piece of a longer line. */
static const char *line_end(const SmtpLine *l, bool partial)
{
    return partial ? "" : l->cr ? "\r\n" : "\n";
}

/* A message line in DATA mode (dot-stuffed); partial: the line goes on. */
static void data_line(SmtpState *st, SmtpLine *l, bool partial)
{
    SmtpTx *t = st->cur;
    const uint8_t *p = l->buf;
    uint32_t n = l->len;
    if (!partial && !l->split && n == 1 && p[0] == '.') {
        data_end(st, CMD_DATA_END);
        return;
    }
    if (!l->split && n > 0 && p[0] == '.') {
        p++;                     // RFC 5321 4.5.2 transparency
        n--;
    }
    if (t != NULL) {
        smtp_mime_raw(&t->mime, l->buf, l->len, line_end(l, partial));
        smtp_mime_line(&t->mime, p, n, partial);
        mime_progress(t);
    }
}

/* Message bytes of a BDAT chunk. Returns bytes used. */
static uint32_t bdat_bytes(SmtpState *st, const uint8_t *data, uint32_t len, bool *ok)
{
    uint32_t take = st->bdat_left < len ? (uint32_t)st->bdat_left : len;
    uint32_t off = 0;
    while (off < take) {
        bool done;
        uint32_t used = line_take(st, &st->data, data + off, take - off, &done, ok);
        if (!*ok) {
            return len;
        }
        off += used;
        if (done || st->data.skipping) {
            bool partial = !done;
            if (st->cur != NULL) {
                smtp_mime_raw(&st->cur->mime, st->data.buf, st->data.len,
                              line_end(&st->data, partial));
                smtp_mime_line(&st->cur->mime, st->data.buf, st->data.len, partial);
                mime_progress(st->cur);
            }
            if (partial) {
                st->data.len = 0;
                st->data.skipping = false;
                st->data.split = true;
            } else {
                line_reset(&st->data);
            }
        }
    }
    st->bdat_left -= take;
    if (st->bdat_left == 0) {
        if (st->bdat_last) {
            if (st->data.len > 0 && st->cur != NULL) {
                smtp_mime_raw(&st->cur->mime, st->data.buf, st->data.len, "");
                smtp_mime_line(&st->cur->mime, st->data.buf, st->data.len, false);
            }
            line_reset(&st->data);
            data_end(st, CMD_BDAT_LAST);
        }
        st->mode = MODE_CMD;
    }
    return take;
}

/* A complete command line ended at stream offset end: its frame, and the data frame
 * when it was an accepted DATA. */
static void command_frames(SmtpState *st, uint64_t fid, uint64_t end, uint8_t mode_before)
{
    AppFlow *af = st->af;
    if (st->cur == NULL) {
        return;
    }
    app_frame_set_tx(af, APP_DIR_TOSERVER, fid, st->cur->tx.id);
    if (mode_before != MODE_DATA && st->mode == MODE_DATA) {
        st->data_frame = app_frame_new(af, APP_DIR_TOSERVER, end, -1, SMTP_FRAME_DATA);
        app_frame_set_tx(af, APP_DIR_TOSERVER, st->data_frame, st->cur->tx.id);
    }
}

static int parse_toserver(SmtpState *st, const uint8_t *data, uint32_t len)
{
    SmtpLine *l = &st->line[APP_DIR_TOSERVER];
    uint64_t off0 = app_frame_chunk_offset(st->af, APP_DIR_TOSERVER);
    const uint8_t *data0 = data;
    while (len > 0) {
        if (l->len == 0 && !l->skipping && !l->split) {
            st->line_off[APP_DIR_TOSERVER] = off0 + (uint64_t)(data - data0);
        }
        if (st->mode == MODE_BDAT) {
            bool ok = true;
            uint32_t used = bdat_bytes(st, data, len, &ok);
            if (!ok) {
                return APP_PARSE_ERROR;
            }
            data += used;
            len -= used;
            continue;
        }
        bool done, ok;
        bool was_skipping = l->skipping;
        uint32_t used = line_take(st, l, data, len, &done, &ok);
        if (!ok) {
            return APP_PARSE_ERROR;
        }
        data += used;
        len -= used;
        if (st->mode == MODE_DATA && l->skipping) {
            /* a long message line goes on in pieces: MIME sees all of it */
            data_line(st, l, !done);
            l->len = 0;
            l->skipping = false;
            l->split = !done;
            continue;
        }
        if (!done) {
            continue;
        }
        bool truncated = l->skipping || was_skipping;
        uint64_t end = off0 + (uint64_t)(data - data0);
        uint64_t line_off = st->line_off[APP_DIR_TOSERVER];
        if (st->mode == MODE_DATA) {
            data_line(st, l, false);
            if (st->mode != MODE_DATA && st->data_frame != 0) {
                /* the message ended: its frame stops before the dot line */
                app_frame_set_end(st->af, APP_DIR_TOSERVER, st->data_frame, line_off);
                st->data_frame = 0;
            }
        } else {
            uint8_t mode = st->mode;
            uint64_t fid = app_frame_new(st->af, APP_DIR_TOSERVER, line_off,
                                         (int64_t)(end - line_off), SMTP_FRAME_COMMAND_LINE);
            command(st, l->buf, l->len);   // may start the tx the event goes to
            command_frames(st, fid, end, mode);
        }
        if (truncated) {
            event(st, st->cur, SMTP_EV_TRUNCATED_LINE);
        }
        line_reset(l);
    }
    return APP_PARSE_OK;
}

/* ---- replies ---- */

static SmtpTx *tx_of(SmtpState *st, uint64_t id)
{
    if (id == UINT64_MAX) {
        return NULL;
    }
    AppTx *tx = app_layer_tx_by_id(st->af->f, id);
    return tx != NULL && tx->proto == APP_PROTO_SMTP ? (SmtpTx *)tx : NULL;
}

/* A final reply with code to the oldest pending command. Returns APP_PARSE_TUNNEL when
 * the connection goes over to TLS. */
static int reply_done(SmtpState *st, uint32_t code)
{
    if (!st->seen_reply) {
        st->seen_reply = true;
        if (code == 220 || st->p_count == 0) {
            if (code != 220) {
                event(st, st->cur, SMTP_EV_NO_SERVER_WELCOME_MESSAGE);
            }
            return APP_PARSE_OK;     // the greeting answers no command
        }
        event(st, st->cur, SMTP_EV_NO_SERVER_WELCOME_MESSAGE);
    }
    if (st->p_count == 0) {
        event(st, st->cur, SMTP_EV_UNABLE_TO_MATCH_REPLY_WITH_REQUEST);
        return APP_PARSE_OK;
    }
    SmtpPending p = st->pending[st->p_head];
    st->p_head = (st->p_head + 1) % SMTP_MAX_PENDING;
    st->p_count--;
    SmtpTx *t = tx_of(st, p.tx_id);
    switch (p.cmd) {
    case CMD_DATA:
        if (code == 354 && t != NULL) {
            tx_progress(t, APP_DIR_TOCLIENT, SMTP_PROG_TC_DATA);
        } else if (code != 354) {
            event(st, t, SMTP_EV_DATA_COMMAND_REJECTED);
            if (st->mode == MODE_DATA && t == st->cur) {
                st->mode = MODE_CMD;
                if (t != NULL) {
                    t->has_mime = false;
                }
            }
        }
        break;
    case CMD_BDAT:
        if (t != NULL && code / 100 == 2) {
            tx_progress(t, APP_DIR_TOCLIENT, SMTP_PROG_TC_DATA);
        }
        break;
    case CMD_DATA_END:
    case CMD_BDAT_LAST:
        if (t != NULL) {
            tx_progress(t, APP_DIR_TOCLIENT, SMTP_PROG_TC_DONE);
        }
        break;
    case CMD_RSET:
        if (t != NULL && !t->is_done && code / 100 == 2) {
            tx_abandon(t);
        }
        break;
    case CMD_STARTTLS:
        if (code == 220) {
            if (st->cur != NULL && !st->cur->is_done) {
                tx_abandon(st->cur);
            }
            return APP_PARSE_TUNNEL;
        }
        event(st, t, SMTP_EV_TLS_REJECTED);
        break;
    default:
        break;
    }
    return APP_PARSE_OK;
}

/* Reply codes SMTP servers send: RFC 5321 4.2.3, plus STARTTLS (RFC 3207: 454) and AUTH
 * (RFC 4954: 235, 334, 432, 454, 530, 534, 535, 538). Anything else is not SMTP. */
static bool known_code(uint32_t c)
{
    static const uint16_t codes[] = {211, 214, 220, 221, 235, 250, 251, 252, 334, 354, 421,
                                     432, 450, 451, 452, 454, 455, 500, 501, 502, 503, 504,
                                     530, 534, 535, 538, 550, 551, 552, 553, 554, 555};
    for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        if (codes[i] == c) {
            return true;
        }
    }
    return false;
}

/* "NNN" (a known code) then SP, "-" or the line end (RFC 5321 4.2). */
static int reply_line(SmtpState *st, const uint8_t *line, uint32_t len)
{
    if (len < 3 || !isdigit(line[0]) || !isdigit(line[1]) || !isdigit(line[2]) ||
        (len > 3 && line[3] != ' ' && line[3] != '-') ||
        !known_code((uint32_t)((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0')))) {
        SmtpTx *t = st->cur;
        event(st, t, SMTP_EV_INVALID_REPLY);
        if (t != NULL) {
            app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
        }
        return APP_PARSE_ERROR;
    }
    uint32_t code = (uint32_t)((line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0'));
    if (len > 3 && line[3] == '-') {
        st->in_multiline = true;
        return APP_PARSE_OK;
    }
    st->in_multiline = false;
    return reply_done(st, code);
}

static int parse_toclient(SmtpState *st, const uint8_t *data, uint32_t len, uint32_t *consumed)
{
    SmtpLine *l = &st->line[APP_DIR_TOCLIENT];
    uint64_t off0 = app_frame_chunk_offset(st->af, APP_DIR_TOCLIENT);
    uint32_t off = 0;
    while (off < len) {
        bool done, ok;
        bool was_skipping = l->skipping;
        if (l->len == 0 && !l->skipping) {
            st->line_off[APP_DIR_TOCLIENT] = off0 + off;
        }
        off += line_take(st, l, data + off, len - off, &done, &ok);
        if (!ok) {
            return APP_PARSE_ERROR;
        }
        if (!done) {
            continue;
        }
        uint64_t line_off = st->line_off[APP_DIR_TOCLIENT];
        (void)app_frame_new(st->af, APP_DIR_TOCLIENT, line_off,
                            (int64_t)(off0 + off - line_off), SMTP_FRAME_RESPONSE_LINE);
        if (l->skipping || was_skipping) {
            event(st, st->cur, SMTP_EV_TRUNCATED_LINE);
        }
        int rc = reply_line(st, l->buf, l->len);
        line_reset(l);
        if (rc == APP_PARSE_TUNNEL) {
            *consumed = off;
            return rc;
        }
        if (rc != APP_PARSE_OK) {
            return rc;
        }
    }
    return APP_PARSE_OK;
}

static int smtp_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                      uint32_t *consumed)
{
    SmtpState *st = state;
    if (dir == APP_DIR_TOSERVER) {
        return parse_toserver(st, data, len);
    }
    int rc = parse_toclient(st, data, len, consumed);
    if (rc == APP_PARSE_TUNNEL) {
        /* 220 to STARTTLS: the rest is TLS (else no_tls_after_starttls). */
        return tls_starttls_handover(af, *consumed, consumed);
    }
    return rc;
}

/* A hole in the data: the framing is lost; the direction stops (the framework forces
 * its txs done) and open attachments end truncated. */
static void smtp_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    SmtpState *st = state;
    if (dir == APP_DIR_TOSERVER && st->cur != NULL && st->cur->has_mime &&
        !st->cur->data_ended) {
        smtp_mime_abort(&st->cur->mime);
    }
}

/* ---- detection ---- */

static const AppPattern smtp_patterns[] = {
    {.dir = APP_DIR_TOSERVER, .nocase = true, .offset = 0, .depth = 4, .bytes = "EHLO", .len = 4},
    {.dir = APP_DIR_TOSERVER, .nocase = true, .offset = 0, .depth = 4, .bytes = "HELO", .len = 4},
};

/* The server greeting "220" on an SMTP port (the greeting alone could be FTP). */
static int smtp_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                         uint8_t dir)
{
    if (ipproto != 6 || dir != APP_DIR_TOCLIENT || !port_hint) {
        return APP_PROBE_NO;
    }
    static const char pfx[] = "220";
    uint32_t n = len < 3 ? len : 3;
    if (memcmp(data, pfx, n) != 0) {
        return APP_PROBE_NO;
    }
    return len < 4 ? APP_PROBE_MORE : (data[3] == ' ' || data[3] == '-') ? APP_PROBE_YES
                                                                         : APP_PROBE_NO;
}

const AppParserDesc app_parser_smtp = {
    .name = "smtp",
    .proto = APP_PROTO_SMTP,
    .ipproto = 6,
    .first_dir = APP_DIR_TOCLIENT,
    .default_ports = "25,465,587",
    .patterns = smtp_patterns,
    .n_patterns = sizeof(smtp_patterns) / sizeof(smtp_patterns[0]),
    .probe_ip = smtp_probe_ip,
    .config = smtp_mime_config,
    .state_new = smtp_state_new,
    .state_free = smtp_state_free,
    .parse = smtp_parse,
    .eof = smtp_eof,
    .tx_free = smtp_tx_free,
    .complete = {SMTP_PROG_DONE, SMTP_PROG_TC_DONE},
    .events = smtp_event_names,
    .events_upper = true,
    .n_events = SMTP_EV_N,
    .buffers = smtp_buffers,
    .n_buffers = SMTP_N_BUFFERS,
    .log_json = smtp_log_json,
    .tx_file_at = smtp_tx_file_at,
    .frame_types = smtp_frame_types,
    .n_frame_types = sizeof(smtp_frame_types) / sizeof(smtp_frame_types[0]),
};
