/* Decoder entry points: counters, per-thread context, the link-type and
 * ethertype dispatch, events, checksum auto mode. */

#include "decode/decode.h"

#include <stdatomic.h>
#include <stddef.h>
#include <string.h>

#include "decode/decode-internal.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define COUNTER_NAME_MAX 96

/* Auto checksum mode: decide once after this many checks (Suricata's rule
 * of thumb: more than 10% bad means the NIC offloads checksums). */
#define CSUM_AUTO_SAMPLE 1000u
#define CSUM_AUTO_BAD_PERCENT 10u

static const char *const counter_names[DC_COUNT] = {
    [DC_PKTS] = "decoder.pkts",
    [DC_BYTES] = "decoder.bytes",
    [DC_INVALID] = "decoder.invalid",
    [DC_IPV4] = "decoder.ipv4",
    [DC_IPV6] = "decoder.ipv6",
    [DC_ETHERNET] = "decoder.ethernet",
    [DC_ARP] = "decoder.arp",
    [DC_UNKNOWN_ETHERTYPE] = "decoder.unknown_ethertype",
    [DC_RAW] = "decoder.raw",
    [DC_NULL] = "decoder.null",
    [DC_SLL] = "decoder.sll",
    [DC_SLL2] = "decoder.sll2",
    [DC_TCP] = "decoder.tcp",
    [DC_UDP] = "decoder.udp",
    [DC_SCTP] = "decoder.sctp",
    [DC_ESP] = "decoder.esp",
    [DC_ICMPV4] = "decoder.icmpv4",
    [DC_ICMPV6] = "decoder.icmpv6",
    [DC_PPP] = "decoder.ppp",
    [DC_PPPOE] = "decoder.pppoe",
    [DC_GRE] = "decoder.gre",
    [DC_VLAN] = "decoder.vlan",
    [DC_VLAN_QINQ] = "decoder.vlan_qinq",
    [DC_VLAN_QINQINQ] = "decoder.vlan_qinqinq",
    [DC_VXLAN] = "decoder.vxlan",
    [DC_TEREDO] = "decoder.teredo",
    [DC_IPV4_IN_IPV4] = "decoder.ipv4_in_ipv4",
    [DC_IPV6_IN_IPV4] = "decoder.ipv6_in_ipv4",
    [DC_IPV4_IN_IPV6] = "decoder.ipv4_in_ipv6",
    [DC_IPV6_IN_IPV6] = "decoder.ipv6_in_ipv6",
    [DC_MPLS] = "decoder.mpls",
    [DC_CHDLC] = "decoder.chdlc",
    [DC_IEEE8021AH] = "decoder.ieee8021ah",
    [DC_VNTAG] = "decoder.vntag",
    [DC_ERSPAN] = "decoder.erspan",
    [DC_NSH] = "decoder.nsh",
    [DC_GENEVE] = "decoder.geneve",
    [DC_AVG_PKT_SIZE] = "decoder.avg_pkt_size",
    [DC_MAX_PKT_SIZE] = "decoder.max_pkt_size",
    [DC_TOO_MANY_LAYERS] = "decoder.too_many_layers",
    [DC_IPV4_CSUM_BAD] = "decoder.ipv4_csum_bad",
    [DC_L4_CSUM_BAD] = "decoder.l4_csum_bad",
};

/* Set by the first thread that turns validation off, so the notice is
 * logged once per process. */
static atomic_bool g_csum_auto_logged;

static CounterKind counter_kind(DecodeCounter c)
{
    switch (c) {
    case DC_MAX_PKT_SIZE:
        return COUNTER_MAX;
    default:
        return COUNTER_SUM;
    }
}

/* "decoder.event.<event name>" into buf (always terminated). Stream events
 * keep their own name ("stream.3whs_ack_in_wrong_dir"), as Suricata counts
 * them. */
static void event_counter_name(DecodeEvent ev, char *buf, size_t size)
{
    static const char dflt_prefix[] = "decoder.event.";
    const char *name = decode_event_name(ev);
    const char *prefix = strncmp(name, "stream.", 7) == 0 ? "" : dflt_prefix;
    size_t plen = strlen(prefix);
    size_t nlen = strlen(name);
    if (plen + nlen >= size) {
        nlen = size - plen - 1;
    }
    memcpy(buf, prefix, plen);
    memcpy(buf + plen, name, nlen);
    buf[plen + nlen] = '\0';
}

