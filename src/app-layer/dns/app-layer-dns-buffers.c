/* DNS buffers for rules, as Suricata 8 names them. All are multi-buffers (one instance
 * per record) of a message: a request tx offers the toserver rows, a response tx the
 * toclient rows; a row never serves a message of the other direction (a tx is only ever
 * inspected in its own direction, but flow-end passes visit both).
 *
 *   dns.query                 query names of requests (dns_query)
 *   dns.queries.rrname        query names (requests and responses)
 *   dns.query.name            the same, Suricata 7's name
 *   dns.answers.rrname        answer owner names
 *   dns.answer.name           the same, Suricata 7's name
 *   dns.authorities.rrname    authority owner names
 *   dns.additionals.rrname    additional owner names
 *   dns.response.rrname       responses: every owner name of every section, then the
 *                             names inside rdata (CNAME/NS/PTR/MX/SRV targets, SOA names) */
#include "app-layer/dns/app-layer-dns.h"

static const DnsMessage *msg_of(const AppTx *tx, uint8_t dir)
{
    const DnsTx *dt = (const DnsTx *)tx;
    return (dt->has_msg && dt->dir == dir) ? &dt->msg : NULL;
}

static bool name_out(const DnsMessage *m, const DnsName *n, const uint8_t **data,
                     uint32_t *len)
{
    *data = dns_name_bytes(m, n);
    *len = n->len;
    return true;
}

static bool section_name(const AppTx *tx, uint8_t dir, uint8_t sec, uint32_t idx,
                         const uint8_t **data, uint32_t *len)
{
    const DnsMessage *m = msg_of(tx, dir);
    if (m == NULL) {
        return false;
    }
    uint32_t n;
    const DnsRecord *r = dns_message_section(m, sec, &n);
    return idx < n && name_out(m, &r[idx].name, data, len);
}

/* dns.response.rrname: owner names first, then rdata names in record order. */
static bool response_name(const AppTx *tx, uint32_t idx, const uint8_t **data, uint32_t *len)
{
    const DnsMessage *m = msg_of(tx, APP_DIR_TOCLIENT);
    if (m == NULL) {
        return false;
    }
    if (idx < m->n_rr) {
        return name_out(m, &m->rr[idx].name, data, len);
    }
    idx -= m->n_rr;
    for (uint32_t i = 0; i < m->n_rr; i++) {
        const DnsRecord *r = &m->rr[i];
        uint32_t has = 0;
        switch (r->rd_kind) {
        case DNS_RD_NAME:
        case DNS_RD_MX:
        case DNS_RD_SRV:
            has = 1;
            break;
        case DNS_RD_SOA:
            has = 2;
            break;
        default:
            break;
        }
        if (idx < has) {
            return name_out(m, idx == 0 ? &r->target : &r->target2, data, len);
        }
        idx -= has;
    }
    return false;
}

#define SECTION_GETTERS(fn, dir, sec)                                                       \
    static bool fn##_multi(const Flow *f, const AppTx *tx, uint32_t idx,                   \
                           const uint8_t **data, uint32_t *len)                             \
    {                                                                                       \
        (void)f;                                                                            \
        return section_name(tx, dir, sec, idx, data, len);                                  \
    }                                                                                       \
    static bool fn(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)     \
    {                                                                                       \
        return fn##_multi(f, tx, 0, data, len);                                             \
    }

SECTION_GETTERS(ts_query, APP_DIR_TOSERVER, DNS_SEC_QUERY)
SECTION_GETTERS(tc_query, APP_DIR_TOCLIENT, DNS_SEC_QUERY)
SECTION_GETTERS(ts_answer, APP_DIR_TOSERVER, DNS_SEC_ANSWER)
SECTION_GETTERS(tc_answer, APP_DIR_TOCLIENT, DNS_SEC_ANSWER)
SECTION_GETTERS(ts_authority, APP_DIR_TOSERVER, DNS_SEC_AUTHORITY)
SECTION_GETTERS(tc_authority, APP_DIR_TOCLIENT, DNS_SEC_AUTHORITY)
SECTION_GETTERS(ts_additional, APP_DIR_TOSERVER, DNS_SEC_ADDITIONAL)
SECTION_GETTERS(tc_additional, APP_DIR_TOCLIENT, DNS_SEC_ADDITIONAL)

