/* The expectation table: data connections announced on FTP control connections
 * (PORT/EPRT commands, PASV/EPSV replies). As Suricata's expectations, an announcement
 * is bound to the control connection's two addresses and the announced port: a new TCP
 * flow between the same two hosts (either way round) whose server port is that port is
 * an ftp-data flow, whatever address the announcement named (a server behind NAT names
 * its private address in its PASV reply). The app layer asks app_expect_proto on the
 * flow's first data (before pattern detection), and the ftp-data parser takes the entry
 * (transfer command and file name).
 *
 * Bounded: FTP_EXPECT_PER_PAIR entries per address pair (a new one replaces the pair's
 * oldest, as Suricata's), FTP_EXPECT_MAX in all (when every one is in use, ended control
 * connections' entries are freed first, and a new announcement is refused if none
 * was: other pairs' entries are never taken, see below). A control connection's last
 * announcement not used when it ends goes with it (that entry only: an id names it, so
 * a later session announcing the same port keeps its own). Any packet thread may add or
 * take (a control and its data connection may be on different threads): one mutex.
 *
 * Packet order (capture files read by several threads, runtime-order.h): the table is
 * changed and read in capture order. An announcement, a transfer command and a take
 * wait until every earlier packet was released before they change the table, so they
 * come after every earlier packet's lookup. A new TCP flow's lookup, one per flow, waits
 * only for the earlier packets between the same two hosts (runtime_order_wait_pair):
 * only those can have announced, taken or replaced its pair's entries, and refusing an
 * announcement instead of taking another pair's entry keeps the other pairs out of it.
 * A lookup that sees an entry whose control connection has not ended waits for every
 * earlier packet too, then looks again: that end is marked by whichever thread runs
 * the control flow's timeout pass, with the number of the packet it runs at (not
 * ordered: it runs under locks earlier packets may need); lookups of earlier packets
 * still see the entry, and a later announcement frees it.
 *
 * When a flow ends depends on the runmode (each flow thread runs its own timeout
 * passes), so data parsed only at a flow's end (unacknowledged at a timeout or at the
 * end of the run) neither announces, nor names a transfer, nor is looked up. Left to
 * the runmode: a data connection that starts after its control connection timed out
 * (single ends that one at another packet than workers). */
#include "app-layer/ftp/app-layer-ftp.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/runtime-order.h"

#define FTP_EXPECT_MAX 4096u          // a power of two: an id's low bits are its index
#define FTP_EXPECT_PER_PAIR 10u
#define FTP_EXPECT_BUCKETS 1024u
/* File names the table keeps, in all: past this a transfer command's name is not kept
 * (its ftp-data tx has the command and no file name). Without it, 4096 entries with
 * names of up to FTP_LINE_MAX bytes would hold 16 MiB that no memcap counts. */
#define FTP_EXPECT_NAME_BYTES (1024u * FTP_LINE_MAX)

typedef struct Entry {
    struct Entry *next;          // in its bucket, or in the free list
    bool used;
    VgAddr a;                    // the control connection's addresses
    VgAddr b;
    uint32_t bucket;
    FtpExpect e;
    uint64_t id;                 // ftp_expect_add: rising in capture order, index in low bits
    uint64_t order_seq;          // the announcing packet's number (0: ordering off)
    uint64_t ended_at;           // control connection ended at this packet (0: not)
} Entry;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static Entry g_tab[FTP_EXPECT_MAX];             // under g_lock
static Entry *g_bucket[FTP_EXPECT_BUCKETS];     // under g_lock
static Entry *g_free;                           // under g_lock
static bool g_ready;                            // the free list is built (under g_lock)
static uint64_t g_seq;
static uint64_t g_name_bytes;                   // under g_lock
/* Entries in use: new flows skip the lock while no FTP announced anything (written under
 * g_lock, read by any packet thread after the packet-order wait). */
static _Atomic uint32_t g_used;

static bool same(const VgAddr *a, const VgAddr *b)
{
    if (a->family != b->family) {
        return false;
    }
    return memcmp(a->a.u8, b->a.u8, a->family == 4 ? 4 : 16) == 0;
}

static bool same_pair(const Entry *en, const Flow *f)
{
    return (same(&en->a, &f->key.src) && same(&en->b, &f->key.dst)) ||
           (same(&en->a, &f->key.dst) && same(&en->b, &f->key.src));
}

static uint32_t bucket_of(const Flow *f)
{
    return runtime_order_pair_slot(&f->key.src, &f->key.dst) % FTP_EXPECT_BUCKETS;
}

