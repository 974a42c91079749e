/* The modbus keyword (Suricata's syntax and semantics; it looks at the request of a tx):
 *
 *   modbus: function F[, subfunction S]       F a number, or [!]assigned / unassigned /
 *                                             public / user / reserved / all
 *   modbus: access read|write [coils|discretes|input|holding][, address A[, value V]]
 *   modbus: unit U[, function ... | , access ...]
 *
 * A, V and U take N, <N, >N or N<>M (strictly between). address matches when the
 * request reads or writes that address (its range holds it); value matches the value
 * written there (single and multiple register / single coil writes). */

#include <stdlib.h>
#include <string.h>

#include "app-layer/app-layer.h"
#include "app-layer/modbus/app-layer-modbus.h"
#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { NUM_EQ = 0, NUM_LT, NUM_GT, NUM_RANGE };

typedef struct ModNum {
    bool is_set;
    uint8_t mode;
    uint32_t a, b;
} ModNum;

enum { FN_NONE = 0, FN_CODE, FN_CATEGORY };
enum { CAT_ASSIGNED = 1, CAT_UNASSIGNED, CAT_PUBLIC, CAT_USER, CAT_RESERVED, CAT_ALL };

typedef struct DetectModbus {
    uint8_t fn_kind;
    uint8_t fn_code;
    uint8_t category;
    bool is_negated;
    bool has_subfunction;
    uint16_t subfunction;
    uint8_t access;              // MODBUS_ACC_* wanted (0: not given)
    ModNum address;
    ModNum value;
    ModNum unit;
} DetectModbus;

static bool num_match(const ModNum *n, uint32_t v)
{
    switch (n->mode) {
    case NUM_LT: return v < n->a;
    case NUM_GT: return v > n->a;
    case NUM_RANGE: return v > n->a && v < n->b;
    default: return v == n->a;
    }
}

static bool category_match(uint8_t want, uint8_t fc)
{
    uint8_t c = modbus_function_category(fc);
    switch (want) {
    case CAT_ASSIGNED: return c == MODBUS_CAT_PUBLIC_ASSIGNED;
    case CAT_UNASSIGNED: return c == MODBUS_CAT_PUBLIC_UNASSIGNED;
    case CAT_PUBLIC: return c == MODBUS_CAT_PUBLIC_ASSIGNED || c == MODBUS_CAT_PUBLIC_UNASSIGNED;
    case CAT_USER: return c == MODBUS_CAT_USER;
    case CAT_RESERVED: return c == MODBUS_CAT_RESERVED;
    default: return true;
    }
}

static bool match_function(const DetectModbus *d, const ModbusMsg *m)
{
    bool ok = d->fn_kind == FN_CODE ? m->function == d->fn_code
                                    : category_match(d->category, m->function);
    if (d->is_negated) {
        ok = !ok;
    }
    if (ok && d->has_subfunction) {
        ok = m->has_subfunction && m->subfunction == d->subfunction;
    }
    return ok;
}

/* Address and value within the read or write part the rule names. */
static bool match_access(const DetectModbus *d, const ModbusMsg *m)
{
    if ((m->access & d->access) != d->access) {
        return false;
    }
    if (!d->address.is_set) {
        return true;
    }
    bool is_write = (d->access & MODBUS_ACC_WRITE) != 0;
    uint32_t start = is_write ? m->write_address : m->read_address;
    uint32_t qty = is_write ? m->write_quantity : m->read_quantity;
    for (uint32_t i = 0; i < qty; i++) {
        if (!num_match(&d->address, start + i)) {
            continue;
        }
        if (!d->value.is_set) {
            return true;
        }
        if (is_write && i < m->n_values && num_match(&d->value, m->values[i])) {
            return true;
        }
    }
    return false;
}

static bool match_modbus(DetectThread *dt, const Flow *f, const AppTx *tx, uint8_t dir,
                         const void *ctx)
{
    (void)dt;
    (void)f;
    const DetectModbus *d = ctx;
    const ModbusTx *t = modbus_tx(tx);
    if (t == NULL || dir != APP_DIR_TOSERVER || !t->msg[0].is_present) {
        return false;
    }
    const ModbusMsg *m = &t->msg[0];
    if (d->unit.is_set && !num_match(&d->unit, m->unit_id)) {
        return false;
    }
    if (d->fn_kind != FN_NONE && !match_function(d, m)) {
        return false;
    }
    return d->access == 0 || match_access(d, m);
}

static const DetectKeyword kw_modbus_tx = {
    .name = "modbus-tx", .desc = "Modbus function, access or unit of a request",
    .flags = DETECT_KW_TX_PER_DIR, .tx_match = match_modbus, .free = free,
};

