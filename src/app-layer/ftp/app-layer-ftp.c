/* FTP control connections: the parser row, line framing, commands and replies.
 *
 * Commands are "NAME [SP arg] CRLF" (RFC 959 5.3); each starts a tx. A line is kept up
 * to FTP_LINE_MAX bytes; longer ones are truncated (request_command_too_long /
 * response_command_too_long, command_truncated / reply_truncated in EVE). Replies are
 * "NNN text" or a "NNN-" multi-line block ending at "NNN " (RFC 959 4.2); every reply
 * line of a tx is kept (at most FTP_MAX_REPLIES). Replies go to the oldest tx still
 * waiting; replies before any command (the greeting) make a tx of their own. A final
 * reply (2xx-5xx) completes the tx both ways. PORT/EPRT (active) and the PASV/EPSV
 * replies (passive) give the data connection's port, entered in the expectation table
 * (app-layer-ftp-expect.c) so the data connection is parsed as ftp-data with the next
 * STOR/RETR/... command's file name. Memory: two line buffers per flow and per tx the
 * command, argument and reply lines, charged to the ftp memcap. */
#include "app-layer/ftp/app-layer-ftp.h"
#include "app-layer/tls/app-layer-tls.h"
#include "stream/stream.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const ftp_event_names[FTP_EV_N] = {
    "request_command_too_long",
    "response_command_too_long",
    "too_many_transactions",
    "file_before_port",
    "file_without_name",
};

typedef struct FtpLine {
    uint8_t *buf;
    uint32_t len;
    bool skipping;
    bool truncated;
} FtpLine;

typedef struct FtpState {
    AppFlow *af;
    FtpLine line[2];
    uint64_t pending[FTP_MAX_PENDING];   // tx ids waiting for a final reply
    uint32_t p_head;
    uint32_t p_count;
    FtpTx *reply_tx;             // tx of the reply block being read (greeting)
    bool in_multiline;
    bool port_known;             // a PORT/PASV/EPRT/EPSV gave a data port
    VgAddr data_addr;
    uint16_t data_port;
    uint64_t data_id;            // its expectation (ftp_expect_add)
} FtpState;

const FtpTx *ftp_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_FTP ? (const FtpTx *)tx : NULL;
}

/* ---- address helpers ---- */

static bool num(const uint8_t *s, uint32_t len, uint32_t *i, uint32_t max, uint32_t *out)
{
    uint32_t v = 0, n = 0;
    while (*i < len && isdigit(s[*i])) {
        v = v * 10 + (uint32_t)(s[*i] - '0');
        if (v > max) {
            return false;
        }
        (*i)++;
        n++;
    }
    *out = v;
    return n > 0;
}

bool ftp_parse_hostport(const uint8_t *s, uint32_t len, VgAddr *addr, uint16_t *port)
{
    uint32_t i = 0, v[6];
    while (i < len && !isdigit(s[i])) {
        i++;                     // "(h1,..." in a PASV reply
    }
    for (int k = 0; k < 6; k++) {
        if (!num(s, len, &i, 255, &v[k])) {
            return false;
        }
        if (k < 5) {
            if (i >= len || s[i] != ',') {
                return false;
            }
            i++;
        }
    }
    memset(addr, 0, sizeof(*addr));
    addr->family = 4;
    for (int k = 0; k < 4; k++) {
        addr->a.u8[k] = (uint8_t)v[k];
    }
    *port = (uint16_t)(v[4] * 256 + v[5]);
    return true;
}

