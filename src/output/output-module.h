#ifndef VG_OUTPUT_OUTPUT_MODULE_H
#define VG_OUTPUT_OUTPUT_MODULE_H

/* The outputs an engine writes, configured from `outputs:` (Suricata's
 * layout), and the output thread module. Built by main before threads start;
 * the sinks inside are safe to share (each has its own lock). */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "flow/flow-types.h"
#include "output/output.h"
#include "util/util-json.h"

struct Conf;

/* Which clock paces the periodic stats records (stats.clock). */
typedef enum OutputStatsClock {
    OUTPUT_STATS_CLOCK_WALL = 0,     // every stats.interval seconds of real time (default)
    OUTPUT_STATS_CLOCK_PACKET,       // every stats.interval seconds of packet time
} OutputStatsClock;

typedef struct OutputCtx {
    char *log_dir;
    EveSink *eve;                    // every eve-log output; NULL when there is none
    uint32_t n_eve_outs;             // eve-log outputs configured (names 1, 2, ...)
    bool alert;                      // eve types
    bool alert_payload;
    bool alert_payload_printable;
    bool alert_packet;
    bool alert_payload_length;       // alert.payload-length: "payload_length"
    bool alert_rule;                 // alert.metadata.rule.raw: "alert.rule", the rule text
    bool alert_references;           // alert.metadata.rule.reference: "alert.references"
    bool alert_no_flow;              // alert.metadata: no, or metadata.flow: no: no "flow"
    bool alert_no_app_layer;         // ... or metadata.app-layer: no: no tx_id, app object,
                                     // app_proto
    bool alert_no_rule_metadata;     // ... or metadata.rule.metadata: no: no alert.metadata
    bool alert_tagged;               // alert.tagged-packets: "packet" records of tagged packets
    uint8_t alert_xff_mode;          // alert.xff: 0 off, 1 extra-data, 2 overwrite
    bool alert_xff_forward;          // alert.xff.deployment forward (first entry), else last
    const char *alert_xff_header;    // alert.xff.header (the config's string)
    bool anomaly;
    bool anomaly_decode;             // anomaly.types.decode: decoder.* events
    bool anomaly_stream;             // anomaly.types.stream: stream.* events
    bool anomaly_applayer;           // anomaly.types.applayer: app-layer events
    bool anomaly_packethdr;          // anomaly.packethdr: decode/stream records carry the
                                     // packet's first bytes
    bool flow;
    bool netflow;                    // "netflow": one record per direction at flow end
    bool arp;                        // "arp": one record per ARP packet
    bool flow_exception_policy;      // flow records: exception_policy (flow exception-policy: yes)
    bool drop;                       // drop records (inline)
    bool drop_alerts;                // with the alert that caused the drop
    bool eve_stats;
    bool eve_stats_totals;           // stats.totals: counters summed over threads
    bool eve_stats_threads;          // stats.threads: a "threads" object, one set per thread
    bool http;                       // http records (app-layer txs)
    bool http2;                      // http records of HTTP/2 (eve type http2, as Suricata)
    bool files;                      // fileinfo records
    bool dns;                        // dns records
    bool tls;                        // tls records
    bool ssh;                        // ssh records
    bool quic;                       // quic records
    bool smtp;                       // smtp records (with the email object)
    bool ftp;                        // ftp and ftp_data records
    bool smb;                        // smb records
    bool dcerpc;                     // dcerpc records (DCERPC over TCP)
    bool is_inline;                  // alert.action "blocked" for drop/reject
    struct PcapLog *pcap_log;        // pcap-log, NULL when disabled
    OutputTextFile *fast;            // fast.log, NULL when disabled
    OutputTextFile *stats_log;       // stats.log, NULL when disabled
    uint32_t stats_interval_sec;     // 0: no periodic stats (the final record is written)
    OutputStatsClock stats_clock;
    pthread_mutex_t flow_lock;       // guards flow_jb (flow manager, evictions, shutdown)
    JsonBuf flow_jb;
    pthread_mutex_t stats_lock;      // guards stats_jb and the stats schedule below
    JsonBuf stats_jb;
    int64_t last_stats_sec;          // packet clock: time of the last record
    int64_t last_stats_wall_ms;      // wall clock (monotonic): time of the last record
    int64_t start_wall_ms;           // monotonic time the outputs were opened
    _Atomic uint64_t n_alerts;       // added to by output threads
    _Atomic uint64_t n_alerts_sev[4]; // of those, severity 1, 2, 3, and any other
    _Atomic uint64_t n_flows;        // added to by whoever ends a flow
} OutputCtx;

