/* TLS keywords that are not plain sticky buffers (those come from the app-layer buffer
 * registry: tls.sni, tls.cert_subject, ja3.hash ...):
 *
 * tls_sni, tls_cert_subject, tls_cert_issuer, tls_cert_serial, tls_cert_fingerprint,
 * ja3_hash, ja3_string, ja3s_hash, ja3s_string   legacy names of those sticky buffers.
 * tls.subject:[!]"str"    the server certificate's subject contains str (case-sensitive)
 * tls.issuerdn:[!]"str"   the same for the issuer
 * tls.fingerprint:[!]"aa:bb:..."   the server certificate's sha1 fingerprint is this one
 * tls.version:1.0|1.1|1.2|1.3|ssl3|0xNNNN   the negotiated version (server's, else client's)
 * ssl_version:[!]v[,v...]  the version of the side the data came from is (not) one of
 *                          sslv2, sslv3, tls1.0, tls1.1, tls1.2, tls1.3
 * ssl_state:[!]s[|[!]s...] handshake messages in the latest data: client_hello,
 *                          server_hello, client_keyx, server_keyx, unknown
 * tls.cert_chain_len:N     certificates in the server's chain (integer forms)
 * tls.cert_notbefore / tls.cert_notafter:[<|>]DATE or DATE<>DATE, DATE = YYYY[-MM[-DD
 *                          [THH[:MM[:SS]]]]]
 * tls.cert_expired, tls.cert_valid   the server certificate's validity at packet time. */

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "app-layer/app-layer.h"
#include "app-layer/tls/app-layer-tls-tx.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "flow/flow-types.h"
#include "util/util-error.h"

static int claim_tls(DetectParser *dp, const char *kw)
{
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_TLS) {
        return detect_err(dp, "%s needs protocol tls", kw);
    }
    dp->s->alproto = APP_PROTO_TLS;
    return 0;
}

/* ---- legacy sticky buffer names ---- */

LEGACY_BUFFER(tls_sni_legacy, "tls_sni", "tls.sni")
LEGACY_BUFFER(tls_cert_subject_legacy, "tls_cert_subject", "tls.cert_subject")
LEGACY_BUFFER(tls_cert_issuer_legacy, "tls_cert_issuer", "tls.cert_issuer")
LEGACY_BUFFER(tls_cert_serial_legacy, "tls_cert_serial", "tls.cert_serial")
LEGACY_BUFFER(tls_cert_fingerprint_legacy, "tls_cert_fingerprint", "tls.cert_fingerprint")
LEGACY_BUFFER(ja3_hash_legacy, "ja3_hash", "ja3.hash")
LEGACY_BUFFER(ja3_string_legacy, "ja3_string", "ja3.string")
LEGACY_BUFFER(ja3s_hash_legacy, "ja3s_hash", "ja3s.hash")
LEGACY_BUFFER(ja3s_string_legacy, "ja3s_string", "ja3s.string")

/* ---- tls.subject / tls.issuerdn / tls.fingerprint ---- */

typedef struct TlsStrMatch {
    int field;                   // TLS_FIELD_*
    bool is_negated;
    uint32_t len;
    char str[];
} TlsStrMatch;

static bool match_str(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                      const void *ctx)
{
    (void)dt;
    (void)f;
    (void)dir;
    const TlsStrMatch *m = ctx;
    const uint8_t *d;
    uint32_t l;
    if (!tls_tx_cert_field(tx, APP_DIR_TOCLIENT, m->field, &d, &l)) {
        return false;
    }
    bool hit;
    if (m->field == TLS_FIELD_FINGERPRINT) {
        hit = l == m->len && strncasecmp((const char *)d, m->str, l) == 0;
    } else {
        hit = memmem(d, l, m->str, m->len) != NULL;
    }
    return hit != m->is_negated;
}

static const DetectKeyword kw_tls_str_tx = {
    .name = "tls-cert-str", .desc = "server certificate field", .tx_match = match_str,
    .free = free,
};

