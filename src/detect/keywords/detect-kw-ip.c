/* IP header keywords: ttl tos id ipopts fragbits fragoffset ip_proto sameip. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

static bool match_ttl(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    if (p->l3 == PKT_L3_IPV4) {
        return detect_uint_match(ctx, p->ip4.ttl);
    }
    return p->l3 == PKT_L3_IPV6 && detect_uint_match(ctx, p->ip6.hlim);
}

static bool match_tos(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return p->l3 == PKT_L3_IPV4 && detect_uint_match(ctx, p->ip4.tos);
}

static bool match_id(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return p->l3 == PKT_L3_IPV4 && detect_uint_match(ctx, p->ip4.id);
}

static bool match_fragoffset(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    if (p->l3 == PKT_L3_IPV4) {
        return detect_uint_match(ctx, (uint64_t)(p->ip4.frag_field & 0x1fff) * 8);
    }
    return p->l3 == PKT_L3_IPV6 && p->ip6.is_frag &&
           detect_uint_match(ctx, (uint64_t)p->ip6.frag_offset * 8);
}

static bool match_ip_proto(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return (p->l3 == PKT_L3_IPV4 || p->l3 == PKT_L3_IPV6) && detect_uint_match(ctx, p->proto);
}

static bool match_sameip(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    (void)ctx;
    return p->src.family != 0 && p->src.family == p->dst.family &&
           memcmp(p->src.a.u8, p->dst.a.u8, p->src.family == 4 ? 4 : 16) == 0;
}

static int setup_ttl(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, 255, &detect_kw_ttl);
}

static int setup_tos(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, 255, &detect_kw_tos);
}

static int setup_id(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, 65535, &detect_kw_id);
}

static int setup_fragoffset(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, 65535, &detect_kw_fragoffset);
}

static const struct {
    const char *name;
    uint8_t proto;
} proto_names[] = {
    { "ip", 0 },    { "icmp", 1 },  { "igmp", 2 },  { "tcp", 6 },   { "udp", 17 },
    { "ipv6", 41 }, { "gre", 47 },  { "esp", 50 },  { "ah", 51 },   { "icmpv6", 58 },
    { "ipv6-icmp", 58 }, { "pim", 103 }, { "sctp", 132 },
};

static int setup_ip_proto(DetectParser *dp, const char *arg)
{
    while (*arg == ' ') {
        arg++;
    }
    char buf[64];
    size_t pl = (arg[0] == '<' || arg[0] == '>' || arg[0] == '!') ? 1 : 0;
    for (size_t i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
        if (strcmp(arg + pl, proto_names[i].name) == 0) {
            snprintf(buf, sizeof(buf), "%.*s%u", (int)pl, arg, proto_names[i].proto);
            return detect_uint_setup(dp, buf, 255, &detect_kw_ip_proto);
        }
    }
    return detect_uint_setup(dp, arg, 255, &detect_kw_ip_proto);
}

static int setup_sameip(DetectParser *dp, const char *arg)
{
    (void)arg;
    return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_sameip, NULL, 0);
}

/* ---- ipopts ------------------------------------------------------------- */

static const struct {
    const char *name;
    uint16_t bit;
} ipopt_names[] = {
    { "rr", IPV4_OPT_RR },     { "eol", IPV4_OPT_EOL },       { "nop", IPV4_OPT_NOP },
    { "ts", IPV4_OPT_TS },     { "sec", IPV4_OPT_SEC },       { "esec", IPV4_OPT_ESEC },
    { "lsrr", IPV4_OPT_LSRR }, { "ssrr", IPV4_OPT_SSRR },     { "satid", IPV4_OPT_SID },
    { "any", IPV4_OPT_ANY },
};

static bool match_ipopts(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    uint16_t bit = *(const uint16_t *)ctx;
    if (p->l3 != PKT_L3_IPV4) {
        return false;
    }
    return bit == IPV4_OPT_ANY ? (p->ip4.opts & (uint16_t)~IPV4_OPT_ANY) != 0
                               : (p->ip4.opts & bit) != 0;
}

