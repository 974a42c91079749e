/* Per-transaction inspection of app-layer rules (SIG_F_APP_TX).
 *
 * Build: every tx rule gets a dense index; its fast pattern goes into the
 * prefilter of the registry row (buffer, protocol, direction) it can be found
 * in, once per direction the rule is inspected in, with the id
 * key = tx_idx * 2 + dir. Rules without a usable fast pattern are listed per
 * protocol and direction and always evaluated.
 *
 * Runtime, on a packet whose flow has transactions: for every tx the parser
 * updated in a direction (every tx at flow end), each buffer row of that
 * direction that became ready, or grew, is fetched and scanned once; hits are
 * kept in the tx's detect state as candidates until decided. Candidates and
 * rules without fast pattern are then evaluated in rule order: a rule is
 * decided when it matches (alert once per tx) or fails on buffers that can no
 * longer change; otherwise it waits for the next update. A rule needing
 * buffers of both directions is evaluated with the response.
 *
 * Caller holds the flow lock; nothing is allocated per packet except a tx's
 * state when the tx is first inspected (freed with the tx by the app layer). */

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "app-layer/tls/app-layer-tls-tx.h"
#include "detect/detect-internal.h"
#include "flow/flow-types.h"
#include "stream/stream.h"
#include "util/util-error.h"

#define TX_PROTOS APP_PROTO_MAX

struct DetectTxEngine {
    uint32_t n_tx;                     // tx rules
    uint32_t *tx_sig;                  // tx_idx -> signature num
    uint32_t n_rows;                   // registry rows
    DetectPrefilter **row_pf;          // per row, NULL without fast patterns
    uint32_t *row_overlap;             // longest pattern - 1 (growing buffers rescan that)
    uint32_t *rows[TX_PROTOS][2];      // rows with a prefilter per protocol and direction
    uint32_t n_row_list[TX_PROTOS][2];
    uint32_t *nofp[TX_PROTOS][2];      // tx_idx ascending
    uint32_t n_nofp[TX_PROTOS][2];
};

typedef struct DetectTxThread {
    uint8_t *xbuf[2];                  // transform scratch (grows, kept)
    uint32_t xcap[2];
    uint32_t *eval;                    // keys to evaluate this pass
    uint32_t *hits;                    // keys from one scan
    uint32_t n_hits;
    Packet sv;                         // the packet turned into the data's direction
    Packet hv;                         // '=>' rules: the packet turned to_server (header check)
} DetectTxThread;

typedef struct DetectTxState {
    uint64_t gen;                      // build_gen of the rule set the bits index (an address
                                       // could be reused by the next set after a reload)
    uint8_t *done;                     // bit per key: decided
    uint32_t *cand;                    // keys found by a prefilter, not yet decided (sorted)
    uint32_t n_cand;
    uint32_t cap_cand;
    uint32_t *scanned_len;             // per row: bytes scanned so far
    uint8_t *scanned_final;            // per row: scanned in its final state
    uint8_t pending;                   // bit per direction: updated on a packet of the other
                                       // direction, inspected on the next one of its own
    uint8_t fw[3];                     // firewall (detect-firewall.c): next hook per direction,
                                       // then a bit per direction it looked at
    uint8_t *xbits;                    // xbits track tx: bit per hostbit name index
    uint32_t n_xbits;                  // bytes in xbits
    uint8_t *fw_matched;               // firewall: bit per firewall rule that matched the tx
    uint32_t n_fw_matched;             // bytes in fw_matched
} DetectTxState;

enum { EVAL_WAIT = 0, EVAL_MATCH, EVAL_FAIL };

/* ---- build -------------------------------------------------------------- */

void detect_tx_engine_free(DetectEngine *de)
{
    DetectTxEngine *te = de->tx;
    if (te == NULL) {
        return;
    }
    for (uint32_t r = 0; r < te->n_rows; r++) {
        detect_prefilter_free(te->row_pf[r]);
    }
    for (int p = 0; p < TX_PROTOS; p++) {
        for (int d = 0; d < 2; d++) {
            free(te->rows[p][d]);
            free(te->nofp[p][d]);
        }
    }
    free(te->row_pf);
    free(te->row_overlap);
    free(te->tx_sig);
    free(te);
    de->tx = NULL;
}

/* The app list holding s's fast pattern, NULL when it is elsewhere. */
static const DetectAppList *fp_list(const Signature *s)
{
    if (s->fp == NULL || (s->fp->flags & DETECT_CONTENT_NEGATED)) {
        return NULL;
    }
    for (uint16_t i = 0; i < s->app->n_lists; i++) {
        const DetectMatchList *l = &s->app->lists[i].ml;
        for (uint16_t j = 0; j < l->n; j++) {
            if (l->m[j].ctx == s->fp) {
                return &s->app->lists[i];
            }
        }
    }
    return NULL;
}

static int list_push(uint32_t **arr, uint32_t *n, uint32_t v)
{
    uint32_t *a = realloc(*arr, (*n + 1) * sizeof(uint32_t));
    if (a == NULL) {
        return VG_ENOMEM;
    }
    a[(*n)++] = v;
    *arr = a;
    return 0;
}

/* The registry row of al to read for a tx of proto in direction d (an http rule on an
 * HTTP/2 tx reads the HTTP/2 rows). */
static int list_row(const DetectAppList *al, AppProto proto, uint8_t d)
{
    const int16_t *r = (proto == APP_PROTO_HTTP2 || proto == APP_PROTO_SMB) &&
                               (al->row_h2[0] >= 0 || al->row_h2[1] >= 0)
                           ? al->row_h2 : al->row;
    return r[d] >= 0 ? r[d] : r[d ^ 1];
}

/* The pattern to look for in al's untransformed buffer so that a buffer without it
 * can't hold s's fast pattern once transformed: the fast pattern itself without
 * transforms; through dotprefix ("." + buffer) the fast pattern less a leading '.'
 * (the buffer holds the rest of it, or all of it); through to_lowercase/to_uppercase
 * the fast pattern in any case (the transforms change ASCII letters only). Other
 * transforms give no such pattern (false): the rule is evaluated on every tx. */
