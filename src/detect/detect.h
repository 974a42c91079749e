#ifndef VG_DETECT_DETECT_H
#define VG_DETECT_DETECT_H

/* Detection engine: Suricata rule language, compiled into port/protocol groups
 * with one prefilter per group, inspected per packet.
 *
 * Threads: a DetectEngine is built by the main thread, then read-only and shared
 * by every worker (the only mutable part, threshold state, has its own lock).
 * Each worker owns one DetectThread (scratch space, counters). detect_packet is
 * called with the flow lock held when p->flow is set. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode/packet-types.h"
#include "runtime/counters.h"

struct Conf;
struct Signature;

typedef struct DetectEngine DetectEngine;
typedef struct DetectThread DetectThread;

typedef enum DetectAction {
    DETECT_ACTION_ALERT = 0,
    DETECT_ACTION_PASS,
    DETECT_ACTION_DROP,
    DETECT_ACTION_REJECT,        // reject to the source (rejectsrc)
    DETECT_ACTION_REJECT_DST,
    DETECT_ACTION_REJECT_BOTH,
} DetectAction;

#define DETECT_ALERTS_MAX 15
#define DETECT_STREAM_LOG_MAX 4096u  // bytes of stream data an alert logs (Suricata's default)     // default packet-alert-max

typedef struct DetectMetadata {
    const char *key;
    const char *value;
} DetectMetadata;

/* PacketAlert.flags */
enum {
    PACKET_ALERT_F_STREAM = 1u << 0,   // matched the packet's stream view (p->stream_data)
    PACKET_ALERT_F_REVERSED = 1u << 1, // the view's data flows opposite to the packet: report
                                       // the alert with the packet's tuple swapped
    PACKET_ALERT_F_TX = 1u << 2,       // matched app-layer tx tx_id of the packet's flow
    PACKET_ALERT_F_FW_MODE = 1u << 3,  // raised in firewall mode: EVE alert.engine
    PACKET_ALERT_F_FW = 1u << 4,       // ... by a firewall rule ("fw"; else "td")
    PACKET_ALERT_F_FRAME = 1u << 5,    // matched frame frame_id (direction frame_dir)
    PACKET_ALERT_F_TX_GUESSED = 1u << 6, // a packet/stream match logging tx_id, the flow's only
                                         // tx in that direction (EVE tx_guessed)
};

typedef struct PacketAlert {
    uint32_t sid;
    uint32_t gid;
    uint32_t rev;
    uint8_t action;              // DetectAction
    bool is_flow_pass;
    uint8_t flags;               // PACKET_ALERT_F_*
    uint64_t tx_id;              // PACKET_ALERT_F_TX: the tx (AppTx.id) that matched
    uint64_t frame_id;           // PACKET_ALERT_F_FRAME: the frame (AppFrame.id)
    uint8_t frame_dir;           // ... and its direction (APP_DIR_*)
    int priority;                // severity as EVE prints it
    const char *msg;
    const char *class_name;      // NULL without classtype
    const char *class_msg;
    const DetectMetadata *metadata;
    uint16_t n_metadata;
    const struct Signature *sig; // valid while the engine lives
} PacketAlert;

/* Variables a pcre capture set on this packet (pkt:NAME, (?P<pkt_NAME>..))
 * or on one rule's alert (alert:NAME, (?P<alert_NAME>..); a datajson isset
 * with context_key NAME gives an alert variable holding a JSON object): EVE
 * metadata.pktvars and alert.context. Values are cut at DETECT_VAR_VALUE_MAX;
 * a JSON object that long or longer is not kept. */
#define DETECT_PKT_VARS_MAX 8
#define DETECT_VAR_VALUE_MAX 1024
enum { DETECT_VAR_FLOW = 1, DETECT_VAR_PKT, DETECT_VAR_ALERT, DETECT_VAR_ALERT_JSON };
typedef struct PacketVar {
    uint8_t kind;                // DETECT_VAR_PKT, DETECT_VAR_ALERT or DETECT_VAR_ALERT_JSON
    uint16_t len;
    const char *name;            // valid while the engine lives
    const struct Signature *sig; // the rule that set it (alert vars show in its alert)
    uint8_t value[DETECT_VAR_VALUE_MAX];
} PacketVar;

