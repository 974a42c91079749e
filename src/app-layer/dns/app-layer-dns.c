/* DNS: the parser row, per-flow state (TCP framing per direction), and the
 * transactions: one per message, living in the direction it travelled (request:
 * toserver, response: toclient), complete the moment it is parsed, so one-sided flows
 * and unanswered queries never leave a tx waiting for the other side.
 *
 * UDP: every datagram is one message. TCP (RFC 7766 section 8): each message is
 * preceded by a 16-bit length; messages may span segments and several may share one;
 * the partial message of a direction is carried (at most 2 + 65535 bytes, charged to the
 * DNS memcap). After a gap the direction resynchronises on data that probes as a new
 * length-prefixed message. */
#include "app-layer/dns/app-layer-dns.h"
#include "app-layer/dns/app-layer-dns-tx.h"

#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "flow/flow-types.h"
#include "util/util-byte.h"
#include "util/util-error.h"
#include "util/util-log.h"

typedef struct DnsCarry {
    uint8_t *buf;                // partial TCP message, length prefix included
    uint32_t len;
    uint32_t cap;
    bool is_resync;              // after a gap: waiting for a plausible message start
} DnsCarry;

typedef struct DnsState {
    AppFlow *af;
    bool is_tcp;
    DnsCarry carry[2];
} DnsState;

static void *dns_state_new(AppFlow *af)
{
    DnsState *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return NULL;
    }
    st->af = af;
    st->is_tcp = af->f != NULL && af->f->key.proto == 6;
    return st;
}

static void carry_free(DnsState *st, DnsCarry *c)
{
    if (c->cap != 0) {
        app_mem_release(st->af, c->cap);
    }
    free(c->buf);
    *c = (DnsCarry){.is_resync = c->is_resync};
}

static void dns_state_free(void *state)
{
    DnsState *st = state;
    if (st == NULL) {
        return;
    }
    carry_free(st, &st->carry[0]);
    carry_free(st, &st->carry[1]);
    free(st);
}

static void dns_tx_free(void *state, AppTx *tx)
{
    DnsState *st = state;
    DnsTx *dt = (DnsTx *)tx;
    if (st != NULL && dt->mem_bytes != 0) {
        app_mem_release(st->af, dt->mem_bytes);
    }
    dns_message_deinit(&dt->msg);
}

/* ---- one message -> one tx ---- */

static void raise_events(AppFlow *af, DnsTx *dt, uint32_t events)
{
    for (uint32_t e = 0; e < DNS_EV_N; e++) {
        if (events & (1u << e)) {
            app_tx_event(af, &dt->tx, e);
        }
    }
}

/* Validity checks of a parsed message for its direction (Suricata's: a request must not
 * have QR set, a response must; Z must be zero; opcodes 7-15 are unassigned). */
static uint32_t header_events(const DnsMessage *m, uint8_t dir, AppProto proto)
{
    uint32_t ev = 0;
    bool is_response = (m->flags & DNS_F_QR) != 0;
    /* mDNS responders announce and answer to the multicast group, 5353 to 5353, unasked
     * (RFC 6762 sections 6 and 8.3): a response there stays in the direction it went. */
    if (dir == APP_DIR_TOSERVER && is_response && proto != APP_PROTO_MDNS) {
        ev |= 1u << DNS_EV_NOT_REQUEST;
    }
    if (dir == APP_DIR_TOCLIENT && !is_response) {
        ev |= 1u << DNS_EV_NOT_RESPONSE;
    }
    if (m->flags & DNS_F_Z) {
        ev |= 1u << DNS_EV_Z_FLAG_SET;
    }
    if (dns_opcode(m->flags) >= 7) {
        ev |= 1u << DNS_EV_INVALID_OPCODE;
    }
    return ev;
}

/* A UDP flow whose first packet came from the protocol's port (an LLMNR response is sent
 * unicast from 5355 to the asker's port, so its flow starts with it): its responses are
 * the server's, in the toclient direction, as Suricata turns such flows around. mDNS
 * responders announce and answer to the multicast group from 5353 to 5353 (RFC 6762
 * sections 6 and 8.3), unasked: a response there is a response whichever way it went. */
