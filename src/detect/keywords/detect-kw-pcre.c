/* pcre: Perl-compatible regular expressions over the payload (PCRE2 + JIT).
 * "/regex/flags", optionally negated with '!'. Flags: i s m x A E G R B O,
 * and Suricata's HTTP buffer flags, which put the pcre on that buffer
 * (U http.uri, I http.uri.raw, P http.request_body, Q file.data,
 * H http.header, D http.header.raw, M http.method, C http.cookie,
 * S http.stat_code, Y http.stat_msg, V http.user_agent, W http.host,
 * Z http.host.raw). Matching runs from detect-inspect.c. */

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

static void pcre_free_ctx(void *ctx)
{
    DetectPcre *p = ctx;
    if (p != NULL) {
        detect_capture_free(p);
        pcre2_code_free(p->code);
        free(p);
    }
}

static const struct {
    char flag;
    const char *buf;
} http_flags[] = {
    { 'U', "http.uri" },          { 'I', "http.uri.raw" },   { 'P', "http.request_body" },
    { 'Q', "file.data" }, { 'H', "http.header" },   { 'D', "http.header.raw" },
    { 'M', "http.method" },       { 'C', "http.cookie" },    { 'S', "http.stat_code" },
    { 'Y', "http.stat_msg" },     { 'V', "http.user_agent" }, { 'W', "http.host" },
    { 'Z', "http.host.raw" },
};

static int apply_flag(DetectParser *dp, char f, uint32_t *opts, DetectPcre *pc, int *list)
{
    for (size_t i = 0; i < sizeof(http_flags) / sizeof(http_flags[0]); i++) {
        if (http_flags[i].flag != f) {
            continue;
        }
        int idx = detect_app_buf_find(http_flags[i].buf);
        if (idx < 0) {
            return detect_err(dp, "unsupported pcre modifier '%c' (no %s buffer)", f,
                              http_flags[i].buf);
        }
        if (*list != DETECT_LIST_PMATCH) {
            return detect_err(dp, "pcre with more than one buffer modifier");
        }
        *list = DETECT_LIST_APP_FIRST + idx;
        return 0;
    }
    switch (f) {
    case 'i': *opts |= PCRE2_CASELESS; break;
    case 's': *opts |= PCRE2_DOTALL; break;
    case 'm': *opts |= PCRE2_MULTILINE; break;
    case 'x': *opts |= PCRE2_EXTENDED; break;
    case 'A': *opts |= PCRE2_ANCHORED; break;
    case 'E': *opts |= PCRE2_DOLLAR_ENDONLY; break;
    case 'G': *opts |= PCRE2_UNGREEDY; break;
    case 'R': pc->flags |= DETECT_PM_F_RELATIVE; break;
    case 'B':
    case 'O':
        break;
    default:
        return detect_err(dp, "unknown pcre modifier '%c'", f);
    }
    return 0;
}

static int compile(DetectParser *dp, DetectPcre *pc, const char *re, size_t len, uint32_t opts)
{
    int errcode;
    PCRE2_SIZE erroff;
    pcre2_code *code = pcre2_compile((PCRE2_SPTR)re, len, opts, &errcode, &erroff, NULL);
    if (code == NULL) {
        PCRE2_UCHAR msg[128];
        pcre2_get_error_message(errcode, msg, sizeof(msg));
        return detect_err(dp, "pcre compile error at offset %zu: %s", (size_t)erroff,
                          (const char *)msg);
    }
    (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);  // falls back to the interpreter
    uint32_t captures = 0;
    pcre2_pattern_info(code, PCRE2_INFO_CAPTURECOUNT, &captures);
    pc->code = code;
    pc->ovec_pairs = captures + 1;
    return 0;
}

static int setup_pcre(DetectParser *dp, const char *arg)
{
    while (*arg == ' ') {
        arg++;
    }
    bool neg = *arg == '!';
    arg += neg;
    size_t len = strlen(arg);
    bool quoted = len >= 2 && arg[0] == '"' && arg[len - 1] == '"';
    if (!quoted && (len < 2 || arg[0] != '/')) {
        return detect_err(dp, "pcre must be quoted");  // Suricata also takes /re/flags bare
    }
    if (quoted) {
        arg++;
        len -= 2;
    }
    const char *last = NULL;
    for (size_t i = len; i > 0; i--) {
        if (arg[i - 1] == '/') {
            last = arg + i - 1;
            break;
        }
    }
    if (len < 2 || arg[0] != '/' || last == NULL || last == arg) {
        return detect_err(dp, "pcre must look like \"/regex/flags\"");
    }
    DetectPcre *pc = calloc(1, sizeof(*pc));
    if (pc == NULL) {
        return detect_err(dp, "out of memory");
    }
    pc->flags = neg ? DETECT_PM_F_NEGATED : 0;
    uint32_t opts = 0;
    int list = DETECT_LIST_PMATCH;
    const char *caps = NULL;     // ", flow:NAME, pkt:NAME, alert:NAME" after the flags
    for (const char *f = last + 1; f < arg + len; f++) {
        if (*f == ',') {
            caps = f;
            break;
        }
        if (*f == ' ') {
            continue;
        }
        if (apply_flag(dp, *f, &opts, pc, &list) != 0) {
            free(pc);
            return VG_EINVAL;
        }
    }
    if (compile(dp, pc, arg + 1, (size_t)(last - arg - 1), opts) != 0) {
        free(pc);
        return VG_EINVAL;
    }
    char *caps_s = caps != NULL ? strndup(caps, (size_t)(arg + len - caps)) : NULL;
    if ((caps != NULL && caps_s == NULL) || detect_capture_setup(dp, pc, caps_s) != 0) {
        free(caps_s);
        pcre_free_ctx(pc);
        return dp->err[0] ? VG_EINVAL : detect_err(dp, "out of memory");
    }
    free(caps_s);
    if (pc->ovec_pairs > dp->de->max_pcre_pairs) {
        dp->de->max_pcre_pairs = pc->ovec_pairs;
    }
    if (list == DETECT_LIST_PMATCH) {
        return detect_append(dp, DETECT_LIST_PMATCH, &detect_kw_pcre, pc, DETECT_PM_PCRE);
    }
    /* Suricata's http.response_body is its file_data buffer of responses: /Q after
     * it stays there. */
    if (list != dp->pm_list && dp->pm_list >= DETECT_LIST_APP_FIRST &&
        strcmp(detect_list_name(list), "file.data") == 0 &&
        strcmp(detect_list_name(dp->pm_list), "http.response_body") == 0) {
        list = dp->pm_list;
    }
    if (dp->pm_list != DETECT_LIST_PMATCH && dp->pm_list != list) {
        pcre_free_ctx(pc);
        return detect_err(dp, "pcre buffer modifier for %s while sticky buffer %s is set "
                              "(reset it with pkt_data)", detect_list_name(list),
                          detect_list_name(dp->pm_list));
    }
    /* The buffer's list, as if its sticky buffer were selected for this pcre only. */
    dp->pm_list = (uint16_t)list;
    int rc = detect_sig_list_get(dp, list) != NULL
                 ? detect_append(dp, DETECT_LIST_PMATCH, &detect_kw_pcre, pc, DETECT_PM_PCRE)
                 : (pcre_free_ctx(pc), detect_err(dp, "out of memory"));
    dp->pm_list = DETECT_LIST_PMATCH;
    return rc;
}

const DetectKeyword detect_kw_pcre = {
    .name = "pcre", .desc = "regular expression on the payload (\"/re/flags\")",
    .flags = DETECT_KW_RAW_VALUE, .setup = setup_pcre, .free = pcre_free_ctx,
};
