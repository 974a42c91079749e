/* SSH: the parser row, per-direction state machine and the flow's single tx.
 *
 * Each direction starts with the identification line "SSH-protoversion-softwareversion
 * [SP comments] CR LF" (RFC 4253 section 4.2). After it come binary packets
 * (uint32 packet_length, byte padding_length, payload, padding; no MAC before the first
 * NEWKEYS). Only KEXINIT (20) is kept whole, to compute HASSH; every other packet is
 * skipped by its length. NEWKEYS (21) ends parsing in that direction: what follows is
 * encrypted. Memory per flow: the banner fields (fixed), one KEXINIT buffer per direction
 * (at most SSH_KEX_MAX, charged to the ssh memcap, freed once parsed) and the HASSH
 * strings. A gap stops the direction (the framework forces its side done): framing
 * cannot be recovered. */
#include "app-layer/ssh/app-layer-ssh.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "app-layer/app-layer-internal.h"
#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define SSH_MSG_KEXINIT 20
#define SSH_MSG_NEWKEYS 21

enum {
    SSH_PH_BANNER = 0,           // reading the identification line
    SSH_PH_HEADER,               // reading a packet header (length, padding length, type)
    SSH_PH_SKIP,                 // skipping the rest of a packet
    SSH_PH_KEX,                  // buffering a KEXINIT
    SSH_PH_ENCRYPTED,            // after NEWKEYS: nothing more to parse
    SSH_PH_STOPPED,              // malformed input: nothing more to parse
};

typedef struct SshDir {
    uint8_t phase;
    uint32_t line_len;           // bytes of the current banner line so far
    uint8_t line[SSH_BANNER_MAX + 1];
    uint8_t hdr[6];
    uint8_t hdr_len;
    uint32_t remain;             // bytes of the current packet still to skip or buffer
    uint8_t *kex;                // KEXINIT packet after the length field
    uint32_t kex_len;
    uint32_t kex_cap;
} SshDir;

typedef struct SshState {
    AppFlow *af;
    SshTx *tx;
    SshDir dir[2];
} SshState;

const char *const ssh_event_names[SSH_EV_N] = {
    "invalid_banner",
    "long_banner",
    "invalid_record_length",
    "long_kex_record",
};

static int g_hassh_cfg = -1;     // -1 not set, 0 no, 1 yes
static uint8_t g_ssh_enc_mode;   // APP_ENC_* (encryption-handling), set at start-up

bool ssh_hassh_logging(void)
{
    return g_hassh_cfg == 1;
}

bool ssh_hassh_allowed(void)
{
    return g_hassh_cfg != 0;
}

/* ---- pure helpers ---- */

bool ssh_banner_parse(const uint8_t *line, uint32_t len, SshSide *s)
{
    if (len < 4 || memcmp(line, "SSH-", 4) != 0) {
        return false;
    }
    const uint8_t *p = line + 4;
    const uint8_t *end = line + len;
    const uint8_t *dash = memchr(p, '-', (size_t)(end - p));
    if (dash == NULL || dash == p) {
        return false;
    }
    const uint8_t *sw = dash + 1;
    const uint8_t *sp = sw;
    while (sp < end && *sp != ' ' && *sp != '\r') {
        sp++;
    }
    size_t pl = (size_t)(dash - p);
    size_t sl = (size_t)(sp - sw);
    s->proto_len = (uint16_t)(pl < SSH_BANNER_MAX ? pl : SSH_BANNER_MAX);
    memcpy(s->proto, p, s->proto_len);
    s->software_len = (uint16_t)(sl < SSH_BANNER_MAX ? sl : SSH_BANNER_MAX);
    memcpy(s->software, sw, s->software_len);
    s->has_banner = true;
    return true;
}

void ssh_md5_hex(const char *s, size_t len, char out[33])
{
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int dl = 0;
    out[0] = '\0';
    if (EVP_Digest(s, len, d, &dl, EVP_md5(), NULL) != 1 || dl != 16) {
        return;
    }
    static const char hex[] = "0123456789abcdef";
    for (unsigned i = 0; i < 16; i++) {
        out[2 * i] = hex[d[i] >> 4];
        out[2 * i + 1] = hex[d[i] & 0xf];
    }
    out[32] = '\0';
}

