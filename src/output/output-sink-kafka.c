/* filetype: kafka — records to Kafka through librdkafka: `kafka: {brokers,
 * topic, key, compression, acks, properties: {name: value}}`. topic may hold
 * "{type}" (one topic per event_type). key names the record member used as
 * the message key so one flow's records stay in one partition: flow_id
 * (default), community_id (falls back to flow_id when the record has none),
 * or none. properties are passed to rd_kafka_conf_set as they are.
 * Asynchronous: a record counts written when its delivery report says so,
 * dropped when the report says it failed (e.g. message.timeout.ms passed
 * with the brokers down). */
#include "output/output-sink-internal.h"

#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

#define KAFKA_TOPICS_MAX 32          // distinct topics with "{type}"
#define KAFKA_CLOSE_FLUSH_MS 5000

/* How a record's message key is chosen; a table so a new choice is a line. */
typedef bool (*KafkaKeyFn)(const char *rec, size_t len, char *buf, size_t size);

static bool key_flow_id(const char *rec, size_t len, char *buf, size_t size)
{
    return eve_record_field(rec, len, "flow_id", buf, size);
}

static bool key_community_id(const char *rec, size_t len, char *buf, size_t size)
{
    return eve_record_field(rec, len, "community_id", buf, size) ||
           key_flow_id(rec, len, buf, size);
}

static const struct { const char *name; KafkaKeyFn fn; } kafka_keys[] = {
    {"flow_id", key_flow_id},
    {"community_id", key_community_id},
    {"none", NULL},
};

typedef struct KafkaSink {
    const VgEveSinkConfig *cfg;
    rd_kafka_conf_t *kc;         // checked at open; the producer takes it
    rd_kafka_t *rk;              // made on the writer thread at first use (its threads
                                 // would not survive the -D fork that follows open)
    bool is_failed;              // the producer could not be made
    char topic[256];
    bool is_topic_per_type;
    rd_kafka_topic_t *topics[KAFKA_TOPICS_MAX];
    char *topic_names[KAFKA_TOPICS_MAX];
    uint32_t n_topics;
    KafkaKeyFn key;
} KafkaSink;

/* The producer, made on first use. NULL when it cannot be made (logged once). */
static rd_kafka_t *kafka_rk(KafkaSink *k)
{
    if (k->rk != NULL || k->is_failed) {
        return k->rk;
    }
    char err[256];
    k->rk = rd_kafka_new(RD_KAFKA_PRODUCER, k->kc, err, sizeof(err)); // owns kc on success
    if (k->rk == NULL) {
        VG_ERROR("eve-log %s: kafka producer: %s", k->cfg->name, err);
        k->is_failed = true;
        return NULL;
    }
    k->kc = NULL;
    return k->rk;
}

static void kafka_dr(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    KafkaSink *k = opaque;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
        k->cfg->report(k->cfg, 1, 0);
    } else {
        k->cfg->report(k->cfg, 0, 1);
        k->cfg->count_error(k->cfg);
    }
}

static void kafka_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
    (void)rk;
    if (level <= 4) { // LOG_WARNING and worse
        VG_WARN("kafka %s: %s", fac, buf);
    }
}

static rd_kafka_topic_t *topic_for(KafkaSink *k, const char *rec, size_t len)
{
    char name[320];
    if (!k->is_topic_per_type) {
        snprintf(name, sizeof(name), "%s", k->topic);
    } else {
        char type[48];
        if (!eve_record_field(rec, len < 512 ? len : 512, "event_type", type, sizeof(type))) {
            snprintf(type, sizeof(type), "unknown");
        }
        const char *at = strstr(k->topic, "{type}");
        snprintf(name, sizeof(name), "%.*s%s%s", (int)(at - k->topic), k->topic, type, at + 6);
    }
    for (uint32_t i = 0; i < k->n_topics; i++) {
        if (strcmp(k->topic_names[i], name) == 0) {
            return k->topics[i];
        }
    }
    if (k->n_topics == KAFKA_TOPICS_MAX) {
        return NULL;
    }
    rd_kafka_topic_t *t = rd_kafka_topic_new(k->rk, name, NULL);
    char *dup = strdup(name);
    if (t == NULL || dup == NULL) {
        if (t != NULL) {
            rd_kafka_topic_destroy(t);
        }
        free(dup);
        return NULL;
    }
    k->topics[k->n_topics] = t;
    k->topic_names[k->n_topics++] = dup;
    return t;
}

static bool kafka_produce(const char *rec, size_t len, void *user)
{
    KafkaSink *k = user;
    rd_kafka_topic_t *t = topic_for(k, rec, len);
    if (t == NULL) {
        return false;
    }
    char key[96];
    bool has_key = k->key != NULL && k->key(rec, len, key, sizeof(key));
    for (int attempt = 0; attempt < 2; attempt++) {
        if (rd_kafka_produce(t, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, (void *)rec, len,
                             has_key ? key : NULL, has_key ? strlen(key) : 0, NULL) == 0) {
            return true;
        }
        if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            break;
        }
        rd_kafka_poll(k->rk, 100); // delivery reports make room
    }
    return false;
}

static int64_t kafka_write_batch(void *state, const char *lines, size_t len, uint32_t n)
{
    KafkaSink *k = state;
    (void)n;
    if (kafka_rk(k) == NULL) {
        return VG_EIO;
    }
    uint32_t accepted = eve_lines_each(lines, len, kafka_produce, k);
    rd_kafka_poll(k->rk, 0);
    return accepted;
}