bool detect_tx_fp_raw(const DetectAppList *al, const DetectContent *fp, const uint8_t **pat,
                      uint16_t *len, bool *nocase)
{
    const uint8_t *p = fp->pat + fp->fp_off;
    uint16_t n = fp->fp_len;
    bool nc = (fp->flags & DETECT_CONTENT_NOCASE) != 0;
    bool dot = false;
    if (al->absent != DETECT_ABSENT_NONE) {
        return false;
    }
    for (uint8_t i = 0; i < al->n_xform; i++) {
        if (al->xform[i] == DETECT_XF_DOTPREFIX && !dot) {
            dot = true;
        } else if (al->xform[i] == DETECT_XF_TO_LOWER || al->xform[i] == DETECT_XF_TO_UPPER) {
            nc = true;
        } else {
            return false;
        }
    }
    /* the leading '.' of the transformed buffer can only be matched by the first byte of
     * the content, and only when the fast pattern starts the content */
    if (dot && fp->fp_off == 0 && n > 0 && p[0] == '.') {
        p++;
        n--;
    }
    if (n == 0) {
        return false;
    }
    *pat = p;
    *len = n;
    *nocase = nc;
    return true;
}

static int add_fp(DetectEngine *de, const Signature *s, const DetectAppList *al, uint8_t d,
                  AppProto proto)
{
    DetectTxEngine *te = de->tx;
    int row = list_row(al, proto, d);
    if (row < 0 || (uint32_t)row >= te->n_rows) {
        return VG_EINVAL;
    }
    if (te->row_pf[row] == NULL) {
        te->row_pf[row] = detect_prefilter_new(de->mpm_algo);
        if (te->row_pf[row] == NULL) {
            return VG_ENOMEM;
        }
    }
    const uint8_t *pat;
    uint16_t len;
    bool nocase;
    if (!detect_tx_fp_raw(al, s->fp, &pat, &len, &nocase)) {
        return VG_EINVAL;  // add_rule asked first
    }
    if (len > te->row_overlap[row]) {
        te->row_overlap[row] = len;
    }
    return detect_prefilter_add(te->row_pf[row], pat, len, nocase, s->app->tx_idx * 2u + d);
}

static int add_rule(DetectEngine *de, Signature *s)
{
    DetectTxEngine *te = de->tx;
    if (s->alproto >= TX_PROTOS) {
        return 0;  // a protocol without a parser here: never inspected
    }
    s->app->tx_idx = te->n_tx;
    int rc = list_push(&te->tx_sig, &te->n_tx, s->num);
    const DetectAppList *al = fp_list(s);
    const uint8_t *pat;
    uint16_t len;
    bool nocase;
    if (al != NULL && !detect_tx_fp_raw(al, s->fp, &pat, &len, &nocase)) {
        al = NULL;  // prefilters scan untransformed, existing buffers: always evaluated
    }
    bool also = s->app->also_http2 || s->app->also_smb;
    for (int k = 0; k < (also ? 2 : 1); k++) {
        AppProto proto = k == 0 ? s->alproto : s->app->also_smb ? APP_PROTO_SMB : APP_PROTO_HTTP2;
        for (uint8_t d = 0; d < 2 && rc == 0; d++) {
            if (!(s->app->dirs & (1u << d))) {
                continue;
            }
            if (al != NULL) {
                rc = add_fp(de, s, al, d, proto);
            } else {
                rc = list_push(&te->nofp[proto][d], &te->n_nofp[proto][d], s->app->tx_idx);
            }
        }
    }
    return rc;
}

static bool row_is_used(const DetectTxEngine *te, uint32_t r)
{
    const AppBufferDef *def = app_layer_buffer_def((int)r);
    return te->row_pf[r] != NULL && def != NULL && def->proto < TX_PROTOS && def->dir <= 1;
}

/* The rows' prefilters, compiled together (detect_prefilter_compile_many). */
static int compile_rows(DetectTxEngine *te)
{
    DetectPrefilter **pfs = calloc((size_t)te->n_rows + 1, sizeof(*pfs));
    if (pfs == NULL) {
        return VG_ENOMEM;
    }
    uint32_t n = 0;
    for (uint32_t r = 0; r < te->n_rows; r++) {
        if (row_is_used(te, r)) {
            pfs[n++] = te->row_pf[r];
        }
    }
    int rc = detect_prefilter_compile_many(pfs, n);
    free(pfs);
    for (uint32_t r = 0; r < te->n_rows && rc == 0; r++) {
        if (!row_is_used(te, r)) {
            continue;
        }
        const AppBufferDef *def = app_layer_buffer_def((int)r);
        te->row_overlap[r] = te->row_overlap[r] > 0 ? te->row_overlap[r] - 1 : 0;
        rc = list_push(&te->rows[def->proto][def->dir], &te->n_row_list[def->proto][def->dir], r);
    }
    return rc;
}

/* File properties rules look at: hashes (filemd5, ...) and magic. */
static uint32_t files_needed(const DetectEngine *de)
{
    uint32_t need = 0;
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        const Signature *s = de->sigs[i];
        if (!(s->flags & SIG_F_APP_TX)) {
            continue;
        }
        need |= s->lists[DETECT_LIST_FILE_MAGIC].n > 0 ? APP_FILE_F_MAGIC : 0;
        const DetectMatchList *l = &s->app->file_ml;
        for (uint16_t k = 0; k < l->n; k++) {
            const char *n = l->m[k].kw->name;
            need |= strcmp(n, "filemd5") == 0 ? APP_FILE_F_MD5 : 0;
            need |= strcmp(n, "filesha1") == 0 ? APP_FILE_F_SHA1 : 0;
            need |= strcmp(n, "filesha256") == 0 ? APP_FILE_F_SHA256 : 0;
        }
        need |= (s->flags & SIG_F_FILESTORE) ? APP_FILE_F_STORE : 0;
    }
    return need;
}

