/* An EVE output: a bounded queue of whole records in front of a sink backend
 * (VgEveSinkOps), drained by the output's own writer thread. */
#include "output/output-sink-internal.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/conf.h"
#include "runtime/counters.h"
#include "util/util-error.h"
#include "util/util-log.h"
#include "util/util-time.h"

#define EVE_CHUNK_BYTES ((size_t)64 * 1024) // a queue chunk: whole records
#define EVE_WRITER_WAKE_MS 20                // idle writer: tick, publish, take what is queued
/* An idle writer is woken once this much is queued (or a second chunk is begun); less
 * waits for its next tick, at most EVE_WRITER_WAKE_MS (a record waits no longer). A
 * wake-up per record cost a futex call and a context switch each, and lock contention
 * with the writer: ~15% of the CPU of a run without rules on the reference mix. */
#define EVE_WAKE_BYTES ((size_t)16 * 1024)
#define EVE_DRAIN_TIMEOUT_MS 5000            // at close: then what is left is dropped
#define EVE_STALLED_DRAIN_MS 1000            // the same for an output already found stalled
#define EVE_DRAIN_IDLE_MS 1000               // a drain gives up after this long without a write
#define EVE_RETRY_MAX_MS 1000                // block mode: back-off between retries

/* A run of whole records. Chunks of EVE_CHUNK_BYTES are reused through the
 * free list; a record larger than that gets a chunk of its own size, freed
 * after it is written. Both count against the queue bound. */
typedef struct EveChunk {
    struct EveChunk *next;
    size_t len;
    size_t cap;
    uint32_t n_records;
    char data[];
} EveChunk;

enum { CTR_PRODUCED, CTR_WRITTEN, CTR_DROPPED, CTR_ERRORS, CTR_RECONNECTS, CTR_N };
static const char *const ctr_names[CTR_N] = {"produced", "written", "dropped", "errors",
                                             "reconnects"};

struct EveOut {
    EveOutConf c;                // types point into the conf tree
    char *name;
    char *path;
    VgEveSinkConfig scfg;        // handed to the backend
    void *state;                 // backend state
    pthread_mutex_t lock;        // queue, flags; direct mode: the backend too
    pthread_cond_t has_data;     // writer waits
    pthread_cond_t has_room;     // blocked producers and drain wait
    EveChunk *head;              // queued, oldest first
    EveChunk *tail;              // producers append here (if not taken)
    EveChunk *free_list;
    size_t bytes_charged;        // queued + being written + free list (chunk capacity)
    bool is_writing;             // the writer holds a detached list
    bool is_writer_idle;         // the writer waits for data, not woken yet
    bool stop;
    bool reopen_requested;
    uint64_t batches;            // lists the writer has taken
    uint64_t reopen_after;       // reopen once batches passes this
    uint64_t reopen_done;        // reopens the writer has done
    bool flush_requested;        // drain: flush the backend once the queue is empty
    bool is_stalled;             // a drain timed out: close waits less
    uint64_t flush_done;         // flushes the writer has done on request
    int reopen_rc;               // and the result of the last
    bool is_queued;              // queue and writer thread (else direct); set at creation
    bool is_started;             // the writer thread runs (started on first use)
    bool is_start_failed;
    bool has_cpus;
    cpu_set_t cpus;              // the creating (main) thread's CPUs, for the writer
    pthread_t thread;
    _Atomic uint64_t ctr[CTR_N];
    _Atomic uint64_t bytes;
    CounterSet *cs;              // publishes ctr[] (registry); NULL without counters
    CounterId ids[CTR_N];
    pthread_mutex_t pub_lock;    // one publisher at a time
};

int64_t eve_out_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ctr_add(EveOut *o, int which, uint64_t n)
{
    atomic_fetch_add_explicit(&o->ctr[which], n, memory_order_relaxed);
}

/* Copy the counters into the registry set. Any thread; a publisher that
 * finds another at work leaves it to that one (the writer publishes again
 * within EVE_WRITER_WAKE_MS). */
static void publish(EveOut *o, bool must)
{
    if (o->cs == NULL) {
        return;
    }
    if (must) {
        pthread_mutex_lock(&o->pub_lock);
    } else if (pthread_mutex_trylock(&o->pub_lock) != 0) {
        return;
    }
    for (int i = 0; i < CTR_N; i++) {
        counters_set(o->cs, o->ids[i], atomic_load_explicit(&o->ctr[i], memory_order_relaxed));
    }
    pthread_mutex_unlock(&o->pub_lock);
}

