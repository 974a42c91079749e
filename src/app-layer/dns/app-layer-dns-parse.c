/* DNS message parser (RFC 1035 section 4): header, questions and resource records of
 * the four sections, names decompressed with bounded work, rdata of the common types
 * decoded. Pure: no flow, no framework; the transaction code owns the results.
 *
 * Bounds: a name follows at most DNS_MAX_JUMPS compression pointers and reads at most
 * DNS_MAX_LABELS labels once its end is known; its text is cut at DNS_NAME_MAX bytes; a
 * message keeps at most DNS_MAX_RECORDS records and DNS_POOL_MAX bytes of names and
 * rdata. Every read is checked against the message length first. */
#include "app-layer/dns/app-layer-dns.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util-byte.h"
#include "util/util-error.h"

const char *const dns_event_names[DNS_EV_N] = {
    [DNS_EV_MALFORMED_DATA] = "malformed_data",
    [DNS_EV_NOT_REQUEST] = "not_request",
    [DNS_EV_NOT_RESPONSE] = "not_response",
    [DNS_EV_Z_FLAG_SET] = "z_flag_set",
    [DNS_EV_INVALID_OPCODE] = "invalid_opcode",
    [DNS_EV_NAME_TOO_LONG] = "name_too_long",
    [DNS_EV_INFINITE_LOOP] = "infinite_loop",
    [DNS_EV_TOO_MANY_LABELS] = "too_many_labels",
    [DNS_EV_INVALID_ADDITIONALS] = "invalid_additionals",
    [DNS_EV_INVALID_AUTHORITIES] = "invalid_authorities",
    [DNS_EV_TOO_MANY_RECORDS] = "too_many_records",
};

/* Names already decompressed, by the wire offset they start at: a name that is only a
 * pointer to one of them shares its bytes instead of copying them again (a message
 * of 10,000 questions pointing at one 1,000-byte name stays small). */
#define NAME_CACHE 256

typedef struct NameCacheEntry {
    uint32_t wire;               // offset + 1 of the name's start (0: empty slot)
    DnsName name;
} NameCacheEntry;

typedef struct Cursor {
    const uint8_t *data;
    uint32_t len;
    uint32_t pos;
    NameCacheEntry *cache;       // NAME_CACHE slots
} Cursor;

/* ---- pool ---- */

/* Reserves n bytes at the end of the pool; NULL when the message pool cap is reached
 * (m->is_pool_full set) or memory runs out (*oom set). */
static uint8_t *pool_reserve(DnsMessage *m, uint32_t n, bool *oom)
{
    if ((uint64_t)m->pool_len + n > DNS_POOL_MAX) {
        m->is_pool_full = true;
        return NULL;
    }
    if (m->pool_len + n > m->pool_cap) {
        uint32_t cap = m->pool_cap ? m->pool_cap : 256;
        while (cap < m->pool_len + n) {
            cap *= 2;
        }
        cap = cap > DNS_POOL_MAX ? DNS_POOL_MAX : cap;
        uint8_t *p = realloc(m->pool, cap);
        if (p == NULL) {
            *oom = true;
            return NULL;
        }
        m->pool = p;
        m->pool_cap = cap;
    }
    uint8_t *at = m->pool + m->pool_len;
    m->pool_len += n;
    return at;
}

/* ---- names (RFC 1035 4.1.4) ---- */

enum { NAME_OK = 0, NAME_BAD = -1, NAME_OOM = -2 };

/* Copies a label into the name being built at pool[n->off]; the pool grows only at its
 * end and the name is the last thing in it, so the name stays contiguous. */
static int name_append(DnsMessage *m, DnsName *n, const uint8_t *label, uint32_t l)
{
    if (n->flags & DNS_NAME_F_TRUNCATED) {
        return NAME_OK;
    }
    uint32_t add = l + (n->len > 0 ? 1u : 0u);
    uint32_t room = DNS_NAME_MAX - n->len;
    if (add > room) {
        n->flags |= DNS_NAME_F_TRUNCATED;
        add = room;
    }
    bool oom = false;
    uint8_t *at = pool_reserve(m, add, &oom);
    if (at == NULL) {
        return oom ? NAME_OOM : NAME_BAD;
    }
    uint32_t k = 0;
    if (n->len > 0 && k < add) {
        at[k++] = '.';
    }
    memcpy(at + k, label, add - k);
    n->len = (uint16_t)(n->len + add);
    return NAME_OK;
}