static int setup_str(DetectParser *dp, const char *arg, int field, const char *kw)
{
    bool neg = false;
    while (*arg == ' ') {
        arg++;
    }
    if (*arg == '!') {
        neg = true;
        arg++;
    }
    size_t n = strlen(arg);
    if (n >= 2 && arg[0] == '"' && arg[n - 1] == '"') {
        arg++;
        n -= 2;
    }
    if (n == 0) {
        return detect_err(dp, "%s needs a value", kw);
    }
    TlsStrMatch *m = calloc(1, sizeof(*m) + n + 1);
    if (m == NULL) {
        return detect_err(dp, "out of memory");
    }
    memcpy(m->str, arg, n);
    m->len = (uint32_t)n;
    m->field = field;
    m->is_negated = neg;
    if (claim_tls(dp, kw) != 0) {
        free(m);
        return VG_EINVAL;
    }
    return detect_app_append(dp, false, &kw_tls_str_tx, m);
}

static int setup_subject(DetectParser *dp, const char *arg)
{
    return setup_str(dp, arg, TLS_FIELD_SUBJECT, "tls.subject");
}

static int setup_issuerdn(DetectParser *dp, const char *arg)
{
    return setup_str(dp, arg, TLS_FIELD_ISSUER, "tls.issuerdn");
}

static int setup_fingerprint(DetectParser *dp, const char *arg)
{
    return setup_str(dp, arg, TLS_FIELD_FINGERPRINT, "tls.fingerprint");
}

/* ---- versions ---- */

typedef struct TlsVersionMatch {
    uint16_t v[8];
    uint32_t n;
    bool is_negated;             // ssl_version: a leading '!' negates the whole list
    bool by_side;                // ssl_version: the side the data came from
} TlsVersionMatch;

static bool match_version(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                          const void *ctx)
{
    (void)dt;
    (void)f;
    const TlsVersionMatch *m = ctx;
    uint16_t v;
    if (m->by_side) {
        v = tls_tx_version(tx, dir);
    } else {
        v = tls_tx_version(tx, APP_DIR_TOCLIENT);
        v = v != 0 ? v : tls_tx_version(tx, APP_DIR_TOSERVER);
    }
    if (v == 0) {
        return false;
    }
    bool hit = false;
    for (uint32_t i = 0; i < m->n; i++) {
        hit |= m->v[i] == v;
    }
    return hit != m->is_negated;
}

static const DetectKeyword kw_tls_version_tx = {
    .name = "tls-version", .desc = "TLS version", .tx_match = match_version, .free = free,
};

/* ssl_version looks at each side's own version: inspected per direction. */
static const DetectKeyword kw_ssl_version_tx = {
    .name = "ssl-version", .desc = "TLS version of a side", .flags = DETECT_KW_TX_PER_DIR,
    .tx_match = match_version, .free = free,
};

static bool version_of(const char *s, bool ssl_names, uint16_t *out)
{
    static const struct { const char *name; uint16_t v; bool ssl; } names[] = {
        {"sslv2", 0x0002, true}, {"sslv3", 0x0300, true}, {"tls1.0", 0x0301, true},
        {"tls1.1", 0x0302, true}, {"tls1.2", 0x0303, true}, {"tls1.3", 0x0304, true},
        {"1.0", 0x0301, false}, {"1.1", 0x0302, false}, {"1.2", 0x0303, false},
        {"1.3", 0x0304, false}, {"ssl3", 0x0300, false}, {"ssl2", 0x0002, false},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        if (names[i].ssl == ssl_names && strcasecmp(names[i].name, s) == 0) {
            *out = names[i].v;
            return true;
        }
    }
    if (!ssl_names && strncasecmp(s, "0x", 2) == 0) {
        char *end;
        unsigned long v = strtoul(s + 2, &end, 16);
        if (*end == '\0' && end != s + 2 && v <= 0xffff) {
            *out = (uint16_t)v;
            return true;
        }
    }
    return false;
}

static int setup_ssl_version(DetectParser *dp, const char *arg)
{
    DetectKwTokens tk;
    if (detect_kw_split(dp, arg, &tk, 8, false) != 0) {
        return VG_EINVAL;
    }
    TlsVersionMatch *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return detect_err(dp, "out of memory");
    }
    m->by_side = true;
    for (int i = 0; i < tk.n; i++) {
        const char *t = tk.t[i];
        if (*t == '!') {
            m->is_negated = true;   // Suricata: negation applies to the list
            t++;
        }
        if (!version_of(t, true, &m->v[m->n])) {
            free(m);
            return detect_err(dp, "bad ssl_version '%s' (sslv2, sslv3, tls1.0 ... tls1.3)",
                              t);
        }
        m->n++;
    }
    if (claim_tls(dp, "ssl_version") != 0) {
        free(m);
        return VG_EINVAL;
    }
    return detect_app_append(dp, false, &kw_ssl_version_tx, m);
}

