/* Alert thresholds: the threshold / detection_filter keywords and the
 * threshold.config directives (threshold, event_filter, suppress, rate_filter)
 * with Suricata's semantics. Time comes from packet timestamps.
 *
 * The tracking table is shared by the workers: one mutex guards it. Entries
 * tracked by anything but the flow are decided in packet order on capture
 * files (runtime_order_wait before the lock), so threaded runmodes count a
 * host's matches in the order single does. Entries are created per tracked
 * (rule, address) up to
 * THR_MAX_ENTRIES; past that, thresholds of new keys are not enforced (alerts
 * pass) rather than failing. */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "flow/flow-types.h"
#include "runtime/runtime-order.h"
#include "util/util-error.h"
#include "util/util-file.h"
#include "util/util-log.h"

#define THR_BUCKETS 4096
#define THR_MAX_ENTRIES 200000
#define THR_PORT_BITMAP_BYTES (65536 / 8)

typedef struct ThrEntry {
    uint32_t gid;
    uint32_t sid;
    uint8_t track;
    uint8_t kind;                      // DETECT_TCFG_* (threshold vs rate)
    uint8_t addr[32];                  // one or two addresses (by_both)
    int64_t window_start;
    uint32_t count;
    int64_t rate_until;                // rate_filter: new action until then
    uint64_t next_backoff;             // backoff: the match count that alerts next
    uint8_t *ports;                    // unique_on: ports seen in the window (bitmap)
    struct ThrEntry *next;
} ThrEntry;

struct DetectThresholdTable {
    pthread_mutex_t lock;
    ThrEntry *buckets[THR_BUCKETS];
    uint32_t n_entries;
};

DetectThresholdTable *detect_threshold_table_new(void)
{
    DetectThresholdTable *t = calloc(1, sizeof(*t));
    if (t != NULL && pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

void detect_threshold_table_free(DetectThresholdTable *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < THR_BUCKETS; i++) {
        ThrEntry *e = t->buckets[i];
        while (e != NULL) {
            ThrEntry *n = e->next;
            free(e->ports);
            free(e);
            e = n;
        }
    }
    pthread_mutex_destroy(&t->lock);
    free(t);
}

uint32_t detect_hash(const void *data, size_t len)
{
    const uint8_t *p = data;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h = (h ^ p[i]) * 16777619u;
    }
    return h;
}

/* ---- spec parsing ------------------------------------------------------- */

static int spec_item(const char *k, size_t klen, const char *v, DetectThresholdSpec *out,
                     unsigned *seen)
{
    static const char *const types[] = { "limit", "threshold", "both" };
    static const char *const tracks[] = { "by_src", "by_dst", "by_rule", "by_both",
                                          "by_either", "by_flow" };
    char *end;
    if (klen == 4 && strncmp(k, "type", 4) == 0) {
        for (uint8_t i = 0; i < 3; i++) {
            if (strcmp(v, types[i]) == 0) {
                out->type = (uint8_t)(DETECT_THR_LIMIT + i);
                *seen |= 1;
                return 0;
            }
        }
        if (strcmp(v, "backoff") == 0) {
            out->type = DETECT_THR_BACKOFF;
            *seen |= 1;
            return 0;
        }
    } else if (klen == 9 && strncmp(k, "unique_on", 9) == 0) {
        if (strcmp(v, "src_port") == 0 || strcmp(v, "dst_port") == 0) {
            out->unique_on = v[0] == 's' ? DETECT_UNIQUE_SRC_PORT : DETECT_UNIQUE_DST_PORT;
            return 0;
        }
    } else if (klen == 10 && strncmp(k, "multiplier", 10) == 0) {
        unsigned long n = strtoul(v, &end, 10);
        if (end != v && *end == '\0' && n >= 1 && n <= UINT32_MAX) {
            out->multiplier = (uint32_t)n;
            *seen |= 16;
            return 0;
        }
    } else if (klen == 5 && strncmp(k, "track", 5) == 0) {
        for (uint8_t i = 0; i < 6; i++) {
            if (strcmp(v, tracks[i]) == 0) {
                out->track = i;
                *seen |= 2;
                return 0;
            }
        }
    } else if ((klen == 5 && strncmp(k, "count", 5) == 0) ||
               (klen == 7 && strncmp(k, "seconds", 7) == 0)) {
        unsigned long n = strtoul(v, &end, 10);
        if (end != v && *end == '\0' && n <= UINT32_MAX) {
            *(k[0] == 'c' ? &out->count : &out->seconds) = (uint32_t)n;
            *seen |= k[0] == 'c' ? 4 : 8;
            return 0;
        }
    }
    return VG_EINVAL;
}