/* ---- the host side of VgEveSinkConfig ---- */

static const char *host_get(const VgEveSinkConfig *cfg, const char *path)
{
    const EveOut *o = cfg->engine;
    if (o->c.node == NULL) {
        return NULL;
    }
    const ConfNode *n = conf_get_node(o->c.conf, o->c.node, path);
    return n != NULL && n->type == CONF_SCALAR ? n->value : NULL;
}

void eve_out_each_option(const VgEveSinkConfig *cfg, const char *path, EveOptionFn fn,
                         void *user)
{
    const EveOut *o = cfg->engine;
    const ConfNode *m = o->c.node != NULL ? conf_get_node(o->c.conf, o->c.node, path) : NULL;
    for (const ConfNode *n = m != NULL ? m->first_child : NULL; n != NULL; n = n->next) {
        if (n->type == CONF_SCALAR && n->value != NULL) {
            fn(n->name, n->value, user);
        }
    }
}

static void host_report(const VgEveSinkConfig *cfg, uint64_t n_written, uint64_t n_failed)
{
    EveOut *o = cfg->engine;
    ctr_add(o, CTR_WRITTEN, n_written);
    ctr_add(o, CTR_DROPPED, n_failed);
}

static void host_reconnect(const VgEveSinkConfig *cfg)
{
    ctr_add(cfg->engine, CTR_RECONNECTS, 1);
}

static void host_error(const VgEveSinkConfig *cfg)
{
    ctr_add(cfg->engine, CTR_ERRORS, 1);
}

/* ---- record helpers ---- */

uint32_t eve_lines_each(const char *data, size_t len, EveLineFn fn, void *user)
{
    uint32_t n = 0;
    size_t off = 0;
    while (off < len) {
        const char *nl = memchr(data + off, '\n', len - off);
        size_t rl = nl != NULL ? (size_t)(nl - (data + off)) : len - off;
        if (!fn(data + off, rl, user)) {
            break;
        }
        n++;
        off += rl + 1;
    }
    return n;
}