static int setup_tls_version(DetectParser *dp, const char *arg)
{
    TlsVersionMatch *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return detect_err(dp, "out of memory");
    }
    while (*arg == ' ') {
        arg++;
    }
    m->n = 1;
    if (!version_of(arg, false, &m->v[0]) || claim_tls(dp, "tls.version") != 0) {
        free(m);
        return detect_err(dp, "bad tls.version '%s' (1.0, 1.1, 1.2, 1.3, ssl3 or 0xNNNN)", arg);
    }
    return detect_app_append(dp, false, &kw_tls_version_tx, m);
}

/* ---- ssl_state ---- */

typedef struct TlsStateMatch {
    uint8_t flags;               // states named
    uint8_t mask;                // states named with '!'
} TlsStateMatch;

static bool match_state(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                        const void *ctx)
{
    (void)dt;
    (void)f;
    const TlsStateMatch *m = ctx;
    uint8_t cur = tls_tx_state_flags(tx, dir);
    /* Matches unless every named state is as negated: present ones absent and negated
     * ones present. */
    return ((m->flags & cur) ^ m->mask) != 0;
}

static const DetectKeyword kw_ssl_state_tx = {
    .name = "ssl-state", .desc = "TLS handshake state", .tx_match = match_state, .free = free,
};

static int setup_ssl_state(DetectParser *dp, const char *arg)
{
    static const struct { const char *name; uint8_t flag; } states[] = {
        {"client_hello", 1u << 0}, {"server_hello", 1u << 1}, {"client_keyx", 1u << 2},
        {"server_keyx", 1u << 3}, {"unknown", 1u << 4},
    };
    TlsStateMatch *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return detect_err(dp, "out of memory");
    }
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", arg);
    for (char *t = buf, *next; t != NULL; t = next) {
        next = strchr(t, '|');
        if (next != NULL) {
            *next++ = '\0';
        }
        while (*t == ' ') {
            t++;
        }
        bool neg = *t == '!';
        t += neg;
        size_t n = strlen(t);
        while (n > 0 && t[n - 1] == ' ') {
            t[--n] = '\0';
        }
        uint8_t flag = 0;
        for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
            flag = strcmp(states[i].name, t) == 0 ? states[i].flag : flag;
        }
        if (flag == 0) {
            free(m);
            return detect_err(dp, "bad ssl_state '%s' (client_hello, server_hello, "
                                  "client_keyx, server_keyx, unknown)", t);
        }
        m->flags |= flag;
        m->mask |= neg ? flag : 0;
    }
    if (m->flags == 0 || claim_tls(dp, "ssl_state") != 0) {
        free(m);
        return detect_err(dp, "ssl_state needs a state");
    }
    return detect_app_append(dp, false, &kw_ssl_state_tx, m);
}

/* ---- certificate chain, dates, validity ---- */

enum { TLS_INT_CHAIN = 0, TLS_INT_NOTBEFORE, TLS_INT_NOTAFTER, TLS_INT_EXPIRED,
       TLS_INT_VALID };

typedef struct TlsIntMatch {
    DetectUint u;
    int what;
    int64_t lo;                  // dates: seconds
    int64_t hi;
    uint8_t op;                  // dates: '=', '<', '>', 'r' (range)
} TlsIntMatch;

static bool match_date(const TlsIntMatch *m, int64_t t)
{
    switch (m->op) {
    case '<':
        return t < m->lo;
    case '>':
        return t > m->lo;
    case 'r':
        return t > m->lo && t < m->hi;
    default:
        return t >= m->lo && t <= m->hi;   // '=': within the precision given
    }
}

static bool match_int(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                      const void *ctx)
{
    (void)dt;
    (void)dir;
    const TlsIntMatch *m = ctx;
    if (m->what == TLS_INT_CHAIN) {
        return app_layer_tx_proto(f, tx) == APP_PROTO_TLS &&
               tls_tx_cert_count(tx, APP_DIR_TOCLIENT) > 0 &&
               detect_uint_match(&m->u, tls_tx_cert_count(tx, APP_DIR_TOCLIENT));
    }
    int64_t nb;
    int64_t na;
    if (!tls_tx_cert_dates(tx, APP_DIR_TOCLIENT, &nb, &na)) {
        return false;
    }
    switch (m->what) {
    case TLS_INT_NOTBEFORE:
        return match_date(m, nb);
    case TLS_INT_NOTAFTER:
        return match_date(m, na);
    case TLS_INT_EXPIRED:
        return f->last_sec > na;
    default:
        return f->last_sec >= nb && f->last_sec <= na;
    }
}