/* A name-list (uint32 length + bytes) at *off of p. */
static bool name_list(const uint8_t *p, uint32_t len, uint32_t *off, const uint8_t **s,
                      uint32_t *slen)
{
    if (len - *off < 4) {
        return false;
    }
    uint32_t n = (uint32_t)p[*off] << 24 | (uint32_t)p[*off + 1] << 16 |
                 (uint32_t)p[*off + 2] << 8 | p[*off + 3];
    *off += 4;
    if (n > len - *off) {
        return false;
    }
    *s = p + *off;
    *slen = n;
    *off += n;
    return true;
}

/* HASSH (Salesforce's spec): the client hashes kex_algorithms;encryption c2s;mac c2s;
 * compression c2s, the server the same with its s2c lists. */
char *ssh_hassh_string(const uint8_t *p, uint32_t len, bool is_client, uint32_t *out_len,
                       bool *nomem)
{
    *nomem = false;
    if (len < 17 || p[0] != SSH_MSG_KEXINIT) {
        return NULL;
    }
    uint32_t off = 17;           // type + 16-byte cookie
    const uint8_t *l[8];
    uint32_t ll[8];
    for (int i = 0; i < 8; i++) {
        if (!name_list(p, len, &off, &l[i], &ll[i])) {
            return NULL;
        }
    }
    /* 0 kex, 1 host key, 2 enc c2s, 3 enc s2c, 4 mac c2s, 5 mac s2c, 6 comp c2s, 7 comp s2c */
    int pick[4] = {0, is_client ? 2 : 3, is_client ? 4 : 5, is_client ? 6 : 7};
    size_t total = 4;
    for (int i = 0; i < 4; i++) {
        total += ll[pick[i]];
    }
    char *s = malloc(total);
    if (s == NULL) {
        *nomem = true;
        return NULL;
    }
    size_t o = 0;
    for (int i = 0; i < 4; i++) {
        if (i > 0) {
            s[o++] = ';';
        }
        memcpy(s + o, l[pick[i]], ll[pick[i]]);
        o += ll[pick[i]];
    }
    s[o] = '\0';
    *out_len = (uint32_t)o;
    return s;
}

const SshSide *ssh_tx_side(const AppTx *tx, uint8_t dir)
{
    if (tx == NULL || tx->proto != APP_PROTO_SSH || dir > 1) {
        return NULL;
    }
    return &((const SshTx *)tx)->side[dir];
}

/* ---- state ---- */