/* Reads the name at c->pos; c->pos moves past it (past its first pointer when
 * compressed). */
static int parse_name_new(Cursor *c, DnsMessage *m, DnsName *n);

static int parse_name(Cursor *c, DnsMessage *m, DnsName *n)
{
    uint32_t start = c->pos;
    if (start + 1 < c->len && (c->data[start] & 0xc0) == 0xc0) {
        uint32_t target = util_be16(c->data + start) & 0x3fff;
        const NameCacheEntry *e = &c->cache[target % NAME_CACHE];
        if (e->wire == target + 1) {
            *n = e->name;
            c->pos = start + 2;
            return NAME_OK;
        }
    }
    int rc = parse_name_new(c, m, n);
    if (rc == NAME_OK) {
        c->cache[start % NAME_CACHE] = (NameCacheEntry){.wire = start + 1, .name = *n};
    }
    return rc;
}

static int parse_name_new(Cursor *c, DnsMessage *m, DnsName *n)
{
    *n = (DnsName){.off = m->pool_len};
    uint32_t p = c->pos;
    uint32_t end = 0;              // position after the name, once known
    uint32_t jumps = 0;
    uint32_t labels = 0;
    for (;;) {
        if (p >= c->len) {
            return NAME_BAD;
        }
        uint8_t l = c->data[p];
        if (l == 0) {
            end = end ? end : p + 1;
            break;
        }
        if ((l & 0xc0) == 0xc0) {
            if (p + 1 >= c->len) {
                return NAME_BAD;
            }
            end = end ? end : p + 2;
            if (++jumps > DNS_MAX_JUMPS) {
                n->flags |= DNS_NAME_F_LOOP;
                break;
            }
            p = (uint32_t)(util_be16(c->data + p) & 0x3fff);
            continue;
        }
        if (l & 0xc0) {
            return NAME_BAD;       // 0x40/0x80 label types: obsolete or reserved
        }
        if (p + 1u + l > c->len) {
            return NAME_BAD;
        }
        if (++labels > DNS_MAX_LABELS) {
            n->flags |= DNS_NAME_F_LABELS;
            if (end != 0) {
                break;             // end known: stop the walk here
            }
        } else {
            int rc = name_append(m, n, c->data + p + 1, l);
            if (rc != NAME_OK) {
                return rc;
            }
        }
        p += 1u + l;
    }
    c->pos = end;
    return NAME_OK;
}

/* ---- records ---- */

static void name_events(DnsMessage *m, const DnsName *n)
{
    if (n->flags & DNS_NAME_F_TRUNCATED) {
        m->events |= 1u << DNS_EV_NAME_TOO_LONG;
    }
    if (n->flags & DNS_NAME_F_LOOP) {
        m->events |= 1u << DNS_EV_INFINITE_LOOP;
    }
    if (n->flags & DNS_NAME_F_LABELS) {
        m->events |= 1u << DNS_EV_TOO_MANY_LABELS;
    }
}

static int rdata_name(Cursor *c, DnsMessage *m, uint32_t rd_end, DnsName *out)
{
    Cursor sub = *c;
    int rc = parse_name(&sub, m, out);
    if (rc != NAME_OK) {
        return rc;
    }
    if (sub.pos > rd_end) {
        return NAME_BAD;
    }
    name_events(m, out);
    c->pos = sub.pos;
    return NAME_OK;
}

static int rdata_copy(DnsMessage *m, DnsRecord *r, const uint8_t *d, uint32_t n)
{
    bool oom = false;
    uint8_t *at = pool_reserve(m, n, &oom);
    if (at == NULL) {
        return oom ? NAME_OOM : NAME_BAD;
    }
    memcpy(at, d, n);
    r->data_off = (uint32_t)(at - m->pool);
    r->data_len = n;
    return NAME_OK;
}

/* TXT: a sequence of <length><bytes> strings filling the rdata exactly. */
static bool txt_valid(const uint8_t *d, uint32_t n)
{
    uint32_t p = 0;
    while (p < n) {
        p += 1u + d[p];
    }
    return p == n;
}

