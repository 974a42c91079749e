/* Optional fields of EVE records that SIEMs key on, as Suricata names them:
 * community_id (Community ID v1), ether (MAC addresses), in_iface, host
 * (sensor-name), pcap_filename and the flow's variables under "metadata". Each is off (or,
 * metadata, without flow variables) unless configured, and then costs one
 * branch per record. Also the "arp" record of ARP packets. */

#include "output/output.h"

#include <openssl/evp.h>
#include <string.h>

#include "decode/decode.h"
#include "util/util-base64.h"
#include "util/util-error.h"
#include "util/util-ip.h"

#define PROTO_ICMPV4 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58
#define PROTO_SCTP 132

/* Written at start-up only (output_ctx_new, output_ctx_attach_engine), before
 * packet threads start; read by every thread that builds records. */
static EveFieldsCfg g_cfg;
static OutputPcapFileFn g_pcap_file_fn;
static void *g_pcap_file_user;
static OutputFlowVarsFn g_vars_fn;
static OutputFlowVarsAnyFn g_vars_any_fn;
static void *g_vars_user;

void eve_fields_configure(const EveFieldsCfg *cfg)
{
    if (cfg == NULL) {
        memset(&g_cfg, 0, sizeof(g_cfg));
        return;
    }
    g_cfg = *cfg;
}

const EveFieldsCfg *eve_fields_cfg(void)
{
    return &g_cfg;
}

void output_set_flow_vars_logger(OutputFlowVarsFn fn, OutputFlowVarsAnyFn any, void *user)
{
    g_vars_fn = fn;
    g_vars_any_fn = any;
    g_vars_user = user;
}

/* ---- Community ID v1 ---------------------------------------------------- */

/* ICMP message types that have a counterpart (request/reply pairs): the
 * counterpart stands in for the destination port, so both directions hash
 * alike. 0: the type has none (a one-way message). Types as the spec lists. */
static int icmp_counterpart(uint8_t proto, uint8_t type)
{
    if (proto == PROTO_ICMPV4) {
        switch (type) {
        case 8: return 0;    // echo -> echo reply
        case 0: return 8;
        case 13: return 14;  // timestamp
        case 14: return 13;
        case 15: return 16;  // information
        case 16: return 15;
        case 10: return 9;   // router solicitation / advertisement
        case 9: return 10;
        case 17: return 18;  // address mask
        case 18: return 17;
        default: return -1;
        }
    }
    switch (type) {
    case 128: return 129;    // echo
    case 129: return 128;
    case 133: return 134;    // router solicitation / advertisement
    case 134: return 133;
    case 135: return 136;    // neighbor solicitation / advertisement
    case 136: return 135;
    case 130: return 131;    // multicast listener query / report
    case 131: return 130;
    case 139: return 140;    // node information query / response
    case 140: return 139;
    case 144: return 145;    // home agent address discovery
    case 145: return 144;
    default: return -1;
    }
}

static bool proto_hashes_ports(uint8_t proto)
{
    return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP ||
           proto == PROTO_ICMPV4 || proto == PROTO_ICMPV6;
}

int output_community_id(const VgAddr *src, const VgAddr *dst, uint16_t sp, uint16_t dp,
                        uint8_t proto, uint16_t seed, char *out, size_t size)
{
    if ((src->family != 4 && src->family != 6) || src->family != dst->family) {
        return VG_EINVAL;
    }
    if (size < OUTPUT_COMMUNITY_ID_SIZE) {
        return VG_ERANGE;
    }
    size_t alen = src->family == 4 ? 4 : 16;
    const uint8_t *a = src->a.u8;
    const uint8_t *b = dst->a.u8;
    bool is_one_way = false;
    if (proto == PROTO_ICMPV4 || proto == PROTO_ICMPV6) {
        int peer = icmp_counterpart(proto, (uint8_t)sp);
        if (peer >= 0) {
            dp = (uint16_t)peer;
        } else {
            is_one_way = true;   // keeps its direction; dp stays the code
        }
    }
    bool has_ports = proto_hashes_ports(proto);
    int c = memcmp(a, b, alen);
    if (!is_one_way && !(c < 0 || (c == 0 && has_ports && sp < dp))) {
        const uint8_t *t = a;
        a = b;
        b = t;
        uint16_t tp = sp;
        sp = dp;
        dp = tp;
    }
    uint8_t buf[2 + 16 + 16 + 2 + 4];
    size_t n = 0;
    buf[n++] = (uint8_t)(seed >> 8);
    buf[n++] = (uint8_t)seed;
    memcpy(buf + n, a, alen);
    n += alen;
    memcpy(buf + n, b, alen);
    n += alen;
    buf[n++] = proto;
    buf[n++] = 0;
    if (has_ports) {
        buf[n++] = (uint8_t)(sp >> 8);
        buf[n++] = (uint8_t)sp;
        buf[n++] = (uint8_t)(dp >> 8);
        buf[n++] = (uint8_t)dp;
    }
    uint8_t md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_Digest(buf, n, md, &md_len, EVP_sha1(), NULL) != 1 || md_len != 20) {
        return VG_EINVAL;
    }
    out[0] = '1';
    out[1] = ':';
    size_t w = util_base64_encode_raw(out + 2, md, md_len);
    out[2 + w] = '\0';
    return 0;
}

