/* RDP: the parser row, per-flow state (TPKT framing per direction) and the txs: one per
 * PDU of the connection sequence (initial request/response, connect request/response),
 * in its own direction, complete when parsed, as Suricata logs them. Once the server
 * selected TLS, CredSSP or RDSTLS (RDP_NEG_RSP), the rest of the connection is TLS and is
 * handed to the TLS parser (app_proto tls, app_proto_orig rdp). After the MCS
 * Connect-Response nothing more is parsed (standard RDP security encrypts the rest). */
#include "app-layer/rdp/app-layer-rdp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "app-layer/tls/app-layer-tls.h"
#include "util/util-byte.h"
#include "util/util-json.h"

#define RDP_PDU_MAX 65535u       // TPKT length is 16 bits

typedef struct RdpCarry {
    uint8_t *buf;                // a partial TPKT PDU
    uint32_t len;
    uint32_t cap;
} RdpCarry;

typedef struct RdpState {
    AppFlow *af;
    RdpCarry carry[2];
    bool is_done;                // Connect-Response seen: nothing more to parse
} RdpState;

static void *rdp_state_new(AppFlow *af)
{
    RdpState *st = calloc(1, sizeof(*st));
    if (st != NULL) {
        st->af = af;
    }
    return st;
}

static void rdp_state_free(void *state)
{
    RdpState *st = state;
    if (st == NULL) {
        return;
    }
    for (int d = 0; d < 2; d++) {
        app_mem_free(st->af, &st->carry[d].buf, &st->carry[d].cap);
    }
    free(st);
}

static void rdp_tx_free(void *state, AppTx *tx)
{
    (void)state;
    (void)tx;
}

/* A TPKT PDU of dir. APP_PARSE_TUNNEL when the server's confirm selected a TLS-based
 * security protocol. */
static int handle_pdu(RdpState *st, uint8_t dir, const uint8_t *pdu, uint32_t len)
{
    RdpTx tmp;
    memset(&tmp, 0, sizeof(tmp));
    if (!rdp_parse_pdu(pdu, len, dir, &tmp)) {
        return APP_PARSE_ERROR;
    }
    if (tmp.kind == 0) {
        return APP_PARSE_OK;
    }
    RdpTx *t = (RdpTx *)app_tx_new(st->af, sizeof(RdpTx));
    if (t == NULL) {
        return APP_PARSE_ERROR;  // memcap or max-tx: counted by the framework
    }
    AppTx hdr = t->tx;
    *t = tmp;
    t->tx = hdr;
    /* A PDU belongs to its own direction: the other is never inspected. */
    t->tx.flags |= dir == APP_DIR_TOSERVER ? APP_TX_F_INSPECTED_TC : APP_TX_F_INSPECTED_TS;
    app_tx_touch(&t->tx, dir);
    if (t->kind == RDP_TX_CONNECT_RESPONSE) {
        st->is_done = true;
    }
    if (t->kind == RDP_TX_INITIAL_RESPONSE && t->neg_type == RDP_NEG_RSP &&
        t->neg_value != RDP_PROTO_RDP) {
        return APP_PARSE_TUNNEL;
    }
    return APP_PARSE_OK;
}

static bool carry_add(RdpState *st, RdpCarry *c, const uint8_t *data, uint32_t n)
{
    if (c->len + n > c->cap) {
        uint32_t cap = c->cap ? c->cap : 256;
        while (cap < c->len + n) {
            cap *= 2;
        }
        if (!app_mem_grow(st->af, &c->buf, &c->cap, cap)) {
            return false;
        }
    }
    memcpy(c->buf + c->len, data, n);
    c->len += n;
    return true;
}

/* Bytes of dir, any split: whole PDUs parsed in place, a partial one carried (at most one
 * TPKT length, 64 KiB). Data that is not TPKT (fast-path) ends the parsing. */
