#ifndef VG_FLOW_FLOW_MODULE_H
#define VG_FLOW_FLOW_MODULE_H

#include "decode/packet-types.h"

struct ThreadVars;

/* Drop the flow reference a packet holds (Engine.packet_done). */
void flow_module_packet_done(Packet *p);
/* Engine.steer_prepare: give the packets of root p whose flows may carry a
 * tunnel (they carried one, or PKT_F_TUNNEL_PROTO) their flows in the
 * steering thread, before p is steered by its innermost packet (see
 * flow-module.c). */
void flow_module_steer_prepare(struct ThreadVars *tv, Packet *p);

#endif
