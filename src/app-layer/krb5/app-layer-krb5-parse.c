/* Kerberos 5 message decoding (RFC 4120 section 5) with the bounded BER reader. Every
 * message is [APPLICATION n] SEQUENCE { [k] fields }; the fields read:
 * KDC-REQ (AS 10, TGS 12): [2] msg-type, [4] req-body { [1] cname, [2] realm, [3] sname,
 *   [8] etype SEQUENCE OF Int32 };
 * KDC-REP (AS 11, TGS 13): [1] msg-type, [3] crealm, [4] cname, [5] ticket
 *   ([APPLICATION 1] { [1] realm, [2] sname, [3] enc-part { [0] etype } }), [6] enc-part;
 * AP-REQ (14) / AP-REP (15): [1] msg-type (AP-REQ: [3] ticket);
 * KRB-ERROR (30): [1] msg-type, [6] error-code, [7] crealm, [8] cname, [9] realm,
 *   [10] sname. */
#include "app-layer/krb5/app-layer-krb5.h"

#include <string.h>

#include "util/util-ber.h"

#define EV(e) ((e) + 1)

const char *krb5_msg_type_name(uint32_t t)
{
    switch (t) {
    case 10: return "KRB_AS_REQ";
    case 11: return "KRB_AS_REP";
    case 12: return "KRB_TGS_REQ";
    case 13: return "KRB_TGS_REP";
    case 14: return "KRB_AP_REQ";
    case 15: return "KRB_AP_REP";
    case 30: return "KRB_ERROR";
    default: return NULL;
    }
}

const char *krb5_etype_name(int32_t e)
{
    switch (e) {
    case 1: return "des-cbc-crc";
    case 2: return "des-cbc-md4";
    case 3: return "des-cbc-md5";
    case 16: return "des3-cbc-sha1";
    case 17: return "aes128-cts-hmac-sha1-96";
    case 18: return "aes256-cts-hmac-sha1-96";
    case 19: return "aes128-cts-hmac-sha256-128";
    case 20: return "aes256-cts-hmac-sha384-192";
    case 23: return "rc4-hmac";
    case 24: return "rc4-hmac-exp";
    case 25: return "camellia128-cts-cmac";
    case 26: return "camellia256-cts-cmac";
    default: return NULL;
    }
}

bool krb5_etype_is_weak(int32_t e)
{
    return (e >= 1 && e <= 3) || e == 23 || e == 24;
}

/* The contents of an explicit tag [n]: a reader over its one element, which is read. */
static int tagged(const BerReader *r, const BerTlv *t, BerTlv *inner, BerReader *sub)
{
    if (ber_enter(r, t, sub) != BER_OK || ber_next(sub, inner) != BER_OK) {
        return -1;
    }
    return 0;
}

static int tagged_int(const BerReader *r, const BerTlv *t, int32_t *v)
{
    BerReader s;
    BerTlv in;
    int64_t x;
    if (tagged(r, t, &in, &s) != 0 || in.tag != BER_TAG_INTEGER || ber_int(&in, &x) != BER_OK ||
        x < INT32_MIN || x > INT32_MAX) {
        return -1;
    }
    *v = (int32_t)x;
    return 0;
}

static void copy_bytes(uint8_t *dst, uint16_t *dst_len, const BerTlv *t)
{
    uint32_t n = t->len < KRB5_NAME_PART_MAX ? t->len : KRB5_NAME_PART_MAX;
    memcpy(dst, t->val, n);
    *dst_len = (uint16_t)n;
}

static int tagged_string(const BerReader *r, const BerTlv *t, uint8_t *dst, uint16_t *len)
{
    BerReader s;
    BerTlv in;
    if (tagged(r, t, &in, &s) != 0 || in.constructed) {
        return -1;
    }
    copy_bytes(dst, len, &in);
    return 0;
}

/* PrincipalName ::= SEQUENCE { name-type [0] Int32, name-string [1] SEQUENCE OF
 * KerberosString } inside the explicit tag t. */
static int principal(const BerReader *r, const BerTlv *t, Krb5Name *n)
{
    BerReader s, p, l;
    BerTlv seq, f, list, part;
    if (tagged(r, t, &seq, &s) != 0 || ber_enter(&s, &seq, &p) != BER_OK) {
        return -1;
    }
    n->n_parts = 0;
    while (ber_next(&p, &f) == BER_OK) {
        if (f.cls != BER_CLASS_CONTEXT || f.tag != 1) {
            continue;
        }
        BerReader fs;
        if (tagged(&p, &f, &list, &fs) != 0 || ber_enter(&fs, &list, &l) != BER_OK) {
            return -1;
        }
        while (ber_next(&l, &part) == BER_OK) {
            if (n->n_parts < KRB5_NAME_PARTS_MAX) {
                copy_bytes(n->part[n->n_parts], &n->part_len[n->n_parts], &part);
                n->n_parts++;
            }
        }
    }
    return 0;
}

/* EncryptedData ::= SEQUENCE { etype [0] Int32, ... } inside the explicit tag t. */
static int enc_etype(const BerReader *r, const BerTlv *t, int32_t *etype)
{
    BerReader s, e;
    BerTlv seq, f;
    if (tagged(r, t, &seq, &s) != 0 || ber_enter(&s, &seq, &e) != BER_OK ||
        ber_next(&e, &f) != BER_OK || f.cls != BER_CLASS_CONTEXT || f.tag != 0) {
        return -1;
    }
    return tagged_int(&e, &f, etype);
}

