#ifndef VG_RESPOND_RESPOND_H
#define VG_RESPOND_RESPOND_H

/* Active responses (respond-reject.c): resets and ICMP errors for reject
 * rules when Vigil is inline on NFQUEUE. One RespondReject per thread. */

#include "decode/packet-types.h"
#include "runtime/counters.h"

typedef struct RespondReject {
    int fd4;                     // raw IPv4 socket (IP_HDRINCL)
    int fd6;                     // raw IPv6 socket; -1 when unavailable
    CounterId c_rst;
    CounterId c_icmp;
    CounterId c_errors;
    CounterId c_tunnel;          // respond.tunnel_not_answered
} RespondReject;

/* Opens the raw sockets; fails (logged) without CAP_NET_RAW. */
int respond_reject_init(RespondReject *rr);
void respond_reject_deinit(RespondReject *rr);
/* p was dropped: when one of its alerts is a reject action, send the reset
 * or ICMP error(s) it asks for. cs: the calling thread's counters. */
void respond_reject_packet(RespondReject *rr, const Packet *p, CounterSet *cs);

#endif