static void *ssh_state_new(AppFlow *af)
{
    SshState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static void kex_free(SshState *st, SshDir *d)
{
    if (d->kex_cap != 0) {
        app_mem_release(st->af, d->kex_cap);
    }
    free(d->kex);
    d->kex = NULL;
    d->kex_len = d->kex_cap = 0;
}

static void ssh_state_free(void *state)
{
    SshState *st = state;
    if (st == NULL) {
        return;
    }
    kex_free(st, &st->dir[0]);
    kex_free(st, &st->dir[1]);
    free(st);
}

static void ssh_tx_free(void *state, AppTx *tx)
{
    SshState *st = state;
    SshTx *t = (SshTx *)tx;
    for (int i = 0; i < 2; i++) {
        if (t->side[i].hassh_string != NULL && st != NULL) {
            app_mem_release(st->af, t->side[i].hassh_len + 1u);
        }
        free(t->side[i].hassh_string);
        t->side[i].hassh_string = NULL;
    }
    if (st != NULL && st->tx == t) {
        st->tx = NULL;
    }
}

static SshTx *get_tx(SshState *st)
{
    if (st->tx == NULL) {
        if (st->af->next_tx_id != 0) {
            return NULL;         // the flow's tx was freed already: one per flow
        }
        st->tx = (SshTx *)app_tx_new(st->af, sizeof(SshTx));
    }
    return st->tx;
}

static void set_progress(SshState *st, SshTx *t, uint8_t dir, uint8_t prog)
{
    (void)st;
    if (t->tx.progress[dir] < prog) {
        t->tx.progress[dir] = prog;
    }
    app_tx_touch(&t->tx, dir);
}

static void stop_dir(SshState *st, SshTx *t, uint8_t dir, uint32_t ev)
{
    SshDir *d = &st->dir[dir];
    app_tx_event(st->af, &t->tx, ev);
    app_tx_touch(&t->tx, dir);
    d->phase = SSH_PH_STOPPED;
    kex_free(st, d);
}

/* ---- banner ---- */

static void banner_done(SshState *st, SshTx *t, uint8_t dir)
{
    SshDir *d = &st->dir[dir];
    uint32_t kept = d->line_len < SSH_BANNER_MAX ? d->line_len : SSH_BANNER_MAX;
    if (kept > 0 && d->line[kept - 1] == '\r') {
        kept--;
    }
    if (d->line_len > SSH_BANNER_MAX) {
        app_tx_event(st->af, &t->tx, SSH_EV_LONG_BANNER);
    }
    if (!ssh_banner_parse(d->line, kept, &t->side[dir])) {
        stop_dir(st, t, dir, SSH_EV_INVALID_BANNER);
        return;
    }
    set_progress(st, t, dir, SSH_PROG_BANNER);
    d->phase = SSH_PH_HEADER;
    d->hdr_len = 0;
}

/* Consumes banner bytes; returns bytes used. */
static uint32_t parse_banner(SshState *st, SshTx *t, uint8_t dir, const uint8_t *data,
                             uint32_t len)
{
    SshDir *d = &st->dir[dir];
    const uint8_t *lf = memchr(data, '\n', len);
    uint32_t n = lf != NULL ? (uint32_t)(lf - data) : len;
    if (d->line_len < SSH_BANNER_MAX) {
        uint32_t room = SSH_BANNER_MAX - d->line_len;
        memcpy(d->line + d->line_len, data, n < room ? n : room);
    }
    d->line_len = n <= UINT32_MAX - d->line_len ? d->line_len + n : UINT32_MAX;
    if (lf != NULL) {
        banner_done(st, t, dir);
        return n + 1;
    }
    if (d->line_len > SSH_LINE_MAX) {
        app_tx_event(st->af, &t->tx, SSH_EV_LONG_BANNER);
        stop_dir(st, t, dir, SSH_EV_INVALID_BANNER);
    }
    return n;
}

/* ---- binary packets ---- */

static void kex_parsed(SshState *st, SshTx *t, uint8_t dir)
{
    SshDir *d = &st->dir[dir];
    /* d->kex: padding_length, payload, padding */
    uint8_t pad = d->kex[0];
    if ((uint32_t)pad + 1u < d->kex_len) {
        uint32_t plen = d->kex_len - 1u - pad;
        SshSide *s = &t->side[dir];
        if (!s->has_hassh) {
            bool nomem;
            uint32_t hl = 0;
            char *h = ssh_hassh_string(d->kex + 1, plen, dir == APP_DIR_TOSERVER, &hl, &nomem);
            if (h != NULL && app_mem_charge(st->af, hl + 1u)) {
                s->hassh_string = h;
                s->hassh_len = hl;
                ssh_md5_hex(h, hl, s->hassh);
                s->has_hassh = true;
                set_progress(st, t, dir, SSH_PROG_KEXINIT);
            } else {
                free(h);
            }
        }
    }
    kex_free(st, d);
}

static bool kex_append(SshState *st, SshDir *d, const uint8_t *data, uint32_t n)
{
    if (d->kex_cap == 0) {
        uint32_t cap = d->remain + 2u;   // padding length and type (from the header) first
        if (!app_mem_charge(st->af, cap)) {
            return false;
        }
        d->kex = malloc(cap);
        if (d->kex == NULL) {
            app_mem_release(st->af, cap);
            return false;
        }
        d->kex_cap = cap;
    }
    if (n > d->kex_cap - d->kex_len) {
        n = d->kex_cap - d->kex_len;
    }
    memcpy(d->kex + d->kex_len, data, n);
    d->kex_len += n;
    return true;
}

/* A full 6-byte header is in d->hdr. Returns false when the direction stops. */
static bool header_done(SshState *st, SshTx *t, uint8_t dir)
{
    SshDir *d = &st->dir[dir];
    uint32_t plen = (uint32_t)d->hdr[0] << 24 | (uint32_t)d->hdr[1] << 16 |
                    (uint32_t)d->hdr[2] << 8 | d->hdr[3];
    if (plen < 2 || plen > SSH_RECORD_MAX || d->hdr[4] >= plen) {
        stop_dir(st, t, dir, SSH_EV_INVALID_RECORD_LENGTH);
        return false;
    }
    uint8_t type = d->hdr[5];
    d->remain = plen - 2;        // padding_length and type are in hdr
    if (type == SSH_MSG_NEWKEYS) {
        set_progress(st, t, dir, SSH_PROG_DONE);
        d->phase = SSH_PH_ENCRYPTED;
        kex_free(st, d);
        if (st->dir[dir ^ 1].phase == SSH_PH_ENCRYPTED) {
            app_flow_encrypted(st->af, g_ssh_enc_mode);
        }
        return false;
    }
    if (type == SSH_MSG_KEXINIT && !t->side[dir].has_hassh) {
        if (plen > SSH_KEX_MAX) {
            app_tx_event(st->af, &t->tx, SSH_EV_LONG_KEX_RECORD);
            app_tx_touch(&t->tx, dir);
            d->phase = SSH_PH_SKIP;
            return true;
        }
        kex_free(st, d);
        if (!kex_append(st, d, d->hdr + 4, 2)) {
            d->phase = SSH_PH_SKIP;
            return true;
        }
        d->phase = SSH_PH_KEX;
        if (d->remain == 0) {
            kex_parsed(st, t, dir);
            d->phase = SSH_PH_HEADER;
        }
        return true;
    }
    d->phase = SSH_PH_SKIP;
    return true;
}

static int ssh_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                     uint32_t *consumed)
{
    (void)af;
    *consumed = len;
    SshState *st = state;
    SshDir *d = &st->dir[dir];
    if (d->phase == SSH_PH_ENCRYPTED || d->phase == SSH_PH_STOPPED) {
        return APP_PARSE_OK;     // the rest is not ours to parse (the tx may be gone)
    }
    SshTx *t = get_tx(st);
    if (t == NULL) {
        return APP_PARSE_ERROR;
    }
    while (len > 0) {
        uint32_t used = 0;
        switch (d->phase) {
        case SSH_PH_BANNER:
            used = parse_banner(st, t, dir, data, len);
            break;
        case SSH_PH_HEADER:
            used = 6u - d->hdr_len < len ? 6u - d->hdr_len : len;
            memcpy(d->hdr + d->hdr_len, data, used);
            d->hdr_len = (uint8_t)(d->hdr_len + used);
            if (d->hdr_len == 6) {
                d->hdr_len = 0;
                (void)header_done(st, t, dir);
            }
            break;
        case SSH_PH_SKIP:
        case SSH_PH_KEX:
            used = d->remain < len ? d->remain : len;
            if (d->phase == SSH_PH_KEX && !kex_append(st, d, data, used)) {
                kex_free(st, d);
                d->phase = SSH_PH_SKIP;
            }
            d->remain -= used;
            if (d->remain == 0) {
                if (d->phase == SSH_PH_KEX) {
                    kex_parsed(st, t, dir);
                }
                d->phase = SSH_PH_HEADER;
            }
            break;
        default:
            return APP_PARSE_OK;  // encrypted or stopped: the rest is not ours to parse
        }
        data += used;
        len -= used;
    }
    return APP_PARSE_OK;
}