void decode_register_counters(void)
{
    for (int c = 0; c < DC_COUNT; c++) {
        if (c == DC_AVG_PKT_SIZE) {
            /* Derived when counters are merged: right for any number of
             * decode threads, and after they have ended (the final record). */
            (void)counters_register_avg(counter_names[c], counter_names[DC_BYTES],
                                        counter_names[DC_PKTS]);
        } else {
            (void)counters_register(counter_names[c], counter_kind((DecodeCounter)c));
        }
    }
    for (int ev = DECODE_EV_NONE + 1; ev < DECODE_EV_MAX; ev++) {
        char name[COUNTER_NAME_MAX];
        event_counter_name((DecodeEvent)ev, name, sizeof(name));
        (void)counters_register(name, COUNTER_SUM);
    }
    atomic_store(&g_csum_auto_logged, false);
}

/* Id of a registered counter; an unregistered name lands in the overflow
 * slot, which no report shows. */
static CounterId counter_lookup(const char *name)
{
    CounterId id;
    if (!counters_find(name, &id)) {
        return COUNTERS_MAX - 1;
    }
    return id;
}

void decode_thread_init(DecodeThreadCtx *dtv, CounterSet *counters, ChecksumMode mode)
{
    memset(dtv, 0, sizeof(*dtv));
    dtv->counters = counters;
    for (int c = 0; c < DC_COUNT; c++) {
        dtv->cid[c] = counter_lookup(counter_names[c]);
    }
    dtv->ev_cid[DECODE_EV_NONE] = COUNTERS_MAX - 1;
    for (int ev = DECODE_EV_NONE + 1; ev < DECODE_EV_MAX; ev++) {
        char name[COUNTER_NAME_MAX];
        event_counter_name((DecodeEvent)ev, name, sizeof(name));
        dtv->ev_cid[ev] = counter_lookup(name);
    }
    dtv->checksum_mode = mode;
    dtv->validate_checksums = mode != CHECKSUM_NONE;
    dtv->vxlan_enabled = true;
    dtv->vxlan_port = 4789;
    dtv->teredo_enabled = true;
    dtv->teredo_ports[0] = 3544;
    dtv->n_teredo_ports = 1;
    dtv->teredo_any_port = false;
    dtv->geneve_enabled = true;
    dtv->geneve_port = 6081;
    dtv->ipip_enabled = true;
}

void decode_packet_reset(Packet *p)
{
    /* Everything from flags up to the later-stage fields is decode output.
     * PKT_F_PSEUDO is set by whoever built the packet, before decoding. */
    uint32_t keep = p->flags & PKT_F_PSEUDO;
    memset(&p->flags, 0, offsetof(Packet, flow) - offsetof(Packet, flags));
    p->flags = keep;
}

void decode_event(DecodeThreadCtx *dtv, Packet *p, DecodeEvent ev)
{
    if ((int)ev <= DECODE_EV_NONE || ev >= DECODE_EV_MAX) {
        return;
    }
    counters_incr(dtv->counters, dtv->ev_cid[ev]);
    if (ev == DECODE_EV_TOO_MANY_LAYERS) {
        decode_count(dtv, DC_TOO_MANY_LAYERS);
    }
    /* Stored every time it is raised, as Suricata: an event a packet has
     * twice (two options with a bad length) is logged twice. */
    if (p->n_events >= PACKET_MAX_EVENTS) {
        return;
    }
    p->events[p->n_events++] = (uint16_t)ev;
}

int decode_link_shim_enter(DecodeThreadCtx *dtv, Packet *p)
{
    if (p->n_link_shims >= PACKET_MAX_LINK_SHIMS) {
        decode_event(dtv, p, DECODE_EV_TOO_MANY_LAYERS);
        return VG_EINVAL;
    }
    p->n_link_shims++;
    return 0;
}

int decode_tunnel_enter(DecodeThreadCtx *dtv, Packet *p)
{
    if (p->tunnel_depth >= PACKET_MAX_TUNNEL_DEPTH) {
        decode_event(dtv, p, DECODE_EV_TOO_MANY_LAYERS);
        return VG_EINVAL;
    }
    p->tunnel_depth++;
    p->flags |= PKT_F_TUNNEL;
    p->l4 = PKT_L4_NONE;
    p->sp = 0;
    p->dp = 0;
    p->payload = NULL;
    p->payload_len = 0;
    return 0;
}

static void count_packet(DecodeThreadCtx *dtv, const Packet *p)
{
    CounterSet *cs = dtv->counters;
    counters_incr(cs, dtv->cid[DC_PKTS]);
    counters_add(cs, dtv->cid[DC_BYTES], p->caplen);
    counters_max(cs, dtv->cid[DC_MAX_PKT_SIZE], p->caplen);
}