static bool answer_first(const DnsState *st, uint8_t dir, uint16_t flags)
{
    const Flow *f = st->af->f;
    if (st->is_tcp || dir != APP_DIR_TOSERVER || !(flags & DNS_F_QR) || f == NULL) {
        return false;
    }
    const AppProtoCfg *pc = app_proto_cfg(f->app_proto);
    if (pc == NULL) {
        return false;
    }
    bool sp_hint = (pc->ports[f->key.sp / 8] >> (f->key.sp % 8)) & 1u;
    bool dp_hint = (pc->ports[f->key.dp / 8] >> (f->key.dp % 8)) & 1u;
    return sp_hint && !dp_hint;
}

/* Parses data as one message of dir into a new tx. Returns APP_PARSE_OK, or
 * APP_PARSE_ERROR when no tx could be made (memcap, max-tx, memory). A message the
 * parser refuses, or one in the wrong direction, still makes a tx carrying its events
 * (so rules and anomaly records see them) but no message: loggers skip it. */
static int handle_message(DnsState *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    AppFlow *af = st->af;
    DnsTx *dt = (DnsTx *)app_tx_new(af, sizeof(DnsTx));
    if (dt == NULL) {
        return APP_PARSE_ERROR;
    }
    dt->tx.progress[0] = DNS_PROG_DONE;
    dt->tx.progress[1] = DNS_PROG_DONE;
    int rc = dns_message_parse(data, len, &dt->msg);
    if (answer_first(st, dir, rc == 0 ? dt->msg.flags : 0)) {
        dir = APP_DIR_TOCLIENT;
    }
    dt->dir = dir;
    app_tx_touch(&dt->tx, dir);
    uint32_t events = dt->msg.events;
    if (rc == 0 || (rc == VG_EINVAL && len >= DNS_HEADER_LEN)) {
        events |= header_events(&dt->msg, dir, af->f != NULL ? af->f->app_proto : 0);
    }
    bool keep = rc == 0 &&
                !(events & (1u << DNS_EV_NOT_REQUEST | 1u << DNS_EV_NOT_RESPONSE));
    if (keep) {
        size_t mem = dns_message_mem(&dt->msg);
        if (app_mem_charge(af, mem)) {
            dt->mem_bytes = (uint32_t)mem;
            dt->has_msg = true;
        } else {
            keep = false;
        }
    }
    if (!keep) {
        dns_message_deinit(&dt->msg);
    }
    if (rc == VG_ENOMEM) {
        return APP_PARSE_ERROR;
    }
    raise_events(af, dt, events);
    return APP_PARSE_OK;
}

/* ---- TCP framing ---- */

static bool carry_append(DnsState *st, DnsCarry *c, const uint8_t *data, uint32_t n)
{
    if (c->len + n > c->cap) {
        uint32_t cap = c->cap ? c->cap : 512;
        while (cap < c->len + n) {
            cap *= 2;
        }
        if (!app_mem_charge(st->af, cap - c->cap)) {
            return false;
        }
        uint8_t *b = realloc(c->buf, cap);
        if (b == NULL) {
            app_mem_release(st->af, cap - c->cap);
            return false;
        }
        c->buf = b;
        c->cap = cap;
    }
    memcpy(c->buf + c->len, data, n);
    c->len += n;
    return true;
}

/* Feeds TCP bytes of dir: whole messages in data are parsed in place; a partial one is
 * carried until its length is reached. */