int detect_threshold_parse_spec(const char *text, bool is_filter, DetectThresholdSpec *out,
                                char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (is_filter) {
        out->type = DETECT_THR_DETECTION_FILTER;
    }
    unsigned seen = is_filter ? 1 : 0;
    const char *p = text;
    while (*p != '\0') {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        size_t len = strcspn(p, ",");
        while (len > 0 && p[len - 1] == ' ') {
            len--;
        }
        char item[64];
        if (len == 0 || len >= sizeof(item)) {
            break;
        }
        memcpy(item, p, len);
        item[len] = '\0';
        char *sp = strchr(item, ' ');
        char *v = sp ? sp + 1 : item + len;
        while (*v == ' ') {
            v++;
        }
        if (spec_item(item, sp ? (size_t)(sp - item) : len, v, out, &seen) != 0) {
            snprintf(err, errlen, "bad threshold option '%s'", item);
            return VG_EINVAL;
        }
        p += strcspn(p, ",");
    }
    /* backoff has a multiplier instead of seconds; unique_on only filters */
    unsigned want = out->type == DETECT_THR_BACKOFF ? (1 | 2 | 4 | 16) : (1 | 2 | 4 | 8);
    if (seen != want) {
        snprintf(err, errlen, "threshold needs type, track, count and %s",
                 out->type == DETECT_THR_BACKOFF ? "multiplier (no seconds)" : "seconds");
        return VG_EINVAL;
    }
    if (out->unique_on != DETECT_UNIQUE_NONE && out->type != DETECT_THR_DETECTION_FILTER) {
        snprintf(err, errlen, "unique_on is a detection_filter option");
        return VG_EINVAL;
    }
    if (out->type == DETECT_THR_BACKOFF && out->count == 0) {
        snprintf(err, errlen, "backoff needs a count of at least 1");
        return VG_EINVAL;
    }
    return 0;
}

/* ---- runtime ------------------------------------------------------------ */

static void key_addr(uint8_t track, const Packet *p, uint8_t out[32])
{
    memset(out, 0, 32);
    if (track == DETECT_TRACK_SRC) {
        memcpy(out, p->src.a.u8, 16);
    }
    if (track == DETECT_TRACK_DST) {
        memcpy(out, p->dst.a.u8, 16);
    }
    if (track == DETECT_TRACK_BOTH) {
        /* The address pair, in either direction (as Suricata's ip pairs):
         * the lower address first. */
        bool src_first = memcmp(p->src.a.u8, p->dst.a.u8, 16) <= 0;
        memcpy(out, src_first ? p->src.a.u8 : p->dst.a.u8, 16);
        memcpy(out + 16, src_first ? p->dst.a.u8 : p->src.a.u8, 16);
    }
    if (track == DETECT_TRACK_FLOW && p->flow != NULL) {
        uint64_t id = ((const Flow *)p->flow)->flow_id;
        memcpy(out, &id, sizeof(id));
    }
}