static int rdp_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                     uint32_t *consumed)
{
    (void)af;
    RdpState *st = state;
    RdpCarry *c = &st->carry[dir];
    const uint32_t total = len;
    *consumed = len;
    while (len > 0 && !st->is_done) {
        const uint8_t *pdu = data;
        uint32_t have = len;
        if (c->len > 0 || len < 4) {
            uint32_t need = 4;
            if (c->len >= 4) {
                need = util_be16(c->buf + 2);
            }
            uint32_t take = need > c->len ? need - c->len : 0;
            take = take < len ? take : len;
            if (!carry_add(st, c, data, take)) {
                return APP_PARSE_ERROR;
            }
            data += take;
            len -= take;
            if (c->len < 4 || (c->len == 4 && util_be16(c->buf + 2) > 4)) {
                if (c->len == 4 && (c->buf[0] != 3 || util_be16(c->buf + 2) < 7)) {
                    return APP_PARSE_ERROR;
                }
                continue;
            }
            if (c->len < util_be16(c->buf + 2)) {
                continue;
            }
            int rc = handle_pdu(st, dir, c->buf, c->len);
            c->len = 0;
            if (rc == APP_PARSE_TUNNEL) {
                return tls_starttls_handover(af, total - len, consumed);
            }
            if (rc != APP_PARSE_OK) {
                return rc;
            }
            continue;
        }
        if (pdu[0] != 3 || util_be16(pdu + 2) < 7) {
            return APP_PARSE_ERROR;  // not TPKT before the connection is set up
        }
        uint32_t plen = util_be16(pdu + 2);
        if (have < plen) {
            if (!carry_add(st, c, data, len)) {
                return APP_PARSE_ERROR;
            }
            return APP_PARSE_OK;
        }
        int rc = handle_pdu(st, dir, pdu, plen);
        data += plen;
        len -= plen;
        if (rc == APP_PARSE_TUNNEL) {
            return tls_starttls_handover(af, total - len, consumed);
        }
        if (rc != APP_PARSE_OK) {
            return rc;
        }
    }
    return APP_PARSE_OK;
}

static void rdp_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    RdpState *st = state;
    st->carry[dir].len = 0;
}

/* TPKT version 3 with an X.224 connection request (toserver) or confirm (toclient) whose
 * length indicator fits the PDU; on the detection ports only (other TPKT users, as ISO
 * transport on 102, look the same). */
static int rdp_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                        uint8_t dir)
{
    if (ipproto != 6 || !port_hint) {
        return APP_PROBE_NO;
    }
    if (len < 6) {
        return (len >= 1 && data[0] != 3) || (len >= 2 && data[1] != 0) ? APP_PROBE_NO
                                                                        : APP_PROBE_MORE;
    }
    uint32_t plen = util_be16(data + 2);
    uint8_t want = dir == APP_DIR_TOSERVER ? 0xe0 : 0xd0;
    if (data[0] != 3 || data[1] != 0 || plen < 11 || (data[5] & 0xf0) != want ||
        data[4] + 5u > plen || data[4] < 6) {
        return APP_PROBE_NO;
    }
    return APP_PROBE_YES;
}

/* ---- EVE ---- */

