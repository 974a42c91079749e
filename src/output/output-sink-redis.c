/* filetype: redis — records to a Redis server through hiredis, as Suricata's
 * eve-log does: `redis: {server, port, mode, key, pipelining: {enabled,
 * batch-size}, password}`. mode list|lpush: LPUSH key record; rpush: RPUSH;
 * channel|publish: PUBLISH key record. "{type}" in key is replaced by the
 * record's event_type (one list or channel per type). A lost connection is
 * retried with back-off (100 ms doubling to 5 s), counted in reconnects. */
#include "output/output-sink-internal.h"

#include <hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define REDIS_TIMEOUT_MS 1000
#define REDIS_BACKOFF_MIN_MS 100
#define REDIS_BACKOFF_MAX_MS 5000

typedef struct RedisSink {
    const VgEveSinkConfig *cfg;
    redisContext *c;             // NULL while disconnected
    char server[256];
    int port;
    const char *cmd;             // LPUSH, RPUSH or PUBLISH
    char key[256];
    bool is_key_per_type;
    uint32_t batch;              // commands per pipeline round (1: no pipelining)
    const char *password;
    int64_t next_try_ms;
    int64_t backoff_ms;
    bool was_connected;
} RedisSink;

static void redis_drop_conn(RedisSink *r, const char *why)
{
    if (r->c != NULL) {
        VG_WARN("eve-log %s: redis %s:%d: %s; reconnecting", r->cfg->name, r->server, r->port,
                why);
        redisFree(r->c);
        r->c = NULL;
    }
    r->next_try_ms = eve_out_now_ms() + r->backoff_ms;
    r->backoff_ms = r->backoff_ms * 2 < REDIS_BACKOFF_MAX_MS ? r->backoff_ms * 2
                                                              : REDIS_BACKOFF_MAX_MS;
}

static bool redis_auth(RedisSink *r)
{
    if (r->password == NULL) {
        return true;
    }
    redisReply *rep = redisCommand(r->c, "AUTH %s", r->password);
    bool ok = rep != NULL && rep->type != REDIS_REPLY_ERROR;
    if (rep == NULL || !ok) {
        VG_ERROR("eve-log %s: redis %s:%d: AUTH refused", r->cfg->name, r->server, r->port);
    }
    if (rep != NULL) {
        freeReplyObject(rep);
    }
    return ok;
}

static bool redis_ready(RedisSink *r)
{
    if (r->c != NULL) {
        return true;
    }
    if (eve_out_now_ms() < r->next_try_ms) {
        return false;
    }
    struct timeval tv = {.tv_sec = REDIS_TIMEOUT_MS / 1000,
                         .tv_usec = (REDIS_TIMEOUT_MS % 1000) * 1000};
    redisContext *c = redisConnectWithTimeout(r->server, r->port, tv);
    if (c == NULL || c->err) {
        if (c != NULL) {
            redisFree(c);
        }
        redis_drop_conn(r, "cannot connect");
        return false;
    }
    (void)redisSetTimeout(c, tv);
    r->c = c;
    if (!redis_auth(r)) {
        redis_drop_conn(r, "authentication failed");
        return false;
    }
    r->backoff_ms = REDIS_BACKOFF_MIN_MS;
    if (r->was_connected) {
        r->cfg->count_reconnect(r->cfg);
    }
    r->was_connected = true;
    return true;
}

/* The key of one record: the configured key, "{type}" replaced. */
static const char *record_key(RedisSink *r, const char *rec, size_t len, char *buf, size_t size)
{
    if (!r->is_key_per_type) {
        return r->key;
    }
    char type[48];
    if (!eve_record_field(rec, len < 512 ? len : 512, "event_type", type, sizeof(type))) {
        snprintf(type, sizeof(type), "unknown");
    }
    const char *at = strstr(r->key, "{type}");
    snprintf(buf, size, "%.*s%s%s", (int)(at - r->key), r->key, type, at + 6);
    return buf;
}

typedef struct RedisRound {
    RedisSink *r;
    uint32_t appended;
    bool failed;
} RedisRound;

static bool redis_append(const char *rec, size_t len, void *user)
{
    RedisRound *rr = user;
    if (rr->appended == rr->r->batch) {
        return false;
    }
    char kb[320];
    const char *key = record_key(rr->r, rec, len, kb, sizeof(kb));
    if (redisAppendCommand(rr->r->c, "%s %s %b", rr->r->cmd, key, rec, len) != REDIS_OK) {
        rr->failed = true;
        return false;
    }
    rr->appended++;
    return true;
}

/* Read the replies of a round; returns how many commands succeeded, in
 * order, before the first failure. */
static uint32_t redis_replies(RedisSink *r, uint32_t n)
{
    uint32_t ok = 0;
    bool is_broken = false;
    for (uint32_t i = 0; i < n; i++) {
        void *reply = NULL;
        if (redisGetReply(r->c, &reply) != REDIS_OK || reply == NULL) {
            redis_drop_conn(r, r->c->errstr[0] ? r->c->errstr : "no reply");
            return ok;
        }
        redisReply *rep = reply;
        if (rep->type == REDIS_REPLY_ERROR) {
            is_broken = true; // e.g. WRONGTYPE: this and later records count as failed
        } else if (!is_broken) {
            ok++;
        }
        freeReplyObject(rep);
    }
    return ok;
}

