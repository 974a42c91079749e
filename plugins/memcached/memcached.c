/* Example plugin: an application-layer parser for the memcached text
 * protocol (TCP, port 11211 by default). Each request is a transaction:
 * its command line (and the data block of storage commands) toserver, and
 * its reply toclient (one line, or VALUE blocks up to END for retrievals,
 * STAT lines up to END for stats; none for noreply).
 *
 * Rules inspect two sticky buffers:
 *     memcached.command   the command ("get", "set", ...)
 *     memcached.key       the first key of the request
 *   alert memcached any any -> any any (memcached.key; content:"secret"; sid:1;)
 * and with `- memcached` in eve-log `types:` each tx is a record:
 *   "memcached": {"command":"set","key":"k","bytes":5,"noreply":false,"reply":"STORED"}
 *
 * Data missing in requests (a gap) is skipped and parsing goes on; in
 * replies it stops the reply side.
 *
 * Builds against the installed plugin header only; needs no engine symbols. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/plugin.h"

#define MC_LINE_MAX 2048         // a longer line is not memcached: the parser stops
#define MC_KEY_MAX 250           // the protocol's key limit
#define MC_PENDING_MAX 64        // requests waiting for their reply

enum { MC_EV_LINE_TOO_LONG = 0, MC_EV_UNEXPECTED_REPLY };
static const char *const mc_events[] = {"line_too_long", "unexpected_reply"};

static const VgPluginRegistrar *g_reg; // set once in init, before threads

typedef struct McTx {
    char command[16];
    char key[MC_KEY_MAX + 1];
    char reply[64];              // first reply line that is not VALUE/STAT (or "END")
    uint32_t key_len;
    uint32_t cmd_len;
    uint64_t bytes;              // data block of a storage command
    uint32_t values;             // VALUE blocks in the reply
    bool noreply;
} McTx;

typedef struct McDir {
    char line[MC_LINE_MAX];
    uint32_t line_len;
    uint64_t skip;               // data block bytes (and its CRLF) still to come
} McDir;

typedef struct McState {
    VgAppFlow *af;
    McDir d[2];
    McTx *pending[MC_PENDING_MAX]; // requests waiting for their reply, oldest first
    uint32_t n_pending;
    McTx *storing;               // request whose data block is being read
} McState;

static void *mc_state_new(VgAppFlow *af)
{
    McState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static bool is_storage(const char *cmd)
{
    static const char *const s[] = {"set", "add", "replace", "append", "prepend", "cas"};
    for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        if (strcmp(cmd, s[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* Splits line into at most max words (in place). */
static int words(char *line, char **w, int max)
{
    int n = 0;
    char *save = NULL;
    for (char *t = strtok_r(line, " ", &save); t != NULL && n < max;
         t = strtok_r(NULL, " ", &save)) {
        w[n++] = t;
    }
    return n;
}

static int mc_request(McState *st, char *line)
{
    char *w[8];
    int n = words(line, w, 8);
    if (n == 0) {
        return 0; // blank line: nothing to do
    }
    McTx *tx = g_reg->app_tx_new(st->af, sizeof(McTx));
    if (tx == NULL) {
        return VG_PARSE_ERROR; // memcap or max-tx: stop
    }
    snprintf(tx->command, sizeof(tx->command), "%s", w[0]);
    tx->cmd_len = (uint32_t)strlen(tx->command);
    if (n > 1) {
        snprintf(tx->key, sizeof(tx->key), "%s", w[1]);
        tx->key_len = (uint32_t)strlen(tx->key);
    }
    tx->noreply = strcmp(w[n - 1], "noreply") == 0;
    if (is_storage(tx->command) && n >= 5) {
        tx->bytes = strtoull(w[4], NULL, 10);
        st->d[VG_DIR_TOSERVER].skip = tx->bytes + 2;
        st->storing = tx;
    } else {
        g_reg->app_tx_progress(tx, VG_DIR_TOSERVER, 1);
    }
    if (tx->noreply) {
        g_reg->app_tx_progress(tx, VG_DIR_TOCLIENT, 1);
    } else if (st->n_pending < MC_PENDING_MAX) {
        st->pending[st->n_pending++] = tx;
    } else {
        return VG_PARSE_ERROR; // a client this far ahead of its server is not one we follow
    }
    return 0;
}

static void reply_done(McState *st)
{
    McTx *tx = st->pending[0];
    memmove(st->pending, st->pending + 1, (st->n_pending - 1) * sizeof(st->pending[0]));
    st->n_pending--;
    g_reg->app_tx_progress(tx, VG_DIR_TOCLIENT, 1);
}

static int mc_reply(McState *st, char *line)
{
    if (st->n_pending == 0) {
        g_reg->app_tx_event(st->af, NULL, MC_EV_UNEXPECTED_REPLY);
        return 0;
    }
    McTx *tx = st->pending[0];
    if (strncmp(line, "VALUE ", 6) == 0) {
        char *w[6];
        int n = words(line, w, 6);
        st->d[VG_DIR_TOCLIENT].skip = (n >= 4 ? strtoull(w[3], NULL, 10) : 0) + 2;
        tx->values++;
        return 0;
    }
    if (strncmp(line, "STAT ", 5) == 0) {
        return 0;
    }
    snprintf(tx->reply, sizeof(tx->reply), "%s", line);
    reply_done(st);
    return 0;
}

