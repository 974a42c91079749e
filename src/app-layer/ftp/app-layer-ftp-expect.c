/* The expectation table: data connections announced on FTP control connections
 * (PORT/EPRT commands, PASV/EPSV replies), keyed by the listening address and port. A
 * new TCP flow whose server side is such an address and port is an ftp-data flow: the
 * app layer asks app_expect_proto on the flow's first data (before pattern detection),
 * and the ftp-data parser takes the entry (transfer command and file name).
 *
 * Bounded: FTP_EXPECT_MAX entries; a new one replaces the oldest, and a control
 * connection's last announcement not used when it ends goes with it (that entry only: an
 * id names it, so a later session announcing the same address and port keeps its own).
 * Any packet thread may add or take (a control and its data connection may be on
 * different threads): one mutex.
 *
 * Packet order (capture files read by several threads, runtime-order.h): the table is
 * changed and read in capture order. An announcement and a transfer command wait until
 * every earlier packet was released before they change the table, so they come after
 * every earlier packet's lookup, and eviction follows capture order; a new TCP flow's
 * lookup waits the same way, so it sees every announcement of an earlier packet and
 * none of a later one. A control connection's end (a flow timeout pass, not ordered:
 * it runs under locks earlier packets may need) marks its entry with the number of the
 * packet it runs at; lookups of earlier packets still see it, and a later announcement
 * frees it.
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

#define FTP_EXPECT_MAX 1024

typedef struct Entry {
    bool used;
    FtpExpect e;
    uint64_t seq;                // id (ftp_expect_add), rising in capture order
    uint64_t order_seq;          // the announcing packet's number (0: ordering off)
    uint64_t ended_at;           // control connection ended at this packet (0: not)
} Entry;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static Entry g_tab[FTP_EXPECT_MAX];   // under g_lock
static uint64_t g_seq;
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

/* Whether a lookup at packet `at` (0: outside packet order) sees en. */
static bool visible(const Entry *en, uint64_t at)
{
    if (at == 0) {
        return en->ended_at == 0;
    }
    return en->order_seq < at && (en->ended_at == 0 || en->ended_at > at);
}

static Entry *find_key(const VgAddr *srv, uint16_t port)
{
    for (uint32_t i = 0; i < FTP_EXPECT_MAX; i++) {
        if (g_tab[i].used && g_tab[i].e.port == port && same(&g_tab[i].e.srv, srv)) {
            return &g_tab[i];
        }
    }
    return NULL;
}

static Entry *find_id(uint64_t id)
{
    for (uint32_t i = 0; i < FTP_EXPECT_MAX; i++) {
        if (g_tab[i].used && g_tab[i].seq == id) {
            return &g_tab[i];
        }
    }
    return NULL;
}

static void entry_clear(Entry *en)
{
    if (en->used) {
        atomic_fetch_sub(&g_used, 1);
    }
    free(en->e.name);
    memset(en, 0, sizeof(*en));
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

uint64_t ftp_expect_add(const AppFlow *af, const VgAddr *srv, uint16_t port)
{
    if (at_end(af)) {
        return 0;
    }
    runtime_order_wait();        // after every earlier packet's lookups and changes
    uint64_t now = runtime_order_current();
    pthread_mutex_lock(&g_lock);
    Entry *en = find_key(srv, port);
    if (en == NULL) {
        Entry *oldest = NULL;
        for (uint32_t i = 0; i < FTP_EXPECT_MAX; i++) {
            if (!g_tab[i].used || dead(&g_tab[i], now)) {
                oldest = &g_tab[i];
                break;
            }
            if (oldest == NULL || g_tab[i].seq < oldest->seq) {
                oldest = &g_tab[i];
            }
        }
        en = oldest;
    }
    entry_clear(en);
    en->used = true;
    atomic_fetch_add(&g_used, 1);
    en->e.srv = *srv;
    en->e.port = port;
    en->seq = ++g_seq;
    en->order_seq = now;
    uint64_t id = en->seq;
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
        free(en->e.name);
        en->e.name = NULL;
        en->e.name_len = 0;
        if (name_len > 0 && (en->e.name = malloc(name_len)) != NULL) {
            memcpy(en->e.name, name, name_len);
            en->e.name_len = name_len;
        }
    }
    pthread_mutex_unlock(&g_lock);
}

static bool lookup(const VgAddr *dst, uint16_t dp, FtpExpect *out, bool take)
{
    if (atomic_load(&g_used) == 0) {
        return false;
    }
    uint64_t at = runtime_order_current();
    pthread_mutex_lock(&g_lock);
    Entry *en = find_key(dst, dp);
    if (en != NULL && !visible(en, at)) {
        en = NULL;
    }
    if (en != NULL && out != NULL) {
        *out = en->e;
    }
    if (en != NULL && take) {
        if (out != NULL) {
            en->e.name = NULL;   // handed to the caller
        }
        entry_clear(en);
    }
    pthread_mutex_unlock(&g_lock);
    return en != NULL;
}

bool ftp_expect_take(const AppFlow *af, const VgAddr *dst, uint16_t dp, FtpExpect *out)
{
    if (at_end(af)) {
        return false;
    }
    runtime_order_wait();        // at once: app_expect_proto waited for this packet
    return lookup(dst, dp, out, true);
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
        entry_clear(en);         // no packet order: at once
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
    /* Earlier packets may still announce this connection, or take or replace the
     * announcement. Whether any will is known only once they are done: a control
     * connection read by another thread may not even be FTP yet. */
    runtime_order_wait();
    return lookup(&f->key.dst, f->key.dp, NULL, false) ? APP_PROTO_FTP_DATA
                                                       : APP_PROTO_UNKNOWN;
}

void ftp_expect_deinit(void)
{
    pthread_mutex_lock(&g_lock);
    for (uint32_t i = 0; i < FTP_EXPECT_MAX; i++) {
        entry_clear(&g_tab[i]);
    }
    g_seq = 0;
    pthread_mutex_unlock(&g_lock);
}