/* Tell the app layer the buffers rules inspect (parsers computing some on demand). */
static void buffers_needed(const DetectEngine *de)
{
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        const Signature *s = de->sigs[i];
        if (!(s->flags & SIG_F_APP_TX) || s->app == NULL) {
            continue;
        }
        for (uint16_t k = 0; k < s->app->n_lists; k++) {
            for (uint8_t d = 0; d < 2; d++) {
                app_layer_buffer_need(s->app->lists[k].row[d]);
                app_layer_buffer_need(s->app->lists[k].row_h2[d]);
            }
        }
    }
}

int detect_tx_build(DetectEngine *de)
{
    static _Atomic uint64_t next_gen = 1;  // engines are built one at a time, any thread
    de->build_gen = atomic_fetch_add(&next_gen, 1);
    bool has_rules[TX_PROTOS] = { false };
    de->tx = calloc(1, sizeof(DetectTxEngine));
    if (de->tx == NULL) {
        return VG_ENOMEM;
    }
    DetectTxEngine *te = de->tx;
    te->n_rows = app_layer_buffer_count();
    te->row_pf = calloc(te->n_rows + 1, sizeof(DetectPrefilter *));
    te->row_overlap = calloc(te->n_rows + 1, sizeof(uint32_t));
    int rc = te->row_pf != NULL && te->row_overlap != NULL ? 0 : VG_ENOMEM;
    for (uint32_t i = 0; i < de->n_sigs && rc == 0; i++) {
        Signature *s = de->sigs[i];
        if ((s->flags & SIG_F_APP_TX) && !(s->flags & SIG_F_FRAME)) {
            rc = add_rule(de, s);
            has_rules[s->alproto < TX_PROTOS ? s->alproto : 0] = true;
            has_rules[APP_PROTO_HTTP2] |= s->app->also_http2;
            has_rules[APP_PROTO_SMB] |= s->app->also_smb;
            /* DNS over HTTP/2 messages are inspected through their HTTP/2 txs, which
             * must then wait for inspection before being freed */
            has_rules[APP_PROTO_HTTP2] |= s->alproto == APP_PROTO_DNS;
        }
        if (s->flags & SIG_F_PD_ONLY) {
            de->has_app_pkt_rules = true;
        }
        if (s->alproto != 0 && !(s->flags & SIG_F_APP_TX) &&
            (s->protos[17 / 8] & (1u << (17 % 8)))) {
            de->guess_tx |= DETECT_GUESS_F_UDP;   // its UDP alerts log the tx (detect-flowstate.c)
        }
        for (uint16_t k = 0; k < s->lists[DETECT_LIST_MATCH].n; k++) {
            if (strcmp(s->lists[DETECT_LIST_MATCH].m[k].kw->name, "app-layer-event") == 0) {
                de->has_app_pkt_rules = true;
            }
        }
    }
    if (rc == 0) {
        rc = compile_rows(te);
    }
    if (rc != 0) {
        detect_tx_engine_free(de);
        return rc;
    }
    app_layer_set_detect_state_free(detect_tx_state_free);
    app_layer_files_need(files_needed(de));
    buffers_needed(de);
    for (AppProto p = 1; p < TX_PROTOS; p++) {
        app_layer_set_proto_inspected(p, has_rules[p]);
    }
    return 0;
}

/* ---- per thread --------------------------------------------------------- */

int detect_tx_thread_init(DetectThread *dt)
{
    const DetectTxEngine *te = dt->de->tx;
    if (te == NULL) {
        return 0;
    }
    DetectTxThread *tt = calloc(1, sizeof(*tt));
    if (tt == NULL) {
        return VG_ENOMEM;
    }
    dt->tx = tt;
    tt->eval = malloc((te->n_tx * 2 + 1) * sizeof(uint32_t));
    tt->hits = malloc((te->n_tx * 2 + 1) * sizeof(uint32_t));
    if (tt->eval == NULL || tt->hits == NULL) {
        return VG_ENOMEM;
    }
    for (uint32_t r = 0; r < te->n_rows; r++) {
        if (te->row_pf[r] != NULL && detect_prefilter_prepare(dt->pf_scratch, te->row_pf[r]) != 0) {
            return VG_ENOMEM;
        }
    }
    return 0;
}

void detect_tx_thread_free(DetectThread *dt)
{
    if (dt->tx != NULL) {
        free(dt->tx->eval);
        free(dt->tx->hits);
        free(dt->tx->xbuf[0]);
        free(dt->tx->xbuf[1]);
        free(dt->tx);
        dt->tx = NULL;
    }
}

/* ---- tx state ----------------------------------------------------------- */

void detect_tx_state_free(void *state)
{
    DetectTxState *st = state;
    if (st != NULL) {
        free(st->done);
        free(st->cand);
        free(st->scanned_len);
        free(st->scanned_final);
        free(st->xbits);
        free(st->fw_matched);
        free(st);
    }
}

/* The tx's state for this rule set (a state made by another set is reset). */
static DetectTxState *tx_state(const DetectEngine *de, AppTx *tx)
{
    DetectTxState *st = tx->detect_state;
    if (st != NULL && st->gen == de->build_gen) {
        return st;
    }
    detect_tx_state_free(st);
    tx->detect_state = NULL;
    const DetectTxEngine *te = de->tx;
    st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return NULL;
    }
    st->gen = de->build_gen;
    st->done = calloc(te->n_tx / 4 + 1, 1);
    st->scanned_len = calloc(te->n_rows + 1, sizeof(uint32_t));
    st->scanned_final = calloc(te->n_rows + 1, 1);
    if (st->done == NULL || st->scanned_len == NULL || st->scanned_final == NULL) {
        detect_tx_state_free(st);
        return NULL;
    }
    tx->detect_state = st;
    return st;
}

