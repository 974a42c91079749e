/* LDAP message decoding (RFC 4511 section 4) with the bounded BER reader: validation of
 * the envelope, the DN and result code for buffers, and the EVE object of a message.
 * LDAPMessage ::= SEQUENCE { messageID INTEGER, protocolOp [APPLICATION n], controls [0]
 * OPTIONAL }. Every walk is one pass over a message already held whole. */
#include "app-layer/ldap/app-layer-ldap.h"

#include <stdio.h>

#include "util/util-ber.h"
#include "util/util-error.h"

static const char *const g_op_names[LDAP_OP_N] = {
    [LDAP_OP_BIND_REQUEST] = "bind_request",
    [LDAP_OP_BIND_RESPONSE] = "bind_response",
    [LDAP_OP_UNBIND_REQUEST] = "unbind_request",
    [LDAP_OP_SEARCH_REQUEST] = "search_request",
    [LDAP_OP_SEARCH_RESULT_ENTRY] = "search_result_entry",
    [LDAP_OP_SEARCH_RESULT_DONE] = "search_result_done",
    [LDAP_OP_MODIFY_REQUEST] = "modify_request",
    [LDAP_OP_MODIFY_RESPONSE] = "modify_response",
    [LDAP_OP_ADD_REQUEST] = "add_request",
    [LDAP_OP_ADD_RESPONSE] = "add_response",
    [LDAP_OP_DEL_REQUEST] = "del_request",
    [LDAP_OP_DEL_RESPONSE] = "del_response",
    [LDAP_OP_MOD_DN_REQUEST] = "mod_dn_request",
    [LDAP_OP_MOD_DN_RESPONSE] = "mod_dn_response",
    [LDAP_OP_COMPARE_REQUEST] = "compare_request",
    [LDAP_OP_COMPARE_RESPONSE] = "compare_response",
    [LDAP_OP_ABANDON_REQUEST] = "abandon_request",
    [LDAP_OP_SEARCH_RESULT_REFERENCE] = "search_result_reference",
    [LDAP_OP_EXTENDED_REQUEST] = "extended_request",
    [LDAP_OP_EXTENDED_RESPONSE] = "extended_response",
    [LDAP_OP_INTERMEDIATE_RESPONSE] = "intermediate_response",
};

const char *ldap_op_name(uint32_t op)
{
    return op < LDAP_OP_N ? g_op_names[op] : NULL;
}

/* resultCode names (RFC 4511 section 4.1.9 and Appendix A). */
const char *ldap_result_name(uint32_t c)
{
    static const struct { uint32_t code; const char *name; } k[] = {
        {0, "success"}, {1, "operations_error"}, {2, "protocol_error"},
        {3, "time_limit_exceeded"}, {4, "size_limit_exceeded"}, {5, "compare_false"},
        {6, "compare_true"}, {7, "auth_method_not_supported"}, {8, "stronger_auth_required"},
        {10, "referral"}, {11, "admin_limit_exceeded"}, {12, "unavailable_critical_extension"},
        {13, "confidentiality_required"}, {14, "sasl_bind_in_progress"},
        {16, "no_such_attribute"}, {17, "undefined_attribute_type"},
        {18, "inappropriate_matching"}, {19, "constraint_violation"},
        {20, "attribute_or_value_exists"}, {21, "invalid_attribute_syntax"},
        {32, "no_such_object"}, {33, "alias_problem"}, {34, "invalid_dns_syntax"},
        {35, "is_leaf"}, {36, "alias_dereferencing_problem"},
        {48, "inappropriate_authentication"}, {49, "invalid_credentials"},
        {50, "insufficient_access_rights"}, {51, "busy"}, {52, "unavailable"},
        {53, "unwilling_to_perform"}, {54, "loop_detect"}, {64, "naming_violation"},
        {65, "object_class_violation"}, {66, "not_allowed_on_non_leaf"},
        {67, "not_allowed_on_rdn"}, {68, "entry_already_exists"},
        {69, "object_class_mods_prohibited"}, {71, "affects_multiple_dsas"}, {80, "other"},
    };
    for (size_t i = 0; i < sizeof(k) / sizeof(k[0]); i++) {
        if (k[i].code == c) {
            return k[i].name;
        }
    }
    return NULL;
}

/* Opens the envelope: id, and the protocolOp element with a reader over its contents
 * (when constructed). */
