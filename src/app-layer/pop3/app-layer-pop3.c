/* POP3 (RFC 1939): the line parser and the parser row.
 *
 * The client sends command lines ("USER alice"), the server answers each with a
 * status line ("+OK ..." or "-ERR ...") and, for a successful RETR, TOP, CAPA and
 * argument-less LIST and UIDL (and AUTH, which lists mechanisms), a body of lines
 * ended by a lone "." (RFC 1939 section 3, dot-stuffing). A command and its answer
 * are a tx; the greeting (and any answer nobody asked for) a tx without a request.
 * Commands may be pipelined (RFC 2449 PIPELINING): answers go to the oldest command
 * still waiting. A SASL challenge ("+ ...", RFC 5034) keeps the AUTH tx open and the
 * client's next line is its answer, not a command. An accepted STLS hands the rest of
 * the connection to TLS (RFC 2595). Line buffers are bounded: a status or command
 * line longer than POP3_LINE_MAX is cut (event line_too_long); body lines of any
 * length are only counted. */
#include "app-layer/pop3/app-layer-pop3.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/tls/app-layer-tls.h"
#include "util/util-json.h"

#define POP3_PENDING_MAX 32u     // pipelined commands waiting for their answers

static const char *const pop3_event_names[POP3_EV_N] = {
    [POP3_EV_LINE_TOO_LONG] = "line_too_long",
    [POP3_EV_UNKNOWN_COMMAND] = "unknown_command",
    [POP3_EV_UNEXPECTED_RESPONSE] = "unexpected_response",
};

typedef struct Pop3Line {
    uint8_t buf[POP3_LINE_MAX];
    uint32_t len;                // bytes kept of the current line
    bool cut;                    // it went on past the buffer
} Pop3Line;

typedef struct Pop3State {
    AppFlow *af;
    Pop3Line line[2];
    Pop3Tx *pending[POP3_PENDING_MAX];   // oldest first; txs live until complete
    uint32_t n_pending;
    Pop3Tx *in_body;             // the tx whose multi-line answer is being read
    bool sasl_answer;            // the client's next line answers a SASL challenge
} Pop3State;

static const char *const known_commands[] = {
    "USER", "PASS", "APOP", "QUIT", "STAT", "LIST", "RETR", "DELE", "NOOP",
    "RSET", "TOP", "UIDL", "CAPA", "STLS", "AUTH", "UTF8", "LANG",
};

