/* The EVE "dns" object of a tx, in Suricata's two layouts:
 *
 * version 3 (default, and always in alerts): one object per message, "type" request or
 *   response, header fields, "queries" [{rrname, rrtype}], "answers" (detailed format)
 *   and/or "grouped" (rdata by type), "authorities", "additionals".
 * version 2: requests as one object per query ("type":"query", rrname, rrtype); responses
 *   "type":"answer" with the first query's rrname/rrtype, "answers"/"grouped",
 *   "authorities".
 *
 * Configuration: the dns entry of an eve-log output's types (version, requests,
 * responses, formats [detailed, grouped]). */
#include "app-layer/dns/app-layer-dns.h"
#include "app-layer/dns/app-layer-dns-tx.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "util/util-ip.h"
#include "util/util-error.h"
#include "util/util-log.h"

DnsLogCfg g_dns_log_cfg = {.version = 3, .log_requests = true, .log_responses = true,
                           .fmt_detailed = true, .fmt_grouped = false};

/* ---- names and rdata ---- */

static void log_name(JsonBuf *jb, const char *key, const DnsMessage *m, const DnsName *n)
{
    if (n->len == 0 && n->flags == 0) {
        json_str(jb, key, "<root>");
        return;
    }
    json_strn(jb, key, dns_name_bytes(m, n), n->len);
}

static void log_rrtype(JsonBuf *jb, const char *key, uint16_t t)
{
    const char *name = dns_rrtype_name(t);
    if (name != NULL) {
        json_str(jb, key, name);
    } else {
        char num[8];
        snprintf(num, sizeof(num), "%u", t);
        json_str(jb, key, num);
    }
}

static void log_hex(JsonBuf *jb, const char *key, const uint8_t *d, uint32_t n)
{
    char buf[3 * 256];
    uint32_t k = 0;
    for (uint32_t i = 0; i < n && k + 3 < sizeof(buf); i++) {
        k += (uint32_t)snprintf(buf + k, sizeof(buf) - k, i ? ":%02x" : "%02x", d[i]);
    }
    buf[k] = '\0';
    json_str(jb, key, buf);
}

/* TXT strings joined (each without its length byte). */
static void log_txt(JsonBuf *jb, const char *key, const uint8_t *d, uint32_t n)
{
    uint8_t buf[65536];
    uint32_t k = 0;
    for (uint32_t p = 0; p < n;) {
        uint32_t l = d[p];
        if (p + 1 + l > n) {
            break;
        }
        memcpy(buf + k, d + p + 1, l);
        k += l;
        p += 1 + l;
    }
    json_strn(jb, key, buf, k);
}

/* The "rdata" value of r (key NULL inside an array); false when r has none to show. */
static bool log_rdata_value(JsonBuf *jb, const char *key, const DnsMessage *m,
                            const DnsRecord *r)
{
    const uint8_t *d = m->pool + r->data_off;
    switch (r->rd_kind) {
    case DNS_RD_ADDR: {
        char ip[INET6_ADDRSTRLEN];
        if (r->data_len == 4) {
            inet_ntop(AF_INET, d, ip, sizeof(ip));
        } else if (r->data_len != 16) {
            return false;   // the parser keeps only 4 or 16 bytes; nothing else is shown
        } else {
            util_ipv6_full(d, ip);   // in full, as Suricata logs AAAA
        }
        json_str(jb, key, ip);
        return true;
    }
    case DNS_RD_NAME:
    case DNS_RD_MX:
        log_name(jb, key, m, &r->target);
        return true;
    case DNS_RD_TXT:
        log_txt(jb, key, d, r->data_len);
        return true;
    case DNS_RD_RAW:
        if (r->rrtype == DNS_RR_NULL || r->data_len > 0) {
            json_strn(jb, key, d, r->data_len);
            return true;
        }
        return false;
    default:
        return false;
    }
}

