#ifndef VG_OUTPUT_OUTPUT_H
#define VG_OUTPUT_OUTPUT_H

/* Output: the EVE JSON sink and the record types built on it (common header,
 * stats, anomaly), and the stats.log text file. See src/output/README.md. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode/packet-types.h"
#include "flow/flow-types.h"
#include "util/util-json.h"

/* ---- EVE sink (output-eve.c) ------------------------------------------ */

/* The EVE sink shared by every thread: one or more eve-log outputs, each
 * taking the record types its `types:` lists (output-sink-internal.h). A
 * configured output queues records for its own writer thread; eve_sink_open
 * gives one regular file written directly on the caller's thread (each
 * record or batch in one write under the output's mutex, so records from
 * different threads never interleave). A slow or failing target makes
 * writes fail (counted), never hang: a write that cannot progress within
 * about a second is abandoned. */
typedef struct EveSink EveSink;

typedef struct EveSinkStats {
    uint64_t records;            // records written
    uint64_t bytes;              // bytes written
    uint64_t write_errors;       // writes that failed or were cut short
    uint64_t dropped;            // records lost: queue full, write failed, builder failed
    uint64_t produced;           // records handed to an output (written + dropped, when idle)
    uint64_t reconnects;         // reconnections of network targets
} EveSinkStats;

/* Open (create, mode 0640) path for appending. NULL on failure, logged. */
__attribute__((warn_unused_result)) EveSink *eve_sink_open(const char *path);
/* Write one complete record (json_complete) plus '\n'. Any thread.
 * Returns 0, VG_EINVAL for a failed/incomplete record (counted as dropped),
 * or VG_EIO when the write failed. */
int eve_sink_write(EveSink *sink, const JsonBuf *jb);
/* Write bytes that already hold whole '\n'-terminated records, in one
 * write under the mutex (batches from EveThreadBuf). Returns 0 or VG_EIO. */
int eve_sink_write_lines(EveSink *sink, const char *data, size_t len, uint64_t n_records);
/* Close and reopen the same path (log rotation, SIGHUP). On failure the old
 * file stays in use and VG_EIO is returned. Any thread. */
int eve_sink_reopen(EveSink *sink);
/* Wait (at most timeout_ms per output) until every queued record has been
 * handed to its target, then flush the targets (fdatasync for files).
 * Returns 0, or VG_EIO when a queue did not empty or a flush failed. */
int eve_sink_drain(EveSink *sink, int64_t timeout_ms);
/* eve_sink_drain with 5 s. */
int eve_sink_flush(EveSink *sink);
void eve_sink_get_stats(EveSink *sink, EveSinkStats *out);
/* Close the file and free the sink; NULL is accepted. No thread may still
 * be writing to it. */
void eve_sink_close(EveSink *sink);

/* A filetype for eve-log outputs (plugin API register_eve_sink; start-up
 * only, before outputs open). 0, VG_EEXIST when the filetype is taken,
 * VG_EVERSION / VG_EINVAL for a bad descriptor (logged). */
struct VgEveSinkOps;
int eve_sink_ops_register(const struct VgEveSinkOps *ops);
/* The same checks without registering (a plugin's staged registration). */
int eve_sink_ops_check(const struct VgEveSinkOps *ops);

/* Per-thread batching in front of a sink: records are appended to a local
 * buffer and written as one batch when it passes EVE_THREAD_BUF_FLUSH_BYTES
 * or on eve_thread_buf_flush. Owned and used by one thread. */
typedef struct EveThreadBuf EveThreadBuf;

#define EVE_THREAD_BUF_FLUSH_BYTES ((size_t)64 * 1024)

__attribute__((warn_unused_result)) EveThreadBuf *eve_thread_buf_new(EveSink *sink);
/* Returns as eve_sink_write; VG_EIO reports a failed batch write. */
int eve_thread_buf_write(EveThreadBuf *tb, const JsonBuf *jb);
int eve_thread_buf_flush(EveThreadBuf *tb);
/* Flushes what is pending, then frees; NULL is accepted. */
void eve_thread_buf_free(EveThreadBuf *tb);

/* ---- text log files (output-text-file.c) ------------------------------ */

/* A text log (fast.log, stats.log) shared by every thread that writes it and
 * reopened by name on SIGHUP. Opened O_APPEND (mode 0640): after logrotate's
 * copytruncate the next write lands at the new end of the file; after its
 * create mode (file renamed, then SIGHUP) the reopen starts a new file and
 * what was buffered for the old one is written to the old one. */
typedef struct OutputTextFile OutputTextFile;