static const DetectKeyword kw_tls_int_tx = {
    .name = "tls-int", .desc = "TLS certificate chain/dates", .tx_match = match_int,
    .free = free,
};

/* YYYY[-MM[-DD[THH[:MM[:SS]]]]] into [lo, hi] seconds (the span the precision covers). */
static bool parse_date(const char *s, int64_t *lo, int64_t *hi)
{
    int v[6] = {0, 1, 1, 0, 0, 0};
    int n = 0;
    const char *p = s;
    while (*p == ' ') {
        p++;
    }
    for (; n < 6; n++) {
        if (!isdigit((unsigned char)*p)) {
            break;
        }
        v[n] = (int)strtol(p, (char **)&p, 10);
        if (*p == '-' || *p == 'T' || *p == ':' || *p == ' ') {
            p++;
        } else {
            n++;
            break;
        }
    }
    while (*p == ' ') {
        p++;
    }
    if (n == 0 || *p != '\0' || v[1] < 1 || v[1] > 12 || v[2] < 1 || v[2] > 31) {
        return false;
    }
    struct tm tm = {.tm_year = v[0] - 1900, .tm_mon = v[1] - 1, .tm_mday = v[2],
                    .tm_hour = v[3], .tm_min = v[4], .tm_sec = v[5]};
    *lo = (int64_t)timegm(&tm);
    switch (n) {
    case 1:
        tm.tm_year++;
        break;
    case 2:
        tm.tm_mon++;
        break;
    case 3:
        tm.tm_mday++;
        break;
    case 4:
        tm.tm_hour++;
        break;
    case 5:
        tm.tm_min++;
        break;
    default:
        tm.tm_sec++;
        break;
    }
    *hi = (int64_t)timegm(&tm) - 1;
    return true;
}

static int setup_date(DetectParser *dp, const char *arg, int what, const char *kw)
{
    TlsIntMatch *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return detect_err(dp, "out of memory");
    }
    m->what = what;
    const char *range = strstr(arg, "<>");
    int64_t x;
    bool ok;
    while (*arg == ' ') {
        arg++;
    }
    if (range != NULL) {
        char a[64];
        snprintf(a, sizeof(a), "%.*s", (int)(range - arg), arg);
        m->op = 'r';
        ok = parse_date(a, &m->lo, &x) && parse_date(range + 2, &x, &m->hi);
    } else if (*arg == '<' || *arg == '>') {
        m->op = (uint8_t)*arg;
        ok = parse_date(arg + 1, &m->lo, &m->hi);
        if (ok && m->op == '>') {
            m->lo = m->hi;   // after the whole span given
        }
    } else {
        m->op = '=';
        ok = parse_date(arg, &m->lo, &m->hi);
    }
    if (!ok || claim_tls(dp, kw) != 0) {
        free(m);
        return detect_err(dp, "bad %s date '%s' (YYYY[-MM[-DD[THH[:MM[:SS]]]]])", kw, arg);
    }
    return detect_app_append(dp, false, &kw_tls_int_tx, m);
}

static int setup_notbefore(DetectParser *dp, const char *arg)
{
    return setup_date(dp, arg, TLS_INT_NOTBEFORE, "tls.cert_notbefore");
}

static int setup_notafter(DetectParser *dp, const char *arg)
{
    return setup_date(dp, arg, TLS_INT_NOTAFTER, "tls.cert_notafter");
}

static int setup_validity(DetectParser *dp, int what, const char *kw)
{
    TlsIntMatch *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return detect_err(dp, "out of memory");
    }
    m->what = what;
    if (claim_tls(dp, kw) != 0) {
        free(m);
        return VG_EINVAL;
    }
    return detect_app_append(dp, false, &kw_tls_int_tx, m);
}

static int setup_expired(DetectParser *dp, const char *arg)
{
    (void)arg;
    return setup_validity(dp, TLS_INT_EXPIRED, "tls.cert_expired");
}

