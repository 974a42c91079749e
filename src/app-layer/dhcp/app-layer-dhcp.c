/* DHCP: the parser row, the message decoder and the EVE object.
 *
 * Every datagram on UDP 67/68 that decodes as BOOTP with the DHCP magic cookie is a
 * tx of the direction it came in; the other direction of that tx is never inspected
 * (marked inspected at once), so a to_server rule sees requests and a to_client rule
 * replies. Options are read from the options area, then from the file and sname
 * fields when option 52 overloads them (RFC 2131 section 4.1), each area bounded by
 * its own length; an option running past its area raises truncated_options, a
 * message whose options never reach the end option, malformed_options.
 * EVE as Suricata: "dhcp" with type, id, client_mac, assigned_ip; in extended mode
 * (eve-log types: dhcp: extended: yes) also client_ip, relay and next server of
 * replies, times, mask, routers, dns servers, requested ip, params and the vendor
 * class. Without extended, only ACK messages are written as dhcp records. */
#include "app-layer/dhcp/app-layer-dhcp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "conf/conf.h"
#include "util/util-json.h"

#define DHCP_COOKIE 0x63825363u
#define DHCP_FILE_OFF 108
#define DHCP_FILE_LEN 128
#define DHCP_SNAME_OFF 44
#define DHCP_SNAME_LEN 64

enum { DHCP_EV_MALFORMED = 0, DHCP_EV_TRUNCATED, DHCP_EV_N };

static const char *const dhcp_event_names[DHCP_EV_N] = {
    "malformed_options",
    "truncated_options",
};

static bool g_extended;          // eve-log types: dhcp: extended (start-up only)

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void addrs(const uint8_t *d, uint8_t n, uint8_t out[][4], uint8_t *count)
{
    *count = 0;
    for (uint8_t i = 0; i + 4 <= n && *count < DHCP_ADDRS_MAX; i += 4) {
        memcpy(out[(*count)++], d + i, 4);
    }
}

static void text(const uint8_t *d, uint8_t n, uint8_t *out, uint8_t *len)
{
    memcpy(out, d, n);
    *len = n;
}

static void option(DhcpMsg *m, uint8_t code, const uint8_t *d, uint8_t n)
{
    switch (code) {
    case 1:
        if (n >= 4) {
            memcpy(m->subnet_mask, d, 4);
            m->has |= DHCP_HAS_MASK;
        }
        break;
    case 3:
        addrs(d, n, m->routers, &m->n_routers);
        m->has |= DHCP_HAS_ROUTERS;
        break;
    case 6:
        addrs(d, n, m->dns, &m->n_dns);
        m->has |= DHCP_HAS_DNS;
        break;
    case 12:
        text(d, n, m->hostname, &m->hostname_len);
        m->has |= DHCP_HAS_HOSTNAME;
        break;
    case 50:
        if (n >= 4) {
            memcpy(m->requested_ip, d, 4);
            m->has |= DHCP_HAS_REQUESTED_IP;
        }
        break;
    case 51:
    case 58:
    case 59:
        if (n >= 4) {
            uint32_t v = be32(d);
            if (code == 51) {
                m->lease_time = v;
                m->has |= DHCP_HAS_LEASE;
            } else if (code == 58) {
                m->renewal_time = v;
                m->has |= DHCP_HAS_RENEWAL;
            } else {
                m->rebinding_time = v;
                m->has |= DHCP_HAS_REBINDING;
            }
        }
        break;
    case 53:
        if (n >= 1) {
            m->msg_type = d[0];
            m->has |= DHCP_HAS_TYPE;
        }
        break;
    case 55:
        m->n_params = n < DHCP_PARAMS_MAX ? n : DHCP_PARAMS_MAX;
        memcpy(m->params, d, m->n_params);
        m->has |= DHCP_HAS_PARAMS;
        break;
    case 60:
        text(d, n, m->vendor, &m->vendor_len);
        m->has |= DHCP_HAS_VENDOR;
        break;
    case 61:
        text(d, n, m->client_id, &m->client_id_len);
        m->has |= DHCP_HAS_CLIENT_ID;
        break;
    default:
        break;
    }
}

/* The options of one area; returns the overload value (option 52) seen, 0 if none.
 * *ended: the end option was found. */
static uint8_t options(DhcpMsg *m, const uint8_t *d, uint32_t len, bool *ended)
{
    uint8_t overload = 0;
    uint32_t i = 0;
    *ended = false;
    while (i < len) {
        uint8_t code = d[i++];
        if (code == 0) {
            continue;            // pad
        }
        if (code == 255) {
            *ended = true;
            return overload;
        }
        if (i >= len || i + 1u + d[i] > len) {
            m->truncated_options = true;
            return overload;
        }
        uint8_t n = d[i++];
        if (code == 52 && n >= 1) {
            overload = d[i];
        }
        option(m, code, d + i, n);
        i += n;
    }
    return overload;
}