/* Open (create) path for appending. NULL on failure, logged. */
__attribute__((warn_unused_result)) OutputTextFile *output_text_file_open(const char *path);
/* Take the file for a run of writes and return its stream; the stream is
 * valid until output_text_file_unlock. Any thread. */
FILE *output_text_file_lock(OutputTextFile *tf);
void output_text_file_unlock(OutputTextFile *tf);
/* Write text under the lock (buffered). Returns 0 or VG_EIO. Any thread. */
int output_text_file_write(OutputTextFile *tf, const char *text);
/* Open the path again and swap streams under the lock; on failure the old
 * file stays in use and VG_EIO is returned (logged). Any thread. */
int output_text_file_reopen(OutputTextFile *tf);
const char *output_text_file_path(const OutputTextFile *tf);
/* Flush, close and free; NULL is accepted. No thread may still write. */
void output_text_file_close(OutputTextFile *tf);

/* ---- common record header (output-eve-common.c) ----------------------- */

#define OUTPUT_ADDR_STR_SIZE 46      // INET6_ADDRSTRLEN

/* "192.0.2.1", or IPv6 in full (eight groups of four hex digits, as
 * Suricata prints it). Returns 0, VG_EINVAL when the family is unset,
 * VG_ERANGE when size is too small. */
int output_addr_to_str(const VgAddr *addr, char *buf, size_t size);
/* The same with IPv6 in inet_ntop's compressed form ("fe80::1"). */
int output_addr_to_str_compressed(const VgAddr *addr, char *buf, size_t size);
/* The form the eve-log ipv6-compress option asks for (default full). */
int eve_addr_to_str(const VgAddr *addr, char *buf, size_t size);

/* The IANA keyword Suricata prints for an IP protocol ("TCP", "IPv6-ICMP"),
 * NULL for numbers it prints as digits. */
const char *output_proto_name(uint8_t proto);

/* Inside an open "flow" object: the packet and byte counters of both
 * directions and "start" (shared by flow records and alerts' flow objects). */
void eve_add_flow_counters(JsonBuf *jb, const Flow *f);
/* The same from a packet's snapshot (no flow lock needed). */
void eve_add_counters(JsonBuf *jb, const PacketFlowCounters *c);

/* app_proto, as Suricata writes it: the name of the flow's application
 * protocol ("http", or "failed" when detection ran and found none); absent
 * while it is unknown (0: no detection has run or finished). Names come from
 * the hook the app-layer installs at start-up (output_set_app_proto_names);
 * without one, or for an id it does not name, nothing is written. The caller
 * passes the id it may read: f->app_proto under the flow lock (flow records),
 * or a copy the flow stage took for the packet (alerts). */
typedef const char *(*OutputAppProtoNameFn)(uint16_t app_proto);
void output_set_app_proto_names(OutputAppProtoNameFn fn);
void eve_add_app_proto(JsonBuf *jb, uint16_t app_proto);

/* Write key: "2009-07-03T12:34:56.123456+0000". */
void eve_add_timestamp(JsonBuf *jb, const char *key, int64_t sec, uint32_t usec);

/* Reset jb, open the top-level object and write the fields Suricata puts
 * first in a packet record, in its order: timestamp, flow_id (non-zero),
 * pcap_cnt (non-zero), event_type, vlan, src_ip, src_port, dest_ip,
 * dest_port, proto, ip_v, icmp_type, icmp_code, pkt_src. Addresses are the
 * packet's own source and destination. The object stays open. */
void eve_begin_packet(JsonBuf *jb, const Packet *p, uint64_t flow_id, const char *event_type);

/* Same for a record about a flow: src is the flow's client side, ICMP type
 * and code come from the flow key. The object stays open. */
void eve_begin_flow(JsonBuf *jb, const Flow *f, int64_t sec, uint32_t usec,
                    const char *event_type);
/* Same, for a record about data of one direction (unidirectional transactions):
 * is_toclient turns the tuple (src is the server); pcap_cnt written when non-zero,
 * pkt_src (the packet writing the record) when not NULL. */
void eve_begin_flow_dir(JsonBuf *jb, const Flow *f, int64_t sec, uint32_t usec,
                        const char *event_type, bool is_toclient, uint64_t pcap_cnt,
                        const char *pkt_src);
/* Same, with client (when not NULL) written as the client side's address in place of
 * the flow's (X-Forwarded-For overwrite mode of http records). */
