/* EVE outputs (output-sink.c): the bounded queue, its writer thread, the
 * drop and block policies, the type filter and the counters' invariant
 * written + dropped = produced, against a backend the test controls. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include "conf/conf.h"

#include "output/output-sink-internal.h"
#include "output/output.h"
#include "runtime/counters.h"
#include "util/util-error.h"

/* The test backend: write_batch waits while the gate is shut, then takes
 * at most `accept_max` records of each batch (the rest fail). */
typedef struct Gate {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    bool is_open;
    uint64_t received;           // records taken
    uint64_t batches;
    uint32_t accept_max;         // 0: all
    char last_type[32];
} Gate;

static Gate g_gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, true, 0, 0, 0, ""};

static void gate_set(bool is_open, uint32_t accept_max)
{
    pthread_mutex_lock(&g_gate.lock);
    g_gate.is_open = is_open;
    g_gate.accept_max = accept_max;
    g_gate.received = 0;
    g_gate.batches = 0;
    pthread_cond_broadcast(&g_gate.cv);
    pthread_mutex_unlock(&g_gate.lock);
}

static void gate_open(void)
{
    pthread_mutex_lock(&g_gate.lock);
    g_gate.is_open = true;
    pthread_cond_broadcast(&g_gate.cv);
    pthread_mutex_unlock(&g_gate.lock);
}

static uint64_t gate_received(void)
{
    pthread_mutex_lock(&g_gate.lock);
    uint64_t n = g_gate.received;
    pthread_mutex_unlock(&g_gate.lock);
    return n;
}

static int t_open(const VgEveSinkConfig *cfg, void **state)
{
    *state = (void *)cfg;
    return 0;
}

static int64_t t_write(void *state, const char *lines, size_t len, uint32_t n)
{
    (void)state;
    pthread_mutex_lock(&g_gate.lock);
    while (!g_gate.is_open) {
        pthread_cond_wait(&g_gate.cv, &g_gate.lock);
    }
    uint32_t take = g_gate.accept_max != 0 && g_gate.accept_max < n ? g_gate.accept_max : n;
    g_gate.received += take;
    g_gate.batches++;
    eve_record_type(lines, len, g_gate.last_type, sizeof(g_gate.last_type));
    pthread_mutex_unlock(&g_gate.lock);
    return take;
}

static void t_close(void *state)
{
    (void)state;
}

static const VgEveSinkOps test_ops = {
    .hdr = VG_PLUGIN_HDR(VgEveSinkOps),
    .filetype = "test",
    .open = t_open,
    .write_batch = t_write,
    .close = t_close,
};

static void record(char *buf, size_t size, const char *type, int seq)
{
    snprintf(buf, size, "{\"timestamp\":\"x\",\"event_type\":\"%s\",\"seq\":%d,"
                        "\"pad\":\"%0150d\"}",
             type, seq, 0);
}

static EveOut *out_new(size_t queue_bytes, EveOutFullPolicy full)
{
    EveOutConf c = {.name = "t", .ops = &test_ops, .queue_bytes = queue_bytes, .full = full,
                    .accept_all = true, .register_counters = true};
    return eve_out_new(&c);
}

static void check_invariant(EveOut *o, uint64_t produced)
{
    EveSinkStats st;
    eve_out_get_stats(o, &st);
    assert_int_equal(st.produced, produced);
    assert_int_equal(st.records + st.dropped, st.produced);
}

/* A stalled sink: the producer never waits; what does not fit is dropped
 * and counted; once the sink moves, exactly the rest arrives. */
static void full_queue_drops_and_counts(void **state)
{
    (void)state;
    gate_set(false, 0);
    EveOut *o = out_new(65536, EVE_OUT_FULL_DROP);
    assert_non_null(o);
    char rec[256];
    int n = 4000; // ~800 KB through a 64 KiB queue
    int n_refused = 0;
    for (int i = 0; i < n; i++) {
        record(rec, sizeof(rec), "alert", i);
        n_refused += eve_out_offer_record(o, rec, strlen(rec)) == VG_ENOMEM;
    }
    assert_true(n_refused > n / 2);
    gate_open();
    assert_int_equal(eve_out_drain(o, 5000), 0);
    EveSinkStats st;
    eve_out_get_stats(o, &st);
    assert_int_equal(st.dropped, (uint64_t)n_refused);
    assert_int_equal(st.records, gate_received());
    check_invariant(o, (uint64_t)n);
    eve_out_free(o);
    counters_reset();
}

typedef struct Producer {
    EveOut *o;
    int id;
    int n;
} Producer;

