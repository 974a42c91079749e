/* App-layer side of rule parsing: the header's application protocol, the
 * buffer lists of app-layer buffers (sticky buffers and legacy content
 * modifiers), and what a rule needs to be inspected per transaction.
 *
 * Buffer lists are made from the app-layer buffer registry, not from an enum:
 * every distinct registered buffer name gets a list number
 * (DETECT_LIST_APP_FIRST + index) the first time the table is read, and is a
 * sticky buffer keyword of that name. A name may have one registry row per
 * protocol and direction (http.header exists for requests and responses); a
 * rule resolves its lists to rows once its protocol is known (detect_app_finish).
 *
 * The table is built on the start-up thread (first rule parsed) and read-only
 * afterwards. */

#include <pthread.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "detect/detect-asn1.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

#define APP_BUF_NAMES_MAX 1024

static const char *buf_names[APP_BUF_NAMES_MAX];
static uint32_t n_buf_names;
static uint32_t n_rows_seen;        // registry size the table was built from
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

/* (Re)reads the registry when it grew: start-up only (app_layer_init runs
 * before rules are loaded), so later readers see a fixed table. */
static void table_refresh(void)
{
    uint32_t n = app_layer_buffer_count();
    if (n == n_rows_seen) {
        return;
    }
    pthread_mutex_lock(&table_lock);
    for (uint32_t id = n_rows_seen; id < n; id++) {
        const AppBufferDef *d = app_layer_buffer_def((int)id);
        if (d == NULL || d->name == NULL) {
            continue;
        }
        bool known = false;
        for (uint32_t i = 0; i < n_buf_names && !known; i++) {
            known = strcmp(buf_names[i], d->name) == 0;
        }
        if (!known && n_buf_names < APP_BUF_NAMES_MAX) {
            buf_names[n_buf_names++] = d->name;
        }
    }
    n_rows_seen = n;
    pthread_mutex_unlock(&table_lock);
}

uint32_t detect_app_buf_count(void)
{
    table_refresh();
    return n_buf_names;
}

const char *detect_app_buf_name(uint32_t idx)
{
    return idx < n_buf_names ? buf_names[idx] : NULL;
}

