/* Tag state (the tag keyword): after a tagging rule fires, the following
 * packets of its session, or to/from one of its hosts, are marked
 * PKT_F_TAGGED until a limit in packets, bytes or seconds (packet time) runs
 * out. The packet that fired the rule is not tagged itself (Suricata logs
 * only the packets after it).
 *
 * Session tags live in the flow's detection state (flow lock held by the
 * caller). Host tags are shared by all workers: one mutex guards a table
 * capped at DETECT_TAG_HOSTS_MAX hosts; a new host beyond that is refused
 * and counted rather than growing the table. A host whose tags have all run
 * out is freed when next looked at. */

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "flow/flow-types.h"
#include "runtime/runtime-order.h"
#include "util/util-error.h"

#define TAG_BUCKETS 4096

typedef struct TagHost {
    uint8_t family;
    uint8_t addr[16];
    DetectTagEntry tags[DETECT_TAG_PER_HOST];
    struct TagHost *next;
} TagHost;

struct DetectTagTable {
    pthread_mutex_t lock;
    TagHost *buckets[TAG_BUCKETS];
    _Atomic uint32_t n_hosts;          // written under the lock; read without it to skip
    uint32_t max_hosts;
    _Atomic uint64_t refused;
};

DetectTagTable *detect_tag_table_new(uint32_t max_hosts)
{
    DetectTagTable *t = calloc(1, sizeof(*t));
    if (t != NULL && pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t);
        return NULL;
    }
    if (t != NULL) {
        t->max_hosts = max_hosts;
    }
    return t;
}

void detect_tag_table_free(DetectTagTable *t)
{
    if (t == NULL) {
        return;
    }
    for (size_t i = 0; i < TAG_BUCKETS; i++) {
        TagHost *h = t->buckets[i];
        while (h != NULL) {
            TagHost *n = h->next;
            free(h);
            h = n;
        }
    }
    pthread_mutex_destroy(&t->lock);
    free(t);
}

uint64_t detect_tag_refused(DetectTagTable *t)
{
    return t != NULL ? atomic_load(&t->refused) : 0;
}

uint32_t detect_tag_hosts(DetectTagTable *t)
{
    pthread_mutex_lock(&t->lock);
    uint32_t n = atomic_load(&t->n_hosts);
    pthread_mutex_unlock(&t->lock);
    return n;
}

/* Applies p to one live tag: true when p is tagged by it. A tag whose limit
 * is passed is cleared. */
static bool entry_step(DetectTagEntry *e, const Packet *p)
{
    if (!e->active) {
        return false;
    }
    if (e->fresh) {
        e->fresh = false;  // the packet that fired the rule
        return false;
    }
    bool over;
    switch (e->metric) {
    case DETECT_TAG_SECONDS:
        over = p->ts_sec - e->first_ts > (int64_t)e->count;
        break;
    case DETECT_TAG_BYTES:
        e->seen += p->caplen;
        over = e->seen > e->count;
        break;
    default:
        e->seen++;
        over = e->seen > e->count;
        break;
    }
    if (over) {
        e->active = false;
    }
    return !over;
}

static void entry_start(DetectTagEntry *e, const DetectTagSpec *spec, int64_t now)
{
    *e = (DetectTagEntry){ .active = true, .fresh = true, .metric = spec->metric,
                           .count = spec->count, .first_ts = now };
}

/* Session tags: the flow keeps one; a tag still running is not restarted by
 * the rule firing again. */
void detect_tag_session_add(DetectTagEntry *e, const DetectTagSpec *spec, int64_t now)
{
    if (e != NULL && !e->active) {
        entry_start(e, spec, now);
    }
}

bool detect_tag_session_step(DetectTagEntry *e, const Packet *p)
{
    return e != NULL && entry_step(e, p);
}

static TagHost **host_slot(DetectTagTable *t, const VgAddr *a)
{
    uint8_t key[17];
    key[0] = a->family;
    memcpy(key + 1, a->a.u8, 16);
    TagHost **pp = &t->buckets[detect_hash(key, sizeof(key)) % TAG_BUCKETS];
    while (*pp != NULL &&
           ((*pp)->family != a->family || memcmp((*pp)->addr, a->a.u8, 16) != 0)) {
        pp = &(*pp)->next;
    }
    return pp;
}

static bool host_live(const TagHost *h)
{
    for (int i = 0; i < DETECT_TAG_PER_HOST; i++) {
        if (h->tags[i].active) {
            return true;
        }
    }
    return false;
}

static void host_unlink(DetectTagTable *t, TagHost **pp)
{
    TagHost *h = *pp;
    *pp = h->next;
    free(h);
    t->n_hosts--;
}

int detect_tag_host_add(DetectTagTable *t, const VgAddr *a, const DetectTagSpec *spec,
                        int64_t now)
{
    int rc = 0;
    pthread_mutex_lock(&t->lock);
    TagHost **pp = host_slot(t, a);
    if (*pp == NULL && t->n_hosts < t->max_hosts) {
        *pp = calloc(1, sizeof(**pp));
        if (*pp != NULL) {
            (*pp)->family = a->family;
            memcpy((*pp)->addr, a->a.u8, 16);
            t->n_hosts++;
        }
    }
    DetectTagEntry *free_slot = NULL;
    for (int i = 0; *pp != NULL && i < DETECT_TAG_PER_HOST && free_slot == NULL; i++) {
        if (!(*pp)->tags[i].active) {
            free_slot = &(*pp)->tags[i];
        }
    }
    if (free_slot != NULL) {
        entry_start(free_slot, spec, now);
    } else {
        atomic_fetch_add(&t->refused, 1);
        rc = VG_ERANGE;  // host table full, or the host has no free slot
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

bool detect_tag_host_step(DetectTagTable *t, const VgAddr *a, const Packet *p)
{
    bool tagged = false;
    if (atomic_load(&t->n_hosts) == 0) {
        return false;  // no host tags anywhere: no lock per packet
    }
    pthread_mutex_lock(&t->lock);
    TagHost **pp = host_slot(t, a);
    if (*pp != NULL) {
        for (int i = 0; i < DETECT_TAG_PER_HOST; i++) {
            tagged |= entry_step(&(*pp)->tags[i], p);
        }
        if (!host_live(*pp)) {
            host_unlink(t, pp);
        }
    }
    pthread_mutex_unlock(&t->lock);
    return tagged;
}

static bool has_ip(const Packet *p)
{
    return p->l3 == PKT_L3_IPV4 || p->l3 == PKT_L3_IPV6;
}

void detect_tag_packet(DetectThread *dt, Packet *p)
{
    if ((p->flags & PKT_F_PSEUDO) || !has_ip(p)) {
        return;
    }
    bool tagged = false;
    if (p->flow != NULL) {
        DetectFlowState *fs = detect_flow_state(p, false, 0, 0);
        tagged = detect_tag_session_step(detect_flow_tag(fs), p);
    }
    DetectTagTable *t = dt->de->tags;
    if (dt->de->has_host_tags) {
        runtime_order_wait();  // host tags are shared by every flow: in packet order
    }
    tagged |= detect_tag_host_step(t, &p->src, p);
    tagged |= detect_tag_host_step(t, &p->dst, p);
    if (tagged) {
        p->flags |= PKT_F_TAGGED;
    }
}