static void log_record(JsonBuf *jb, const DnsMessage *m, const DnsRecord *r)
{
    json_open_object(jb, NULL);
    log_name(jb, "rrname", m, &r->name);
    if (r->name.flags & DNS_NAME_F_TRUNCATED) {
        json_bool(jb, "rrname_truncated", true);
    }
    log_rrtype(jb, "rrtype", r->rrtype);
    json_u64(jb, "ttl", r->ttl);
    switch (r->rd_kind) {
    case DNS_RD_SOA:
        json_open_object(jb, "soa");
        log_name(jb, "mname", m, &r->target);
        log_name(jb, "rname", m, &r->target2);
        json_u64(jb, "serial", r->num[0]);
        json_u64(jb, "refresh", r->num[1]);
        json_u64(jb, "retry", r->num[2]);
        json_u64(jb, "expire", r->num[3]);
        json_u64(jb, "minimum", r->num[4]);
        json_close_object(jb);
        break;
    case DNS_RD_SRV:
        json_open_object(jb, "srv");
        json_u64(jb, "priority", r->num[0]);
        json_u64(jb, "weight", r->num[1]);
        json_u64(jb, "port", r->num[2]);
        log_name(jb, "name", m, &r->target);
        json_close_object(jb);
        break;
    case DNS_RD_SSHFP:
        json_open_object(jb, "sshfp");
        log_hex(jb, "fingerprint", m->pool + r->data_off, r->data_len);
        json_u64(jb, "algo", r->num[0]);
        json_u64(jb, "type", r->num[1]);
        json_close_object(jb);
        break;
    default:
        log_rdata_value(jb, "rdata", m, r);
        break;
    }
    json_close_object(jb);
}

static void log_section(JsonBuf *jb, const char *key, const DnsMessage *m, uint8_t sec)
{
    uint32_t n;
    const DnsRecord *r = dns_message_section(m, sec, &n);
    if (n == 0) {
        return;
    }
    json_open_array(jb, key);
    for (uint32_t i = 0; i < n; i++) {
        log_record(jb, m, &r[i]);
    }
    json_close_array(jb);
}

/* "grouped": {"A": [...], "CNAME": [...]} in order of first appearance. */
static void log_grouped(JsonBuf *jb, const DnsMessage *m)
{
    uint32_t n;
    const DnsRecord *r = dns_message_section(m, DNS_SEC_ANSWER, &n);
    if (n == 0) {
        return;
    }
    json_open_object(jb, "grouped");
    for (uint32_t i = 0; i < n; i++) {
        bool seen = false;
        for (uint32_t j = 0; j < i && !seen; j++) {
            seen = r[j].rrtype == r[i].rrtype;
        }
        const char *tname = dns_rrtype_name(r[i].rrtype);
        if (seen || tname == NULL) {
            continue;
        }
        json_open_array(jb, tname);
        for (uint32_t j = i; j < n; j++) {
            if (r[j].rrtype != r[i].rrtype) {
                continue;
            }
            if (r[j].rd_kind == DNS_RD_SOA || r[j].rd_kind == DNS_RD_SRV ||
                r[j].rd_kind == DNS_RD_SSHFP) {
                json_open_object(jb, NULL);
                if (r[j].rd_kind == DNS_RD_SRV) {
                    json_u64(jb, "priority", r[j].num[0]);
                    json_u64(jb, "weight", r[j].num[1]);
                    json_u64(jb, "port", r[j].num[2]);
                    log_name(jb, "name", m, &r[j].target);
                } else if (r[j].rd_kind == DNS_RD_SOA) {
                    log_name(jb, "mname", m, &r[j].target);
                    log_name(jb, "rname", m, &r[j].target2);
                    json_u64(jb, "serial", r[j].num[0]);
                    json_u64(jb, "refresh", r[j].num[1]);
                    json_u64(jb, "retry", r[j].num[2]);
                    json_u64(jb, "expire", r[j].num[3]);
                    json_u64(jb, "minimum", r[j].num[4]);
                } else {
                    log_hex(jb, "fingerprint", m->pool + r[j].data_off, r[j].data_len);
                    json_u64(jb, "algo", r[j].num[0]);
                    json_u64(jb, "type", r[j].num[1]);
                }
                json_close_object(jb);
            } else {
                log_rdata_value(jb, NULL, m, &r[j]);
            }
        }
        json_close_array(jb);
    }
    json_close_object(jb);
}