static int parse_rdata(Cursor *c, DnsMessage *m, DnsRecord *r, uint32_t rdlen)
{
    uint32_t start = c->pos;
    uint32_t end = start + rdlen;
    const uint8_t *d = c->data + start;
    int rc = NAME_OK;
    switch (r->rrtype) {
    case DNS_RR_A:
    case DNS_RR_AAAA:
        if (rdlen != (r->rrtype == DNS_RR_A ? 4u : 16u)) {
            return NAME_BAD;
        }
        r->rd_kind = DNS_RD_ADDR;
        rc = rdata_copy(m, r, d, rdlen);
        break;
    case DNS_RR_NS: case DNS_RR_MD: case DNS_RR_MF: case DNS_RR_CNAME:
    case DNS_RR_MB: case DNS_RR_MG: case DNS_RR_MR: case DNS_RR_PTR:
        r->rd_kind = DNS_RD_NAME;
        rc = rdata_name(c, m, end, &r->target);
        break;
    case DNS_RR_MX:
        if (rdlen < 3) {
            return NAME_BAD;
        }
        r->rd_kind = DNS_RD_MX;
        r->num[0] = util_be16(d);
        c->pos += 2;
        rc = rdata_name(c, m, end, &r->target);
        break;
    case DNS_RR_SRV:
        if (rdlen < 7) {
            return NAME_BAD;
        }
        r->rd_kind = DNS_RD_SRV;
        r->num[0] = util_be16(d);
        r->num[1] = util_be16(d + 2);
        r->num[2] = util_be16(d + 4);
        c->pos += 6;
        rc = rdata_name(c, m, end, &r->target);
        break;
    case DNS_RR_SOA:
        r->rd_kind = DNS_RD_SOA;
        rc = rdata_name(c, m, end, &r->target);
        if (rc == NAME_OK) {
            rc = rdata_name(c, m, end, &r->target2);
        }
        if (rc == NAME_OK && end - c->pos < 20) {
            rc = NAME_BAD;
        }
        for (int i = 0; rc == NAME_OK && i < 5; i++) {
            r->num[i] = util_be32(c->data + c->pos + 4u * (uint32_t)i);
        }
        break;
    case DNS_RR_TXT:
        if (!txt_valid(d, rdlen)) {
            return NAME_BAD;
        }
        r->rd_kind = DNS_RD_TXT;
        rc = rdata_copy(m, r, d, rdlen);
        break;
    case DNS_RR_SSHFP:
        if (rdlen < 2) {
            return NAME_BAD;
        }
        r->rd_kind = DNS_RD_SSHFP;
        r->num[0] = d[0];
        r->num[1] = d[1];
        rc = rdata_copy(m, r, d + 2, rdlen - 2);
        break;
    default:
        r->rd_kind = DNS_RD_RAW;
        rc = rdata_copy(m, r, d, rdlen);
        break;
    }
    c->pos = end;
    return rc;
}

static int parse_record(Cursor *c, DnsMessage *m, DnsRecord *r, uint8_t sec)
{
    *r = (DnsRecord){.section = sec};
    int rc = parse_name(c, m, &r->name);
    if (rc != NAME_OK) {
        return rc;
    }
    name_events(m, &r->name);
    uint32_t fixed = sec == DNS_SEC_QUERY ? 4u : 10u;
    if (c->len - c->pos < fixed) {
        return NAME_BAD;
    }
    const uint8_t *p = c->data + c->pos;
    r->rrtype = util_be16(p);
    r->rrclass = util_be16(p + 2);
    c->pos += fixed;
    if (sec == DNS_SEC_QUERY) {
        return NAME_OK;
    }
    r->ttl = util_be32(p + 4);
    uint32_t rdlen = util_be16(p + 8);
    if (c->len - c->pos < rdlen) {
        return NAME_BAD;
    }
    return parse_rdata(c, m, r, rdlen);
}

static uint32_t records_cap(const DnsMessage *m, uint32_t len)
{
    uint32_t claimed = 0;
    for (int s = 0; s < DNS_SEC_N; s++) {
        claimed += m->count[s];
    }
    /* A question takes at least 5 bytes: a claimed count the data can't hold is a lie. */
    uint32_t fits = (len - DNS_HEADER_LEN) / 5u;
    uint32_t cap = claimed < fits ? claimed : fits;
    return cap < DNS_MAX_RECORDS ? cap : DNS_MAX_RECORDS;
}

