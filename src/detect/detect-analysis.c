/* Rule analysis (--engine-analysis, -T -v): what the built engine made of
 * each rule — its kind, its fast pattern and the buffer that pattern is
 * searched in, how it is prefiltered, the lists of keywords it inspects —
 * and the warnings an author should read: no fast pattern, a short one, a
 * pcre without content, a rule that inspects both directions. Refused rules
 * are listed with their reason. Read-only over a built engine. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "detect/detect-internal.h"
#include "util/util-error.h"
#include "util/util-json.h"

/* A fast pattern this short matches too often to filter much. */
#define ANALYSIS_FP_SHORT 3

static const char *action_name(uint8_t a)
{
    switch (a) {
    case DETECT_ACTION_PASS:
        return "pass";
    case DETECT_ACTION_DROP:
        return "drop";
    case DETECT_ACTION_REJECT:
        return "reject";
    case DETECT_ACTION_REJECT_DST:
        return "rejectdst";
    case DETECT_ACTION_REJECT_BOTH:
        return "rejectboth";
    default:
        return "alert";
    }
}

const char *detect_analysis_kind(const Signature *s)
{
    if (s->flags & SIG_F_IPONLY) {
        return "ip-only";
    }
    if (s->flags & SIG_F_PD_ONLY) {
        return "protocol-detection";
    }
    if (s->flags & SIG_F_APP_TX) {
        return "app-tx";
    }
    if (s->flags & SIG_F_STREAM_ONLY) {
        return "stream";
    }
    if (s->flags & SIG_F_STREAM) {
        return "packet-and-stream";
    }
    if (s->flags & SIG_F_PKTHDR) {
        return "pkthdr";
    }
    return "packet";
}

/* Calls fn for every keyword list of s that holds something. */
typedef void (*ListFn)(const Signature *s, int list, const DetectMatchList *ml, void *user);

static void each_list(const Signature *s, ListFn fn, void *user)
{
    for (int l = 0; l < DETECT_LIST_MAX; l++) {
        if (s->lists[l].n > 0) {
            fn(s, l, &s->lists[l], user);
        }
    }
    for (uint16_t i = 0; s->app != NULL && i < s->app->n_lists; i++) {
        if (s->app->lists[i].ml.n > 0) {
            fn(s, s->app->lists[i].list, &s->app->lists[i].ml, user);
        }
    }
}

typedef struct SigFacts {
    int fp_list;                       // list holding the fast pattern, -1 if none
    uint32_t n_content;
    uint32_t n_pcre;
    uint32_t n_payload_lists;
} SigFacts;

static void gather(const Signature *s, int list, const DetectMatchList *ml, void *user)
{
    SigFacts *f = user;
    if (detect_list_is_payload(list)) {
        f->n_payload_lists++;
    }
    for (uint16_t i = 0; i < ml->n; i++) {
        if (ml->m[i].pm_type == DETECT_PM_CONTENT) {
            f->n_content++;
            if (s->fp != NULL && ml->m[i].ctx == s->fp) {
                f->fp_list = list;
            }
        } else if (ml->m[i].pm_type == DETECT_PM_PCRE) {
            f->n_pcre++;
        }
    }
}

static SigFacts facts_of(const Signature *s)
{
    SigFacts f = {.fp_list = -1};
    each_list(s, gather, &f);
    return f;
}

/* The bytes the prefilter searches for: the fast_pattern chop when given. */
static void fp_bytes(const DetectContent *c, const uint8_t **p, uint16_t *len)
{
    *p = c->pat;
    *len = c->len;
    if ((c->flags & DETECT_CONTENT_FP_CHOP) && c->fp_off < c->len) {
        *p = c->pat + c->fp_off;
        *len = (uint16_t)(c->fp_len <= c->len - c->fp_off ? c->fp_len : c->len - c->fp_off);
    }
}

/* A pattern as rules write it: printable bytes as they are, others (and
 * '|', '"', ';', '\') in |hex| runs. */
static void pattern_text(const uint8_t *p, uint16_t len, char *out, size_t out_len)
{
    size_t o = 0;
    bool in_hex = false;
    for (uint16_t i = 0; i < len && o + 6 < out_len; i++) {
        bool is_plain = p[i] >= 0x20 && p[i] < 0x7f && p[i] != '|' && p[i] != '"' &&
                        p[i] != ';' && p[i] != '\\';
        if (is_plain) {
            if (in_hex) {
                out[o++] = '|';
                in_hex = false;
            }
            out[o++] = (char)p[i];
        } else {
            o += (size_t)snprintf(out + o, out_len - o, "%s%02X", in_hex ? " " : "|", p[i]);
            in_hex = true;
        }
    }
    if (in_hex && o + 1 < out_len) {
        out[o++] = '|';
    }
    out[o] = '\0';
}

