/* The EVE sink backends by `filetype:` name: the built-ins below, then the
 * ones plugins register at start-up (register_eve_sink). */
#include "output/output-sink-internal.h"

#include <string.h>

#include "util/util-error.h"
#include "util/util-log.h"

static const VgEveSinkOps *const builtin_sinks[] = {
    &eve_sink_ops_regular,
    &eve_sink_ops_unix_dgram,
    &eve_sink_ops_unix_stream,
    &eve_sink_ops_syslog,
    &eve_sink_ops_redis,
    &eve_sink_ops_kafka,
};

#define PLUGIN_SINKS_MAX 16

/* Written at start-up only (plugin loading, main thread, before outputs open). */
static const VgEveSinkOps *g_plugin_sinks[PLUGIN_SINKS_MAX];
static unsigned g_n_plugin_sinks;

const VgEveSinkOps *eve_sink_ops_find(const char *filetype)
{
    for (size_t i = 0; i < sizeof(builtin_sinks) / sizeof(builtin_sinks[0]); i++) {
        if (strcmp(builtin_sinks[i]->filetype, filetype) == 0) {
            return builtin_sinks[i];
        }
    }
    for (unsigned i = 0; i < g_n_plugin_sinks; i++) {
        if (strcmp(g_plugin_sinks[i]->filetype, filetype) == 0) {
            return g_plugin_sinks[i];
        }
    }
    return NULL;
}

int eve_sink_ops_check(const VgEveSinkOps *ops)
{
    if (ops == NULL || ops->hdr.api_version != VG_PLUGIN_API_VERSION ||
        ops->hdr.struct_size != sizeof(VgEveSinkOps)) {
        VG_ERROR("eve sink: refused: descriptor built for another plugin API version");
        return VG_EVERSION;
    }
    if (ops->filetype == NULL || ops->open == NULL || ops->write_batch == NULL ||
        ops->close == NULL) {
        VG_ERROR("eve sink %s: refused: filetype, open, write_batch and close are required",
                 ops->filetype != NULL ? ops->filetype : "?");
        return VG_EINVAL;
    }
    if (eve_sink_ops_find(ops->filetype) != NULL) {
        VG_ERROR("eve sink %s: refused: the filetype is already taken", ops->filetype);
        return VG_EEXIST;
    }
    if (g_n_plugin_sinks >= PLUGIN_SINKS_MAX) {
        VG_ERROR("eve sink %s: refused: more than %d plugin sinks", ops->filetype,
                 PLUGIN_SINKS_MAX);
        return VG_ERANGE;
    }
    return 0;
}

int eve_sink_ops_register(const VgEveSinkOps *ops)
{
    int rc = eve_sink_ops_check(ops);
    if (rc != 0) {
        return rc;
    }
    g_plugin_sinks[g_n_plugin_sinks++] = ops;
    return 0;
}