static bool is_known(const char *cmd)
{
    for (size_t i = 0; i < sizeof(known_commands) / sizeof(known_commands[0]); i++) {
        if (strcmp(cmd, known_commands[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Whether a successful answer to t carries a multi-line body. */
static bool has_body(const Pop3Tx *t)
{
    const char *c = t->command;
    if (strcmp(c, "RETR") == 0 || strcmp(c, "TOP") == 0 || strcmp(c, "CAPA") == 0) {
        return true;
    }
    return t->n_args == 0 &&
           (strcmp(c, "LIST") == 0 || strcmp(c, "UIDL") == 0 || strcmp(c, "AUTH") == 0);
}

static void tx_done(Pop3Tx *t, uint8_t dir)
{
    t->tx.progress[dir] = POP3_PROG_DONE;
    app_tx_touch(&t->tx, dir);
}

/* Splits "CMD arg arg" (spaces or tabs between) into t. */
static void split_command(Pop3Tx *t, const uint8_t *l, uint32_t n)
{
    uint32_t i = 0;
    uint32_t c = 0;
    while (i < n && l[i] != ' ' && l[i] != '\t') {
        if (c < POP3_CMD_MAX) {
            t->command[c++] = (char)toupper(l[i]);
        }
        i++;
    }
    t->command[c] = '\0';
    while (i < n && t->n_args < POP3_ARGS_MAX) {
        while (i < n && (l[i] == ' ' || l[i] == '\t')) {
            i++;
        }
        uint32_t start = i;
        while (i < n && l[i] != ' ' && l[i] != '\t') {
            i++;
        }
        if (i > start) {
            uint32_t len = i - start < POP3_ARG_MAX ? i - start : POP3_ARG_MAX;
            memcpy(t->args[t->n_args], l + start, len);
            t->arg_len[t->n_args++] = (uint16_t)len;
        }
    }
}

static void client_line(Pop3State *st, const Pop3Line *ln)
{
    if (st->sasl_answer) {
        st->sasl_answer = false; // the answer to a challenge: not a command
        return;
    }
    if (ln->len == 0 && !ln->cut) {
        return;                  // an empty line
    }
    Pop3Tx *t = (Pop3Tx *)app_tx_new(st->af, sizeof(Pop3Tx));
    if (t == NULL) {
        return;                  // memcap or max-tx: counted by the framework
    }
    t->has_request = true;
    split_command(t, ln->buf, ln->len);
    if (ln->cut) {
        app_tx_event(st->af, &t->tx, POP3_EV_LINE_TOO_LONG);
    }
    if (!is_known(t->command)) {
        app_tx_event(st->af, &t->tx, POP3_EV_UNKNOWN_COMMAND);
    }
    tx_done(t, APP_DIR_TOSERVER);
    if (st->n_pending == POP3_PENDING_MAX) {
        /* too many unanswered: the oldest will get no answer of its own */
        Pop3Tx *old = st->pending[0];
        memmove(st->pending, st->pending + 1, (POP3_PENDING_MAX - 1) * sizeof(st->pending[0]));
        st->n_pending--;
        tx_done(old, APP_DIR_TOCLIENT);
    }
    st->pending[st->n_pending++] = t;
}

static Pop3Tx *pop_pending(Pop3State *st)
{
    if (st->n_pending == 0) {
        return NULL;
    }
    Pop3Tx *t = st->pending[0];
    memmove(st->pending, st->pending + 1, (st->n_pending - 1) * sizeof(st->pending[0]));
    st->n_pending--;
    return t;
}

/* A line of a multi-line answer; "." ends it. */
static void body_line(Pop3State *st, const Pop3Line *ln)
{
    Pop3Tx *t = st->in_body;
    if (ln->len == 1 && ln->buf[0] == '.' && !ln->cut) {
        tx_done(t, APP_DIR_TOCLIENT);
        st->in_body = NULL;
        return;
    }
    t->data_lines++;
    t->data_bytes += ln->len > 0 && ln->buf[0] == '.' ? ln->len - 1 : ln->len;
}

/* A status line. Returns true when it accepted STLS (the rest is TLS). */
static bool server_line(Pop3State *st, const Pop3Line *ln)
{
    const uint8_t *l = ln->buf;
    uint32_t n = ln->len;
    bool ok = n >= 3 && memcmp(l, "+OK", 3) == 0;
    bool err = n >= 4 && memcmp(l, "-ERR", 4) == 0;
    bool challenge = n >= 1 && l[0] == '+' && !ok && (n == 1 || l[1] == ' ');
    if (!ok && !err && !challenge) {
        app_tx_event(st->af, st->n_pending > 0 ? &st->pending[0]->tx : NULL,
                     POP3_EV_UNEXPECTED_RESPONSE);
        return false;
    }
    if (challenge) {
        if (st->n_pending > 0) {
            st->pending[0]->continuation = true;
            st->sasl_answer = true;
        }
        return false;
    }
    Pop3Tx *t = pop_pending(st);
    if (t == NULL) {
        /* the greeting, or an answer nobody asked for: a tx of its own */
        t = (Pop3Tx *)app_tx_new(st->af, sizeof(Pop3Tx));
        if (t == NULL) {
            return false;
        }
        tx_done(t, APP_DIR_TOSERVER);
    }
    t->has_response = true;
    t->success = ok;
    uint32_t skip = ok ? 3 : 4;
    if (skip < n && l[skip] == ' ') {
        skip++;
    }
    uint32_t hl = n - skip < POP3_HEADER_MAX ? n - skip : POP3_HEADER_MAX;
    memcpy(t->header, l + skip, hl);
    t->header_len = (uint16_t)hl;
    if (ln->cut) {
        app_tx_event(st->af, &t->tx, POP3_EV_LINE_TOO_LONG);
    }
    st->sasl_answer = false;
    if (ok && t->has_request && has_body(t)) {
        st->in_body = t;
        app_tx_touch(&t->tx, APP_DIR_TOCLIENT);
        return false;
    }
    tx_done(t, APP_DIR_TOCLIENT);
    return ok && strcmp(t->command, "STLS") == 0;
}

/* Takes bytes of data into the direction's line up to its LF. Returns how many were
 * used; *done when the line ended (CR LF or LF, the CR dropped). */
static uint32_t line_take(Pop3Line *ln, const uint8_t *data, uint32_t len, bool *done)
{
    const uint8_t *lf = memchr(data, '\n', len);
    uint32_t upto = lf != NULL ? (uint32_t)(lf - data) : len;
    uint32_t room = POP3_LINE_MAX - ln->len;
    uint32_t keep = upto < room ? upto : room;
    memcpy(ln->buf + ln->len, data, keep);
    ln->len += keep;
    if (upto > keep) {
        ln->cut = true;
    }
    *done = lf != NULL;
    if (*done && !ln->cut && ln->len > 0 && ln->buf[ln->len - 1] == '\r') {
        ln->len--;
    }
    return lf != NULL ? upto + 1 : len;
}

static int pop3_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                      uint32_t *consumed)
{
    Pop3State *st = state;
    Pop3Line *ln = &st->line[dir & 1];
    uint32_t total = len;
    while (len > 0) {
        bool done;
        uint32_t used = line_take(ln, data, len, &done);
        data += used;
        len -= used;
        if (!done) {
            break;
        }
        if (dir == APP_DIR_TOSERVER) {
            client_line(st, ln);
        } else if (st->in_body != NULL) {
            body_line(st, ln);
        } else if (server_line(st, ln)) {
            ln->len = 0;
            ln->cut = false;
            return tls_starttls_handover(af, total - len, consumed);
        }
        ln->len = 0;
        ln->cut = false;
    }
    return APP_PARSE_OK;
}

static void *pop3_state_new(AppFlow *af)
{
    Pop3State *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static void pop3_state_free(void *state)
{
    free(state);
}

static void pop3_tx_free(void *state, AppTx *tx)
{
    Pop3State *st = state;
    if (st == NULL) {
        return;
    }
    /* a tx freed before its answer (flow end) must not stay in the queue */
    for (uint32_t i = 0; i < st->n_pending; i++) {
        if (&st->pending[i]->tx == tx) {
            memmove(st->pending + i, st->pending + i + 1,
                    (st->n_pending - i - 1) * sizeof(st->pending[0]));
            st->n_pending--;
            break;
        }
    }
    if (st->in_body != NULL && &st->in_body->tx == tx) {
        st->in_body = NULL;
    }
}

/* ---- EVE ---- */

static void pop3_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const Pop3Tx *t = pop3_tx(tx);
    json_open_object(jb, "pop3");
    if (t->has_request) {
        json_open_object(jb, "request");
        json_str(jb, "command", t->command);
        json_open_array(jb, "args");
        for (uint8_t i = 0; i < t->n_args; i++) {
            json_printable(jb, NULL, t->args[i], t->arg_len[i]);
        }
        json_close_array(jb);
        json_close_object(jb);
    }
    if (t->has_response) {
        json_open_object(jb, "response");
        json_bool(jb, "success", t->success);
        json_str(jb, "status", t->success ? "OK" : "ERR");
        json_printable(jb, "header", t->header, t->header_len);
        if (t->data_lines > 0) {
            json_u64(jb, "data_lines", t->data_lines);
            json_u64(jb, "data_bytes", t->data_bytes);
        }
        json_close_object(jb);
    }
    json_close_object(jb);
}

/* ---- detection ---- */

/* On a POP3 port (110): the greeting "+OK" to the client, or a command word of
 * RFC 1939 from it. Elsewhere nothing: "+OK" and "USER " open many protocols. */
static int pop3_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                         uint8_t dir)
{
    if (ipproto != 6 || !port_hint || len == 0) {
        return APP_PROBE_NO;
    }
    if (dir == APP_DIR_TOCLIENT) {
        uint32_t n = len < 3 ? len : 3;
        if (memcmp(data, "+OK", n) != 0) {
            return APP_PROBE_NO;
        }
        if (len < 4) {
            return APP_PROBE_MORE;
        }
        return data[3] == ' ' || data[3] == '\r' || data[3] == '\n' ? APP_PROBE_YES
                                                                    : APP_PROBE_NO;
    }
    char cmd[5];
    uint32_t i = 0;
    while (i < len && i < 4 && isalpha(data[i])) {
        cmd[i] = (char)toupper(data[i]);
        i++;
    }
    if (i == len) {
        return i < 4 ? APP_PROBE_MORE : APP_PROBE_NO;
    }
    cmd[i] = '\0';
    bool end = data[i] == ' ' || data[i] == '\r' || data[i] == '\n';
    return i >= 3 && end && is_known(cmd) ? APP_PROBE_YES : APP_PROBE_NO;
}

const AppParserDesc app_parser_pop3 = {
    .name = "pop3",
    .proto = APP_PROTO_POP3,
    .ipproto = 6,
    .first_dir = APP_DIR_TOCLIENT,
    .default_ports = "110",
    .probe_ip = pop3_probe_ip,
    .state_new = pop3_state_new,
    .state_free = pop3_state_free,
    .parse = pop3_parse,
    .tx_free = pop3_tx_free,
    .complete = {POP3_PROG_DONE, POP3_PROG_DONE},
    .events = pop3_event_names,
    .n_events = POP3_EV_N,
    .log_json = pop3_log_json,
    .eve_generic = true,
};