/* Finds or makes the entry; NULL when the table is full. Lock held. */
static ThrEntry *entry_get(DetectThresholdTable *t, const Signature *s, uint8_t kind,
                           uint8_t track, const Packet *p, bool *is_new)
{
    uint8_t addr[32];
    key_addr(track, p, addr);
    uint32_t h = (detect_hash(addr, sizeof(addr)) ^ (s->sid * 2654435761u) ^ s->gid ^ kind) %
                 THR_BUCKETS;
    for (ThrEntry *e = t->buckets[h]; e != NULL; e = e->next) {
        if (e->sid == s->sid && e->gid == s->gid && e->track == track && e->kind == kind &&
            memcmp(e->addr, addr, sizeof(addr)) == 0) {
            *is_new = false;
            return e;
        }
    }
    if (t->n_entries >= THR_MAX_ENTRIES) {
        return NULL;
    }
    ThrEntry *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return NULL;
    }
    *e = (ThrEntry){ .gid = s->gid, .sid = s->sid, .track = track, .kind = kind,
                     .next = t->buckets[h] };
    memcpy(e->addr, addr, sizeof(addr));
    t->buckets[h] = e;
    t->n_entries++;
    *is_new = true;
    return e;
}

/* backoff: alerts on the count-th match, then count*m, count*m*m, ... */
static bool apply_backoff(ThrEntry *e, bool is_new, const DetectThresholdSpec *sp)
{
    if (is_new) {
        e->count = 0;
        e->next_backoff = sp->count;
    }
    e->count++;
    if (e->count < e->next_backoff) {
        return false;
    }
    uint64_t next = e->next_backoff * sp->multiplier;
    e->next_backoff = next > e->next_backoff ? next : UINT64_MAX;
    return true;
}

/* unique_on: counts the port once per window. The bitmap is allocated on the
 * entry's first use; *memuse gets its size, *fail is set when it cannot be. */
static void count_unique(ThrEntry *e, bool reset, const DetectThresholdSpec *sp,
                         const Packet *p, uint64_t *memuse, bool *fail)
{
    if (e->ports == NULL) {
        e->ports = calloc(1, THR_PORT_BITMAP_BYTES);
        if (e->ports == NULL) {
            *fail = true;
            e->count++;  // without a bitmap, count every match
            return;
        }
        *memuse += THR_PORT_BITMAP_BYTES;
    } else if (reset) {
        memset(e->ports, 0, THR_PORT_BITMAP_BYTES);
    }
    uint16_t port = sp->unique_on == DETECT_UNIQUE_SRC_PORT ? p->sp : p->dp;
    uint8_t bit = (uint8_t)(1u << (port % 8));
    if (!(e->ports[port / 8] & bit)) {
        e->ports[port / 8] |= bit;
        e->count++;
    }
}

/* Applies one spec to its entry; true when the alert may go out. */
static bool apply_spec(ThrEntry *e, bool is_new, const DetectThresholdSpec *sp, const Packet *p,
                       uint64_t *memuse, bool *fail)
{
    int64_t now = p->ts_sec;
    if (sp->type == DETECT_THR_BACKOFF) {
        return apply_backoff(e, is_new, sp);
    }
    bool expired = is_new || now - e->window_start >= (int64_t)sp->seconds;
    if (expired) {
        e->window_start = now;
        e->count = 0;
    }
    if (sp->unique_on != DETECT_UNIQUE_NONE) {
        count_unique(e, expired, sp, p, memuse, fail);
    } else {
        e->count++;
    }
    switch (sp->type) {
    case DETECT_THR_LIMIT:
        return e->count <= sp->count;
    case DETECT_THR_THRESHOLD:
        if (e->count >= sp->count) {
            e->count = 0;
            return true;
        }
        return false;
    case DETECT_THR_BOTH:
        return e->count == sp->count;
    case DETECT_THR_DETECTION_FILTER:
        return e->count > sp->count;
    default:
        return true;
    }
}

static const DetectThresholdRule *tcfg_find(const DetectEngine *de, const Signature *s,
                                            uint8_t kind)
{
    const DetectThresholdRule *best = NULL;
    for (size_t i = 0; i < de->n_tcfg; i++) {
        const DetectThresholdRule *r = &de->tcfg[i];
        if (r->kind != kind || (r->gid != s->gid && r->gid != 0)) {
            continue;
        }
        if (r->sid == s->sid) {
            return r;
        }
        if (r->sid == 0 && best == NULL) {
            best = r;
        }
    }
    return best;
}