int output_community_id_flow(const Flow *f, uint16_t seed, char *out, size_t size)
{
    const FlowKey *k = &f->key;
    uint16_t sp = k->sp;
    uint16_t dp = k->dp;
    if (k->proto == PROTO_ICMPV4 || k->proto == PROTO_ICMPV6) {
        sp = f->icmp_type;   // the client's first message: type and code
        dp = f->icmp_code;
    }
    return output_community_id(&k->src, &k->dst, sp, dp, k->proto, seed, out, size);
}

void eve_add_community_id(JsonBuf *jb, const Flow *f)
{
    if (!g_cfg.community_id || f == NULL) {
        return;
    }
    char id[OUTPUT_COMMUNITY_ID_SIZE];
    if (output_community_id_flow(f, g_cfg.community_id_seed, id, sizeof(id)) == 0) {
        json_str(jb, "community_id", id);
    }
}

/* ---- ether, in_iface, host ---------------------------------------------- */

static void mac_str(char out[18], const uint8_t *m)
{
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 6; i++) {
        out[i * 3] = hex[m[i] >> 4];
        out[i * 3 + 1] = hex[m[i] & 0xf];
        out[i * 3 + 2] = i < 5 ? ':' : '\0';
    }
}

static const char *arp_opcode_name(uint16_t op)
{
    switch (op) {
    case 1:
        return "request";
    case 2:
        return "reply";
    case 3:
        return "reverse_request";
    case 4:
        return "reverse_reply";
    default:
        return "unknown";
    }
}

bool output_eve_arp_build(JsonBuf *jb, const Packet *p)
{
    DecodeArpView v;
    if (!decode_arp_view(p, &v)) {
        return false;
    }
    eve_begin_packet(jb, p, 0, "arp");
    json_open_object(jb, "arp");
    json_str(jb, "hw_type", v.hw_type == 1 ? "ethernet" : "unknown");
    json_str(jb, "proto_type", v.proto_type == 0x0800 ? "ipv4" : "unknown");
    json_str(jb, "opcode", arp_opcode_name(v.opcode));
    if (v.hw_len == 6 && v.proto_len == 4) {
        char mac[18];
        char ip[UTIL_IPV4_STR_SIZE];
        mac_str(mac, v.sender_hw);
        json_str(jb, "src_mac", mac);
        util_ipv4_str(v.sender_proto, ip);
        json_str(jb, "src_ip", ip);
        mac_str(mac, v.target_hw);
        json_str(jb, "dest_mac", mac);
        util_ipv4_str(v.target_proto, ip);
        json_str(jb, "dest_ip", ip);
    }
    json_close_object(jb);
    json_close_object(jb);
    return true;
}

/* The Ethernet header the packet arrived in: its own, or for a tunnel
 * packet (raw inner bytes) the one of the outermost packet. */
static const Packet *ether_packet(const Packet *p)
{
    if (p->linktype != LINKTYPE_ETHERNET && p->root != NULL) {
        p = p->root;
    }
    if (p->linktype != LINKTYPE_ETHERNET || p->l2 == NULL || p->caplen < 14) {
        return NULL;
    }
    return p;
}

void eve_add_ether(JsonBuf *jb, const Packet *p, bool is_reversed)
{
    if (!g_cfg.ethernet) {
        return;
    }
    const Packet *e = ether_packet(p);
    if (e == NULL) {
        return;
    }
    char dst[18];
    char src[18];
    mac_str(dst, e->l2);
    mac_str(src, e->l2 + 6);
    json_open_object(jb, "ether");
    json_str(jb, "src_mac", is_reversed ? dst : src);
    json_str(jb, "dest_mac", is_reversed ? src : dst);
    json_close_object(jb);
}