bool ftp_parse_ext(const uint8_t *s, uint32_t len, VgAddr *addr, bool *has_addr,
                   uint16_t *port)
{
    const uint8_t *p = memchr(s, '|', len);
    *has_addr = false;
    if (p == NULL) {
        return false;
    }
    uint32_t i = (uint32_t)(p - s) + 1;     // after the first delimiter: proto|addr|port|
    uint32_t f1 = i;
    while (i < len && s[i] != '|') {
        i++;
    }
    uint32_t af_end = i++;
    uint32_t a0 = i;
    while (i < len && s[i] != '|') {
        i++;
    }
    uint32_t a1 = i++;
    uint32_t pv;
    if (i >= len || !num(s, len, &i, 65535, &pv) || i >= len || s[i] != '|') {
        return false;
    }
    *port = (uint16_t)pv;
    char ip[64];
    if (a1 > a0 && a1 - a0 < sizeof(ip) && af_end > f1) {
        memcpy(ip, s + a0, a1 - a0);
        ip[a1 - a0] = '\0';
        memset(addr, 0, sizeof(*addr));
        uint32_t b[4];
        uint32_t k = 0, j = 0;
        bool ok = true;
        for (; k < 4 && ok; k++) {
            ok = num((const uint8_t *)ip, a1 - a0, &j, 255, &b[k]) &&
                 (k == 3 ? j == a1 - a0 : (j < a1 - a0 && ip[j++] == '.'));
        }
        if (ok && s[f1] == '1') {
            addr->family = 4;
            for (k = 0; k < 4; k++) {
                addr->a.u8[k] = (uint8_t)b[k];
            }
            *has_addr = true;
        } else if (s[f1] == '2' && inet_pton(AF_INET6, ip, addr->a.u8) == 1) {
            addr->family = 6;    // RFC 2428 2: net-prt 2, an IPv6 address in RFC 4291 form
            *has_addr = true;
        }
    }
    return true;
}

/* ---- state and txs ---- */

static void *ftp_state_new(AppFlow *af)
{
    FtpState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
        /* Suricata's FTP parser does not ask for raw inspection per command:
         * raw stream data of an FTP flow waits for a chunk or the close, as
         * for a flow of unknown protocol. (Seen on the reference mix: IRC on
         * port 6667 is detected as FTP by its "USER " line, and Suricata
         * 8.0.7 inspects its JOIN/NICK/USER lines once, at flow end.) */
        if (af->f != NULL) {
            stream_flow_raw_chunked(af->f);
        }
    }
    return st;
}

static void ftp_state_free(void *state)
{
    FtpState *st = state;
    if (st == NULL) {
        return;
    }
    if (st->port_known) {
        ftp_expect_remove(st->data_id);
    }
    for (int d = 0; d < 2; d++) {
        if (st->line[d].buf != NULL) {
            app_mem_release(st->af, FTP_LINE_MAX);
        }
        free(st->line[d].buf);
    }
    free(st);
}

static void ftp_tx_free(void *state, AppTx *tx)
{
    FtpState *st = state;
    FtpTx *t = (FtpTx *)tx;
    AppFlow *af = st != NULL ? st->af : NULL;
    uint64_t charged = t->cmd_len + t->arg_len;
    for (uint32_t i = 0; i < t->n_replies; i++) {
        charged += t->replies[i].len;
        free(t->replies[i].text);
    }
    free(t->cmd);
    free(t->arg);
    if (af != NULL) {
        app_mem_release(af, charged);
    }
    if (st != NULL && st->reply_tx == t) {
        st->reply_tx = NULL;
    }
}

static uint8_t *dup_charged(AppFlow *af, const uint8_t *s, uint32_t len)
{
    if (len == 0 || !app_mem_charge(af, len)) {
        return NULL;
    }
    uint8_t *p = malloc(len);
    if (p == NULL) {
        app_mem_release(af, len);
        return NULL;
    }
    memcpy(p, s, len);
    return p;
}

static void tx_done(FtpTx *t)
{
    t->tx.progress[APP_DIR_TOSERVER] = FTP_PROG_DONE;
    t->tx.progress[APP_DIR_TOCLIENT] = FTP_PROG_DONE;
    app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
}

/* ---- lines ---- */

static uint32_t line_take(FtpState *st, FtpLine *l, const uint8_t *data, uint32_t len,
                          bool *done, bool *ok)
{
    *done = false;
    *ok = true;
    if (l->buf == NULL) {
        if (!app_mem_charge(st->af, FTP_LINE_MAX) || (l->buf = malloc(FTP_LINE_MAX)) == NULL) {
            *ok = false;
            return len;
        }
    }
    const uint8_t *lf = memchr(data, '\n', len);
    uint32_t n = lf != NULL ? (uint32_t)(lf - data) : len;
    uint32_t room = FTP_LINE_MAX - l->len;
    if (!l->skipping) {
        uint32_t copy = n < room ? n : room;
        memcpy(l->buf + l->len, data, copy);
        l->len += copy;
        if (copy < n) {
            l->skipping = true;
            l->truncated = true;
        }
    }
    if (lf == NULL) {
        return len;
    }
    if (!l->truncated && l->len > 0 && l->buf[l->len - 1] == '\r') {
        l->len--;
    }
    *done = true;
    return n + 1;
}