/* Lock held. */
static void ready(void)
{
    if (g_ready) {
        return;
    }
    g_free = NULL;
    for (uint32_t i = FTP_EXPECT_MAX; i-- > 0;) {
        memset(&g_tab[i], 0, sizeof(g_tab[i]));
        g_tab[i].next = g_free;
        g_free = &g_tab[i];
    }
    memset(g_bucket, 0, sizeof(g_bucket));
    g_ready = true;
}

/* Whether a lookup at packet `at` (0: outside packet order) sees en. */
static bool visible(const Entry *en, uint64_t at)
{
    if (at == 0) {
        return en->ended_at == 0;
    }
    return en->order_seq < at && (en->ended_at == 0 || en->ended_at > at);
}

static Entry *find_key(const Flow *f, uint16_t port)
{
    for (Entry *en = g_bucket[bucket_of(f)]; en != NULL; en = en->next) {
        if (en->e.port == port && same_pair(en, f)) {
            return en;
        }
    }
    return NULL;
}

static Entry *find_id(uint64_t id)
{
    Entry *en = &g_tab[id & (FTP_EXPECT_MAX - 1)];
    return g_ready && en->used && en->id == id ? en : NULL;
}

/* Out of its bucket, its name freed, cleared (lock held); not yet on the free list. */
static void entry_release(Entry *en)
{
    Entry **pp = &g_bucket[en->bucket];
    while (*pp != NULL && *pp != en) {
        pp = &(*pp)->next;
    }
    if (*pp == en) {
        *pp = en->next;
    }
    g_name_bytes -= en->e.name_len;
    free(en->e.name);
    memset(en, 0, sizeof(*en));
    atomic_fetch_sub(&g_used, 1);
}

/* Back to the free list (lock held). */
static void entry_free(Entry *en)
{
    if (!en->used) {
        return;
    }
    entry_release(en);
    en->next = g_free;
    g_free = en;
}

/* Data parsed at af's flow end (see the file comment). It never waits for the packet
 * order either: a flow's last data is parsed under the flow-end lock, which the threads
 * of earlier packets may need (engine-setup.c). */
static bool flow_at_end(const Flow *f)
{
    return (f->flags & FLOW_F_ENDING) != 0;
}

/* The app flow may be new at the flush (its flow had none when the app layer's
 * flow end ran), so the flow's own mark counts too. */
static bool at_end(const AppFlow *af)
{
    return af != NULL && ((af->flags & APP_FLOW_F_ENDED) != 0 || flow_at_end(af->f));
}

/* Entries whose control connection ended at a packet every lookup has passed. */
static bool dead(const Entry *en, uint64_t now)
{
    return en->used && en->ended_at != 0 && (now == 0 || en->ended_at <= now);
}

/* An entry for a new announcement of ctl's pair and port (lock held): its own earlier
 * one for that port, else the pair's oldest once it has FTP_EXPECT_PER_PAIR, else a free
 * one (freeing the dead first when none is). NULL: the table is full of live entries. */
static Entry *entry_for(const Flow *ctl, uint16_t port, uint64_t now)
{
    Entry *en = find_key(ctl, port);
    if (en != NULL) {
        return en;
    }
    uint32_t n = 0;
    Entry *oldest = NULL;
    for (Entry *x = g_bucket[bucket_of(ctl)]; x != NULL; x = x->next) {
        if (same_pair(x, ctl) && !dead(x, now)) {
            n++;
            oldest = oldest == NULL || x->id < oldest->id ? x : oldest;
        }
    }
    if (n >= FTP_EXPECT_PER_PAIR) {
        return oldest;
    }
    if (g_free == NULL) {
        for (uint32_t i = 0; i < FTP_EXPECT_MAX; i++) {
            if (dead(&g_tab[i], now)) {
                entry_free(&g_tab[i]);
            }
        }
    }
    return g_free;
}

uint64_t ftp_expect_add(const AppFlow *af, const Flow *ctl, uint16_t port)
{
    if (at_end(af) || ctl == NULL) {
        return 0;
    }
    runtime_order_wait();        // after every earlier packet's lookups and changes
    uint64_t now = runtime_order_current();
    pthread_mutex_lock(&g_lock);
    ready();
    Entry *en = entry_for(ctl, port, now);
    if (en == NULL) {
        pthread_mutex_unlock(&g_lock);
        return 0;
    }
    if (en->used) {
        entry_release(en);       // replaced: the same key, or the pair's oldest
    } else {
        g_free = en->next;       // entry_for gave the free list's head
        memset(en, 0, sizeof(*en));
    }
    en->used = true;
    atomic_fetch_add(&g_used, 1);
    en->a = ctl->key.src;
    en->b = ctl->key.dst;
    en->bucket = bucket_of(ctl);
    en->next = g_bucket[en->bucket];
    g_bucket[en->bucket] = en;
    en->e.port = port;
    en->id = (++g_seq * FTP_EXPECT_MAX) | (uint64_t)(en - g_tab);
    en->order_seq = now;
    uint64_t id = en->id;
    pthread_mutex_unlock(&g_lock);
    return id;
}