static int setup_valid(DetectParser *dp, const char *arg)
{
    (void)arg;
    return setup_validity(dp, TLS_INT_VALID, "tls.cert_valid");
}

static int setup_chain_len(DetectParser *dp, const char *arg)
{
    TlsIntMatch *m = calloc(1, sizeof(*m));
    if (m == NULL) {
        return detect_err(dp, "out of memory");
    }
    m->what = TLS_INT_CHAIN;
    if (detect_uint_parse(dp, arg, UINT32_MAX, &m->u) != 0 ||
        claim_tls(dp, "tls.cert_chain_len") != 0) {
        free(m);
        return VG_EINVAL;
    }
    return detect_app_append(dp, false, &kw_tls_int_tx, m);
}

const DetectKeyword detect_kw_tls_subject = {
    .name = "tls.subject", .desc = "server certificate subject contains ([!]\"str\")",
    .setup = setup_subject, .free = free,
};
const DetectKeyword detect_kw_tls_issuerdn = {
    .name = "tls.issuerdn", .desc = "server certificate issuer contains ([!]\"str\")",
    .setup = setup_issuerdn, .free = free,
};
const DetectKeyword detect_kw_tls_fingerprint = {
    .name = "tls.fingerprint", .desc = "server certificate sha1 fingerprint is ([!]\"aa:bb\")",
    .setup = setup_fingerprint, .free = free,
};
const DetectKeyword detect_kw_tls_version = {
    .name = "tls.version", .desc = "negotiated TLS version (1.0, 1.1, 1.2, 1.3, ssl3, 0xNNNN)",
    .setup = setup_tls_version, .free = free,
};
const DetectKeyword detect_kw_ssl_version = {
    .name = "ssl_version", .desc = "TLS version of the data's side ([!]sslv2,...,tls1.3)",
    .setup = setup_ssl_version, .free = free,
};
const DetectKeyword detect_kw_ssl_state = {
    .name = "ssl_state", .desc = "handshake messages in the latest data ([!]state|...)",
    .setup = setup_ssl_state, .free = free,
};
const DetectKeyword detect_kw_tls_cert_chain_len = {
    .name = "tls.cert_chain_len", .desc = "certificates in the server chain (integer forms)",
    .setup = setup_chain_len, .free = free,
};
const DetectKeyword detect_kw_tls_cert_notbefore = {
    .name = "tls.cert_notbefore", .desc = "server certificate notBefore ([<|>]DATE, DATE<>DATE)",
    .setup = setup_notbefore, .free = free,
};
const DetectKeyword detect_kw_tls_cert_notafter = {
    .name = "tls.cert_notafter", .desc = "server certificate notAfter ([<|>]DATE, DATE<>DATE)",
    .setup = setup_notafter, .free = free,
};
const DetectKeyword detect_kw_tls_cert_expired = {
    .name = "tls.cert_expired", .desc = "server certificate expired at packet time",
    .flags = DETECT_KW_NOOPT, .setup = setup_expired, .free = free,
};
/* ---- tls.store ---- */

/* Always true: tls.store is an action (SIG_F_TLS_STORE, done by detect-tx.c when the rule
 * matches); the entry only makes the rule a transaction rule. */
static bool match_store(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                        const void *ctx)
{
    (void)dt;
    (void)f;
    (void)tx;
    (void)dir;
    (void)ctx;
    return true;
}

static const DetectKeyword kw_tls_store_tx = {
    .name = "tls-store", .desc = "store the certificate chain", .tx_match = match_store,
};

static int setup_store(DetectParser *dp, const char *arg)
{
    (void)arg;
    if (claim_tls(dp, "tls.store") != 0) {
        return VG_EINVAL;
    }
    if (dp->s->flags & SIG_F_TLS_STORE) {
        return 0;
    }
    dp->s->flags |= SIG_F_TLS_STORE;
    return detect_app_append(dp, false, &kw_tls_store_tx, NULL);
}

const DetectKeyword detect_kw_tls_store = {
    .name = "tls.store", .desc = "write the matching side's certificate chain to the tls-store",
    .flags = DETECT_KW_NOOPT, .setup = setup_store,
};
const DetectKeyword detect_kw_tls_cert_valid = {
    .name = "tls.cert_valid", .desc = "server certificate valid at packet time",
    .flags = DETECT_KW_NOOPT, .setup = setup_valid, .free = free,
};
