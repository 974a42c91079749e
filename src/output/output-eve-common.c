/* Fields shared by every EVE record: time, flow id, 5-tuple, VLANs, and the
 * optional ones of output-eve-fields.c. */

#include "output/output.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

#include "decode/decode.h"
#include "util/util-ip.h"
#include "util/util-error.h"
#include "util/util-time.h"

#define PROTO_SCTP 132
#define PROTO_ICMPV4 1
#define PROTO_ICMPV6 58

/* IANA "Assigned Internet Protocol Numbers" keywords, 0..143, as Suricata
 * prints them in "proto" (unassigned/any-private entries read "Any"). */
static const char *const proto_names[] = {
    "HOPOPT", "ICMP", "IGMP", "GGP", "IP-in-IP", "ST", "TCP", "CBT", "EGP", "IGP",
    "BBN-RCC-MON", "NVP-II", "PUP", "ARGUS", "EMCON", "XNET", "CHAOS", "UDP", "MUX",
    "DCN-MEAS", "HMP", "PRM", "XNS-IDP", "TRUNK-1", "TRUNK-2", "LEAF-1", "LEAF-2", "RDP",
    "IRTP", "ISO-TP4", "NETBLT", "MFE-NSP", "MERIT-INP", "DCCP", "3PC", "IDPR", "XTP", "DDP",
    "IDPR-CMTP", "TP++", "IL", "IPv6", "SDRP", "IPv6-Route", "IPv6-Frag", "IDRP", "RSVP",
    "GRE", "DSR", "BNA", "ESP", "AH", "I-NLSP", "SwIPe", "NARP", "MOBILE", "TLSP", "SKIP",
    "IPv6-ICMP", "IPv6-NoNxt", "IPv6-Opts", "Any", "CFTP", "Any", "SAT-EXPAK", "KRYPTOLAN",
    "RVD", "IPPC", "Any", "SAT-MON", "VISA", "IPCU", "CPNX", "CPHB", "WSN", "PVP",
    "BR-SAT-MON", "SUN-ND", "WB-MON", "WB-EXPAK", "ISO-IP", "VMTP", "SECURE-VMTP", "VINES",
    "TTP", "NSFNET-IGP", "DGP", "TCF", "EIGRP", "OSPF", "Sprite-RPC", "LARP", "MTP", "AX.25",
    "OS", "MICP", "SCC-SP", "ETHERIP", "ENCAP", "Any", "GMTP", "IFMP", "PNNI", "PIM", "ARIS",
    "SCPS", "QNX", "A/N", "IPComp", "SNP", "Compaq-Peer", "IPX-in-IP", "VRRP", "PGM", "Any",
    "L2TP", "DDX", "IATP", "STP", "SRP", "UTI", "SMP", "SM", "PTP", "IS-IS", "FIRE", "CRTP",
    "CRUDP", "SSCOPMCE", "IPLT", "SPS", "PIPE", "SCTP", "FC", "RSVP-E2E-IGNORE", "Mobility",
    "UDPLite", "MPLS-in-IP", "manet", "HIP", "Shim6", "WESP", "ROHC", "Ethernet",
};
_Static_assert(sizeof(proto_names) / sizeof(proto_names[0]) == 144, "IANA table is 0..143");

const char *output_proto_name(uint8_t proto)
{
    if (proto >= sizeof(proto_names) / sizeof(proto_names[0])) {
        return NULL;
    }
    return proto_names[proto];
}

int output_addr_to_str(const VgAddr *addr, char *buf, size_t size)
{
    if (addr->family == 4) {
        char tmp[UTIL_IPV4_STR_SIZE];
        size_t n = (size_t)util_ipv4_str(addr->a.u8, tmp);  // inet_ntop's text, no sprintf
        if (n >= size) {
            return VG_ERANGE;
        }
        memcpy(buf, tmp, n + 1);
        return 0;
    }
    if (addr->family != 6) {
        return VG_EINVAL;
    }
    if (size < UTIL_IPV6_FULL_SIZE) {
        return VG_ERANGE;
    }
    util_ipv6_full(addr->a.u8, buf);
    return 0;
}

