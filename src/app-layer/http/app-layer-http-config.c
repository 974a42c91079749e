/* HTTP configuration: libhtp.default-config and libhtp.server-config personalities
 * (chosen per flow by the server address, longest prefix), body limits, inspection
 * windows, decompression with its bomb limits, double decoding; and the http EVE
 * options (outputs.eve-log.types.http). */
#include "app-layer/http/app-layer-http.h"

#include <arpa/inet.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

/* Options as suricata.yaml spells them. */
typedef struct HttpOpts {
    const char *personality;
    uint64_t request_body_limit;
    uint64_t response_body_limit;
    uint64_t request_inspect_min;
    uint64_t request_inspect_window;
    uint64_t response_inspect_min;
    uint64_t response_inspect_window;
    int64_t decompress_layer_limit;
    uint64_t compression_bomb_limit;
    int64_t decompression_time_limit;
    uint64_t lzma_memlimit;
    bool lzma_enabled;
    bool double_decode_path;
    bool double_decode_query;
    bool uri_include_all;
    uint64_t meta_field_limit;
    int64_t max_tx;
    int64_t headers_limit;
    bool request_decompression;
} HttpOpts;

#define O(n, t, f, d, lo, hi, doc) {n, t, offsetof(HttpOpts, f), d, lo, hi, NULL, doc, 0}
static const ConfOption http_opts[] = {
    O("personality", CONF_OPT_STR, personality, "IDS", 0, 0,
      "libhtp personality: IDS, Generic, Minimal, Apache_2, IIS_4_0 .. IIS_7_5"),
    O("request-body-limit", CONF_OPT_SIZE, request_body_limit, "100kb", 0, 1 << 30,
      "request body bytes kept for detection (0: no limit)"),
    O("response-body-limit", CONF_OPT_SIZE, response_body_limit, "100kb", 0, 1 << 30,
      "response body bytes kept for detection (0: no limit)"),
    O("request-body-minimal-inspect-size", CONF_OPT_SIZE, request_inspect_min, "32kb", 0, 1 << 30,
      "request body bytes gathered before the first inspection"),
    O("request-body-inspect-window", CONF_OPT_SIZE, request_inspect_window, "4kb", 0, 1 << 30,
      "request body bytes inspected again before new data"),
    O("response-body-minimal-inspect-size", CONF_OPT_SIZE, response_inspect_min, "40kb", 0, 1 << 30,
      "response body bytes gathered before the first inspection"),
    O("response-body-inspect-window", CONF_OPT_SIZE, response_inspect_window, "16kb", 0, 1 << 30,
      "response body bytes inspected again before new data"),
    O("response-body-decompress-layer-limit", CONF_OPT_INT, decompress_layer_limit, "2", 0, 16,
      "content-encoding layers decompressed"),
    O("compression-bomb-limit", CONF_OPT_SIZE, compression_bomb_limit, "1mb", 0, 1 << 30,
      "decompressed bytes per input beyond which decompression stops"),
    O("decompression-time-limit", CONF_OPT_INT, decompression_time_limit, "100000", 0, 100000000,
      "microseconds of decompression per call"),
    O("lzma-memlimit", CONF_OPT_SIZE, lzma_memlimit, "1mb", 0, 1 << 30,
      "memory of the lzma decoder"),
    O("lzma-enabled", CONF_OPT_BOOL, lzma_enabled, "yes", 0, 0,
      "decompress lzma bodies"),
    O("double-decode-path", CONF_OPT_BOOL, double_decode_path, "no", 0, 0,
      "decode the path twice"),
    O("double-decode-query", CONF_OPT_BOOL, double_decode_query, "no", 0, 0,
      "decode the query twice"),
    O("uri-include-all", CONF_OPT_BOOL, uri_include_all, "no", 0, 0,
      "http.uri holds scheme and host of absolute URIs"),
    O("meta-field-limit", CONF_OPT_SIZE, meta_field_limit, "18kb", 256, 1 << 24,
      "longest request/response line or header"),
    O("max-tx", CONF_OPT_INT, max_tx, "512", 0, 1000000,
      "accepted (app-layer.protocols.http.max-tx caps live transactions)"),
    O("headers-limit", CONF_OPT_INT, headers_limit, "1024", 0, 1000000,
      "headers per message"),
    O("request-decompression", CONF_OPT_BOOL, request_decompression, "no", 0, 0,
      "decompress request bodies"),
};
#undef O