static bool is_done(const DetectTxState *st, uint32_t key)
{
    return (st->done[key / 8] & (1u << (key % 8))) != 0;
}

static void set_done(DetectTxState *st, uint32_t key)
{
    st->done[key / 8] |= (uint8_t)(1u << (key % 8));
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a;
    uint32_t y = *(const uint32_t *)b;
    return x < y ? -1 : (x > y);
}

/* Adds the thread's hits to the tx's candidates (sorted, unique). */
static void cand_merge(DetectTxState *st, DetectTxThread *tt)
{
    if (tt->n_hits == 0) {
        return;
    }
    uint32_t need = st->n_cand + tt->n_hits;
    if (need > st->cap_cand) {
        uint32_t cap = need * 2;
        uint32_t *c = realloc(st->cand, cap * sizeof(uint32_t));
        if (c == NULL) {
            return;  // the candidates of this scan are lost: counted as no match
        }
        st->cand = c;
        st->cap_cand = cap;
    }
    memcpy(st->cand + st->n_cand, tt->hits, tt->n_hits * sizeof(uint32_t));
    st->n_cand = need;
    qsort(st->cand, st->n_cand, sizeof(uint32_t), cmp_u32);
    uint32_t w = 0;
    for (uint32_t i = 0; i < st->n_cand; i++) {
        if (w == 0 || st->cand[w - 1] != st->cand[i]) {
            st->cand[w++] = st->cand[i];
        }
    }
    st->n_cand = w;
    tt->n_hits = 0;
}

/* ---- readiness of buffers ----------------------------------------------- */

static bool dir_complete(const Flow *f, const AppTx *tx, uint8_t dir)
{
    uint32_t forced = dir == APP_DIR_TOSERVER ? APP_TX_F_FORCE_DONE_TS : APP_TX_F_FORCE_DONE_TC;
    return (tx->flags & forced) || app_layer_tx_complete(f, tx, dir);
}

/* Whether def can be read now, and whether what is read is final. */
static bool buffer_ready(const Flow *f, const AppTx *tx, const AppBufferDef *def, bool *is_final)
{
    bool complete = dir_complete(f, tx, def->dir);
    *is_final = complete || !def->is_growing;
    return complete || tx->progress[def->dir] >= def->progress;
}

/* ---- prefilter ---------------------------------------------------------- */

typedef struct HitCtx {
    DetectTxThread *tt;
    const DetectTxState *st;
} HitCtx;

static void on_hit(uint32_t key, void *user)
{
    HitCtx *h = user;
    if (!is_done(h->st, key)) {
        h->tt->hits[h->tt->n_hits++] = key;
    }
}

static void hits_merge(void *user)
{
    HitCtx *h = user;
    cand_merge((DetectTxState *)h->st, h->tt);
}

static void prefilter_rows(DetectThread *dt, const Flow *f, const AppTx *tx, AppProto proto,
                           uint8_t dir, DetectTxState *st)
{
    const DetectTxEngine *te = dt->de->tx;
    DetectTxThread *tt = dt->tx;
    HitCtx h = { tt, st };
    for (uint32_t i = 0; i < te->n_row_list[proto][dir]; i++) {
        uint32_t row = te->rows[proto][dir][i];
        const AppBufferDef *def = app_layer_buffer_def((int)row);
        bool is_final;
        if (st->scanned_final[row] || def == NULL || !buffer_ready(f, tx, def, &is_final)) {
            continue;
        }
        if (def->get_multi != NULL) {
            detect_app_buffer_scan(te->row_pf[row], dt->pf_scratch, def, f, tx, on_hit,
                                   hits_merge, &h);
            st->scanned_final[row] = is_final;
            continue;
        }
        const uint8_t *data = NULL;
        uint32_t len = 0;
        if (!def->get(f, tx, &data, &len)) {
            st->scanned_final[row] = is_final;
            continue;
        }
        uint32_t from = st->scanned_len[row];
        if (def->is_windowed) {
            /* a window holds its own overlap and its start moves: scan it whole */
            from = 0;
            st->scanned_len[row] = 0;
        }
        if (len > from || (from == 0 && len > 0)) {
            from = from > te->row_overlap[row] ? from - te->row_overlap[row] : 0;
            if (from > len) {
                from = 0;  // the buffer was replaced by a shorter one: scan it all
            }
            detect_prefilter_scan(te->row_pf[row], dt->pf_scratch, data + from, len - from,
                                  on_hit, &h);
            st->scanned_len[row] = def->is_windowed ? 0 : len;
        }
        st->scanned_final[row] = is_final;
        cand_merge(st, tt);
    }
}

/* ---- evaluation --------------------------------------------------------- */

/* sv: p as the data of dir (tuple and direction flags turned when p flows the
 * other way, as stream views are). */
static bool orient(const Packet *p, uint8_t dir, Packet *sv)
{
    bool want_ts = dir == APP_DIR_TOSERVER;
    bool reversed = want_ts != ((p->flags & PKT_F_TOSERVER) != 0);
    *sv = *p;
    if (reversed) {
        sv->src = p->dst;
        sv->dst = p->src;
        sv->sp = p->dp;
        sv->dp = p->sp;
        sv->flags &= ~(uint32_t)(PKT_F_TOSERVER | PKT_F_TOCLIENT);
        sv->flags |= want_ts ? PKT_F_TOSERVER : PKT_F_TOCLIENT;
    }
    if (p->flow != NULL && ((const Flow *)p->flow)->state >= FLOW_STATE_ESTABLISHED) {
        sv->flow_state = FLOW_STATE_ESTABLISHED;
    }
    return reversed;
}

