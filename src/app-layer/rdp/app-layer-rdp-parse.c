/* RDP PDU parsing: TPKT, X.224 connection request/confirm (cookie, negotiation), MCS
 * Connect-Initial (BER, T.125) with the GCC client data blocks (T.124 PER) and the MCS
 * Connect-Response. Every read is checked against the PDU's length. */
#include "app-layer/rdp/app-layer-rdp.h"

#include <string.h>

#include "util/util-byte.h"

#define TPKT_HDR 4
#define X224_FIXED 7             // LI, code, DST-REF, SRC-REF, class

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* Negotiation structure (MS-RDPBCGR 2.2.1.1.1 / 2.2.1.2.1 / 2.2.1.2.2): type, flags,
 * length 8 (LE), a 32-bit value. want: the types allowed in this direction. */
static bool parse_neg(const uint8_t *p, uint32_t n, uint8_t want_a, uint8_t want_b, RdpTx *t)
{
    if (n == 0) {
        return true;
    }
    if (n < 8 || (p[0] != want_a && p[0] != want_b) || le16(p + 2) != 8) {
        return false;
    }
    t->neg_type = p[0];
    t->neg_flags = p[1];
    t->neg_value = le32(p + 4);
    return true;
}

/* X.224 CR variable part: an optional "Cookie: mstshash=<v>\r\n" (or a routing token,
 * "Cookie: msts=...\r\n"), then an optional RDP_NEG_REQ, then optional correlation info
 * (MS-RDPBCGR 2.2.1.1). */
static bool parse_cr(const uint8_t *p, uint32_t n, RdpTx *t)
{
    static const char k_cookie[] = "Cookie: ";
    static const char k_hash[] = "Cookie: mstshash=";
    t->kind = RDP_TX_INITIAL_REQUEST;
    if (n >= sizeof(k_cookie) - 1 && memcmp(p, k_cookie, sizeof(k_cookie) - 1) == 0) {
        const uint8_t *crlf = NULL;
        for (uint32_t i = 0; i + 1 < n; i++) {
            if (p[i] == '\r' && p[i + 1] == '\n') {
                crlf = p + i;
                break;
            }
        }
        if (crlf == NULL) {
            return false;
        }
        uint32_t hl = sizeof(k_hash) - 1;
        if ((uint32_t)(crlf - p) >= hl && memcmp(p, k_hash, hl) == 0) {
            uint32_t vl = (uint32_t)(crlf - p) - hl;
            t->has_cookie = true;
            t->cookie_len = (uint16_t)(vl < RDP_COOKIE_MAX ? vl : RDP_COOKIE_MAX);
            memcpy(t->cookie, p + hl, t->cookie_len);
        }
        uint32_t used = (uint32_t)(crlf - p) + 2;
        p += used;
        n -= used;
    }
    if (n >= 8 && p[0] == RDP_NEG_REQ) {
        return parse_neg(p, 8, RDP_NEG_REQ, RDP_NEG_REQ, t);  // correlation info may follow
    }
    return true;
}

/* BER (X.690) tag and definite length at *off; the content's start and length. */
static bool ber_next(const uint8_t *p, uint32_t n, uint32_t *off, uint32_t *tag,
                     uint32_t *cstart, uint32_t *clen)
{
    uint32_t o = *off;
    if (o >= n) {
        return false;
    }
    uint32_t tg = p[o++];
    if ((tg & 0x1f) == 0x1f) {   // high tag number: one more byte (T.125 uses 101, 102)
        if (o >= n || (p[o] & 0x80)) {
            return false;
        }
        tg = tg << 8 | p[o++];
    }
    if (o >= n) {
        return false;
    }
    uint32_t l = p[o++];
    if (l & 0x80) {
        uint32_t nb = l & 0x7f;
        if (nb == 0 || nb > 2 || o + nb > n) {
            return false;
        }
        l = 0;
        for (uint32_t i = 0; i < nb; i++) {
            l = l << 8 | p[o++];
        }
    }
    if (l > n - o) {
        return false;
    }
    *tag = tg;
    *cstart = o;
    *clen = l;
    *off = o + l;
    return true;
}

