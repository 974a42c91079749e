/* byte_test, byte_jump, byte_extract, byte_math: read a number from the
 * payload (binary big/little endian, or ASCII hex/dec/oct) and compare, move
 * the inspection pointer, or store it in a rule variable. Their evaluation in
 * the payload chain is in detect-inspect.c; the read is here. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

bool detect_byte_read(const DetectByte *b, const uint8_t *buf, uint32_t len, int64_t off,
                      uint64_t *out)
{
    if (off < 0 || (uint64_t)off + b->nbytes > len) {
        return false;
    }
    const uint8_t *p = buf + off;
    uint64_t v = 0;
    int nbytes = b->nbytes;
    if (b->flags & DETECT_BYTE_F_STRING_ALL) {
        uint64_t avail = len - (uint64_t)off;
        /* as many digits as fit in 64 bits in the base */
        uint64_t fit = b->base == DETECT_BYTE_HEX ? 16 : (b->base == DETECT_BYTE_OCT ? 21 : 19);
        nbytes = (int)(avail < fit ? avail : fit);
    }
    if (!(b->flags & DETECT_BYTE_F_STRING)) {
        for (int i = 0; i < b->nbytes; i++) {
            int idx = b->endian == DETECT_BYTE_BIG ? i : b->nbytes - 1 - i;
            v = v << 8 | p[idx];
        }
    } else {
        uint32_t base = b->base == DETECT_BYTE_HEX ? 16 : (b->base == DETECT_BYTE_OCT ? 8 : 10);
        int digits = 0;
        for (int i = 0; i < nbytes; i++) {
            int c = p[i];
            int d = c >= '0' && c <= '9' ? c - '0' : ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'
                                                         ? (c | 0x20) - 'a' + 10 : 99);
            if (d >= (int)base) {
                break;
            }
            v = v * base + (uint64_t)d;
            digits++;
        }
        if (digits == 0) {
            return false;
        }
    }
    if (b->flags & DETECT_BYTE_F_BITMASK) {
        v = (v & b->bitmask) >> b->bitmask_shift;
    }
    *out = v;
    return true;
}

/* Options common to all four: relative, endianness, string base, dce, bitmask. */
static int common_opt(DetectParser *dp, DetectByte *b, DetectKwTokens *tk, int *i)
{
    const char *t = tk->t[*i];
    if (strcmp(t, "relative") == 0) {
        b->flags |= DETECT_BYTE_F_RELATIVE;
    } else if (strcmp(t, "big") == 0) {
        b->endian = DETECT_BYTE_BIG;
    } else if (strcmp(t, "little") == 0 || strcmp(t, "dce") == 0) {
        b->endian = DETECT_BYTE_LITTLE;  // without DCE/RPC state, dce reads little endian
    } else if (strcmp(t, "string") == 0) {
        b->flags |= DETECT_BYTE_F_STRING;
        b->base = DETECT_BYTE_DEC;
    } else if (strcmp(t, "hex") == 0 || strcmp(t, "dec") == 0 || strcmp(t, "oct") == 0) {
        b->base = t[0] == 'h' ? DETECT_BYTE_HEX : (t[0] == 'd' ? DETECT_BYTE_DEC : DETECT_BYTE_OCT);
    } else if (strncmp(t, "string ", 7) == 0) {
        b->flags |= DETECT_BYTE_F_STRING;
        const char *bt = t + 7;
        while (*bt == ' ') {
            bt++;
        }
        b->base = bt[0] == 'h' ? DETECT_BYTE_HEX : (bt[0] == 'o' ? DETECT_BYTE_OCT
                                                                  : DETECT_BYTE_DEC);
    } else if (strncmp(t, "bitmask", 7) == 0) {
        int64_t m;
        if (!detect_parse_int(t + 7, 1, UINT32_MAX, &m)) {
            return detect_err(dp, "bad bitmask '%s'", t);
        }
        b->flags |= DETECT_BYTE_F_BITMASK;
        b->bitmask = (uint32_t)m;
        b->bitmask_shift = (uint8_t)__builtin_ctz(b->bitmask);
    } else {
        return 1;  // not a common option
    }
    return 0;
}