/* "N", "<N", ">N", "N<>M" at s (blanks allowed around). */
static bool parse_num(const char *s, uint32_t max, ModNum *n)
{
    int64_t a, b;
    char buf[64];
    while (*s == ' ') {
        s++;
    }
    size_t len = strlen(s);
    while (len > 0 && s[len - 1] == ' ') {
        len--;
    }
    if (len == 0 || len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    n->is_set = true;
    char *r = strstr(buf, "<>");
    if (r != NULL) {
        *r = '\0';
        n->mode = NUM_RANGE;
        if (!detect_parse_int(buf, 0, max, &a) || !detect_parse_int(r + 2, 0, max, &b) ||
            b <= a) {
            return false;
        }
        n->a = (uint32_t)a;
        n->b = (uint32_t)b;
        return true;
    }
    n->mode = buf[0] == '<' ? NUM_LT : buf[0] == '>' ? NUM_GT : NUM_EQ;
    if (!detect_parse_int(buf + (n->mode != NUM_EQ), 0, max, &a)) {
        return false;
    }
    n->a = (uint32_t)a;
    return true;
}

static bool parse_function(const char *v, DetectModbus *d)
{
    static const char *const k_cat[] = {NULL, "assigned", "unassigned", "public", "user",
                                        "reserved", "all"};
    while (*v == ' ') {
        v++;
    }
    if (*v == '!') {
        d->is_negated = true;
        v++;
        while (*v == ' ') {
            v++;
        }
    }
    for (uint8_t i = 1; i < sizeof(k_cat) / sizeof(k_cat[0]); i++) {
        if (strcmp(v, k_cat[i]) == 0) {
            d->fn_kind = FN_CATEGORY;
            d->category = i;
            return true;
        }
    }
    int64_t x;
    if (!detect_parse_int(v, 0, 255, &x)) {
        return false;
    }
    d->fn_kind = FN_CODE;
    d->fn_code = (uint8_t)x;
    return true;
}

static bool parse_access(const char *v, DetectModbus *d)
{
    static const struct { const char *name; uint8_t bits; } k[] = {
        {"read", MODBUS_ACC_READ}, {"write", MODBUS_ACC_WRITE}, {"coils", MODBUS_ACC_COILS},
        {"discretes", MODBUS_ACC_DISCRETES}, {"input", MODBUS_ACC_INPUT},
        {"holding", MODBUS_ACC_HOLDING},
    };
    char buf[64];
    size_t n = strlen(v);
    if (n >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, v, n + 1);
    for (char *w = buf; w != NULL;) {
        char *sp = strchr(w, ' ');
        if (sp != NULL) {
            *sp = '\0';
        }
        if (*w != '\0') {
            size_t i = 0;
            while (i < sizeof(k) / sizeof(k[0]) && strcmp(w, k[i].name) != 0) {
                i++;
            }
            if (i == sizeof(k) / sizeof(k[0])) {
                return false;
            }
            d->access |= k[i].bits;
        }
        w = sp != NULL ? sp + 1 : NULL;
    }
    uint8_t rw = d->access & (MODBUS_ACC_READ | MODBUS_ACC_WRITE);
    bool bad_write = (d->access & MODBUS_ACC_WRITE) &&
                     (d->access & (MODBUS_ACC_DISCRETES | MODBUS_ACC_INPUT));
    return (rw == MODBUS_ACC_READ || rw == MODBUS_ACC_WRITE) && !bad_write;
}

/* One "name value" clause. */
static bool parse_clause(char *c, DetectModbus *d)
{
    while (*c == ' ') {
        c++;
    }
    for (size_t n = strlen(c); n > 0 && c[n - 1] == ' '; n--) {
        c[n - 1] = '\0';
    }
    char *sp = strchr(c, ' ');
    if (sp == NULL) {
        return false;
    }
    *sp = '\0';
    const char *v = sp + 1;
    while (*v == ' ') {
        v++;
    }
    if (strcmp(c, "function") == 0) {
        return d->fn_kind == FN_NONE && parse_function(v, d);
    }
    if (strcmp(c, "subfunction") == 0) {
        int64_t x;
        d->has_subfunction = true;
        if (!detect_parse_int(v, 0, 65535, &x)) {
            return false;
        }
        d->subfunction = (uint16_t)x;
        return true;
    }
    if (strcmp(c, "access") == 0) {
        return d->access == 0 && parse_access(v, d);
    }
    if (strcmp(c, "address") == 0) {
        return d->access != 0 && parse_num(v, 65535, &d->address);
    }
    if (strcmp(c, "value") == 0) {
        return d->address.is_set && (d->access & MODBUS_ACC_WRITE) &&
               parse_num(v, 65535, &d->value);
    }
    if (strcmp(c, "unit") == 0) {
        return parse_num(v, 255, &d->unit);
    }
    return false;
}

static int setup_modbus(DetectParser *dp, const char *arg)
{
    char buf[256];
    size_t n = arg != NULL ? strlen(arg) : 0;
    if (n == 0 || n >= sizeof(buf)) {
        return detect_err(dp, "modbus needs a value (function, access or unit)");
    }
    memcpy(buf, arg, n + 1);
    DetectModbus *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        return detect_err(dp, "out of memory");
    }
    for (char *c = buf; c != NULL;) {
        char *comma = strchr(c, ',');
        if (comma != NULL) {
            *comma = '\0';
        }
        if (!parse_clause(c, d)) {
            free(d);
            return detect_err(dp, "bad modbus value '%s'", arg);
        }
        c = comma != NULL ? comma + 1 : NULL;
    }
    if (d->has_subfunction && d->fn_kind != FN_CODE) {
        free(d);
        return detect_err(dp, "modbus subfunction needs a function code");
    }
    if (dp->s->alproto != APP_PROTO_UNKNOWN && dp->s->alproto != APP_PROTO_MODBUS) {
        free(d);
        return detect_err(dp, "modbus needs protocol modbus");
    }
    dp->s->alproto = APP_PROTO_MODBUS;
    return detect_app_append(dp, false, &kw_modbus_tx, d);
}

const DetectKeyword detect_kw_modbus = {
    .name = "modbus", .desc = "Modbus function, access (address, value) or unit of a request",
    .setup = setup_modbus, .free = free,
};