bool eve_record_field(const char *line, size_t len, const char *key, char *buf, size_t size)
{
    char pat[64];
    int pl = snprintf(pat, sizeof(pat), "\"%s\":", key);
    if (pl <= 0 || (size_t)pl >= sizeof(pat) || size == 0) {
        return false;
    }
    const char *p = memmem(line, len, pat, (size_t)pl);
    if (p == NULL) {
        return false;
    }
    p += pl;
    const char *end = line + len;
    bool is_str = p < end && *p == '"';
    p += is_str ? 1 : 0;
    size_t n = 0;
    while (p + n < end && (is_str ? p[n] != '"' : (p[n] != ',' && p[n] != '}'))) {
        n++;
    }
    if (n == 0 || n >= size) {
        return false;
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    return true;
}

bool eve_record_type(const char *line, size_t len, char *buf, size_t size)
{
    /* The header writes event_type early; look no further than needed. */
    if (!eve_record_field(line, len < 512 ? len : 512, "event_type", buf, size) &&
        !eve_record_field(line, len, "event_type", buf, size)) {
        return false;
    }
    static const char *const alias[][2] = {
        {"fileinfo", "files"}, {"ftp_data", "ftp"}, {"packet", "alert"}};
    for (size_t i = 0; i < sizeof(alias) / sizeof(alias[0]); i++) {
        if (strcmp(buf, alias[i][0]) == 0) {
            snprintf(buf, size, "%s", alias[i][1]);
        }
    }
    return true;
}

static bool takes_line(const EveOut *o, const char *line, size_t len)
{
    if (o->c.accept_all) {
        return true;
    }
    char type[48];
    if (!eve_record_type(line, len, type, sizeof(type))) {
        return false;
    }
    for (uint32_t i = 0; i < o->c.n_types; i++) {
        if (strcmp(o->c.types[i], type) == 0) {
            return true;
        }
    }
    return false;
}

static void *writer_main(void *arg);

/* Start the writer on first use. Caller holds the lock. If the thread
 * cannot start, records stay queued (until full) and are counted dropped
 * at close. */
static void ensure_started(EveOut *o)
{
    if (o->is_started || o->is_start_failed || o->stop) {
        return;
    }
    if (pthread_create(&o->thread, NULL, writer_main, o) != 0) {
        VG_ERROR("eve-log %s: cannot start its writer thread; its records are dropped",
                 o->name);
        o->is_start_failed = true;
        return;
    }
    o->is_started = true;
}

/* ---- the queue ---- */

/* A chunk with room for need bytes at the tail, or NULL when the bound is
 * reached. Caller holds the lock. */
static EveChunk *chunk_for(EveOut *o, size_t need)
{
    EveChunk *t = o->tail;
    if (t != NULL && t->cap - t->len >= need) {
        return t;
    }
    EveChunk *c = NULL;
    if (need <= EVE_CHUNK_BYTES && o->free_list != NULL) {
        c = o->free_list;
        o->free_list = c->next;
    } else {
        size_t cap = need > EVE_CHUNK_BYTES ? need : EVE_CHUNK_BYTES;
        if (o->bytes_charged + cap > o->c.queue_bytes) {
            return NULL;
        }
        c = malloc(sizeof(*c) + cap);
        if (c == NULL) {
            return NULL;
        }
        c->cap = cap;
        o->bytes_charged += cap;
    }
    c->next = NULL;
    c->len = 0;
    c->n_records = 0;
    if (o->tail != NULL) {
        o->tail->next = c;
    } else {
        o->head = c;
    }
    o->tail = c;
    return c;
}

static void chunk_release(EveOut *o, EveChunk *c)
{
    if (c->cap == EVE_CHUNK_BYTES) {
        c->next = o->free_list;
        o->free_list = c;
    } else {
        o->bytes_charged -= c->cap;
        free(c);
    }
}

/* Queue one record: len bytes, plus a '\n' when add_nl. Caller holds the
 * lock. */
static bool enqueue_one(EveOut *o, const char *rec, size_t len, bool add_nl)
{
    size_t need = len + (add_nl ? 1 : 0);
    for (;;) {
        EveChunk *c = chunk_for(o, need);
        if (c != NULL) {
            memcpy(c->data + c->len, rec, len);
            c->len += len;
            if (add_nl) {
                c->data[c->len++] = '\n';
            }
            c->n_records++;
            if (o->is_writer_idle &&
                (o->head != c || c->len >= EVE_WAKE_BYTES || c->len * 2 >= o->c.queue_bytes)) {
                o->is_writer_idle = false;
                pthread_cond_signal(&o->has_data);
            }
            return true;
        }
        /* Full. A record larger than the whole queue never fits. */
        if (o->c.full == EVE_OUT_FULL_DROP || o->stop || need > o->c.queue_bytes) {
            return false;
        }
        o->is_writer_idle = false;
        pthread_cond_signal(&o->has_data);
        pthread_cond_wait(&o->has_room, &o->lock);
    }
}

typedef struct OfferCtx {
    EveOut *o;
    uint32_t n_taken;
    uint32_t n_dropped;
} OfferCtx;

static bool offer_line(const char *rec, size_t len, void *user)
{
    OfferCtx *oc = user;
    if (!takes_line(oc->o, rec, len)) {
        return true;
    }
    oc->n_taken++;
    if (!enqueue_one(oc->o, rec, len + 1, false)) {
        oc->n_dropped++;
    }
    return true;
}

/* Direct mode: the backend is called on the caller's thread, under the lock. */
static int write_direct(EveOut *o, const char *data, size_t len, uint32_t n);

typedef struct DirectCtx {
    EveOut *o;
    const char *run;             // start of the current run of taken lines
    size_t run_len;
    uint32_t run_n;
    uint32_t n_taken;
    int rc;
} DirectCtx;

static void direct_flush_run(DirectCtx *d)
{
    if (d->run_n > 0) {
        int rc = write_direct(d->o, d->run, d->run_len, d->run_n);
        d->rc = d->rc != 0 ? d->rc : rc;
    }
    d->run_n = 0;
    d->run_len = 0;
}

static bool direct_line(const char *rec, size_t len, void *user)
{
    DirectCtx *d = user;
    if (!takes_line(d->o, rec, len)) {
        direct_flush_run(d);
        return true;
    }
    d->n_taken++;
    if (d->run_n == 0) {
        d->run = rec;
    }
    d->run_len += len + 1;
    d->run_n++;
    return true;
}

int eve_out_offer(EveOut *o, const char *data, size_t len, uint32_t n_records)
{
    (void)n_records;
    if (len == 0) {
        return 0;
    }
    if (!o->is_queued) {
        DirectCtx d = {.o = o};
        pthread_mutex_lock(&o->lock);
        if (o->c.accept_all) {
            d.n_taken = n_records;
            d.rc = write_direct(o, data, len, n_records);
        } else {
            eve_lines_each(data, len, direct_line, &d);
            direct_flush_run(&d);
        }
        pthread_mutex_unlock(&o->lock);
        return d.rc;
    }
    OfferCtx oc = {.o = o};
    pthread_mutex_lock(&o->lock);
    ensure_started(o);
    eve_lines_each(data, len, offer_line, &oc);
    pthread_mutex_unlock(&o->lock);
    ctr_add(o, CTR_PRODUCED, oc.n_taken);
    if (oc.n_dropped > 0) {
        ctr_add(o, CTR_DROPPED, oc.n_dropped);
        publish(o, false);
        return VG_ENOMEM;
    }
    return 0;
}

int eve_out_offer_record(EveOut *o, const char *rec, size_t len)
{
    if (!takes_line(o, rec, len)) {
        return 0;
    }
    if (!o->is_queued) {
        char *line = malloc(len + 1); // direct mode only (eve_sink_open)
        if (line == NULL) {
            ctr_add(o, CTR_PRODUCED, 1);
            ctr_add(o, CTR_DROPPED, 1);
            return VG_ENOMEM;
        }
        memcpy(line, rec, len);
        line[len] = '\n';
        pthread_mutex_lock(&o->lock);
        int rc = write_direct(o, line, len + 1, 1);
        pthread_mutex_unlock(&o->lock);
        free(line);
        return rc;
    }
    pthread_mutex_lock(&o->lock);
    ensure_started(o);
    bool ok = enqueue_one(o, rec, len, true);
    pthread_mutex_unlock(&o->lock);
    ctr_add(o, CTR_PRODUCED, 1);
    if (!ok) {
        ctr_add(o, CTR_DROPPED, 1);
        publish(o, false);
        return VG_ENOMEM;
    }
    return 0;
}

/* ---- writing ---- */

/* Skip the first n records of a batch. */
static size_t skip_records(const char *data, size_t len, uint32_t n)
{
    size_t off = 0;
    while (n-- > 0 && off < len) {
        const char *nl = memchr(data + off, '\n', len - off);
        off = nl != NULL ? (size_t)(nl - data) + 1 : len;
    }
    return off;
}

/* One attempt; counts what was written. Returns the records written. */
static uint32_t write_attempt(EveOut *o, const char *data, size_t len, uint32_t n)
{
    int64_t w = o->c.ops->write_batch(o->state, data, len, n);
    if (w < 0) {
        w = 0;
    }
    if ((uint64_t)w > n) {
        w = n;
    }
    if (!(o->c.ops->flags & VG_EVE_SINK_F_ASYNC)) {
        ctr_add(o, CTR_WRITTEN, (uint64_t)w);
    }
    if ((uint32_t)w < n) {
        ctr_add(o, CTR_ERRORS, 1);
    }
    atomic_fetch_add_explicit(&o->bytes, skip_records(data, len, (uint32_t)w),
                              memory_order_relaxed);
    return (uint32_t)w;
}

static int write_direct(EveOut *o, const char *data, size_t len, uint32_t n)
{
    ctr_add(o, CTR_PRODUCED, n);
    uint32_t w = write_attempt(o, data, len, n);
    if (w < n) {
        ctr_add(o, CTR_DROPPED, n - w);
        return VG_EIO;
    }
    return 0;
}

/* Writer thread: write one chunk; in block mode retry what failed (with
 * back-off) until it is written or the output stops. */
static void write_chunk(EveOut *o, const EveChunk *c, int64_t deadline_ms)
{
    size_t off = 0;
    uint32_t left = c->n_records;
    int64_t backoff = 10;
    for (;;) {
        if (deadline_ms > 0 && eve_out_now_ms() > deadline_ms) {
            break; // closing and out of time
        }
        uint32_t w = write_attempt(o, c->data + off, c->len - off, left);
        off += skip_records(c->data + off, c->len - off, w);
        left -= w;
        publish(o, false);
        if (left == 0 || o->c.full != EVE_OUT_FULL_BLOCK) {
            break;
        }
        struct timespec ts = {.tv_sec = backoff / 1000, .tv_nsec = (backoff % 1000) * 1000000};
        nanosleep(&ts, NULL);
        backoff = backoff * 2 < EVE_RETRY_MAX_MS ? backoff * 2 : EVE_RETRY_MAX_MS;
        pthread_mutex_lock(&o->lock);
        bool stop = o->stop;
        pthread_mutex_unlock(&o->lock);
        if (stop && deadline_ms == 0) {
            deadline_ms = eve_out_now_ms() + EVE_DRAIN_TIMEOUT_MS;
        }
    }
    ctr_add(o, CTR_DROPPED, left);
}

static void timed_wait(pthread_cond_t *cv, pthread_mutex_t *m, int64_t ms)
{
    struct timespec ts;
    util_deadline_after_ms(&ts, ms > 0 ? (uint32_t)ms : 0);
    pthread_cond_timedwait(cv, m, &ts);
}

static bool is_stopping(EveOut *o)
{
    pthread_mutex_lock(&o->lock);
    bool stop = o->stop;
    pthread_mutex_unlock(&o->lock);
    return stop;
}

/* When a close gives up on what is still queued: 5 s, or 1 s for an output
 * whose last drain already timed out (its sink is stalled). Caller holds
 * the lock or is the writer after stop was seen. */
static int64_t drain_deadline(const EveOut *o)
{
    return eve_out_now_ms() + (o->is_stalled ? EVE_STALLED_DRAIN_MS : EVE_DRAIN_TIMEOUT_MS);
}

static void *writer_main(void *arg)
{
    EveOut *o = arg;
    if (o->has_cpus) {
        /* Not the CPUs of the packet thread that happened to start it. */
        (void)pthread_setaffinity_np(pthread_self(), sizeof(o->cpus), &o->cpus);
    }
    int64_t deadline_ms = 0; // set when stopping: the drain's limit
    pthread_mutex_lock(&o->lock);
    for (;;) {
        if (o->reopen_requested && (o->head == NULL || o->batches > o->reopen_after)) {
            /* What was queued before went to the old file (written above). */
            o->reopen_requested = false;
            pthread_mutex_unlock(&o->lock);
            int rc = o->c.ops->reopen != NULL ? o->c.ops->reopen(o->state) : 0;
            pthread_mutex_lock(&o->lock);
            o->reopen_rc = rc;
            o->reopen_done++;
            pthread_cond_broadcast(&o->has_room);
            continue;
        }
        if (o->flush_requested && o->head == NULL) {
            o->flush_requested = false;
            pthread_mutex_unlock(&o->lock);
            if (o->c.ops->flush != NULL && o->c.ops->flush(o->state) != 0) {
                ctr_add(o, CTR_ERRORS, 1);
            }
            publish(o, true);
            pthread_mutex_lock(&o->lock);
            o->flush_done++;
            pthread_cond_broadcast(&o->has_room);
            continue;
        }
        if (o->head == NULL) {
            if (o->stop) {
                break;
            }
            o->is_writer_idle = true;
            timed_wait(&o->has_data, &o->lock, EVE_WRITER_WAKE_MS);
            o->is_writer_idle = false;
            if (o->head == NULL) {
                pthread_mutex_unlock(&o->lock);
                if (o->c.ops->tick != NULL) {
                    o->c.ops->tick(o->state);
                }
                publish(o, false);
                pthread_mutex_lock(&o->lock);
            }
            continue;
        }
        if (o->stop && deadline_ms == 0) {
            deadline_ms = drain_deadline(o);
        }
        EveChunk *list = o->head;
        o->head = o->tail = NULL;
        o->is_writing = true;
        o->batches++;
        pthread_mutex_unlock(&o->lock);
        for (EveChunk *c = list; c != NULL; c = c->next) {
            if (deadline_ms == 0 && is_stopping(o)) {
                /* Closing while a long list is being written to a slow sink:
                 * the drain's limit applies to the rest of it too. */
                pthread_mutex_lock(&o->lock);
                deadline_ms = drain_deadline(o);
                pthread_mutex_unlock(&o->lock);
            }
            if (deadline_ms > 0 && eve_out_now_ms() > deadline_ms) {
                ctr_add(o, CTR_DROPPED, c->n_records); // closing, out of time
            } else {
                write_chunk(o, c, deadline_ms);
            }
        }
        publish(o, false);
        pthread_mutex_lock(&o->lock);
        while (list != NULL) {
            EveChunk *next = list->next;
            chunk_release(o, list);
            list = next;
        }
        o->is_writing = false;
        pthread_cond_broadcast(&o->has_room);
    }
    pthread_mutex_unlock(&o->lock);
    if (o->c.ops->flush != NULL) {
        (void)o->c.ops->flush(o->state);
    }
    publish(o, true);
    return NULL;
}

/* ---- life cycle ---- */

static int register_counters(EveOut *o)
{
    o->cs = counters_set_new();
    if (o->cs == NULL) {
        return VG_ENOMEM;
    }
    for (int i = 0; i < CTR_N; i++) {
        char name[160];
        snprintf(name, sizeof(name), "output.eve-log.%s.%s", o->name, ctr_names[i]);
        o->ids[i] = counters_register(name, COUNTER_SUM);
    }
    return 0;
}

EveOut *eve_out_new(const EveOutConf *c)
{
    EveOut *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        return NULL;
    }
    o->c = *c;
    o->name = strdup(c->name != NULL ? c->name : "eve");
    o->path = c->path != NULL ? strdup(c->path) : NULL;
    if (o->name == NULL || (c->path != NULL && o->path == NULL)) {
        goto fail_alloc;
    }
    o->c.name = o->name;
    o->c.path = o->path;
    pthread_mutex_init(&o->lock, NULL);
    pthread_mutex_init(&o->pub_lock, NULL);
    pthread_cond_init(&o->has_data, NULL);
    pthread_cond_init(&o->has_room, NULL);
    o->scfg = (VgEveSinkConfig){.name = o->name, .filename = o->path, .engine = o,
                                .get = host_get, .report = host_report,
                                .count_reconnect = host_reconnect, .count_error = host_error};
    if (c->register_counters && register_counters(o) != 0) {
        goto fail_sync;
    }
    if (c->ops->open(&o->scfg, &o->state) != 0) {
        goto fail_sync; // the backend logged why
    }
    /* The writer starts on first use, not here: outputs open before -D
     * forks, and a thread would not survive the fork. */
    o->is_queued = c->queue_bytes > 0;
    o->has_cpus = sched_getaffinity(0, sizeof(o->cpus), &o->cpus) == 0;
    publish(o, true);
    return o;

fail_sync:
    counters_set_free(o->cs);
    pthread_cond_destroy(&o->has_room);
    pthread_cond_destroy(&o->has_data);
    pthread_mutex_destroy(&o->pub_lock);
    pthread_mutex_destroy(&o->lock);
fail_alloc:
    free(o->path);
    free(o->name);
    free(o);
    return NULL;
}

