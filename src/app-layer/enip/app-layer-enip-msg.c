/* EtherNet/IP messages: the 24-byte encapsulation header (command, length, session
 * handle, status, sender context, options; little-endian), the common packet format
 * (CPF) items of SendRRData / SendUnitData / ListIdentity / ListServices, the CIP
 * message of an unconnected (0xB2) or connected (0xB1) data item (service, request
 * path segments; replies: general status), a Multiple Service Packet's embedded
 * requests, and the identity item (0x0C). Pure functions over one whole message; every
 * read is bounds-checked. */
#include "app-layer/enip/app-layer-enip.h"

#include <string.h>

#include "util/util-byte.h"

#define CPF_ITEM_IDENTITY 0x000c
#define CPF_ITEM_SERVICES 0x0100
#define CPF_ITEM_CONNECTED 0x00b1
#define CPF_ITEM_UNCONNECTED 0x00b2
#define CIP_MULTI_SERVICE 0x0a

/* The first class / instance / attribute of a request path of n bytes. False when a
 * segment is cut or of a kind that cannot be skipped. */
static bool cip_path(const uint8_t *p, uint32_t n, EnipCip *c)
{
    uint32_t off = 0;
    while (off < n) {
        uint8_t seg = p[off];
        if ((seg & 0xe0) != 0x20) {
            return true;         // port, data or network segment: nothing more we name
        }
        uint32_t fmt = seg & 0x03;
        uint32_t w = fmt == 0 ? 1 : fmt == 1 ? 2 : fmt == 2 ? 4 : 0;
        uint32_t skip = fmt == 0 ? 1 : 2;   // 16/32-bit values follow a pad byte
        if (w == 0 || n - off < skip + w) {
            return false;
        }
        const uint8_t *v = p + off + skip;
        uint32_t val = w == 1 ? v[0] : w == 2 ? util_le16(v) : util_le32(v);
        switch ((seg >> 2) & 0x07) {
        case 0:
            if (!c->has_class) {
                c->has_class = true;
                c->class_id = val;
            }
            break;
        case 1:
            if (!c->has_instance) {
                c->has_instance = true;
                c->instance = val;
            }
            break;
        case 4:
            if (!c->has_attribute) {
                c->has_attribute = true;
                c->attribute = val;
            }
            break;
        default:
            break;
        }
        off += skip + w;
    }
    return true;
}

/* One CIP request or reply at p (n bytes) appended to m. Returns false when cut. */
static bool cip_one(const uint8_t *p, uint32_t n, EnipMsg *m, const uint8_t **data,
                    uint32_t *data_len)
{
    if (n < 2 || m->n_cip >= ENIP_CIP_MAX) {
        return n >= 2;
    }
    EnipCip *c = &m->cip[m->n_cip++];
    memset(c, 0, sizeof(*c));
    c->service = p[0];
    if (c->service & 0x80) {
        if (n < 4 || 4u + 2u * p[3] > n) {
            return false;
        }
        c->status = p[2];
        *data = p + 4 + 2u * p[3];
        *data_len = n - 4 - 2u * p[3];
        return true;
    }
    uint32_t plen = 2u * p[1];
    if (2 + plen > n) {
        return false;
    }
    *data = p + 2 + plen;
    *data_len = n - 2 - plen;
    return cip_path(p + 2, plen, c);
}

/* A Multiple Service Packet's data: count, offsets (from the count), the services. */
static bool cip_multi(const uint8_t *d, uint32_t n, EnipMsg *m)
{
    if (n < 2) {
        return false;
    }
    uint16_t count = util_le16(d);
    if (2u + 2u * count > n) {
        return false;
    }
    for (uint16_t i = 0; i < count && m->n_cip < ENIP_CIP_MAX; i++) {
        uint16_t start = util_le16(d + 2 + 2 * i);
        uint16_t end = i + 1 < count ? util_le16(d + 4 + 2 * i) : (uint16_t)n;
        if (start >= end || end > n) {
            return false;
        }
        const uint8_t *dd;
        uint32_t dl;
        if (!cip_one(d + start, end - start, m, &dd, &dl)) {
            return false;
        }
    }
    return true;
}

