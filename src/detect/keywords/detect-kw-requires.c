/* The `requires` rule option (Suricata 7.0.3+): a rule states what the engine must
 * offer, and an engine that does not is to skip the rule quietly, before reading the
 * rest of it (so a rule for a newer engine may use protocols or keywords this one does
 * not know):
 *
 *   requires: feature ja4, version >= 7.0.3 < 8 | >= 8.0.3, keyword email.body_md5;
 *
 * Requirements are separated by ','. `version` holds alternatives separated by '|',
 * each a list of comparisons (>=, >, <=, <, =) that must all hold; missing version
 * parts are 0. `feature` names an engine feature, `keyword` a rule keyword or sticky
 * buffer. An unknown requirement is unmet (Suricata 7.0.8+: skipped, not an error); a
 * malformed version is an error.
 *
 * The version compared is DETECT_REQUIRES_VERSION: the Suricata release whose rule
 * language Vigil follows. Called on the main thread while rules load. */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/tls/app-layer-tls-tx.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

static const unsigned DETECT_REQUIRES_VERSION[3] = { 8, 0, 7 };

/* Engine features a rule may require. */
static bool has_feature(const char *name, size_t len)
{
    if (len == 3 && strncmp(name, "ja3", 3) == 0) {
        return tls_ja3_enabled();
    }
    if (len == 3 && strncmp(name, "ja4", 3) == 0) {
        return tls_ja4_enabled();
    }
    return false;
}

static bool has_keyword(const char *name, size_t len)
{
    char buf[64];
    if (len == 0 || len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, name, len);
    buf[len] = '\0';
    return detect_keyword_find(buf) != NULL || detect_app_is_buffer_name(buf);
}

static int cmp_version(const unsigned a[3], const unsigned b[3])
{
    for (int i = 0; i < 3; i++) {
        if (a[i] != b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    return 0;
}

/* "7", "7.0" or "7.0.3" at *p (advanced past it); false when malformed. */
static bool parse_version(const char **p, const char *end, unsigned v[3])
{
    v[0] = v[1] = v[2] = 0;
    for (int i = 0; i < 3; i++) {
        if (*p >= end || !isdigit((unsigned char)**p)) {
            return false;
        }
        unsigned n = 0;
        while (*p < end && isdigit((unsigned char)**p) && n < 100000) {
            n = n * 10 + (unsigned)(**p - '0');
            (*p)++;
        }
        v[i] = n;
        if (*p >= end || **p != '.' || i == 2) {
            break;
        }
        (*p)++;
    }
    return *p >= end || **p == ' ' || **p == '\t' || **p == '|';
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t')) {
        p++;
    }
    return p;
}

/* One alternative: comparisons that must all hold. 1 met, 0 not, VG_EINVAL malformed. */
static int eval_alternative(const char *p, const char *end)
{
    int met = 1;
    int n = 0;
    for (p = skip_ws(p, end); p < end; p = skip_ws(p, end)) {
        char op[3] = "";
        size_t k = 0;
        while (p < end && k < 2 && strchr("<>=", *p) != NULL) {
            op[k++] = *p++;
        }
        unsigned v[3];
        p = skip_ws(p, end);
        if (k == 0 || !parse_version(&p, end, v)) {
            return VG_EINVAL;
        }
        int c = cmp_version(DETECT_REQUIRES_VERSION, v);
        bool ok;
        if (strcmp(op, ">=") == 0) {
            ok = c >= 0;
        } else if (strcmp(op, ">") == 0) {
            ok = c > 0;
        } else if (strcmp(op, "<=") == 0) {
            ok = c <= 0;
        } else if (strcmp(op, "<") == 0) {
            ok = c < 0;
        } else if (strcmp(op, "=") == 0 || strcmp(op, "==") == 0) {
            ok = c == 0;
        } else {
            return VG_EINVAL;
        }
        met &= ok;
        n++;
    }
    return n > 0 ? met : VG_EINVAL;
}

static int eval_version(const char *p, const char *end)
{
    int met = 0;
    while (p <= end) {
        const char *bar = memchr(p, '|', (size_t)(end - p));
        const char *alt_end = bar != NULL ? bar : end;
        int r = eval_alternative(p, alt_end);
        if (r < 0) {
            return r;
        }
        met |= r;
        if (bar == NULL) {
            break;
        }
        p = bar + 1;
    }
    return met;
}

/* One requirement [p, end): 1 met, 0 not (why filled), VG_EINVAL malformed. */
static int eval_requirement(const char *p, const char *end, char *why, size_t whylen)
{
    p = skip_ws(p, end);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t')) {
        end--;
    }
    const char *sp = p;
    while (sp < end && *sp != ' ' && *sp != '\t') {
        sp++;
    }
    size_t klen = (size_t)(sp - p);
    const char *arg = skip_ws(sp, end);
    size_t alen = (size_t)(end - arg);
    if (klen == 0) {
        return VG_EINVAL;
    }
    int met;
    if (klen == 7 && strncmp(p, "version", 7) == 0) {
        met = eval_version(arg, end);
    } else if (klen == 7 && strncmp(p, "feature", 7) == 0) {
        met = alen > 0 && has_feature(arg, alen);
    } else if (klen == 7 && strncmp(p, "keyword", 7) == 0) {
        met = alen > 0 && has_keyword(arg, alen);
    } else {
        met = 0;  // a requirement this engine does not know
    }
    if (met == 0) {
        snprintf(why, whylen, "missing a required %s: %.*s",
                 klen == 7 && strncmp(p, "version", 7) == 0 ? "version" : "feature",
                 (int)(end - p < 200 ? end - p : 200), p);
    }
    return met;
}

