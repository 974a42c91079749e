/* Rule metadata keywords: msg sid rev gid classtype priority reference
 * metadata target. They describe the rule and never inspect packets. */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"
#include "util/util-log.h"

static int setup_msg(DetectParser *dp, const char *arg)
{
    free(dp->s->msg);
    dp->s->msg = detect_strndup(arg, strlen(arg));
    return dp->s->msg ? 0 : detect_err(dp, "out of memory");
}

static int setup_u32(DetectParser *dp, const char *arg, const char *what, int64_t min,
                     uint32_t *out)
{
    DetectValue v;
    if (detect_parse_value(dp, arg, false, min, UINT32_MAX, &v) != 0) {
        size_t digits = strspn(arg, "0123456789");
        if (digits > 0 && arg[digits] == '\0') {
            return detect_err(dp, "bad %s '%s': out of range (%lld-%lu)", what, arg,
                              (long long)min, (unsigned long)UINT32_MAX);
        }
        return detect_err(dp, "bad %s '%s'", what, arg);
    }
    *out = (uint32_t)v.val;
    return 0;
}

static int setup_sid(DetectParser *dp, const char *arg)
{
    return setup_u32(dp, arg, "sid", 1, &dp->s->sid);
}

static int setup_rev(DetectParser *dp, const char *arg)
{
    return setup_u32(dp, arg, "rev", 0, &dp->s->rev);
}

static int setup_gid(DetectParser *dp, const char *arg)
{
    return setup_u32(dp, arg, "gid", 0, &dp->s->gid);
}

/* An unknown classtype is a warning, not a refusal (as Suricata since 5.0): the
 * class is informational, and a missing or stale classification file must not
 * take whole rule sets down with it. The rule keeps no class (category "",
 * priority 3 unless `priority` says otherwise). */
static int setup_classtype(DetectParser *dp, const char *arg)
{
    const DetectClass *c = detect_class_find(dp->de, arg);
    if (c == NULL) {
        VG_WARN("%s:%d: unknown classtype '%s': the rule loads without a class",
                dp->s->file ? dp->s->file : "<rule>", dp->s->line, arg);
        return 0;
    }
    dp->s->cls = c;
    return 0;
}

static int setup_priority(DetectParser *dp, const char *arg)
{
    DetectValue v;
    if (detect_parse_value(dp, arg, false, 1, 255, &v) != 0) {
        return detect_err(dp, "bad priority '%s' (1-255)", arg);
    }
    dp->s->priority = (int)v.val;
    dp->s->flags |= SIG_F_PRIORITY_SET;
    return 0;
}

/* The URL prefix reference.config gives the system (its names compare
 * without case, as ET writes both "McAfee" and "mcafee"), or "". */
static const char *ref_prefix(const DetectEngine *de, const char *sys, size_t len)
{
    for (size_t i = 0; i < de->n_refsys; i++) {
        if (strlen(de->refsys[i].name) == len && strncasecmp(de->refsys[i].name, sys, len) == 0) {
            return de->refsys[i].url;
        }
    }
    return "";
}

static int setup_reference(DetectParser *dp, const char *arg)
{
    const char *comma = strchr(arg, ',');
    if (comma == NULL || comma == arg || comma[1] == '\0') {
        return detect_err(dp, "bad reference '%s' (expected system,id)", arg);
    }
    if (!dp->de->keep_references) {
        return 0; // no output writes them: not worth the memory of every rule's links
    }
    Signature *s = dp->s;
    if (s->n_refs == UINT16_MAX) {
        return detect_err(dp, "too many references");
    }
    const char *sys = arg;
    size_t sys_len = (size_t)(comma - arg);
    detect_trim_span(&sys, &sys_len);
    const char *val = comma + 1;
    size_t val_len = strlen(val);
    detect_trim_span(&val, &val_len);
    const char *prefix = ref_prefix(dp->de, sys, sys_len);
    size_t plen = strlen(prefix);
    char **refs = realloc(s->refs, (s->n_refs + 1u) * sizeof(*refs));
    if (refs == NULL) {
        return detect_err(dp, "out of memory");
    }
    s->refs = refs;
    char *link = malloc(plen + val_len + 1);
    if (link == NULL) {
        return detect_err(dp, "out of memory");
    }
    memcpy(link, prefix, plen);
    memcpy(link + plen, val, val_len);
    link[plen + val_len] = '\0';
    refs[s->n_refs++] = link;
    return 0;
}