static int check_nbytes(DetectParser *dp, DetectByte *b, const char *kw)
{
    unsigned max = (b->flags & DETECT_BYTE_F_STRING) ? 10 : 8;
    if (b->nbytes_var >= 0) {
        return 0;  // checked against the same bounds when read
    }
    /* byte_jump may read nothing: a jump by post_offset from the cursor or end.
     * byte_test 0 with string reads the digits there, however many (Suricata
     * parses the number in place; ET rules test http.content_len so). */
    bool zero_ok = strcmp(kw, "byte_jump") == 0;
    if (b->nbytes == 0 && (b->flags & DETECT_BYTE_F_STRING) && strcmp(kw, "byte_test") == 0) {
        b->flags |= DETECT_BYTE_F_STRING_ALL;
        return 0;
    }
    if ((b->nbytes == 0 && !zero_ok) || b->nbytes > max) {
        return detect_err(dp, "%s: nbytes must be 1-%u", kw, max);
    }
    return 0;
}

/* A count 0-10 (the keyword checks its own range) or a byte variable name. */
static int parse_nbytes(DetectParser *dp, const char *t, DetectByte *b)
{
    int64_t v;
    if (detect_parse_int(t, 0, 10, &v)) {
        b->nbytes = (uint8_t)v;
        return 0;
    }
    int idx = detect_byte_var_find(dp->s, t);
    if (idx < 0) {
        return detect_err(dp, "bad byte count '%s'", t);
    }
    b->nbytes_var = (int8_t)idx;
    return 0;
}

static DetectByte *byte_new(DetectParser *dp)
{
    DetectByte *b = calloc(1, sizeof(*b));
    if (b == NULL) {
        detect_err(dp, "out of memory");
        return NULL;
    }
    b->offset.var = b->value.var = b->result_var = b->nbytes_var = -1;
    b->multiplier = 1;
    return b;
}

static int parse_op(DetectParser *dp, const char *t, DetectByte *b)
{
    static const struct {
        const char *s;
        uint8_t op;
    } ops[] = { { "<=", DETECT_OP_LE }, { ">=", DETECT_OP_GE }, { "<", DETECT_OP_LT },
                { ">", DETECT_OP_GT },  { "=", DETECT_OP_EQ },  { "&", DETECT_OP_AND },
                { "^", DETECT_OP_XOR } };
    if (t[0] == '!') {
        b->flags |= DETECT_BYTE_F_NEGATE;
        t++;
        while (*t == ' ') {
            t++;
        }
        if (*t == '\0') {
            b->op = DETECT_OP_EQ;
            return 0;
        }
    }
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (strcmp(t, ops[i].s) == 0) {
            b->op = ops[i].op;
            return 0;
        }
    }
    return detect_err(dp, "bad byte_test operator '%s'", t);
}

static int add_byte(DetectParser *dp, DetectByte *b, const DetectKeyword *kw, uint8_t type)
{
    if (check_nbytes(dp, b, kw->name) != 0) {
        free(b);
        return VG_EINVAL;
    }
    return detect_append(dp, DETECT_LIST_PMATCH, kw, b, type);
}

static int setup_byte_test(DetectParser *dp, const char *arg)
{
    DetectKwTokens tk;
    DetectByte *b = byte_new(dp);
    if (b == NULL || detect_kw_split(dp, arg, &tk, DETECT_KW_MAX_TOKENS, true) != 0 || tk.n < 4) {
        free(b);
        return b ? detect_err(dp, "byte_test needs nbytes, operator, value, offset") : VG_ENOMEM;
    }
    if (parse_nbytes(dp, tk.t[0], b) || parse_op(dp, tk.t[1], b) ||
        detect_parse_value(dp, tk.t[2], true, 0, INT64_MAX, &b->value) ||
        detect_parse_value(dp, tk.t[3], true, -65535, 65535, &b->offset)) {
        free(b);
        return VG_EINVAL;
    }
    for (int i = 4; i < tk.n; i++) {
        int rc = common_opt(dp, b, &tk, &i);
        if (rc != 0) {
            free(b);
            return rc < 0 ? rc : detect_err(dp, "unknown byte_test option '%s'", tk.t[i]);
        }
    }
    return add_byte(dp, b, &detect_kw_byte_test, DETECT_PM_BYTETEST);
}

/* "multiplier N" of byte_jump and byte_extract: 1 when t is that option
 * (stored), 0 when t is another option, VG_EINVAL for a bad value. */
static int multiplier_opt(DetectParser *dp, DetectByte *b, const char *kw, const char *t)
{
    if (strncmp(t, "multiplier", 10) != 0 || (t[10] != ' ' && t[10] != '\0')) {
        return 0;
    }
    const char *val = t + 10 + strspn(t + 10, " ");
    int64_t v;
    if (detect_parse_int(val, 1, 65535, &v)) {
        b->multiplier = (uint32_t)v;
        return 1;
    }
    size_t digits = strspn(val, "0123456789");
    if (digits > 0 && val[digits] == '\0') {
        return detect_err(dp, "%s: multiplier '%s' out of range (1-65535)", kw, val);
    }
    return detect_err(dp, "%s: bad multiplier '%s'", kw, val);
}