static bool cip_message(const uint8_t *p, uint32_t n, EnipMsg *m)
{
    const uint8_t *d = NULL;
    uint32_t dl = 0;
    if (!cip_one(p, n, m, &d, &dl)) {
        return false;
    }
    if ((m->cip[0].service & 0x7f) == CIP_MULTI_SERVICE && m->n_cip == 1) {
        m->is_cip_multi = true;
        if ((m->cip[0].service & 0x80) == 0 || dl >= 2) {
            return cip_multi(d, dl, m);
        }
    }
    return true;
}

static bool identity_item(const uint8_t *p, uint32_t n, EnipMsg *m)
{
    EnipIdentity *id = &m->identity;
    if (n < 33) {
        return false;
    }
    id->protocol_version = util_le16(p);
    id->port = util_be16(p + 4);
    memcpy(id->addr, p + 6, 4);
    id->vendor_id = util_le16(p + 18);
    id->device_type = util_le16(p + 20);
    id->product_code = util_le16(p + 22);
    id->rev_major = p[24];
    id->rev_minor = p[25];
    id->status = util_le16(p + 26);
    id->serial = util_le32(p + 28);
    uint8_t nl = p[32];
    if (33u + nl > n) {
        return false;
    }
    id->product_name_len = nl < sizeof(id->product_name) ? nl : sizeof(id->product_name);
    memcpy(id->product_name, p + 33, id->product_name_len);
    if (33u + nl < n) {
        id->state = p[33 + nl];
        id->has_state = true;
    }
    m->has_identity = true;
    m->has_protocol_version = true;
    m->protocol_version = id->protocol_version;
    return true;
}

/* CPF items at p (n bytes). */
static bool cpf(const uint8_t *p, uint32_t n, EnipMsg *m)
{
    if (n < 2) {
        return false;
    }
    uint16_t count = util_le16(p);
    uint32_t off = 2;
    for (uint16_t i = 0; i < count; i++) {
        if (n - off < 4) {
            return false;
        }
        uint16_t type = util_le16(p + off);
        uint16_t len = util_le16(p + off + 2);
        off += 4;
        if (len > n - off) {
            return false;
        }
        const uint8_t *d = p + off;
        bool ok = true;
        if (type == CPF_ITEM_UNCONNECTED) {
            ok = cip_message(d, len, m);
        } else if (type == CPF_ITEM_CONNECTED) {
            ok = len >= 2 && cip_message(d + 2, len - 2u, m);   // sequence count first
        } else if (type == CPF_ITEM_IDENTITY && !m->has_identity) {
            ok = identity_item(d, len, m);
        } else if (type == CPF_ITEM_SERVICES && len >= 2) {
            m->protocol_version = util_le16(d);
            m->has_protocol_version = true;
        }
        if (!ok) {
            return false;
        }
        off += len;
    }
    return true;
}

bool enip_msg_parse(const uint8_t *p, uint32_t len, EnipMsg *m, bool *cip_bad)
{
    memset(m, 0, sizeof(*m));
    *cip_bad = false;
    if (len < ENIP_HDR_LEN) {
        return false;
    }
    m->is_present = true;
    m->command = util_le16(p);
    m->length = util_le16(p + 2);
    m->session = util_le32(p + 4);
    m->status = util_le32(p + 8);
    m->options = util_le32(p + 20);
    if ((uint32_t)ENIP_HDR_LEN + m->length != len) {
        return false;
    }
    const uint8_t *d = p + ENIP_HDR_LEN;
    uint32_t n = m->length;
    switch (m->command) {
    case ENIP_CMD_SEND_RR_DATA:
    case ENIP_CMD_SEND_UNIT_DATA:
        /* interface handle (4), timeout (2), then CPF */
        *cip_bad = n < 6 || !cpf(d + 6, n - 6, m);
        break;
    case ENIP_CMD_LIST_IDENTITY:
    case ENIP_CMD_LIST_SERVICES:
    case ENIP_CMD_LIST_INTERFACES:
        *cip_bad = n > 0 && !cpf(d, n, m);
        break;
    case ENIP_CMD_REGISTER_SESSION:
        if (n >= 2) {
            m->protocol_version = util_le16(d);
            m->has_protocol_version = true;
        }
        break;
    default:
        break;
    }
    return true;
}

/* ---- names ---- */