static void kafka_tick(void *state)
{
    KafkaSink *k = state;
    if (k->rk != NULL) {
        rd_kafka_poll(k->rk, 0);
    }
}

static int kafka_flush(void *state)
{
    KafkaSink *k = state;
    if (k->rk == NULL) {
        return 0; // nothing was produced
    }
    return rd_kafka_flush(k->rk, KAFKA_CLOSE_FLUSH_MS) == RD_KAFKA_RESP_ERR_NO_ERROR ? 0 : VG_EIO;
}

static bool conf_put(const VgEveSinkConfig *cfg, rd_kafka_conf_t *kc, const char *name,
                     const char *value)
{
    char err[256];
    if (rd_kafka_conf_set(kc, name, value, err, sizeof(err)) != RD_KAFKA_CONF_OK) {
        VG_ERROR("eve-log %s: kafka property %s=%s: %s", cfg->name, name, value, err);
        return false;
    }
    return true;
}

/* kafka.properties: every scalar below it, passed through. */
typedef struct KafkaPropCtx {
    const VgEveSinkConfig *cfg;
    rd_kafka_conf_t *kc;
    bool ok;
} KafkaPropCtx;

static void kafka_prop(const char *name, const char *value, void *user)
{
    KafkaPropCtx *p = user;
    if (p->ok && !conf_put(p->cfg, p->kc, name, value)) {
        p->ok = false;
    }
}

static int kafka_conf(const VgEveSinkConfig *cfg, KafkaSink *k, rd_kafka_conf_t *kc)
{
    const char *brokers = cfg->get(cfg, "kafka.brokers");
    const char *compression = cfg->get(cfg, "kafka.compression");
    const char *acks = cfg->get(cfg, "kafka.acks");
    if (brokers == NULL) {
        VG_ERROR("eve-log %s: filetype kafka needs kafka.brokers", cfg->name);
        return VG_EINVAL;
    }
    if (!conf_put(cfg, kc, "bootstrap.servers", brokers) ||
        (compression != NULL && !conf_put(cfg, kc, "compression.codec", compression)) ||
        (acks != NULL && !conf_put(cfg, kc, "acks", acks))) {
        return VG_EINVAL;
    }
    KafkaPropCtx p = {.cfg = cfg, .kc = kc, .ok = true};
    eve_out_each_option(cfg, "kafka.properties", kafka_prop, &p);
    if (!p.ok) {
        return VG_EINVAL;
    }
    const char *topic = cfg->get(cfg, "kafka.topic");
    snprintf(k->topic, sizeof(k->topic), "%s", topic != NULL ? topic : "suricata");
    k->is_topic_per_type = strstr(k->topic, "{type}") != NULL;
    const char *key = cfg->get(cfg, "kafka.key");
    key = key != NULL ? key : "flow_id";
    bool found = false;
    for (size_t i = 0; i < sizeof(kafka_keys) / sizeof(kafka_keys[0]); i++) {
        if (strcmp(kafka_keys[i].name, key) == 0) {
            k->key = kafka_keys[i].fn;
            found = true;
        }
    }
    if (!found) {
        VG_ERROR("eve-log %s: kafka.key: '%s' is not flow_id, community_id or none", cfg->name,
                 key);
        return VG_EINVAL;
    }
    rd_kafka_conf_set_opaque(kc, k);
    rd_kafka_conf_set_dr_msg_cb(kc, kafka_dr);
    rd_kafka_conf_set_log_cb(kc, kafka_log);
    return 0;
}

static int kafka_open(const VgEveSinkConfig *cfg, void **state)
{
    KafkaSink *k = calloc(1, sizeof(*k));
    rd_kafka_conf_t *kc = rd_kafka_conf_new();
    if (k == NULL || kc == NULL) {
        free(k);
        if (kc != NULL) {
            rd_kafka_conf_destroy(kc);
        }
        return VG_ENOMEM;
    }
    k->cfg = cfg;
    if (kafka_conf(cfg, k, kc) != 0) {
        rd_kafka_conf_destroy(kc);
        free(k);
        return VG_EINVAL;
    }
    k->kc = kc;
    *state = k;
    return 0;
}

static void kafka_close(void *state)
{
    KafkaSink *k = state;
    if (k == NULL) {
        return;
    }
    if (k->rk == NULL) {
        if (k->kc != NULL) {
            rd_kafka_conf_destroy(k->kc);
        }
        free(k);
        return;
    }
    (void)rd_kafka_flush(k->rk, KAFKA_CLOSE_FLUSH_MS);
    rd_kafka_poll(k->rk, 0);
    int left = rd_kafka_outq_len(k->rk);
    if (left > 0) {
        /* Never reported: count them lost so written + dropped = produced. */
        k->cfg->report(k->cfg, 0, (uint64_t)left);
        VG_WARN("eve-log %s: kafka: %d records undelivered at close", k->cfg->name, left);
    }
    for (uint32_t i = 0; i < k->n_topics; i++) {
        rd_kafka_topic_destroy(k->topics[i]);
        free(k->topic_names[i]);
    }
    rd_kafka_destroy(k->rk);
    free(k);
}

const VgEveSinkOps eve_sink_ops_kafka = {
    .hdr = VG_PLUGIN_HDR(VgEveSinkOps),
    .filetype = "kafka",
    .flags = VG_EVE_SINK_F_ASYNC,
    .open = kafka_open,
    .write_batch = kafka_write_batch,
    .flush = kafka_flush,
    .tick = kafka_tick,
    .close = kafka_close,
};
