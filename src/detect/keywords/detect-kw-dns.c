/* DNS keywords that are not plain sticky buffers (those come from the app-layer buffer
 * registry):
 *
 * dns_query            the legacy name of the dns.query sticky buffer.
 * dns.opcode:[!]N      header opcode (Suricata's integer forms: N, !N, <N, >N, N-M ...),
 *                      requests and responses.
 * dns.rcode:[!]N       header rcode, same forms.
 * dns.rrtype:N[,idx]   rrtype of the questions of a request / the answers of a response;
 *                      idx: any (default), all, all1 (all, at least one), or an index
 *                      (0 first, -1 last), as Suricata 8's multi-integer keywords. */

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "app-layer/dns/app-layer-dns-tx.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { DNS_FIELD_OPCODE = 0, DNS_FIELD_RCODE, DNS_FIELD_RRTYPE };
enum { IDX_ANY = 0, IDX_ALL, IDX_ALL1, IDX_AT };

typedef struct DetectDnsInt {
    DetectUint u;
    uint8_t field;
    uint8_t idx_mode;
    int32_t idx;                 // IDX_AT: >= 0 from the start, < 0 from the end
} DetectDnsInt;

static bool match_header(const DetectDnsInt *d, const AppTx *tx, uint8_t dir)
{
    uint16_t flags;
    if (!dns_tx_flags(tx, dir, &flags)) {
        return false;
    }
    uint64_t v = d->field == DNS_FIELD_OPCODE ? (flags >> 11) & 0xf : flags & 0xf;
    return detect_uint_match(&d->u, v);
}

static bool match_rrtype(const DetectDnsInt *d, const AppTx *tx, uint8_t dir)
{
    uint32_t n = dns_tx_rrtype_count(tx, dir);
    uint16_t t;
    if (d->idx_mode == IDX_AT) {
        int64_t i = d->idx >= 0 ? d->idx : (int64_t)n + d->idx;
        return i >= 0 && i < n && dns_tx_rrtype_at(tx, dir, (uint32_t)i, &t) &&
               detect_uint_match(&d->u, t);
    }
    uint32_t hits = 0;
    for (uint32_t i = 0; i < n && dns_tx_rrtype_at(tx, dir, i, &t); i++) {
        bool ok = detect_uint_match(&d->u, t);
        if (ok && d->idx_mode == IDX_ANY) {
            return true;
        }
        if (!ok && d->idx_mode != IDX_ANY) {
            return false;
        }
        hits += ok;
    }
    if (d->idx_mode == IDX_ALL) {
        return dns_tx_flags(tx, dir, &t);  // vacuously true for a message without any
    }
    return d->idx_mode == IDX_ALL1 && hits > 0;
}

static bool match_dns_int(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                          const void *ctx)
{
    (void)dt;
    const DetectDnsInt *d = ctx;
    if (app_layer_tx_proto(f, tx) != APP_PROTO_DNS) {
        return false;
    }
    return d->field == DNS_FIELD_RRTYPE ? match_rrtype(d, tx, dir) : match_header(d, tx, dir);
}

static const DetectKeyword kw_dns_int_tx = {
    .name = "dns-int", .desc = "DNS header/rrtype value of the transaction",
    .tx_match = match_dns_int, .free = free,
};

static int claim_dns(DetectParser *dp, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_DNS) {
        return detect_err(dp, "%s needs protocol dns", kw);
    }
    dp->s->alproto = APP_PROTO_DNS;
    return 0;
}

static int parse_index(DetectParser *dp, const char *s, DetectDnsInt *d)
{
    while (*s == ' ') {
        s++;
    }
    if (strcmp(s, "any") == 0) {
        d->idx_mode = IDX_ANY;
    } else if (strcmp(s, "all") == 0) {
        d->idx_mode = IDX_ALL;
    } else if (strcmp(s, "all1") == 0) {
        d->idx_mode = IDX_ALL1;
    } else {
        int64_t v;
        if (!detect_parse_int(s, -65536, 65535, &v)) {
            return detect_err(dp, "bad dns.rrtype index '%s' (any, all, all1 or a number)", s);
        }
        d->idx_mode = IDX_AT;
        d->idx = (int32_t)v;
    }
    return 0;
}

static int setup_dns_int(DetectParser *dp, const char *arg, uint8_t field, const char *kw)
{
    uint64_t max = field == DNS_FIELD_RRTYPE ? 65535 : 15;
    char val[64];
    const char *comma = field == DNS_FIELD_RRTYPE ? strchr(arg, ',') : NULL;
    size_t n = comma != NULL ? (size_t)(comma - arg) : strlen(arg);
    if (n == 0 || n >= sizeof(val)) {
        return detect_err(dp, "bad %s value '%s'", kw, arg);
    }
    memcpy(val, arg, n);
    val[n] = '\0';
    DetectDnsInt *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    d->field = field;
    if (detect_uint_parse(dp, val, max, &d->u) != 0 ||
        (comma != NULL && parse_index(dp, comma + 1, d) != 0) || claim_dns(dp, kw) != 0) {
        free(d);
        return VG_EINVAL;
    }
    return detect_app_append(dp, false, &kw_dns_int_tx, d);
}

static int setup_opcode(DetectParser *dp, const char *arg)
{
    return setup_dns_int(dp, arg, DNS_FIELD_OPCODE, "dns.opcode");
}

static int setup_rcode(DetectParser *dp, const char *arg)
{
    return setup_dns_int(dp, arg, DNS_FIELD_RCODE, "dns.rcode");
}

static int setup_rrtype(DetectParser *dp, const char *arg)
{
    return setup_dns_int(dp, arg, DNS_FIELD_RRTYPE, "dns.rrtype");
}

static int setup_dns_query(DetectParser *dp, const char *arg)
{
    (void)arg;
    return detect_app_select_buffer(dp, "dns.query");
}

const DetectKeyword detect_kw_dns_opcode = {
    .name = "dns.opcode", .desc = "DNS header opcode ([!]N, <N, >N, N-M)",
    .setup = setup_opcode, .free = free,
};
const DetectKeyword detect_kw_dns_rcode = {
    .name = "dns.rcode", .desc = "DNS header rcode ([!]N, <N, >N, N-M)",
    .setup = setup_rcode, .free = free,
};
const DetectKeyword detect_kw_dns_rrtype = {
    .name = "dns.rrtype", .desc = "rrtype of DNS questions/answers (N[,any|all|all1|index])",
    .setup = setup_rrtype, .free = free,
};
const DetectKeyword detect_kw_dns_query_legacy = {
    .name = "dns_query", .desc = "sticky buffer: DNS query names (dns.query)",
    .flags = DETECT_KW_NOOPT, .setup = setup_dns_query,
};
