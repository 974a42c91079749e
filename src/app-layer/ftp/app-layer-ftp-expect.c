/* The expectation table: data connections announced on FTP control connections
 * (PORT/EPRT commands, PASV/EPSV replies), keyed by the listening address and port. A
 * new TCP flow whose server side is such an address and port is an ftp-data flow: the
 * app layer asks app_expect_proto on the flow's first data (before pattern detection),
 * and the ftp-data parser takes the entry (transfer command and file name).
 *
 * Bounded: FTP_EXPECT_MAX entries; a new one replaces the oldest, and a control
 * connection's last announcement not used when it ends goes with it. Any packet thread may
 * add or take (a control and its data connection may be on different threads): one
 * mutex.
 *
 * Packet order (capture files read by several threads, runtime-order.h): while an FTP
 * control connection is open, a new flow's first lookup waits until every earlier
 * packet was released, and an entry announced by a later packet is not seen, so a
 * data connection is one in every runmode exactly when it is one in single mode. Left
 * to thread timing: a control connection's end (which removes its unused announcement)
 * handled in another thread before an earlier data connection's first data. */
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
    uint64_t seq;
    uint64_t order_seq;          // the announcing packet's number (0: ordering off)
} Entry;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static Entry g_tab[FTP_EXPECT_MAX];   // under g_lock
static uint64_t g_seq;
/* Entries in use: new flows skip the lock while no FTP announced anything (written under
 * g_lock, read by any packet thread). */
static _Atomic uint32_t g_used;
/* Open FTP control connections (ftp_expect_flow_open/close). */
static _Atomic uint32_t g_ftp_flows;

void ftp_expect_flow_open(void)
{
    atomic_fetch_add(&g_ftp_flows, 1);
}

void ftp_expect_flow_close(void)
{
    atomic_fetch_sub(&g_ftp_flows, 1);
}

static bool same(const VgAddr *a, const VgAddr *b)
{
    if (a->family != b->family) {
        return false;
    }
    return memcmp(a->a.u8, b->a.u8, a->family == 4 ? 4 : 16) == 0;
}

static Entry *find_before(const VgAddr *srv, uint16_t port, uint64_t before)
{
    for (uint32_t i = 0; i < FTP_EXPECT_MAX; i++) {
        if (g_tab[i].used && g_tab[i].e.port == port && same(&g_tab[i].e.srv, srv) &&
            (before == 0 || g_tab[i].order_seq < before)) {
            return &g_tab[i];
        }
    }
    return NULL;
}

static Entry *find(const VgAddr *srv, uint16_t port)
{
    return find_before(srv, port, 0);
}

static void entry_clear(Entry *en)
{
    if (en->used) {
        atomic_fetch_sub(&g_used, 1);
    }
    free(en->e.name);
    memset(en, 0, sizeof(*en));
}

void ftp_expect_add(const VgAddr *srv, uint16_t port)
{
    pthread_mutex_lock(&g_lock);
    Entry *en = find(srv, port);
    if (en == NULL) {
        Entry *oldest = &g_tab[0];
        for (uint32_t i = 0; i < FTP_EXPECT_MAX; i++) {
            if (!g_tab[i].used) {
                oldest = &g_tab[i];
                break;
            }
            if (g_tab[i].seq < oldest->seq) {
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
    en->order_seq = runtime_order_current();
    pthread_mutex_unlock(&g_lock);
}

void ftp_expect_set_command(const VgAddr *srv, uint16_t port, uint8_t command,
                            const uint8_t *name, uint32_t name_len)
{
    pthread_mutex_lock(&g_lock);
    Entry *en = find(srv, port);
    if (en != NULL) {
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

static bool lookup(const VgAddr *dst, uint16_t dp, FtpExpect *out, bool take, uint64_t before)
{
    if (atomic_load(&g_used) == 0) {
        return false;
    }
    pthread_mutex_lock(&g_lock);
    Entry *en = find_before(dst, dp, before);
    if (en != NULL && out != NULL) {
        *out = en->e;
    }
    if (en != NULL && take) {
        en->e.name = NULL;       // handed to the caller
        entry_clear(en);
    }
    pthread_mutex_unlock(&g_lock);
    return en != NULL;
}

bool ftp_expect_take(const VgAddr *dst, uint16_t dp, FtpExpect *out)
{
    return lookup(dst, dp, out, true, runtime_order_current());
}

void ftp_expect_remove(const VgAddr *srv, uint16_t port)
{
    FtpExpect e;
    if (lookup(srv, port, &e, true, 0)) {
        free(e.name);
    }
}

AppProto app_expect_proto(const Flow *f)
{
    if (f->key.proto != 6) {
        return APP_PROTO_UNKNOWN;
    }
    if (atomic_load(&g_ftp_flows) > 0) {
        runtime_order_wait();    // earlier packets may still announce this connection
    }
    return lookup(&f->key.dst, f->key.dp, NULL, false, runtime_order_current())
               ? APP_PROTO_FTP_DATA
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