static bool mac_in(uint8_t list[][6], int n, const uint8_t *m)
{
    for (int i = 0; i < n; i++) {
        if (memcmp(list[i], m, 6) == 0) {
            return true;
        }
    }
    return false;
}

void eve_add_ether_flow(JsonBuf *jb, const Flow *f, bool is_toclient, bool is_flow_record)
{
    if (!g_cfg.ethernet || f->has_mac == 0) {
        return;
    }
    /* client-side addresses (src) and server-side ones (dest), from the
     * first frame of each direction */
    uint8_t cli[2][6];
    uint8_t srv[2][6];
    int n_cli = 0;
    int n_srv = 0;
    for (int d = 0; d < 2; d++) {
        if (!(f->has_mac & (1u << d))) {
            continue;
        }
        const uint8_t *dst = f->mac[d];
        const uint8_t *src = f->mac[d] + 6;
        const uint8_t *c = d == 0 ? src : dst;
        const uint8_t *sv = d == 0 ? dst : src;
        if (!mac_in(cli, n_cli, c)) {
            memcpy(cli[n_cli++], c, 6);
        }
        if (!mac_in(srv, n_srv, sv)) {
            memcpy(srv[n_srv++], sv, 6);
        }
    }
    char a[18];
    json_open_object(jb, "ether");
    if (is_flow_record) {
        /* flow records list every address seen, as Suricata's src_macs/dest_macs */
        json_open_array(jb, "src_macs");
        for (int i = 0; i < n_cli; i++) {
            mac_str(a, cli[i]);
            json_str(jb, NULL, a);
        }
        json_close_array(jb);
        json_open_array(jb, "dest_macs");
        for (int i = 0; i < n_srv; i++) {
            mac_str(a, srv[i]);
            json_str(jb, NULL, a);
        }
        json_close_array(jb);
    } else {
        mac_str(a, is_toclient ? srv[0] : cli[0]);
        json_str(jb, "src_mac", a);
        mac_str(a, is_toclient ? cli[0] : srv[0]);
        json_str(jb, "dest_mac", a);
    }
    json_close_object(jb);
}

void eve_add_in_iface(JsonBuf *jb, const char *iface)
{
    if (iface == NULL) {
        iface = g_cfg.in_iface;
    }
    if (iface != NULL) {
        json_str(jb, "in_iface", iface);
    }
}

void eve_add_host(JsonBuf *jb)
{
    if (g_cfg.sensor_name != NULL) {
        json_str(jb, "host", g_cfg.sensor_name);
    }
}

void output_set_pcap_file_names(OutputPcapFileFn fn, void *user)
{
    g_pcap_file_fn = fn;
    g_pcap_file_user = user;
}

void eve_add_pcap_filename(JsonBuf *jb, uint32_t idx)
{
    if (!g_cfg.pcap_file || g_pcap_file_fn == NULL) {
        return;
    }
    const char *name = g_pcap_file_fn(idx, g_pcap_file_user);
    if (name != NULL) {
        json_str(jb, "pcap_filename", name);
    }
}

/* ---- flow variables ----------------------------------------------------- */

bool eve_flow_vars_wanted(void)
{
    return g_cfg.metadata && g_vars_fn != NULL && (g_vars_any_fn == NULL || g_vars_any_fn(g_vars_user));
}

void eve_add_flow_vars_locked(JsonBuf *jb, const Flow *f)
{
    if (f != NULL && eve_flow_vars_wanted()) {
        g_vars_fn(jb, NULL, f, g_vars_user);
    }
}

void eve_add_packet_vars_locked(JsonBuf *jb, const Packet *p)
{
    if (eve_flow_vars_wanted()) {
        g_vars_fn(jb, p, p->flow, g_vars_user);
    }
}

void eve_add_flow_vars(JsonBuf *jb, const Packet *p)
{
    Flow *f = p->flow;
    if (!eve_flow_vars_wanted()) {
        return;
    }
    bool locked = f == NULL || (p->flags & PKT_F_STREAM_FLUSH) != 0; // flow-end work holds it
    if (!locked) {
        pthread_mutex_lock(&f->lock);
    }
    g_vars_fn(jb, p, f, g_vars_user);
    if (!locked) {
        pthread_mutex_unlock(&f->lock);
    }
}