static void ssh_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    SshState *st = state;
    kex_free(st, &st->dir[dir]);
}

/* ---- detection and config ---- */

static int ssh_probe(const uint8_t *data, uint32_t len, uint8_t dir)
{
    (void)dir;
    static const char pfx[] = "SSH-";
    uint32_t n = len < 4 ? len : 4;
    if (memcmp(data, pfx, n) != 0) {
        return APP_PROBE_NO;
    }
    return len < 4 ? APP_PROBE_MORE : APP_PROBE_YES;
}

static const AppPattern ssh_patterns[] = {
    {.dir = APP_DIR_TOSERVER, .offset = 0, .depth = 4, .bytes = "SSH-", .len = 4},
    {.dir = APP_DIR_TOCLIENT, .offset = 0, .depth = 4, .bytes = "SSH-", .len = 4},
};

static int ssh_config(const struct Conf *conf)
{
    const char *v = NULL;
    g_hassh_cfg = -1;
    if (app_enc_mode_config(conf, "ssh", &g_ssh_enc_mode) != 0) {
        return VG_EINVAL;
    }
    if (conf != NULL && conf_get_str(conf, "app-layer.protocols.ssh.hassh", &v) && v != NULL) {
        bool bad = false;
        g_hassh_cfg = conf_bool_or(conf, "app-layer.protocols.ssh.hassh", false, &bad) ? 1 : 0;
        if (bad) {
            VG_ERROR("app-layer.protocols.ssh.hassh: expected yes or no, got '%s'", v);
            return VG_EINVAL;
        }
    }
    return 0;
}

/* ---- buffers ---- */

#define SIDE_GETTER(fn, dir, field, flen, cond)                                             \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)     \
    {                                                                                       \
        (void)f;                                                                            \
        const SshSide *s = ssh_tx_side(tx, dir);                                            \
        if (s == NULL || !(cond)) {                                                         \
            return false;                                                                   \
        }                                                                                   \
        *data = (const uint8_t *)(field);                                                   \
        *len = (uint32_t)(flen);                                                            \
        return true;                                                                        \
    }