static uint32_t le16v(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32v(const uint8_t *p)
{
    return le16v(p) | le16v(p + 2) << 16;
}

static const char *version_name(uint32_t v)
{
    static const char *const k_v10[] = {"v10.0", "v10.1", "v10.2", "v10.3", "v10.4",
                                        "v10.5", "v10.6", "v10.7", "v10.8", "v10.9",
                                        "v10.10", "v10.11", "v10.12"};
    if (v == 0x00080001) {
        return "v4";
    }
    if (v == 0x00080004) {
        return "v5";
    }
    if (v >= 0x00080005 && v < 0x00080005 + sizeof(k_v10) / sizeof(k_v10[0])) {
        return k_v10[v - 0x00080005];
    }
    return "unknown";
}

/* Windows language ids (MS-LCID) of common keyboard layouts. */
static const char *layout_name(uint32_t lcid)
{
    static const struct { uint16_t id; const char *name; } k_ids[] = {
        {0x0401, "ar-SA"}, {0x0404, "zh-TW"}, {0x0405, "cs-CZ"}, {0x0406, "da-DK"},
        {0x0407, "de-DE"}, {0x0408, "el-GR"}, {0x0409, "en-US"}, {0x040a, "es-ES_tradnl"},
        {0x040b, "fi-FI"}, {0x040c, "fr-FR"}, {0x040d, "he-IL"}, {0x040e, "hu-HU"},
        {0x0410, "it-IT"}, {0x0411, "ja-JP"}, {0x0412, "ko-KR"}, {0x0413, "nl-NL"},
        {0x0414, "nb-NO"}, {0x0415, "pl-PL"}, {0x0416, "pt-BR"}, {0x0418, "ro-RO"},
        {0x0419, "ru-RU"}, {0x041a, "hr-HR"}, {0x041b, "sk-SK"}, {0x041d, "sv-SE"},
        {0x041f, "tr-TR"}, {0x0422, "uk-UA"}, {0x0804, "zh-CN"}, {0x0807, "de-CH"},
        {0x0809, "en-GB"}, {0x080a, "es-MX"}, {0x080c, "fr-BE"}, {0x0813, "nl-BE"},
        {0x0816, "pt-PT"}, {0x0c07, "de-AT"}, {0x0c09, "en-AU"}, {0x0c0a, "es-ES"},
        {0x0c0c, "fr-CA"}, {0x1009, "en-CA"}, {0x100c, "fr-CH"},
    };
    for (size_t i = 0; i < sizeof(k_ids) / sizeof(k_ids[0]); i++) {
        if (k_ids[i].id == lcid) {
            return k_ids[i].name;
        }
    }
    return "unknown";
}

/* Client build numbers of Windows releases. */
static const char *build_name(uint32_t b)
{
    switch (b) {
    case 2195: return "Windows 2000";
    case 2600: return "Windows XP";
    case 3790: return "Windows Server 2003";
    case 6000: return "Windows Vista";
    case 6001: return "Windows Vista SP1";
    case 6002: return "Windows Vista SP2";
    case 7600: return "Windows 7";
    case 7601: return "Windows 7 SP1";
    case 9200: return "Windows 8";
    case 9600: return "Windows 8.1";
    case 10240: case 10586: case 14393: case 15063: case 16299: case 17134: case 17763:
    case 18362: case 18363: case 19041: case 19042: case 19043: case 19044: case 19045:
        return "Windows 10";
    case 22000: case 22621: case 22631: case 26100: return "Windows 11";
    default: return NULL;
    }
}

static const char *keyboard_name(uint32_t k)
{
    static const char *const k_names[] = {NULL, "xt", "ico", "at", "enhanced", "1050", "9140",
                                          "jp"};
    return k < sizeof(k_names) / sizeof(k_names[0]) ? k_names[k] : NULL;
}

/* Color depth: 32 when asked for and supported, else highColorDepth, else
 * postBeta2ColorDepth, else colorDepth (MS-RDPBCGR 2.2.1.3.2). 0: none of them valid. */
static uint32_t color_depth(const uint8_t *c, uint32_t n)
{
    static const uint8_t k_post[] = {4, 8, 15, 16, 24};
    if (n >= 146 && (le16v(c + 144) & 0x0002) && (le16v(c + 142) & 0x0008)) {
        return 32;
    }
    if (n >= 142) {
        uint32_t h = le16v(c + 140);
        if (h == 4 || h == 8 || h == 15 || h == 16 || h == 24) {
            return h;
        }
    }
    if (n >= 134) {
        uint32_t p = le16v(c + 132);
        if (p >= 0xca00 && p <= 0xca04) {
            return k_post[p - 0xca00];
        }
    }
    uint32_t d = le16v(c + 12);
    return d == 0xca00 ? 4 : d == 0xca01 ? 8 : 0;
}

/* A NUL-terminated UTF-16LE field of n bytes as UTF-8 (code units of the BMP; lone
 * surrogates become '?'). */
static void utf16_field(JsonBuf *jb, const char *key, const uint8_t *p, uint32_t n)
{
    uint8_t out[3 * 64];
    uint32_t o = 0;
    for (uint32_t i = 0; i + 1 < n && o + 3 <= sizeof(out); i += 2) {
        uint32_t u = le16v(p + i);
        if (u == 0) {
            break;
        }
        if (u >= 0xd800 && u <= 0xdfff) {
            u = '?';
        }
        if (u < 0x80) {
            out[o++] = (uint8_t)u;
        } else if (u < 0x800) {
            out[o++] = (uint8_t)(0xc0 | u >> 6);
            out[o++] = (uint8_t)(0x80 | (u & 0x3f));
        } else {
            out[o++] = (uint8_t)(0xe0 | u >> 12);
            out[o++] = (uint8_t)(0x80 | ((u >> 6) & 0x3f));
            out[o++] = (uint8_t)(0x80 | (u & 0x3f));
        }
    }
    json_strn(jb, key, out, o);
}

static bool utf16_empty(const uint8_t *p)
{
    return p[0] == 0 && p[1] == 0;
}

static void log_capabilities(JsonBuf *jb, uint32_t f)
{
    static const struct { uint16_t bit; const char *name; } k_caps[] = {
        {0x0001, "support_errinfo_pdf"}, {0x0002, "want_32bpp_session"},
        {0x0004, "support_statusinfo_pdu"}, {0x0008, "strong_asymmetric_keys"},
        {0x0020, "valid_connection_type"}, {0x0040, "support_monitor_layout_pdu"},
        {0x0080, "support_netchar_autodetect"}, {0x0100, "support_dynvc_gfx_protocol"},
        {0x0200, "support_dynamic_time_zone"}, {0x0400, "support_heartbeat_pdu"},
    };
    bool any = false;
    for (size_t i = 0; i < sizeof(k_caps) / sizeof(k_caps[0]); i++) {
        if (f & k_caps[i].bit) {
            if (!any) {
                json_open_array(jb, "capabilities");
                any = true;
            }
            json_str(jb, NULL, k_caps[i].name);
        }
    }
    if (any) {
        json_close_array(jb);
    }
}

/* The optional fields of TS_UD_CS_CORE after imeFileName, each when the block has it. */
static void log_core_optional(JsonBuf *jb, const uint8_t *c, uint32_t n)
{
    static const char *const k_hint[] = {NULL, "modem", "low_broadband", "satellite",
                                         "high_broadband", "wan", "lan", "autodetect"};
    if (n >= 136) {
        json_u64(jb, "product_id", le16v(c + 134));
    }
    if (n >= 140 && le32v(c + 136) != 0) {
        json_u64(jb, "serial_number", le32v(c + 136));
    }
    if (n >= 146) {
        log_capabilities(jb, le16v(c + 144));
    }
    if (n >= 210 && !utf16_empty(c + 146)) {
        utf16_field(jb, "id", c + 146, 64);
    }
    if (n >= 211 && c[210] >= 1 && c[210] <= 7) {
        json_str(jb, "connection_hint", k_hint[c[210]]);
    }
    if (n >= 220) {
        json_u64(jb, "physical_width", le32v(c + 216));
    }
    if (n >= 224) {
        json_u64(jb, "physical_height", le32v(c + 220));
    }
    if (n >= 226) {
        json_u64(jb, "desktop_orientation", le16v(c + 224));
    }
    if (n >= 230) {
        json_u64(jb, "scale_factor", le32v(c + 226));
    }
    if (n >= 234) {
        json_u64(jb, "device_scale_factor", le32v(c + 230));
    }
}

static void log_core(JsonBuf *jb, const uint8_t *c, uint32_t n)
{
    json_open_object(jb, "client");
    json_str(jb, "version", version_name(le32v(c + 4)));
    json_u64(jb, "desktop_width", le16v(c + 8));
    json_u64(jb, "desktop_height", le16v(c + 10));
    uint32_t depth = color_depth(c, n);
    if (depth != 0) {
        json_u64(jb, "color_depth", depth);
    }
    json_str(jb, "keyboard_layout", layout_name(le32v(c + 16)));
    const char *build = build_name(le32v(c + 20));
    if (build != NULL) {
        json_str(jb, "build", build);
    } else {
        char num[16];
        (void)snprintf(num, sizeof(num), "%u", le32v(c + 20));
        json_str(jb, "build", num);
    }
    utf16_field(jb, "client_name", c + 24, 32);
    const char *kb = keyboard_name(le32v(c + 56));
    if (kb != NULL) {
        json_str(jb, "keyboard_type", kb);
    }
    if (le32v(c + 60) != 0) {
        json_u64(jb, "keyboard_subtype", le32v(c + 60));
    }
    if (le32v(c + 64) != 0) {
        json_u64(jb, "function_keys", le32v(c + 64));
    }
    if (!utf16_empty(c + 68)) {
        utf16_field(jb, "ime", c + 68, 64);
    }
    log_core_optional(jb, c, n);
    json_close_object(jb);
}

static void log_request(JsonBuf *jb, const RdpTx *t)
{
    static const struct { uint8_t bit; const char *name; } k_flags[] = {
        {0x01, "restricted_admin_mode_required"},
        {0x02, "redirected_authentication_mode_required"},
        {0x08, "correlation_info_present"},
    };
    json_str(jb, "event_type", "initial_request");
    if (t->has_cookie) {
        json_strn(jb, "cookie", t->cookie, t->cookie_len);
    }
    if (t->neg_type == RDP_NEG_REQ && (t->neg_flags & 0x0b)) {
        json_open_array(jb, "flags");
        for (size_t i = 0; i < sizeof(k_flags) / sizeof(k_flags[0]); i++) {
            if (t->neg_flags & k_flags[i].bit) {
                json_str(jb, NULL, k_flags[i].name);
            }
        }
        json_close_array(jb);
    }
}

static const char *protocol_name(uint32_t p)
{
    switch (p) {
    case RDP_PROTO_RDP: return "rdp";
    case RDP_PROTO_SSL: return "ssl";
    case RDP_PROTO_HYBRID: return "hybrid";
    case RDP_PROTO_RDSTLS: return "rds_tls";
    case RDP_PROTO_HYBRID_EX: return "hybrid_ex";
    default: return "unknown";
    }
}

static void log_response(JsonBuf *jb, const RdpTx *t)
{
    static const struct { uint8_t bit; const char *name; } k_flags[] = {
        {0x01, "extended_client_data"}, {0x02, "dynvc_gfx"},
        {0x08, "restricted_admin"}, {0x10, "redirected_authentication"},
    };
    static const char *const k_fail[] = {
        NULL, "ssl required by server", "ssl not allowed by server",
        "ssl cert not on server", "inconsistent flags", "hybrid required by server",
        "ssl with user auth required by server",
    };
    json_str(jb, "event_type", "initial_response");
    if (t->neg_type == RDP_NEG_RSP) {
        if (t->neg_flags & 0x1b) {
            json_open_array(jb, "server_supports");
            for (size_t i = 0; i < sizeof(k_flags) / sizeof(k_flags[0]); i++) {
                if (t->neg_flags & k_flags[i].bit) {
                    json_str(jb, NULL, k_flags[i].name);
                }
            }
            json_close_array(jb);
        }
        json_str(jb, "protocol", protocol_name(t->neg_value));
    } else if (t->neg_type == RDP_NEG_FAILURE) {
        json_u64(jb, "error_code", t->neg_value);
        if (t->neg_value >= 1 && t->neg_value <= 6) {
            json_str(jb, "reason", k_fail[t->neg_value]);
        }
    }
}

static void rdp_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const RdpTx *t = (const RdpTx *)tx;
    json_open_object(jb, "rdp");
    json_u64(jb, "tx_id", tx->id);
    switch (t->kind) {
    case RDP_TX_INITIAL_REQUEST:
        log_request(jb, t);
        break;
    case RDP_TX_INITIAL_RESPONSE:
        log_response(jb, t);
        break;
    case RDP_TX_CONNECT_REQUEST:
        json_str(jb, "event_type", "connect_request");
        if (t->core_len >= RDP_CORE_MIN) {
            log_core(jb, t->core, t->core_len);
        }
        if (t->n_channels > 0) {
            json_open_array(jb, "channels");
            for (uint32_t i = 0; i < t->n_channels; i++) {
                json_str(jb, NULL, t->channels[i]);
            }
            json_close_array(jb);
        }
        break;
    default:
        json_str(jb, "event_type", "connect_response");
        break;
    }
    json_close_object(jb);
}

const AppParserDesc app_parser_rdp = {
    .name = "rdp",
    .proto = APP_PROTO_RDP,
    .ipproto = 6,
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "3389",
    .probe_ip = rdp_probe_ip,
    .state_new = rdp_state_new,
    .state_free = rdp_state_free,
    .parse = rdp_parse,
    .eof = rdp_eof,
    .tx_free = rdp_tx_free,
    .complete = {0, 0},
    .log_json = rdp_log_json,
    .eve_generic = true,
};