/* ---- commands ---- */

static void data_port(FtpState *st, FtpTx *t, const VgAddr *addr, uint16_t port)
{
    t->has_port = true;
    t->port = port;
    t->has_addr = true;
    t->addr = *addr;
    st->port_known = true;
    st->data_addr = *addr;
    st->data_port = port;
    uint64_t id = ftp_expect_add(st->af, st->af != NULL ? st->af->f : NULL, port);
    if (id != 0) {
        st->data_id = id;        // the one its end removes unless used
    }
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
}

static uint8_t transfer_cmd(const uint8_t *c, uint32_t n)
{
    for (uint8_t i = FTPDATA_CMD_NONE + 1; i < FTPDATA_CMD_COUNT; i++) {
        if (n == 4 && strncasecmp((const char *)c, ftp_data_cmd_name(i), 4) == 0) {
            return i;
        }
    }
    return FTPDATA_CMD_NONE;
}

static AppTx *oldest_unfinished(AppFlow *af)
{
    for (uint32_t i = 0; i < af->n_txs; i++) {
        AppTx *tx = af->txs[i];
        if (tx->proto == APP_PROTO_FTP && (!app_layer_tx_complete(af->f, tx, APP_DIR_TOSERVER) ||
                                           !app_layer_tx_complete(af->f, tx, APP_DIR_TOCLIENT))) {
            return tx;
        }
    }
    return NULL;
}

static void command(FtpState *st, FtpLine *l)
{
    FtpTx *t = (FtpTx *)app_tx_new(st->af, sizeof(FtpTx));
    if (t == NULL) {
        if (!(st->af->flags & APP_FLOW_F_MEMCAP)) {
            /* on the oldest unfinished tx, the one max-tx counts from (its
             * requests' rules see it), or the flow */
            app_tx_event(st->af, oldest_unfinished(st->af), FTP_EV_TOO_MANY_TRANSACTIONS);
        }
        return;
    }
    const uint8_t *s = l->buf;
    uint32_t len = l->len;
    uint32_t n = 0;
    while (n < len && s[n] != ' ') {
        n++;
    }
    t->has_command = true;
    t->cmd = dup_charged(st->af, s, n);
    t->cmd_len = t->cmd != NULL ? n : 0;
    uint32_t a = n < len ? n + 1 : len;
    t->arg = dup_charged(st->af, s + a, len - a);
    t->arg_len = t->arg != NULL ? len - a : 0;
    t->cmd_truncated = l->truncated;
    if (l->truncated) {
        app_tx_event(st->af, &t->tx, FTP_EV_REQUEST_COMMAND_TOO_LONG);
    }
    if (n == 4 && strncasecmp((const char *)s, "PORT", 4) == 0) {
        t->mode = FTP_MODE_ACTIVE;
        VgAddr addr;
        uint16_t port;
        if (ftp_parse_hostport(s + a, len - a, &addr, &port)) {
            data_port(st, t, &addr, port);
        }
    } else if (n == 4 && strncasecmp((const char *)s, "EPRT", 4) == 0) {
        t->mode = FTP_MODE_ACTIVE;
        VgAddr addr;
        bool has_addr;
        uint16_t port;
        if (ftp_parse_ext(s + a, len - a, &addr, &has_addr, &port) && has_addr) {
            data_port(st, t, &addr, port);
        }
    } else if (n == 4 && (strncasecmp((const char *)s, "PASV", 4) == 0 ||
                          strncasecmp((const char *)s, "EPSV", 4) == 0)) {
        t->mode = FTP_MODE_PASSIVE;
    }
    uint8_t xfer = transfer_cmd(s, n);
    if (xfer != FTPDATA_CMD_NONE) {
        if (!st->port_known) {
            if (!ftp_data_cmd_is_listing(xfer)) {
                app_tx_event(st->af, &t->tx, FTP_EV_FILE_BEFORE_PORT);
            }
        } else {
            if (t->arg_len == 0 && !ftp_data_cmd_is_listing(xfer)) {
                app_tx_event(st->af, &t->tx, FTP_EV_FILE_WITHOUT_NAME);
            }
            ftp_expect_set_command(st->af, st->data_id, xfer, t->arg, t->arg_len);
        }
    }
    app_tx_touch(&t->tx, APP_DIR_TOSERVER);
    if (st->p_count == FTP_MAX_PENDING) {
        st->p_head = (st->p_head + 1) % FTP_MAX_PENDING;   // the oldest stays unanswered
        st->p_count--;
    }
    st->pending[(st->p_head + st->p_count++) % FTP_MAX_PENDING] = t->tx.id;
}