static bool tc_response_multi(const Flow *f, const AppTx *tx, uint32_t idx, const uint8_t **data,
                              uint32_t *len)
{
    (void)f;
    return response_name(tx, idx, data, len);
}

static bool tc_response(const Flow *f, const AppTx *tx, const uint8_t **data, uint32_t *len)
{
    return tc_response_multi(f, tx, 0, data, len);
}

#define ROW(n, d, fn) {.name = n, .proto = APP_PROTO_DNS, .dir = d, .progress = DNS_PROG_DONE, \
                       .get = fn, .get_multi = fn##_multi}

const AppBufferDef dns_buffers[DNS_N_BUFFERS] = {
    ROW("dns.query", APP_DIR_TOSERVER, ts_query),
    ROW("dns.queries.rrname", APP_DIR_TOSERVER, ts_query),
    ROW("dns.queries.rrname", APP_DIR_TOCLIENT, tc_query),
    ROW("dns.query.name", APP_DIR_TOSERVER, ts_query),
    ROW("dns.query.name", APP_DIR_TOCLIENT, tc_query),
    ROW("dns.answers.rrname", APP_DIR_TOSERVER, ts_answer),
    ROW("dns.answers.rrname", APP_DIR_TOCLIENT, tc_answer),
    ROW("dns.answer.name", APP_DIR_TOSERVER, ts_answer),
    ROW("dns.answer.name", APP_DIR_TOCLIENT, tc_answer),
    ROW("dns.authorities.rrname", APP_DIR_TOSERVER, ts_authority),
    ROW("dns.authorities.rrname", APP_DIR_TOCLIENT, tc_authority),
    ROW("dns.additionals.rrname", APP_DIR_TOSERVER, ts_additional),
    ROW("dns.additionals.rrname", APP_DIR_TOCLIENT, tc_additional),
    ROW("dns.response.rrname", APP_DIR_TOCLIENT, tc_response),
};

#define LLMNR_ROW(n, d, fn) {.name = n, .proto = APP_PROTO_LLMNR, .dir = d, \
                             .progress = DNS_PROG_DONE, .get = fn, .get_multi = fn##_multi}

const AppBufferDef llmnr_buffers[LLMNR_N_BUFFERS] = {
    LLMNR_ROW("llmnr.queries.rrname", APP_DIR_TOSERVER, ts_query),
    LLMNR_ROW("llmnr.queries.rrname", APP_DIR_TOCLIENT, tc_query),
    LLMNR_ROW("llmnr.answers.rrname", APP_DIR_TOSERVER, ts_answer),
    LLMNR_ROW("llmnr.answers.rrname", APP_DIR_TOCLIENT, tc_answer),
    LLMNR_ROW("llmnr.authorities.rrname", APP_DIR_TOSERVER, ts_authority),
    LLMNR_ROW("llmnr.authorities.rrname", APP_DIR_TOCLIENT, tc_authority),
    LLMNR_ROW("llmnr.additionals.rrname", APP_DIR_TOSERVER, ts_additional),
    LLMNR_ROW("llmnr.additionals.rrname", APP_DIR_TOCLIENT, tc_additional),
    LLMNR_ROW("llmnr.response.rrname", APP_DIR_TOCLIENT, tc_response),
};

#define MDNS_ROW(n, d, fn) {.name = n, .proto = APP_PROTO_MDNS, .dir = d, \
                            .progress = DNS_PROG_DONE, .get = fn, .get_multi = fn##_multi}

const AppBufferDef mdns_buffers[MDNS_N_BUFFERS] = {
    MDNS_ROW("mdns.queries.rrname", APP_DIR_TOSERVER, ts_query),
    MDNS_ROW("mdns.queries.rrname", APP_DIR_TOCLIENT, tc_query),
    MDNS_ROW("mdns.answers.rrname", APP_DIR_TOSERVER, ts_answer),
    MDNS_ROW("mdns.answers.rrname", APP_DIR_TOCLIENT, tc_answer),
    MDNS_ROW("mdns.authorities.rrname", APP_DIR_TOSERVER, ts_authority),
    MDNS_ROW("mdns.authorities.rrname", APP_DIR_TOCLIENT, tc_authority),
    MDNS_ROW("mdns.additionals.rrname", APP_DIR_TOSERVER, ts_additional),
    MDNS_ROW("mdns.additionals.rrname", APP_DIR_TOCLIENT, tc_additional),
    MDNS_ROW("mdns.response.rrname", APP_DIR_TOCLIENT, tc_response),
};
