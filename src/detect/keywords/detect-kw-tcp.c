/* TCP header keywords: flags (also tcp.flags), seq, ack, window, tcp.mss. */

#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "util/util-error.h"

enum { FL_EXACT = 0, FL_PLUS, FL_ANY, FL_NOT };

typedef struct FlagsCtx {
    uint8_t mod;
    uint8_t flags;
    uint8_t ignore;                    // bits masked out before comparing
} FlagsCtx;

static bool is_tcp(const Packet *p)
{
    return p->l4 == PKT_L4_TCP;
}

static bool match_flags(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    const FlagsCtx *f = ctx;
    if (!is_tcp(p)) {
        return false;
    }
    uint8_t have = p->tcp.flags & (uint8_t)~f->ignore;
    switch (f->mod) {
    case FL_PLUS:
        return (have & f->flags) == f->flags;
    case FL_ANY:
        return (have & f->flags) != 0;
    case FL_NOT:
        return (have & f->flags) == 0;
    default:
        return have == f->flags;
    }
}

static int flag_bit(char c, uint8_t *bit)
{
    switch (c) {
    case 'F': case 'f': *bit = TH_FIN; break;
    case 'S': case 's': *bit = TH_SYN; break;
    case 'R': case 'r': *bit = TH_RST; break;
    case 'P': case 'p': *bit = TH_PUSH; break;
    case 'A': case 'a': *bit = TH_ACK; break;
    case 'U': case 'u': *bit = TH_URG; break;
    case 'C': case 'c': case '1': *bit = TH_CWR; break;
    case 'E': case 'e': case '2': *bit = TH_ECN; break;
    case '0': *bit = 0; break;
    default: return VG_EINVAL;
    }
    return 0;
}

static int setup_flags(DetectParser *dp, const char *arg)
{
    FlagsCtx *f = calloc(1, sizeof(*f));
    if (f == NULL) {
        return detect_err(dp, "out of memory");
    }
    const char *comma = strchr(arg, ',');
    const char *end = comma ? comma : arg + strlen(arg);
    bool any_flag = false;
    for (const char *p = arg; p < end; p++) {
        uint8_t bit;
        if (*p == '+' || *p == '*' || *p == '!') {
            f->mod = *p == '+' ? FL_PLUS : (*p == '*' ? FL_ANY : FL_NOT);
        } else if (*p != ' ' && flag_bit(*p, &bit) != 0) {
            free(f);
            return detect_err(dp, "bad tcp flags '%s'", arg);
        } else if (*p != ' ') {
            f->flags |= bit;
            any_flag = true;
        }
    }
    for (const char *p = comma ? comma + 1 : end; *p != '\0'; p++) {
        uint8_t bit;
        if (*p != ' ' && flag_bit(*p, &bit) != 0) {
            free(f);
            return detect_err(dp, "bad tcp flags mask '%s'", arg);
        }
        f->ignore |= *p != ' ' ? bit : 0;
    }
    if (!any_flag) {
        free(f);
        return detect_err(dp, "tcp flags '%s' name no flag", arg);
    }
    return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_flags, f, 0);
}

static bool match_seq(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return is_tcp(p) && detect_uint_match(ctx, p->tcp.seq);
}

static bool match_ack(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return is_tcp(p) && detect_uint_match(ctx, p->tcp.ack);
}

static bool match_window(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return is_tcp(p) && detect_uint_match(ctx, p->tcp.win);
}

static int setup_seq(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, UINT32_MAX, &detect_kw_seq);
}

static int setup_ack(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, UINT32_MAX, &detect_kw_ack);
}

static int setup_window(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, 65535, &detect_kw_window);
}

/* tcp.mss: the MSS option's value; packets without the option never match. */
static bool match_tcp_mss(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    return is_tcp(p) && p->tcp.has_mss && detect_uint_match(ctx, p->tcp.mss);
}

static int setup_tcp_mss(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, 65535, &detect_kw_tcp_mss);
}

const DetectKeyword detect_kw_tcp_mss = {
    .name = "tcp.mss", .desc = "TCP MSS option value", .flags = DETECT_KW_PACKET,
    .setup = setup_tcp_mss,
    .match = match_tcp_mss, .free = free,
};
const DetectKeyword detect_kw_tcp_flags = {
    .name = "tcp.flags", .desc = "same as flags", .flags = DETECT_KW_PACKET, .setup = setup_flags, .match = match_flags,
    .free = free,
};
/* Suricata's dotted names for the same checks. */
const DetectKeyword detect_kw_tcp_seq = {
    .name = "tcp.seq", .desc = "same as seq", .setup = setup_seq, .match = match_seq,
    .free = free,
};
const DetectKeyword detect_kw_tcp_ack = {
    .name = "tcp.ack", .desc = "same as ack", .setup = setup_ack, .match = match_ack,
    .free = free,
};
const DetectKeyword detect_kw_tcp_window = {
    .name = "tcp.window", .desc = "same as window", .setup = setup_window,
    .match = match_window, .free = free,
};
const DetectKeyword detect_kw_flags = {
    .name = "flags", .desc = "TCP flags FSRPAUCE0 with modifiers + * ! and ignore mask",
    .flags = DETECT_KW_PACKET, .setup = setup_flags, .match = match_flags, .free = free,
};
const DetectKeyword detect_kw_seq = {
    .name = "seq", .desc = "TCP sequence number", .setup = setup_seq, .match = match_seq,
    .free = free,
};
const DetectKeyword detect_kw_ack = {
    .name = "ack", .desc = "TCP acknowledgement number", .setup = setup_ack,
    .match = match_ack, .free = free,
};
const DetectKeyword detect_kw_window = {
    .name = "window", .desc = "TCP window size ([!]N)", .setup = setup_window,
    .match = match_window, .free = free,
};