static void log_flags(JsonBuf *jb, const DnsMessage *m)
{
    char hex[8];
    snprintf(hex, sizeof(hex), "%x", m->flags);
    json_str(jb, "flags", hex);
    static const struct {
        uint16_t bit;
        const char *key;
    } bits[] = {{DNS_F_QR, "qr"}, {DNS_F_AA, "aa"}, {DNS_F_TC, "tc"}, {DNS_F_RD, "rd"},
                {DNS_F_RA, "ra"}, {DNS_F_Z, "z"}};
    for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++) {
        if (m->flags & bits[i].bit) {
            json_bool(jb, bits[i].key, true);
        }
    }
    json_u64(jb, "opcode", dns_opcode(m->flags));
}

static void log_rcode(JsonBuf *jb, const DnsMessage *m)
{
    const char *rc = dns_rcode_name(dns_rcode(m->flags));
    char num[8];
    if (rc == NULL) {
        snprintf(num, sizeof(num), "%u", dns_rcode(m->flags));
        rc = num;
    }
    json_str(jb, "rcode", rc);
}

static void log_answers(JsonBuf *jb, const DnsMessage *m, const DnsLogCfg *cfg)
{
    if (cfg->fmt_detailed) {
        log_section(jb, "answers", m, DNS_SEC_ANSWER);
    }
    if (cfg->fmt_grouped) {
        log_grouped(jb, m);
    }
}

/* Version 3 body (the caller opened the "dns" object). */
static void log_v3(JsonBuf *jb, const DnsTx *dt, const DnsLogCfg *cfg)
{
    const DnsMessage *m = &dt->msg;
    json_u64(jb, "version", 3);
    /* mDNS responses may travel toserver (announcements): their type is the QR bit. */
    bool is_request = dt->tx.proto == APP_PROTO_MDNS ? !(m->flags & DNS_F_QR)
                                                     : dt->dir == APP_DIR_TOSERVER;
    json_str(jb, "type", is_request ? "request" : "response");
    json_u64(jb, "tx_id", dt->tx.id);
    json_u64(jb, "id", m->id);
    log_flags(jb, m);
    log_rcode(jb, m);
    uint32_t n;
    const DnsRecord *q = dns_message_section(m, DNS_SEC_QUERY, &n);
    if (n > 0) {
        json_open_array(jb, "queries");
        for (uint32_t i = 0; i < n; i++) {
            json_open_object(jb, NULL);
            log_name(jb, "rrname", m, &q[i].name);
            if (q[i].name.flags & DNS_NAME_F_TRUNCATED) {
                json_bool(jb, "rrname_truncated", true);
            }
            log_rrtype(jb, "rrtype", q[i].rrtype);
            json_close_object(jb);
        }
        json_close_array(jb);
    }
    log_answers(jb, m, cfg);
    log_section(jb, "authorities", m, DNS_SEC_AUTHORITY);
    log_section(jb, "additionals", m, DNS_SEC_ADDITIONAL);
}

/* Version 2 response body. */
static void log_v2_answer(JsonBuf *jb, const DnsTx *dt, const DnsLogCfg *cfg)
{
    const DnsMessage *m = &dt->msg;
    json_u64(jb, "version", 2);
    json_str(jb, "type", "answer");
    json_u64(jb, "id", m->id);
    log_flags(jb, m);
    uint32_t n;
    const DnsRecord *q = dns_message_section(m, DNS_SEC_QUERY, &n);
    if (n > 0) {
        log_name(jb, "rrname", m, &q[0].name);
        log_rrtype(jb, "rrtype", q[0].rrtype);
    }
    log_rcode(jb, m);
    log_answers(jb, m, cfg);
    log_section(jb, "authorities", m, DNS_SEC_AUTHORITY);
}

