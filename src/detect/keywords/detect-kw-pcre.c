/* pcre: Perl-compatible regular expressions over the payload (PCRE2 + JIT).
 * "/regex/flags", optionally negated with '!'. Flags: i s m x A E G R B O,
 * and Suricata's HTTP buffer flags, which put the pcre on that buffer
 * (U http.uri, I http.uri.raw, P http.request_body, Q file.data,
 * H http.header, D http.header.raw, M http.method, C http.cookie,
 * S http.stat_code, Y http.stat_msg, V http.user_agent, W http.host,
 * Z http.host.raw). Matching runs from detect-inspect.c.
 * Captures can be stored when the rule matches: "/re/flags, flow:a, pkt:b,
 * alert:c" (group 1, 2, ... in order) or named groups (?P<flow_a>...),
 * (?P<pkt_b>...), (?P<alert_c>...); EVE logs them (metadata.flowvars,
 * metadata.pktvars, alert.context). */

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
        for (uint8_t i = 0; i < p->n_vars; i++) {
            free(p->vars[i].name);
        }
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

static int add_var(DetectParser *dp, DetectPcre *pc, const char *spec, size_t len,
                   uint8_t capture)
{
    static const struct {
        const char *prefix;
        uint8_t kind;
    } kinds[] = {{"flow", DETECT_VAR_FLOW}, {"pkt", DETECT_VAR_PKT}, {"alert", DETECT_VAR_ALERT}};
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
        size_t pl = strlen(kinds[i].prefix);
        if (len <= pl + 1 || strncmp(spec, kinds[i].prefix, pl) != 0 ||
            (spec[pl] != ':' && spec[pl] != '_')) {
            continue;
        }
        if (pc->n_vars >= DETECT_PCRE_VARS_MAX) {
            return detect_err(dp, "pcre: more than %d capture variables", DETECT_PCRE_VARS_MAX);
        }
        if (capture >= pc->ovec_pairs) {
            return detect_err(dp, "pcre: variable '%.*s' without a capture group", (int)len,
                              spec);
        }
        char *name = detect_strndup(spec + pl + 1, len - pl - 1);
        if (name == NULL) {
            return detect_err(dp, "out of memory");
        }
        pc->vars[pc->n_vars++] = (DetectPcreVar){ .kind = kinds[i].kind, .capture = capture,
                                                  .name = name };
        dp->de->has_pcre_vars = true;
        return 0;
    }
    return detect_err(dp, "pcre: bad capture variable '%.*s' (flow:, pkt: or alert:NAME)",
                      (int)len, spec);
}

/* ", flow:a, pkt:b" after the flags: group 1, 2, ... */
static int parse_var_list(DetectParser *dp, DetectPcre *pc, const char *s, const char *end)
{
    uint8_t capture = 1;
    while (s < end) {
        while (s < end && (*s == ' ' || *s == ',')) {
            s++;
        }
        const char *e = s;
        while (e < end && *e != ',') {
            e++;
        }
        size_t len = (size_t)(e - s);
        while (len > 0 && s[len - 1] == ' ') {
            len--;
        }
        if (len > 0 && add_var(dp, pc, s, len, capture++) != 0) {
            return VG_EINVAL;
        }
        s = e;
    }
    return 0;
}

/* Named groups flow_NAME, pkt_NAME, alert_NAME; other names are plain groups. */
static int parse_named_vars(DetectParser *dp, DetectPcre *pc)
{
    uint32_t count = 0;
    uint32_t entry = 0;
    PCRE2_SPTR table = NULL;
    pcre2_pattern_info(pc->code, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(pc->code, PCRE2_INFO_NAMEENTRYSIZE, &entry);
    pcre2_pattern_info(pc->code, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < count && table != NULL; i++) {
        const uint8_t *e = table + (size_t)i * entry;
        uint8_t group = (uint8_t)((e[0] << 8) | e[1]);
        const char *name = (const char *)e + 2;
        bool is_var = strncmp(name, "flow_", 5) == 0 || strncmp(name, "pkt_", 4) == 0 ||
                      strncmp(name, "alert_", 6) == 0;
        if (is_var && add_var(dp, pc, name, strlen(name), group) != 0) {
            return VG_EINVAL;
        }
    }
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
    const char *flags_end = memchr(last + 1, ',', (size_t)(arg + len - (last + 1)));
    const char *vars = flags_end != NULL ? flags_end : arg + len;
    if (flags_end == NULL) {
        flags_end = arg + len;
    }
    while (flags_end > last + 1 && *vars == ',' && flags_end[-1] == ' ') {
        flags_end--;   // "/re/i , flow:x"
    }
    for (const char *f = last + 1; f < flags_end; f++) {
        if (apply_flag(dp, *f, &opts, pc, &list) != 0) {
            free(pc);
            return VG_EINVAL;
        }
    }
    if (compile(dp, pc, arg + 1, (size_t)(last - arg - 1), opts) != 0) {
        free(pc);
        return VG_EINVAL;
    }
    if (parse_named_vars(dp, pc) != 0 || parse_var_list(dp, pc, vars, arg + len) != 0) {
        pcre_free_ctx(pc);
        return VG_EINVAL;
    }
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
