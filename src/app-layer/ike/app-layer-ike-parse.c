/* IKE message decoding: the fixed header (RFC 2408 section 3.1, RFC 7296 section 3.1)
 * and the payload chain (generic payload header: next payload, flags, 16-bit length
 * including itself). Read: SA proposals with their transforms and attributes (the
 * first proposal's kept), key exchange, nonce and vendor ID payloads. Every length is
 * checked against its container; the chain stops at the first encrypted payload.
 * Memory: one copy of the message and one buffer of vendor IDs in hex. */
#include "app-layer/ike/app-layer-ike.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util-byte.h"

#define EV(e) ((e) + 1)

/* Payload types: IKEv1 (RFC 2408 section 3.1) and IKEv2 (RFC 7296 section 3.2). */
enum {
    V1_SA = 1, V1_PROPOSAL = 2, V1_TRANSFORM = 3, V1_KE = 4, V1_NONCE = 10, V1_VID = 13,
    V2_SA = 33, V2_KE = 34, V2_NONCE = 40, V2_VID = 43, V2_SK = 46,
};

static const char *const g_attr_names[] = {
    [1] = "alg_enc", [2] = "alg_hash", [3] = "alg_auth", [4] = "alg_dh",
    [5] = "sa_group_type", [6] = "sa_group_prime", [7] = "sa_group_generator_one",
    [8] = "sa_group_generator_two", [9] = "sa_group_curve_a", [10] = "sa_group_curve_b",
    [11] = "sa_life_type", [12] = "sa_life_duration", [13] = "alg_prf",
    [14] = "sa_key_length", [15] = "sa_field_size", [16] = "sa_group_order",
};
#define N_ATTR_NAMES (sizeof(g_attr_names) / sizeof(g_attr_names[0]))

const char *ike_attr_name(uint16_t type)
{
    return type < N_ATTR_NAMES ? g_attr_names[type] : NULL;
}

int ike_attr_by_name(const char *name)
{
    for (uint32_t i = 1; i < N_ATTR_NAMES; i++) {
        if (g_attr_names[i] != NULL && strcmp(g_attr_names[i], name) == 0) {
            return (int)i;
        }
    }
    return -1;
}

void ike_msg_deinit(IkeMsg *m)
{
    free(m->raw);
    free(m->vendor_hex);
    m->raw = NULL;
    m->vendor_hex = NULL;
}