static const struct {
    uint16_t code;
    const char *name;
} k_cmds[] = {
    {ENIP_CMD_NOP, "nop"},
    {ENIP_CMD_LIST_SERVICES, "list_services"},
    {ENIP_CMD_LIST_IDENTITY, "list_identity"},
    {ENIP_CMD_LIST_INTERFACES, "list_interfaces"},
    {ENIP_CMD_REGISTER_SESSION, "register_session"},
    {ENIP_CMD_UNREGISTER_SESSION, "unregister_session"},
    {ENIP_CMD_SEND_RR_DATA, "send_rr_data"},
    {ENIP_CMD_SEND_UNIT_DATA, "send_unit_data"},
    {ENIP_CMD_INDICATE_STATUS, "indicate_status"},
    {ENIP_CMD_CANCEL, "cancel"},
};

const char *enip_command_name(uint16_t cmd)
{
    for (size_t i = 0; i < sizeof(k_cmds) / sizeof(k_cmds[0]); i++) {
        if (k_cmds[i].code == cmd) {
            return k_cmds[i].name;
        }
    }
    return NULL;
}

int enip_command_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof(k_cmds) / sizeof(k_cmds[0]); i++) {
        if (strcmp(k_cmds[i].name, name) == 0) {
            return k_cmds[i].code;
        }
    }
    return -1;
}

static const struct {
    uint32_t code;
    const char *name;
} k_status[] = {
    {0x00, "success"},           {0x01, "invalid_cmd"},
    {0x02, "no_resources"},      {0x03, "incorrect_data"},
    {0x64, "invalid_session"},   {0x65, "invalid_length"},
    {0x69, "unsupported_prot_rev"}, {0x6a, "encap_header_error"},
};

const char *enip_status_name(uint32_t status)
{
    for (size_t i = 0; i < sizeof(k_status) / sizeof(k_status[0]); i++) {
        if (k_status[i].code == status) {
            return k_status[i].name;
        }
    }
    return NULL;
}

int64_t enip_status_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof(k_status) / sizeof(k_status[0]); i++) {
        if (strcmp(k_status[i].name, name) == 0) {
            return k_status[i].code;
        }
    }
    return -1;
}

/* CIP common services (CIP vol. 1, appendix A). */
const char *enip_cip_service_name(uint8_t service)
{
    static const char *const k[0x1d] = {
        [0x01] = "Get Attribute All", [0x02] = "Set Attribute All",
        [0x03] = "Get Attribute List", [0x04] = "Set Attribute List",
        [0x05] = "Reset", [0x06] = "Start", [0x07] = "Stop", [0x08] = "Create",
        [0x09] = "Delete", [0x0a] = "Multiple Service Packet",
        [0x0d] = "Apply Attributes", [0x0e] = "Get Attribute Single",
        [0x10] = "Set Attribute Single", [0x11] = "Find Next Object Instance",
        [0x14] = "Error Response", [0x15] = "Restore", [0x16] = "Save",
        [0x17] = "No Operation", [0x18] = "Get Member", [0x19] = "Set Member",
        [0x1a] = "Insert Member", [0x1b] = "Remove Member", [0x1c] = "Group Sync",
    };
    uint8_t s = service & 0x7f;
    return s < sizeof(k) / sizeof(k[0]) ? k[s] : NULL;
}

/* CIP object classes (CIP vol. 1, chapter 5). */
const char *enip_cip_class_name(uint32_t class_id)
{
    switch (class_id) {
    case 0x01: return "Identity";
    case 0x02: return "Message Router";
    case 0x03: return "DeviceNet";
    case 0x04: return "Assembly";
    case 0x05: return "Connection";
    case 0x06: return "Connection Manager";
    case 0x07: return "Register";
    case 0x0f: return "Parameter";
    case 0x37: return "File";
    case 0x48: return "Port";
    case 0xf4: return "Port";
    case 0xf5: return "TCP/IP Interface";
    case 0xf6: return "Ethernet Link";
    default: return NULL;
    }
}

/* ODVA vendor ids: the few we name; others are written as numbers. */
const char *enip_vendor_name(uint16_t vendor_id)
{
    switch (vendor_id) {
    case 1: return "Rockwell Automation/Allen-Bradley";
    default: return NULL;
    }
}
