/* Protocol detection on the start of a direction's data: the enabled rows' patterns
 * for that direction (exact offset, or anywhere before depth), then their probing parsers.
 * Rows whose detection ports hold the server port are tried first; any port works. */
#include "app-layer/app-layer-internal.h"

#include <ctype.h>
#include <string.h>

static bool bytes_eq(const uint8_t *a, const char *b, uint32_t n, bool nocase)
{
    if (!nocase) {
        return memcmp(a, b, n) == 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        if (tolower(a[i]) != tolower((unsigned char)b[i])) {
            return false;
        }
    }
    return true;
}

/* 1 match, 0 no match, 2 not enough data to say, 3 the data so far is a start of the
 * pattern (more data may match). */
static int pattern_match(const AppPattern *pt, const uint8_t *data, uint32_t len)
{
    uint32_t last_start = pt->depth > pt->len ? (uint32_t)(pt->depth - pt->len) : pt->offset;
    last_start = last_start < pt->offset ? pt->offset : last_start;
    bool more = false;
    for (uint32_t at = pt->offset; at <= last_start; at++) {
        if (at + pt->len <= len) {
            if (bytes_eq(data + at, pt->bytes, pt->len, pt->nocase)) {
                return 1;
            }
        } else {
            uint32_t have = at < len ? len - at : 0;
            if (have > 0 && bytes_eq(data + at, pt->bytes, have, pt->nocase)) {
                return 3;
            }
            more = more || have == 0;
            break;
        }
    }
    return more ? 2 : 0;
}

/* probes false: the row's patterns; true: its probing parser. */
static AppProto try_row(const AppParserDesc *row, bool probes, uint8_t ipproto, bool port_hint,
                        uint8_t dir, const uint8_t *data, uint32_t len, bool *need_more,
                        bool *partial)
{
    for (uint32_t i = 0; !probes && i < row->n_patterns; i++) {
        const AppPattern *pt = &row->patterns[i];
        if (pt->dir != dir) {
            continue;
        }
        int r = pattern_match(pt, data, len);
        if (r == 1) {
            return row->proto;
        }
        if (r == 2 || r == 3) {
            *need_more = true;
        }
        *partial = *partial || r == 3;
    }
    if (probes && (row->probe != NULL || row->probe_ip != NULL)) {
        int r = row->probe_ip != NULL ? row->probe_ip(ipproto, port_hint, data, len, dir)
                                      : row->probe(data, len, dir);
        if (r == APP_PROBE_YES) {
            return row->proto;
        }
        if (r == APP_PROBE_MORE) {
            *need_more = true;
        }
    }
    return APP_PROTO_UNKNOWN;
}

static bool port_hint(const AppProtoCfg *pc, uint16_t port)
{
    return (pc->ports[port / 8] >> (port % 8)) & 1u;
}

bool app_detect_proto_accepts(AppProto p, uint8_t ipproto, uint16_t server_port, uint8_t dir,
                              const uint8_t *data, uint32_t len)
{
    const AppParserDesc *row = app_parser_row(p);
    const AppProtoCfg *pc = app_proto_cfg(p);
    if (row == NULL || pc == NULL) {
        return false;
    }
    bool need_more = false;
    bool partial = false;
    bool hinted = port_hint(pc, server_port);
    return try_row(row, false, ipproto, hinted, dir, data, len, &need_more, &partial) == p ||
           try_row(row, true, ipproto, hinted, dir, data, len, &need_more, &partial) == p;
}

AppProto app_detect_proto(uint8_t ipproto, uint16_t server_port, uint8_t dir,
                          const uint8_t *data, uint32_t len, bool *need_more)
{
    return app_detect_proto_ports(ipproto, server_port, 0, dir, data, len, need_more);
}

AppProto app_detect_proto_ports(uint8_t ipproto, uint16_t server_port, uint16_t client_port,
                                uint8_t dir, const uint8_t *data, uint32_t len,
                                bool *need_more)
{
    *need_more = false;
    /* Every row's patterns (rows whose ports hold the server port first), then the
     * probes (same order), and no probe while a pattern may still match, so a
     * pattern ("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n") is not taken by a lenient probe
     * (HTTP/1's request line) whatever the split. */
    bool partial = false;
    for (int step = 0; step < 4; step++) {
        bool ported = (step & 1) == 0;
        bool probes = step >= 2;
        if (probes && partial) {
            /* a pattern may still match with more data: it goes before any probe */
            return APP_PROTO_UNKNOWN;
        }
        for (uint32_t r = 0; r < app_parser_count(); r++) {
            const AppParserDesc *row = app_parser_at(r);
            const AppProtoCfg *pc = app_proto_cfg(row->proto);
            if ((row->ipproto != 0 && row->ipproto != ipproto) || pc == NULL || pc->enabled == APP_ENABLED_NO) {
                continue;
            }
            bool hinted = port_hint(pc, server_port) ||
                          (client_port != 0 && port_hint(pc, client_port));
            if (hinted != ported) {
                continue;
            }
            AppProto p = try_row(row, probes, ipproto, ported, dir, data, len, need_more,
                                 &partial);
            if (p != APP_PROTO_UNKNOWN) {
                return p;
            }
        }
    }
    return APP_PROTO_UNKNOWN;
}
