/* TLS hello, certificate and SSLv2 message parsing: pure functions over one complete
 * handshake message body, bounds-checked at every read (RFC 8446 section 4.1.2/4.1.3,
 * RFC 5246 section 7.4, RFC 6066 section 3 for server_name, RFC 7301 for ALPN). */
#include "app-layer/tls/app-layer-tls.h"

#include <stdlib.h>
#include <string.h>

#include "util/util-byte.h"
#include "util/util-error.h"

enum {
    EXT_SERVER_NAME = 0,
    EXT_SUPPORTED_GROUPS = 10,
    EXT_EC_POINT_FORMATS = 11,
    EXT_SIG_ALGS = 13,
    EXT_ALPN = 16,
    EXT_SESSION_TICKET = 35,
    EXT_SUPPORTED_VERSIONS = 43,
};

bool tls_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

/* A cursor over one message: every read checks the remaining length. */
typedef struct Cur {
    const uint8_t *p;
    uint32_t left;
} Cur;

static bool get_u8(Cur *c, uint8_t *v)
{
    if (c->left < 1) {
        return false;
    }
    *v = c->p[0];
    c->p++;
    c->left--;
    return true;
}

static bool get_u16(Cur *c, uint16_t *v)
{
    if (c->left < 2) {
        return false;
    }
    *v = util_be16(c->p);
    c->p += 2;
    c->left -= 2;
    return true;
}

static bool get_bytes(Cur *c, uint32_t n, const uint8_t **out)
{
    if (c->left < n) {
        return false;
    }
    *out = c->p;
    c->p += n;
    c->left -= n;
    return true;
}

/* A list of big-endian u16 (n_bytes long) into a new array, at most TLS_MAX_LIST kept. */
static int u16_list(const uint8_t *b, uint32_t n_bytes, uint16_t **out, uint32_t *n)
{
    uint32_t cnt = n_bytes / 2;
    if (cnt > TLS_MAX_LIST) {
        cnt = TLS_MAX_LIST;
    }
    free(*out);
    *out = NULL;
    *n = 0;
    if (cnt == 0) {
        return 0;
    }
    *out = malloc(cnt * sizeof(uint16_t));
    if (*out == NULL) {
        return VG_ENOMEM;
    }
    for (uint32_t i = 0; i < cnt; i++) {
        (*out)[i] = util_be16(b + 2 * i);
    }
    *n = cnt;
    return 0;
}

static int bytes_dup(TlsBytes *dst, const uint8_t *b, uint32_t n)
{
    free(dst->data);
    dst->data = malloc(n ? n : 1);
    dst->len = 0;
    if (dst->data == NULL) {
        return VG_ENOMEM;
    }
    memcpy(dst->data, b, n);
    dst->len = n;
    return 0;
}

/* server_name (RFC 6066 3): list length, then entries type(1) len(2) name. */
static int ext_sni(const uint8_t *b, uint32_t len, TlsSide *s, uint32_t *events)
{
    Cur c = {b, len};
    uint16_t list_len;
    uint8_t type;
    uint16_t name_len;
    const uint8_t *name;
    if (len == 0) {
        return 0;                  // a server's empty acknowledgement
    }
    if (!get_u16(&c, &list_len) || !get_u8(&c, &type)) {
        *events |= 1u << TLS_EV_INVALID_SNI_LENGTH;
        return 0;
    }
    if (type != 0) {
        *events |= 1u << TLS_EV_INVALID_SNI_TYPE;
        return 0;
    }
    if (!get_u16(&c, &name_len) || !get_bytes(&c, name_len, &name) ||
        list_len > len - 2u) {
        *events |= 1u << TLS_EV_INVALID_SNI_LENGTH;
        return 0;
    }
    return bytes_dup(&s->sni, name, name_len);
}