static const uint8_t section_event[DNS_SEC_N] = {
    DNS_EV_MALFORMED_DATA, DNS_EV_MALFORMED_DATA, DNS_EV_INVALID_AUTHORITIES,
    DNS_EV_INVALID_ADDITIONALS,
};

int dns_message_parse(const uint8_t *data, uint32_t len, DnsMessage *m)
{
    *m = (DnsMessage){0};
    if (len < DNS_HEADER_LEN) {
        m->events |= 1u << DNS_EV_MALFORMED_DATA;
        return VG_EINVAL;
    }
    m->id = util_be16(data);
    m->flags = util_be16(data + 2);
    for (int s = 0; s < DNS_SEC_N; s++) {
        m->count[s] = util_be16(data + 4 + 2 * s);
    }
    uint32_t cap = records_cap(m, len);
    if (cap > 0) {
        m->rr = calloc(cap, sizeof(DnsRecord));
        if (m->rr == NULL) {
            return VG_ENOMEM;
        }
        m->rr_cap = cap;
    }
    NameCacheEntry cache[NAME_CACHE] = {{0}};
    Cursor c = {.data = data, .len = len, .pos = DNS_HEADER_LEN, .cache = cache};
    for (uint8_t s = 0; s < DNS_SEC_N; s++) {
        for (uint32_t i = 0; i < m->count[s]; i++) {
            if (m->n_rr >= cap) {
                bool lied = c.pos >= len || cap < DNS_MAX_RECORDS;
                m->events |= 1u << (lied ? section_event[s] : DNS_EV_TOO_MANY_RECORDS);
                if (lied) {
                    m->events |= 1u << DNS_EV_MALFORMED_DATA;
                }
                return lied ? VG_EINVAL : 0;
            }
            int rc = parse_record(&c, m, &m->rr[m->n_rr], s);
            if (rc == NAME_OOM) {
                return VG_ENOMEM;
            }
            if (rc != NAME_OK && m->is_pool_full) {
                m->events |= 1u << DNS_EV_TOO_MANY_RECORDS;  // keep what fits
                return 0;
            }
            if (rc != NAME_OK) {
                m->events |= 1u << section_event[s] | 1u << DNS_EV_MALFORMED_DATA;
                return VG_EINVAL;
            }
            m->n_rr++;
            m->n_sec[s]++;
        }
    }
    m->is_complete = true;
    return 0;
}

void dns_message_deinit(DnsMessage *m)
{
    free(m->rr);
    free(m->pool);
    *m = (DnsMessage){0};
}

size_t dns_message_mem(const DnsMessage *m)
{
    return (size_t)m->rr_cap * sizeof(DnsRecord) + m->pool_cap;
}

const DnsRecord *dns_message_section(const DnsMessage *m, uint8_t sec, uint32_t *n)
{
    uint32_t first = 0;
    for (uint8_t s = 0; s < sec && s < DNS_SEC_N; s++) {
        first += m->n_sec[s];
    }
    *n = sec < DNS_SEC_N ? m->n_sec[sec] : 0;
    return *n > 0 ? &m->rr[first] : NULL;
}

/* ---- probe ---- */

/* Header plausibility, then the questions as far as the data goes: every label well
 * formed and inside the message. A message not yet complete (TCP) is accepted on a
 * plausible header and well-formed questions so far, as a message longer than the
 * detection cap must still be detected. */
