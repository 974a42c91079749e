#ifndef VG_OUTPUT_OUTPUT_SINK_INTERNAL_H
#define VG_OUTPUT_OUTPUT_SINK_INTERNAL_H

/* EVE sinks inside src/output: one EveOut per configured eve-log output, a
 * bounded queue in front of a backend (the VgEveSinkOps vtable, built in or
 * from a plugin), drained by the output's writer thread. See README.md,
 * "EVE outputs and sinks". Serves the folder and its tests only. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output/output.h"
#include "runtime/plugin.h"

struct Conf;
struct ConfNode;

/* What to do with a record when the queue is full. */
typedef enum EveOutFullPolicy {
    EVE_OUT_FULL_DROP = 0,       // drop it and count it (the packet path never waits)
    EVE_OUT_FULL_BLOCK,          // wait for room: lossless, the packet path may wait
} EveOutFullPolicy;

#define EVE_OUT_MAX_TYPES 48

typedef struct EveOutConf {
    const char *name;            // counter name part: output.eve-log.<name>.*
    const VgEveSinkOps *ops;     // backend
    const struct Conf *conf;     // options of the backend: read below node
    const struct ConfNode *node; // the eve-log map (NULL: defaults)
    const char *path;            // filename resolved against the log directory (may be NULL)
    size_t queue_bytes;          // queue bound; 0: direct (no queue, no thread)
    EveOutFullPolicy full;
    bool accept_all;             // every record type (eve_sink_open, defaults)
    const char *types[EVE_OUT_MAX_TYPES]; // otherwise these `types:` names
    uint32_t n_types;
    bool register_counters;      // publish output.eve-log.<name>.* in the registry
} EveOutConf;

typedef struct EveOut EveOut;

/* Open the backend and, with a queue, start the writer thread. NULL on
 * failure (logged: file, line, problem). */
EveOut *eve_out_new(const EveOutConf *c) __attribute__((warn_unused_result));
/* Offer whole '\n'-terminated lines; the ones whose type the output takes
 * are queued (or written, direct). Any thread. Returns 0, or VG_EIO when a
 * direct write failed / VG_ENOMEM when a record was dropped for room. */
int eve_out_offer(EveOut *o, const char *data, size_t len, uint32_t n_records);
/* The same for one record without its '\n' (rec[0..len)). */
int eve_out_offer_record(EveOut *o, const char *rec, size_t len);
/* Wait until the queue is empty (or timeout_ms passed), then flush the
 * backend. Any thread. 0, or VG_EIO. */
int eve_out_drain(EveOut *o, int64_t timeout_ms);
/* Ask for a reopen (on the writer thread; direct: now). */
int eve_out_reopen(EveOut *o);
void eve_out_get_stats(EveOut *o, EveSinkStats *st);
/* Drain (bounded by the drain timeout), stop the thread, close the backend;
 * records still queued after the timeout are counted dropped. NULL ok. */
void eve_out_free(EveOut *o);
const char *eve_out_name(const EveOut *o);
/* For the run summary: "eve.json" (a regular file's name), "unix_dgram
 * /run/x.sock", "redis (eve-log 2)". */
void eve_out_describe(const EveOut *o, char *buf, size_t size);

/* The type name a record's event_type is selected by in `types:`
 * ("fileinfo" -> "files", "ftp_data" -> "ftp", "packet" -> "alert"); copies
 * it into buf (NUL-terminated). False when the line has no event_type. */
bool eve_record_type(const char *line, size_t len, char *buf, size_t size);
/* A member of a record's top level, as text: the number or string value of
 * "key" (quotes removed) found in line. False when absent. */
bool eve_record_field(const char *line, size_t len, const char *key, char *buf, size_t size);

/* Group an EveSink over several outputs (output-eve.c). */
EveSink *eve_sink_group_new(void) __attribute__((warn_unused_result));
/* Takes ownership of o on every path. 0 or VG_ENOMEM. */
int eve_sink_group_add(EveSink *sink, EveOut *o);
uint32_t eve_sink_group_size(const EveSink *sink);
EveOut *eve_sink_group_at(const EveSink *sink, uint32_t i);

/* Built-in backends. */
extern const VgEveSinkOps eve_sink_ops_regular;
extern const VgEveSinkOps eve_sink_ops_unix_dgram;
extern const VgEveSinkOps eve_sink_ops_unix_stream;
extern const VgEveSinkOps eve_sink_ops_syslog;
extern const VgEveSinkOps eve_sink_ops_redis;
extern const VgEveSinkOps eve_sink_ops_kafka;

/* The filetype registry: built-ins plus plugins (register_eve_sink). */
const VgEveSinkOps *eve_sink_ops_find(const char *filetype);

/* For backends: the line splitter. Calls fn for each record of the batch
 * (without its '\n'); stops and returns how many were handled when fn
 * returns false. */
typedef bool (*EveLineFn)(const char *rec, size_t len, void *user);
uint32_t eve_lines_each(const char *data, size_t len, EveLineFn fn, void *user);

/* For built-in backends: fn(name, value) for each scalar member of the map
 * at path below the output's node (e.g. "kafka.properties"). */
typedef void (*EveOptionFn)(const char *name, const char *value, void *user);
void eve_out_each_option(const VgEveSinkConfig *cfg, const char *path, EveOptionFn fn,
                         void *user);

/* For backends: a time for back-off (monotonic ms). */
int64_t eve_out_now_ms(void);

#endif