/* The schema: Vigil's libhtp.default-config; Suricata's place for the same options
 * (app-layer.protocols.http.libhtp) and server-config entries are checked here. */
const ConfSchemaPart app_layer_http_conf_schema = {"libhtp.default-config", http_opts,
                                         sizeof(http_opts) / sizeof(http_opts[0])};

static const struct {
    const char *name;
    enum htp_server_personality_t p;
} personalities[] = {
    {"minimal", HTP_SERVER_MINIMAL}, {"generic", HTP_SERVER_GENERIC},
    {"ids", HTP_SERVER_IDS},         {"iis_4_0", HTP_SERVER_IIS_4_0},
    {"iis_5_0", HTP_SERVER_IIS_5_0}, {"iis_5_1", HTP_SERVER_IIS_5_1},
    {"iis_6_0", HTP_SERVER_IIS_6_0}, {"iis_7_0", HTP_SERVER_IIS_7_0},
    {"iis_7_5", HTP_SERVER_IIS_7_5}, {"apache_2", HTP_SERVER_APACHE_2},
    {"apache_2_2", HTP_SERVER_APACHE_2}, {"apache", HTP_SERVER_APACHE_2},
};

#define HTTP_MAX_SERVER_CFGS 32
#define HTTP_MAX_NETS 64

typedef struct HttpNet {
    VgAddr addr;
    uint8_t bits;
    uint8_t cfg;                 // index into g_cfgs
} HttpNet;

static HttpCfg g_cfgs[1 + HTTP_MAX_SERVER_CFGS];   // [0] default
static uint32_t g_n_cfgs;
static HttpNet g_nets[HTTP_MAX_NETS];
static uint32_t g_n_nets;

HttpLogCfg g_http_log_cfg;

static int personality_of(const char *name, enum htp_server_personality_t *out)
{
    for (size_t i = 0; i < sizeof(personalities) / sizeof(personalities[0]); i++) {
        if (strcasecmp(personalities[i].name, name) == 0) {
            *out = personalities[i].p;
            return 0;
        }
    }
    return VG_EINVAL;
}

static int build_cfg(const struct Conf *conf, const char *prefix, HttpCfg *out)
{
    HttpOpts o;
    memset(&o, 0, sizeof(o));
    if (conf_load_options(conf, prefix, http_opts, sizeof(http_opts) / sizeof(http_opts[0]),
                          &o) != 0) {
        return VG_EINVAL;
    }
    enum htp_server_personality_t pers;
    if (personality_of(o.personality, &pers) != 0) {
        VG_ERROR("%s.personality: unknown personality '%s' (IDS, Generic, Minimal, Apache_2, "
                 "IIS_4_0 .. IIS_7_5)", prefix, o.personality);
        return VG_EINVAL;
    }
    htp_cfg_t *cfg = htp_config_create();
    if (cfg == NULL) {
        return VG_ENOMEM;
    }
    htp_config_set_server_personality(cfg, pers);
    /* The IDS personality lowercases the path; rules expect it as sent (as Suricata
     * configures libhtp), and '+' stays '+'. */
    htp_config_set_convert_lowercase(cfg, HTP_DECODER_URL_PATH, 0);
    htp_config_set_plusspace_decode(cfg, HTP_DECODER_URLENCODED, 0);
    htp_config_set_tx_auto_destroy(cfg, 0);
    htp_config_set_response_decompression(cfg, 1);
    htp_config_set_request_decompression(cfg, o.request_decompression ? 1 : 0);
    htp_config_set_response_decompression_layer_limit(cfg, (int)o.decompress_layer_limit);
    htp_config_set_compression_bomb_limit(cfg, (size_t)o.compression_bomb_limit);
    /* Capture files: no wall-clock limit (a loaded machine must not change records). */
    out->decompression_time_limit =
        app_layer_is_offline() ? (uint64_t)INT32_MAX : (uint64_t)o.decompression_time_limit;
    htp_config_set_compression_time_limit(cfg, (size_t)out->decompression_time_limit);
    htp_config_set_lzma_memlimit(cfg, (size_t)o.lzma_memlimit);
    htp_config_set_lzma_layers(cfg, o.lzma_enabled ? 1 : 0);
    htp_config_set_field_limits(cfg, (size_t)o.meta_field_limit, (size_t)o.meta_field_limit);
    if (o.headers_limit > 0) {
        htp_config_set_number_headers_limit(cfg, (uint32_t)o.headers_limit);
    }
    htp_config_set_parse_request_cookies(cfg, 0);
    /* "GET /a b HTTP/1.1": the uri runs to the last space before the protocol, as
     * Suricata 8 parses it */
    htp_config_set_allow_space_uri(cfg, 1);
    htp_config_set_log_level(cfg, HTP_LOG_NOTICE);
    http_register_callbacks(cfg);
    out->htp = cfg;
    out->request_body_limit = o.request_body_limit;
    out->response_body_limit = o.response_body_limit;
    out->request_inspect_min = o.request_inspect_min;
    out->request_inspect_window = o.request_inspect_window;
    out->response_inspect_min = o.response_inspect_min;
    out->response_inspect_window = o.response_inspect_window;
    out->double_decode_path = o.double_decode_path;
    out->double_decode_query = o.double_decode_query;
    out->uri_include_all = o.uri_include_all;
    return 0;
}

