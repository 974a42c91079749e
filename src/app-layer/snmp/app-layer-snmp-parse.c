/* SNMP message decoding with the bounded BER reader (util/util-ber.h).
 *
 * v1/v2c (RFC 1157 section 4, RFC 1901): SEQUENCE { version INTEGER (0 or 1), community
 * OCTET STRING, PDU }. v3 (RFC 3412 section 6): SEQUENCE { 3, HeaderData SEQUENCE {
 * msgID, msgMaxSize, msgFlags OCTET STRING, msgSecurityModel }, msgSecurityParameters
 * OCTET STRING (USM, RFC 3414 section 2.4: SEQUENCE { engineID, boots, time, userName,
 * auth, priv }), ScopedPduData: a plaintext SEQUENCE { contextEngineID, contextName, PDU }
 * or an encrypted OCTET STRING }.
 * PDUs are [0]..[8] constructed (RFC 3416 section 3); all but the v1 Trap-PDU hold
 * request-id, two integers and the variable bindings, SEQUENCE OF SEQUENCE { name OID,
 * value }. The v1 Trap-PDU [4] holds enterprise OID, agent-addr ([APPLICATION 0], four
 * octets), generic-trap, specific-trap, time-stamp and the bindings.
 * Memory: the names of at most SNMP_VARS_MAX bindings (one allocation); time: one pass. */
#include "app-layer/snmp/app-layer-snmp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer-internal.h"
#include "util/util-ber.h"

#define EV(e) ((e) + 1)

static const char *const g_pdu_names[SNMP_PDU_N] = {
    "get_request", "get_next_request", "response", "set_request", "trap_v1",
    "get_bulk_request", "inform_request", "trap_v2", "report",
};

const char *snmp_pdu_type_name(uint32_t t)
{
    return t < SNMP_PDU_N ? g_pdu_names[t] : NULL;
}

void snmp_msg_deinit(SnmpMsg *m)
{
    free(m->vars);
    m->vars = NULL;
    m->n_vars_kept = 0;
}

static void copy_str(uint8_t *dst, uint8_t *dst_len, const BerTlv *t)
{
    uint32_t n = t->len < SNMP_STR_MAX - 1 ? t->len : SNMP_STR_MAX - 1;
    memcpy(dst, t->val, n);
    *dst_len = (uint8_t)n;
}

static void ipv4_text(const BerTlv *t, char out[16])
{
    if (t->len == 4) {
        snprintf(out, 16, "%u.%u.%u.%u", t->val[0], t->val[1], t->val[2], t->val[3]);
    }
}

/* RFC 3584 section 3.1.1 / RFC 3418: snmpTrapOID.0 and snmpTrapAddress.0. */
#define OID_TRAP_OID "1.3.6.1.6.3.1.1.4.1.0"
#define OID_TRAP_ADDRESS "1.3.6.1.6.3.18.1.3.0"

static int keep_var(SnmpMsg *m, const char *name)
{
    if (m->n_vars_kept >= SNMP_VARS_MAX) {
        return 0;
    }
    if (m->vars == NULL) {
        m->vars = calloc(SNMP_VARS_MAX, sizeof(*m->vars));
        if (m->vars == NULL) {
            return -1;
        }
    }
    snprintf(m->vars[m->n_vars_kept++], SNMP_OID_TEXT_MAX, "%s", name);
    return 0;
}

/* One VarBind { name, value }. */
static int parse_varbind(const BerReader *list, const BerTlv *vb, SnmpMsg *m)
{
    BerReader r;
    BerTlv name, value;
    char oid[SNMP_OID_TEXT_MAX];
    if (ber_enter(list, vb, &r) != BER_OK ||
        ber_expect(&r, BER_CLASS_UNIVERSAL, BER_TAG_OID, false, &name) != BER_OK ||
        ber_next(&r, &value) != BER_OK ||
        ber_oid_text(name.val, name.len, oid, sizeof(oid)) != BER_OK) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    m->n_vars++;
    if (strcmp(oid, OID_TRAP_OID) == 0 && value.cls == BER_CLASS_UNIVERSAL &&
        value.tag == BER_TAG_OID) {
        if (ber_oid_text(value.val, value.len, m->trap_oid, sizeof(m->trap_oid)) != BER_OK) {
            m->trap_oid[0] = '\0';
        }
    } else if (strcmp(oid, OID_TRAP_ADDRESS) == 0 && value.cls == BER_CLASS_APPLICATION &&
               value.tag == 0) {
        ipv4_text(&value, m->trap_address);
    }
    return keep_var(m, oid) == 0 ? 0 : EV(SNMP_EV_MALFORMED_DATA);
}