/* ---- replies ---- */

static FtpTx *reply_target(FtpState *st)
{
    while (st->p_count > 0) {
        AppTx *tx = app_layer_tx_by_id(st->af->f, st->pending[st->p_head]);
        if (tx != NULL && tx->proto == APP_PROTO_FTP &&
            tx->progress[APP_DIR_TOCLIENT] != FTP_PROG_DONE) {
            return (FtpTx *)tx;
        }
        st->p_head = (st->p_head + 1) % FTP_MAX_PENDING;
        st->p_count--;
    }
    if (st->reply_tx == NULL) {
        st->reply_tx = (FtpTx *)app_tx_new(st->af, sizeof(FtpTx));
    }
    return st->reply_tx;
}

static void passive_reply(FtpState *st, FtpTx *t, const uint8_t *code, const uint8_t *s,
                          uint32_t len)
{
    VgAddr addr;
    uint16_t port;
    bool has_addr;
    if (memcmp(code, "227", 3) == 0 && ftp_parse_hostport(s, len, &addr, &port)) {
        data_port(st, t, &addr, port);
    } else if (memcmp(code, "229", 3) == 0 && ftp_parse_ext(s, len, &addr, &has_addr, &port)) {
        /* EPSV: the data connection goes to the control connection's server */
        data_port(st, t, &st->af->f->key.dst, port);
    }
}

/* RFC 4217: "234" to AUTH TLS (or its older spellings) starts TLS at once. */
static bool starts_tls(const FtpTx *t, const uint8_t *code)
{
    return t->has_command && t->cmd_len == 4 && memcmp(t->cmd, "AUTH", 4) == 0 &&
           memcmp(code, "234", 3) == 0;
}

/* Returns true when the reply hands the connection over to TLS. */
static bool reply(FtpState *st, FtpLine *l)
{
    const uint8_t *s = l->buf;
    uint32_t len = l->len;
    bool coded = len >= 3 && isdigit(s[0]) && isdigit(s[1]) && isdigit(s[2]) &&
                 (len == 3 || s[3] == ' ' || s[3] == '-');
    bool final = coded && (len == 3 || s[3] == ' ');
    FtpTx *t = reply_target(st);
    if (t == NULL) {
        return false;
    }
    if (l->truncated) {
        t->reply_truncated = true;
        app_tx_event(st->af, &t->tx, FTP_EV_RESPONSE_COMMAND_TOO_LONG);
    }
    t->reply_received = true;
    if (t->n_replies < FTP_MAX_REPLIES) {
        FtpReply *r = &t->replies[t->n_replies];
        uint32_t skip = coded ? (len > 3 ? 4 : 3) : 0;
        if (coded) {
            memcpy(r->code, s, 3);
        } else if (t->n_replies > 0) {
            memcpy(r->code, t->replies[t->n_replies - 1].code, 3);
        }
        r->text = dup_charged(st->af, s + skip, len - skip);
        r->len = r->text != NULL ? len - skip : 0;
        t->n_replies++;
        if (coded && t->mode == FTP_MODE_PASSIVE) {
            passive_reply(st, t, s, s + skip, len - skip);
        }
    }
    app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
    /* a block "NNN-" ... ends at "NNN " with the same code (RFC 959 4.2) */
    if (coded && !final) {
        st->in_multiline = true;
        return false;
    }
    if (!final || s[0] == '1') {
        return false;            // inside a block, or a preliminary reply
    }
    st->in_multiline = false;
    bool tls = starts_tls(t, s);
    tx_done(t);
    if (t == st->reply_tx) {
        st->reply_tx = NULL;
    } else if (st->p_count > 0) {
        st->p_head = (st->p_head + 1) % FTP_MAX_PENDING;
        st->p_count--;
    }
    return tls;
}