/* Version 2 request: the idx-th query. */
static void log_v2_query(JsonBuf *jb, const DnsTx *dt, uint32_t idx)
{
    const DnsMessage *m = &dt->msg;
    uint32_t n;
    const DnsRecord *q = dns_message_section(m, DNS_SEC_QUERY, &n);
    json_str(jb, "type", "query");
    json_u64(jb, "id", m->id);
    if (idx < n) {
        log_name(jb, "rrname", m, &q[idx].name);
        if (q[idx].name.flags & DNS_NAME_F_TRUNCATED) {
            json_bool(jb, "rrname_truncated", true);
        }
        log_rrtype(jb, "rrtype", q[idx].rrtype);
    }
    json_u64(jb, "tx_id", dt->tx.id);
    json_u64(jb, "opcode", dns_opcode(m->flags));
}

static void log_json_as(const AppTx *tx, JsonBuf *jb, const char *key)
{
    const DnsTx *dt = (const DnsTx *)tx;
    json_open_object(jb, key);
    if (dt->has_msg) {
        DnsLogCfg cfg = g_dns_log_cfg;
        cfg.fmt_detailed = true;
        cfg.fmt_grouped = false;
        log_v3(jb, dt, &cfg);
    } else {
        json_u64(jb, "tx_id", dt->tx.id);
    }
    json_close_object(jb);
}

void dns_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    log_json_as(tx, jb, "dns");
}

void llmnr_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    log_json_as(tx, jb, "llmnr");
}

void mdns_log_json(const Flow *f, const AppTx *tx, JsonBuf *jb)
{
    (void)f;
    log_json_as(tx, jb, "mdns");
}

static bool type_logged(const DnsLogCfg *cfg, uint16_t t)
{
    for (uint32_t i = 0; i < cfg->n_types; i++) {
        if (cfg->types[i] == t) {
            return true;
        }
    }
    return cfg->n_types == 0;
}

/* A message is logged when one of its questions has a logged type (the first answer's
 * type when it has no question). */
static bool msg_logged(const DnsLogCfg *cfg, const DnsMessage *m)
{
    if (cfg->n_types == 0) {
        return true;
    }
    uint32_t n;
    const DnsRecord *q = dns_message_section(m, DNS_SEC_QUERY, &n);
    for (uint32_t i = 0; i < n; i++) {
        if (type_logged(cfg, q[i].rrtype)) {
            return true;
        }
    }
    const DnsRecord *a = n == 0 ? dns_message_section(m, DNS_SEC_ANSWER, &n) : NULL;
    return a != NULL && type_logged(cfg, a[0].rrtype);
}

/* Version 2 requests: the idx-th logged query's index in the question section. */
static uint32_t v2_query_index(const DnsLogCfg *cfg, const DnsMessage *m, uint32_t idx)
{
    uint32_t n;
    const DnsRecord *q = dns_message_section(m, DNS_SEC_QUERY, &n);
    for (uint32_t i = 0; i < n; i++) {
        if (type_logged(cfg, q[i].rrtype) && idx-- == 0) {
            return i;
        }
    }
    return n;
}

bool dns_tx_log_toclient(const AppTx *tx)
{
    return ((const DnsTx *)tx)->dir == APP_DIR_TOCLIENT && g_dns_log_cfg.version != 2;
}

uint32_t dns_tx_log_record_count(const AppTx *tx)
{
    const DnsTx *dt = (const DnsTx *)tx;
    const DnsLogCfg *cfg = &g_dns_log_cfg;
    if (!dt->has_msg || !msg_logged(cfg, &dt->msg)) {
        return 0;
    }
    if (dt->dir == APP_DIR_TOSERVER) {
        if (!cfg->log_requests) {
            return 0;
        }
        if (cfg->version != 2) {
            return 1;
        }
        uint32_t n;
        const DnsRecord *q = dns_message_section(&dt->msg, DNS_SEC_QUERY, &n);
        uint32_t k = 0;
        for (uint32_t i = 0; i < n; i++) {
            k += type_logged(cfg, q[i].rrtype);
        }
        return k;
    }
    return cfg->log_responses ? 1 : 0;
}