static int ext_alpn(const uint8_t *b, uint32_t len, TlsSide *s)
{
    Cur c = {b, len};
    uint16_t list_len;
    const uint8_t *list;
    if (!get_u16(&c, &list_len) || !get_bytes(&c, list_len, &list)) {
        return 0;
    }
    /* Keep only well-formed entries. */
    uint32_t ok = 0;
    while (ok < list_len && list[ok] != 0 && ok + 1u + list[ok] <= list_len) {
        ok += 1u + list[ok];
    }
    return bytes_dup(&s->alpn, list, ok);
}

static void ext_versions(const uint8_t *b, uint32_t len, bool is_client, TlsSide *s)
{
    Cur c = {b, len};
    if (!is_client) {
        uint16_t v;
        if (get_u16(&c, &v)) {
            s->version = v;      // the server's choice
        }
        return;
    }
    uint8_t n;
    const uint8_t *list;
    if (!get_u8(&c, &n) || !get_bytes(&c, n, &list)) {
        return;
    }
    for (uint32_t i = 0; i + 1 < n; i += 2) {
        uint16_t v = util_be16(list + i);
        if (!tls_is_grease(v) && v > s->max_version) {
            s->max_version = v;
        }
    }
}

static int one_ext(uint16_t type, const uint8_t *b, uint32_t len, bool is_client, TlsSide *s,
                   uint32_t *events, uint32_t *n_sni)
{
    Cur c = {b, len};
    uint16_t l16;
    uint8_t l8;
    const uint8_t *d;
    switch (type) {
    case EXT_SERVER_NAME:
        if (!is_client) {
            return 0;
        }
        if (++*n_sni > 1) {
            *events |= 1u << TLS_EV_MULTIPLE_SNI_EXTENSIONS;
            return 0;
        }
        return ext_sni(b, len, s, events);
    case EXT_SUPPORTED_GROUPS:
        if (get_u16(&c, &l16) && get_bytes(&c, l16, &d)) {
            return u16_list(d, l16, &s->groups, &s->n_groups);
        }
        return 0;
    case EXT_EC_POINT_FORMATS:
        if (get_u8(&c, &l8) && get_bytes(&c, l8, &d)) {
            free(s->ec_formats);
            s->ec_formats = malloc(l8 ? l8 : 1);
            if (s->ec_formats == NULL) {
                return VG_ENOMEM;
            }
            memcpy(s->ec_formats, d, l8);
            s->n_ec_formats = l8;
        }
        return 0;
    case EXT_SIG_ALGS:
        if (get_u16(&c, &l16) && get_bytes(&c, l16, &d)) {
            return u16_list(d, l16, &s->sig_algs, &s->n_sig_algs);
        }
        return 0;
    case EXT_ALPN:
        return ext_alpn(b, len, s);
    case EXT_SESSION_TICKET:
        s->has_ticket = len > 0;
        return 0;
    case EXT_SUPPORTED_VERSIONS:
        ext_versions(b, len, is_client, s);
        return 0;
    default:
        return 0;
    }
}

static int parse_exts(Cur *c, bool is_client, TlsSide *s, uint32_t *events)
{
    uint16_t total;
    const uint8_t *b;
    if (c->left == 0) {
        return 0;                  // no extensions at all
    }
    if (!get_u16(c, &total) || !get_bytes(c, total, &b)) {
        *events |= 1u << TLS_EV_INVALID_HANDSHAKE_MESSAGE;
        return VG_EINVAL;
    }
    Cur e = {b, total};
    uint16_t types[TLS_MAX_LIST];
    uint32_t n = 0;
    uint32_t n_sni = 0;
    while (e.left > 0) {
        uint16_t type;
        uint16_t len;
        const uint8_t *d;
        if (!get_u16(&e, &type) || !get_u16(&e, &len) || !get_bytes(&e, len, &d)) {
            *events |= 1u << TLS_EV_INVALID_HANDSHAKE_MESSAGE;
            break;
        }
        if (n < TLS_MAX_LIST) {
            types[n++] = type;
        }
        int rc = one_ext(type, d, len, is_client, s, events, &n_sni);
        if (rc != 0) {
            return rc;
        }
    }
    free(s->exts);
    s->exts = NULL;
    s->n_exts = 0;
    if (n > 0) {
        s->exts = malloc(n * sizeof(uint16_t));
        if (s->exts == NULL) {
            return VG_ENOMEM;
        }
        memcpy(s->exts, types, n * sizeof(uint16_t));
        s->n_exts = n;
    }
    return 0;
}