static int parse_net(const char *s, VgAddr *a, uint8_t *bits)
{
    char buf[64];
    snprintf(buf, sizeof(buf), "%s", s);
    char *slash = strchr(buf, '/');
    long b = -1;
    if (slash != NULL) {
        *slash = '\0';
        b = strtol(slash + 1, NULL, 10);
    }
    memset(a, 0, sizeof(*a));
    if (inet_pton(AF_INET, buf, a->a.u8) == 1) {
        a->family = 4;
        b = b < 0 ? 32 : b;
        if (b > 32) {
            return VG_EINVAL;
        }
    } else if (inet_pton(AF_INET6, buf, a->a.u8) == 1) {
        a->family = 6;
        b = b < 0 ? 128 : b;
        if (b > 128) {
            return VG_EINVAL;
        }
    } else {
        return VG_EINVAL;
    }
    *bits = (uint8_t)b;
    return 0;
}

static bool net_has(const HttpNet *n, const VgAddr *a)
{
    if (n->addr.family != a->family) {
        return false;
    }
    uint32_t full = n->bits / 8;
    if (memcmp(n->addr.a.u8, a->a.u8, full) != 0) {
        return false;
    }
    uint32_t rest = n->bits % 8;
    if (rest == 0) {
        return true;
    }
    uint8_t mask = (uint8_t)(0xffu << (8 - rest));
    return (n->addr.a.u8[full] & mask) == (a->a.u8[full] & mask);
}

const HttpCfg *http_cfg_for(const Flow *f)
{
    if (g_n_cfgs == 0) {
        return NULL;
    }
    int best = -1;
    int best_bits = -1;
    for (uint32_t i = 0; i < g_n_nets; i++) {
        if (g_nets[i].bits > best_bits && net_has(&g_nets[i], &f->key.dst)) {
            best = g_nets[i].cfg;
            best_bits = g_nets[i].bits;
        }
    }
    return &g_cfgs[best >= 0 ? best : 0];
}

static int server_cfg(const struct Conf *conf, const char *base, const ConfNode *item,
                      uint32_t idx)
{
    /* - name: { address: [...], personality: ..., ... } */
    const ConfNode *body = item->first_child;
    if (item->type != CONF_MAP || body == NULL || body->type != CONF_MAP) {
        VG_ERROR("%s:%d: %s: each entry is a named map", item->file, item->line, base);
        return VG_EINVAL;
    }
    if (g_n_cfgs > HTTP_MAX_SERVER_CFGS) {
        VG_ERROR("%s:%d: %s: at most %d entries", item->file, item->line, base,
                 HTTP_MAX_SERVER_CFGS);
        return VG_EINVAL;
    }
    char prefix[160];
    snprintf(prefix, sizeof(prefix), "%s.%u.%s", base, idx, body->name);
    int rc = build_cfg(conf, prefix, &g_cfgs[g_n_cfgs]);
    if (rc != 0) {
        return rc;
    }
    const ConfNode *addrs = conf_node_child(body, "address");
    for (const ConfNode *a = addrs ? addrs->first_child : NULL; a != NULL; a = a->next) {
        if (g_n_nets >= HTTP_MAX_NETS || a->value == NULL ||
            parse_net(a->value, &g_nets[g_n_nets].addr, &g_nets[g_n_nets].bits) != 0) {
            VG_ERROR("%s:%d: %s.address: '%s' is not an address or network (or too many)",
                     a->file, a->line, prefix, a->value ? a->value : "");
            return VG_EINVAL;
        }
        g_nets[g_n_nets++].cfg = (uint8_t)g_n_cfgs;
    }
    g_n_cfgs++;
    return 0;
}