int output_addr_to_str_compressed(const VgAddr *addr, char *buf, size_t size)
{
    if (addr->family != 4 && addr->family != 6) {
        return VG_EINVAL;
    }
    if (addr->family == 4) {
        return output_addr_to_str(addr, buf, size);
    }
    int af = AF_INET6;
    if (size > (size_t)INT32_MAX || inet_ntop(af, addr->a.u8, buf, (socklen_t)size) == NULL) {
        return VG_ERANGE;
    }
    return 0;
}

int eve_addr_to_str(const VgAddr *addr, char *buf, size_t size)
{
    return eve_fields_cfg()->ipv6_compress ? output_addr_to_str_compressed(addr, buf, size)
                                           : output_addr_to_str(addr, buf, size);
}

void eve_add_timestamp(JsonBuf *jb, const char *key, int64_t sec, uint32_t usec)
{
    char ts[UTIL_TIME_ISO_SIZE];
    int n = util_time_format(ts, sizeof(ts), sec, usec);
    if (n < 0) {
        jb->is_failed = true;  // a record without its time is useless downstream
        return;
    }
    json_strn(jb, key, (const uint8_t *)ts, (size_t)n);
}

static void add_addr(JsonBuf *jb, const char *key, const VgAddr *addr)
{
    char s[OUTPUT_ADDR_STR_SIZE];
    if (eve_addr_to_str(addr, s, sizeof(s)) == 0) {
        json_str(jb, key, s);
    }
}

static void add_proto(JsonBuf *jb, uint8_t proto)
{
    const char *name = output_proto_name(proto);
    if (name != NULL) {
        json_str(jb, "proto", name);
        return;
    }
    char num[4];
    size_t n = 0;
    if (proto >= 100) {
        num[n++] = (char)('0' + proto / 100);
    }
    if (proto >= 10) {
        num[n++] = (char)('0' + proto / 10 % 10);
    }
    num[n++] = (char)('0' + proto % 10);
    json_strn(jb, "proto", (const uint8_t *)num, n);
}

static void add_vlans(JsonBuf *jb, const uint16_t *ids, uint8_t n_vlan)
{
    if (n_vlan == 0) {
        return;
    }
    if (n_vlan > PACKET_MAX_VLANS) {
        n_vlan = PACKET_MAX_VLANS;
    }
    json_open_array(jb, "vlan");
    for (uint8_t i = 0; i < n_vlan; i++) {
        json_u64(jb, NULL, ids[i]);
    }
    json_close_array(jb);
}

static bool proto_has_ports(uint8_t proto)
{
    return proto == 6 || proto == 17 || proto == PROTO_SCTP;
}

/* src/dest address and port, proto. Suricata logs no 5-tuple at all for a
 * packet without an IP layer. */
static void add_packet_tuple(JsonBuf *jb, const Packet *p)
{
    if (p->l3 != PKT_L3_IPV4 && p->l3 != PKT_L3_IPV6) {
        return;
    }
    bool ports = proto_has_ports(p->proto);
    add_addr(jb, "src_ip", &p->src);
    if (ports) {
        json_u64(jb, "src_port", p->sp);
    }
    add_addr(jb, "dest_ip", &p->dst);
    if (ports) {
        json_u64(jb, "dest_port", p->dp);
    }
    add_proto(jb, p->proto);
    json_u64(jb, "ip_v", p->l3 == PKT_L3_IPV4 ? 4 : 6);
    bool is_icmp = (p->proto == PROTO_ICMPV4 && p->l4 == PKT_L4_ICMPV4) ||
                   (p->proto == PROTO_ICMPV6 && p->l4 == PKT_L4_ICMPV6);
    if (is_icmp) {
        json_u64(jb, "icmp_type", p->icmp.type);
        json_u64(jb, "icmp_code", p->icmp.code);
    }
}

