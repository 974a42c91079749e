/* Flow counters: flow.pkts, flow.bytes (with toserver, toclient, either,
 * both, and the older flow.pkts_toserver style names), flow.age, and
 * stream_size (the stream engine's sequence-space counts). All are checked
 * on every packet of the flow, with the counters as of this packet. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"
#include "flow/flow-types.h"
#include "stream/stream.h"
#include "util/util-error.h"

enum { FC_TOSERVER = 0, FC_TOCLIENT, FC_EITHER, FC_BOTH };
enum { FC_PKTS = 0, FC_BYTES };

typedef struct FlowCount {
    uint8_t what;                      // FC_PKTS / FC_BYTES
    uint8_t dir;                       // FC_*
    DetectUint u;
} FlowCount;

static bool dir_match(uint8_t dir, const DetectUint *u, uint64_t ts, uint64_t tc)
{
    switch (dir) {
    case FC_TOSERVER:
        return detect_uint_match(u, ts);
    case FC_TOCLIENT:
        return detect_uint_match(u, tc);
    case FC_EITHER:
        return detect_uint_match(u, ts) || detect_uint_match(u, tc);
    default:
        return detect_uint_match(u, ts) && detect_uint_match(u, tc);
    }
}

static bool match_flowcount(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    const FlowCount *fc = ctx;
    const Flow *f = p->flow;
    if (f == NULL) {
        return false;
    }
    if (fc->what == FC_PKTS) {
        return dir_match(fc->dir, &fc->u, f->pkts_toserver, f->pkts_toclient);
    }
    return dir_match(fc->dir, &fc->u, f->bytes_toserver, f->bytes_toclient);
}

static const DetectKeyword detect_kw_flowcount_match;

static int add_flowcount(DetectParser *dp, uint8_t what, uint8_t dir, const char *arg)
{
    FlowCount *fc = calloc(1, sizeof(*fc));
    if (fc == NULL) {
        return detect_err(dp, "out of memory");
    }
    fc->what = what;
    fc->dir = dir;
    uint64_t max = what == FC_PKTS ? UINT32_MAX : (uint64_t)INT64_MAX;
    if (detect_uint_parse(dp, arg, max, &fc->u) != 0) {
        free(fc);
        return VG_EINVAL;
    }
    return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_flowcount_match, fc, 0);
}

/* "<direction>,<integer>" */
static int setup_dir_count(DetectParser *dp, const char *arg, uint8_t what)
{
    static const char *const dirs[] = { "toserver", "toclient", "either", "both" };
    const char *comma = strchr(arg, ',');
    if (comma == NULL) {
        return detect_err(dp, "expected <toserver|toclient|either|both>,<number>");
    }
    size_t n = (size_t)(comma - arg);
    while (n > 0 && arg[n - 1] == ' ') {
        n--;
    }
    for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
        if (strlen(dirs[i]) == n && strncmp(arg, dirs[i], n) == 0) {
            return add_flowcount(dp, what, (uint8_t)i, comma + 1);
        }
    }
    return detect_err(dp, "bad direction '%.*s'", (int)n, arg);
}

static int setup_flow_pkts(DetectParser *dp, const char *arg)
{
    return setup_dir_count(dp, arg, FC_PKTS);
}

static int setup_flow_bytes(DetectParser *dp, const char *arg)
{
    return setup_dir_count(dp, arg, FC_BYTES);
}

static int setup_pkts_toserver(DetectParser *dp, const char *arg)
{
    return add_flowcount(dp, FC_PKTS, FC_TOSERVER, arg);
}

static int setup_pkts_toclient(DetectParser *dp, const char *arg)
{
    return add_flowcount(dp, FC_PKTS, FC_TOCLIENT, arg);
}

static int setup_bytes_toserver(DetectParser *dp, const char *arg)
{
    return add_flowcount(dp, FC_BYTES, FC_TOSERVER, arg);
}

static int setup_bytes_toclient(DetectParser *dp, const char *arg)
{
    return add_flowcount(dp, FC_BYTES, FC_TOCLIENT, arg);
}

/* flow.age: whole seconds from the flow's first packet to this one. */
static bool match_flow_age(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    const Flow *f = p->flow;
    if (f == NULL || p->ts_sec < f->start_sec) {
        return false;
    }
    return detect_uint_match(ctx, (uint64_t)(p->ts_sec - f->start_sec));
}

static int setup_flow_age(DetectParser *dp, const char *arg)
{
    return detect_uint_setup(dp, arg, UINT32_MAX, &detect_kw_flow_age);
}

/* ---- stream_size -------------------------------------------------------- */

typedef struct StreamSize {
    uint8_t side;                      // SS_*
    DetectUint u;
} StreamSize;

enum { SS_SERVER = 0, SS_CLIENT, SS_BOTH, SS_EITHER };

bool detect_stream_size(const Packet *p, uint64_t *client, uint64_t *server)
{
    uint32_t cli;
    uint32_t srv;
    if (p->proto != 6 || !stream_seq_sizes(p->flow, &cli, &srv)) {
        return false;
    }
    *client = cli;
    *server = srv;
    return true;
}

