#ifndef VG_FLOW_FLOW_MODULE_H
#define VG_FLOW_FLOW_MODULE_H

#include "decode/packet-types.h"

/* Drop the flow reference a packet holds (Engine.packet_done). */
void flow_module_packet_done(Packet *p);

#endif