typedef struct PacketAlerts {
    uint16_t n;
    uint16_t n_discarded;        // matches beyond the cap
    uint16_t n_vars;
    PacketVar vars[DETECT_PKT_VARS_MAX];
    PacketAlert alerts[DETECT_ALERTS_MAX];
    /* What stream alerts of this packet log as their payload (the stream
     * engine's stored data of the view's direction, gaps marked); filled
     * when a stream match is queued. Inline, so the whole list stays one
     * allocation per packet, made once and reused (the packet pool frees it
     * with free()). */
    uint32_t stream_log_len;
    uint8_t stream_log[DETECT_STREAM_LOG_MAX];
} PacketAlerts;

typedef struct DetectLoadOptions {
    const char *firewall_exclusive; // --firewall-rules-exclusive: turns firewall mode on
    const char **exclusive_files; // -S (repeatable): only these files
    size_t n_exclusive;
    const char **extra_files;    // -s: in addition to the configured ones
    size_t n_extra;
    bool keep_rule_text;         // keep each rule's text (EVE alert.rule)
    bool keep_references;        // keep each rule's references (EVE alert.references)
} DetectLoadOptions;

/* Builds an engine from the configuration (default-rule-path, rule-files,
 * classification-file, reference-config-file, threshold-file, mpm-algo,
 * action-order, packet-alert-max, vars). conf may be NULL: built-in defaults.
 * Bad rules are skipped with a warning (unsupported ones at info, with a
 * summary by reason). Returns NULL on fatal errors: a bad setting, a rule
 * file that cannot be read or is too large, a pattern matching no file. */
DetectEngine *detect_engine_new(const struct Conf *conf, const DetectLoadOptions *opts)
    __attribute__((warn_unused_result));

/* An engine without rules and with built-in defaults; add rules with
 * detect_engine_load_string, then detect_engine_build (tests, fuzzing). */
DetectEngine *detect_engine_new_empty(void) __attribute__((warn_unused_result));
/* Rules of de store files (filestore keyword): the file-store output should be on. */
bool detect_engine_has_filestore(const DetectEngine *de);
/* Firewall mode is on (firewall rules or `firewall.enabled`). */
bool detect_engine_has_firewall(const DetectEngine *de);

/* Parse rules from a string (one per line, trailing backslash continues);
 * name is used in messages. Returns the number of rules that failed (>= 0) or
 * VG_E*. The engine must not have been built yet. */
int detect_engine_load_string(DetectEngine *de, const char *rules, const char *name);
/* Same from rules_len bytes that may hold anything: a line with a NUL or
 * another control byte (tab excepted) refuses its rule with a warning naming
 * the line, and the rules after it load. */
int detect_engine_load_buffer(DetectEngine *de, const char *rules, size_t rules_len,
                              const char *name);

/* Load a file of rules (same rules as above). A file that cannot be read or
 * is larger than the engine's bound (DETECT_FILE_MAX unless configured) is an
 * error logged with its path: VG_EIO. */
int detect_engine_load_file(DetectEngine *de, const char *path);

/* Load classification.config / threshold.config content from a string. */
int detect_engine_load_classification_string(DetectEngine *de, const char *text,
                                             const char *name);
int detect_engine_load_threshold_string(DetectEngine *de, const char *text, const char *name);
/* The same by length: lines holding binary bytes are warned about and skipped. */
int detect_engine_load_classification_buffer(DetectEngine *de, const char *text, size_t text_len,
                                             const char *name);
int detect_engine_load_threshold_buffer(DetectEngine *de, const char *text, size_t text_len,
                                        const char *name);
/* reference.config ("config reference: SYSTEM URL-PREFIX" lines): the URL
 * prefix of each reference system. Returns the number of bad lines or VG_E*. */
int detect_engine_load_reference_buffer(DetectEngine *de, const char *text, size_t text_len,
                                        const char *name);

/* Compile groups and prefilters. After this the engine is read-only and no
 * more rules may be loaded. detect_engine_new builds already. */
int detect_engine_build(DetectEngine *de) __attribute__((warn_unused_result));

void detect_engine_stats(const DetectEngine *de, uint32_t *loaded, uint32_t *failed);

/* Host bits from outside the packet path (control socket): ip is an IPv4 or
 * IPv6 address, name a hostbit some rule of de uses (else VG_ENOENT), expire
 * an absolute packet-time second. A bad address is VG_EINVAL. The list calls
 * fn for each bit set on that host (at most 64), returning how many or VG_E*. */
typedef void (*DetectHostbitFn)(const char *name, int64_t expire, void *user);
int detect_engine_hostbit_set(const DetectEngine *de, const char *ip, const char *name,
                              int64_t expire);