int tls_parse_hello(const uint8_t *b, uint32_t len, bool is_client, TlsSide *s,
                    uint32_t *events)
{
    Cur c = {b, len};
    uint16_t version;
    const uint8_t *random;
    uint8_t sid_len = 0;
    const uint8_t *sid = NULL;
    /* TLS 1.3 drafts before 22 dropped the session id and compression from the
     * ServerHello (draft-ietf-tls-tls13-21 section 4.1.3); drafts before 16 put 0x0304
     * itself in its version field (later ones 0x7fNN, the RFC 0x0303 and
     * supported_versions). */
    bool is_pre16 = !is_client && len >= 2 && b[0] == 0x03 && b[1] == 0x04;
    bool is_old_draft = is_pre16 || (!is_client && len >= 2 && b[0] == 0x7f && b[1] < 22);
    if (!get_u16(&c, &version) || !get_bytes(&c, 32, &random) ||
        (!is_old_draft && (!get_u8(&c, &sid_len) || sid_len > 32 ||
                           !get_bytes(&c, sid_len, &sid)))) {
        *events |= 1u << TLS_EV_INVALID_HANDSHAKE_MESSAGE;
        return VG_EINVAL;
    }
    s->has_hello = true;
    s->hello_version = version;
    s->version = is_pre16 ? 0x7f00 : version;   // 0x7f00: "TLS 1.3 draft-<16"
    memcpy(s->random, random, 32);
    if (sid_len > 0) {
        memcpy(s->session_id, sid, sid_len);
    }
    s->session_id_len = sid_len;
    const uint8_t *cs;
    int rc;
    if (is_client) {
        uint16_t cs_len;
        uint8_t comp_len;
        const uint8_t *comp;
        if (!get_u16(&c, &cs_len) || (cs_len & 1) || !get_bytes(&c, cs_len, &cs) ||
            !get_u8(&c, &comp_len) || !get_bytes(&c, comp_len, &comp)) {
            *events |= 1u << TLS_EV_INVALID_HANDSHAKE_MESSAGE;
            return VG_EINVAL;
        }
        rc = u16_list(cs, cs_len, &s->ciphers, &s->n_ciphers);
    } else {
        uint8_t comp;
        if (!get_bytes(&c, 2, &cs) || (!is_old_draft && !get_u8(&c, &comp))) {
            *events |= 1u << TLS_EV_INVALID_HANDSHAKE_MESSAGE;
            return VG_EINVAL;
        }
        rc = u16_list(cs, 2, &s->ciphers, &s->n_ciphers);
    }
    if (rc != 0) {
        return rc;
    }
    return parse_exts(&c, is_client, s, events);
}

