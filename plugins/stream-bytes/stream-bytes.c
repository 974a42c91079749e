/* Example plugin: a stream consumer. Counts the reassembled bytes of every
 * TCP session per direction (each byte once, in order, as the stream API
 * hands it out), the bytes missing in gaps and the closes, and writes them
 * in the flow record:
 *
 *     "stream_bytes": {"toserver": 120, "toclient": 4310, "gap_bytes": 0, "closed": 2}
 *
 * Load it with
 *     plugins:
 *       - /path/to/build/plugins/stream-bytes.so
 * Builds against the installed plugin header only; needs no engine symbols. */
#include <stdlib.h>

#include "runtime/plugin.h"

static const VgPluginRegistrar *g_reg; // set once in init, before threads

typedef struct FlowBytes {
    uint64_t bytes[2];           // per VG_DIR_*
    uint64_t gap_bytes;
    uint32_t closed;
} FlowBytes;

static void *sb_flow_new(const struct Flow *f)
{
    (void)f;
    return calloc(1, sizeof(FlowBytes));
}

static int sb_recv(const struct Flow *f, void *state, uint8_t dir, const uint8_t *data,
                   uint32_t len)
{
    (void)f;
    (void)data;
    FlowBytes *fb = state;
    fb->bytes[dir & 1] += len;
    return 0;
}

static int sb_gap(const struct Flow *f, void *state, uint8_t dir, uint32_t missing)
{
    (void)f;
    (void)dir;
    ((FlowBytes *)state)->gap_bytes += missing;
    return 0;
}

static void sb_close(const struct Flow *f, void *state, uint8_t dir)
{
    (void)f;
    (void)dir;
    ((FlowBytes *)state)->closed++;
}

static void sb_flow_log(const struct Flow *f, const void *state, VgJson *jb)
{
    (void)f;
    const FlowBytes *fb = state;
    g_reg->json->u64(jb, "toserver", fb->bytes[VG_DIR_TOSERVER]);
    g_reg->json->u64(jb, "toclient", fb->bytes[VG_DIR_TOCLIENT]);
    g_reg->json->u64(jb, "gap_bytes", fb->gap_bytes);
    g_reg->json->u64(jb, "closed", fb->closed);
}

static const VgStreamConsumer consumer = {
    .hdr = VG_PLUGIN_HDR(VgStreamConsumer),
    .name = "stream_bytes",
    .dirs = VG_STREAM_TOSERVER | VG_STREAM_TOCLIENT,
    .flow_new = sb_flow_new,
    .recv = sb_recv,
    .gap = sb_gap,
    .close = sb_close,
    .flow_log = sb_flow_log,
    .state_free = free,
};

static int sb_init(const VgPluginRegistrar *reg)
{
    g_reg = reg;
    return reg->register_stream_consumer(&consumer);
}

const VgPluginInfo vg_plugin_info = {
    .hdr = VG_PLUGIN_HDR(VgPluginInfo),
    .name = "stream-bytes",
    .version = "1.0",
    .description = "reassembled bytes per TCP flow in flow records",
    .init = sb_init,
};