static void *produce(void *arg)
{
    Producer *p = arg;
    char lines[4 * 256];
    for (int i = 0; i < p->n; i += 4) {
        size_t len = 0;
        for (int k = 0; k < 4; k++) { // a batch of whole lines, as EveThreadBuf sends
            record(lines + len, sizeof(lines) - len, k % 2 ? "flow" : "alert", p->id * p->n + i);
            len += strlen(lines + len);
            lines[len++] = '\n';
        }
        (void)eve_out_offer(p->o, lines, len, 4);
    }
    return NULL;
}

static void *open_later(void *arg)
{
    (void)arg;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 50 * 1000000};
    nanosleep(&ts, NULL); // the producers are blocked by then (or not: either way it holds)
    gate_open();
    return NULL;
}

/* buffer-full: block: four producers through a small queue and a sink that
 * starts late: nothing is lost. */
static void block_policy_loses_nothing(void **state)
{
    (void)state;
    gate_set(false, 0);
    EveOut *o = out_new(65536, EVE_OUT_FULL_BLOCK);
    assert_non_null(o);
    pthread_t t[4], opener;
    Producer p[4];
    pthread_create(&opener, NULL, open_later, NULL);
    for (int i = 0; i < 4; i++) {
        p[i] = (Producer){.o = o, .id = i, .n = 2000};
        pthread_create(&t[i], NULL, produce, &p[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
    }
    pthread_join(opener, NULL);
    assert_int_equal(eve_out_drain(o, 5000), 0);
    EveSinkStats st;
    eve_out_get_stats(o, &st);
    assert_int_equal(st.dropped, 0);
    assert_int_equal(st.records, 8000);
    assert_int_equal(gate_received(), 8000);
    check_invariant(o, 8000);
    eve_out_free(o);
    counters_reset();
}

/* Drop policy with four producers racing a stalled then moving sink: the
 * counts still add up (and TSan sees the queue's locking). */
static void concurrent_producers_keep_the_invariant(void **state)
{
    (void)state;
    gate_set(false, 0);
    EveOut *o = out_new(65536, EVE_OUT_FULL_DROP);
    assert_non_null(o);
    pthread_t t[4], opener;
    Producer p[4];
    pthread_create(&opener, NULL, open_later, NULL);
    for (int i = 0; i < 4; i++) {
        p[i] = (Producer){.o = o, .id = i, .n = 4000};
        pthread_create(&t[i], NULL, produce, &p[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
    }
    pthread_join(opener, NULL);
    assert_int_equal(eve_out_drain(o, 5000), 0);
    check_invariant(o, 16000);
    EveSinkStats st;
    eve_out_get_stats(o, &st);
    assert_int_equal(st.records, gate_received());
    eve_out_free(o);
    counters_reset();
}

/* A sink that takes only part of each batch: the rest is dropped, counted,
 * with one error per short batch. */
static void partial_writes_count_the_rest_dropped(void **state)
{
    (void)state;
    gate_set(true, 1);
    EveOut *o = out_new(1 << 20, EVE_OUT_FULL_DROP);
    assert_non_null(o);
    char lines[3 * 256];
    size_t len = 0;
    for (int k = 0; k < 3; k++) {
        record(lines + len, sizeof(lines) - len, "dns", k);
        len += strlen(lines + len);
        lines[len++] = '\n';
    }
    assert_int_equal(eve_out_offer(o, lines, len, 3), 0);
    assert_int_equal(eve_out_drain(o, 5000), 0);
    EveSinkStats st;
    eve_out_get_stats(o, &st);
    assert_int_equal(st.records, 1);
    assert_int_equal(st.dropped, 2);
    assert_int_equal(st.write_errors, 1);
    check_invariant(o, 3);
    eve_out_free(o);
    counters_reset();
}

/* types: [flow]: only flow records are produced for this output. */
static void type_filter_takes_listed_types_only(void **state)
{
    (void)state;
    gate_set(true, 0);
    EveOutConf c = {.name = "f", .ops = &test_ops, .queue_bytes = 1 << 20,
                    .types = {"flow", "files"}, .n_types = 2};
    EveOut *o = eve_out_new(&c);
    assert_non_null(o);
    char rec[256];
    const char *types[] = {"alert", "flow", "dns", "fileinfo", "flow"};
    for (int i = 0; i < 5; i++) {
        record(rec, sizeof(rec), types[i], i);
        assert_int_equal(eve_out_offer_record(o, rec, strlen(rec)), 0);
    }
    assert_int_equal(eve_out_drain(o, 5000), 0);
    assert_int_equal(gate_received(), 3); // flow, fileinfo (as files), flow
    check_invariant(o, 3);
    eve_out_free(o);
}

/* The counters reach the registry under output.eve-log.<name>. */
static void counters_are_published_by_name(void **state)
{
    (void)state;
    gate_set(true, 0);
    EveOut *o = out_new(1 << 20, EVE_OUT_FULL_DROP);
    assert_non_null(o);
    char rec[256];
    record(rec, sizeof(rec), "alert", 1);
    assert_int_equal(eve_out_offer_record(o, rec, strlen(rec)), 0);
    assert_int_equal(eve_out_drain(o, 5000), 0);
    CounterId p, w;
    assert_true(counters_find("output.eve-log.t.produced", &p));
    assert_true(counters_find("output.eve-log.t.written", &w));
    uint64_t *m = calloc(counters_count(), sizeof(uint64_t));
    assert_non_null(m);
    counters_merge(m);
    assert_int_equal(m[p], 1);
    assert_int_equal(m[w], 1);
    free(m);
    eve_out_free(o);
    counters_reset();
}

static size_t file_size(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return (size_t)n;
}

/* regular with limit: 2kb and rotate-count: 2: the file is rotated before a
 * batch once it passed the limit; eve.json.1 and .2 are kept, no .3. */
static void regular_file_rotates_by_size(void **state)
{
    (void)state;
    char dir[] = "/tmp/vg-sink-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char yaml[256], path[64], p1[80], p2[80], p3[80];
    snprintf(path, sizeof(path), "%s/eve.json", dir);
    snprintf(yaml, sizeof(yaml), "o:\n  limit: 2kb\n  rotate-count: 2\n");
    Conf *conf = conf_new();
    assert_int_equal(conf_load_string(conf, yaml, "t.yaml"), 0);
    EveOutConf c = {.name = "r", .ops = &eve_sink_ops_regular, .conf = conf,
                    .node = conf_get_node(conf, NULL, "o"), .path = path, .accept_all = true};
    EveOut *o = eve_out_new(&c); // direct: each record is one batch
    assert_non_null(o);
    char rec[256];
    for (int i = 0; i < 40; i++) { // ~8 KB: four files' worth
        record(rec, sizeof(rec), "flow", i);
        assert_int_equal(eve_out_offer_record(o, rec, strlen(rec)), 0);
    }
    eve_out_free(o);
    conf_free(conf);
    snprintf(p1, sizeof(p1), "%s.1", path);
    snprintf(p2, sizeof(p2), "%s.2", path);
    snprintf(p3, sizeof(p3), "%s.3", path);
    size_t rec_len = strlen(rec) + 1;
    assert_true(file_size(path) > 0 && file_size(path) < 2048 + rec_len);
    assert_true(file_size(p1) >= 2048 && file_size(p1) < 2048 + rec_len);
    assert_true(file_size(p2) >= 2048);
    assert_int_equal(access(p3, F_OK), -1);
    unlink(path);
    unlink(p1);
    unlink(p2);
    rmdir(dir);
}

static void record_type_maps_suricata_type_names(void **state)
{
    (void)state;
    char t[32];
    const char *l1 = "{\"timestamp\":\"x\",\"event_type\":\"fileinfo\"}";
    assert_true(eve_record_type(l1, strlen(l1), t, sizeof(t)));
    assert_string_equal(t, "files");
    const char *l2 = "{\"event_type\":\"ftp_data\"}";
    assert_true(eve_record_type(l2, strlen(l2), t, sizeof(t)));
    assert_string_equal(t, "ftp");
    const char *l3 = "{\"flow_id\":12}";
    assert_false(eve_record_type(l3, strlen(l3), t, sizeof(t)));
    assert_true(eve_record_field(l3, strlen(l3), "flow_id", t, sizeof(t)));
    assert_string_equal(t, "12");
}

static void plugin_sink_registration_is_checked(void **state)
{
    (void)state;
    VgEveSinkOps dup = test_ops;
    dup.filetype = "regular";
    assert_int_equal(eve_sink_ops_register(&dup), VG_EEXIST);
    VgEveSinkOps old = test_ops;
    old.filetype = "old";
    old.hdr.api_version = 999;
    assert_int_equal(eve_sink_ops_register(&old), VG_EVERSION);
    VgEveSinkOps half = test_ops;
    half.filetype = "half";
    half.write_batch = NULL;
    assert_int_equal(eve_sink_ops_register(&half), VG_EINVAL);
    assert_int_equal(eve_sink_ops_register(&test_ops), 0);
    assert_ptr_equal(eve_sink_ops_find("test"), &test_ops);
    assert_int_equal(eve_sink_ops_register(&test_ops), VG_EEXIST);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_queue_drops_and_counts),
        cmocka_unit_test(block_policy_loses_nothing),
        cmocka_unit_test(concurrent_producers_keep_the_invariant),
        cmocka_unit_test(partial_writes_count_the_rest_dropped),
        cmocka_unit_test(type_filter_takes_listed_types_only),
        cmocka_unit_test(counters_are_published_by_name),
        cmocka_unit_test(regular_file_rotates_by_size),
        cmocka_unit_test(record_type_maps_suricata_type_names),
        cmocka_unit_test(plugin_sink_registration_is_checked),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