/* The "tunnel" object of a tunnel packet: the outermost packet's tuple, the
 * packet's depth, and where the outermost packet came from. */
static void add_tunnel(JsonBuf *jb, const Packet *p)
{
    const Packet *r = p->root;
    if (r == NULL) {
        return;
    }
    json_open_object(jb, "tunnel");
    add_addr(jb, "src_ip", &r->src);
    json_u64(jb, "src_port", r->sp);
    add_addr(jb, "dest_ip", &r->dst);
    json_u64(jb, "dest_port", r->dp);
    add_proto(jb, r->proto);
    json_u64(jb, "depth", p->tunnel_depth);
    if (r->pcap_cnt != 0) {
        json_u64(jb, "pcap_cnt", r->pcap_cnt);
    }
    json_str(jb, "pkt_src", decode_pkt_src_name(r));
    json_close_object(jb);
}

void eve_begin_packet(JsonBuf *jb, const Packet *p, uint64_t flow_id, const char *event_type)
{
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    eve_add_timestamp(jb, "timestamp", p->ts_sec, p->ts_usec);
    if (flow_id != 0) {
        json_u64(jb, "flow_id", flow_id);
    }
    const char *iface = p->root != NULL ? p->root->iface : p->iface;
    if (iface == NULL && p->flow != NULL) {
        iface = p->flow->livedev;    // a pseudo packet (stream flush at flow end)
    }
    eve_add_in_iface(jb, iface);
    if (p->pcap_cnt != 0) {
        json_u64(jb, "pcap_cnt", p->pcap_cnt);
    }
    json_str(jb, "event_type", event_type);
    add_vlans(jb, p->vlan_id, p->n_vlan);
    add_packet_tuple(jb, p);
    json_str(jb, "pkt_src",
             (p->flags & PKT_F_STREAM_FLUSH) ? "stream (flow timeout)" : decode_pkt_src_name(p));
    add_tunnel(jb, p);
    eve_add_ether(jb, p, false);
    eve_add_community_id(jb, p->flow);
    eve_add_host(jb);
    uint32_t file = p->root != NULL ? p->root->pcap_file : p->pcap_file;
    if (file == 0 && p->flow != NULL) {
        file = p->flow->pcap_file;    // a pseudo packet (stream flush at flow end)
    }
    eve_add_pcap_filename(jb, file);
}

void eve_begin_flow(JsonBuf *jb, const Flow *f, int64_t sec, uint32_t usec,
                    const char *event_type)
{
    eve_begin_flow_dir(jb, f, sec, usec, event_type, false, 0, NULL);
}

void eve_begin_flow_dir(JsonBuf *jb, const Flow *f, int64_t sec, uint32_t usec,
                        const char *event_type, bool is_toclient, uint64_t pcap_cnt,
                        const char *pkt_src)
{
    eve_begin_flow_dir_client(jb, f, sec, usec, event_type, is_toclient, pcap_cnt, pkt_src,
                              NULL);
}