static void parse_net(const uint8_t *b, uint32_t n, RdpTx *t)
{
    if (n < 8) {
        return;
    }
    uint32_t count = le32(b + 4);
    for (uint32_t i = 0; i < count && t->n_channels < RDP_CHANNELS_MAX; i++) {
        uint32_t off = 8 + 12 * i;
        if (off + 12 > n) {
            break;
        }
        char *name = t->channels[t->n_channels++];
        memcpy(name, b + off, 8);
        name[8] = '\0';          // names are 7 ANSI characters and a NUL; cut if not
    }
}

/* GCC Conference Create Request (T.124): the client data blocks follow the H.221 key
 * "Duca" and a PER length; each block is a TS_UD_HEADER (type, length, LE). */
static bool parse_gcc(const uint8_t *u, uint32_t n, RdpTx *t)
{
    uint32_t i = 0;
    while (i + 4 <= n && i < 32 && memcmp(u + i, "Duca", 4) != 0) {
        i++;
    }
    if (i + 4 > n || i >= 32) {
        return false;
    }
    i += 4;
    if (i >= n) {
        return false;
    }
    uint32_t len = u[i++];
    if (len & 0x80) {
        if (i >= n) {
            return false;
        }
        len = (len & 0x7f) << 8 | u[i++];
    }
    uint32_t end = len < n - i ? i + len : n;
    while (i + 4 <= end) {
        uint32_t type = le16(u + i);
        uint32_t bl = le16(u + i + 2);
        if (bl < 4 || bl > end - i) {
            return false;
        }
        if (type == 0xc001 && bl >= RDP_CORE_MIN) {          // CS_CORE
            t->core_len = (uint16_t)(bl < RDP_CORE_MAX ? bl : RDP_CORE_MAX);
            memcpy(t->core, u + i, t->core_len);
        } else if (type == 0xc003) {                         // CS_NET
            parse_net(u + i, bl, t);
        }
        i += bl;
    }
    return true;
}

/* MCS Connect-Initial ([APPLICATION 101]): callingDomainSelector, calledDomainSelector,
 * upwardFlag, target/minimum/maximum parameters, userData (the GCC request). */
static bool parse_connect_initial(const uint8_t *p, uint32_t n, RdpTx *t)
{
    uint32_t off = 0, tag, cs, cl;
    if (!ber_next(p, n, &off, &tag, &cs, &cl) || tag != 0x7f65) {
        return false;
    }
    t->kind = RDP_TX_CONNECT_REQUEST;
    const uint8_t *c = p + cs;
    uint32_t o = 0;
    for (int k = 0; k < 7; k++) {
        uint32_t et, es, el;
        if (!ber_next(c, cl, &o, &et, &es, &el)) {
            return false;
        }
        if (k == 6) {
            return et == 0x04 && parse_gcc(c + es, el, t);
        }
    }
    return false;
}

bool rdp_parse_pdu(const uint8_t *pdu, uint32_t len, uint8_t dir, RdpTx *t)
{
    if (len < TPKT_HDR + 2 || pdu[0] != 3 || util_be16(pdu + 2) != len) {
        return false;
    }
    const uint8_t *x = pdu + TPKT_HDR;
    uint32_t xn = len - TPKT_HDR;
    uint32_t li = x[0];
    if (li == 0 || li + 1 > xn) {
        return false;
    }
    uint8_t code = x[1] & 0xf0;
    t->dir = dir;
    if (code == 0xe0 || code == 0xd0) {        // CR / CC
        if (li + 1 < X224_FIXED) {
            return false;
        }
        const uint8_t *v = x + X224_FIXED;
        uint32_t vn = li + 1 - X224_FIXED;
        if (code == 0xe0) {
            return dir == APP_DIR_TOSERVER && parse_cr(v, vn, t);
        }
        t->kind = RDP_TX_INITIAL_RESPONSE;
        return dir == APP_DIR_TOCLIENT && parse_neg(v, vn, RDP_NEG_RSP, RDP_NEG_FAILURE, t);
    }
    if (code != 0xf0 || li + 1 >= xn) {        // DT with its MCS PDU; nothing else here
        return true;
    }
    const uint8_t *m = x + li + 1;
    uint32_t mn = xn - li - 1;
    if (mn >= 2 && m[0] == 0x7f && m[1] == 0x65 && dir == APP_DIR_TOSERVER) {
        return parse_connect_initial(m, mn, t);
    }
    if (mn >= 2 && m[0] == 0x7f && m[1] == 0x66 && dir == APP_DIR_TOCLIENT) {
        t->kind = RDP_TX_CONNECT_RESPONSE;
    }
    return true;
}