int detect_engine_hostbit_unset(const DetectEngine *de, const char *ip, const char *name);
int detect_engine_hostbit_list(const DetectEngine *de, const char *ip, int64_t now,
                               DetectHostbitFn fn, void *user);
/* A reload swapped from for to: the host and address-pair bits (hostbits,
 * xbits) still set at packet time now move to to's table, under to's index
 * of their name; bits whose name no rule of to uses are dropped, and a bit
 * to already holds (set since the swap) is kept as it is. Call after the
 * swap (packets may still set bits in from meanwhile: those of that instant
 * can be lost). Returns how many bits moved. */
uint32_t detect_engine_hostbits_carry(DetectEngine *to, const DetectEngine *from, int64_t now);

/* Datasets (detect-dataset.c): process-wide named sets, kept across rule
 * reloads, filled by rules (dataset:set), files and operators. Values are
 * given in their serialized form (string: base64; md5/sha256: hex; ipv4/ip:
 * an address). Any thread. */
typedef enum DetectDatasetOp {
    DETECT_DS_OP_ADD = 0,
    DETECT_DS_OP_REMOVE,
    DETECT_DS_OP_LOOKUP,
    DETECT_DS_OP_CLEAR,          // value ignored
} DetectDatasetOp;
typedef enum DetectDatasetResult {
    DETECT_DS_R_OK = 0,          // done / found
    DETECT_DS_R_NO_SET,          // no set of that name
    DETECT_DS_R_TYPE,            // the type given is not the set's
    DETECT_DS_R_BAD_VALUE,       // not a value of the set's type
    DETECT_DS_R_EXISTS,          // add: already there
    DETECT_DS_R_ABSENT,          // remove/lookup: not there
    DETECT_DS_R_FULL,            // add: the set's memcap is reached
    DETECT_DS_R_NOMEM,
} DetectDatasetResult;
DetectDatasetResult detect_dataset_op(const char *name, const char *type, const char *value,
                                      DetectDatasetOp op);
typedef struct DetectDatasetInfo {
    const char *name;
    const char *type;
    uint64_t n_items;
    uint64_t memuse;
    uint64_t memcap;
    uint64_t n_refused;          // additions refused by the memcap
    const char *save_path;       // NULL when never saved
} DetectDatasetInfo;
typedef void (*DetectDatasetFn)(const DetectDatasetInfo *info, void *user);
/* Calls fn for every set (under the registry lock: fn must not call back). */
int detect_dataset_each(DetectDatasetFn fn, void *user);
/* Writes every set with a save or state file; 0 or VG_EIO (logged). */
int detect_datasets_save(void);
/* Frees every set (end of the process). */
void detect_datasets_free(void);

/* Rule analysis of a built engine (detect-analysis.c). detect_analysis_write
 * writes one JSON object a line per rule (kind, fast pattern and its buffer,
 * prefilter, keyword lists, warnings), then one per refused rule (its reason);
 * returns 0, VG_EIO or VG_ENOMEM. The summary counts the same by kind, action
 * and warning; detect_analysis_print writes it for people. */
#define DETECT_ANALYSIS_KINDS 8
typedef struct DetectAnalysisSummary {
    uint32_t n_rules;
    uint32_t n_fast_pattern;
    uint32_t n_failed;
    struct {
        const char *name;
        uint32_t count;
    } kinds[DETECT_ANALYSIS_KINDS];
    uint32_t actions[8];         // by DetectAction
    uint32_t warnings[8];        // by warning kind
} DetectAnalysisSummary;
int detect_analysis_write(const DetectEngine *de, const char *path);
void detect_analysis_summary(const DetectEngine *de, DetectAnalysisSummary *out);
void detect_analysis_print(const DetectAnalysisSummary *sum, FILE *out);

/* The rules that failed to load, in load order: the first DETECT_FAILED_KEEP of
 * them are kept (rule text cut to DETECT_FAILED_TEXT_MAX bytes), the rest only
 * counted. Strings live as long as the engine. */