static int open_msg(const uint8_t *data, uint32_t len, uint32_t *id, BerTlv *op, BerReader *r)
{
    BerReader top, m;
    BerTlv seq, t;
    ber_reader_init(&top, data, len);
    if (ber_expect(&top, BER_CLASS_UNIVERSAL, BER_TAG_SEQUENCE, true, &seq) != BER_OK ||
        !ber_at_end(&top) || ber_enter(&top, &seq, &m) != BER_OK ||
        ber_expect(&m, BER_CLASS_UNIVERSAL, BER_TAG_INTEGER, false, &t) != BER_OK ||
        ber_u32(&t, id) != BER_OK || ber_next(&m, op) != BER_OK ||
        op->cls != BER_CLASS_APPLICATION || op->tag >= LDAP_OP_N ||
        g_op_names[op->tag] == NULL) {
        return VG_EINVAL;
    }
    if (op->constructed) {
        if (ber_enter(&m, op, r) != BER_OK) {
            return VG_EINVAL;
        }
    } else {
        ber_reader_init(r, op->val, op->len);
    }
    return 0;
}

/* Operations whose contents are primitive: unbind (NULL), delete (DN), abandon (ID). */
static bool op_primitive(uint32_t op)
{
    return op == LDAP_OP_UNBIND_REQUEST || op == LDAP_OP_DEL_REQUEST ||
           op == LDAP_OP_ABANDON_REQUEST;
}

int ldap_msg_peek(const uint8_t *data, uint32_t len, uint32_t *message_id, uint8_t *op)
{
    BerTlv t;
    BerReader r;
    if (open_msg(data, len, message_id, &t, &r) != 0 || t.constructed == op_primitive(t.tag)) {
        return VG_EINVAL;
    }
    *op = (uint8_t)t.tag;
    return 0;
}

static bool is_result(uint32_t op)
{
    switch (op) {
    case LDAP_OP_BIND_RESPONSE:
    case LDAP_OP_SEARCH_RESULT_DONE:
    case LDAP_OP_MODIFY_RESPONSE:
    case LDAP_OP_ADD_RESPONSE:
    case LDAP_OP_DEL_RESPONSE:
    case LDAP_OP_MOD_DN_RESPONSE:
    case LDAP_OP_COMPARE_RESPONSE:
    case LDAP_OP_EXTENDED_RESPONSE:
        return true;
    default:
        return false;
    }
}

bool ldap_msg_dn(const uint8_t *raw, uint32_t len, const uint8_t **dn, uint32_t *dn_len)
{
    uint32_t id;
    BerTlv op, t, code;
    BerReader r;
    if (open_msg(raw, len, &id, &op, &r) != 0) {
        return false;
    }
    switch (op.tag) {
    case LDAP_OP_DEL_REQUEST:
        *dn = op.val;
        *dn_len = op.len;
        return true;
    case LDAP_OP_BIND_REQUEST:   // version, then name
        if (ber_next(&r, &t) != BER_OK) {
            return false;
        }
        break;
    case LDAP_OP_SEARCH_REQUEST:
    case LDAP_OP_SEARCH_RESULT_ENTRY:
    case LDAP_OP_MODIFY_REQUEST:
    case LDAP_OP_ADD_REQUEST:
    case LDAP_OP_MOD_DN_REQUEST:
    case LDAP_OP_COMPARE_REQUEST:
        break;
    default:
        if (!is_result(op.tag) || ber_next(&r, &code) != BER_OK) {
            return false;        // matchedDN follows resultCode
        }
        break;
    }
    if (ber_expect(&r, BER_CLASS_UNIVERSAL, BER_TAG_OCTET_STRING, false, &t) != BER_OK) {
        return false;
    }
    *dn = t.val;
    *dn_len = t.len;
    return true;
}

bool ldap_msg_result_code(const uint8_t *raw, uint32_t len, uint32_t *code)
{
    uint32_t id;
    BerTlv op, t;
    BerReader r;
    return open_msg(raw, len, &id, &op, &r) == 0 && is_result(op.tag) &&
           ber_expect(&r, BER_CLASS_UNIVERSAL, BER_TAG_ENUMERATED, false, &t) == BER_OK &&
           ber_u32(&t, code) == BER_OK;
}

/* ---- EVE ---- */

static void log_octets(JsonBuf *jb, const char *key, const BerTlv *t)
{
    json_strn(jb, key, t->val, t->len);
}

