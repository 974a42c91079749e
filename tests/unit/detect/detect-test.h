#ifndef VG_TESTS_DETECT_TEST_H
#define VG_TESTS_DETECT_TEST_H

/* Helpers for detection tests: hand-built packets and one-rule engines. */

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/detect.h"
#include "flow/flow-types.h"
#include "util/util-log.h"

static const char test_classes[] =
    "config classification: trojan-activity,A Network Trojan was detected, 1\n"
    "config classification: misc-activity,Misc activity,3\n"
    "config classification: protocol-command-decode,Generic Protocol Command Decode,3\n"
    "config classification: bad-unknown,Potentially Bad Traffic, 2\n";

static inline DetectEngine *test_engine(const char *rules, int *failed)
{
    util_log_set_level(LOG_LEVEL_ERROR);
    DetectEngine *de = detect_engine_new_empty();
    if (de == NULL) {
        return NULL;
    }
    (void)detect_engine_load_classification_string(de, test_classes, "test.config");
    int f = detect_engine_load_string(de, rules, "test.rules");
    if (failed != NULL) {
        *failed = f;
    }
    if (detect_engine_build(de) != 0) {
        detect_engine_free(de);
        return NULL;
    }
    return de;
}

static inline void test_addr(VgAddr *a, const char *s)
{
    memset(a, 0, sizeof(*a));
    if (inet_pton(AF_INET, s, a->a.u8) == 1) {
        a->family = 4;
    } else if (inet_pton(AF_INET6, s, a->a.u8) == 1) {
        a->family = 6;
    }
}

/* An IPv4 TCP/UDP packet with payload (the payload string is not copied).
 * p must be zero-initialised before first use; its alert list is kept. */
static inline void test_packet(Packet *p, int l4, const char *src, uint16_t sp, const char *dst,
                               uint16_t dp, const void *payload, uint32_t len)
{
    void *alerts = p->alerts;
    memset(p, 0, sizeof(*p));
    p->alerts = alerts;
    test_addr(&p->src, src);
    test_addr(&p->dst, dst);
    p->l3 = p->src.family == 6 ? PKT_L3_IPV6 : PKT_L3_IPV4;
    p->l4 = (uint8_t)l4;
    p->proto = l4 == PKT_L4_TCP ? 6 : (l4 == PKT_L4_UDP ? 17 : (l4 == PKT_L4_ICMPV4 ? 1 : 58));
    p->sp = sp;
    p->dp = dp;
    p->ip4.ttl = 64;
    p->payload = payload;
    p->payload_len = len;
}

static inline void test_tcp(Packet *p, const void *payload, uint32_t len)
{
    test_packet(p, PKT_L4_TCP, "10.0.0.1", 40000, "192.0.2.1", 80, payload, len);
}

/* Runs one packet through a fresh thread; returns the number of alerts. */
static inline int test_run(const DetectEngine *de, Packet *p)
{
    DetectThread *dt = detect_thread_new(de, NULL);
    if (dt == NULL) {
        return -1;
    }
    detect_packet(dt, p);
    detect_thread_free(dt);
    const PacketAlerts *pa = detect_packet_alerts(p);
    return pa ? pa->n : 0;
}

/* One rule, one TCP packet to port 80 with this payload: did it alert? */
static inline int test_match_tcp(const char *rule, const void *payload, uint32_t len)
{
    DetectEngine *de = test_engine(rule, NULL);
    if (de == NULL || de->loaded != 1) {
        detect_engine_free(de);
        return -1;
    }
    Packet p = { 0 };
    test_tcp(&p, payload, len);
    int n = test_run(de, &p);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
    return n;
}

/* Parse one rule; returns 0 when it loads, else the parser's error code,
 * with the reason copied to err. */
static inline int test_parse(const char *rule, char *err, size_t errlen)
{
    DetectEngine *de = detect_engine_new_empty();
    (void)detect_engine_load_classification_string(de, test_classes, "test.config");
    Signature *s = NULL;
    err[0] = '\0';
    int rc = detect_parse_rule(de, rule, "t.rules", 1, &s, err, errlen);
    detect_sig_free(s);
    detect_engine_free(de);
    return rc;
}

#endif
