/* ICMP keywords: itype icode icmp_id icmp_seq (ICMPv4 and ICMPv6). */

#include <stdlib.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"

static bool is_icmp(const Packet *p)
{
    return p->l4 == PKT_L4_ICMPV4 || p->l4 == PKT_L4_ICMPV6;
}

static bool match_itype(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return is_icmp(p) && detect_uint_match(ctx, p->icmp.type);
}

static bool match_icode(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return is_icmp(p) && detect_uint_match(ctx, p->icmp.code);
}

static bool match_icmp_id(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return is_icmp(p) && p->icmp.has_id && detect_uint_match(ctx, p->icmp.id);
}

static bool match_icmp_seq(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return is_icmp(p) && p->icmp.has_id && detect_uint_match(ctx, p->icmp.seq);
}

static int setup_itype(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, 255, &detect_kw_itype);
}

static int setup_icode(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, 255, &detect_kw_icode);
}

static int setup_icmp_id(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, 65535, &detect_kw_icmp_id);
}

static int setup_icmp_seq(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, 65535, &detect_kw_icmp_seq);
}

const DetectKeyword detect_kw_itype = {
    .name = "itype", .desc = "ICMP type (N, <N, >N, N<>M)", .setup = setup_itype,
    .match = match_itype, .free = free,
};
const DetectKeyword detect_kw_icode = {
    .name = "icode", .desc = "ICMP code (N, <N, >N, N<>M)", .setup = setup_icode,
    .match = match_icode, .free = free,
};
const DetectKeyword detect_kw_icmp_id = {
    .name = "icmp_id", .desc = "ICMP echo identifier", .setup = setup_icmp_id,
    .match = match_icmp_id, .free = free,
};
const DetectKeyword detect_kw_icmp_seq = {
    .name = "icmp_seq", .desc = "ICMP echo sequence number", .setup = setup_icmp_seq,
    .match = match_icmp_seq, .free = free,
};
