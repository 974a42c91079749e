#ifndef VG_RUNTIME_ENGINE_H
#define VG_RUNTIME_ENGINE_H

/* The engine: what main builds at start-up and every module may read.
 * Written by the main thread before packet threads start (and swapped
 * atomically for the detection engine on reload); read-only for threads.
 * Subsystem objects are opaque here so that runtime depends on no later stage. */

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "decode/decode.h"

struct Conf;
struct FlowTable;
struct DetectEngine;
struct EveSink;
struct PacketPool;
struct OutputCtx;
struct ThreadVars;
struct Engine;

typedef struct EngineOptions {
    const char *pcap_path;           // -r
    const char *config_path;         // -c (NULL: built-in defaults or etc/vigil.yaml)
    const char *log_dir;             // -l
    const char *exclusive_rules[16]; // -S (repeatable)
    int n_exclusive_rules;
    const char *firewall_rules;      // --firewall-rules-exclusive
    const char *extra_rules[16];     // -s (repeatable)
    int n_extra_rules;
    const char *runmode;             // --runmode
    ChecksumMode checksum_mode;      // -k
    bool checksum_set;               // -k given
    bool simulate_ips;
    bool daemon;                     // -D
    const char *pidfile;             // --pidfile
    const char *run_user;            // --user (else run-as.user)
    const char *run_group;           // --group (else run-as.group)
    uint16_t nfq_queues[16];         // -q N / -q A:B (repeatable): NFQUEUE numbers
    int n_nfq_queues;
    const char *live_iface;          // -i IF / --pcap=IF: live capture through libpcap
    const char *af_packet_iface;     // --af-packet[=IF]: live capture through AF_PACKET
    const char *bpf_filter;          // words after the options (live capture only)
    bool test_config;                // -T
    bool engine_analysis;            // --engine-analysis: -T that writes rules.json
    bool allow_empty_rules;          // --allow-empty-rules: -T passes with no rule loaded
    int verbose;
} EngineOptions;

/* A management task (flow manager, stats): run by its own thread every
 * interval_ms of wall time while packets flow, and once more with
 * is_final = true after every packet thread has ended. */
typedef struct EngineTask {
    const char *thread_name;         // "FM#01", "CS#01"
    void (*run)(struct Engine *e, bool is_final, void *user);
    void *user;
    uint32_t interval_ms;
} EngineTask;

#define ENGINE_MAX_TASKS 8

typedef struct Engine {
    EngineOptions opts;
    struct Conf *conf;
    struct PacketPool *pool;
    struct FlowTable *flow_table;
    _Atomic(struct DetectEngine *) detect;   // swapped whole on reload
    struct OutputCtx *output;
    bool is_inline;                  // --simulate-ips or NFQUEUE
    bool is_live_inline;             // NFQUEUE: verdicts go to the kernel, reject sends packets
    /* Live acquisition: the acquire module the preset runmodes start with
     * (NULL: pcap-file) and how many reading threads (one per queue). */
    const char *acquire_module;
    uint32_t acquire_threads;
    bool is_reload_strict;           // detect.reload-strict: reload only a rule set that loads whole
    /* Offline time: the newest packet timestamp seen by acquisition, which
     * writes it for nearly every packet. On a cache line of its own with
     * offline_pkts: sharing one with what other threads read per packet
     * (packet_done, stop, ...) made every worker miss on it (issue 15). */
    _Alignas(64) _Atomic int64_t now_sec;
    _Atomic uint32_t now_usec;
    uint64_t offline_pkts;           // packets read (acquire thread only; for on_new_second)
    _Alignas(64) _Atomic bool stop;  // SIGINT/SIGTERM or end of input
    _Atomic bool reopen_logs;        // SIGHUP
    _Atomic bool reload_rules;       // SIGUSR2
    /* Called for every packet at the end of its journey, before it goes back
     * to the pool (drops the flow reference). Set at start-up. */
    void (*packet_done)(Packet *p);
    /* Called by a thread for each root it is about to hand to a thread group
     * that runs the flow stage through the flow handler (in capture order
     * when that thread is the only one of its group). Set at start-up; may be
     * NULL. */
    void (*steer_prepare)(struct ThreadVars *tv, Packet *p);
    /* Threads that look flows up: those running the flow stage and those
     * steering to them (steer_prepare). Set by the runmode before threads
     * start; the flow table splits its memcap between them. */
    uint32_t n_flow_owners;
    /* Offline time: called by the acquire thread (before it dispatches the
     * packet) whenever packet time enters a new second. Runs what is due in
     * packet time: flow timeouts, periodic stats. Set at start-up. */
    void (*on_new_second)(struct Engine *e, int64_t sec);
    EngineTask tasks[ENGINE_MAX_TASKS];
    int n_tasks;
    /* Offline: the capture files -r names, in reading order (the pcap-file
     * reader lists them in its thread_init; engine_teardown frees them, so
     * records written after the reader ended can still name them). A packet's
     * pcap_file is a 1-based index into them; pcap_file_cur is the one being
     * read (0 before the first), written by the reader only. */
    char **pcap_files;
    size_t n_pcap_files;
    /* Offline: the capture files read in place (mapped; packets point into them),
     * added by the reader thread, unmapped by engine_teardown (acquire_file_maps_free). */
    struct AcquireFileMap *pcap_maps;
    _Atomic uint32_t pcap_file_cur;
    _Atomic int64_t start_sec;       // first packet time: written before have_start
    _Atomic bool have_start;         // set once by the acquire thread
} Engine;

/* Acquire threads: move the engine clock to a packet's timestamp (never
 * backwards) and run on_new_second when the second changes. */
void runtime_time_advance(Engine *e, int64_t sec, uint32_t usec);

#endif