static bool group_has(const DetectGroup *g, uint32_t num, bool *is_fp)
{
    uint32_t lo = 0;
    uint32_t hi = g->n_sigs;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (g->sigs[mid] < num) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (lo == g->n_sigs || g->sigs[lo] != num) {
        return false;
    }
    *is_fp = g->fp_member != NULL && (g->fp_member[num / 8] >> (num % 8)) & 1;
    return true;
}

typedef struct SigWarnings {
    const char *w[8];
    uint32_t n;
} SigWarnings;

static void warn(SigWarnings *sw, const char *w)
{
    if (sw->n < sizeof(sw->w) / sizeof(sw->w[0])) {
        sw->w[sw->n++] = w;
    }
}

/* The warning texts are fixed so that they can be counted by kind. */
static const char *const k_warnings[] = {
    "no fast pattern: the rule is evaluated for every packet or transaction it may apply to",
    "content too short: the fast pattern is shorter than 3 bytes",
    "pcre without content: the regular expression runs without a prefilter",
    "rule inspects both directions (<>)",
};
enum { W_NO_FP = 0, W_FP_SHORT, W_PCRE_NO_CONTENT, W_BIDIR, W_MAX };

static SigWarnings warnings_of(const Signature *s, const SigFacts *f)
{
    SigWarnings sw = {0};
    bool inspects_data = f->n_payload_lists > 0;
    if (s->fp == NULL && inspects_data) {
        warn(&sw, k_warnings[W_NO_FP]);
    }
    if (s->fp != NULL) {
        const uint8_t *p;
        uint16_t len;
        fp_bytes(s->fp, &p, &len);
        if (len < ANALYSIS_FP_SHORT) {
            warn(&sw, k_warnings[W_FP_SHORT]);
        }
    }
    if (f->n_pcre > 0 && f->n_content == 0) {
        warn(&sw, k_warnings[W_PCRE_NO_CONTENT]);
    }
    if (s->flags & SIG_F_BIDIR) {
        warn(&sw, k_warnings[W_BIDIR]);
    }
    return sw;
}

typedef struct ListsCtx {
    JsonBuf *jb;
} ListsCtx;

static void list_json(const Signature *s, int list, const DetectMatchList *ml, void *user)
{
    (void)s;
    JsonBuf *jb = ((ListsCtx *)user)->jb;
    json_open_object(jb, NULL);
    json_str(jb, "name", detect_list_name(list));
    json_open_array(jb, "keywords");
    for (uint16_t i = 0; i < ml->n; i++) {
        json_str(jb, NULL, ml->m[i].kw != NULL ? ml->m[i].kw->name : "?");
    }
    json_close_array(jb);
    json_close_object(jb);
}

static void sig_json(const DetectEngine *de, const Signature *s, JsonBuf *jb)
{
    SigFacts f = facts_of(s);
    json_open_object(jb, NULL);
    json_u64(jb, "id", s->sid);
    json_u64(jb, "gid", s->gid);
    json_u64(jb, "rev", s->rev);
    json_str(jb, "msg", s->msg != NULL ? s->msg : "");
    json_str(jb, "file", s->file);
    json_i64(jb, "line", s->line);
    json_str(jb, "action", action_name(s->action));
    json_str(jb, "kind", detect_analysis_kind(s));
    const char *ap = s->alproto != 0 ? app_proto_name(s->alproto) : NULL;
    if (ap != NULL) {
        json_str(jb, "app_proto", ap);
    }
    if (s->fp != NULL) {
        const uint8_t *p;
        uint16_t len;
        fp_bytes(s->fp, &p, &len);
        char text[1024];
        pattern_text(p, len, text, sizeof(text));
        json_open_object(jb, "fast_pattern");
        json_str(jb, "buffer", f.fp_list >= 0 ? detect_list_name(f.fp_list) : "?");
        json_str(jb, "pattern", text);
        json_u64(jb, "length", len);
        json_bool(jb, "nocase", (s->fp->flags & DETECT_CONTENT_NOCASE) != 0);
        json_bool(jb, "negated", (s->fp->flags & DETECT_CONTENT_NEGATED) != 0);
        json_bool(jb, "set_by_rule", (s->fp->flags & DETECT_CONTENT_FAST_PATTERN) != 0);
        json_bool(jb, "only", (s->fp->flags & DETECT_CONTENT_FP_ONLY) != 0);
        json_close_object(jb);
    }
    /* Packet groups (protocol/port) the rule is in, and in how many of them
     * its fast pattern prefilters it; tx rules are prefiltered per buffer. */
    uint32_t n_groups = 0;
    uint32_t n_fp = 0;
    for (uint32_t g = 0; g < de->n_groups; g++) {
        bool is_fp = false;
        if (de->groups[g] != NULL && group_has(de->groups[g], s->num, &is_fp)) {
            n_groups++;
            n_fp += is_fp;
        }
    }
    json_open_object(jb, "prefilter");
    if (s->flags & SIG_F_IPONLY) {
        json_str(jb, "by", "address index (ip-only)");
    } else if (s->flags & SIG_F_APP_TX) {
        json_str(jb, "by", s->fp != NULL ? "fast pattern on its buffer" : "none: every tx");
    } else {
        json_str(jb, "by", n_fp > 0 ? "fast pattern" : "none: every packet of its groups");
        json_u64(jb, "groups", n_groups);
        json_u64(jb, "groups_by_fast_pattern", n_fp);
    }
    json_close_object(jb);
    json_open_array(jb, "lists");
    ListsCtx lc = {jb};
    each_list(s, list_json, &lc);
    json_close_array(jb);
    SigWarnings sw = warnings_of(s, &f);
    json_open_array(jb, "warnings");
    for (uint32_t i = 0; i < sw.n; i++) {
        json_str(jb, NULL, sw.w[i]);
    }
    json_close_array(jb);
    json_close_object(jb);
}