static void hex(const uint8_t *p, uint32_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (uint32_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Data attributes (RFC 2408 section 3.3): AF set: type and a 16-bit value; clear: type,
 * 16-bit length, value (kept when at most 8 octets). */
static int parse_attrs(const uint8_t *p, uint32_t len, IkeMsg *m, bool keep)
{
    while (len > 0) {
        if (len < 4) {
            return EV(IKE_EV_MALFORMED_DATA);
        }
        uint16_t t = util_be16(p);
        uint64_t v = util_be16(p + 2);
        uint32_t used = 4;
        if (!(t & 0x8000)) {
            uint32_t vl = (uint32_t)v;
            if (len - 4 < vl) {
                return EV(IKE_EV_MALFORMED_DATA);
            }
            v = 0;
            for (uint32_t i = 0; i < vl && i < 8; i++) {
                v = v << 8 | p[4 + i];
            }
            used += vl;
        }
        if (keep && m->n_attrs < IKE_ATTRS_MAX) {
            m->attrs[m->n_attrs++] = (IkeAttr){.type = t & 0x7fff, .value = v};
        }
        p += used;
        len -= used;
    }
    return 0;
}

/* Proposals (v1: payload type 2 chain; v2: substructures with last/more markers), each
 * with its transforms; the attributes of the first proposal are kept. */
static int parse_sa(const uint8_t *p, uint32_t len, IkeMsg *m, bool v2)
{
    if (!v2) {
        if (len < 8) {           // DOI, situation
            return EV(IKE_EV_MALFORMED_DATA);
        }
        p += 8;
        len -= 8;
    }
    while (len > 0) {
        if (len < 8 || util_be16(p + 2) < 8 || util_be16(p + 2) > len) {
            return EV(IKE_EV_MALFORMED_DATA);
        }
        uint32_t plen = util_be16(p + 2);
        uint8_t spi_size = p[6];
        uint8_t n_transforms = p[7];
        bool keep = m->n_proposals++ == 0;
        if (8u + spi_size > plen) {
            return EV(IKE_EV_MALFORMED_DATA);
        }
        const uint8_t *t = p + 8 + spi_size;
        uint32_t tl = plen - 8 - spi_size;
        for (uint32_t i = 0; i < n_transforms; i++) {
            uint32_t hdr = 8;    // generic header + (v1: number, id, reserved; v2: type...)
            if (tl < hdr || util_be16(t + 2) < hdr || util_be16(t + 2) > tl) {
                return EV(IKE_EV_MALFORMED_DATA);
            }
            uint32_t len_t = util_be16(t + 2);
            if (v2 && keep && m->n_attrs < IKE_ATTRS_MAX) {
                m->attrs[m->n_attrs++] = (IkeAttr){.type = t[4], .value = util_be16(t + 6)};
            }
            int rc = parse_attrs(t + 8, len_t - 8, m, keep && !v2);
            if (rc != 0) {
                return rc;
            }
            t += len_t;
            tl -= len_t;
        }
        p += plen;
        len -= plen;
    }
    return 0;
}

static int parse_payload(uint8_t type, const uint8_t *body, uint32_t blen, IkeMsg *m)
{
    switch (type) {
    case V1_SA:
    case V2_SA:
        return parse_sa(body, blen, m, type == V2_SA);
    case V1_KE:
        m->ke = body;
        m->ke_len = blen;
        return 0;
    case V2_KE:
        if (blen < 4) {
            return EV(IKE_EV_MALFORMED_DATA);
        }
        m->ke_group = util_be16(body);
        m->ke = body + 4;
        m->ke_len = blen - 4;
        return 0;
    case V1_NONCE:
    case V2_NONCE:
        m->nonce = body;
        m->nonce_len = blen;
        return 0;
    case V1_VID:
    case V2_VID:
        if (m->n_vendors < IKE_VENDORS_MAX) {
            m->vendor[m->n_vendors] = body;
            m->vendor_len[m->n_vendors++] = blen;
        }
        return 0;
    default:
        return 0;
    }
}

static int vendors_hex(IkeMsg *m)
{
    size_t total = 0;
    for (uint32_t i = 0; i < m->n_vendors; i++) {
        total += 2u * m->vendor_len[i] + 1;
    }
    if (total == 0) {
        return 0;
    }
    m->vendor_hex = malloc(total);
    if (m->vendor_hex == NULL) {
        m->n_vendors = 0;
        return EV(IKE_EV_MALFORMED_DATA);
    }
    uint32_t off = 0;
    for (uint32_t i = 0; i < m->n_vendors; i++) {
        m->vendor_hex_off[i] = off;
        hex(m->vendor[i], m->vendor_len[i], m->vendor_hex + off);
        off += 2 * m->vendor_len[i] + 1;
    }
    return 0;
}

static void parse_header(const uint8_t *p, IkeMsg *m)
{
    memcpy(m->init_spi, p, 8);
    memcpy(m->resp_spi, p + 8, 8);
    hex(m->init_spi, 8, m->init_spi_hex);
    hex(m->resp_spi, 8, m->resp_spi_hex);
    m->maj_ver = p[17] >> 4;
    m->min_ver = p[17] & 15;
    m->exch_type = p[18];
    m->flags = p[19];
    m->message_id = util_be32(p + 20);
    m->length = util_be32(p + 24);
}

int ike_msg_parse(const uint8_t *data, uint32_t len, IkeMsg *m)
{
    *m = (IkeMsg){0};
    if (len < IKE_HDR_LEN) {
        return EV(IKE_EV_MALFORMED_DATA);
    }
    m->raw = malloc(len);
    if (m->raw == NULL) {
        return EV(IKE_EV_MALFORMED_DATA);
    }
    memcpy(m->raw, data, len);
    m->raw_len = len;
    const uint8_t *p = m->raw;
    parse_header(p, m);
    if ((m->maj_ver != 1 && m->maj_ver != 2) || m->length < IKE_HDR_LEN || m->length > len) {
        return EV(IKE_EV_MALFORMED_DATA);
    }
    bool v2 = m->maj_ver == 2;
    m->is_encrypted = !v2 && (m->flags & 0x01);   // RFC 2408 3.1: E(ncryption) bit
    uint8_t next = p[16];
    uint32_t off = IKE_HDR_LEN;
    int rc = 0;
    while (next != 0 && !m->is_encrypted && rc == 0) {
        if (m->length - off < 4 || util_be16(p + off + 2) < 4 ||
            util_be16(p + off + 2) > m->length - off) {
            rc = EV(IKE_EV_MALFORMED_DATA);
            break;
        }
        uint8_t type = next;
        uint32_t plen = util_be16(p + off + 2);
        if (m->n_payloads < IKE_PAYLOADS_MAX) {
            m->payload_types[m->n_payloads] = type;
        }
        m->n_payloads++;
        next = p[off];
        if (type == V2_SK && v2) {
            m->is_encrypted = true;   // the rest is inside the encrypted payload
            off += plen;
            break;
        }
        rc = parse_payload(type, p + off + 4, plen - 4, m);
        off += plen;
    }
    int rv = vendors_hex(m);
    if (rc == 0 && !m->is_encrypted && off < m->length) {
        rc = EV(IKE_EV_PAYLOAD_EXTRA_DATA);
    }
    return rc != 0 ? rc : rv;
}