void eve_begin_flow_dir_client(JsonBuf *jb, const Flow *f, int64_t sec, uint32_t usec,
                               const char *event_type, bool is_toclient, uint64_t pcap_cnt,
                               const char *pkt_src, const VgAddr *client)
{
    const FlowKey *k = &f->key;
    const VgAddr *cli = client != NULL ? client : &k->src;
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    eve_add_timestamp(jb, "timestamp", sec, usec);
    if (f->flow_id != 0) {
        json_u64(jb, "flow_id", f->flow_id);
    }
    eve_add_in_iface(jb, f->livedev);
    if (pcap_cnt != 0) {
        json_u64(jb, "pcap_cnt", pcap_cnt);
    }
    json_str(jb, "event_type", event_type);
    add_vlans(jb, k->vlan_id, k->n_vlan);
    bool ports = proto_has_ports(k->proto);
    add_addr(jb, "src_ip", is_toclient ? &k->dst : cli);
    if (ports) {
        json_u64(jb, "src_port", is_toclient ? k->dp : k->sp);
    }
    add_addr(jb, "dest_ip", is_toclient ? cli : &k->dst);
    if (ports) {
        json_u64(jb, "dest_port", is_toclient ? k->sp : k->dp);
    }
    add_proto(jb, k->proto);
    if (k->src.family == 4 || k->src.family == 6) {
        json_u64(jb, "ip_v", k->src.family);  // as on packet records (Suricata 8)
    }
    if (pkt_src != NULL) {
        json_str(jb, "pkt_src", pkt_src);
    }
    if (k->proto == PROTO_ICMPV4 || k->proto == PROTO_ICMPV6) {
        json_u64(jb, "icmp_type", f->icmp_type);
        json_u64(jb, "icmp_code", f->icmp_code);
        if (f->flags & FLOW_F_ICMP_RESP) {
            json_u64(jb, "response_icmp_type", f->icmp_resp_type);
            json_u64(jb, "response_icmp_code", f->icmp_resp_code);
        }
    }
    eve_add_ether_flow(jb, f, is_toclient, strcmp(event_type, "flow") == 0);
    eve_add_flow_vars_locked(jb, f);  // callers hold the flow lock (tx loggers, flow end)
    eve_add_community_id(jb, f);
    eve_add_host(jb);
    eve_add_pcap_filename(jb, f->pcap_file);
}

/* Written at start-up only (by the app-layer), read by every output thread. */
static OutputAppProtoNameFn g_app_proto_name;

void output_set_app_proto_names(OutputAppProtoNameFn fn)
{
    g_app_proto_name = fn;
}

void eve_add_app_proto(JsonBuf *jb, uint16_t app_proto)
{
    if (app_proto == 0 || g_app_proto_name == NULL) {
        return;
    }
    const char *name = g_app_proto_name(app_proto);
    if (name != NULL && name[0] != '\0') {
        json_str(jb, "app_proto", name);
    }
}

void eve_add_flow_counters(JsonBuf *jb, const Flow *f)
{
    const PacketFlowCounters c = {
        .pkts_toserver = f->pkts_toserver, .pkts_toclient = f->pkts_toclient,
        .bytes_toserver = f->bytes_toserver, .bytes_toclient = f->bytes_toclient,
        .start_sec = f->start_sec, .start_usec = f->start_usec,
    };
    eve_add_counters(jb, &c);
}

void eve_add_counters(JsonBuf *jb, const PacketFlowCounters *f)
{
    json_u64(jb, "pkts_toserver", f->pkts_toserver);
    json_u64(jb, "pkts_toclient", f->pkts_toclient);
    json_u64(jb, "bytes_toserver", f->bytes_toserver);
    json_u64(jb, "bytes_toclient", f->bytes_toclient);
    eve_add_timestamp(jb, "start", f->start_sec, f->start_usec);
}

/* packet_info.linktype_name: the names Suricata prints (libpcap's for most,
 * "IPv4"/"IPv6" for the raw IP link types, "RAW2" for 101), "n/a" otherwise. */
static const char *linktype_name(int linktype)
{
    switch (linktype) {
    case 0:
        return "NULL";
    case 1:
        return "EN10MB";
    case 9:
        return "PPP";
    case 12:
        return "RAW";
    case 101:
        return "RAW2";
    case 104:
        return "C_HDLC";
    case 113:
        return "LINUX_SLL";
    case 228:
        return "IPv4";
    case 229:
        return "IPv6";
    case 276:
        return "LINUX_SLL2";
    case 778:
        return "GRE_RAW";
    default:
        return "n/a";
    }
}

void eve_add_packet(JsonBuf *jb, const Packet *p, uint32_t max_len)
{
    uint32_t len = max_len != 0 && max_len < p->caplen ? max_len : p->caplen;
    json_base64(jb, "packet", p->data, len);
    json_open_object(jb, "packet_info");
    json_i64(jb, "linktype", p->linktype);
    json_str(jb, "linktype_name", linktype_name((int)p->linktype));
    json_close_object(jb);
}