static int parse_varbinds(BerReader *pdu, SnmpMsg *m)
{
    BerTlv list, vb;
    BerReader r;
    if (ber_expect(pdu, BER_CLASS_UNIVERSAL, BER_TAG_SEQUENCE, true, &list) != BER_OK ||
        ber_enter(pdu, &list, &r) != BER_OK) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    while (!ber_at_end(&r)) {
        if (ber_expect(&r, BER_CLASS_UNIVERSAL, BER_TAG_SEQUENCE, true, &vb) != BER_OK) {
            return EV(SNMP_EV_MALFORMED_DATA);
        }
        int rc = parse_varbind(&r, &vb, m);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int expect_int(BerReader *r, int64_t *v)
{
    BerTlv t;
    if (ber_expect(r, BER_CLASS_UNIVERSAL, BER_TAG_INTEGER, false, &t) != BER_OK ||
        ber_int(&t, v) != BER_OK) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    return 0;
}

static int parse_trap_v1(BerReader *r, SnmpMsg *m)
{
    BerTlv ent, addr, ts;
    int64_t generic, specific;
    if (ber_expect(r, BER_CLASS_UNIVERSAL, BER_TAG_OID, false, &ent) != BER_OK ||
        ber_oid_text(ent.val, ent.len, m->trap_oid, sizeof(m->trap_oid)) != BER_OK ||
        ber_expect(r, BER_CLASS_APPLICATION, 0, false, &addr) != BER_OK || addr.len != 4 ||
        expect_int(r, &generic) != 0 || expect_int(r, &specific) != 0 ||
        ber_expect(r, BER_CLASS_APPLICATION, 3, false, &ts) != BER_OK) {
        m->trap_oid[0] = '\0';
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    ipv4_text(&addr, m->trap_address);
    m->generic_trap = generic >= 0 && generic <= 6 ? (int32_t)generic : -1;
    return parse_varbinds(r, m);
}

/* The PDU at the reader's position. */
static int parse_pdu(BerReader *outer, SnmpMsg *m)
{
    BerTlv pdu;
    BerReader r;
    if (ber_next(outer, &pdu) != BER_OK || pdu.cls != BER_CLASS_CONTEXT ||
        pdu.tag >= SNMP_PDU_N || ber_enter(outer, &pdu, &r) != BER_OK) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    m->pdu_type = (uint8_t)pdu.tag;
    m->has_pdu = true;
    if (pdu.tag == SNMP_PDU_TRAP_V1) {
        return parse_trap_v1(&r, m);
    }
    int64_t id, a, b;
    if (expect_int(&r, &id) != 0 || expect_int(&r, &a) != 0 || expect_int(&r, &b) != 0) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    return parse_varbinds(&r, m);
}

/* msgSecurityParameters of the USM: the user name. */
static int parse_usm(const BerTlv *params, SnmpMsg *m)
{
    BerReader r, s;
    BerTlv seq, t;
    ber_reader_init(&r, params->val, params->len);
    r.depth = 2;
    if (ber_expect(&r, BER_CLASS_UNIVERSAL, BER_TAG_SEQUENCE, true, &seq) != BER_OK ||
        ber_enter(&r, &seq, &s) != BER_OK) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    int64_t boots, when;
    if (ber_expect(&s, BER_CLASS_UNIVERSAL, BER_TAG_OCTET_STRING, false, &t) != BER_OK ||
        expect_int(&s, &boots) != 0 || expect_int(&s, &when) != 0 ||
        ber_expect(&s, BER_CLASS_UNIVERSAL, BER_TAG_OCTET_STRING, false, &t) != BER_OK) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    copy_str(m->usm, &m->usm_len, &t);
    m->has_usm = true;
    return 0;
}

static int parse_v3(BerReader *r, SnmpMsg *m)
{
    BerTlv hdr, flags, params, data;
    BerReader h, sp;
    int64_t id, max_size, model;
    if (ber_expect(r, BER_CLASS_UNIVERSAL, BER_TAG_SEQUENCE, true, &hdr) != BER_OK ||
        ber_enter(r, &hdr, &h) != BER_OK || expect_int(&h, &id) != 0 ||
        expect_int(&h, &max_size) != 0 ||
        ber_expect(&h, BER_CLASS_UNIVERSAL, BER_TAG_OCTET_STRING, false, &flags) != BER_OK ||
        flags.len != 1 || expect_int(&h, &model) != 0 ||
        ber_expect(r, BER_CLASS_UNIVERSAL, BER_TAG_OCTET_STRING, false, &params) != BER_OK) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    if (model != 3) {            // RFC 3411: 3 is the User-based Security Model
        return EV(SNMP_EV_UNKNOWN_SECURITY_MODEL);
    }
    int rc = parse_usm(&params, m);
    if (rc != 0) {
        return rc;
    }
    if (ber_next(r, &data) != BER_OK) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    if (data.cls == BER_CLASS_UNIVERSAL && data.tag == BER_TAG_OCTET_STRING) {
        m->is_encrypted = true;  // privacy: the scoped PDU is encrypted
        return 0;
    }
    BerTlv ctx_engine, ctx_name;
    if (data.cls != BER_CLASS_UNIVERSAL || data.tag != BER_TAG_SEQUENCE ||
        ber_enter(r, &data, &sp) != BER_OK ||
        ber_expect(&sp, BER_CLASS_UNIVERSAL, BER_TAG_OCTET_STRING, false, &ctx_engine) !=
            BER_OK ||
        ber_expect(&sp, BER_CLASS_UNIVERSAL, BER_TAG_OCTET_STRING, false, &ctx_name) !=
            BER_OK) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    return parse_pdu(&sp, m);
}

int snmp_msg_parse(const uint8_t *data, uint32_t len, SnmpMsg *m)
{
    *m = (SnmpMsg){.generic_trap = -1};
    BerReader top, r;
    BerTlv msg, t;
    int64_t version;
    ber_reader_init(&top, data, len);
    if (ber_expect(&top, BER_CLASS_UNIVERSAL, BER_TAG_SEQUENCE, true, &msg) != BER_OK ||
        ber_enter(&top, &msg, &r) != BER_OK || expect_int(&r, &version) != 0) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    if (version == 3) {
        m->version = 3;
        return parse_v3(&r, m);
    }
    if (version != 0 && version != 1) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    m->version = (uint32_t)version + 1;
    if (ber_expect(&r, BER_CLASS_UNIVERSAL, BER_TAG_OCTET_STRING, false, &t) != BER_OK) {
        return EV(SNMP_EV_MALFORMED_DATA);
    }
    copy_str(m->community, &m->community_len, &t);
    m->has_community = true;
    return parse_pdu(&r, m);
}

int snmp_probe(const uint8_t *data, uint32_t len, uint8_t dir)
{
    (void)dir;
    BerReader top, r;
    BerTlv msg, v;
    int64_t version;
    ber_reader_init(&top, data, len);
    int rc = ber_expect(&top, BER_CLASS_UNIVERSAL, BER_TAG_SEQUENCE, true, &msg);
    if (rc == BER_ETRUNC) {
        return APP_PROBE_NO;     // a datagram is whole: a short one is not SNMP
    }
    if (rc != BER_OK || ber_enter(&top, &msg, &r) != BER_OK ||
        ber_expect(&r, BER_CLASS_UNIVERSAL, BER_TAG_INTEGER, false, &v) != BER_OK ||
        ber_int(&v, &version) != BER_OK) {
        return APP_PROBE_NO;
    }
    return version == 0 || version == 1 || version == 3 ? APP_PROBE_YES : APP_PROBE_NO;
}
