/* Bounded BER/DER reader (X.690 section 8): identifier octets (8.1.2), length octets
 * (8.1.3, definite form only), INTEGER (8.3) and OBJECT IDENTIFIER (8.19) contents. */
#include "util/util-ber.h"

#include <stdio.h>

void ber_reader_init(BerReader *r, const uint8_t *data, uint32_t len)
{
    *r = (BerReader){.p = data, .len = data != NULL ? len : 0};
}

bool ber_at_end(const BerReader *r)
{
    return r->off >= r->len;
}

/* Identifier and length octets at p[0, len): fills t (contents not checked). */
static int read_header(const uint8_t *p, uint32_t len, BerTlv *t)
{
    if (len < 2) {
        return BER_ETRUNC;
    }
    uint32_t i = 0;
    uint8_t id = p[i++];
    t->cls = id >> 6;
    t->constructed = (id & 0x20) != 0;
    t->tag = id & 0x1f;
    if (t->tag == 0x1f) {        // high tag number form: base 128, at most 4 octets
        t->tag = 0;
        for (uint32_t n = 0;; n++) {
            if (i >= len) {
                return BER_ETRUNC;
            }
            if (n == 4) {
                return BER_EINVAL;
            }
            uint8_t b = p[i++];
            t->tag = t->tag << 7 | (b & 0x7f);
            if (!(b & 0x80)) {
                break;
            }
        }
    }
    if (i >= len) {
        return BER_ETRUNC;
    }
    uint8_t l0 = p[i++];
    uint32_t clen = l0;
    if (l0 & 0x80) {
        uint32_t n = l0 & 0x7f;
        if (n == 0 || n > 4) {   // indefinite form, or a length we never accept
            return BER_EINVAL;
        }
        if (len - i < n) {
            return BER_ETRUNC;
        }
        clen = 0;
        for (uint32_t k = 0; k < n; k++) {
            clen = clen << 8 | p[i++];
        }
    }
    t->len = clen;
    t->hdr_len = i;
    t->val = p + i;
    return BER_OK;
}

int ber_peek(const BerReader *r, BerTlv *t)
{
    if (r->off >= r->len) {
        return BER_ETRUNC;
    }
    uint32_t left = r->len - r->off;
    int rc = read_header(r->p + r->off, left, t);
    if (rc != BER_OK) {
        return rc;
    }
    if ((uint64_t)t->hdr_len + t->len > left) {
        return BER_ETRUNC;
    }
    return BER_OK;
}

int ber_next(BerReader *r, BerTlv *t)
{
    int rc = ber_peek(r, t);
    if (rc == BER_OK) {
        r->off += t->hdr_len + t->len;
    }
    return rc;
}

int ber_expect(BerReader *r, uint8_t cls, uint32_t tag, bool constructed, BerTlv *t)
{
    int rc = ber_peek(r, t);
    if (rc != BER_OK) {
        return rc;
    }
    if (t->cls != cls || t->tag != tag || t->constructed != constructed) {
        return BER_EINVAL;
    }
    r->off += t->hdr_len + t->len;
    return BER_OK;
}

int ber_enter(const BerReader *parent, const BerTlv *t, BerReader *sub)
{
    if (!t->constructed) {
        return BER_EINVAL;
    }
    if (parent->depth + 1 > BER_DEPTH_MAX) {
        return BER_EDEPTH;
    }
    ber_reader_init(sub, t->val, t->len);
    sub->depth = (uint8_t)(parent->depth + 1);
    return BER_OK;
}

int ber_frame_len(const uint8_t *data, uint32_t len, uint64_t *total)
{
    BerTlv t;
    int rc = read_header(data, len, &t);
    if (rc != BER_OK) {
        return rc;
    }
    *total = (uint64_t)t.hdr_len + t.len;
    return BER_OK;
}

int ber_int(const BerTlv *t, int64_t *v)
{
    if (t->len == 0 || t->len > 8) {
        return BER_EINVAL;
    }
    uint64_t u = (t->val[0] & 0x80) ? UINT64_MAX : 0;   // sign extension
    for (uint32_t i = 0; i < t->len; i++) {
        u = u << 8 | t->val[i];
    }
    *v = (int64_t)u;
    return BER_OK;
}

int ber_u32(const BerTlv *t, uint32_t *v)
{
    int64_t x;
    if (ber_int(t, &x) != BER_OK || x < 0 || x > UINT32_MAX) {
        return BER_EINVAL;
    }
    *v = (uint32_t)x;
    return BER_OK;
}

/* Appends ".N" (or "N" at the start) to out; false when it does not fit. */
static bool put_arc(char *out, size_t cap, size_t *pos, uint64_t arc)
{
    int n = snprintf(out + *pos, cap - *pos, *pos == 0 ? "%llu" : ".%llu",
                     (unsigned long long)arc);
    if (n < 0 || (size_t)n >= cap - *pos) {
        return false;
    }
    *pos += (size_t)n;
    return true;
}

int ber_oid_text(const uint8_t *val, uint32_t len, char *out, size_t cap)
{
    if (len == 0 || cap == 0) {
        return BER_EINVAL;
    }
    size_t pos = 0;
    out[0] = '\0';
    uint64_t arc = 0;
    uint32_t n_octets = 0;
    bool first = true;
    for (uint32_t i = 0; i < len; i++) {
        if (n_octets == 0 && val[i] == 0x80) {
            return BER_EINVAL;   // X.690 8.19.2: no leading 0x80 padding
        }
        if (arc > (UINT64_MAX >> 7)) {
            return BER_EINVAL;   // the arc would not fit 64 bits
        }
        n_octets++;
        arc = arc << 7 | (val[i] & 0x7f);
        if (val[i] & 0x80) {
            continue;
        }
        if (first) {             // X.690 8.19.4: the first two arcs share one subidentifier
            uint64_t a = arc < 40 ? 0 : arc < 80 ? 1 : 2;
            if (!put_arc(out, cap, &pos, a) || !put_arc(out, cap, &pos, arc - a * 40)) {
                return BER_EINVAL;
            }
            first = false;
        } else if (!put_arc(out, cap, &pos, arc)) {
            return BER_EINVAL;
        }
        arc = 0;
        n_octets = 0;
    }
    return n_octets == 0 ? BER_OK : BER_EINVAL;
}