static int eval_lists(DetectThread *dt, const Signature *s, const Flow *f, const AppTx *tx,
                      uint8_t dir, AppProto proto)
{
    int res = EVAL_MATCH;
    for (uint16_t i = 0; i < s->app->n_lists; i++) {
        const DetectAppList *al = &s->app->lists[i];
        int row = list_row(al, proto, dir);
        const AppBufferDef *def = app_layer_buffer_def(row);
        bool is_final;
        if (def == NULL) {
            return EVAL_FAIL;
        }
        /* a firewall rule inspects its buffers at its hook, as far as they are there */
        if (!buffer_ready(f, tx, def, &is_final) && !dt->fw_in_app) {
            res = EVAL_WAIT;
            continue;
        }
        const uint8_t *data = NULL;
        uint32_t len = 0;
        bool exists = def->get(f, tx, &data, &len);  // a multi-buffer's first instance
        if (!exists && al->absent != DETECT_ABSENT_NONE) {
            if (!is_final) {
                res = EVAL_WAIT;  // may still appear
            }
            continue;
        }
        bool ok = exists && al->absent != DETECT_ABSENT_ONLY &&
                  (def->get_multi == NULL
                       ? detect_app_data_inspect(dt, s, al, data, len, dt->tx->xbuf, dt->tx->xcap)
                       : detect_app_buffer_inspect(dt, s, al, def, f, tx, dt->tx->xbuf,
                                                   dt->tx->xcap));
        if (dt->recursion_hit) {
            counters_incr(dt->counters, dt->c_recursion);
        }
        if (!ok && is_final) {
            return EVAL_FAIL;
        }
        if (!ok) {
            res = EVAL_WAIT;
        }
    }
    return res;
}

static int eval_tx_keywords(DetectThread *dt, const Signature *s, const Flow *f, const AppTx *tx,
                            uint8_t dir)
{
    const DetectMatchList *l = &s->app->tx_ml;
    for (uint16_t i = 0; i < l->n; i++) {
        if (!l->m[i].kw->tx_match(dt, f, tx, dir, l->m[i].ctx)) {
            return dir_complete(f, tx, dir) ? EVAL_FAIL : EVAL_WAIT;
        }
    }
    return EVAL_MATCH;
}

/* One file against the rule's name/magic lists and file keywords. *is_final:
 * the answer can't change any more. */
static bool file_matches(DetectThread *dt, const Signature *s, const AppFile *file,
                         bool *is_final)
{
    bool closed = file->state != APP_FILE_OPEN;
    *is_final = closed;
    if (s->lists[DETECT_LIST_FILE_NAME].n > 0) {
        *is_final = true;  // the name is known when the file starts
        if (file->name == NULL ||
            !detect_inspect_payload(dt, s, DETECT_LIST_FILE_NAME, file->name, file->name_len)) {
            return false;
        }
        *is_final = closed;
    }
    if (s->lists[DETECT_LIST_FILE_MAGIC].n > 0) {
        const char *m = (file->flags & APP_FILE_F_MAGIC) ? file->magic : NULL;
        if (m == NULL || !detect_inspect_payload(dt, s, DETECT_LIST_FILE_MAGIC,
                                                 (const uint8_t *)m, (uint32_t)strlen(m))) {
            *is_final = closed || m != NULL;
            return false;
        }
    }
    const DetectMatchList *l = &s->app->file_ml;
    for (uint16_t i = 0; i < l->n; i++) {
        bool fin = true;
        if (!l->m[i].kw->file_match(dt, file, l->m[i].ctx, &fin)) {
            *is_final = fin;
            return false;
        }
    }
    return true;
}

/* filestore counts as a file check, as Suricata's (a file-list match that takes any
 * file): a rule with it matches a tx only through one of its files. */
static bool has_file_checks(const Signature *s)
{
    return s->app->file_ml.n > 0 || s->lists[DETECT_LIST_FILE_NAME].n > 0 ||
           s->lists[DETECT_LIST_FILE_MAGIC].n > 0 || (s->flags & SIG_F_FILESTORE);
}

/* File checks: all of them on one file of the tx in the rule's directions. */
static int eval_files(DetectThread *dt, const Signature *s, const Flow *f, const AppTx *tx,
                      uint8_t dir)
{
    if (!has_file_checks(s)) {
        return EVAL_MATCH;
    }
    bool all_final = true;
    for (uint8_t fd = 0; fd < 2; fd++) {
        if (!(s->app->file_dirs & (1u << fd)) || (fd != dir && !s->app->is_mixed)) {
            continue;
        }
        const AppFile *file;
        for (uint32_t k = 0; (file = app_layer_tx_file_at(f, tx, fd, k)) != NULL; k++) {
            bool is_final = true;
            if (file_matches(dt, s, file, &is_final)) {
                return EVAL_MATCH;
            }
            all_final = all_final && is_final;
        }
        all_final = all_final && dir_complete(f, tx, fd);
    }
    return all_final ? EVAL_FAIL : EVAL_WAIT;
}

/* The stream view this packet carries of the tx's direction, then its own payload. */
static bool tx_payload_match_packet(DetectThread *dt, const Signature *s, const Packet *sv,
                                    uint8_t dir)
{
    bool view_ts = (sv->stream_flags & PKT_STREAM_TOSERVER) != 0;
    if (sv->stream_data != NULL && sv->stream_data_len > 0 && sv->l4 == PKT_L4_TCP &&
        view_ts == (dir == APP_DIR_TOSERVER)) {
        uint32_t ov = stream_data_overlap(sv);
        if (ov < sv->stream_data_len) {
            dt->min_match_end = ov > 0 ? ov + 1 : 0;
            dt->anchor_base = ov;
            bool ok = detect_inspect_payload(dt, s, DETECT_LIST_PMATCH, sv->stream_data,
                                             sv->stream_data_len);
            dt->min_match_end = 0;
            dt->anchor_base = 0;
            if (ok) {
                return true;
            }
        }
    }
    return sv->payload_len > 0 &&
           detect_inspect_payload(dt, s, DETECT_LIST_PMATCH, sv->payload, sv->payload_len);
}