void detect_analysis_summary(const DetectEngine *de, DetectAnalysisSummary *out)
{
    memset(out, 0, sizeof(*out));
    for (uint32_t i = 0; i < de->n_sigs; i++) {
        const Signature *s = de->sigs[i];
        SigFacts f = facts_of(s);
        SigWarnings sw = warnings_of(s, &f);
        out->n_rules++;
        out->n_fast_pattern += s->fp != NULL;
        const char *k = detect_analysis_kind(s);
        for (int j = 0; j < DETECT_ANALYSIS_KINDS; j++) {
            if (out->kinds[j].name == NULL || strcmp(out->kinds[j].name, k) == 0) {
                out->kinds[j].name = k;
                out->kinds[j].count++;
                break;
            }
        }
        out->actions[s->action < 8 ? s->action : 0]++;
        for (uint32_t w = 0; w < sw.n; w++) {
            for (int j = 0; j < W_MAX; j++) {
                if (sw.w[w] == k_warnings[j]) {
                    out->warnings[j]++;
                }
            }
        }
    }
    out->n_failed = de->failed;
}

void detect_analysis_print(const DetectAnalysisSummary *sum, FILE *out)
{
    fprintf(out, "rule set: %u rules, %u with a fast pattern, %u refused\n", sum->n_rules,
            sum->n_fast_pattern, sum->n_failed);
    for (int j = 0; j < DETECT_ANALYSIS_KINDS && sum->kinds[j].name != NULL; j++) {
        fprintf(out, "  kind %-20s %u\n", sum->kinds[j].name, sum->kinds[j].count);
    }
    for (int a = 0; a < 8; a++) {
        if (sum->actions[a] > 0) {
            fprintf(out, "  action %-18s %u\n", action_name((uint8_t)a), sum->actions[a]);
        }
    }
    for (int j = 0; j < W_MAX; j++) {
        if (sum->warnings[j] > 0) {
            fprintf(out, "  warning (%u rules): %s\n", sum->warnings[j], k_warnings[j]);
        }
    }
}

int detect_analysis_write(const DetectEngine *de, const char *path)
{
    if (de == NULL || !de->is_built) {
        return VG_EINVAL;
    }
    FILE *fp = fopen(path, "w");
    if (fp == NULL) {
        return VG_EIO;
    }
    JsonBuf jb;
    if (json_buf_init(&jb, 4096) != 0) {
        fclose(fp);
        return VG_ENOMEM;
    }
    int rc = 0;
    for (uint32_t i = 0; i < de->n_sigs && rc == 0; i++) {
        json_buf_reset(&jb);
        sig_json(de, de->sigs[i], &jb);
        if (fwrite(jb.buf, 1, jb.len, fp) != jb.len || fputc('\n', fp) == EOF) {
            rc = VG_EIO;
        }
    }
    DetectFailedRule fr;
    for (uint32_t i = 0; rc == 0 && detect_engine_failed_rule(de, i, &fr); i++) {
        json_buf_reset(&jb);
        json_open_object(&jb, NULL);
        if (fr.sid != 0) {
            json_u64(&jb, "id", fr.sid);
        }
        json_str(&jb, "file", fr.file);
        json_i64(&jb, "line", fr.line);
        json_str(&jb, "raw", fr.text);
        json_str(&jb, "refused", fr.reason);
        json_bool(&jb, "unsupported", fr.unsupported);
        json_close_object(&jb);
        if (fwrite(jb.buf, 1, jb.len, fp) != jb.len || fputc('\n', fp) == EOF) {
            rc = VG_EIO;
        }
    }
    json_buf_deinit(&jb);
    if (fclose(fp) != 0 && rc == 0) {
        rc = VG_EIO;
    }
    return rc;
}