/* Next element as an OCTET STRING written under key; false when it is not one. */
static bool log_next_octets(JsonBuf *jb, BerReader *r, const char *key)
{
    BerTlv t;
    if (ber_expect(r, BER_CLASS_UNIVERSAL, BER_TAG_OCTET_STRING, false, &t) != BER_OK) {
        return false;
    }
    log_octets(jb, key, &t);
    return true;
}

static bool log_next_int(JsonBuf *jb, BerReader *r, const char *key)
{
    BerTlv t;
    int64_t v;
    if (ber_next(r, &t) != BER_OK || ber_int(&t, &v) != BER_OK) {
        return false;
    }
    json_i64(jb, key, v);
    return true;
}

/* SET OF / SEQUENCE OF OCTET STRING values into an array under key. */
static void log_values(JsonBuf *jb, const BerReader *parent, const BerTlv *set, const char *key)
{
    BerReader v;
    BerTlv t;
    json_open_array(jb, key);
    if (ber_enter(parent, set, &v) == BER_OK) {
        while (ber_next(&v, &t) == BER_OK) {
            json_strn(jb, NULL, t.val, t.len);
        }
    }
    json_close_array(jb);
}

/* Attribute lists: SEQUENCE OF SEQUENCE { type, SET OF value }. */
static void log_attributes(JsonBuf *jb, BerReader *r, const char *key, const char *name_key,
                           const char *values_key)
{
    BerTlv list, attr, type, vals;
    BerReader l, a;
    json_open_array(jb, key);
    if (ber_next(r, &list) == BER_OK && ber_enter(r, &list, &l) == BER_OK) {
        while (ber_next(&l, &attr) == BER_OK && ber_enter(&l, &attr, &a) == BER_OK &&
               ber_expect(&a, BER_CLASS_UNIVERSAL, BER_TAG_OCTET_STRING, false, &type) ==
                   BER_OK &&
               ber_next(&a, &vals) == BER_OK) {
            json_open_object(jb, NULL);
            log_octets(jb, name_key, &type);
            log_values(jb, &a, &vals, values_key);
            json_close_object(jb);
        }
    }
    json_close_array(jb);
}

static void log_result(JsonBuf *jb, BerReader *r)
{
    BerTlv t;
    uint32_t code;
    if (ber_expect(r, BER_CLASS_UNIVERSAL, BER_TAG_ENUMERATED, false, &t) != BER_OK ||
        ber_u32(&t, &code) != BER_OK) {
        return;
    }
    const char *name = ldap_result_name(code);
    if (name != NULL) {
        json_str(jb, "result_code", name);
    } else {
        json_u64(jb, "result_code", code);
    }
    if (log_next_octets(jb, r, "matched_dn")) {
        (void)log_next_octets(jb, r, "message");
    }
}

static const char *const g_change_ops[] = {"add", "delete", "replace"};

static void log_modify(JsonBuf *jb, BerReader *r)
{
    BerTlv list, ch, opv, mod, type, vals;
    BerReader l, c, m;
    if (!log_next_octets(jb, r, "object")) {
        return;
    }
    json_open_array(jb, "changes");
    if (ber_next(r, &list) == BER_OK && ber_enter(r, &list, &l) == BER_OK) {
        while (ber_next(&l, &ch) == BER_OK && ber_enter(&l, &ch, &c) == BER_OK &&
               ber_expect(&c, BER_CLASS_UNIVERSAL, BER_TAG_ENUMERATED, false, &opv) ==
                   BER_OK &&
               ber_next(&c, &mod) == BER_OK && ber_enter(&c, &mod, &m) == BER_OK &&
               ber_expect(&m, BER_CLASS_UNIVERSAL, BER_TAG_OCTET_STRING, false, &type) ==
                   BER_OK &&
               ber_next(&m, &vals) == BER_OK) {
            uint32_t o = 0;
            json_open_object(jb, NULL);
            if (ber_u32(&opv, &o) == BER_OK && o < 3) {
                json_str(jb, "operation", g_change_ops[o]);
            } else {
                json_u64(jb, "operation", o);
            }
            json_open_object(jb, "modification");
            log_octets(jb, "attribute_type", &type);
            log_values(jb, &m, &vals, "attribute_values");
            json_close_object(jb);
            json_close_object(jb);
        }
    }
    json_close_array(jb);
}