/* Payload keywords of a tx rule, as Suricata checks a rule's packet part
 * before its tx part: the stream view this packet carries of the tx's
 * direction (the reassembled data, its new part), then the packet's own
 * payload, then the tx direction's stream window (Suricata's stream engine
 * among a tx rule's engines: the raw data up to what the app layer parsed,
 * a chunk back: a content of the response's first segment still matches
 * when file_data is decided with its last). The request of a tx is parsed
 * once its data is acknowledged, so the packet that inspects it usually
 * carries that data as its view only. */
static bool tx_payload_match(DetectThread *dt, const Signature *s, const Flow *f,
                             const Packet *sv, uint8_t dir)
{
    if (tx_payload_match_packet(dt, s, sv, dir)) {
        return true;
    }
    const uint8_t *win;
    uint32_t win_len;
    return f != NULL && stream_flow_window(f, dir, &win, &win_len) &&
           detect_inspect_payload(dt, s, DETECT_LIST_PMATCH, win, win_len);
}

static int eval_rule(DetectThread *dt, const Signature *s, const Flow *f, const AppTx *tx,
                     uint8_t dir, Packet *sv, AppProto proto)
{
    bool proto_ok = s->alproto == proto || (proto == APP_PROTO_HTTP2 && s->app->also_http2) ||
                    (proto == APP_PROTO_SMB && s->app->also_smb);
    if (!proto_ok) {
        return EVAL_FAIL;
    }
    /* A '=>' header names the client first, whichever side is being inspected. */
    const Packet *hp = sv;
    if ((s->flags & SIG_F_TXBOTHDIR) && dir != APP_DIR_TOSERVER) {
        orient(sv, APP_DIR_TOSERVER, &dt->tx->hv);
        hp = &dt->tx->hv;
    }
    if (!detect_sig_header_ok(s, hp)) {
        return EVAL_FAIL;
    }
    if (!detect_sig_match_list_ok(dt, sv, s)) {
        return dir_complete(f, tx, dir) ? EVAL_FAIL : EVAL_WAIT;
    }
    for (int li = DETECT_LIST_IP_SRC; li <= DETECT_LIST_IP_DST; li++) {
        const uint8_t *buf;
        uint32_t len;
        if (s->lists[li].n > 0 && (!detect_buffer_get(hp, li, &buf, &len) ||
                                   !detect_inspect_payload(dt, s, li, buf, len))) {
            return EVAL_FAIL;    // the addresses do not change with the tx
        }
    }
    int r = eval_lists(dt, s, f, tx, dir, proto);
    if (r == EVAL_FAIL) {
        return r;
    }
    int t = eval_tx_keywords(dt, s, f, tx, dir);
    if (t != EVAL_MATCH) {
        return t == EVAL_FAIL ? EVAL_FAIL : EVAL_WAIT;
    }
    int fl = eval_files(dt, s, f, tx, dir);
    if (fl != EVAL_MATCH) {
        return fl == EVAL_FAIL && r == EVAL_MATCH ? EVAL_FAIL : EVAL_WAIT;
    }
    if (r == EVAL_MATCH && s->lists[DETECT_LIST_PMATCH].n > 0) {
        r = tx_payload_match(dt, s, f, sv, dir) ? EVAL_MATCH : EVAL_WAIT;
    }
    return r;
}

/* The keys to evaluate for (proto, dir): candidates of dir merged with the
 * rules without fast pattern, ascending (rule order). */
static uint32_t collect_eval(const DetectTxEngine *te, const DetectTxState *st,
                             DetectTxThread *tt, AppProto proto, uint8_t dir)
{
    uint32_t n = 0;
    uint32_t i = 0;
    uint32_t j = 0;
    const uint32_t *nofp = te->nofp[proto][dir];
    uint32_t n_nofp = te->n_nofp[proto][dir];
    while (i < st->n_cand || j < n_nofp) {
        uint32_t a = UINT32_MAX;
        while (i < st->n_cand && (st->cand[i] & 1u) != dir) {
            i++;
        }
        if (i < st->n_cand) {
            a = st->cand[i];
        }
        uint32_t b = j < n_nofp ? nofp[j] * 2u + dir : UINT32_MAX;
        if (a == UINT32_MAX && b == UINT32_MAX) {
            break;
        }
        uint32_t k = a < b ? a : b;
        i += a == k;
        j += b == k;
        if (!is_done(st, k)) {
            tt->eval[n++] = k;
        }
    }
    return n;
}

static void cand_compact(DetectTxState *st)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < st->n_cand; i++) {
        if (!is_done(st, st->cand[i])) {
            st->cand[w++] = st->cand[i];
        }
    }
    st->n_cand = w;
}

typedef struct TxPass {
    Packet *p;
    PacketAlerts *pa;
    const Flow *f;
    AppTx *tx;
    AppProto proto;
    uint8_t dir;
} TxPass;

static bool alert_tx(DetectThread *dt, const TxPass *tp, const Signature *s)
{
    Packet *sv = &dt->tx->sv;
    bool reversed = orient(tp->p, tp->dir, sv);
    dt->alert_flags = (uint8_t)(PACKET_ALERT_F_TX | (reversed ? PACKET_ALERT_F_REVERSED : 0));
    dt->alert_tx_id = tp->tx->id;
    bool stop = detect_on_match(dt, sv, tp->pa, s);
    if (s->flags & SIG_F_TLS_STORE) {
        /* the chain of the side inspected, else the other side's */
        if (!tls_tx_store(tp->f, tp->tx, tp->dir, tp->p->ts_sec, tp->p->ts_usec)) {
            (void)tls_tx_store(tp->f, tp->tx, tp->dir ^ 1u, tp->p->ts_sec, tp->p->ts_usec);
        }
    }
    if (s->flags & SIG_F_FILESTORE) {
        for (uint8_t d = 0; d < 2; d++) {
            if (s->app->file_dirs & (1u << d)) {
                app_layer_file_request_store_by((Flow *)tp->f, tp->tx, d, NULL, s->sid);
            }
        }
    }
    dt->alert_flags = 0;
    dt->alert_tx_id = 0;
    tp->p->flags |= sv->flags & (PKT_F_DROP | PKT_F_DROP_FLOW | PKT_F_ALERTED);
    if (tp->p->drop_reason == PKT_DROP_NONE) {
        tp->p->drop_reason = sv->drop_reason;
    }
    return stop;
}