/* Ticket ::= [APPLICATION 1] SEQUENCE { [0] tkt-vno, [1] realm, [2] sname, [3] enc-part } */
static int ticket(const BerReader *r, const BerTlv *t, Krb5Msg *m)
{
    BerReader s, a, q;
    BerTlv app, seq, f;
    if (tagged(r, t, &app, &s) != 0 || app.cls != BER_CLASS_APPLICATION || app.tag != 1 ||
        ber_enter(&s, &app, &a) != BER_OK || ber_next(&a, &seq) != BER_OK ||
        ber_enter(&a, &seq, &q) != BER_OK) {
        return -1;
    }
    while (ber_next(&q, &f) == BER_OK) {
        if (f.cls == BER_CLASS_CONTEXT && f.tag == 2) {
            m->has_sname = principal(&q, &f, &m->sname) == 0;
        } else if (f.cls == BER_CLASS_CONTEXT && f.tag == 3) {
            m->has_ticket_etype = enc_etype(&q, &f, &m->ticket_etype) == 0;
        }
    }
    return 0;
}

static int req_body(const BerReader *r, const BerTlv *t, Krb5Msg *m)
{
    BerReader s, b;
    BerTlv seq, f;
    if (tagged(r, t, &seq, &s) != 0 || ber_enter(&s, &seq, &b) != BER_OK) {
        return -1;
    }
    while (ber_next(&b, &f) == BER_OK) {
        if (f.cls != BER_CLASS_CONTEXT) {
            return -1;
        }
        int rc = 0;
        if (f.tag == 1) {
            rc = principal(&b, &f, &m->cname);
            m->has_cname = rc == 0;
        } else if (f.tag == 2) {
            rc = tagged_string(&b, &f, m->realm, &m->realm_len);
        } else if (f.tag == 3) {
            rc = principal(&b, &f, &m->sname);
            m->has_sname = rc == 0;
        } else if (f.tag == 8) {
            BerReader es, el;
            BerTlv list, e;
            int64_t v;
            rc = tagged(&b, &f, &list, &es) != 0 || ber_enter(&es, &list, &el) != BER_OK;
            while (rc == 0 && ber_next(&el, &e) == BER_OK) {
                if (ber_int(&e, &v) == BER_OK && m->n_etypes < KRB5_ETYPES_MAX) {
                    m->etypes[m->n_etypes++] = (int32_t)v;
                }
            }
        }
        if (rc != 0) {
            return -1;
        }
    }
    return 0;
}

/* One field [tag] of the message body (numbering depends on the message type). */
static int field(const BerReader *r, const BerTlv *f, uint32_t app, Krb5Msg *m)
{
    bool is_req = app == 10 || app == 12;
    bool is_rep = app == 11 || app == 13;
    switch (f->tag) {
    case 4:
        if (is_req) {
            return req_body(r, f, m);
        }
        if (is_rep) {
            m->has_cname = principal(r, f, &m->cname) == 0;
            return m->has_cname ? 0 : -1;
        }
        return 0;
    case 3:
        if (is_rep) {
            return tagged_string(r, f, m->realm, &m->realm_len);
        }
        return app == 14 ? ticket(r, f, m) : 0;
    case 5:
        return is_rep ? ticket(r, f, m) : 0;
    case 6:
        if (is_rep) {
            m->has_enc_etype = enc_etype(r, f, &m->enc_etype) == 0;
            return m->has_enc_etype ? 0 : -1;
        }
        if (app == 30) {
            m->has_error = tagged_int(r, f, &m->error_code) == 0;
            return m->has_error ? 0 : -1;
        }
        return 0;
    case 8:
        if (app == 30) {
            m->has_cname = principal(r, f, &m->cname) == 0;
        }
        return 0;
    case 9:
        return app == 30 ? tagged_string(r, f, m->realm, &m->realm_len) : 0;
    case 10:
        if (app == 30) {
            m->has_sname = principal(r, f, &m->sname) == 0;
        }
        return 0;
    default:
        return 0;
    }
}

int krb5_msg_parse(const uint8_t *data, uint32_t len, Krb5Msg *m)
{
    *m = (Krb5Msg){0};
    BerReader top, a, s;
    BerTlv app, seq, f;
    ber_reader_init(&top, data, len);
    if (ber_next(&top, &app) != BER_OK || app.cls != BER_CLASS_APPLICATION ||
        krb5_msg_type_name(app.tag) == NULL || ber_enter(&top, &app, &a) != BER_OK ||
        ber_expect(&a, BER_CLASS_UNIVERSAL, BER_TAG_SEQUENCE, true, &seq) != BER_OK ||
        ber_enter(&a, &seq, &s) != BER_OK) {
        return EV(KRB5_EV_MALFORMED_DATA);
    }
    m->msg_type = app.tag;
    while (ber_next(&s, &f) == BER_OK) {
        if (f.cls != BER_CLASS_CONTEXT || !f.constructed || field(&s, &f, app.tag, m) != 0) {
            return EV(KRB5_EV_MALFORMED_DATA);
        }
    }
    return ber_at_end(&s) ? 0 : EV(KRB5_EV_MALFORMED_DATA);
}