static int ftp_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                     uint32_t *consumed)
{
    FtpState *st = state;
    uint32_t total = len;
    FtpLine *l = &st->line[dir];
    while (len > 0) {
        bool done, ok;
        uint32_t used = line_take(st, l, data, len, &done, &ok);
        if (!ok) {
            return APP_PARSE_ERROR;
        }
        data += used;
        len -= used;
        if (!done) {
            continue;
        }
        if (dir == APP_DIR_TOSERVER) {
            if (l->len > 0 || l->truncated) {
                command(st, l);
            }
        } else if (reply(st, l)) {
            /* AUTH TLS accepted: the rest is TLS (else no_tls_after_starttls) */
            l->len = 0;
            return tls_starttls_handover(af, total - len, consumed);
        }
        l->len = 0;
        l->skipping = false;
        l->truncated = false;
    }
    return APP_PARSE_OK;
}

/* ---- detection ---- */

/* Any port: what FTP clients open with. "PASS " is left out: IRC clients open with it
 * (RFC 2812 3.1.1); on port 21 every command word counts (ftp_probe_ip). */
static const AppPattern ftp_patterns[] = {
    {.dir = APP_DIR_TOSERVER, .nocase = true, .offset = 0, .depth = 5, .bytes = "USER ", .len = 5},
    {.dir = APP_DIR_TOSERVER, .nocase = true, .offset = 0, .depth = 8, .bytes = "AUTH TLS",
     .len = 8},
    {.dir = APP_DIR_TOSERVER, .nocase = true, .offset = 0, .depth = 8, .bytes = "AUTH SSL",
     .len = 8},
};

/* A command word (3 or 4 letters, RFC 959 5.3.1) then SP or the line end. */
static int probe_command(const uint8_t *data, uint32_t len)
{
    uint32_t i = 0;
    while (i < len && i < 5 && isalpha(data[i])) {
        i++;
    }
    if (i == len) {
        return i < 5 ? APP_PROBE_MORE : APP_PROBE_NO;
    }
    return i >= 3 && i <= 4 && (data[i] == ' ' || data[i] == '\r' || data[i] == '\n')
               ? APP_PROBE_YES
               : APP_PROBE_NO;
}

/* On an FTP port only (alone, each could be SMTP): the greeting "220" toclient, any
 * command word toserver ("QUIT" alone is FTP on port 21). */
static int ftp_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                        uint8_t dir)
{
    if (ipproto != 6 || !port_hint) {
        return APP_PROBE_NO;
    }
    if (dir == APP_DIR_TOSERVER) {
        return probe_command(data, len);
    }
    uint32_t n = len < 3 ? len : 3;
    if (memcmp(data, "220", n) != 0) {
        return APP_PROBE_NO;
    }
    return len < 4 ? APP_PROBE_MORE : (data[3] == ' ' || data[3] == '-') ? APP_PROBE_YES
                                                                         : APP_PROBE_NO;
}

const AppParserDesc app_parser_ftp = {
    .name = "ftp",
    .proto = APP_PROTO_FTP,
    .ipproto = 6,
    .first_dir = APP_DIR_TOCLIENT,
    .default_ports = "21",
    .patterns = ftp_patterns,
    .n_patterns = sizeof(ftp_patterns) / sizeof(ftp_patterns[0]),
    .probe_ip = ftp_probe_ip,
    .state_new = ftp_state_new,
    .state_free = ftp_state_free,
    .parse = ftp_parse,
    .tx_free = ftp_tx_free,
    .complete = {FTP_PROG_DONE, FTP_PROG_DONE},
    .max_tx_unfinished = true,
    .events = ftp_event_names,
    .n_events = FTP_EV_N,
    .buffers = ftp_buffers,
    .n_buffers = FTP_N_BUFFERS,
    .log_json = ftp_log_json,
};