static bool suppressed(const DetectEngine *de, const Signature *s, const Packet *p)
{
    for (size_t i = 0; i < de->n_tcfg; i++) {
        const DetectThresholdRule *r = &de->tcfg[i];
        if (r->kind != DETECT_TCFG_SUPPRESS || (r->sid != s->sid && r->sid != 0) ||
            (r->gid != s->gid && r->gid != 0)) {
            continue;
        }
        if (!r->has_addr) {
            return true;
        }
        uint8_t tr = r->spec.track;
        bool src = detect_addr_match(&r->suppress_addr, &p->src);
        bool dst = detect_addr_match(&r->suppress_addr, &p->dst);
        if ((tr == DETECT_TRACK_SRC && src) || (tr == DETECT_TRACK_DST && dst) ||
            (tr == DETECT_TRACK_EITHER && (src || dst))) {
            return true;
        }
    }
    return false;
}

static bool run_spec(DetectThread *dt, DetectThresholdTable *t, const Signature *s,
                     const Packet *p, const DetectThresholdSpec *sp, uint8_t kind,
                     uint8_t *action)
{
    bool is_new;
    uint64_t memuse = 0;
    bool fail = false;
    if (sp->track == DETECT_TRACK_FLOW && p->flow == NULL) {
        return true;  // nothing to track by
    }
    if (sp->track != DETECT_TRACK_FLOW) {
        /* Other flows count too: decide in packet order (runtime-order.h), so
         * that every runmode takes the decisions single takes. */
        runtime_order_wait();
    }
    pthread_mutex_lock(&t->lock);
    ThrEntry *e = entry_get(t, s, kind, sp->track, p, &is_new);
    bool ok = true;
    if (e != NULL && kind == DETECT_TCFG_RATE) {
        int64_t now = p->ts_sec;
        if (e->rate_until > now) {
            *action = sp->new_action;
        } else {
            DetectThresholdSpec th = *sp;
            th.type = DETECT_THR_DETECTION_FILTER;
            if (apply_spec(e, is_new, &th, p, &memuse, &fail)) {
                e->rate_until = now + sp->timeout;
                *action = sp->new_action;
            }
        }
    } else if (e != NULL) {
        ok = apply_spec(e, is_new, sp, p, &memuse, &fail);
    }
    pthread_mutex_unlock(&t->lock);
    if (dt != NULL && memuse > 0) {
        counters_add(dt->counters, dt->c_thr_bitmap_memuse, memuse);
    }
    if (dt != NULL && fail) {
        counters_incr(dt->counters, dt->c_thr_bitmap_fail);
    }
    return ok;
}

bool detect_threshold_check(DetectThread *dt, const Signature *s, const Packet *p,
                            uint8_t *action, bool *is_suppressed)
{
    const DetectEngine *de = dt->de;
    *is_suppressed = false;
    if (de->n_tcfg > 0 && suppressed(de, s, p)) {
        /* suppress hides the alert; the rule's action still applies. */
        *is_suppressed = true;
        return true;
    }
    const DetectThresholdRule *r = de->n_tcfg > 0 ? tcfg_find(de, s, DETECT_TCFG_THRESHOLD)
                                                  : NULL;
    const DetectThresholdSpec *sp = r ? &r->spec : s->threshold;
    if (sp != NULL && !run_spec(dt, de->thr, s, p, sp, DETECT_TCFG_THRESHOLD, action)) {
        return false;
    }
    const DetectThresholdRule *rate = de->n_tcfg > 0 ? tcfg_find(de, s, DETECT_TCFG_RATE)
                                                     : NULL;
    if (rate != NULL) {
        run_spec(dt, de->thr, s, p, &rate->spec, DETECT_TCFG_RATE, action);
    }
    return true;
}