bool dhcp_decode(const uint8_t *data, uint32_t len, DhcpMsg *m)
{
    memset(m, 0, sizeof(*m));
    if (data == NULL || len < DHCP_FIXED_LEN + 4 ||
        (data[0] != DHCP_OP_REQUEST && data[0] != DHCP_OP_REPLY) ||
        be32(data + DHCP_FIXED_LEN) != DHCP_COOKIE) {
        return false;
    }
    m->op = data[0];
    m->htype = data[1];
    m->hlen = data[2];
    m->xid = be32(data + 4);
    memcpy(m->ciaddr, data + 12, 4);
    memcpy(m->yiaddr, data + 16, 4);
    memcpy(m->siaddr, data + 20, 4);
    memcpy(m->giaddr, data + 24, 4);
    memcpy(m->chaddr, data + 28, 16);
    bool ended = false;
    uint8_t ov = options(m, data + DHCP_FIXED_LEN + 4, len - DHCP_FIXED_LEN - 4, &ended);
    bool main_ended = ended;
    if (ov == 1 || ov == 3) {
        (void)options(m, data + DHCP_FILE_OFF, DHCP_FILE_LEN, &ended);
    }
    if (ov == 2 || ov == 3) {
        (void)options(m, data + DHCP_SNAME_OFF, DHCP_SNAME_LEN, &ended);
    }
    if (!main_ended && !m->truncated_options) {
        m->truncated_options = true;   // the options area ran out before the end option
    }
    return true;
}

const DhcpTx *dhcp_tx(const AppTx *tx)
{
    return tx != NULL && tx->proto == APP_PROTO_DHCP ? (const DhcpTx *)tx : NULL;
}

static int dhcp_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                         uint8_t dir)
{
    (void)dir;
    if (ipproto != 17 || !port_hint || len < DHCP_FIXED_LEN + 4) {
        return APP_PROBE_NO;     // ports 67 and 68 only, as Suricata
    }
    return (data[0] == DHCP_OP_REQUEST || data[0] == DHCP_OP_REPLY) &&
                   be32(data + DHCP_FIXED_LEN) == DHCP_COOKIE
               ? APP_PROBE_YES
               : APP_PROBE_NO;
}

static int dhcp_config(const struct Conf *conf)
{
    (void)conf;
    return 0;
}

static void *dhcp_state_new(AppFlow *af)
{
    AppFlow **st = calloc(1, sizeof(*st));
    if (st != NULL) {
        *st = af;
    }
    return st;
}

static void dhcp_state_free(void *state)
{
    free(state);
}

static int dhcp_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                      uint32_t *consumed)
{
    (void)state;
    (void)consumed;
    DhcpMsg m;
    if (!dhcp_decode(data, len, &m)) {
        app_tx_event(af, NULL, DHCP_EV_MALFORMED);
        return APP_PARSE_OK;
    }
    DhcpTx *t = (DhcpTx *)app_tx_new(af, sizeof(DhcpTx));
    if (t == NULL) {
        return APP_PARSE_OK;     // memcap or max-tx: counted by the framework
    }
    t->m = m;
    if (m.truncated_options) {
        app_tx_event(af, &t->tx, DHCP_EV_TRUNCATED);
    }
    /* A message belongs to its own direction: the other is never inspected. */
    t->tx.flags |= dir == APP_DIR_TOSERVER ? APP_TX_F_INSPECTED_TC : APP_TX_F_INSPECTED_TS;
    app_tx_touch(&t->tx, dir);
    return APP_PARSE_OK;
}

static void dhcp_tx_free(void *state, AppTx *tx)
{
    (void)state;
    (void)tx;
}

