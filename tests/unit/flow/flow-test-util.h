#ifndef VG_TESTS_FLOW_FLOW_TEST_UTIL_H
#define VG_TESTS_FLOW_FLOW_TEST_UTIL_H

/* Helpers for the flow tests: packets with just the fields the flow engine
 * reads, and a table with a fixed hash key. */

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include "flow/flow.h"

static inline void test_addr(VgAddr *a, const char *s)
{
    memset(a, 0, sizeof(*a));
    if (inet_pton(AF_INET, s, a->a.u8) == 1) {
        a->family = 4;
    } else if (inet_pton(AF_INET6, s, a->a.u8) == 1) {
        a->family = 6;
    }
}

static inline uint8_t test_l4_of(uint8_t proto)
{
    switch (proto) {
    case 6:
        return PKT_L4_TCP;
    case 17:
        return PKT_L4_UDP;
    case 1:
        return PKT_L4_ICMPV4;
    case 58:
        return PKT_L4_ICMPV6;
    default:
        return PKT_L4_OTHER;
    }
}

/* An IP packet src:sp -> dst:dp of proto at time ts_sec, 100 bytes. */
static inline void test_pkt(Packet *p, const char *src, uint16_t sp, const char *dst,
                            uint16_t dp, uint8_t proto, int64_t ts_sec)
{
    memset(p, 0, sizeof(*p));
    test_addr(&p->src, src);
    test_addr(&p->dst, dst);
    p->l3 = p->src.family == 6 ? PKT_L3_IPV6 : PKT_L3_IPV4;
    p->l4 = test_l4_of(proto);
    p->proto = proto;
    p->sp = sp;
    p->dp = dp;
    p->ts_sec = ts_sec;
    p->caplen = 100;
    p->wirelen = 100;
}

static inline void test_tcp(Packet *p, const char *src, uint16_t sp, const char *dst,
                            uint16_t dp, uint8_t flags, int64_t ts_sec)
{
    test_pkt(p, src, sp, dst, dp, 6, ts_sec);
    p->tcp.flags = flags;
}

/* ICMPv4 echo (type 8) or reply (type 0) with an id. */
static inline void test_icmp_echo(Packet *p, const char *src, const char *dst, uint8_t type,
                                  uint16_t id, int64_t ts_sec)
{
    test_pkt(p, src, 0, dst, 0, 1, ts_sec);
    p->icmp.type = type;
    p->icmp.has_id = true;
    p->icmp.id = id;
}

static inline void test_config(FlowConfig *cfg)
{
    flow_config_defaults(cfg);
    cfg->hash_size = 1024;
    cfg->prealloc = 16;
    cfg->use_fixed_hash_key = true;
    for (int i = 0; i < 16; i++) {
        cfg->hash_key[i] = (uint8_t)i;
    }
}

/* Look up and release at once: the flow pointer stays valid until the
 * manager runs (tests are single-threaded). */
static inline Flow *test_feed(FlowTable *ft, CounterSet *cs, Packet *p)
{
    Flow *f = flow_lookup_or_create(ft, cs, p);
    if (f != NULL) {
        flow_release(f);
    }
    return f;
}

#endif