int detect_requires_eval(const char *val, size_t len, char *why, size_t whylen)
{
    const char *p = val;
    const char *end = val + len;
    int n = 0;
    while (p < end) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *req_end = comma != NULL ? comma : end;
        int r = eval_requirement(p, req_end, why, whylen);
        if (r < 0) {
            snprintf(why, whylen, "requires: bad requirement '%.*s'",
                     (int)(req_end - p < 200 ? req_end - p : 200), p);
            return r;
        }
        if (r == 0) {
            return 0;
        }
        n++;
        p = req_end + 1;
    }
    if (n == 0) {
        snprintf(why, whylen, "requires: needs a value");
        return VG_EINVAL;
    }
    return 1;
}

/* The value of the rule's `requires` option, if any: the options are split as the
 * parser does (';' not escaped by a backslash). */
static bool find_requires(const char *rule, const char **val, size_t *vlen)
{
    const char *open = strchr(rule, '(');
    const char *close = strrchr(rule, ')');
    if (open == NULL || close == NULL || close < open) {
        return false;
    }
    const char *p = open + 1;
    while (p < close) {
        const char *q = p;
        while (q < close && !(*q == ';' && (q == p || q[-1] != '\\' ||
                                            (q - p >= 2 && q[-2] == '\\')))) {
            q++;
        }
        const char *o = skip_ws(p, q);
        if ((size_t)(q - o) > 8 && strncmp(o, "requires", 8) == 0) {
            const char *c = skip_ws(o + 8, q);
            if (c < q && *c == ':') {
                *val = skip_ws(c + 1, q);
                *vlen = (size_t)(q - *val);
                return true;
            }
        }
        p = q + 1;
    }
    return false;
}

int detect_requires_check(const char *rule, char *why, size_t whylen)
{
    const char *val;
    size_t vlen;
    if (!find_requires(rule, &val, &vlen)) {
        return 1;
    }
    while (vlen > 0 && (val[vlen - 1] == ' ' || val[vlen - 1] == '\t')) {
        vlen--;
    }
    return detect_requires_eval(val, vlen, why, whylen);
}

/* The option itself: detect_requires_check has evaluated it before the rule was parsed
 * (a rule reaching here meets it); kept in the keyword table so the option is known. */
static int setup_requires(DetectParser *dp, const char *arg)
{
    char why[DETECT_ERR_MAX];
    int r = detect_requires_eval(arg, strlen(arg), why, sizeof(why));
    if (r < 0) {
        return detect_err(dp, "%s", why);
    }
    return 0;
}

const DetectKeyword detect_kw_requires = {
    .name = "requires", .desc = "engine version, features or keywords the rule needs",
    .flags = DETECT_KW_RAW_VALUE, .setup = setup_requires,
};
