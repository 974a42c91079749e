/* The asn1 keyword: a bounded BER walker and its checks (detect-asn1.h). */

#include "detect/detect-asn1.h"

#include "detect/detect-internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ASN1_TAG_BIT_STRING 3
#define ASN1_TAG_REAL 9
#define ASN1_DEFAULT_MAX_FRAMES 30

/* One element's header: identifier and length octets. */
typedef struct Ber {
    uint8_t cls;                 // 0 universal .. 3 private
    bool constructed;
    uint32_t tag;
    bool indefinite;
    uint64_t len;                // definite length (0 when indefinite)
    uint32_t hdr_len;
} Ber;

/* Reads a header at buf (n bytes); false when truncated or not BER. */
static bool ber_header(const uint8_t *buf, uint32_t n, Ber *b)
{
    uint32_t i = 0;
    if (n < 2) {
        return false;
    }
    b->cls = buf[0] >> 6;
    b->constructed = (buf[0] & 0x20) != 0;
    b->tag = buf[0] & 0x1f;
    i = 1;
    if (b->tag == 0x1f) { // high tag number: base-128 octets, at most 4 of them
        b->tag = 0;
        for (int k = 0;; k++) {
            if (i >= n || k == 4) {
                return false;
            }
            b->tag = (b->tag << 7) | (buf[i] & 0x7f);
            if ((buf[i++] & 0x80) == 0) {
                break;
            }
        }
    }
    if (i >= n) {
        return false;
    }
    uint8_t l0 = buf[i++];
    b->indefinite = false;
    b->len = 0;
    if (l0 < 0x80) {
        b->len = l0;
    } else if (l0 == 0x80) {
        if (!b->constructed) {
            return false;        // indefinite length is for constructed elements only
        }
        b->indefinite = true;
    } else {
        uint32_t k = l0 & 0x7f;
        if (k > 8 || k == 0x7f) {
            return false;
        }
        for (uint32_t j = 0; j < k; j++) {
            if (i >= n) {
                return false;
            }
            b->len = (b->len << 8) | buf[i++];
        }
    }
    b->hdr_len = i;
    return true;
}

typedef struct Walk {
    const DetectAsn1 *a;
    bool hit;
} Walk;

static bool check_element(const DetectAsn1 *a, const Ber *b, const uint8_t *content,
                          uint64_t content_len)
{
    if ((a->checks & DETECT_ASN1_OVERSIZE) &&
        (b->len > a->oversize_length || (!b->constructed && content_len > a->oversize_length))) {
        return true;
    }
    if (b->cls != 0 || b->constructed || b->len == 0 || content_len == 0) {
        return false;
    }
    if ((a->checks & DETECT_ASN1_BITSTRING_OVERFLOW) && b->tag == ASN1_TAG_BIT_STRING &&
        (uint64_t)content[0] > b->len * 8) {
        return true;
    }
    if ((a->checks & DETECT_ASN1_DOUBLE_OVERFLOW) && b->tag == ASN1_TAG_REAL &&
        (content[0] & 0xc0) == 0 && b->len > 256) {
        return true;
    }
    return false;
}

/* Decodes one element at buf (n bytes), its nested ones down to depth levels.
 * Returns the bytes it took, or 0 when it is truncated, malformed or too deep.
 * Sets w->hit on the first element a check flags (the walk then stops). */
static uint32_t walk_element(Walk *w, const uint8_t *buf, uint32_t n, uint32_t depth)
{
    Ber b;
    if (depth == 0 || !ber_header(buf, n, &b)) {
        return 0;
    }
    const uint8_t *content = buf + b.hdr_len;
    uint32_t avail = n - b.hdr_len;
    if (!b.indefinite && b.len > avail) {
        return 0;                // truncated: not an element (as a BER decoder sees it)
    }
    if (!b.constructed) {
        if (check_element(w->a, &b, content, b.len)) {
            w->hit = true;
        }
        return b.hdr_len + (uint32_t)b.len;
    }
    /* Constructed: the header is checked first, then the elements inside. */
    if (check_element(w->a, &b, content, 0)) {
        w->hit = true;
        return b.hdr_len + (uint32_t)(b.indefinite ? 0 : b.len);
    }
    uint32_t end = b.indefinite ? avail : (uint32_t)b.len;
    uint32_t at = 0;
    while (at < end) {
        if (b.indefinite && end - at >= 2 && content[at] == 0 && content[at + 1] == 0) {
            return b.hdr_len + at + 2; // end-of-contents
        }
        uint32_t used = walk_element(w, content + at, end - at, depth - 1);
        if (w->hit) {
            return b.hdr_len + at + used;
        }
        if (used == 0) {
            return 0;
        }
        at += used;
    }
    return b.indefinite ? 0 : b.hdr_len + end; // an indefinite element needs its end mark
}