static void log_search_request(JsonBuf *jb, BerReader *r)
{
    BerTlv t, filter;
    if (!log_next_octets(jb, r, "base_object") || !log_next_int(jb, r, "scope") ||
        !log_next_int(jb, r, "deref_alias") || !log_next_int(jb, r, "size_limit") ||
        !log_next_int(jb, r, "time_limit") || ber_next(r, &t) != BER_OK) {
        return;
    }
    json_bool(jb, "types_only", t.len == 1 && t.val[0] != 0);
    if (ber_next(r, &filter) == BER_OK && ber_next(r, &t) == BER_OK) {
        log_values(jb, r, &t, "attributes");
    }
}

/* Context-tagged optional fields [tag] of extended operations. */
static void log_tagged(JsonBuf *jb, BerReader *r, uint32_t name_tag, uint32_t value_tag)
{
    BerTlv t;
    while (ber_next(r, &t) == BER_OK) {
        if (t.cls == BER_CLASS_CONTEXT && t.tag == name_tag) {
            log_octets(jb, "name", &t);
        } else if (t.cls == BER_CLASS_CONTEXT && t.tag == value_tag) {
            json_printable(jb, "value", t.val, t.len);
        }
    }
}

static void log_bind(JsonBuf *jb, BerReader *r)
{
    BerTlv auth;
    BerReader s;
    if (!log_next_int(jb, r, "version") || !log_next_octets(jb, r, "name") ||
        ber_next(r, &auth) != BER_OK) {
        return;
    }
    if (auth.cls == BER_CLASS_CONTEXT && auth.tag == 3 && ber_enter(r, &auth, &s) == BER_OK) {
        json_open_object(jb, "sasl");
        (void)log_next_octets(jb, &s, "mechanism");
        json_close_object(jb);
    }
}

static void log_op(JsonBuf *jb, uint32_t op, const BerTlv *t, BerReader *r)
{
    switch (op) {
    case LDAP_OP_BIND_REQUEST:
        log_bind(jb, r);
        break;
    case LDAP_OP_SEARCH_REQUEST:
        log_search_request(jb, r);
        break;
    case LDAP_OP_SEARCH_RESULT_ENTRY:
        if (log_next_octets(jb, r, "base_object")) {
            log_attributes(jb, r, "attributes", "type", "values");
        }
        break;
    case LDAP_OP_MODIFY_REQUEST:
        log_modify(jb, r);
        break;
    case LDAP_OP_ADD_REQUEST:
        if (log_next_octets(jb, r, "entry")) {
            log_attributes(jb, r, "attributes", "name", "values");
        }
        break;
    case LDAP_OP_DEL_REQUEST:
        json_strn(jb, "dn", t->val, t->len);
        break;
    case LDAP_OP_MOD_DN_REQUEST:
        if (log_next_octets(jb, r, "entry") && log_next_octets(jb, r, "new_rdn")) {
            BerTlv b;
            if (ber_next(r, &b) == BER_OK) {
                json_bool(jb, "delete_old_rdn", b.len == 1 && b.val[0] != 0);
            }
        }
        break;
    case LDAP_OP_COMPARE_REQUEST:
        (void)log_next_octets(jb, r, "entry");
        break;
    case LDAP_OP_ABANDON_REQUEST: {
        int64_t v;
        BerTlv iv = *t;
        if (ber_int(&iv, &v) == BER_OK) {
            json_i64(jb, "message_id", v);
        }
        break;
    }
    case LDAP_OP_EXTENDED_REQUEST:
        log_tagged(jb, r, 0, 1);
        break;
    case LDAP_OP_EXTENDED_RESPONSE:
        log_result(jb, r);
        log_tagged(jb, r, 10, 11);
        break;
    case LDAP_OP_INTERMEDIATE_RESPONSE:
        log_tagged(jb, r, 0, 1);
        break;
    default:
        if (is_result(op)) {
            log_result(jb, r);
        }
        break;
    }
}

void ldap_msg_log(JsonBuf *jb, const uint8_t *raw, uint32_t len)
{
    uint32_t id;
    BerTlv op;
    BerReader r;
    if (open_msg(raw, len, &id, &op, &r) != 0) {
        return;
    }
    json_u64(jb, "message_id", id);
    json_str(jb, "operation", g_op_names[op.tag]);
    if (op.tag == LDAP_OP_UNBIND_REQUEST) {
        return;
    }
    json_open_object(jb, g_op_names[op.tag]);
    log_op(jb, op.tag, &op, &r);
    json_close_object(jb);
}