static int add_meta(DetectParser *dp, const char *k, size_t klen, const char *v, size_t vlen)
{
    Signature *s = dp->s;
    if (s->n_meta >= 256) {
        return detect_err(dp, "too many metadata entries");
    }
    DetectMetadata *m = realloc(s->meta, (s->n_meta + 1u) * sizeof(*m));
    if (m == NULL) {
        return detect_err(dp, "out of memory");
    }
    s->meta = m;
    char *key = detect_strndup(k, klen);
    char *val = detect_strndup(v, vlen);
    if (key == NULL || val == NULL) {
        free(key);
        free(val);
        return detect_err(dp, "out of memory");
    }
    m[s->n_meta++] = (DetectMetadata){ key, val };
    return 0;
}

/* "key value, key value": each entry is split at its first space. */
static int setup_metadata(DetectParser *dp, const char *arg)
{
    const char *p = arg;
    while (*p != '\0') {
        while (*p == ' ' || *p == ',') {
            p++;
        }
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        while (len > 0 && p[len - 1] == ' ') {
            len--;
        }
        if (len > 0) {
            const char *sp = memchr(p, ' ', len);
            size_t klen = sp ? (size_t)(sp - p) : len;
            const char *v = sp ? sp + 1 : p + len;
            while (v < p + len && *v == ' ') {
                v++;
            }
            if (add_meta(dp, p, klen, v, (size_t)(p + len - v)) != 0) {
                return VG_ENOMEM;
            }
        }
        p = end ? end + 1 : p + strlen(p);
    }
    return 0;
}

static int setup_target(DetectParser *dp, const char *arg)
{
    if (strcmp(arg, "src_ip") == 0) {
        dp->s->flags |= SIG_F_TARGET_SRC;
    } else if (strcmp(arg, "dest_ip") == 0) {
        dp->s->flags |= SIG_F_TARGET_DST;
    } else {
        return detect_err(dp, "bad target '%s' (src_ip or dest_ip)", arg);
    }
    return 0;
}

/* Suricata uses 'prefilter' to pick the preceding keyword as the rule's
 * prefilter engine. It changes which rules are inspected first, never what
 * matches, and every rule here is fully checked, so it only needs a keyword
 * before it to refer to. */
static int setup_prefilter(DetectParser *dp, const char *arg)
{
    (void)arg;
    const Signature *s = dp->s;
    if (s->lists[DETECT_LIST_MATCH].n == 0 && s->lists[DETECT_LIST_PMATCH].n == 0) {
        return detect_err(dp, "prefilter needs a match keyword before it");
    }
    return 0;
}

/* 'alert' on a pass rule: the pass still stops inspection, and the rule is
 * also logged as an alert (its action stays pass). Other actions alert anyway. */
static int setup_alert(DetectParser *dp, const char *arg)
{
    (void)arg;
    dp->s->flags |= SIG_F_PASS_ALERT;
    return 0;
}

const DetectKeyword detect_kw_msg = {
    .name = "msg", .desc = "message of the alert", .setup = setup_msg,
};
const DetectKeyword detect_kw_sid = {
    .name = "sid", .desc = "signature id", .setup = setup_sid,
};
const DetectKeyword detect_kw_rev = {
    .name = "rev", .desc = "signature revision", .setup = setup_rev,
};
const DetectKeyword detect_kw_gid = {
    .name = "gid", .desc = "generator id", .setup = setup_gid,
};
const DetectKeyword detect_kw_classtype = {
    .name = "classtype", .desc = "classification (classification.config)",
    .setup = setup_classtype,
};
const DetectKeyword detect_kw_priority = {
    .name = "priority", .desc = "alert priority 1-255", .setup = setup_priority,
};
const DetectKeyword detect_kw_reference = {
    .name = "reference", .desc = "external reference system,id", .setup = setup_reference,
};
const DetectKeyword detect_kw_metadata = {
    .name = "metadata", .desc = "key value pairs logged with the alert",
    .setup = setup_metadata,
};
const DetectKeyword detect_kw_target = {
    .name = "target", .desc = "which side is the target (src_ip, dest_ip)",
    .setup = setup_target,
};
const DetectKeyword detect_kw_prefilter = {
    .name = "prefilter", .desc = "use the preceding keyword as the prefilter",
    .flags = DETECT_KW_NOOPT, .setup = setup_prefilter,
};
const DetectKeyword detect_kw_alert = {
    .name = "alert", .desc = "a pass rule also logs an alert", .flags = DETECT_KW_NOOPT,
    .setup = setup_alert,
};