static int jump_opt(DetectParser *dp, DetectByte *b, const char *t)
{
    int64_t v;
    int m = multiplier_opt(dp, b, "byte_jump", t);
    if (m != 0) {
        return m > 0 ? 0 : m;
    }
    if (strcmp(t, "align") == 0) {
        b->flags |= DETECT_BYTE_F_ALIGN;
    } else if (strcmp(t, "from_beginning") == 0) {
        b->flags |= DETECT_BYTE_F_BEGIN;
    } else if (strcmp(t, "from_end") == 0) {
        b->flags |= DETECT_BYTE_F_END;
    } else if (strncmp(t, "post_offset", 11) == 0 &&
               detect_parse_int(t + 11, -65535, 65535, &v)) {
        b->post_offset = v;
    } else {
        return detect_err(dp, "unknown byte_jump option '%s'", t);
    }
    return 0;
}

static int setup_byte_jump(DetectParser *dp, const char *arg)
{
    DetectKwTokens tk;
    DetectByte *b = byte_new(dp);
    if (b == NULL || detect_kw_split(dp, arg, &tk, DETECT_KW_MAX_TOKENS, true) != 0 || tk.n < 2) {
        free(b);
        return b ? detect_err(dp, "byte_jump needs nbytes, offset") : VG_ENOMEM;
    }
    if (parse_nbytes(dp, tk.t[0], b) ||
        detect_parse_value(dp, tk.t[1], true, -65535, 65535, &b->offset)) {
        free(b);
        return VG_EINVAL;
    }
    for (int i = 2; i < tk.n; i++) {
        int rc = common_opt(dp, b, &tk, &i);
        if (rc > 0) {
            rc = jump_opt(dp, b, tk.t[i]);
        }
        if (rc != 0) {
            free(b);
            return VG_EINVAL;
        }
    }
    if ((b->flags & DETECT_BYTE_F_BEGIN) && (b->flags & DETECT_BYTE_F_END)) {
        free(b);
        return detect_err(dp, "byte_jump: from_beginning and from_end are exclusive");
    }
    return add_byte(dp, b, &detect_kw_byte_jump, DETECT_PM_BYTEJUMP);
}

static int new_var(DetectParser *dp, const char *name, int8_t *out)
{
    Signature *s = dp->s;
    if (name[0] == '\0' || (name[0] >= '0' && name[0] <= '9')) {
        return detect_err(dp, "bad variable name '%s'", name);
    }
    if (detect_byte_var_find(s, name) >= 0) {
        *out = (int8_t)detect_byte_var_find(s, name);
        return 0;
    }
    if (s->n_byte_vars >= DETECT_BYTE_VARS_MAX) {
        return detect_err(dp, "too many byte variables (max %d)", DETECT_BYTE_VARS_MAX);
    }
    s->byte_var_names[s->n_byte_vars] = detect_strndup(name, strlen(name));
    if (s->byte_var_names[s->n_byte_vars] == NULL) {
        return detect_err(dp, "out of memory");
    }
    *out = (int8_t)s->n_byte_vars++;
    return 0;
}

static int setup_byte_extract(DetectParser *dp, const char *arg)
{
    DetectKwTokens tk;
    DetectByte *b = byte_new(dp);
    if (b == NULL || detect_kw_split(dp, arg, &tk, DETECT_KW_MAX_TOKENS, true) != 0 || tk.n < 3) {
        free(b);
        return b ? detect_err(dp, "byte_extract needs nbytes, offset, name") : VG_ENOMEM;
    }
    if (parse_nbytes(dp, tk.t[0], b) ||
        detect_parse_value(dp, tk.t[1], false, -65535, 65535, &b->offset) ||
        new_var(dp, tk.t[2], &b->result_var)) {
        free(b);
        return VG_EINVAL;
    }
    if (b->nbytes_var >= 0) {
        free(b);
        return detect_err(dp, "byte_extract: nbytes must be a number");
    }
    for (int i = 3; i < tk.n; i++) {
        int64_t v;
        int rc = common_opt(dp, b, &tk, &i);
        int m = rc > 0 ? multiplier_opt(dp, b, "byte_extract", tk.t[i]) : 0;
        if (m != 0) {
            rc = m > 0 ? 0 : m;
        } else if (rc > 0 && strncmp(tk.t[i], "align", 5) == 0 &&
                   detect_parse_int(tk.t[i] + 5, 2, 4, &v) && v != 3) {
            b->align = (uint8_t)v;
            rc = 0;
        }
        if (rc != 0) {
            free(b);
            return rc < 0 ? rc : detect_err(dp, "unknown byte_extract option '%s'", tk.t[i]);
        }
    }
    return add_byte(dp, b, &detect_kw_byte_extract, DETECT_PM_BYTEEXTRACT);
}