/* The candidates of a pass are rules far apart in memory (~25,000 with all of ET Open),
 * and eval_rule stalled on its first reads of each (its header fields, then its app
 * lists): the lines eval_rule reads first are asked for two candidates ahead, the app
 * part (behind a pointer of the rule) one ahead. Hints only: nothing changes but time. */
static void prefetch_sig(const Signature *s)
{
    const char *b = (const char *)s;
    for (size_t off = 0; off < sizeof(*s); off += 64) {
        __builtin_prefetch(b + off);
    }
}

static void prefetch_app(const Signature *s)
{
    __builtin_prefetch(s->app);   // (s itself was asked for the candidate before)
}

static bool inspect_tx_dir(DetectThread *dt, const TxPass *tp)
{
    const DetectEngine *de = dt->de;
    const DetectTxEngine *te = de->tx;
    DetectTxState *st = tx_state(de, tp->tx);
    if (st == NULL) {
        return false;
    }
    uint64_t t_pf = prof_enabled ? prof_ticks() : 0;
    prefilter_rows(dt, tp->f, tp->tx, tp->proto, tp->dir, st);
    if (prof_enabled) {
        prof_sub_end(PROF_SUB_TX_PREFILTER, "detect.tx-prefilter", t_pf);
    }
    uint32_t n = collect_eval(te, st, dt->tx, tp->proto, tp->dir);
    counters_add(dt->counters, dt->c_inspected, n);
    bool stop = false;
    dt->cur_tx = tp->tx;
    /* The view is made once per pass (608 bytes copied per candidate was ~2% of the CPU
     * with all of ET Open): rule checks only read it (keyword match functions write no
     * packet field); an alert writes its verdict into it, so it is made again after. */
    bool sv_fresh = false;
    for (uint32_t i = 0; i < n && !stop; i++) {
        uint32_t key = dt->tx->eval[i];
        const Signature *s = de->sigs[te->tx_sig[key / 2]];
        if (i + 2 < n) {
            prefetch_sig(de->sigs[te->tx_sig[dt->tx->eval[i + 2] / 2]]);
        }
        if (i + 1 < n) {
            prefetch_app(de->sigs[te->tx_sig[dt->tx->eval[i + 1] / 2]]);
        }
        if (!sv_fresh) {
            orient(tp->p, tp->dir, &dt->tx->sv);
            sv_fresh = true;
        }
        uint64_t t0 = prof_rules_enabled ? prof_ticks() : 0;
        int r = eval_rule(dt, s, tp->f, tp->tx, tp->dir, &dt->tx->sv, tp->proto);
        if (prof_rules_enabled) {
            detect_prof_rule(dt, s, t0, r == EVAL_MATCH);
        }
        if (r == EVAL_WAIT) {
            continue;
        }
        set_done(st, key);
        if (r == EVAL_MATCH) {
            if (!s->app->is_per_dir) {
                set_done(st, key ^ 1u);  // once per tx, whichever side matched
            }
            stop = alert_tx(dt, tp, s);
            sv_fresh = false;
        }
    }
    dt->cur_tx = NULL;
    cand_compact(st);
    return stop;
}

static bool has_rules_for(const DetectTxEngine *te, AppProto proto, uint8_t dir)
{
    return te->n_row_list[proto][dir] > 0 || te->n_nofp[proto][dir] > 0 ||
           te->n_row_list[proto][dir ^ 1] > 0;  // mixed rules keep candidates from the other side
}

/* Whether direction d of tx is to be inspected on this packet. As in Suricata,
 * a direction's transactions are inspected on packets of that direction: data
 * parsed on a packet of the other direction (IDS mode: the acknowledgement) waits
 * for the next one, or for the flow end. */
static bool due(const DetectEngine *de, AppTx *tx, AppProto proto, uint8_t d, uint8_t pdir,
                bool is_flow_end)
{
    uint32_t upd = d == APP_DIR_TOSERVER ? APP_TX_F_UPDATED_TS : APP_TX_F_UPDATED_TC;
    uint32_t done = d == APP_DIR_TOSERVER ? APP_TX_F_INSPECTED_TS : APP_TX_F_INSPECTED_TC;
    if ((tx->flags & done) || !has_rules_for(de->tx, proto, d)) {
        return false;
    }
    DetectTxState *st = tx->detect_state;
    bool pending = st != NULL && st->gen == de->build_gen && (st->pending & (1u << d));
    if (is_flow_end) {
        return true;
    }
    if (d != pdir) {
        if ((tx->flags & upd) && (st = tx_state(de, tx)) != NULL) {
            st->pending |= (uint8_t)(1u << d);
        }
        return false;
    }
    return (tx->flags & upd) || pending;
}

static uint32_t inspected_flag(uint8_t d)
{
    return d == APP_DIR_TOSERVER ? APP_TX_F_INSPECTED_TS : APP_TX_F_INSPECTED_TC;
}

/* Both directions of tx (of protocol proto) that are due; true when a rule asked to
 * stop (drop). hold[d]: a tx carried inside tx is not inspected yet in d, so tx must
 * not be marked inspected (freed) in d. */