int eve_out_drain(EveOut *o, int64_t timeout_ms)
{
    int64_t until = eve_out_now_ms() + timeout_ms;
    int rc = 0;
    pthread_mutex_lock(&o->lock);
    if (o->is_started) {
        /* The writer flushes the backend once the queue is empty (async
         * sinks: until their delivery reports are in). */
        uint64_t gen = o->flush_done;
        o->flush_requested = true;
        pthread_cond_signal(&o->has_data);
        /* A sink that writes nothing for EVE_DRAIN_IDLE_MS is stalled (or its
         * peer is gone): waiting longer would only delay the end of the run. */
        uint64_t seen = UINT64_MAX;
        int64_t last_move = eve_out_now_ms();
        while (o->flush_done == gen && eve_out_now_ms() < until &&
               eve_out_now_ms() - last_move < EVE_DRAIN_IDLE_MS) {
            timed_wait(&o->has_room, &o->lock, 20);
            uint64_t done = atomic_load_explicit(&o->ctr[CTR_WRITTEN], memory_order_relaxed);
            if (done != seen) {
                seen = done;
                last_move = eve_out_now_ms();
            }
        }
        rc = o->flush_done == gen ? VG_EIO : 0;
        o->is_stalled = rc != 0;
    }
    pthread_mutex_unlock(&o->lock);
    if (!o->is_queued && o->c.ops->flush != NULL) {
        pthread_mutex_lock(&o->lock);
        rc = o->c.ops->flush(o->state);
        pthread_mutex_unlock(&o->lock);
    }
    publish(o, true);
    return rc;
}