static int mc_parse(VgAppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len)
{
    McState *st = state;
    McDir *d = &st->d[dir & 1];
    st->af = af;
    for (uint32_t i = 0; i < len;) {
        if (d->skip > 0) {
            uint64_t take = d->skip < len - i ? d->skip : len - i;
            d->skip -= take;
            i += (uint32_t)take;
            if (d->skip == 0 && dir == VG_DIR_TOSERVER && st->storing != NULL) {
                g_reg->app_tx_progress(st->storing, VG_DIR_TOSERVER, 1);
                st->storing = NULL;
            }
            continue;
        }
        uint8_t c = data[i++];
        if (c == '\n') {
            if (d->line_len > 0 && d->line[d->line_len - 1] == '\r') {
                d->line_len--;
            }
            d->line[d->line_len] = '\0';
            d->line_len = 0;
            int rc = dir == VG_DIR_TOSERVER ? mc_request(st, d->line) : mc_reply(st, d->line);
            if (rc != 0) {
                return rc;
            }
            continue;
        }
        if (d->line_len + 1 >= MC_LINE_MAX) {
            g_reg->app_tx_event(af, NULL, MC_EV_LINE_TOO_LONG);
            return VG_PARSE_ERROR;
        }
        d->line[d->line_len++] = (char)c;
    }
    return VG_PARSE_OK;
}

/* Data missing: inside a data block the block just ends sooner; elsewhere the
 * partial line is dropped and the data after the hole is taken as the start
 * of a line (a request there is parsed; a reply there cannot be matched to
 * its request any more, so the reply side stops). */
static int mc_gap(VgAppFlow *af, void *state, uint8_t dir, uint32_t len)
{
    (void)af;
    McState *st = state;
    McDir *d = &st->d[dir & 1];
    if (dir != VG_DIR_TOSERVER) {
        return VG_PARSE_ERROR;
    }
    if (d->skip > len) {
        d->skip -= len;
        return 0;
    }
    d->skip = 0;
    d->line_len = 0;
    if (st->storing != NULL) {
        g_reg->app_tx_progress(st->storing, VG_DIR_TOSERVER, 1);
        st->storing = NULL;
    }
    return 0;
}

static int mc_probe(const uint8_t *data, uint32_t len, uint8_t dir)
{
    static const char *const cmds[] = {"gets ", "get ", "set ", "add ", "replace ",
                                       "append ", "prepend ", "cas ", "delete ", "incr ",
                                       "decr ", "touch ", "stats", "version", "flush_all"};
    if (dir != VG_DIR_TOSERVER) {
        return VG_PROBE_NO;
    }
    for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
        size_t n = strlen(cmds[i]);
        if (len < n && memcmp(data, cmds[i], len) == 0) {
            return VG_PROBE_MORE;
        }
        if (len >= n && memcmp(data, cmds[i], n) == 0) {
            return VG_PROBE_YES;
        }
    }
    return VG_PROBE_NO;
}

static bool buf_command(const void *tx, const uint8_t **data, uint32_t *len)
{
    const McTx *t = tx;
    *data = (const uint8_t *)t->command;
    *len = t->cmd_len;
    return t->cmd_len > 0;
}

static bool buf_key(const void *tx, const uint8_t **data, uint32_t *len)
{
    const McTx *t = tx;
    *data = (const uint8_t *)t->key;
    *len = t->key_len;
    return t->key_len > 0;
}

static void mc_log(const void *tx, VgJson *jb)
{
    const McTx *t = tx;
    const VgJsonApi *js = g_reg->json;
    js->str(jb, "command", t->command);
    if (t->key_len > 0) {
        js->strn(jb, "key", (const uint8_t *)t->key, t->key_len);
    }
    if (is_storage(t->command)) {
        js->u64(jb, "bytes", t->bytes);
    }
    js->boolean(jb, "noreply", t->noreply);
    if (t->values > 0) {
        js->u64(jb, "values", t->values);
    }
    if (t->reply[0] != '\0') {
        js->str(jb, "reply", t->reply);
    }
}

#define P(s) {.dir = VG_DIR_TOSERVER, .offset = 0, .depth = sizeof(s) - 1, .bytes = s, \
              .len = sizeof(s) - 1}
static const VgAppPattern mc_patterns[] = {
    P("get "), P("gets "), P("set "), P("delete "), P("incr "), P("decr "),
};
#undef P

static const VgAppBuffer mc_buffers[] = {
    {.name = "memcached.command", .dir = VG_DIR_TOSERVER, .progress = 1, .get = buf_command},
    {.name = "memcached.key", .dir = VG_DIR_TOSERVER, .progress = 1, .get = buf_key},
};

static const VgAppLayer memcached = {
    .hdr = VG_PLUGIN_HDR(VgAppLayer),
    .name = "memcached",
    .ipproto = 6,
    .first_dir = VG_DIR_TOSERVER,
    .default_ports = "11211",
    .patterns = mc_patterns,
    .n_patterns = sizeof(mc_patterns) / sizeof(mc_patterns[0]),
    .probe = mc_probe,
    .state_new = mc_state_new,
    .state_free = free,
    .parse = mc_parse,
    .gap = mc_gap,
    .complete = {1, 1},
    .events = mc_events,
    .n_events = sizeof(mc_events) / sizeof(mc_events[0]),
    .buffers = mc_buffers,
    .n_buffers = sizeof(mc_buffers) / sizeof(mc_buffers[0]),
    .log_json = mc_log,
};

static int mc_init(const VgPluginRegistrar *reg)
{
    g_reg = reg;
    return reg->register_app_layer(&memcached);
}

const VgPluginInfo vg_plugin_info = {
    .hdr = VG_PLUGIN_HDR(VgPluginInfo),
    .name = "memcached",
    .version = "1.0",
    .description = "memcached text protocol parser",
    .init = mc_init,
};