static void ip4(JsonBuf *jb, const char *key, const uint8_t a[4])
{
    char s[16];
    snprintf(s, sizeof(s), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
    json_str(jb, key, s);
}

static void hexcolon(JsonBuf *jb, const char *key, const uint8_t *d, uint32_t n)
{
    char s[3 * DHCP_TEXT_MAX + 1];
    size_t o = 0;
    for (uint32_t i = 0; i < n && o + 4 <= sizeof(s); i++) {
        o += (size_t)snprintf(s + o, sizeof(s) - o, i ? ":%02x" : "%02x", d[i]);
    }
    s[o] = '\0';
    json_str(jb, key, s);
}

static const char *type_name(uint8_t t)
{
    static const char *const names[] = {"unknown", "discover", "offer", "request", "decline",
                                        "ack", "nak", "release", "inform"};
    return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

static const char *param_name(uint8_t p)
{
    switch (p) {
    case 1: return "subnet_mask";
    case 3: return "router";
    case 6: return "dns_server";
    case 15: return "domain";
    case 35: return "arp_timeout";
    case 42: return "ntp_server";
    case 66: return "tftp_server_name";
    case 150: return "tftp_server_ip";
    default: return NULL;        // Suricata names these only
    }
}

static void dhcp_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    const DhcpMsg *m = &((const DhcpTx *)tx)->m;
    json_open_object(jb, "dhcp");
    json_str(jb, "type", m->op == DHCP_OP_REQUEST ? "request" : "reply");
    json_u64(jb, "id", m->xid);
    hexcolon(jb, "client_mac", m->chaddr, m->hlen <= 16 ? m->hlen : 16);
    ip4(jb, "assigned_ip", m->yiaddr);
    if (g_extended) {
        ip4(jb, "client_ip", m->ciaddr);
        if (m->op == DHCP_OP_REPLY) {
            ip4(jb, "relay_ip", m->giaddr);
            ip4(jb, "next_server_ip", m->siaddr);
        }
    }
    if (m->has & DHCP_HAS_CLIENT_ID) {
        hexcolon(jb, "client_id", m->client_id, m->client_id_len);
    }
    if (m->has & DHCP_HAS_HOSTNAME && m->hostname_len > 0) {
        json_strn(jb, "hostname", m->hostname, m->hostname_len);
    }
    if (m->has & DHCP_HAS_TYPE) {
        json_str(jb, "dhcp_type", type_name(m->msg_type));
    }
    if (g_extended) {
        if (m->has & DHCP_HAS_LEASE) {
            json_u64(jb, "lease_time", m->lease_time);
        }
        if (m->has & DHCP_HAS_RENEWAL) {
            json_u64(jb, "renewal_time", m->renewal_time);
        }
        if (m->has & DHCP_HAS_REBINDING) {
            json_u64(jb, "rebinding_time", m->rebinding_time);
        }
        if (m->has & DHCP_HAS_MASK) {
            ip4(jb, "subnet_mask", m->subnet_mask);
        }
        if (m->has & DHCP_HAS_REQUESTED_IP) {
            ip4(jb, "requested_ip", m->requested_ip);
        }
        if (m->has & DHCP_HAS_PARAMS) {
            json_open_array(jb, "params");
            for (uint8_t i = 0; i < m->n_params; i++) {
                const char *p = param_name(m->params[i]);
                if (p != NULL) {
                    json_str(jb, NULL, p);
                }
            }
            json_close_array(jb);
        }
        if (m->has & DHCP_HAS_ROUTERS) {
            json_open_array(jb, "routers");
            for (uint8_t i = 0; i < m->n_routers; i++) {
                ip4(jb, NULL, m->routers[i]);
            }
            json_close_array(jb);
        }
        if (m->has & DHCP_HAS_DNS) {
            json_open_array(jb, "dns_servers");
            for (uint8_t i = 0; i < m->n_dns; i++) {
                ip4(jb, NULL, m->dns[i]);
            }
            json_close_array(jb);
        }
        if (m->has & DHCP_HAS_VENDOR && m->vendor_len > 0) {
            json_strn(jb, "vendor_class_identifier", m->vendor, m->vendor_len);
        }
    }
    json_close_object(jb);
}

static void dhcp_eve_options(const struct ConfNode *opts)
{
    const ConfNode *n = opts != NULL ? conf_node_child(opts, "extended") : NULL;
    bool v = false;
    g_extended = n != NULL && n->value != NULL && conf_parse_bool(n->value, &v) && v;
}

/* Without extended, Suricata writes dhcp records of ACKs only (alerts keep the
 * object of any message). */
static bool dhcp_eve_wanted(const AppTx *tx)
{
    const DhcpMsg *m = &((const DhcpTx *)tx)->m;
    return g_extended || ((m->has & DHCP_HAS_TYPE) && m->msg_type == 5);
}

const AppParserDesc app_parser_dhcp = {
    .name = "dhcp",
    .proto = APP_PROTO_DHCP,
    .ipproto = 17,
    .first_dir = APP_DIR_TOSERVER,
    .any_first_dir = true,       // a server's broadcast reply may open the flow
    .default_ports = "67,68",
    .probe_ip = dhcp_probe_ip,
    .config = dhcp_config,
    .state_new = dhcp_state_new,
    .state_free = dhcp_state_free,
    .parse = dhcp_parse,
    .tx_free = dhcp_tx_free,
    .complete = {0, 0},
    .events = dhcp_event_names,
    .n_events = DHCP_EV_N,
    .log_json = dhcp_log_json,
    .eve_generic = true,
    .eve_options = dhcp_eve_options,
    .eve_wanted = dhcp_eve_wanted,
};