SIDE_GETTER(ts_proto, APP_DIR_TOSERVER, s->proto, s->proto_len, s->has_banner)
SIDE_GETTER(tc_proto, APP_DIR_TOCLIENT, s->proto, s->proto_len, s->has_banner)
SIDE_GETTER(ts_software, APP_DIR_TOSERVER, s->software, s->software_len, s->has_banner)
SIDE_GETTER(tc_software, APP_DIR_TOCLIENT, s->software, s->software_len, s->has_banner)
SIDE_GETTER(ts_hassh, APP_DIR_TOSERVER, s->hassh, 32, s->has_hassh)
SIDE_GETTER(ts_hassh_str, APP_DIR_TOSERVER, s->hassh_string, s->hassh_len, s->has_hassh)
SIDE_GETTER(tc_hassh, APP_DIR_TOCLIENT, s->hassh, 32, s->has_hassh)
SIDE_GETTER(tc_hassh_str, APP_DIR_TOCLIENT, s->hassh_string, s->hassh_len, s->has_hassh)

#define SSH_ROW(n, d, prog, fn) {.name = n, .proto = APP_PROTO_SSH, .dir = d, .progress = prog, \
                                 .get = fn}

const AppBufferDef ssh_buffers[] = {
    SSH_ROW("ssh.proto", APP_DIR_TOSERVER, SSH_PROG_BANNER, ts_proto),
    SSH_ROW("ssh.proto", APP_DIR_TOCLIENT, SSH_PROG_BANNER, tc_proto),
    SSH_ROW("ssh.software", APP_DIR_TOSERVER, SSH_PROG_BANNER, ts_software),
    SSH_ROW("ssh.software", APP_DIR_TOCLIENT, SSH_PROG_BANNER, tc_software),
    SSH_ROW("ssh.hassh", APP_DIR_TOSERVER, SSH_PROG_KEXINIT, ts_hassh),
    SSH_ROW("ssh.hassh.string", APP_DIR_TOSERVER, SSH_PROG_KEXINIT, ts_hassh_str),
    SSH_ROW("ssh.hassh.server", APP_DIR_TOCLIENT, SSH_PROG_KEXINIT, tc_hassh),
    SSH_ROW("ssh.hassh.server.string", APP_DIR_TOCLIENT, SSH_PROG_KEXINIT, tc_hassh_str),
};
#define SSH_N_BUFFERS (sizeof(ssh_buffers) / sizeof(ssh_buffers[0]))

/* ---- EVE ---- */

static void log_side(JsonBuf *jb, const char *key, const SshSide *s)
{
    if (!s->has_banner && !s->has_hassh) {
        return;
    }
    json_open_object(jb, key);
    if (s->has_banner) {
        json_printable(jb, "proto_version", s->proto, s->proto_len);
        json_printable(jb, "software_version", s->software, s->software_len);
    }
    if (s->has_hassh && ssh_hassh_logging()) {
        json_open_object(jb, "hassh");
        json_str(jb, "hash", s->hassh);
        json_str(jb, "string", s->hassh_string);
        json_close_object(jb);
    }
    json_close_object(jb);
}

static void ssh_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const SshTx *t = (const SshTx *)tx;
    json_open_object(jb, "ssh");
    log_side(jb, "client", &t->side[APP_DIR_TOSERVER]);
    log_side(jb, "server", &t->side[APP_DIR_TOCLIENT]);
    json_close_object(jb);
}

const AppParserDesc app_parser_ssh = {
    .name = "ssh",
    .proto = APP_PROTO_SSH,
    .ipproto = 6,
    .first_dir = APP_DIR_TOCLIENT,
    .any_first_dir = true,       // both sides send their banner without waiting
    .default_ports = "22",
    .patterns = ssh_patterns,
    .n_patterns = sizeof(ssh_patterns) / sizeof(ssh_patterns[0]),
    .probe = ssh_probe,
    .config = ssh_config,
    .state_new = ssh_state_new,
    .state_free = ssh_state_free,
    .parse = ssh_parse,
    .eof = ssh_eof,
    .tx_free = ssh_tx_free,
    .complete = {SSH_PROG_DONE, SSH_PROG_DONE},
    .events = ssh_event_names,
    .n_events = SSH_EV_N,
    .buffers = ssh_buffers,
    .n_buffers = SSH_N_BUFFERS,
    .log_json = ssh_log_json,
};