static int math_oper(DetectParser *dp, const char *t, DetectByte *b)
{
    static const char *const ops[] = { "+", "-", "*", "/", "<<", ">>" };
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        if (strcmp(t, ops[i]) == 0) {
            b->op = (uint8_t)i;
            return 0;
        }
    }
    return detect_err(dp, "bad byte_math operator '%s'", t);
}

/* "key value" pairs, any order; bytes, offset, oper, rvalue, result needed. */
static int math_opt(DetectParser *dp, DetectByte *b, const char *t, unsigned *seen)
{
    const char *sp = strchr(t, ' ');
    const char *v = sp ? sp + 1 : "";
    size_t klen = sp ? (size_t)(sp - t) : strlen(t);
    while (*v == ' ') {
        v++;
    }
    if (klen == 5 && strncmp(t, "bytes", 5) == 0) {
        *seen |= 1;
        return parse_nbytes(dp, v, b);
    } else if (klen == 6 && strncmp(t, "offset", 6) == 0) {
        *seen |= 2;
        return detect_parse_value(dp, v, false, -65535, 65535, &b->offset);
    } else if (klen == 4 && strncmp(t, "oper", 4) == 0) {
        *seen |= 4;
        return math_oper(dp, v, b);
    } else if (klen == 6 && strncmp(t, "rvalue", 6) == 0) {
        *seen |= 8;
        return detect_parse_value(dp, v, true, 0, UINT32_MAX, &b->value);
    } else if (klen == 6 && strncmp(t, "result", 6) == 0) {
        *seen |= 16;
        return new_var(dp, v, &b->result_var);
    } else if (klen == 6 && strncmp(t, "endian", 6) == 0) {
        b->endian = strcmp(v, "little") == 0 ? DETECT_BYTE_LITTLE : DETECT_BYTE_BIG;
    } else if (klen == 6 && strncmp(t, "string", 6) == 0) {
        b->flags |= DETECT_BYTE_F_STRING;
        b->base = v[0] == 'h' ? DETECT_BYTE_HEX : (v[0] == 'o' ? DETECT_BYTE_OCT
                                                               : DETECT_BYTE_DEC);
    } else {
        return detect_err(dp, "unknown byte_math option '%s'", t);
    }
    return 0;
}

static int setup_byte_math(DetectParser *dp, const char *arg)
{
    DetectKwTokens tk;
    DetectByte *b = byte_new(dp);
    if (b == NULL || detect_kw_split(dp, arg, &tk, DETECT_KW_MAX_TOKENS, true) != 0) {
        free(b);
        return b ? VG_EINVAL : VG_ENOMEM;
    }
    unsigned seen = 0;
    for (int i = 0; i < tk.n; i++) {
        int rc = common_opt(dp, b, &tk, &i);
        if (rc > 0) {
            rc = math_opt(dp, b, tk.t[i], &seen);
        }
        if (rc != 0) {
            free(b);
            return VG_EINVAL;
        }
    }
    if (seen != 31) {
        free(b);
        return detect_err(dp, "byte_math needs bytes, offset, oper, rvalue and result");
    }
    return add_byte(dp, b, &detect_kw_byte_math, DETECT_PM_BYTEMATH);
}

const DetectKeyword detect_kw_byte_test = {
    .name = "byte_test", .desc = "compare a number read from the payload",
    .setup = setup_byte_test, .free = free,
};
const DetectKeyword detect_kw_byte_jump = {
    .name = "byte_jump", .desc = "move the inspection pointer by a number read",
    .setup = setup_byte_jump, .free = free,
};
const DetectKeyword detect_kw_byte_extract = {
    .name = "byte_extract", .desc = "store a number read from the payload in a variable",
    .setup = setup_byte_extract, .free = free,
};
const DetectKeyword detect_kw_byte_math = {
    .name = "byte_math", .desc = "arithmetic on a number read, stored in a variable",
    .setup = setup_byte_math, .free = free,
};