void ftp_expect_set_command(const AppFlow *af, uint64_t id, uint8_t command,
                            const uint8_t *name, uint32_t name_len)
{
    if (at_end(af) || id == 0) {
        return;
    }
    runtime_order_wait();        // not before an earlier packet's data connection took it
    pthread_mutex_lock(&g_lock);
    Entry *en = find_id(id);
    if (en != NULL && en->ended_at == 0) {
        en->e.command = command;
        g_name_bytes -= en->e.name_len;
        free(en->e.name);
        en->e.name = NULL;
        en->e.name_len = 0;
        if (name_len > 0 && g_name_bytes + name_len <= FTP_EXPECT_NAME_BYTES &&
            (en->e.name = malloc(name_len)) != NULL) {
            memcpy(en->e.name, name, name_len);
            en->e.name_len = name_len;
            g_name_bytes += name_len;
        }
    }
    pthread_mutex_unlock(&g_lock);
}

/* The entry data flow f's lookup at the current packet sees. *unsure: one is seen whose
 * control connection may yet be marked ended by an earlier packet's thread. */
static bool lookup(const Flow *f, FtpExpect *out, bool take, bool *unsure)
{
    *unsure = false;
    if (atomic_load(&g_used) == 0) {
        return false;
    }
    uint64_t at = runtime_order_current();
    pthread_mutex_lock(&g_lock);
    Entry *en = g_ready ? find_key(f, f->key.dp) : NULL;
    if (en != NULL && !visible(en, at)) {
        en = NULL;
    }
    *unsure = en != NULL && at != 0 && en->ended_at == 0;
    if (en != NULL && out != NULL) {
        *out = en->e;
    }
    if (en != NULL && take) {
        if (out != NULL) {
            g_name_bytes -= en->e.name_len;
            en->e.name = NULL;   // handed to the caller
            en->e.name_len = 0;
        }
        entry_free(en);
    }
    pthread_mutex_unlock(&g_lock);
    return en != NULL;
}

bool ftp_expect_take(const AppFlow *af, const Flow *f, FtpExpect *out)
{
    if (at_end(af) || f == NULL) {
        return false;
    }
    runtime_order_wait();        // usually at once: app_expect_proto waited for this packet
    bool unsure;
    return lookup(f, out, true, &unsure);
}

void ftp_expect_remove(uint64_t id)
{
    if (id == 0) {
        return;
    }
    uint64_t now = runtime_order_current();
    pthread_mutex_lock(&g_lock);
    Entry *en = find_id(id);
    if (en != NULL && now == 0) {
        entry_free(en);          // no packet order: at once
    } else if (en != NULL && en->ended_at == 0) {
        en->ended_at = now;      // freed by a later announcement
    }
    pthread_mutex_unlock(&g_lock);
}

AppProto app_expect_proto(const Flow *f)
{
    if (f->key.proto != 6 || flow_at_end(f) || at_end(app_flow_get(f))) {
        return APP_PROTO_UNKNOWN;
    }
    if (!app_layer_proto_enabled(APP_PROTO_FTP)) {
        return APP_PROTO_UNKNOWN;   // no FTP parser: nothing is ever announced, no wait
    }
    /* Earlier packets between the same two hosts may still announce this connection, or
     * take or replace the announcement. Whether any will is known only once they are
     * done: a control connection read by another thread may not even be FTP yet. */
    runtime_order_wait_pair(runtime_order_pair_slot(&f->key.src, &f->key.dst));
    bool unsure;
    bool found = lookup(f, NULL, false, &unsure);
    if (unsure) {
        runtime_order_wait();    // an earlier packet's thread may end its control flow
        found = lookup(f, NULL, false, &unsure);
    }
    return found ? APP_PROTO_FTP_DATA : APP_PROTO_UNKNOWN;
}

void ftp_expect_deinit(void)
{
    pthread_mutex_lock(&g_lock);
    for (uint32_t i = 0; g_ready && i < FTP_EXPECT_MAX; i++) {
        entry_free(&g_tab[i]);
    }
    g_ready = false;
    g_seq = 0;
    g_name_bytes = 0;
    pthread_mutex_unlock(&g_lock);
}