static int parse_tcp(DnsState *st, uint8_t dir, const uint8_t *data, uint32_t len)
{
    DnsCarry *c = &st->carry[dir];
    if (c->is_resync) {
        if (dns_probe_message(data, len, true) != APP_PROBE_YES) {
            return APP_PARSE_OK;   // no plausible message start: skip this data
        }
        c->is_resync = false;
    }
    while (len > 0) {
        if (c->len > 0 || len < 2) {
            /* Complete the carried message (or its length prefix) first. */
            uint32_t need = 2;
            if (c->len >= 2) {
                need = 2u + util_be16(c->buf);
            } else if (c->len == 1) {
                need = 2u + (uint32_t)(c->buf[0] << 8 | data[0]);
            }
            uint32_t take = need > c->len ? need - c->len : 0;
            take = take < len ? take : len;
            if (!carry_append(st, c, data, take)) {
                carry_free(st, c);
                return APP_PARSE_ERROR;
            }
            data += take;
            len -= take;
            if (c->len >= 2 && c->len == 2u + util_be16(c->buf)) {
                int rc = handle_message(st, dir, c->buf + 2, c->len - 2);
                carry_free(st, c);
                if (rc != APP_PARSE_OK) {
                    return rc;
                }
            }
            continue;
        }
        uint32_t msg_len = util_be16(data);
        if (len < 2u + msg_len) {
            if (!carry_append(st, c, data, len)) {
                carry_free(st, c);
                return APP_PARSE_ERROR;
            }
            return APP_PARSE_OK;
        }
        int rc = handle_message(st, dir, data + 2, msg_len);
        if (rc != APP_PARSE_OK) {
            return rc;
        }
        data += 2u + msg_len;
        len -= 2u + msg_len;
    }
    return APP_PARSE_OK;
}

static int dns_parse(AppFlow *af, void *state, uint8_t dir, const uint8_t *data, uint32_t len,
                     uint32_t *consumed)
{
    (void)af;
    *consumed = len;
    DnsState *st = state;
    if (st->is_tcp) {
        return parse_tcp(st, dir, data, len);
    }
    return handle_message(st, dir, data, len);
}

/* Data lost in dir: the carried partial message is dropped, and parsing resumes on data
 * that starts like a new message. */
static int dns_gap(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    DnsState *st = state;
    if (!st->is_tcp) {
        return APP_PARSE_OK;
    }
    carry_free(st, &st->carry[dir]);
    st->carry[dir].is_resync = true;
    return APP_PARSE_OK;
}

static void dns_eof(AppFlow *af, void *state, uint8_t dir)
{
    (void)af;
    DnsState *st = state;
    carry_free(st, &st->carry[dir]);
}

/* ---- detection ---- */

/* app-layer.protocols.dns.tcp.enabled / .udp.enabled: DNS over one transport can be
 * switched off (Suricata's settings); such flows are never detected as DNS. */
static bool g_dns_tcp_enabled = true;
static bool g_dns_udp_enabled = true;

/* A NetBIOS name (RFC 1002 section 4.1: NetBIOS name service, UDP 137, uses the DNS
 * message format): a first label of 32 letters 'A' to 'P', the name's first-level
 * encoding. */
static bool is_netbios_name(const uint8_t *name, uint16_t len)
{
    uint16_t n = 0;
    while (n < len && name[n] != '.') {
        if (name[n] < 'A' || name[n] > 'P') {
            return false;
        }
        n++;
    }
    return n == 32;
}

/* On DNS ports a plausible header and questions decide; elsewhere (any port may carry
 * DNS, but most traffic there is something else) the whole first message must be here
 * and parse without a problem, and ask for no NetBIOS name (NetBIOS name service is
 * another protocol in the same format; Suricata does not call it DNS either). */
static int dns_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                        uint8_t dir)
{
    (void)dir;
    bool is_tcp = ipproto == 6;
    if (!(is_tcp ? g_dns_tcp_enabled : g_dns_udp_enabled)) {
        return APP_PROBE_NO;
    }
    int r = dns_probe_message(data, len, is_tcp);
    if (port_hint || r == APP_PROBE_NO) {
        return r;
    }
    uint32_t skip = is_tcp ? 2 : 0;
    if (len < skip + DNS_HEADER_LEN) {
        return APP_PROBE_NO;       // too little to tell DNS from anything else
    }
    uint32_t msg_len = is_tcp ? util_be16(data) : len;
    if (r == APP_PROBE_MORE || len - skip < msg_len) {
        return APP_PROBE_MORE;
    }
    DnsMessage m;
    int rc = dns_message_parse(data + skip, msg_len, &m);
    uint32_t bad = m.events;
    for (uint32_t i = 0; rc == 0 && i < m.n_rr; i++) {
        const DnsRecord *r = &m.rr[i];
        if (r->section == DNS_SEC_QUERY && is_netbios_name(m.pool + r->name.off, r->name.len)) {
            bad = 1;
        }
    }
    dns_message_deinit(&m);
    return rc == 0 && bad == 0 ? APP_PROBE_YES : APP_PROBE_NO;
}