static int probe_body(const uint8_t *data, uint32_t len, uint32_t msg_len)
{
    if (len < DNS_HEADER_LEN) {
        /* The counts seen so far must fit the message already. */
        uint32_t claim = DNS_HEADER_LEN;
        if (len >= 6) {
            uint16_t qd = util_be16(data + 4);
            if (qd == 0) {
                return APP_PROBE_NO;
            }
            claim += 5u * qd;
        }
        for (uint32_t off = 6; off + 2 <= len; off += 2) {
            claim += 11u * util_be16(data + off);
        }
        return claim > msg_len ? APP_PROBE_NO : APP_PROBE_MORE;
    }
    uint16_t qd = util_be16(data + 4);
    uint32_t total = (uint32_t)qd + util_be16(data + 6) + util_be16(data + 8) +
                     util_be16(data + 10);
    /* Each question takes at least 5 bytes, each record 11. */
    if (qd == 0 || DNS_HEADER_LEN + 5u * qd + 11u * (total - qd) > msg_len) {
        return APP_PROBE_NO;
    }
    uint32_t have = len < msg_len ? len : msg_len;
    uint32_t p = DNS_HEADER_LEN;
    for (uint32_t q = 0; q < qd; q++) {
        for (;;) {
            if (p >= have) {
                return have < msg_len ? APP_PROBE_YES : APP_PROBE_NO;
            }
            uint8_t l = data[p];
            if (l == 0) {
                p++;
                break;
            }
            if ((l & 0xc0) == 0xc0) {
                p += 2;            // questions after the first may point back
                break;
            }
            if ((l & 0xc0) != 0) {
                return APP_PROBE_NO;
            }
            p += 1u + l;
        }
        p += 4;
        if (p > have) {
            return have < msg_len ? APP_PROBE_YES : APP_PROBE_NO;
        }
    }
    return APP_PROBE_YES;
}

int dns_probe_message(const uint8_t *data, uint32_t len, bool is_tcp)
{
    if (!is_tcp) {
        return probe_body(data, len, len) == APP_PROBE_YES ? APP_PROBE_YES : APP_PROBE_NO;
    }
    if (len < 2) {
        return APP_PROBE_MORE;
    }
    uint32_t msg_len = util_be16(data);
    if (msg_len < DNS_HEADER_LEN) {
        return APP_PROBE_NO;
    }
    return probe_body(data + 2, len - 2, msg_len);
}

/* ---- names for EVE and rules ---- */

const char *dns_rrtype_name(uint16_t t)
{
    switch (t) {
    case 1: return "A";
    case 2: return "NS";
    case 3: return "MD";
    case 4: return "MF";
    case 5: return "CNAME";
    case 6: return "SOA";
    case 7: return "MB";
    case 8: return "MG";
    case 9: return "MR";
    case 10: return "NULL";
    case 11: return "WKS";
    case 12: return "PTR";
    case 13: return "HINFO";
    case 14: return "MINFO";
    case 15: return "MX";
    case 16: return "TXT";
    case 17: return "RP";
    case 18: return "AFSDB";
    case 19: return "X25";
    case 20: return "ISDN";
    case 21: return "RT";
    case 22: return "NSAP";
    case 23: return "NSAPPTR";
    case 24: return "SIG";
    case 25: return "KEY";
    case 26: return "PX";
    case 27: return "GPOS";
    case 28: return "AAAA";
    case 29: return "LOC";
    case 30: return "NXT";
    case 33: return "SRV";
    case 34: return "ATMA";
    case 35: return "NAPTR";
    case 36: return "KX";
    case 37: return "CERT";
    case 38: return "A6";
    case 39: return "DNAME";
    case 41: return "OPT";
    case 42: return "APL";
    case 43: return "DS";
    case 44: return "SSHFP";
    case 45: return "IPSECKEY";
    case 46: return "RRSIG";
    case 47: return "NSEC";
    case 48: return "DNSKEY";
    case 49: return "DHCID";
    case 50: return "NSEC3";
    case 51: return "NSEC3PARAM";
    case 52: return "TLSA";
    case 55: return "HIP";
    case 59: return "CDS";
    case 60: return "CDNSKEY";
    case 64: return "SVCB";
    case 65: return "HTTPS";
    case 99: return "SPF";
    case 249: return "TKEY";
    case 250: return "TSIG";
    case 251: return "IXFR";
    case 252: return "AXFR";
    case 255: return "ANY";
    case 256: return "URI";
    default: return NULL;
    }
}

bool dns_rrtype_by_name(const char *name, uint16_t *t)
{
    for (uint32_t v = 1; v <= 256; v++) {
        const char *n = dns_rrtype_name((uint16_t)v);
        if (n != NULL && strcasecmp(n, name) == 0) {
            *t = (uint16_t)v;
            return true;
        }
    }
    return false;
}

const char *dns_rcode_name(uint8_t rcode)
{
    static const char *const names[] = {
        "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "YXDOMAIN",
        "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
    };
    return rcode < sizeof(names) / sizeof(names[0]) ? names[rcode] : NULL;
}