bool detect_asn1_match(const DetectAsn1 *a, const uint8_t *buf, uint32_t len, uint32_t prev_end)
{
    int64_t off = 0;
    if (a->flags & DETECT_ASN1_F_ABSOLUTE) {
        off = a->offset;
    } else if (a->flags & DETECT_PM_F_RELATIVE) {
        off = (int64_t)prev_end + a->offset;
        if (off < 0 || off > 65535) {
            return false;
        }
    }
    if (buf == NULL || off >= (int64_t)len) {
        return false;
    }
    Walk w = { a, false };
    const uint8_t *p = buf + off;
    uint32_t n = len - (uint32_t)off;
    uint32_t max = a->max_frames ? a->max_frames : ASN1_DEFAULT_MAX_FRAMES;
    for (uint32_t frames = 0; n > 0 && frames < max; frames++) {
        uint32_t used = walk_element(&w, p, n, max);
        if (w.hit) {
            return true;
        }
        if (used == 0) {
            break;
        }
        p += used;
        n -= used;
    }
    return false;
}

/* ---- parsing ------------------------------------------------------------- */

static bool parse_num(const char **s, int64_t min, int64_t max, int64_t *out)
{
    while (**s == ' ' || **s == '\t') {
        (*s)++;
    }
    char *end = NULL;
    long long v = strtoll(*s, &end, 10);
    if (end == *s || v < min || v > max) {
        return false;
    }
    *out = v;
    *s = end;
    return true;
}

bool detect_asn1_parse(const char *arg, DetectAsn1 *out, char *why, unsigned cap)
{
    memset(out, 0, sizeof(*out));
    out->max_frames = ASN1_DEFAULT_MAX_FRAMES;
    const char *s = arg != NULL ? arg : "";
    bool any = false;
    while (*s != '\0') {
        while (*s == ' ' || *s == '\t' || *s == ',') {
            s++;
        }
        if (*s == '\0') {
            break;
        }
        const char *w = s;
        while (*s != '\0' && *s != ' ' && *s != '\t' && *s != ',') {
            s++;
        }
        size_t wl = (size_t)(s - w);
        int64_t v = 0;
#define IS(lit) (wl == sizeof(lit) - 1 && strncmp(w, lit, wl) == 0)
        if (IS("bitstring_overflow")) {
            out->checks |= DETECT_ASN1_BITSTRING_OVERFLOW;
        } else if (IS("double_overflow")) {
            out->checks |= DETECT_ASN1_DOUBLE_OVERFLOW;
        } else if (IS("oversize_length")) {
            if (!parse_num(&s, 0, UINT32_MAX, &v)) {
                snprintf(why, cap, "asn1: oversize_length needs a number 0..4294967295");
                return false;
            }
            out->checks |= DETECT_ASN1_OVERSIZE;
            out->oversize_length = (uint32_t)v;
        } else if (IS("absolute_offset") || IS("relative_offset")) {
            bool abs = IS("absolute_offset");
            if (out->flags & (DETECT_ASN1_F_ABSOLUTE | DETECT_PM_F_RELATIVE)) {
                snprintf(why, cap, "asn1: absolute_offset and relative_offset exclude each other");
                return false;
            }
            if (!parse_num(&s, abs ? 0 : -65535, 65535, &v)) {
                snprintf(why, cap, "asn1: %s needs a number %s", abs ? "absolute_offset"
                                                                      : "relative_offset",
                         abs ? "0..65535" : "-65535..65535");
                return false;
            }
            out->flags |= abs ? DETECT_ASN1_F_ABSOLUTE : DETECT_PM_F_RELATIVE;
            out->offset = (int32_t)v;
        } else {
            snprintf(why, cap, "asn1: unknown option '%.*s'", (int)wl, w);
            return false;
        }
#undef IS
        any = true;
        while (*s == ' ' || *s == '\t') {
            s++;
        }
        if (*s != '\0' && *s != ',') {
            snprintf(why, cap, "asn1: unexpected '%s'", s);
            return false;
        }
    }
    if (!any || out->checks == 0) {
        snprintf(why, cap, "asn1: needs bitstring_overflow, double_overflow or oversize_length");
        return false;
    }
    return true;
}