/* outputs: - eve-log: types: - http: {extended, dump-all-headers, custom, xff} */
static void log_config(const struct Conf *conf)
{
    memset(&g_http_log_cfg, 0, sizeof(g_http_log_cfg));
    g_http_log_cfg.extended = true;
    const ConfNode *outs = conf ? conf_get_node(conf, NULL, "outputs") : NULL;
    for (const ConfNode *o = outs ? outs->first_child : NULL; o; o = o->next) {
        const ConfNode *eve = o->first_child;
        if (o->type != CONF_MAP || eve == NULL || strcmp(eve->name, "eve-log") != 0) {
            continue;
        }
        const ConfNode *types = conf_node_child(eve, "types");
        for (const ConfNode *t = types ? types->first_child : NULL; t; t = t->next) {
            const ConfNode *h = t->type == CONF_MAP ? t->first_child : NULL;
            if (h == NULL || strcmp(h->name, "http") != 0) {
                continue;
            }
            const ConfNode *n = conf_node_child(h, "dump-all-headers");
            if (n != NULL && n->value != NULL) {
                g_http_log_cfg.dump_headers = strcmp(n->value, "both") == 0       ? 3
                                              : strcmp(n->value, "request") == 0  ? 1
                                              : strcmp(n->value, "response") == 0 ? 2
                                                                                  : 0;
            }
            bool b = false;
            n = conf_node_child(h, "extended");
            /* Absent means yes, as in Suricata's shipped config. */
            g_http_log_cfg.extended = n == NULL || n->value == NULL ||
                                      !conf_parse_bool(n->value, &b) || b;
            const ConfNode *custom = conf_node_child(h, "custom");
            if (custom != NULL && custom->n_children > 0) {
                g_http_log_cfg.custom = calloc((size_t)custom->n_children + 1, sizeof(char *));
                uint32_t k = 0;
                for (const ConfNode *c = custom->first_child; c && g_http_log_cfg.custom;
                     c = c->next) {
                    if (c->value != NULL) {
                        g_http_log_cfg.custom[k++] = c->value;
                    }
                }
            }
            const ConfNode *xff = conf_node_child(h, "xff");
            if (xff != NULL) {
                n = conf_node_child(xff, "enabled");
                bool en = n && n->value && conf_parse_bool(n->value, &b) && b;
                n = conf_node_child(xff, "mode");
                g_http_log_cfg.xff_mode =
                    !en ? 0 : (n && n->value && strcmp(n->value, "overwrite") == 0) ? 2 : 1;
                n = conf_node_child(xff, "deployment");
                g_http_log_cfg.xff_deployment =
                    (n && n->value && strcmp(n->value, "forward") == 0) ? 1 : 0;
                n = conf_node_child(xff, "header");
                g_http_log_cfg.xff_header = n && n->value ? n->value : "X-Forwarded-For";
            }
        }
    }
}

int http_config(const struct Conf *conf)
{
    http_config_deinit();
    /* Suricata keeps these under app-layer.protocols.http.libhtp; Vigil's own file at the
     * top level. The first present wins. */
    const char *base = "libhtp";
    if (conf != NULL && conf_get_node(conf, NULL, "app-layer.protocols.http.libhtp") != NULL) {
        base = "app-layer.protocols.http.libhtp";
    }
    char key[96];
    snprintf(key, sizeof(key), "%s.default-config", base);
    int rc = build_cfg(conf, key, &g_cfgs[0]);
    if (rc != 0) {
        return rc;
    }
    g_n_cfgs = 1;
    snprintf(key, sizeof(key), "%s.server-config", base);
    const ConfNode *list = conf ? conf_get_node(conf, NULL, key) : NULL;
    uint32_t idx = 0;
    for (const ConfNode *it = list ? list->first_child : NULL; it; it = it->next, idx++) {
        rc = server_cfg(conf, key, it, idx);
        if (rc != 0) {
            return rc;
        }
    }
    log_config(conf);
    return 0;
}

void http_config_deinit(void)
{
    http_files_deinit();
    for (uint32_t i = 0; i < g_n_cfgs; i++) {
        htp_config_destroy(g_cfgs[i].htp);
    }
    memset(g_cfgs, 0, sizeof(g_cfgs));
    g_n_cfgs = 0;
    g_n_nets = 0;
    free(g_http_log_cfg.custom);
    memset(&g_http_log_cfg, 0, sizeof(g_http_log_cfg));
}
