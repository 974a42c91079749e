/* Integer option values shared by keywords: parsing and comparison. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

bool detect_parse_int(const char *s, int64_t min, int64_t max, int64_t *out)
{
    while (*s == ' ') {
        s++;
    }
    bool neg = *s == '-';
    if (neg || *s == '+') {
        s++;
    }
    bool is_hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    if (is_hex) {
        s += 2;
    }
    int64_t v = 0;
    const char *start = s;
    for (; *s != '\0' && *s != ' '; s++) {
        int d = -1;
        if (*s >= '0' && *s <= '9') {
            d = *s - '0';
        } else if (is_hex && (*s | 0x20) >= 'a' && (*s | 0x20) <= 'f') {
            d = (*s | 0x20) - 'a' + 10;
        }
        if (d < 0 || v > (INT64_MAX - d) / 16) {
            return false;
        }
        v = v * (is_hex ? 16 : 10) + d;
    }
    while (*s == ' ') {
        s++;
    }
    if (s == start || *s != '\0') {
        return false;
    }
    v = neg ? -v : v;
    if (v < min || v > max) {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_u(const char *s, size_t len, uint64_t max, uint64_t *out)
{
    char buf[32];
    int64_t v;
    if (len == 0 || len >= sizeof(buf)) {
        return false;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (!detect_parse_int(buf, 0, (int64_t)max, &v)) {
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

/* Splits "a-b" / "a<>b" at the separator; false when text is not a range. */
static bool split_range(const char *arg, const char **b, size_t *l1, bool *is_range)
{
    const char *rng = strstr(arg, "<>");
    const char *dash = strchr(arg + (arg[0] != '\0' ? 1 : 0), '-');
    const char *sep = rng ? rng : dash;
    *is_range = sep != NULL;
    if (sep == NULL) {
        return false;
    }
    *l1 = (size_t)(sep - arg);
    while (*l1 > 0 && arg[*l1 - 1] == ' ') {
        (*l1)--;
    }
    *b = sep + (rng ? 2 : 1);
    while (**b == ' ') {
        (*b)++;
    }
    return true;
}

/* "&mask=value" / "&mask!=value" */
static int parse_bitmask(DetectParser *dp, const char *arg, uint64_t max, DetectUint *out)
{
    const char *ne = strstr(arg, "!=");
    const char *eq = ne ? ne : strchr(arg, '=');
    if (eq == NULL || !parse_u(arg + 1, (size_t)(eq - arg - 1), max, &out->lo)) {
        return detect_err(dp, "bad bitmask '%s'", arg);
    }
    const char *v = eq + (ne ? 2 : 1);
    while (*v == ' ') {
        v++;
    }
    if (!parse_u(v, strlen(v), max, &out->hi)) {
        return detect_err(dp, "bad bitmask '%s'", arg);
    }
    out->mode = ne ? DETECT_U_BAND_NE : DETECT_U_BAND_EQ;
    return 0;
}

/* Suricata's integer modes: N, =N, !N, !=N, <N, >N, <=N, >=N, a-b and a<>b
 * (both exclusive), !a-b (outside the exclusive range), &m=v, &m!=v. */
int detect_uint_parse(DetectParser *dp, const char *arg, uint64_t max, DetectUint *out)
{
    static const struct {
        const char *op;
        uint8_t mode;
    } prefixes[] = { { "<=", DETECT_U_LE }, { ">=", DETECT_U_GE }, { "!=", DETECT_U_NE },
                     { "<", DETECT_U_LT },  { ">", DETECT_U_GT },  { "!", DETECT_U_NE },
                     { "=", DETECT_U_EQ } };
    while (*arg == ' ') {
        arg++;
    }
    memset(out, 0, sizeof(*out));
    if (arg[0] == '&') {
        return parse_bitmask(dp, arg, max, out);
    }
    bool negated = arg[0] == '!' && arg[1] != '=';
    const char *body = arg + (negated ? 1 : 0);
    const char *b = NULL;
    size_t l1 = 0;
    bool is_range = false;
    if (split_range(body, &b, &l1, &is_range)) {
        out->mode = negated ? DETECT_U_NRANGE : DETECT_U_RANGE;
        if (!parse_u(body, l1, max, &out->lo) || !parse_u(b, strlen(b), max, &out->hi) ||
            out->lo >= out->hi) {
            return detect_err(dp, "bad range '%s'", arg);
        }
        return 0;
    }
    for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
        size_t pl = strlen(prefixes[i].op);
        if (strncmp(arg, prefixes[i].op, pl) == 0) {
            out->mode = prefixes[i].mode;
            arg += pl;
            break;
        }
    }
    while (*arg == ' ') {
        arg++;
    }
    if (!parse_u(arg, strlen(arg), max, &out->lo)) {
        return detect_err(dp, "bad number '%s' (0-%llu)", arg, (unsigned long long)max);
    }
    return 0;
}

bool detect_uint_match(const DetectUint *u, uint64_t v)
{
    switch (u->mode) {
    case DETECT_U_EQ:
        return v == u->lo;
    case DETECT_U_LT:
        return v < u->lo;
    case DETECT_U_GT:
        return v > u->lo;
    case DETECT_U_LE:
        return v <= u->lo;
    case DETECT_U_GE:
        return v >= u->lo;
    case DETECT_U_NE:
        return v != u->lo;
    case DETECT_U_RANGE:
        return v > u->lo && v < u->hi;
    case DETECT_U_NRANGE:
        return v <= u->lo || v >= u->hi;
    case DETECT_U_BAND_EQ:
        return (v & u->lo) == u->hi;
    case DETECT_U_BAND_NE:
        return (v & u->lo) != u->hi;
    default:
        return false;
    }
}

int detect_uint_setup(DetectParser *dp, const char *arg, uint64_t max, const DetectKeyword *kw)
{
    DetectUint *u = malloc(sizeof(*u));
    if (u == NULL) {
        return detect_err(dp, "out of memory");
    }
    if (detect_uint_parse(dp, arg, max, u) != 0) {
        free(u);
        return VG_EINVAL;
    }
    return detect_append(dp, DETECT_LIST_MATCH, kw, u, 0);
}