/* Open every configured output in log_dir. NULL on error (logged). */
OutputCtx *output_ctx_new(const struct Conf *conf, const char *log_dir, bool is_inline);
void output_ctx_free(OutputCtx *oc);
/* After output_ctx_new, before packet threads start: the capture interface
 * (EVE in_iface) and the detection engine whose flow variables EVE metadata
 * names (read through e->detect, so reloads are followed). */
struct Engine;
void output_ctx_attach_engine(OutputCtx *oc, struct Engine *e);
/* Whether an eve-log output asks for types.alert.metadata.rule.<opt> in
 * alerts: "raw" (the rule text) or "reference" (its references); detection
 * then keeps them. */
bool output_conf_wants_rule_opt(const struct Conf *conf, const char *opt);
/* SIGHUP: reopen every file. */
/* What the run wrote to, for the summary: "eve.json, redis (eve-log 2),
 * fast.log, stats.log". */
void output_ctx_describe(const OutputCtx *oc, char *buf, size_t size);
void output_ctx_reopen(OutputCtx *oc);

/* Whether an anomaly record is written for this packet event: anomaly
 * enabled and its family selected in anomaly.types (decode: decoder.* and
 * unnamed events, stream: stream.* events). */
bool output_anomaly_wanted(const OutputCtx *oc, uint16_t event);

/* Write the flow record of an ended flow (FlowEndCb signature; user = OutputCtx). */
void output_flow_end(Flow *f, FlowEndReason reason, void *user);

/* Write stats now (EVE stats record and stats.log). Any thread
 * (serialised on stats_lock). */
void output_stats_write(OutputCtx *oc, int64_t sec, uint32_t usec, uint64_t uptime_sec);

/* A tick of one stats clock: writes the periodic record when clock is the
 * configured stats.clock and stats.interval has passed on it since the last
 * record, and always when is_final (the end of the run). start_sec and
 * now_sec/now_usec are the engine clock (packet time offline): the record's
 * timestamp, and with the packet clock its uptime and schedule too. With the
 * wall clock, uptime and schedule run on the monotonic clock from
 * output_ctx_new. Any thread (serialised on stats_lock). */
void output_stats_tick(OutputCtx *oc, OutputStatsClock clock, int64_t start_sec,
                       int64_t now_sec, uint32_t now_usec, bool is_final);

/* Alert record builders (output-eve-alert.c, output-fast.c). */
struct PacketAlert;
void output_eve_alert_build(JsonBuf *jb, const OutputCtx *oc, const Packet *p,
                            const struct PacketAlert *pa);
/* The "alert" object of an alert (also embedded in drop records). */
void output_eve_alert_fields(JsonBuf *jb, const OutputCtx *oc, const Packet *p,
                             const struct PacketAlert *pa);
/* The "verdict" object of alert records (and of drop records in firewall mode). */
void output_eve_verdict(JsonBuf *jb, const OutputCtx *oc, const Packet *p);
/* A drop record for a packet dropped inline (output-eve-drop.c). */
void output_eve_drop_build(JsonBuf *jb, const OutputCtx *oc, const Packet *p);
int output_fast_format(char *buf, size_t size, const OutputCtx *oc, const Packet *p,
                       const struct PacketAlert *pa);
/* The packet an alert is reported with: p, or (stream match on data flowing
 * opposite to p) tmp filled with p's tuple and direction swapped. */
const Packet *output_alert_packet(const Packet *p, const struct PacketAlert *pa, Packet *tmp);
/* The "packet" record of a tagged packet (event_type packet, base64 bytes). */
void output_eve_tagged_build(JsonBuf *jb, const Packet *p);
/* The "arp" record of an ARP packet (Suricata 8's type): hw_type,
 * proto_type, opcode and, for Ethernet/IPv4 addresses, src_mac, src_ip,
 * dest_mac, dest_ip. False when p is not ARP. */
bool output_eve_arp_build(JsonBuf *jb, const Packet *p);
/* Write p's alerts from outside the output module (flow-end detection in the
 * flow manager or an evicting packet thread); serialised on the flow lock. */
void output_packet_alerts(OutputCtx *oc, const Packet *p);

#endif