static bool inspect_tx(DetectThread *dt, Packet *p, PacketAlerts *pa, const Flow *f, AppTx *tx,
                       AppProto proto, uint8_t pdir, bool is_flow_end, const bool hold[2])
{
    for (uint8_t d = 0; d < 2 && proto < TX_PROTOS; d++) {
        if (hold[d]) {
            continue;   // waits for its carried txs
        }
        if (!has_rules_for(dt->de->tx, proto, d)) {
            if (dir_complete(f, tx, d) || is_flow_end) {
                tx->flags |= inspected_flag(d);   // nothing to inspect in d
            }
            continue;
        }
        if (!due(dt->de, tx, proto, d, pdir, is_flow_end)) {
            continue;
        }
        DetectTxState *st = tx->detect_state;
        if (st != NULL) {
            st->pending &= (uint8_t)~(1u << d);
        }
        TxPass tp = { p, pa, f, tx, proto, d };
        if (inspect_tx_dir(dt, &tp)) {
            return true;
        }
        if (dir_complete(f, tx, d) || is_flow_end) {
            tx->flags |= d == APP_DIR_TOSERVER ? APP_TX_F_INSPECTED_TS : APP_TX_F_INSPECTED_TC;
        }
    }
    return false;
}

bool detect_tx_inspect(DetectThread *dt, Packet *p, PacketAlerts *pa, bool is_flow_end)
{
    const DetectTxEngine *te = dt->de->tx;
    Flow *f = p->flow;
    if (te == NULL || te->n_tx == 0 || f == NULL || dt->tx == NULL) {
        return false;
    }
    AppProto fp = app_layer_flow_proto(f);
    if (fp == APP_PROTO_UNKNOWN || fp == APP_PROTO_FAILED) {
        return false;
    }
    uint8_t pdir = (p->flags & PKT_F_TOCLIENT) ? APP_DIR_TOCLIENT : APP_DIR_TOSERVER;
    uint32_t n = app_layer_tx_count(f);
    for (uint32_t i = 0; i < n; i++) {
        AppTx *tx = app_layer_tx_at(f, i);
        if (tx == NULL) {
            break;
        }
        /* txs carried inside this one (DNS over HTTP/2 messages), as their own protocol;
         * the carrier is not done in a direction before they are */
        bool hold[2] = { false, false };
        static const bool none[2] = { false, false };
        for (uint32_t k = 0; k < APP_TX_SUB_MAX; k++) {
            AppTx *sub = app_layer_tx_sub(f, tx, k);
            if (sub != NULL && inspect_tx(dt, p, pa, f, sub, sub->proto, pdir, is_flow_end, none)) {
                return true;
            }
            for (uint8_t d = 0; sub != NULL && d < 2; d++) {
                hold[d] |= has_rules_for(dt->de->tx, sub->proto, d) &&
                           !(sub->flags & inspected_flag(d));
            }
        }
        if (inspect_tx(dt, p, pa, f, tx, app_layer_tx_proto(f, tx), pdir, is_flow_end, hold)) {
            return true;
        }
    }
    return false;
}

bool detect_tx_fw_match(DetectThread *dt, const Signature *s, Packet *p, const Flow *f,
                        const AppTx *tx, uint8_t dir, uint16_t proto)
{
    if (dt->tx == NULL) {
        return false;
    }
    orient(p, dir, &dt->tx->sv);
    return eval_rule(dt, s, f, tx, dir, &dt->tx->sv, proto) == EVAL_MATCH;
}

uint8_t *detect_tx_fw_next(const DetectEngine *de, AppTx *tx)
{
    DetectTxState *st = tx_state(de, tx);
    return st != NULL ? st->fw : NULL;
}

static bool bit_isset(const uint8_t *bits, uint32_t n_bytes, uint32_t idx)
{
    return idx / 8 < n_bytes && (bits[idx / 8] & (1u << (idx % 8)));
}

/* Sets or clears bit idx of a bitmap that grows on demand. */
static int bit_put(uint8_t **bits, uint32_t *n_bytes, uint32_t idx, bool on)
{
    if (idx / 8 >= *n_bytes) {
        if (!on) {
            return 0;
        }
        uint32_t n = idx / 8 + 1;
        uint8_t *b = realloc(*bits, n);
        if (b == NULL) {
            return VG_ENOMEM;
        }
        memset(b + *n_bytes, 0, n - *n_bytes);
        *bits = b;
        *n_bytes = n;
    }
    if (on) {
        (*bits)[idx / 8] |= (uint8_t)(1u << (idx % 8));
    } else {
        (*bits)[idx / 8] &= (uint8_t)~(1u << (idx % 8));
    }
    return 0;
}

bool detect_tx_xbit_isset(const DetectEngine *de, AppTx *tx, uint32_t idx)
{
    const DetectTxState *st = tx_state(de, tx);
    return st != NULL && bit_isset(st->xbits, st->n_xbits, idx);
}

int detect_tx_xbit_set(const DetectEngine *de, AppTx *tx, uint32_t idx, bool on)
{
    DetectTxState *st = tx_state(de, tx);
    return st != NULL ? bit_put(&st->xbits, &st->n_xbits, idx, on) : VG_ENOMEM;
}

bool detect_tx_fw_matched(const DetectEngine *de, AppTx *tx, uint32_t fw_idx)
{
    const DetectTxState *st = tx_state(de, tx);
    return st != NULL && bit_isset(st->fw_matched, st->n_fw_matched, fw_idx);
}

void detect_tx_fw_set_matched(const DetectEngine *de, AppTx *tx, uint32_t fw_idx)
{
    DetectTxState *st = tx_state(de, tx);
    if (st != NULL) {
        (void)bit_put(&st->fw_matched, &st->n_fw_matched, fw_idx, true);
    }
}

void detect_tx_flow_passed(Flow *f)
{
    if (app_layer_flow_proto(f) == APP_PROTO_UNKNOWN) {
        return;
    }
    uint32_t n = app_layer_tx_count(f);
    for (uint32_t i = 0; i < n; i++) {
        AppTx *tx = app_layer_tx_at(f, i);
        if (tx != NULL) {
            tx->flags |= APP_TX_F_INSPECTED_TS | APP_TX_F_INSPECTED_TC;
        }
    }
}
