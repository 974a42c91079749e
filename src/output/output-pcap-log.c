/* pcap-log: the packets of alerting flows (or all, or tagged ones) in pcap
 * files, rotated by size, the oldest removed past max-files. */
#include "output/output-pcap-log.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "runtime/counters.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define PCAP_MAGIC_USEC 0xa1b2c3d4u
#define PCAP_SNAPLEN 262144u

typedef enum PcapLogWhen {
    PCAP_LOG_ALL = 0,            // every packet from the wire
    PCAP_LOG_ALERTS,             // packets of flows that alerted (from the alert on)
    PCAP_LOG_TAG,                // alerting packets and tagged ones
} PcapLogWhen;

typedef struct PcapLogOpts {
    bool enabled;
    const char *filename;
    uint64_t limit;
    int64_t max_files;
    const char *conditional;
    bool honor_pass_rules;
    const char *mode;            // normal only
    const char *compression;     // none only
} PcapLogOpts;

static const ConfOption pcap_log_opts[] = {
    {"enabled", CONF_OPT_BOOL, offsetof(PcapLogOpts, enabled), "yes", 0, 0},
    {"filename", CONF_OPT_STR, offsetof(PcapLogOpts, filename), "log.pcap", 0, 0},
    {"limit", CONF_OPT_SIZE, offsetof(PcapLogOpts, limit), "1000mb", 1024, 0x7fffffffffffLL},
    {"max-files", CONF_OPT_INT, offsetof(PcapLogOpts, max_files), "2000", 0, 1000000},
    {"conditional", CONF_OPT_STR, offsetof(PcapLogOpts, conditional), "all", 0, 0},
    {"honor-pass-rules", CONF_OPT_BOOL, offsetof(PcapLogOpts, honor_pass_rules), "no", 0, 0},
    {"mode", CONF_OPT_ENUM, offsetof(PcapLogOpts, mode), "normal", 0, 0, "normal"},
    {"compression", CONF_OPT_ENUM, offsetof(PcapLogOpts, compression), "none", 0, 0, "none"},
};

struct PcapLog {
    pthread_mutex_t lock;        // the file, its size, the list of files
    char *base;                  // path without the ".<time>" suffix
    FILE *f;                     // NULL until the first packet (its linktype heads the file)
    int linktype;
    uint64_t size;
    uint64_t limit;
    uint32_t max_files;          // 0: keep every file
    PcapLogWhen when;
    bool honor_pass_rules;
    char **files;                // oldest first
    uint32_t n_files;
    CounterSet *cs;              // written under lock
    CounterId c_packets, c_bytes, c_files, c_errors;
};

static void put_u32(uint8_t *b, uint32_t v)
{
    memcpy(b, &v, 4); // host order, as the magic says
}

static int write_header(PcapLog *pl)
{
    uint8_t h[24];
    put_u32(h, PCAP_MAGIC_USEC);
    uint16_t major = 2, minor = 4;
    memcpy(h + 4, &major, 2);
    memcpy(h + 6, &minor, 2);
    memset(h + 8, 0, 8); // thiszone, sigfigs
    put_u32(h + 16, PCAP_SNAPLEN);
    put_u32(h + 20, (uint32_t)pl->linktype);
    return fwrite(h, 1, sizeof(h), pl->f) == sizeof(h) ? 0 : VG_EIO;
}

/* Drop the oldest files past max_files. */
static void prune(PcapLog *pl)
{
    while (pl->max_files > 0 && pl->n_files > pl->max_files) {
        if (unlink(pl->files[0]) != 0 && errno != ENOENT) {
            VG_WARN("pcap-log: cannot remove %s: %s", pl->files[0], strerror(errno));
        }
        free(pl->files[0]);
        memmove(pl->files, pl->files + 1, (pl->n_files - 1) * sizeof(char *));
        pl->n_files--;
    }
}

/* A new file named <base>.<packet time>[.<n>]. Caller holds the lock. */
static int open_next(PcapLog *pl, int64_t sec)
{
    if (pl->f != NULL) {
        fclose(pl->f);
        pl->f = NULL;
    }
    size_t n = strlen(pl->base) + 48;
    char *path = malloc(n);
    char **files = realloc(pl->files, (pl->n_files + 1) * sizeof(char *));
    if (path == NULL || files == NULL) {
        free(path);
        if (files != NULL) {
            pl->files = files;
        }
        return VG_ENOMEM;
    }
    pl->files = files;
    snprintf(path, n, "%s.%lld", pl->base, (long long)sec);
    for (unsigned k = 1; access(path, F_OK) == 0 && k < 1000; k++) {
        snprintf(path, n, "%s.%lld.%u", pl->base, (long long)sec, k);
    }
    pl->f = fopen(path, "wbx");
    if (pl->f == NULL) {
        VG_ERROR("pcap-log: cannot create %s: %s", path, strerror(errno));
        free(path);
        return VG_EIO;
    }
    pl->files[pl->n_files++] = path;
    pl->size = 24;
    counters_add(pl->cs, pl->c_files, 1);
    prune(pl);
    return write_header(pl);
}