int eve_out_reopen(EveOut *o)
{
    int rc = 0;
    pthread_mutex_lock(&o->lock);
    if (o->is_started) {
        /* The writer does it once what is queued now is written; wait for
         * it (bounded), so that the new file exists when this returns. */
        uint64_t gen = o->reopen_done;
        o->reopen_requested = true;
        o->reopen_after = o->batches;
        pthread_cond_signal(&o->has_data);
        int64_t until = eve_out_now_ms() + 2000;
        while (o->reopen_done == gen && eve_out_now_ms() < until) {
            timed_wait(&o->has_room, &o->lock, 20);
        }
        rc = o->reopen_done != gen ? o->reopen_rc : 0;
    } else if (o->c.ops->reopen != NULL) {
        rc = o->c.ops->reopen(o->state);
    }
    pthread_mutex_unlock(&o->lock);
    return rc;
}

void eve_out_get_stats(EveOut *o, EveSinkStats *st)
{
    st->records = atomic_load_explicit(&o->ctr[CTR_WRITTEN], memory_order_relaxed);
    st->bytes = atomic_load_explicit(&o->bytes, memory_order_relaxed);
    st->write_errors = atomic_load_explicit(&o->ctr[CTR_ERRORS], memory_order_relaxed);
    st->dropped = atomic_load_explicit(&o->ctr[CTR_DROPPED], memory_order_relaxed);
    st->produced = atomic_load_explicit(&o->ctr[CTR_PRODUCED], memory_order_relaxed);
    st->reconnects = atomic_load_explicit(&o->ctr[CTR_RECONNECTS], memory_order_relaxed);
}