void eve_begin_flow_dir_client(JsonBuf *jb, const Flow *f, int64_t sec, uint32_t usec,
                               const char *event_type, bool is_toclient, uint64_t pcap_cnt,
                               const char *pkt_src, const VgAddr *client);

/* ---- optional record fields (output-eve-fields.c) --------------------- */

/* What every EVE record may carry besides its own fields (eve-log options
 * community-id, community-id-seed, ethernet, metadata; sensor-name; the
 * capture interface). Set once at start-up, before packet threads run. */
typedef struct EveFieldsCfg {
    bool community_id;           // "community_id" in flow, alert, app-layer, anomaly records
    uint16_t community_id_seed;
    bool ethernet;               // "ether": MAC addresses of packet records
    bool metadata;               // "metadata": the flow's flowbits and flowints (default yes)
    const char *sensor_name;     // "host", NULL: none (not owned: lives as long as the config)
    const char *in_iface;        // "in_iface", NULL offline (not owned: engine options)
    bool ipv6_compress;          // ipv6-compress: "fe80::1" instead of the full form
    bool pcap_file;              // pcap-file: "pcap_filename" in every record (offline runs)
} EveFieldsCfg;

void eve_fields_configure(const EveFieldsCfg *cfg);   // NULL: all off
const EveFieldsCfg *eve_fields_cfg(void);

/* "1:" + base64 of a SHA-1: 31 bytes with the NUL. */
#define OUTPUT_COMMUNITY_ID_SIZE 32
/* Community ID v1 (corelight community-id-spec) of a tuple: for ICMP and
 * ICMPv6, sp is the type and dp the code. Returns 0, VG_EINVAL (addresses of
 * no or different families), VG_ERANGE (size too small). */
int output_community_id(const VgAddr *src, const VgAddr *dst, uint16_t sp, uint16_t dp,
                        uint8_t proto, uint16_t seed, char *out, size_t size);
/* The same for a flow's key (its client's first ICMP type and code). */
int output_community_id_flow(const Flow *f, uint16_t seed, char *out, size_t size);

/* Each writes its field when configured, else nothing. */
void eve_add_community_id(JsonBuf *jb, const Flow *f);
void eve_add_ether(JsonBuf *jb, const Packet *p, bool is_reversed);
/* `ether` of a record about a flow: src_mac/dest_mac of the record's
 * direction (app-layer records), or the src_macs/dest_macs lists (flow
 * records), from the first frame of each direction. */
void eve_add_ether_flow(JsonBuf *jb, const struct Flow *f, bool is_toclient, bool is_flow_record);
/* "in_iface": iface (the packet's or the flow's interface) when not NULL,
 * else the run's single live interface, else nothing. */
void eve_add_in_iface(JsonBuf *jb, const char *iface);
void eve_add_host(JsonBuf *jb);
/* "packet" (the captured frame in base64, its first max_len bytes when
 * max_len is not 0) and "packet_info" {linktype, linktype_name}. */
void eve_add_packet(JsonBuf *jb, const Packet *p, uint32_t max_len);
/* "pcap_filename" (eve-log pcap-file: yes; runs reading capture files): the
 * name of capture file idx (1-based, Packet.pcap_file / Flow.pcap_file; 0:
 * the file being read now), as the engine opened it. Nothing when off or
 * when the name is unknown (live capture). */
void eve_add_pcap_filename(JsonBuf *jb, uint32_t idx);
/* The names behind it: fn(idx, user) returns file idx's name (0: the current
 * one) or NULL. Installed at start-up (output_ctx_attach_engine). */
typedef const char *(*OutputPcapFileFn)(uint32_t idx, void *user);
void output_set_pcap_file_names(OutputPcapFileFn fn, void *user);

/* Flow and packet variables: detection installs fn at start-up; fn writes
 * "metadata":{"flowbits":[..],"flowints":{..},"flowvars":[..],"pktvars":[..]}
 * (and "traffic":{"id":[..],"label":[..]} for traffic/ flowbits) for what is set on the flow f and the packet p (either may be NULL;
 * nothing when none is set), any (may be NULL) says cheaply whether the
 * rules use variables at all. fn with the flow lock held, any without. */
typedef void (*OutputFlowVarsFn)(JsonBuf *jb, const Packet *p, const Flow *f, void *user);
typedef bool (*OutputFlowVarsAnyFn)(void *user);
void output_set_flow_vars_logger(OutputFlowVarsFn fn, OutputFlowVarsAnyFn any, void *user);
bool eve_flow_vars_wanted(void);
/* The caller holds f->lock. */
void eve_add_flow_vars_locked(JsonBuf *jb, const Flow *f);
/* p's variables and its flow's: takes p->flow's lock (unless p is a
 * flow-end pseudo packet, whose lock the flow-end work holds). */
