/* HTTP keywords that are not plain sticky buffers (those come from the
 * app-layer buffer registry, detect-app.c): the legacy content modifiers
 * (http_uri, http_raw_uri, ...) moving the preceding content to a buffer,
 * uricontent, urilen, and bsize (length of the current buffer). */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

#define MODIFIER(fn, kwname, buf)                                                            \
    static int fn(DetectParser *dp, const char *arg)                                         \
    {                                                                                        \
        (void)arg;                                                                           \
        return detect_app_move_last_content(dp, buf, kwname);                                \
    }

MODIFIER(setup_http_uri, "http_uri", "http.uri")
MODIFIER(setup_http_raw_uri, "http_raw_uri", "http.uri.raw")
MODIFIER(setup_http_method, "http_method", "http.method")
MODIFIER(setup_http_header, "http_header", "http.header")
MODIFIER(setup_http_raw_header, "http_raw_header", "http.header.raw")
MODIFIER(setup_http_cookie, "http_cookie", "http.cookie")
MODIFIER(setup_http_user_agent, "http_user_agent", "http.user_agent")
MODIFIER(setup_http_host, "http_host", "http.host")
MODIFIER(setup_http_raw_host, "http_raw_host", "http.host.raw")
MODIFIER(setup_http_client_body, "http_client_body", "http.request_body")
MODIFIER(setup_http_server_body, "http_server_body", "http.response_body")
MODIFIER(setup_http_stat_code, "http_stat_code", "http.stat_code")
MODIFIER(setup_http_stat_msg, "http_stat_msg", "http.stat_msg")

#define MODIFIER_KW(var, kwname, fn, what)                                                   \
    const DetectKeyword var = {                                                              \
        .name = kwname, .desc = "content modifier: the preceding content inspects " what,    \
        .flags = DETECT_KW_NOOPT, .setup = fn,                                               \
    };

MODIFIER_KW(detect_kw_http_uri, "http_uri", setup_http_uri, "http.uri")
MODIFIER_KW(detect_kw_http_raw_uri, "http_raw_uri", setup_http_raw_uri, "http.uri.raw")
MODIFIER_KW(detect_kw_http_method, "http_method", setup_http_method, "http.method")
MODIFIER_KW(detect_kw_http_header, "http_header", setup_http_header, "http.header")
MODIFIER_KW(detect_kw_http_raw_header, "http_raw_header", setup_http_raw_header,
            "http.header.raw")
MODIFIER_KW(detect_kw_http_cookie, "http_cookie", setup_http_cookie, "http.cookie")
MODIFIER_KW(detect_kw_http_user_agent, "http_user_agent", setup_http_user_agent,
            "http.user_agent")
MODIFIER_KW(detect_kw_http_host, "http_host", setup_http_host, "http.host")
MODIFIER_KW(detect_kw_http_raw_host, "http_raw_host", setup_http_raw_host, "http.host.raw")
MODIFIER_KW(detect_kw_http_client_body, "http_client_body", setup_http_client_body,
            "http.request_body")
MODIFIER_KW(detect_kw_http_server_body, "http_server_body", setup_http_server_body,
            "http.response_body")
MODIFIER_KW(detect_kw_http_stat_code, "http_stat_code", setup_http_stat_code, "http.stat_code")
MODIFIER_KW(detect_kw_http_stat_msg, "http_stat_msg", setup_http_stat_msg, "http.stat_msg")

/* uricontent:"x" is content:"x"; http_uri (Snort's legacy form). */
static int setup_uricontent(DetectParser *dp, const char *arg)
{
    if (dp->pm_list != DETECT_LIST_PMATCH) {
        return detect_err(dp, "uricontent can't follow a sticky buffer");
    }
    int rc = detect_kw_content.setup(dp, arg);
    return rc != 0 ? rc : detect_app_move_last_content(dp, "http.uri", "uricontent");
}

const DetectKeyword detect_kw_uricontent = {
    .name = "uricontent", .desc = "content in the normalized URI (content + http_uri)",
    .flags = DETECT_KW_RAW_VALUE, .setup = setup_uricontent,
};

/* ---- buffer length ------------------------------------------------------ */

static int append_bsize(DetectParser *dp, int list, const char *arg, const DetectKeyword *kw)
{
    DetectUint *u = malloc(sizeof(*u));
    if (u == NULL) {
        return detect_err(dp, "out of memory");
    }
    if (detect_uint_parse(dp, arg, UINT32_MAX, u) != 0) {
        free(u);
        return VG_EINVAL;
    }
    uint16_t pm_list = dp->pm_list;
    uint16_t last_list = dp->last_list;
    int last_pm = dp->last_pm;
    dp->pm_list = (uint16_t)list;
    int rc = detect_append(dp, DETECT_LIST_PMATCH, kw, u, DETECT_PM_BSIZE);
    /* A length check is no payload position: relative keywords keep referring
     * to what they referred to before. */
    dp->pm_list = pm_list;
    dp->last_list = last_list;
    dp->last_pm = last_pm;
    return rc;
}

/* urilen:[<>]N[<>M][,norm|raw]: length of the normalized (default) or raw URI. */
static int setup_urilen(DetectParser *dp, const char *arg)
{
    char val[64];
    const char *comma = strchr(arg, ',');
    size_t n = comma ? (size_t)(comma - arg) : strlen(arg);
    if (n == 0 || n >= sizeof(val)) {
        return detect_err(dp, "bad urilen '%s'", arg);
    }
    memcpy(val, arg, n);
    val[n] = '\0';
    const char *buf = "http.uri";
    if (comma != NULL) {
        const char *opt = comma + 1;
        size_t olen = strlen(opt);
        detect_trim_span(&opt, &olen);
        if (olen == 3 && strncmp(opt, "raw", 3) == 0) {
            buf = "http.uri.raw";
        } else if (!(olen == 4 && strncmp(opt, "norm", 4) == 0)) {
            return detect_err(dp, "bad urilen option '%.*s' (norm or raw)", (int)olen, opt);
        }
    }
    int idx = detect_app_buf_find(buf);
    if (idx < 0) {
        return detect_err_unsupported(dp, "urilen");
    }
    return append_bsize(dp, DETECT_LIST_APP_FIRST + idx, val, &detect_kw_urilen);
}

static int setup_bsize(DetectParser *dp, const char *arg)
{
    if (dp->pm_list < DETECT_LIST_APP_FIRST) {
        return detect_err(dp, "bsize needs an app-layer sticky buffer before it");
    }
    return append_bsize(dp, dp->pm_list, arg, &detect_kw_bsize);
}

const DetectKeyword detect_kw_urilen = {
    .name = "urilen", .desc = "length of the URI (N, <N, >N, N<>M; ,norm or ,raw)",
    .setup = setup_urilen, .free = free,
};
const DetectKeyword detect_kw_bsize = {
    .name = "bsize", .desc = "length of the current sticky buffer (N, <N, >N, N<>M)",
    .setup = setup_bsize, .free = free,
};