const char *eve_out_name(const EveOut *o)
{
    return o->name;
}

void eve_out_describe(const EveOut *o, char *buf, size_t size)
{
    const char *ft = o->c.ops != NULL && o->c.ops->filetype != NULL ? o->c.ops->filetype : "?";
    if (strcmp(ft, "regular") == 0 && o->path != NULL) {
        const char *slash = strrchr(o->path, '/');
        snprintf(buf, size, "%s", slash != NULL ? slash + 1 : o->path);
    } else if (o->path != NULL && o->path[0] != '\0') {
        snprintf(buf, size, "%s %s", ft, o->path);
    } else {
        snprintf(buf, size, "%s (eve-log %s)", ft, o->name);
    }
}

void eve_out_free(EveOut *o)
{
    if (o == NULL) {
        return;
    }
    if (o->is_started) {
        pthread_mutex_lock(&o->lock);
        o->stop = true;
        pthread_cond_signal(&o->has_data);
        pthread_cond_broadcast(&o->has_room);
        pthread_mutex_unlock(&o->lock);
        pthread_join(o->thread, NULL);
    } else if (o->c.ops->flush != NULL) {
        (void)o->c.ops->flush(o->state);
    }
    for (EveChunk *c = o->head; c != NULL;) { // never written (no writer thread)
        EveChunk *next = c->next;
        ctr_add(o, CTR_DROPPED, c->n_records);
        free(c);
        c = next;
    }
    o->head = o->tail = NULL;
    o->c.ops->close(o->state);
    EveSinkStats st;
    eve_out_get_stats(o, &st);
    if (o->c.register_counters && (st.dropped > 0 || st.write_errors > 0)) {
        VG_NOTICE("eve-log %s: %llu records produced, %llu written, %llu dropped, %llu errors",
                  o->name, (unsigned long long)st.produced, (unsigned long long)st.records,
                  (unsigned long long)st.dropped, (unsigned long long)st.write_errors);
    } else if (o->c.register_counters) {
        VG_INFO("eve-log %s: %llu records produced, %llu written, %llu dropped, %llu errors",
                o->name, (unsigned long long)st.produced, (unsigned long long)st.records,
                (unsigned long long)st.dropped, (unsigned long long)st.write_errors);
    }
    while (o->free_list != NULL) {
        EveChunk *c = o->free_list;
        o->free_list = c->next;
        free(c);
    }
    /* The set's values stay in the registry's totals (SUM counters). */
    counters_set_free(o->cs);
    pthread_cond_destroy(&o->has_room);
    pthread_cond_destroy(&o->has_data);
    pthread_mutex_destroy(&o->pub_lock);
    pthread_mutex_destroy(&o->lock);
    free(o->path);
    free(o->name);
    free(o);
}