void dns_tx_log_record(const AppTx *tx, uint32_t idx, JsonBuf *jb)
{
    const DnsTx *dt = (const DnsTx *)tx;
    const DnsLogCfg *cfg = &g_dns_log_cfg;
    json_open_object(jb, "dns");
    if (cfg->version == 2 && dt->dir == APP_DIR_TOSERVER) {
        log_v2_query(jb, dt, v2_query_index(cfg, &dt->msg, idx));
    } else if (cfg->version == 2) {
        log_v2_answer(jb, dt, cfg);
    } else {
        log_v3(jb, dt, cfg);
    }
    json_close_object(jb);
}

/* ---- configuration ---- */

/* The dns entry of the first eve-log output's types list, NULL when absent. */
static const ConfNode *find_eve_dns(const Conf *conf)
{
    const ConfNode *outs = conf_get_node(conf, NULL, "outputs");
    for (const ConfNode *o = outs ? outs->first_child : NULL; o != NULL; o = o->next) {
        const ConfNode *eve = conf_node_child(o, "eve-log");
        const ConfNode *types = eve ? conf_node_child(eve, "types") : NULL;
        for (const ConfNode *t = types ? types->first_child : NULL; t != NULL; t = t->next) {
            const ConfNode *d = conf_node_child(t, "dns");
            if (d != NULL) {
                return d;
            }
        }
    }
    return NULL;
}

static bool node_bool(const ConfNode *n, const char *key, bool dflt)
{
    const ConfNode *c = conf_node_child(n, key);
    bool b;
    return (c != NULL && c->value != NULL && conf_parse_bool(c->value, &b)) ? b : dflt;
}

int dns_log_config(const struct Conf *conf)
{
    DnsLogCfg cfg = {.version = 3, .log_requests = true, .log_responses = true,
                     .fmt_detailed = true, .fmt_grouped = true};
    const ConfNode *d = conf != NULL ? find_eve_dns(conf) : NULL;
    if (d != NULL) {
        const ConfNode *v = conf_node_child(d, "version");
        if (v != NULL && v->value != NULL) {
            if (strcmp(v->value, "2") == 0) {
                cfg.version = 2;
            } else if (strcmp(v->value, "3") != 0) {
                VG_ERROR("%s:%d: dns version must be 2 or 3, not '%s'", v->file, v->line,
                         v->value);
                return VG_EINVAL;
            }
        }
        cfg.log_requests = node_bool(d, "requests", true) && node_bool(d, "query", true);
        cfg.log_responses = node_bool(d, "responses", true) && node_bool(d, "answer", true);
        const ConfNode *ty = conf_node_child(d, "types");
        for (const ConfNode *i = ty ? ty->first_child : NULL; i != NULL; i = i->next) {
            uint16_t t;
            if (i->value == NULL || !dns_rrtype_by_name(i->value, &t)) {
                VG_ERROR("%s:%d: dns types: unknown rrtype '%s'", i->file, i->line,
                         i->value ? i->value : "");
                return VG_EINVAL;
            }
            if (cfg.n_types < sizeof(cfg.types) / sizeof(cfg.types[0])) {
                cfg.types[cfg.n_types++] = t;
            }
        }
        const ConfNode *fm = conf_node_child(d, "formats");
        if (fm != NULL && fm->first_child != NULL) {
            cfg.fmt_detailed = cfg.fmt_grouped = false;
            for (const ConfNode *i = fm->first_child; i != NULL; i = i->next) {
                if (i->value != NULL && strcmp(i->value, "detailed") == 0) {
                    cfg.fmt_detailed = true;
                } else if (i->value != NULL && strcmp(i->value, "grouped") == 0) {
                    cfg.fmt_grouped = true;
                }
            }
        }
    }
    /* Suricata's override of the layout (its test harness sets it): wins over the file */
    const char *env = getenv("SURICATA_EVE_DNS_VERSION");
    if (env != NULL && env[0] != '\0') {
        if (strcmp(env, "2") == 0 || strcmp(env, "3") == 0) {
            cfg.version = (uint8_t)(env[0] - '0');
        } else {
            VG_ERROR("environment: SURICATA_EVE_DNS_VERSION must be 2 or 3, not '%s'", env);
            return VG_EINVAL;
        }
    }
    g_dns_log_cfg = cfg;
    return 0;
}