/* app-layer.protocols.dns.tcp/udp.detection-ports.dp (Suricata's per-transport form):
 * added to the protocol's port hints (one list for both transports here). */
static int add_ports(const struct Conf *conf, const char *key)
{
    const char *spec = conf_str_or(conf, key, NULL);
    AppProtoCfg *pc = app_proto_cfg(APP_PROTO_DNS);
    for (const char *s = spec; s != NULL && *s != '\0';) {
        if (*s == ' ' || *s == ',' || *s == '[' || *s == ']') {
            s++;
            continue;
        }
        char *end;
        long lo = strtol(s, &end, 10);
        long hi = lo;
        if (end != s && (*end == '-' || *end == ':')) {
            const char *h = end + 1;
            hi = strtol(h, &end, 10);
            end = end == h ? (char *)h - 1 : end;
        }
        if (end == s || lo < 0 || hi > 65535 || lo > hi) {
            VG_ERROR("%s: '%s' is not a port list", key, spec);
            return VG_EINVAL;
        }
        for (long p = lo; p <= hi; p++) {
            pc->ports[p / 8] |= (uint8_t)(1u << (p % 8));
        }
        s = end;
    }
    return 0;
}

static int dns_config(const struct Conf *conf)
{
    if (add_ports(conf, "app-layer.protocols.dns.tcp.detection-ports.dp") != 0 ||
        add_ports(conf, "app-layer.protocols.dns.udp.detection-ports.dp") != 0) {
        return VG_EINVAL;
    }
    bool bad = false;
    g_dns_tcp_enabled = conf_bool_or(conf, "app-layer.protocols.dns.tcp.enabled", true, &bad);
    g_dns_udp_enabled = conf_bool_or(conf, "app-layer.protocols.dns.udp.enabled", true, &bad);
    if (bad) {
        VG_ERROR("app-layer.protocols.dns.tcp/udp.enabled: expected yes or no");
        return VG_EINVAL;
    }
    if (!g_dns_tcp_enabled || !g_dns_udp_enabled) {
        VG_CONFIG("app-layer: dns over%s%s disabled", g_dns_tcp_enabled ? "" : " tcp",
                  g_dns_udp_enabled ? "" : " udp");
    }
    return dns_log_config(conf);
}

const AppParserDesc app_parser_dns = {
    .name = "dns",
    .proto = APP_PROTO_DNS,
    .ipproto = 0,                // TCP and UDP
    .split_counters = true,      // app_layer.flow/tx.<name>_tcp and _udp, as Suricata
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "53",
    .config = dns_config,
    .state_new = dns_state_new,
    .state_free = dns_state_free,
    .parse = dns_parse,
    .gap = dns_gap,
    .eof = dns_eof,
    .tx_free = dns_tx_free,
    .complete = {DNS_PROG_DONE, DNS_PROG_DONE},
    .events = dns_event_names,
    .n_events = DNS_EV_N,
    .buffers = dns_buffers,
    .n_buffers = DNS_N_BUFFERS,
    .log_json = dns_log_json,
    .probe_ip = dns_probe_ip,
};

/* LLMNR (RFC 4795): DNS messages on port 5355 (UDP, multicast 224.0.0.252 / ff02::1:3,
 * and TCP), parsed by the DNS parser as their own protocol "llmnr" (Suricata 9), with
 * llmnr.* buffers and llmnr records. Only on the detection ports: elsewhere such a
 * message is DNS. */
static int llmnr_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                          uint8_t dir)
{
    if (!port_hint) {
        return APP_PROBE_NO;
    }
    return dns_probe_ip(ipproto, true, data, len, dir);
}

const AppParserDesc app_parser_llmnr = {
    .name = "llmnr",
    .proto = APP_PROTO_LLMNR,
    .ipproto = 0,                // TCP and UDP
    .first_dir = APP_DIR_TOSERVER,
    .default_ports = "5355",
    .state_new = dns_state_new,
    .state_free = dns_state_free,
    .parse = dns_parse,
    .gap = dns_gap,
    .eof = dns_eof,
    .tx_free = dns_tx_free,
    .complete = {DNS_PROG_DONE, DNS_PROG_DONE},
    .events = dns_event_names,
    .n_events = DNS_EV_N,
    .buffers = llmnr_buffers,
    .n_buffers = LLMNR_N_BUFFERS,
    .log_json = llmnr_log_json,
    .probe_ip = llmnr_probe_ip,
    .eve_generic = true,
};