static int64_t redis_write_batch(void *state, const char *lines, size_t len, uint32_t n)
{
    RedisSink *r = state;
    int64_t done = 0;
    size_t off = 0;
    while ((uint32_t)done < n && off < len) {
        if (!redis_ready(r)) {
            break;
        }
        RedisRound rr = {.r = r};
        eve_lines_each(lines + off, len - off, redis_append, &rr);
        uint32_t ok = redis_replies(r, rr.appended);
        done += ok;
        if (ok < rr.appended || rr.failed || r->c == NULL) {
            if (r->c != NULL && rr.failed) {
                redis_drop_conn(r, "cannot queue a command");
            }
            break;
        }
        for (uint32_t i = 0; i < rr.appended; i++) {
            const char *nl = memchr(lines + off, '\n', len - off);
            off = nl != NULL ? (size_t)(nl - lines) + 1 : len;
        }
    }
    return done > 0 ? done : (r->c == NULL ? VG_EIO : 0);
}

static int redis_options(const VgEveSinkConfig *cfg, RedisSink *r)
{
    const char *server = cfg->get(cfg, "redis.server");
    const char *port = cfg->get(cfg, "redis.port");
    const char *mode = cfg->get(cfg, "redis.mode");
    const char *key = cfg->get(cfg, "redis.key");
    const char *pipe = cfg->get(cfg, "redis.pipelining.enabled");
    const char *bsz = cfg->get(cfg, "redis.pipelining.batch-size");
    snprintf(r->server, sizeof(r->server), "%s", server != NULL ? server : "127.0.0.1");
    snprintf(r->key, sizeof(r->key), "%s", key != NULL ? key : "suricata");
    r->is_key_per_type = strstr(r->key, "{type}") != NULL;
    r->password = cfg->get(cfg, "redis.password");
    int64_t v = 6379;
    if (port != NULL && (!conf_parse_int(port, &v) || v < 1 || v > 65535)) {
        VG_ERROR("eve-log %s: redis.port: '%s' is not a port", cfg->name, port);
        return VG_EINVAL;
    }
    r->port = (int)v;
    if (mode == NULL || strcasecmp(mode, "list") == 0 || strcasecmp(mode, "lpush") == 0) {
        r->cmd = "LPUSH";
    } else if (strcasecmp(mode, "rpush") == 0) {
        r->cmd = "RPUSH";
    } else if (strcasecmp(mode, "channel") == 0 || strcasecmp(mode, "publish") == 0) {
        r->cmd = "PUBLISH";
    } else {
        VG_ERROR("eve-log %s: redis.mode: '%s' is not list, lpush, rpush, channel or publish",
                 cfg->name, mode);
        return VG_EINVAL;
    }
    bool is_pipelined = false;
    if (pipe != NULL && !conf_parse_bool(pipe, &is_pipelined)) {
        VG_ERROR("eve-log %s: redis.pipelining.enabled: '%s' is not a boolean", cfg->name, pipe);
        return VG_EINVAL;
    }
    v = 10;
    if (bsz != NULL && (!conf_parse_int(bsz, &v) || v < 1 || v > 100000)) {
        VG_ERROR("eve-log %s: redis.pipelining.batch-size: '%s' is not 1..100000", cfg->name,
                 bsz);
        return VG_EINVAL;
    }
    r->batch = is_pipelined ? (uint32_t)v : 1;
    return 0;
}

static int redis_open(const VgEveSinkConfig *cfg, void **state)
{
    RedisSink *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return VG_ENOMEM;
    }
    r->cfg = cfg;
    r->backoff_ms = REDIS_BACKOFF_MIN_MS;
    if (redis_options(cfg, r) != 0) {
        free(r);
        return VG_EINVAL;
    }
    /* A server not up yet is not fatal: records are dropped (counted) until
     * a reconnect succeeds. */
    if (!redis_ready(r)) {
        VG_WARN("eve-log %s: redis %s:%d not reachable yet; retrying", cfg->name, r->server,
                r->port);
    }
    *state = r;
    return 0;
}

static int redis_reopen(void *state)
{
    RedisSink *r = state;
    if (r->c != NULL) {
        redisFree(r->c);
        r->c = NULL;
    }
    r->next_try_ms = 0;
    return 0;
}

static void redis_close(void *state)
{
    RedisSink *r = state;
    if (r == NULL) {
        return;
    }
    if (r->c != NULL) {
        redisFree(r->c);
    }
    free(r);
}

const VgEveSinkOps eve_sink_ops_redis = {
    .hdr = VG_PLUGIN_HDR(VgEveSinkOps),
    .filetype = "redis",
    .open = redis_open,
    .write_batch = redis_write_batch,
    .reopen = redis_reopen,
    .close = redis_close,
};