int detect_app_buf_find(const char *name)
{
    table_refresh();
    for (uint32_t i = 0; i < n_buf_names; i++) {
        if (strcmp(buf_names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

const char *detect_list_name(int list)
{
    static const char *const fixed[] = { "match",      "payload",    "post",
                                         "ipv4.hdr",   "ipv6.hdr",   "tcp.hdr",
                                         "udp.hdr",    "icmpv4.hdr", "icmpv6.hdr",
                                         "ip.src",     "ip.dst",
                                         "file.name",  "file.magic", "base64_data" };
    _Static_assert(sizeof(fixed) / sizeof(fixed[0]) == DETECT_LIST_MAX, "list names");
    if (list >= 0 && list < DETECT_LIST_MAX) {
        return fixed[list];
    }
    const char *n = detect_app_buf_name((uint32_t)(list - DETECT_LIST_APP_FIRST) %
                                        DETECT_APP_VARIANT_STRIDE);
    return n != NULL ? n : "?";
}

/* ---- lists of a signature ----------------------------------------------- */

DetectAppList *detect_sig_app_list(const Signature *s, int list)
{
    for (uint16_t i = 0; s->app != NULL && i < s->app->n_lists; i++) {
        if (s->app->lists[i].list == list) {
            return &s->app->lists[i];
        }
    }
    return NULL;
}

DetectMatchList *detect_sig_list(const Signature *s, int list)
{
    if (list < DETECT_LIST_MAX) {
        return (DetectMatchList *)&s->lists[list];
    }
    if (s->app == NULL) {
        return NULL;
    }
    for (uint16_t i = 0; i < s->app->n_lists; i++) {
        if (s->app->lists[i].list == list) {
            return &s->app->lists[i].ml;
        }
    }
    return NULL;
}

static DetectSigApp *app_of(DetectParser *dp)
{
    if (dp->s->app == NULL) {
        dp->s->app = calloc(1, sizeof(DetectSigApp));
    }
    return dp->s->app;
}

DetectMatchList *detect_sig_list_get(DetectParser *dp, int list)
{
    DetectMatchList *l = detect_sig_list(dp->s, list);
    if (l != NULL || list < DETECT_LIST_APP_FIRST) {
        return l;
    }
    DetectSigApp *a = app_of(dp);
    if (a == NULL || a->n_lists >= 256) {
        return NULL;
    }
    DetectAppList *ls = realloc(a->lists, (a->n_lists + 1u) * sizeof(*ls));
    if (ls == NULL) {
        return NULL;
    }
    a->lists = ls;
    ls[a->n_lists] = (DetectAppList){ .list = (uint16_t)list, .row = { -1, -1 },
                                       .row_h2 = { -1, -1 } };
    return &ls[a->n_lists++].ml;
}

int detect_app_append(DetectParser *dp, bool file, const DetectKeyword *kw, void *ctx)
{
    DetectSigApp *a = app_of(dp);
    DetectMatchList *l = a == NULL ? NULL : (file ? &a->file_ml : &a->tx_ml);
    if (l != NULL && l->n == l->cap && l->cap < 256) {
        uint16_t cap = l->cap ? (uint16_t)(l->cap * 2) : 4;
        DetectMatch *m = realloc(l->m, cap * sizeof(*m));
        if (m != NULL) {
            l->m = m;
            l->cap = cap;
        }
    }
    if (l == NULL || l->n == l->cap) {
        if (kw->free != NULL) {
            kw->free(ctx);
        }
        return detect_err(dp, "out of memory");
    }
    l->m[l->n++] = (DetectMatch){ kw, ctx, 0 };
    return 0;
}

const DetectContent *detect_sig_content_flagged(const Signature *s, uint32_t flag)
{
    uint16_t n_app = s->app != NULL ? s->app->n_lists : 0;
    for (int li = 0; li < DETECT_LIST_MAX + n_app; li++) {
        const DetectMatchList *l = li < DETECT_LIST_MAX ? &s->lists[li]
                                                        : &s->app->lists[li - DETECT_LIST_MAX].ml;
        for (uint16_t i = 0; detect_list_is_payload(li) && i < l->n; i++) {
            const DetectContent *c = l->m[i].ctx;
            if (l->m[i].pm_type == DETECT_PM_CONTENT && (c->flags & flag)) {
                return c;
            }
        }
    }
    return NULL;
}

static bool elem_is_relative(uint8_t pm_type, const void *ctx)
{
    switch (pm_type) {
    case DETECT_PM_PCRE:
        return (((const DetectPcre *)ctx)->flags & DETECT_PM_F_RELATIVE) != 0;
    case DETECT_PM_ISDATAAT:
        return (((const DetectIsdataat *)ctx)->flags & DETECT_PM_F_RELATIVE) != 0;
    case DETECT_PM_ASN1:
        return (((const DetectAsn1 *)ctx)->flags & DETECT_PM_F_RELATIVE) != 0;
    case DETECT_PM_BYTETEST:
    case DETECT_PM_BYTEJUMP:
    case DETECT_PM_BYTEEXTRACT:
    case DETECT_PM_BYTEMATH:
        return (((const DetectByte *)ctx)->flags & DETECT_BYTE_F_RELATIVE) != 0;
    case DETECT_PM_BASE64:
        return (((const DetectBase64 *)ctx)->flags & DETECT_PM_F_RELATIVE) != 0;
    default:
        return false;  // contents become relative after they are appended
    }
}

int detect_app_relative_list(const DetectParser *dp, int list, uint8_t pm_type, const void *ctx)
{
    if (list == DETECT_LIST_PMATCH && dp->last_list >= DETECT_LIST_APP_FIRST &&
        elem_is_relative(pm_type, ctx)) {
        return dp->last_list;
    }
    return list;
}

/* ---- header protocol ---------------------------------------------------- */

int detect_app_header_proto(DetectParser *dp, const char *name)
{
    AppProto p = app_proto_by_name(name);
    if (p == APP_PROTO_UNKNOWN || p == APP_PROTO_FAILED) {
        if (app_proto_is_known_name(name)) {
            snprintf(dp->err, sizeof(dp->err), "unsupported protocol '%.64s'", name);
            return VG_EUNSUPPORTED;
        }
        return VG_ENOENT;
    }
    dp->s->alproto = p;
    dp->is_http1_only = strcmp(name, "http1") == 0;
    for (uint8_t ipp = 6; ipp <= 17; ipp += 11) {  // TCP and UDP, as the protocol runs
        if (app_proto_runs_over(p, ipp)) {
            dp->s->protos[ipp / 8] |= (uint8_t)(1u << (ipp % 8));
        }
    }
    return 0;
}

/* ---- sticky buffers and modifiers --------------------------------------- */

/* Names Suricata accepts for a buffer besides the registry's own. */
static const struct {
    const char *alias;
    const char *name;
} buf_aliases[] = {
    { "file_data", "file.data" },
    { "http_request_line", "http.request_line" },
    { "http_response_line", "http.response_line" },
    { "http_header_names", "http.header_names" },
    { "http_accept", "http.accept" },
    { "http_accept_enc", "http.accept_enc" },
    { "http_accept_lang", "http.accept_lang" },
    { "http_connection", "http.connection" },
    { "http_content_len", "http.content_len" },
    { "http_content_type", "http.content_type" },
    { "http_location", "http.location" },
    { "http_referer", "http.referer" },
    { "http_server", "http.server" },
    { "http_protocol", "http.protocol" },
    { "http_start", "http.start" },
    { "http_response_body", "http.response_body" },
    { "http_request_body", "http.request_body" },
};

static const char *canonical_name(const char *name)
{
    for (size_t i = 0; i < sizeof(buf_aliases) / sizeof(buf_aliases[0]); i++) {
        if (strcmp(buf_aliases[i].alias, name) == 0) {
            return buf_aliases[i].name;
        }
    }
    return name;
}

bool detect_app_is_buffer_name(const char *name)
{
    return detect_app_buf_find(canonical_name(name)) >= 0;
}

/* True when some registry row of name is a multi-buffer (one instance per record). */
static bool is_multi_buffer(const char *name)
{
    uint32_t n = app_layer_buffer_count();
    for (uint32_t id = 0; id < n; id++) {
        const AppBufferDef *d = app_layer_buffer_def((int)id);
        if (d != NULL && d->get_multi != NULL && strcmp(d->name, name) == 0) {
            return true;
        }
    }
    return false;
}

/* "to_server" / "to_client" (spaces around allowed) as 1 + APP_DIR_*, NULL as 0. */
static int parse_dir_word(DetectParser *dp, const char *kw, const char *word, size_t len,
                          uint8_t *out)
{
    *out = 0;
    if (word == NULL) {
        return 0;
    }
    detect_trim_span(&word, &len);
    if (len == 9 && strncmp(word, "to_server", 9) == 0) {
        *out = 1 + APP_DIR_TOSERVER;
    } else if (len == 9 && strncmp(word, "to_client", 9) == 0) {
        *out = 1 + APP_DIR_TOCLIENT;
    } else {
        return detect_err(dp, "%s takes no value but a direction (to_server or to_client), "
                          "not '%.*s'", kw, (int)(len < 64 ? len : 64), word);
    }
    return 0;
}

/* The list of the buffer at base that was named with direction only_dir: a buffer named
 * with a direction is an instance of its own, so "http.connection: to_client" and
 * "http.connection: to_server" in one rule are two lists. -1 when all are taken. */
static int dir_variant(const Signature *s, int base, uint8_t only_dir)
{
    for (int v = base; v <= UINT16_MAX; v += DETECT_APP_VARIANT_STRIDE) {
        const DetectAppList *al = detect_sig_app_list(s, v);
        if (al == NULL || al->only_dir == only_dir) {
            return v;
        }
    }
    return -1;
}

int detect_app_select_buffer(DetectParser *dp, const char *name)
{
    return detect_app_select_buffer_dir(dp, name, NULL);
}

int detect_app_select_buffer_dir(DetectParser *dp, const char *name, const char *dir)
{
    uint8_t only_dir;
    if (parse_dir_word(dp, name, dir, dir != NULL ? strlen(dir) : 0, &only_dir) != 0) {
        return VG_EINVAL;
    }
    int idx = detect_app_buf_find(canonical_name(name));
    if (idx < 0) {
        return detect_err_unsupported(dp, name);
    }
    int list = DETECT_LIST_APP_FIRST + idx;
    const DetectAppList *cur = detect_sig_app_list(dp->s, list);
    if (only_dir != 0 || (cur != NULL && cur->only_dir != 0)) {
        list = dir_variant(dp->s, list, only_dir);
        if (list < 0) {
            return detect_err(dp, "too many instances of %s", name);
        }
    } else if (cur != NULL && (cur->ml.n > 0 || cur->absent != DETECT_ABSENT_NONE) &&
               is_multi_buffer(canonical_name(name))) {
        /* A multi-buffer named again starts a new instance, which may match another
         * record (Suricata 7+: http.request_header twice, for two headers). */
        int v = list;
        while (v + DETECT_APP_VARIANT_STRIDE <= UINT16_MAX && detect_sig_list(dp->s, v) != NULL) {
            v += DETECT_APP_VARIANT_STRIDE;
        }
        if (detect_sig_list(dp->s, v) != NULL) {
            return detect_err(dp, "too many instances of %s", name);
        }
        list = v;
    }
    DetectMatchList *l = detect_sig_list_get(dp, list);
    if (l == NULL) {
        return detect_err(dp, "out of memory");
    }
    detect_sig_app_list(dp->s, list)->only_dir = only_dir;
    dp->pm_list = (uint16_t)list;
    dp->last_list = (uint16_t)list;
    dp->last_pm = (int)l->n - 1;
    return 0;
}

int detect_app_file_dir(DetectParser *dp, const char **arg)
{
    const char *a = *arg;
    while (*a == ' ') {
        a++;
    }
    if (strncmp(a, "to_server", 9) != 0 && strncmp(a, "to_client", 9) != 0) {
        return 0;
    }
    const char *comma = strchr(a, ',');
    uint8_t d;
    if (parse_dir_word(dp, "file keyword", a, comma != NULL ? (size_t)(comma - a) : strlen(a),
                       &d) != 0) {
        return VG_EINVAL;
    }
    if (comma == NULL) {
        return detect_err(dp, "a value must follow the direction");
    }
    DetectSigApp *app = app_of(dp);
    if (app == NULL) {
        return detect_err(dp, "out of memory");
    }
    app->file_dir_only |= (uint8_t)(1u << (d - 1));
    *arg = comma + 1;
    return 0;
}

/* Legacy modifier (http_uri, ...): the last content placed goes to the
 * buffer's list, after whatever that list holds; a relative content stays
 * relative to the element before it there, as in Suricata. */
int detect_app_move_last_content(DetectParser *dp, const char *buf, const char *kw)
{
    int idx = detect_app_buf_find(buf);
    if (idx < 0) {
        return detect_err_unsupported(dp, kw);
    }
    if (dp->pm_list != DETECT_LIST_PMATCH) {
        return detect_err(dp, "'%s' can't follow a sticky buffer (%s)", kw,
                          detect_list_name(dp->pm_list));
    }
    DetectMatchList *src = detect_sig_list(dp->s, dp->last_list);
    int pos = -1;
    for (int i = src != NULL ? (int)src->n - 1 : -1; i >= 0 && pos < 0; i--) {
        pos = src->m[i].pm_type == DETECT_PM_CONTENT ? i : -1;
    }
    if (pos < 0) {
        return detect_err(dp, "'%s' needs a preceding content", kw);
    }
    int list = DETECT_LIST_APP_FIRST + idx;
    if (dp->last_list == list) {
        return detect_err(dp, "'%s' given twice for the same content", kw);
    }
    if (dp->last_list != DETECT_LIST_PMATCH) {
        return detect_err(dp, "'%s' on a content already moved to %s", kw,
                          detect_list_name(dp->last_list));
    }
    DetectMatch m = src->m[pos];
    DetectMatchList *dst = detect_sig_list_get(dp, list);
    if (dst == NULL || (dst->n == dst->cap && dst->cap >= 4096)) {
        return detect_err(dp, "out of memory");
    }
    if (dst->n == dst->cap) {
        uint16_t cap = dst->cap ? (uint16_t)(dst->cap * 2) : 4;
        DetectMatch *nm = realloc(dst->m, cap * sizeof(*nm));
        if (nm == NULL) {
            return detect_err(dp, "out of memory");
        }
        dst->m = nm;
        dst->cap = cap;
    }
    src = detect_sig_list(dp->s, DETECT_LIST_PMATCH);  // dst may have moved s->app
    memmove(&src->m[pos], &src->m[pos + 1], (size_t)(src->n - pos - 1) * sizeof(DetectMatch));
    src->n--;
    dst->m[dst->n++] = m;
    dp->last_list = (uint16_t)list;
    dp->last_pm = (int)dst->n - 1;
    if (src->n == 0 && dp->s->lists[DETECT_LIST_PMATCH].n == 0) {
        dp->s->flags &= ~(uint32_t)SIG_F_HAS_PAYLOAD;
    }
    return 0;
}

/* ---- completion --------------------------------------------------------- */

static bool match_kw_present(const Signature *s, const char *name)
{
    const DetectMatchList *l = &s->lists[DETECT_LIST_MATCH];
    for (uint16_t i = 0; i < l->n; i++) {
        if (strcmp(l->m[i].kw->name, name) == 0) {
            return true;
        }
    }
    return false;
}

static void mark_relative_chain(DetectMatchList *l)
{
    for (uint16_t i = 1; i < l->n; i++) {
        DetectMatch *m = &l->m[i];
        bool rel = m->pm_type == DETECT_PM_CONTENT
                       ? (((const DetectContent *)m->ctx)->flags & DETECT_CONTENT_RELATIVE) != 0
                       : elem_is_relative(m->pm_type, m->ctx);
        if (!rel) {
            continue;
        }
        DetectMatch *prev = &l->m[i - 1];
        switch (prev->pm_type) {
        case DETECT_PM_CONTENT:
            ((DetectContent *)prev->ctx)->flags |= DETECT_CONTENT_RELATIVE_NEXT;
            break;
        case DETECT_PM_PCRE:
            ((DetectPcre *)prev->ctx)->flags |= DETECT_PM_F_RELATIVE_NEXT;
            break;
        case DETECT_PM_ISDATAAT:
            ((DetectIsdataat *)prev->ctx)->flags |= DETECT_PM_F_RELATIVE_NEXT;
            break;
        case DETECT_PM_ASN1:
            ((DetectAsn1 *)prev->ctx)->flags |= DETECT_PM_F_RELATIVE_NEXT;
            break;
        case DETECT_PM_BSIZE:
        case DETECT_PM_DATASET:
        case DETECT_PM_PLUGIN:
            break;
        case DETECT_PM_BASE64:
            ((DetectBase64 *)prev->ctx)->flags |= DETECT_PM_F_RELATIVE_NEXT;
            break;
        default:
            ((DetectByte *)prev->ctx)->flags |= DETECT_BYTE_F_RELATIVE_NEXT;
            break;
        }
    }
}

/* The protocol of the first registry row holding a buffer name. */
static AppProto proto_of_name(const char *name)
{
    uint32_t n = app_layer_buffer_count();
    for (uint32_t id = 0; id < n; id++) {
        const AppBufferDef *d = app_layer_buffer_def((int)id);
        if (d != NULL && d->name != NULL && strcmp(d->name, name) == 0) {
            return d->proto;
        }
    }
    return APP_PROTO_UNKNOWN;
}

static int resolve_lists(DetectParser *dp, bool *need_ts, bool *need_tc)
{
    Signature *s = dp->s;
    DetectSigApp *a = s->app;
    for (uint16_t i = 0; a != NULL && i < a->n_lists; i++) {
        DetectAppList *al = &a->lists[i];
        const char *name = detect_list_name(al->list);
        if (s->alproto == APP_PROTO_UNKNOWN) {
            s->alproto = proto_of_name(name);
        }
        for (uint8_t d = 0; d < 2; d++) {
            int row = app_layer_buffer_find_for(name, s->alproto, d);
            al->row[d] = (int16_t)(row >= 0 ? row : -1);
        }
        if (al->row[0] < 0 && al->row[1] < 0) {
            return detect_err(dp, "buffer %s does not exist for protocol %s", name,
                              app_proto_name(s->alproto) ? app_proto_name(s->alproto) : "?");
        }
        if (al->only_dir != 0) {
            uint8_t keep = (uint8_t)(al->only_dir - 1);
            if (al->row[keep] < 0) {
                return detect_err(dp, "buffer %s has no %s side", name,
                                  keep == APP_DIR_TOSERVER ? "to_server" : "to_client");
            }
            al->row[keep ^ 1] = -1;
        }
        if (al->absent == DETECT_ABSENT_ONLY && al->ml.n > 0) {
            return detect_err(dp, "absent on %s can't be followed by keywords of that buffer "
                              "(absent: or_else can)", name);
        }
        *need_ts |= al->row[1] < 0;
        *need_tc |= al->row[0] < 0;
        mark_relative_chain(&al->ml);
    }
    return 0;
}

/* An http rule also inspects HTTP/2 streams (Suricata's http is either version) when
 * every buffer it uses has an HTTP/2 row, it has no tx or file keywords (those read
 * HTTP/1 transactions), and its header did not say http1. */
static void resolve_http2(DetectParser *dp)
{
    Signature *s = dp->s;
    DetectSigApp *a = s->app;
    if (a == NULL || s->alproto != APP_PROTO_HTTP1 || dp->is_http1_only || a->n_lists == 0 ||
        a->tx_ml.n > 0 || a->file_ml.n > 0 || s->lists[DETECT_LIST_FILE_NAME].n > 0 ||
        s->lists[DETECT_LIST_FILE_MAGIC].n > 0 || (s->flags & SIG_F_FILESTORE)) {
        return;
    }
    for (uint16_t i = 0; i < a->n_lists; i++) {
        DetectAppList *al = &a->lists[i];
        const char *name = detect_list_name(al->list);
        for (uint8_t d = 0; d < 2; d++) {
            int row = app_layer_buffer_find_for(name, APP_PROTO_HTTP2, d);
            al->row_h2[d] = (int16_t)(row >= 0 && al->row[d] >= 0 ? row : -1);
        }
        if (al->row_h2[0] < 0 && al->row_h2[1] < 0) {
            return;
        }
    }
    a->also_http2 = true;
}

/* A dcerpc rule also inspects SMB txs (DCERPC over named pipes, as Suricata) when every
 * buffer it uses has an SMB row and it has no file keywords; its tx keywords (dcerpc.*)
 * read both. */
static void resolve_smb(DetectParser *dp)
{
    Signature *s = dp->s;
    DetectSigApp *a = s->app;
    if (a == NULL || s->alproto != APP_PROTO_DCERPC || a->file_ml.n > 0 ||
        s->lists[DETECT_LIST_FILE_NAME].n > 0 || s->lists[DETECT_LIST_FILE_MAGIC].n > 0 ||
        (s->flags & SIG_F_FILESTORE)) {
        return;
    }
    for (uint16_t i = 0; i < a->n_lists; i++) {
        DetectAppList *al = &a->lists[i];
        const char *name = detect_list_name(al->list);
        for (uint8_t d = 0; d < 2; d++) {
            int row = app_layer_buffer_find_for(name, APP_PROTO_SMB, d);
            al->row_h2[d] = (int16_t)(row >= 0 && al->row[d] >= 0 ? row : -1);
        }
        if (al->row_h2[0] < 0 && al->row_h2[1] < 0) {
            return;
        }
    }
    a->also_smb = true;
}

/* Which directions a tx rule is inspected in (Suricata's rules: flow
 * direction first, then the buffers; a rule needing both sides is decided
 * with the response). */
static int set_dirs(DetectParser *dp, bool need_ts, bool need_tc)
{
    Signature *s = dp->s;
    DetectSigApp *a = s->app;
    if (s->flags & SIG_F_TXBOTHDIR) {
        /* '=>': one transaction, its request and response sides together; decided
         * once the response side can answer, like a rule mixing both sides. */
        if (s->flags & (SIG_F_TOSERVER | SIG_F_TOCLIENT)) {
            return detect_err(dp, "a '=>' rule covers both directions: flow:to_server/"
                              "to_client can't be used");
        }
        a->dirs = 1u << APP_DIR_TOCLIENT;
        a->is_mixed = true;
        return 0;
    }
    if (s->flags & SIG_F_TOSERVER) {
        if (need_tc) {
            return detect_err(dp, "flow:to_server with a buffer only responses have");
        }
        a->dirs = 1u << APP_DIR_TOSERVER;
    } else if (s->flags & SIG_F_TOCLIENT) {
        if (need_ts) {
            return detect_err(dp, "flow:to_client with a buffer only requests have");
        }
        a->dirs = 1u << APP_DIR_TOCLIENT;
    } else if (need_ts && need_tc) {
        a->dirs = 1u << APP_DIR_TOCLIENT;
        a->is_mixed = true;
    } else if (need_ts) {
        a->dirs = 1u << APP_DIR_TOSERVER;
    } else if (need_tc) {
        a->dirs = 1u << APP_DIR_TOCLIENT;
    } else {
        a->dirs = (1u << APP_DIR_TOSERVER) | (1u << APP_DIR_TOCLIENT);
        a->is_per_dir = a->n_lists == 0 && a->file_ml.n == 0 && a->tx_ml.n > 0;
        for (uint16_t i = 0; i < a->tx_ml.n; i++) {
            a->is_per_dir &= (a->tx_ml.m[i].kw->flags & DETECT_KW_TX_PER_DIR) != 0;
        }
    }
    return 0;
}

/* Fast pattern of a tx rule: an explicit fast_pattern, else the longest
 * positive content of its buffers (the first of equal length), else of the
 * payload list. */
static void pick_app_fast_pattern(Signature *s)
{
    const DetectContent *fp = detect_sig_content_flagged(s, DETECT_CONTENT_FAST_PATTERN);
    if (fp != NULL) {
        s->fp = fp;
        return;
    }
    const DetectContent *best = NULL;
    for (uint16_t i = 0; i < s->app->n_lists; i++) {
        const DetectMatchList *l = &s->app->lists[i].ml;
        for (uint16_t j = 0; s->app->lists[i].absent == DETECT_ABSENT_NONE && j < l->n; j++) {
            const DetectContent *c = l->m[j].ctx;
            if (l->m[j].pm_type == DETECT_PM_CONTENT && !(c->flags & DETECT_CONTENT_NEGATED) &&
                (best == NULL || c->len > best->len)) {
                best = c;
            }
        }
    }
    s->fp = best;
}

static bool has_app_content(const Signature *s)
{
    for (uint16_t i = 0; s->app != NULL && i < s->app->n_lists; i++) {
        if (s->app->lists[i].ml.n > 0 || s->app->lists[i].absent != DETECT_ABSENT_NONE) {
            return true;
        }
    }
    return false;
}

/* A '=>' rule that is not a transaction rule: refused, as Suricata does. */
static int txbothdir_refused(DetectParser *dp)
{
    if (dp->s->flags & SIG_F_TXBOTHDIR) {
        return detect_err(dp, "a '=>' rule needs app-layer transaction keywords "
                          "(buffers of a protocol with transactions)");
    }
    return 0;
}

int detect_app_finish(DetectParser *dp)
{
    Signature *s = dp->s;
    bool need_ts = false;
    bool need_tc = false;
    int rc = resolve_lists(dp, &need_ts, &need_tc);
    if (rc != 0) {
        return rc;
    }
    bool has_file_kw = (s->app != NULL && s->app->file_ml.n > 0) ||
                       s->lists[DETECT_LIST_FILE_NAME].n > 0 ||
                       s->lists[DETECT_LIST_FILE_MAGIC].n > 0 || (s->flags & SIG_F_FILESTORE);
    bool no_tx_kw = (s->app == NULL || s->app->tx_ml.n == 0) && !has_file_kw;
    if (has_file_kw && s->alproto == APP_PROTO_UNKNOWN) {
        /* File keywords apply to the protocols that carry files: of ours, HTTP. */
        s->alproto = APP_PROTO_HTTP1;
    }
    if (match_kw_present(s, "app-layer-protocol") && s->lists[DETECT_LIST_PMATCH].n == 0 &&
        !has_app_content(s) && no_tx_kw) {
        s->flags |= SIG_F_PD_ONLY;
        s->flags &= ~(uint32_t)SIG_F_IPONLY;
        return txbothdir_refused(dp);
    }
    if (s->alproto == APP_PROTO_UNKNOWN) {
        if (!no_tx_kw) {
            return detect_err(dp, "app-layer keywords need a protocol in the header");
        }
        return txbothdir_refused(dp);
    }
    bool tcp_ok = (s->protos[6 / 8] & (1u << (6 % 8))) && app_proto_runs_over(s->alproto, 6);
    bool udp_ok = (s->protos[17 / 8] & (1u << (17 % 8))) && app_proto_runs_over(s->alproto, 17);
    if (!tcp_ok && !udp_ok) {
        bool tcp = app_proto_runs_over(s->alproto, 6);
        bool udp = app_proto_runs_over(s->alproto, 17);
        return detect_err(dp, "protocol %s runs over %s: the header excludes it",
                          app_proto_name(s->alproto),
                          tcp && udp ? "TCP and UDP" : tcp ? "TCP" : "UDP");
    }
    s->flags &= ~(uint32_t)SIG_F_IPONLY;
    /* A protocol rule without app buffers or tx keywords stays a packet (or
     * stream) rule, limited to flows of that protocol: as in Suricata, one without
     * any payload keyword matches every packet of such a flow. */
    if (!has_app_content(s) && no_tx_kw && (s->app == NULL || s->app->n_lists == 0)) {
        return txbothdir_refused(dp);
    }
    bool has_hdr_buf = false;
    for (int li = DETECT_LIST_BUF_FIRST; li <= DETECT_LIST_HDR_LAST; li++) {
        has_hdr_buf |= s->lists[li].n > 0;
    }
    if (has_hdr_buf) {
        return detect_err(dp, "header sticky buffers can't be mixed with app-layer buffers");
    }
    if (app_of(dp) == NULL) {
        return detect_err(dp, "out of memory");
    }
    uint8_t file_only = s->app->file_dir_only;
    if (file_only == 3u) {
        return detect_err(dp, "file keywords look at one file: to_server and to_client "
                          "can't both be given");
    }
    need_ts |= (file_only & (1u << APP_DIR_TOSERVER)) != 0;
    need_tc |= (file_only & (1u << APP_DIR_TOCLIENT)) != 0;
    rc = set_dirs(dp, need_ts, need_tc);
    if (rc != 0) {
        return rc;
    }
    s->flags |= SIG_F_APP_TX;
    s->app->file_dirs = file_only != 0 ? file_only : s->app->is_mixed ? 3u : s->app->dirs;
    resolve_http2(dp);
    resolve_smb(dp);
    pick_app_fast_pattern(s);
    return 0;
}

void detect_app_sig_free(Signature *s)
{
    DetectSigApp *a = s->app;
    if (a == NULL) {
        return;
    }
    for (uint16_t i = 0; i < a->n_lists; i++) {
        DetectMatchList *l = &a->lists[i].ml;
        for (uint16_t j = 0; j < l->n; j++) {
            if (l->m[j].kw->free != NULL) {
                l->m[j].kw->free(l->m[j].ctx);
            }
        }
        free(l->m);
    }
    free(a->lists);
    for (uint16_t i = 0; i < a->n_xf_res; i++) {
        pcre2_code_free(a->xf_res[i]);
    }
    free(a->xf_res);
    for (uint16_t i = 0; i < a->n_xf_keys; i++) {
        free(a->xf_keys[i]);
    }
    free(a->xf_keys);
    DetectMatchList *extra[] = { &a->tx_ml, &a->file_ml };
    for (size_t k = 0; k < 2; k++) {
        for (uint16_t j = 0; j < extra[k]->n; j++) {
            if (extra[k]->m[j].kw->free != NULL) {
                extra[k]->m[j].kw->free(extra[k]->m[j].ctx);
            }
        }
        free(extra[k]->m);
    }
    free(a);
    s->app = NULL;
}

bool detect_engine_has_filestore(const DetectEngine *de)
{
    for (uint32_t i = 0; de != NULL && i < de->n_sigs; i++) {
        if (de->sigs[i]->flags & SIG_F_FILESTORE) {
            return true;
        }
    }
    return false;
}