static int setup_ipopts(DetectParser *dp, const char *arg)
{
    for (size_t i = 0; i < sizeof(ipopt_names) / sizeof(ipopt_names[0]); i++) {
        if (strcmp(arg, ipopt_names[i].name) == 0) {
            uint16_t *bit = malloc(sizeof(*bit));
            if (bit == NULL) {
                return detect_err(dp, "out of memory");
            }
            *bit = ipopt_names[i].bit;
            return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_ipopts, bit, 0);
        }
    }
    return detect_err(dp, "unknown ipopts value '%s'", arg);
}

/* ---- fragbits ----------------------------------------------------------- */

enum { FB_MOD_EXACT = 0, FB_MOD_PLUS, FB_MOD_ANY, FB_MOD_NOT };

typedef struct FragbitsCtx {
    uint8_t mod;
    uint16_t bits;                     // in the frag_field's top 3 bits
} FragbitsCtx;

static bool match_fragbits(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    const FragbitsCtx *fb = ctx;
    if (p->l3 != PKT_L3_IPV4) {
        return false;
    }
    uint16_t have = p->ip4.frag_field & 0xe000;
    switch (fb->mod) {
    case FB_MOD_PLUS:
        return (have & fb->bits) == fb->bits;
    case FB_MOD_ANY:
        return (have & fb->bits) != 0;
    case FB_MOD_NOT:
        return (have & fb->bits) == 0;
    default:
        return have == fb->bits;
    }
}

static int setup_fragbits(DetectParser *dp, const char *arg)
{
    FragbitsCtx *fb = calloc(1, sizeof(*fb));
    if (fb == NULL) {
        return detect_err(dp, "out of memory");
    }
    for (const char *p = arg; *p != '\0'; p++) {
        switch (*p) {
        case 'M': case 'm': fb->bits |= 0x2000; break;
        case 'D': case 'd': fb->bits |= 0x4000; break;
        case 'R': case 'r': fb->bits |= 0x8000; break;
        case '+': fb->mod = FB_MOD_PLUS; break;
        case '*': fb->mod = FB_MOD_ANY; break;
        case '!': fb->mod = FB_MOD_NOT; break;
        case ' ': break;
        default:
            free(fb);
            return detect_err(dp, "bad fragbits '%s'", arg);
        }
    }
    if (fb->bits == 0) {
        free(fb);
        return detect_err(dp, "fragbits needs at least one of M D R");
    }
    return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_fragbits, fb, 0);
}

const DetectKeyword detect_kw_ttl = {
    .name = "ttl", .desc = "IP time to live / hop limit", .flags = DETECT_KW_PACKET,
    .setup = setup_ttl,
    .match = match_ttl, .free = free,
};
const DetectKeyword detect_kw_tos = {
    .name = "tos", .desc = "IPv4 type of service", .flags = DETECT_KW_PACKET,
    .setup = setup_tos, .match = match_tos,
    .free = free,
};
const DetectKeyword detect_kw_id = {
    .name = "id", .desc = "IPv4 identification", .setup = setup_id, .match = match_id,
    .free = free,
};
const DetectKeyword detect_kw_ipopts = {
    .name = "ipopts", .desc = "IPv4 option present (rr eol nop ts sec esec lsrr ssrr satid any)",
    .setup = setup_ipopts, .match = match_ipopts, .free = free,
};
const DetectKeyword detect_kw_fragbits = {
    .name = "fragbits", .desc = "IPv4 fragment flags M D R with modifiers + * !",
    .setup = setup_fragbits, .match = match_fragbits, .free = free,
};
const DetectKeyword detect_kw_fragoffset = {
    .name = "fragoffset", .desc = "fragment offset in bytes", .flags = DETECT_KW_PACKET,
    .setup = setup_fragoffset,
    .match = match_fragoffset, .free = free,
};
const DetectKeyword detect_kw_ip_proto = {
    .name = "ip_proto", .desc = "IP protocol number or name", .setup = setup_ip_proto,
    .match = match_ip_proto, .free = free,
};
const DetectKeyword detect_kw_sameip = {
    .name = "sameip", .desc = "source and destination address are equal",
    .flags = DETECT_KW_NOOPT, .setup = setup_sameip, .match = match_sameip,
};