/* mDNS responses carry no question as a rule (RFC 6762 section 6: announcements and
 * answers list only records): on the port, a response without questions that parses
 * whole is mDNS too. */
static int mdns_probe_ip(uint8_t ipproto, bool port_hint, const uint8_t *data, uint32_t len,
                         uint8_t dir)
{
    if (ipproto != 17 || !port_hint) {
        return APP_PROBE_NO;
    }
    if (dns_probe_ip(ipproto, true, data, len, dir) == APP_PROBE_YES) {
        return APP_PROBE_YES;
    }
    if (len < DNS_HEADER_LEN || !(util_be16(data + 2) & DNS_F_QR) || util_be16(data + 4) != 0) {
        return APP_PROBE_NO;
    }
    DnsMessage m;
    int rc = dns_message_parse(data, len, &m);
    bool ok = rc == 0 && m.events == 0 && m.n_rr > 0;
    dns_message_deinit(&m);
    return ok ? APP_PROBE_YES : APP_PROBE_NO;
}

/* mDNS (RFC 6762): DNS messages on UDP port 5353 (multicast 224.0.0.251 / ff02::fb),
 * parsed by the DNS parser as their own protocol "mdns" (Suricata 8), with mdns.* buffers
 * and mdns records. Only on the detection ports, as LLMNR. */
const AppParserDesc app_parser_mdns = {
    .name = "mdns",
    .proto = APP_PROTO_MDNS,
    .ipproto = 17,
    .first_dir = APP_DIR_TOSERVER,
    .any_first_dir = true,       // announcements (responses) open flows unasked
    .default_ports = "5353",
    .state_new = dns_state_new,
    .state_free = dns_state_free,
    .parse = dns_parse,
    .gap = dns_gap,
    .eof = dns_eof,
    .tx_free = dns_tx_free,
    .complete = {DNS_PROG_DONE, DNS_PROG_DONE},
    .events = dns_event_names,
    .n_events = DNS_EV_N,
    .buffers = mdns_buffers,
    .n_buffers = MDNS_N_BUFFERS,
    .log_json = mdns_log_json,
    .probe_ip = mdns_probe_ip,
    .eve_generic = true,
};

/* ---- app-layer-dns-tx.h ---- */

static const DnsMessage *tx_msg(const AppTx *tx, uint8_t dir)
{
    const DnsTx *dt = (const DnsTx *)tx;
    bool is_dns = tx->proto == APP_PROTO_DNS || tx->proto == APP_PROTO_LLMNR ||
                  tx->proto == APP_PROTO_MDNS;
    return (is_dns && dt->has_msg && dt->dir == dir) ? &dt->msg : NULL;
}

bool dns_tx_flags(const AppTx *tx, uint8_t dir, uint16_t *flags)
{
    const DnsMessage *m = tx_msg(tx, dir);
    if (m == NULL) {
        return false;
    }
    *flags = m->flags;
    return true;
}

uint32_t dns_tx_rrtype_count(const AppTx *tx, uint8_t dir)
{
    const DnsMessage *m = tx_msg(tx, dir);
    if (m == NULL) {
        return 0;
    }
    return m->n_sec[dir == APP_DIR_TOSERVER ? DNS_SEC_QUERY : DNS_SEC_ANSWER];
}

bool dns_tx_rrtype_at(const AppTx *tx, uint8_t dir, uint32_t idx, uint16_t *rrtype)
{
    const DnsMessage *m = tx_msg(tx, dir);
    if (m == NULL) {
        return false;
    }
    uint32_t n;
    const DnsRecord *r =
        dns_message_section(m, dir == APP_DIR_TOSERVER ? DNS_SEC_QUERY : DNS_SEC_ANSWER, &n);
    if (idx >= n) {
        return false;
    }
    *rrtype = r[idx].rrtype;
    return true;
}

bool dns_tx_is_response(const AppTx *tx)
{
    return ((const DnsTx *)tx)->dir == APP_DIR_TOCLIENT;
}
