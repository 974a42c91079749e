/* Test plugins that misbehave, one per -D (tests/scenarios/test-plugin-failures.sh):
 *   OLD_API      built for plugin API version 1
 *   OLD_DESC     a keyword descriptor whose header is API version 1
 *   INIT_FAIL    registers keyword "failkw", then its init fails
 *   DUP_KEYWORD  registers the built-in keyword name "content"
 *   DUP_PROTO    registers an app-layer protocol named "http"
 *   ERRORS       every callback returns an error: a stream consumer, an
 *                app-layer parser ("errproto", port 11211) and the keyword
 *                "failmatch" (packet) and "failbuf" (buffer) */
#include <stdlib.h>

#include "runtime/plugin.h"

static int kw_setup(const char *arg, void **ctx, char *err, size_t errlen)
{
    (void)arg;
    (void)err;
    (void)errlen;
    *ctx = malloc(1);
    return *ctx != NULL ? 0 : -1;
}
static int kw_match_buf(const void *ctx, const uint8_t *b, uint32_t l)
{
    (void)ctx;
    (void)b;
    (void)l;
    return -3;
}
static int kw_match_pkt(const void *ctx, const Packet *p)
{
    (void)ctx;
    (void)p;
    return -4;
}

#ifdef OLD_DESC
#define KW_HDR { .api_version = 1, .struct_size = sizeof(VgKeyword) }
#else
#define KW_HDR VG_PLUGIN_HDR(VgKeyword)
#endif

static const VgKeyword kw_buf = {
    .hdr = KW_HDR,
#if defined(DUP_KEYWORD)
    .name = "content",
#elif defined(INIT_FAIL)
    .name = "failkw",
#else
    .name = "failbuf",
#endif
    .flags = VG_KW_BUFFER | VG_KW_OPTIONAL,
    .setup = kw_setup,
    .match_buffer = kw_match_buf,
    .free = free,
};
static const VgKeyword kw_pkt = {
    .hdr = VG_PLUGIN_HDR(VgKeyword),
    .name = "failmatch",
    .flags = VG_KW_NOOPT,
    .setup = kw_setup,
    .match_packet = kw_match_pkt,
    .free = free,
};

static const VgPluginRegistrar *g_reg;

static void *sc_new(const struct Flow *f)
{
    VgFlowInfo fi;
    g_reg->flow_info(f, &fi); // the test looks for this line per flow
    g_reg->log(2, "failing_consumer: new flow %s:%u -> %s:%u proto %u", fi.src_ip, fi.sp,
               fi.dst_ip, fi.dp, fi.ipproto);
    return malloc(8);
}
static int sc_recv(const struct Flow *f, void *s, uint8_t dir, const uint8_t *d, uint32_t l)
{
    (void)f;
    (void)s;
    (void)dir;
    (void)d;
    (void)l;
    return -1;
}
static const VgStreamConsumer consumer = {
    .hdr = VG_PLUGIN_HDR(VgStreamConsumer),
    .name = "failing_consumer",
    .dirs = VG_STREAM_TOSERVER | VG_STREAM_TOCLIENT,
    .flow_new = sc_new,
    .recv = sc_recv,
    .state_free = free,
};

static void *ap_new(VgAppFlow *af)
{
    (void)af;
    return malloc(8);
}
static int ap_parse(VgAppFlow *af, void *s, uint8_t dir, const uint8_t *d, uint32_t l)
{
    (void)af;
    (void)s;
    (void)dir;
    (void)d;
    (void)l;
    return VG_PARSE_ERROR;
}
static const VgAppPattern ap_patterns[] = {
    {.dir = VG_DIR_TOSERVER, .offset = 0, .depth = 4, .bytes = "get ", .len = 4},
    {.dir = VG_DIR_TOSERVER, .offset = 0, .depth = 4, .bytes = "set ", .len = 4},
    {.dir = VG_DIR_TOSERVER, .offset = 0, .depth = 5, .bytes = "incr ", .len = 5},
};
static const VgAppLayer app = {
    .hdr = VG_PLUGIN_HDR(VgAppLayer),
#ifdef DUP_PROTO
    .name = "http",
#else
    .name = "errproto",
#endif
    .ipproto = 6,
    .default_ports = "11211",
    .patterns = ap_patterns,
    .n_patterns = 3,
    .state_new = ap_new,
    .state_free = free,
    .parse = ap_parse,
    .complete = {1, 1},
};

static int bad_init(const VgPluginRegistrar *reg)
{
    g_reg = reg;
#if defined(DUP_PROTO)
    return reg->register_app_layer(&app);
#elif defined(INIT_FAIL)
    (void)reg->register_keyword(&kw_buf);
    return -1;
#elif defined(DUP_KEYWORD) || defined(OLD_DESC)
    (void)reg->register_keyword(&kw_buf);
    return 0; // a refused registration refuses the plugin, whatever init returns
#else
    int rc = reg->register_keyword(&kw_buf);
    rc = rc != 0 ? rc : reg->register_keyword(&kw_pkt);
    rc = rc != 0 ? rc : reg->register_stream_consumer(&consumer);
    return rc != 0 ? rc : reg->register_app_layer(&app);
#endif
}

const VgPluginInfo vg_plugin_info = {
#ifdef OLD_API
    .hdr = { .api_version = 1, .struct_size = sizeof(VgPluginInfo) },
#else
    .hdr = VG_PLUGIN_HDR(VgPluginInfo),
#endif
    .name = "bad",
    .version = "0",
    .init = bad_init,
};
