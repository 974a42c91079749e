#ifndef VG_OUTPUT_OUTPUT_PCAP_LOG_H
#define VG_OUTPUT_OUTPUT_PCAP_LOG_H

/* pcap-log (Suricata's `- pcap-log:` output, mode normal): packets from the
 * wire written to <filename>.<time of the file's first packet> in the log
 * directory, a new file when the next packet would pass `limit`, the oldest
 * removed past `max-files` (0: none). `conditional`: all (default), alerts
 * (packets of a flow from its first alert on, and alerting packets), tag
 * (alerting and tagged packets). `honor-pass-rules`: not the packets of a
 * flow a pass rule matched. Internal to src/output (output-module.c). */

#include <stdbool.h>

#include "conf/conf.h"
#include "decode/packet-types.h"
#include "flow/flow-types.h"

typedef struct PcapLog PcapLog;

/* item: the `outputs:` list entry holding the pcap-log map. NULL on a bad
 * option (logged with file and line). */
PcapLog *output_pcap_log_new(const struct Conf *conf, const ConfNode *item, const char *log_dir)
    __attribute__((warn_unused_result));
bool output_pcap_log_enabled(const struct Conf *conf, const ConfNode *item);
/* Write p if the conditional takes it. Any output thread (serialised inside;
 * takes p->flow's lock briefly for alerts / honor-pass-rules). */
void output_pcap_log_packet(PcapLog *pl, const Packet *p);
void output_pcap_log_free(PcapLog *pl);

#endif