static bool match_stream_size(DetectThread *dt, Packet *p, const Signature *s, const void *ctx)
{
    (void)dt;
    (void)s;
    const StreamSize *ss = ctx;
    uint64_t cli;
    uint64_t srv;
    if (!detect_stream_size(p, &cli, &srv)) {
        return false;
    }
    switch (ss->side) {
    case SS_SERVER:
        return detect_uint_match(&ss->u, srv);
    case SS_CLIENT:
        return detect_uint_match(&ss->u, cli);
    case SS_BOTH:
        return detect_uint_match(&ss->u, srv) && detect_uint_match(&ss->u, cli);
    default:
        return detect_uint_match(&ss->u, srv) || detect_uint_match(&ss->u, cli);
    }
}

/* Splits "a, b, c" into three trimmed fields in buf. */
static bool split3(const char *arg, char *buf, size_t cap, char **f)
{
    size_t len = strlen(arg);
    if (len >= cap) {
        return false;
    }
    memcpy(buf, arg, len + 1);
    char *p = buf;
    for (int i = 0; i < 3; i++) {
        char *comma = i < 2 ? strchr(p, ',') : NULL;
        if (i < 2 && comma == NULL) {
            return false;
        }
        if (comma != NULL) {
            *comma = '\0';
        }
        while (*p == ' ') {
            p++;
        }
        size_t l = strlen(p);
        while (l > 0 && p[l - 1] == ' ') {
            p[--l] = '\0';
        }
        f[i] = p;
        p = comma ? comma + 1 : p + l;
    }
    return f[0][0] != '\0' && f[1][0] != '\0' && f[2][0] != '\0';
}

/* stream_size:<server|client|both|either>,<op>,<number> */
static int setup_stream_size(DetectParser *dp, const char *arg)
{
    static const char *const sides[] = { "server", "client", "both", "either" };
    static const char *const ops[] = { "<", ">", "=", "!=", "<=", ">=" };
    char buf[128];
    char *f[3];
    if (!split3(arg, buf, sizeof(buf), f)) {
        return detect_err(dp, "stream_size: expected <server|client|both|either>,<op>,<n>");
    }
    int side = -1;
    for (int i = 0; i < 4; i++) {
        side = strcmp(f[0], sides[i]) == 0 ? i : side;
    }
    bool op_ok = false;
    for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        op_ok = op_ok || strcmp(f[1], ops[i]) == 0;
    }
    if (side < 0 || !op_ok) {
        return detect_err(dp, "stream_size: bad side '%s' or operator '%s'", f[0], f[1]);
    }
    char expr[80];
    snprintf(expr, sizeof(expr), "%s%s", f[1], f[2]);
    StreamSize *ss = calloc(1, sizeof(*ss));
    if (ss == NULL) {
        return detect_err(dp, "out of memory");
    }
    ss->side = (uint8_t)side;
    if (detect_uint_parse(dp, expr, UINT32_MAX, &ss->u) != 0) {
        free(ss);
        return VG_EINVAL;
    }
    return detect_append(dp, DETECT_LIST_MATCH, &detect_kw_stream_size, ss, 0);
}

static const DetectKeyword detect_kw_flowcount_match = {
    .name = "flow.pkts", .desc = "flow packet/byte counter", .flags = DETECT_KW_PACKET,
    .match = match_flowcount,
    .free = free,
};
const DetectKeyword detect_kw_flow_pkts = {
    .name = "flow.pkts", .desc = "flow packets: <toserver|toclient|either|both>,<n>",
    .setup = setup_flow_pkts,
};
const DetectKeyword detect_kw_flow_bytes = {
    .name = "flow.bytes", .desc = "flow bytes: <toserver|toclient|either|both>,<n>",
    .setup = setup_flow_bytes,
};
const DetectKeyword detect_kw_flow_pkts_toserver = {
    .name = "flow.pkts_toserver", .desc = "flow packets to the server",
    .setup = setup_pkts_toserver,
};
const DetectKeyword detect_kw_flow_pkts_toclient = {
    .name = "flow.pkts_toclient", .desc = "flow packets to the client",
    .setup = setup_pkts_toclient,
};
const DetectKeyword detect_kw_flow_bytes_toserver = {
    .name = "flow.bytes_toserver", .desc = "flow bytes to the server",
    .setup = setup_bytes_toserver,
};
const DetectKeyword detect_kw_flow_bytes_toclient = {
    .name = "flow.bytes_toclient", .desc = "flow bytes to the client",
    .setup = setup_bytes_toclient,
};
const DetectKeyword detect_kw_flow_age = {
    .name = "flow.age", .desc = "seconds since the flow's first packet",
    .setup = setup_flow_age, .match = match_flow_age, .free = free,
};
const DetectKeyword detect_kw_stream_size = {
    .name = "stream_size", .desc = "TCP bytes seen: <server|client|both|either>,<op>,<n>",
    .setup = setup_stream_size, .match = match_stream_size, .free = free,
};
