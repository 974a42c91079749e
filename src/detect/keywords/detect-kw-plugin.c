/* Rule keywords of plugins (runtime/plugin.h VgKeyword): each becomes a
 * DetectKeyword with the plugin's descriptor attached. A VG_KW_BUFFER
 * keyword is an element of the payload chain (the packet payload, the
 * reassembled stream, or the sticky buffer before it); others are header
 * checks on the packet. The table is filled at start-up by plugin_load_all
 * (main thread, before any rule is parsed) and read-only afterwards. */
#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "runtime/plugin-internal.h"
#include "util/util-error.h"
#include "util/util-log.h"

static DetectKeyword g_plugin_kws[PLUGIN_KEYWORDS_MAX];
static uint32_t g_n_plugin_kws;

const DetectKeyword *detect_plugin_keyword_find(const char *name)
{
    for (uint32_t i = 0; i < g_n_plugin_kws; i++) {
        if (strcmp(g_plugin_kws[i].name, name) == 0) {
            return &g_plugin_kws[i];
        }
    }
    return NULL;
}

static void plugin_free(void *ctx)
{
    DetectPluginCtx *pc = ctx;
    if (pc == NULL) {
        return;
    }
    if (pc->ctx != NULL && pc->kd->free != NULL) {
        pc->kd->free(pc->ctx);
    }
    free(pc);
}

static bool verdict(const VgKeyword *kd, int rc)
{
    if (rc < 0) {
        plugin_callback_error("keyword", kd->name, rc);
        return false;
    }
    return rc > 0;
}

static bool plugin_match(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    const DetectPluginCtx *pc = ctx;
    return verdict(pc->kd, pc->kd->match_packet(pc->ctx, p));
}

bool detect_plugin_match_buffer(const DetectPluginCtx *pc, const uint8_t *buf, uint32_t len)
{
    return verdict(pc->kd, pc->kd->match_buffer(pc->ctx, buf, len));
}

int detect_plugin_setup(DetectParser *dp, const DetectKeyword *kw, const char *arg)
{
    const VgKeyword *kd = kw->plugin;
    DetectPluginCtx *pc = calloc(1, sizeof(*pc));
    if (pc == NULL) {
        return detect_err(dp, "%s: out of memory", kd->name);
    }
    pc->kd = kd;
    char why[200] = "";
    int rc = kd->setup(arg, &pc->ctx, why, sizeof(why));
    if (rc != 0) {
        free(pc); // the plugin keeps nothing when setup fails
        return detect_err(dp, "%s: %s", kd->name, why[0] ? why : "invalid argument");
    }
    if (kd->flags & VG_KW_BUFFER) {
        return detect_append(dp, DETECT_LIST_PMATCH, kw, pc, DETECT_PM_PLUGIN);
    }
    return detect_append(dp, DETECT_LIST_MATCH, kw, pc, 0);
}

int detect_plugin_keyword_check(const VgKeyword *k)
{
    if (detect_keyword_find(k->name) != NULL || detect_app_is_buffer_name(k->name)) {
        VG_ERROR("keyword '%s' refused: a keyword or buffer of that name exists", k->name);
        return VG_EEXIST;
    }
    bool is_buf = (k->flags & VG_KW_BUFFER) != 0;
    if (k->setup == NULL || (is_buf && k->match_buffer == NULL) ||
        (!is_buf && k->match_packet == NULL)) {
        VG_ERROR("keyword '%s' refused: it needs setup and %s", k->name,
                 is_buf ? "match_buffer (VG_KW_BUFFER)" : "match_packet");
        return VG_EINVAL;
    }
    return 0;
}

int detect_plugin_keyword_add(const VgKeyword *k)
{
    if (g_n_plugin_kws >= PLUGIN_KEYWORDS_MAX) {
        return VG_ERANGE;
    }
    uint32_t flags = 0;
    flags |= (k->flags & VG_KW_NOOPT) ? DETECT_KW_NOOPT : 0;
    flags |= (k->flags & VG_KW_OPTIONAL) ? DETECT_KW_OPTIONAL : 0;
    g_plugin_kws[g_n_plugin_kws++] = (DetectKeyword){
        .name = k->name,
        .desc = k->desc,
        .flags = flags,
        .match = (k->flags & VG_KW_BUFFER) ? NULL : plugin_match,
        .free = plugin_free,
        .plugin = k,
    };
    return 0;
}