void eve_add_flow_vars(JsonBuf *jb, const Packet *p);
/* The same when the caller holds p->flow's lock. */
void eve_add_packet_vars_locked(JsonBuf *jb, const Packet *p);

/* ---- stats (output-eve-stats.c, output-stats-log.c) ------------------- */

/* Build the EVE stats record from merged counter values (counters_merge
 * output, counters_count() entries): dotted counter names become nested
 * objects, every counter is written, zeros included. The name tree is built
 * on first use and rebuilt when the registry changes. Returns 0 or
 * VG_ENOMEM / VG_EINVAL (record failed). Stats thread (serialised inside). */
int output_eve_stats_build(JsonBuf *jb, int64_t sec, uint32_t usec, uint64_t uptime_sec,
                           const uint64_t *merged);
/* The same with a choice of parts (EVE stats options `totals` and `threads`):
 * the totals when merged is non-NULL; with_threads adds "threads": one object
 * per named counter set (thread name -> its non-zero counters, nested the
 * same way), in name order, ended threads with their last values. */
int output_eve_stats_build_sel(JsonBuf *jb, int64_t sec, uint32_t usec, uint64_t uptime_sec,
                               const uint64_t *merged, bool with_threads);
/* Build (as _sel) and write it to sink. Returns as above or eve_sink_write. */
int output_eve_stats_write(EveSink *sink, JsonBuf *jb, int64_t sec, uint32_t usec,
                           uint64_t uptime_sec, const uint64_t *merged, bool with_threads);
/* A section adds members that are not counters to a top-level stats object
 * (e.g. "engines" under "detect"); fn writes them into the open object.
 * Start-up only. */
typedef void (*OutputStatsSectionFn)(JsonBuf *jb, void *user);
/* eve-log stats null-values: write counters at zero (default yes); with
 * no, zero counters and groups of zeros are left out. Start-up only. */
void output_eve_stats_set_null_values(bool on);
int output_eve_stats_add_section(const char *name, OutputStatsSectionFn fn, void *user);
void output_eve_stats_clear_sections(void);
/* Free the cached name tree (end of run, tests). */
void output_eve_stats_deinit(void);

/* Append one stats.log block in Suricata's layout to out and flush it:
 * a dashed header with the local date and uptime, then one line per counter
 * "name | Total | value" in registration order. Counters at zero are left
 * out unless include_zeros (Suricata's null-values option). Returns 0 or
 * VG_EIO. Stats thread (the only writer of stats.log). */
int output_stats_log_write(FILE *out, int64_t sec, uint64_t uptime_sec, const uint64_t *merged,
                           bool include_zeros);

/* ---- anomaly (output-eve-anomaly.c) ----------------------------------- */

/* The family of an event, as anomaly.types selects them: decode for
 * decoder.* events, stream for stream.* events, unknown for ids without a
 * name. (App-layer events are not packet events; their records come from the
 * app-layer, gated by anomaly.types.applayer.) */
typedef enum OutputAnomalyType {
    OUTPUT_ANOMALY_UNKNOWN = 0,
    OUTPUT_ANOMALY_DECODE,
    OUTPUT_ANOMALY_STREAM,
} OutputAnomalyType;

OutputAnomalyType output_anomaly_type(uint16_t event);

/* Build the anomaly record for one decoder event of p:
 * "anomaly":{"type":"decode","event":"decoder.ipv4.trunc_pkt"}
 * ("stream" type for stream.* events, "unknown" with "code" otherwise);
 * with packethdr, the packet's first 32 bytes ("packet", "packet_info"). */
#define OUTPUT_ANOMALY_PACKETHDR_LEN 32u
void output_eve_anomaly_build(JsonBuf *jb, const Packet *p, uint64_t flow_id, uint16_t event,
                              bool packethdr);
/* An app-layer event: "tx_id" (when has_tx) and
 * "anomaly":{"app_proto":..,"type":"applayer","event":..,"layer":..}. */
void output_eve_anomaly_app_build(JsonBuf *jb, const Packet *p, uint64_t flow_id,
                                  const char *app_proto, bool has_tx, uint64_t tx_id,
                                  const char *event, const char *layer);

/* Write one anomaly record per event stored on p. Returns 0, or the first
 * error from eve_sink_write (the other events are still written). */
int output_eve_anomaly_packet(EveSink *sink, JsonBuf *jb, const Packet *p, uint64_t flow_id);

#endif
