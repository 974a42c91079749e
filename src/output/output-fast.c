/* fast.log lines, in Suricata's format:
 * 07/03/2009-12:34:56.123456  [**] [1:2000001:1] msg [**] [Classification: c] [Priority: 3]
 *     {TCP} a:p -> b:q
 * (one line; wrapped here). */
#include <ctype.h>
#include <stdio.h>

#include "detect/detect.h"
#include "output/output-module.h"
#include "util/util-time.h"

static void proto_upper(char *buf, size_t size, uint8_t proto)
{
    const char *name = output_proto_name(proto);
    if (name == NULL) {
        snprintf(buf, size, "PROTO:%03u", proto);
        return;
    }
    size_t i = 0;
    for (; name[i] != '\0' && i + 1 < size; i++) {
        buf[i] = (char)toupper((unsigned char)name[i]);
    }
    buf[i] = '\0';
}

static int endpoint(char *buf, size_t size, const VgAddr *a, uint16_t port, bool ports)
{
    char addr[OUTPUT_ADDR_STR_SIZE] = "?";
    (void)output_addr_to_str(a, addr, sizeof(addr));
    return ports ? snprintf(buf, size, "%s:%u", addr, port) : snprintf(buf, size, "%s", addr);
}

int output_fast_format(char *buf, size_t size, const OutputCtx *oc, const Packet *p,
                       const PacketAlert *pa)
{
    char ts[64];
    util_time_format_fast_log(ts, sizeof(ts), p->ts_sec, p->ts_usec);
    char proto[24];
    proto_upper(proto, sizeof(proto), p->proto);
    bool ports = p->l4 == PKT_L4_TCP || p->l4 == PKT_L4_UDP;
    char src[80];
    char dst[80];
    endpoint(src, sizeof(src), &p->src, p->sp, ports);
    endpoint(dst, sizeof(dst), &p->dst, p->dp, ports);
    bool drops = oc->is_inline && pa->action != DETECT_ACTION_ALERT &&
                 pa->action != DETECT_ACTION_PASS;
    const char *msg = pa->msg ? pa->msg : "";
    const char *cls = pa->class_msg ? pa->class_msg : "(null)";
    int n = snprintf(buf, size,
                     "%s  %s[**] [%u:%u:%u] %s [**] [Classification: %s] [Priority: %d]", ts,
                     drops ? "[Drop] " : "", pa->gid, pa->sid, pa->rev, msg, cls, pa->priority);
    if (n < 0 || (size_t)n >= size) {
        return n;
    }
    if (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6) {
        /* No IP layer (ARP, or decoding stopped early): no protocol or endpoints. */
        return n + snprintf(buf + n, size - (size_t)n, "\n");
    }
    return n + snprintf(buf + n, size - (size_t)n, " {%s} %s -> %s\n", proto, src, dst);
}