static int decode_linktype(DecodeThreadCtx *dtv, Packet *p)
{
    const uint8_t *pkt = p->data;
    uint32_t len = p->caplen;
    switch (p->linktype) {
    case LINKTYPE_ETHERNET:
        return decode_ethernet(dtv, p, pkt, len);
    case LINKTYPE_RAW:
    case LINKTYPE_RAW_12:
    case LINKTYPE_RAW_14:
        return decode_raw(dtv, p, pkt, len);
    case LINKTYPE_IPV4:
        return decode_ipv4(dtv, p, pkt, len);
    case LINKTYPE_IPV6:
        return decode_ipv6(dtv, p, pkt, len);
    case LINKTYPE_LINUX_SLL:
        return decode_sll(dtv, p, pkt, len);
    case LINKTYPE_LINUX_SLL2:
        return decode_sll2(dtv, p, pkt, len);
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
        return decode_null(dtv, p, pkt, len);
    case LINKTYPE_PPP:
    case LINKTYPE_PPP_HDLC:
        return decode_ppp_link(dtv, p, pkt, len);
    case LINKTYPE_CISCO_HDLC:
        return decode_chdlc(dtv, p, pkt, len);
    default:
        return VG_EUNSUPPORTED; // acquisition refuses such captures at open
    }
}

int decode_packet(DecodeThreadCtx *dtv, Packet *p)
{
    decode_packet_reset(p);
    count_packet(dtv, p);
    p->l2 = p->data;
    int rc = decode_linktype(dtv, p);
    /* Tunnel decoders that recognised their header report an inner
     * failure through the flag, not the return value. */
    if (rc < 0 || (p->flags & PKT_F_INVALID) != 0) {
        p->flags |= PKT_F_INVALID;
        decode_count(dtv, DC_INVALID);
        return rc < 0 ? rc : VG_EINVAL;
    }
    return 0;
}

int decode_ethertype(DecodeThreadCtx *dtv, Packet *p, uint16_t ethertype, const uint8_t *pkt,
                     uint32_t len)
{
    switch (ethertype) {
    case ETHERTYPE_IPV4:
        return decode_ipv4(dtv, p, pkt, len);
    case ETHERTYPE_IPV6:
        return decode_ipv6(dtv, p, pkt, len);
    case ETHERTYPE_ARP:
        return decode_arp(dtv, p, pkt, len);
    case ETHERTYPE_VLAN:
    case ETHERTYPE_QINQ:
    case ETHERTYPE_QINQ_OLD:
        return decode_vlan(dtv, p, pkt, len);
    case ETHERTYPE_IEEE8021AH:
        return decode_ieee8021ah(dtv, p, pkt, len);
    case ETHERTYPE_FABRICPATH:
        return decode_fabricpath(dtv, p, pkt, len);
    case ETHERTYPE_VNTAG:
        return decode_vntag(dtv, p, pkt, len);
    case ETHERTYPE_NSH:
        return decode_nsh(dtv, p, pkt, len);
    case ETHERTYPE_PPPOE_SESS:
        return decode_pppoe_session(dtv, p, pkt, len);
    case ETHERTYPE_PPPOE_DISC:
        return decode_pppoe_discovery(dtv, p, pkt, len);
    case ETHERTYPE_MPLS_UC:
    case ETHERTYPE_MPLS_MC:
        return decode_mpls(dtv, p, pkt, len);
    case ETHERTYPE_TEB:
        if (decode_tunnel_enter(dtv, p) < 0) {
            return VG_EINVAL;
        }
        return decode_ethernet(dtv, p, pkt, len);
    default:
        /* The caller decides whether an unknown type is an error. */
        decode_count(dtv, DC_UNKNOWN_ETHERTYPE);
        return VG_EUNSUPPORTED;
    }
}

void decode_csum_note(DecodeThreadCtx *dtv, bool bad)
{
    if (dtv->checksum_mode != CHECKSUM_AUTO || dtv->csum_checked >= CSUM_AUTO_SAMPLE) {
        return;
    }
    dtv->csum_checked++;
    if (bad) {
        dtv->csum_bad++;
    }
    if (dtv->csum_checked < CSUM_AUTO_SAMPLE) {
        return;
    }
    if (dtv->csum_bad * 100 > dtv->csum_checked * CSUM_AUTO_BAD_PERCENT) {
        dtv->validate_checksums = false;
        if (!atomic_exchange(&g_csum_auto_logged, true)) {
            VG_NOTICE("checksum validation disabled: most packets have bad checksums "
                      "(offloading?)");
        }
    }
}