#define DETECT_FAILED_KEEP 4096
#define DETECT_FAILED_TEXT_MAX 1024
typedef struct DetectFailedRule {
    const char *file;
    int line;
    uint32_t sid;          // 0 when the rule had none that could be read
    bool unsupported;      // an unsupported protocol or keyword, not a broken rule
    const char *reason;
    const char *text;      // the rule as read (continuation lines joined)
} DetectFailedRule;
/* Number of failed rules kept (<= the failed count of detect_engine_stats). */
uint32_t detect_engine_failed_kept(const DetectEngine *de);
/* The idx-th kept failed rule; false past the end. */
bool detect_engine_failed_rule(const DetectEngine *de, uint32_t idx, DetectFailedRule *out);
/* Rules skipped because their `requires` are not met (neither loaded nor failed). */
uint32_t detect_engine_skipped(const DetectEngine *de);
/* Some rule (or threshold.config line) reads or writes state shared across
 * flows: thresholds not tracked by_flow, rate filters, hostbits/xbits,
 * datasets, host tags. Its decisions wait for packet order (runtime-order.h). */
bool detect_engine_shares_state(const DetectEngine *de);
void detect_engine_free(DetectEngine *de);

/* Per-thread scratch for a built engine (NULL if not built). counters may be
 * NULL (tests); detection counters are registered by detect_engine_build. */
DetectThread *detect_thread_new(const DetectEngine *de, CounterSet *counters)
    __attribute__((warn_unused_result));
void detect_thread_free(DetectThread *dt);

/* Inspect one packet, filling its alert list (replacing any previous one). */
void detect_packet(DetectThread *dt, Packet *p);

/* The packet's alerts from the last detect_packet (NULL if none yet). */
const PacketAlerts *detect_packet_alerts(const Packet *p);
/* Release the alert list attached to a Packet (packet pool teardown). The
 * list is allocated once per Packet and reused: no allocation per packet. */
void detect_packet_alerts_free(Packet *p);

/* Flow end: inspect the stream data the flow still holds (stream_flow_end_flush)
 * with stream-aware rules, one pseudo packet per piece in the piece's data
 * direction (PKT_F_PSEUDO | PKT_F_STREAM_FLUSH); emit is called for each
 * pseudo packet that got alerts (it is valid during the call only). Caller
 * holds f->lock or owns f; dt is not shared with another thread meanwhile.
 * Returns the number of alerts. */
struct Flow;
uint32_t detect_flow_end(DetectThread *dt, struct Flow *f,
                         void (*emit)(const Packet *p, void *user), void *user);
/* Whether detect_flow_end may inspect anything of f (TCP stream data left, or
 * application-layer transactions): false means it certainly does not. */
bool detect_flow_end_may_inspect(const struct Flow *f);

/* A passed flow is not inspected any more: its app-layer transactions are marked
 * inspected so the app layer can free them. Caller holds f->lock. */
void detect_tx_flow_passed(struct Flow *f);

/* Flowbits/flowints live in flow->storage[id]; main registers the id with the
 * flow engine and hands it here at start-up (before threads start). */
void detect_set_flow_storage_id(int id);
void detect_flow_storage_free(void *state);

/* EVE "metadata" (eve-log metadata): the flowbits set on f, in name-index
 * order, and the flowints set on f, named by de:
 * "metadata":{"flowbits":["a","b"],"flowints":{"n":3}}; nothing when none is
 * set. Flowbits named traffic/id/X and traffic/label/X go to a top-level
 * "traffic":{"id":["X"],"label":["X"]} instead, written before "metadata".
 * Caller holds f->lock. */
struct JsonBuf;
void detect_flow_vars_json(const DetectEngine *de, const struct Flow *f, struct JsonBuf *jb);
/* The same with the flow's pcre variables ("flowvars":[{"name":"value"}])
 * and p's ("pktvars"), in one "metadata" object; p or f may be NULL. */
void detect_vars_json(const DetectEngine *de, const Packet *p, const struct Flow *f,
                      struct JsonBuf *jb);
/* Whether de's rules name any flowbit, flowint or pcre variable (else no
 * flow or packet has any). */
bool detect_engine_has_flow_vars(const DetectEngine *de);
/* "context":{"name":"value"}: the alert variables pa's rule set on p. */
void detect_alert_context_json(const Packet *p, const PacketAlert *pa, struct JsonBuf *jb);

/* The text of a rule as loaded, when the engine keeps it
 * (DetectLoadOptions.keep_rule_text), else NULL. */
const char *detect_sig_text(const struct Signature *s);
/* The rule's references as links: each reference's system replaced by its
 * URL prefix from reference.config (a system the file does not name gives the
 * bare value). Kept only with DetectLoadOptions.keep_references; else 0. */
uint16_t detect_sig_references(const struct Signature *s, const char *const **refs);

/* --list-keywords */
void detect_print_keywords(FILE *out);

#endif