static bool wanted(const PcapLog *pl, const Packet *p)
{
    if (p->flags & PKT_F_PSEUDO || p->root != NULL || p->data == NULL) {
        return false; // made by the engine, or the inner part of a wire packet
    }
    Flow *f = p->flow;
    uint32_t fflags = 0;
    if (f != NULL && (pl->when == PCAP_LOG_ALERTS || pl->honor_pass_rules)) {
        pthread_mutex_lock(&f->lock);
        fflags = f->flags;
        pthread_mutex_unlock(&f->lock);
    }
    if (pl->honor_pass_rules && ((p->flags & PKT_F_PASS) || (fflags & FLOW_F_PASS))) {
        return false;
    }
    switch (pl->when) {
    case PCAP_LOG_ALL:
        return true;
    case PCAP_LOG_ALERTS:
        return (p->flags & PKT_F_ALERTED) || (fflags & FLOW_F_ALERTED);
    case PCAP_LOG_TAG:
        return (p->flags & (PKT_F_ALERTED | PKT_F_TAGGED)) != 0;
    }
    return false;
}

void output_pcap_log_packet(PcapLog *pl, const Packet *p)
{
    if (!wanted(pl, p)) {
        return;
    }
    uint32_t caplen = p->caplen < PCAP_SNAPLEN ? p->caplen : PCAP_SNAPLEN;
    uint8_t rec[16];
    put_u32(rec, (uint32_t)p->ts_sec);
    put_u32(rec + 4, p->ts_usec);
    put_u32(rec + 8, caplen);
    put_u32(rec + 12, p->wirelen > caplen ? p->wirelen : caplen);
    pthread_mutex_lock(&pl->lock);
    if (pl->f != NULL && p->linktype != pl->linktype) {
        counters_add(pl->cs, pl->c_errors, 1); // a file has one link type
        pthread_mutex_unlock(&pl->lock);
        return;
    }
    if (pl->f == NULL || pl->size + 16 + caplen > pl->limit) {
        pl->linktype = pl->f == NULL ? p->linktype : pl->linktype;
        if (open_next(pl, p->ts_sec) != 0) {
            counters_add(pl->cs, pl->c_errors, 1);
            pthread_mutex_unlock(&pl->lock);
            return;
        }
    }
    if (fwrite(rec, 1, 16, pl->f) != 16 || fwrite(p->data, 1, caplen, pl->f) != caplen) {
        counters_add(pl->cs, pl->c_errors, 1);
    } else {
        pl->size += 16 + caplen;
        counters_add(pl->cs, pl->c_packets, 1);
        counters_add(pl->cs, pl->c_bytes, caplen);
    }
    pthread_mutex_unlock(&pl->lock);
}

PcapLog *output_pcap_log_new(const struct Conf *conf, const ConfNode *item, const char *log_dir)
{
    char prefix[96];
    snprintf(prefix, sizeof(prefix), "outputs.%s.pcap-log", item->name);
    PcapLogOpts o;
    if (conf_load_options(conf, prefix, pcap_log_opts,
                          sizeof(pcap_log_opts) / sizeof(pcap_log_opts[0]), &o) != 0) {
        return NULL;
    }
    PcapLogWhen when;
    if (strcmp(o.conditional, "all") == 0) {
        when = PCAP_LOG_ALL;
    } else if (strcmp(o.conditional, "alerts") == 0) {
        when = PCAP_LOG_ALERTS;
    } else if (strcmp(o.conditional, "tag") == 0) {
        when = PCAP_LOG_TAG;
    } else {
        const ConfNode *n = conf_get_node(conf, NULL, prefix);
        VG_ERROR("%s:%d: pcap-log.conditional: '%s' is not all, alerts or tag",
                 n ? n->file : "--set", n ? n->line : 0, o.conditional);
        return NULL;
    }
    PcapLog *pl = calloc(1, sizeof(*pl));
    if (pl == NULL) {
        return NULL;
    }
    size_t n = strlen(log_dir) + strlen(o.filename) + 2;
    pl->base = malloc(n);
    pl->cs = counters_set_new();
    if (pl->base == NULL || pl->cs == NULL) {
        free(pl->base);
        counters_set_free(pl->cs);
        free(pl);
        return NULL;
    }
    snprintf(pl->base, n, "%s%s%s", o.filename[0] == '/' ? "" : log_dir,
             o.filename[0] == '/' ? "" : "/", o.filename);
    pl->limit = o.limit;
    pl->max_files = (uint32_t)o.max_files;
    pl->when = when;
    pl->honor_pass_rules = o.honor_pass_rules;
    pl->c_packets = counters_register("pcap-log.packets", COUNTER_SUM);
    pl->c_bytes = counters_register("pcap-log.bytes", COUNTER_SUM);
    pl->c_files = counters_register("pcap-log.files", COUNTER_SUM);
    pl->c_errors = counters_register("pcap-log.errors", COUNTER_SUM);
    pthread_mutex_init(&pl->lock, NULL);
    return pl;
}

bool output_pcap_log_enabled(const struct Conf *conf, const ConfNode *item)
{
    char path[96];
    snprintf(path, sizeof(path), "outputs.%s.pcap-log.enabled", item->name);
    bool on = true;
    (void)conf_get_bool(conf, path, &on);
    return on;
}

void output_pcap_log_free(PcapLog *pl)
{
    if (pl == NULL) {
        return;
    }
    if (pl->f != NULL) {
        fclose(pl->f);
    }
    for (uint32_t i = 0; i < pl->n_files; i++) {
        free(pl->files[i]);
    }
    free(pl->files);
    free(pl->base);
    counters_set_free(pl->cs);
    pthread_mutex_destroy(&pl->lock);
    free(pl);
}