/* ---- threshold.config --------------------------------------------------- */

typedef struct TcfgLine {
    char kind[16];
    char keys[12][16];
    char vals[12][256];
    int n;
} TcfgLine;

/* "kind k v, k v, ..." with brackets protecting commas inside values. */
static int tcfg_split(const char *line, size_t len, TcfgLine *out)
{
    size_t i = 0;
    while (i < len && line[i] != ' ' && line[i] != '\t') {
        i++;
    }
    if (i == 0 || i >= sizeof(out->kind)) {
        return VG_EINVAL;
    }
    memcpy(out->kind, line, i);
    out->kind[i] = '\0';
    out->n = 0;
    while (i < len) {
        while (i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == ',')) {
            i++;
        }
        if (i >= len) {
            break;
        }
        size_t ks = i;
        while (i < len && line[i] != ' ' && line[i] != '\t') {
            i++;
        }
        size_t klen = i - ks;
        while (i < len && (line[i] == ' ' || line[i] == '\t')) {
            i++;
        }
        size_t vs = i;
        int nest = 0;
        while (i < len && (nest > 0 || line[i] != ',')) {
            nest += line[i] == '[' ? 1 : (line[i] == ']' ? -1 : 0);
            i++;
        }
        size_t vlen = i - vs;
        while (vlen > 0 && (line[vs + vlen - 1] == ' ' || line[vs + vlen - 1] == '\t')) {
            vlen--;
        }
        if (out->n == 12 || klen == 0 || klen >= 16 || vlen == 0 || vlen >= 256) {
            return VG_EINVAL;
        }
        memcpy(out->keys[out->n], line + ks, klen);
        out->keys[out->n][klen] = '\0';
        memcpy(out->vals[out->n], line + vs, vlen);
        out->vals[out->n][vlen] = '\0';
        out->n++;
    }
    return 0;
}

static const char *tcfg_get(const TcfgLine *l, const char *key)
{
    for (int i = 0; i < l->n; i++) {
        if (strcmp(l->keys[i], key) == 0) {
            return l->vals[i];
        }
    }
    return NULL;
}

static bool tcfg_u32(const TcfgLine *l, const char *key, uint32_t *out)
{
    const char *v = tcfg_get(l, key);
    char *end;
    if (v == NULL) {
        return false;
    }
    unsigned long n = strtoul(v, &end, 10);
    if (end == v || *end != '\0' || n > UINT32_MAX) {
        return false;
    }
    *out = (uint32_t)n;
    return true;
}

/* Rebuilds "type X, track Y, count N, seconds M" for the shared spec parser. */
static int tcfg_spec(const TcfgLine *l, bool need_type, DetectThresholdSpec *sp)
{
    char buf[512];
    const char *type = need_type ? tcfg_get(l, "type") : "threshold";
    const char *track = tcfg_get(l, "track");
    const char *count = tcfg_get(l, "count");
    const char *secs = tcfg_get(l, "seconds");
    char err[DETECT_ERR_MAX];
    if (type == NULL || track == NULL || count == NULL || secs == NULL) {
        return VG_EINVAL;
    }
    snprintf(buf, sizeof(buf), "type %s, track %s, count %s, seconds %s", type, track, count,
             secs);
    return detect_threshold_parse_spec(buf, false, sp, err, sizeof(err));
}

static int tcfg_action(const char *v, uint8_t *out)
{
    static const struct {
        const char *name;
        uint8_t action;
    } acts[] = { { "alert", DETECT_ACTION_ALERT }, { "drop", DETECT_ACTION_DROP },
                 { "pass", DETECT_ACTION_PASS },   { "reject", DETECT_ACTION_REJECT } };
    for (size_t i = 0; v != NULL && i < sizeof(acts) / sizeof(acts[0]); i++) {
        if (strcmp(v, acts[i].name) == 0) {
            *out = acts[i].action;
            return 0;
        }
    }
    return VG_EINVAL;
}