int tls_parse_certificate(const uint8_t *b, uint32_t len, bool is_tls13, TlsSide *s,
                          uint32_t *events)
{
    Cur c = {b, len};
    if (is_tls13) {
        uint8_t ctx_len;
        const uint8_t *ctx;
        if (!get_u8(&c, &ctx_len) || !get_bytes(&c, ctx_len, &ctx)) {
            *events |= 1u << TLS_EV_CERTIFICATE_INVALID_LENGTH;
            return VG_EINVAL;
        }
    }
    const uint8_t *l3;
    const uint8_t *list;
    if (!get_bytes(&c, 3, &l3) || !get_bytes(&c, util_be24(l3), &list)) {
        *events |= 1u << TLS_EV_CERTIFICATE_INVALID_LENGTH;
        return VG_EINVAL;
    }
    Cur e = {list, util_be24(l3)};
    while (e.left > 0) {
        const uint8_t *der;
        if (!get_bytes(&e, 3, &l3) || !get_bytes(&e, util_be24(l3), &der)) {
            *events |= 1u << TLS_EV_CERTIFICATE_INVALID_LENGTH;
            return VG_EINVAL;
        }
        uint32_t der_len = util_be24(l3);
        if (is_tls13) {
            uint16_t ext_len;
            const uint8_t *ext;
            if (!get_u16(&e, &ext_len) || !get_bytes(&e, ext_len, &ext)) {
                *events |= 1u << TLS_EV_CERTIFICATE_INVALID_LENGTH;
                return VG_EINVAL;
            }
        }
        if (s->n_certs >= TLS_MAX_CERTS) {
            continue;              // counted by the chain length no further
        }
        TlsCert *certs = realloc(s->certs, (s->n_certs + 1) * sizeof(TlsCert));
        if (certs == NULL) {
            return VG_ENOMEM;
        }
        s->certs = certs;
        TlsCert *cert = &certs[s->n_certs];
        int rc = tls_cert_decode(der, der_len, cert);
        if (rc == VG_ENOMEM) {
            return rc;
        }
        if (rc != 0) {
            *events |= 1u << TLS_EV_INVALID_CERTIFICATE;
            continue;
        }
        s->n_certs++;
    }
    return 0;
}

/* SSLv2 (draft-hickman-netscape-ssl-00): 2-byte header (high bit set) or 3-byte header;
 * CLIENT-HELLO: type 1, version(2), cipher-specs length(2), session-id length(2),
 * challenge length(2), then the lists. Cipher specs are 3 bytes each. */
int tls_parse_sslv2(const uint8_t *b, uint32_t len, bool is_client, TlsSide *s,
                    uint32_t *events)
{
    uint32_t hdr = (b[0] & 0x80) ? 2 : 3;
    if (len < hdr + 1) {
        *events |= 1u << TLS_EV_INVALID_SSLV2_HEADER;
        return VG_EINVAL;
    }
    s->is_sslv2 = true;
    Cur c = {b + hdr, len - hdr};
    uint8_t type;
    uint16_t version;
    (void)get_u8(&c, &type);
    if (type == 4 && !is_client) {           // SERVER-HELLO
        s->version = TLS_V_SSL2;
        s->has_hello = true;
        return 0;
    }
    if (type != 1 || !is_client) {
        return 0;
    }
    uint16_t cs_len;
    uint16_t sid_len;
    uint16_t ch_len;
    const uint8_t *cs;
    if (!get_u16(&c, &version) || !get_u16(&c, &cs_len) || !get_u16(&c, &sid_len) ||
        !get_u16(&c, &ch_len) || !get_bytes(&c, cs_len, &cs)) {
        *events |= 1u << TLS_EV_INVALID_SSLV2_HEADER;
        return VG_EINVAL;
    }
    s->has_hello = true;
    s->hello_version = version;
    s->version = version == TLS_V_SSL2 ? TLS_V_SSL2 : version;
    return 0;
}

void tls_side_deinit(TlsSide *s)
{
    free(s->ciphers);
    free(s->exts);
    free(s->groups);
    free(s->ec_formats);
    free(s->sig_algs);
    free(s->alpn.data);
    free(s->sni.data);
    for (uint32_t i = 0; i < s->n_certs; i++) {
        tls_cert_deinit(&s->certs[i]);
    }
    free(s->certs);
    free(s->ja3);
    memset(s, 0, sizeof(*s));
}

size_t tls_side_mem(const TlsSide *s)
{
    size_t n = 2u * (s->n_ciphers + s->n_exts + s->n_groups + s->n_sig_algs) +
               s->n_ec_formats + s->alpn.len + s->sni.len;
    n += s->ja3 != NULL ? strlen(s->ja3) + 1 : 0;
    for (uint32_t i = 0; i < s->n_certs; i++) {
        const TlsCert *c = &s->certs[i];
        n += sizeof(*c) + c->der.len + c->subject.len + c->issuer.len;
        for (uint32_t k = 0; k < c->n_san; k++) {
            n += sizeof(TlsBytes) + c->san[k].len;
        }
    }
    return n;
}