static int tcfg_parse(DetectEngine *de, const TcfgLine *l, DetectThresholdRule *r)
{
    memset(r, 0, sizeof(*r));
    if (!tcfg_u32(l, "gen_id", &r->gid) || !tcfg_u32(l, "sig_id", &r->sid)) {
        return VG_EINVAL;
    }
    if (strcmp(l->kind, "threshold") == 0 || strcmp(l->kind, "event_filter") == 0) {
        r->kind = DETECT_TCFG_THRESHOLD;
        return tcfg_spec(l, true, &r->spec);
    }
    if (strcmp(l->kind, "rate_filter") == 0) {
        r->kind = DETECT_TCFG_RATE;
        if (tcfg_spec(l, false, &r->spec) != 0 ||
            tcfg_action(tcfg_get(l, "new_action"), &r->spec.new_action) != 0 ||
            !tcfg_u32(l, "timeout", &r->spec.timeout)) {
            return VG_EINVAL;
        }
        r->spec.type = DETECT_THR_RATE;
        return 0;
    }
    if (strcmp(l->kind, "suppress") != 0) {
        return VG_EINVAL;
    }
    r->kind = DETECT_TCFG_SUPPRESS;
    const char *track = tcfg_get(l, "track");
    const char *ip = tcfg_get(l, "ip");
    if ((track == NULL) != (ip == NULL)) {
        return VG_EINVAL;
    }
    if (track == NULL) {
        return 0;
    }
    static const char *const tracks[] = { "by_src", "by_dst", "", "", "by_either" };
    r->spec.track = 255;
    for (uint8_t i = 0; i < 5; i++) {
        if (tracks[i][0] != '\0' && strcmp(track, tracks[i]) == 0) {
            r->spec.track = i;
        }
    }
    char err[DETECT_ERR_MAX];
    if (r->spec.track == 255 || detect_addr_parse(&r->suppress_addr, ip, detect_vars_lookup,
                                                  &de->vars, err, sizeof(err)) != 0) {
        return VG_EINVAL;
    }
    r->has_addr = true;
    return 0;
}

static int tcfg_add(DetectEngine *de, const DetectThresholdRule *r)
{
    DetectThresholdRule *n = realloc(de->tcfg, (de->n_tcfg + 1) * sizeof(*n));
    if (n == NULL) {
        return VG_ENOMEM;
    }
    de->tcfg = n;
    n[de->n_tcfg++] = *r;
    de->shares_state |= r->kind != DETECT_TCFG_SUPPRESS && r->spec.track != DETECT_TRACK_FLOW;
    return 0;
}

int detect_engine_load_threshold_buffer(DetectEngine *de, const char *text, size_t text_len,
                                        const char *name)
{
    int bad = 0;
    UtilLines it;
    util_lines_init(&it, text, text_len);
    const char *l;
    size_t len;
    while (util_lines_next(&it, &l, &len)) {
        while (len > 0 && (*l == ' ' || *l == '\t')) {
            l++;
            len--;
        }
        while (len > 0 && (l[len - 1] == ' ' || l[len - 1] == '\r' || l[len - 1] == '\t')) {
            len--;
        }
        if (len == 0 || l[0] == '#') {
            continue;
        }
        if (detect_aux_line_is_binary(l, len, name, it.line, "a threshold.config")) {
            bad++;
            continue;
        }
        TcfgLine tl;
        DetectThresholdRule r;
        if (tcfg_split(l, len, &tl) != 0 || tcfg_parse(de, &tl, &r) != 0) {
            VG_WARN("%s:%d: bad threshold.config line; skipping it", name, it.line);
            bad++;
            continue;
        }
        if (tcfg_add(de, &r) != 0) {
            detect_addr_free(&r.suppress_addr);
            return VG_ENOMEM;
        }
    }
    return bad;
}

int detect_engine_load_threshold_string(DetectEngine *de, const char *text, const char *name)
{
    return detect_engine_load_threshold_buffer(de, text, strlen(text), name);
}
