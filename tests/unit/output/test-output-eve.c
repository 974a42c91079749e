#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/json-check.h"
#include "output/output-test-util.h"
#include "output/output.h"
#include "util/util-error.h"

typedef struct Fixture {
    char dir[64];
    char path[96];
    char rotated[96];
    EveSink *sink;
    JsonBuf jb;
} Fixture;

static int setup(void **state)
{
    Fixture *fx = calloc(1, sizeof(*fx));
    if (fx == NULL) {
        return -1;
    }
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/vg-eve-XXXXXX");
    if (mkdtemp(fx->dir) == NULL || json_buf_init(&fx->jb, 128) != 0) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof(fx->path), "%s/eve.json", fx->dir);
    snprintf(fx->rotated, sizeof(fx->rotated), "%s/eve.json.1", fx->dir);
    fx->sink = eve_sink_open(fx->path);
    *state = fx;
    return fx->sink == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    Fixture *fx = *state;
    eve_sink_close(fx->sink);
    json_buf_deinit(&fx->jb);
    unlink(fx->path);
    unlink(fx->rotated);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void make_record(JsonBuf *jb, int thread, int seq, size_t pad)
{
    json_buf_reset(jb);
    json_open_object(jb, NULL);
    json_u64(jb, "thread", (uint64_t)thread);
    json_u64(jb, "seq", (uint64_t)seq);
    if (pad > 0) {
        char *s = malloc(pad + 1);
        memset(s, 'x', pad);
        s[pad] = '\0';
        json_str(jb, "pad", s);
        free(s);
    }
    json_close_object(jb);
}

static char *read_all(const Fixture *fx, size_t *len)
{
    char *s = ot_read_file(fx->path, len);
    assert_non_null(s);
    return s;
}

static void sink_writes_one_line_per_record(void **state)
{
    Fixture *fx = *state;
    make_record(&fx->jb, 0, 1, 0);
    assert_int_equal(eve_sink_write(fx->sink, &fx->jb), 0);
    make_record(&fx->jb, 0, 2, 0);
    assert_int_equal(eve_sink_write(fx->sink, &fx->jb), 0);
    size_t len;
    char *s = read_all(fx, &len);
    assert_string_equal(s, "{\"thread\":0,\"seq\":1}\n{\"thread\":0,\"seq\":2}\n");
    free(s);
    EveSinkStats st;
    eve_sink_get_stats(fx->sink, &st);
    assert_int_equal(st.records, 2);
    assert_int_equal(st.bytes, len);
    assert_int_equal(st.write_errors, 0);
}

static void sink_creates_file_with_mode_0640(void **state)
{
    Fixture *fx = *state;
    mode_t old = umask(0);
    EveSink *other = eve_sink_open(fx->rotated);
    umask(old);
    assert_non_null(other);
    struct stat st;
    assert_int_equal(stat(fx->rotated, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    eve_sink_close(other);
}

static void sink_appends_to_existing_file(void **state)
{
    Fixture *fx = *state;
    make_record(&fx->jb, 0, 1, 0);
    assert_int_equal(eve_sink_write(fx->sink, &fx->jb), 0);
    EveSink *again = eve_sink_open(fx->path);
    assert_non_null(again);
    assert_int_equal(eve_sink_write(again, &fx->jb), 0);
    eve_sink_close(again);
    size_t len;
    char *s = read_all(fx, &len);
    size_t n = 0;
    assert_true(json_check_lines(s, len, &n));
    assert_int_equal(n, 2);
    free(s);
}

static void sink_drops_failed_and_unfinished_records(void **state)
{
    Fixture *fx = *state;
    json_buf_reset(&fx->jb);
    json_open_object(&fx->jb, NULL);
    json_u64(&fx->jb, NULL, 1);  // misuse: failed
    assert_int_equal(eve_sink_write(fx->sink, &fx->jb), VG_EINVAL);
    json_buf_reset(&fx->jb);
    json_open_object(&fx->jb, NULL);  // never closed
    assert_int_equal(eve_sink_write(fx->sink, &fx->jb), VG_EINVAL);
    json_buf_reset(&fx->jb);  // empty
    assert_int_equal(eve_sink_write(fx->sink, &fx->jb), VG_EINVAL);
    EveSinkStats st;
    eve_sink_get_stats(fx->sink, &st);
    assert_int_equal(st.dropped, 3);
    assert_int_equal(st.records, 0);
    size_t len;
    char *s = read_all(fx, &len);
    assert_int_equal(len, 0);
    free(s);
}

static void sink_open_fails_for_missing_directory(void **state)
{
    (void)state;
    assert_null(eve_sink_open("/nonexistent-vigil-dir/eve.json"));
}

static void sink_reopen_follows_rotation(void **state)
{
    Fixture *fx = *state;
    make_record(&fx->jb, 0, 1, 0);
    assert_int_equal(eve_sink_write(fx->sink, &fx->jb), 0);
    assert_int_equal(rename(fx->path, fx->rotated), 0);
    assert_int_equal(eve_sink_reopen(fx->sink), 0);
    make_record(&fx->jb, 0, 2, 0);
    assert_int_equal(eve_sink_write(fx->sink, &fx->jb), 0);
    assert_int_equal(eve_sink_flush(fx->sink), 0);
    size_t len;
    char *s = read_all(fx, &len);
    assert_string_equal(s, "{\"thread\":0,\"seq\":2}\n");
    free(s);
    s = ot_read_file(fx->rotated, &len);
    assert_non_null(s);
    assert_string_equal(s, "{\"thread\":0,\"seq\":1}\n");
    free(s);
}

static void sink_reopen_failure_keeps_old_file(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(unlink(fx->path), 0);
    assert_int_equal(rmdir(fx->dir), 0);
    assert_int_equal(eve_sink_reopen(fx->sink), VG_EIO);
    make_record(&fx->jb, 0, 1, 0);
    assert_int_equal(eve_sink_write(fx->sink, &fx->jb), 0);
}

/* A reader that never reads: the write gives up (about a second) instead of
 * hanging, and the failure is counted. */
static void sink_stalled_fifo_fails_instead_of_blocking(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(mkfifo(fx->rotated, 0600), 0);
    int reader = open(fx->rotated, O_RDONLY | O_NONBLOCK);
    assert_true(reader >= 0);
    EveSink *sink = eve_sink_open(fx->rotated);
    assert_non_null(sink);
    make_record(&fx->jb, 0, 1, 1 << 20);  // larger than any pipe buffer
    assert_int_equal(eve_sink_write(sink, &fx->jb), VG_EIO);
    EveSinkStats st;
    eve_sink_get_stats(sink, &st);
    assert_int_equal(st.write_errors, 1);
    assert_int_equal(st.records, 0);
    eve_sink_close(sink);
    close(reader);
}

static void thread_buf_batches_until_flush(void **state)
{
    Fixture *fx = *state;
    EveThreadBuf *tb = eve_thread_buf_new(fx->sink);
    assert_non_null(tb);
    for (int i = 0; i < 10; i++) {
        make_record(&fx->jb, 1, i, 0);
        assert_int_equal(eve_thread_buf_write(tb, &fx->jb), 0);
    }
    size_t len;
    char *s = read_all(fx, &len);
    assert_int_equal(len, 0);
    free(s);
    assert_int_equal(eve_thread_buf_flush(tb), 0);
    s = read_all(fx, &len);
    size_t n = 0;
    assert_true(json_check_lines(s, len, &n));
    assert_int_equal(n, 10);
    free(s);
    EveSinkStats st;
    eve_sink_get_stats(fx->sink, &st);
    assert_int_equal(st.records, 10);
    eve_thread_buf_free(tb);
}

static void thread_buf_flushes_when_full_and_keeps_order(void **state)
{
    Fixture *fx = *state;
    EveThreadBuf *tb = eve_thread_buf_new(fx->sink);
    assert_non_null(tb);
    for (int i = 0; i < 100; i++) {
        make_record(&fx->jb, 1, i, 1000);  // ~1 KiB each: passes 64 KiB
        assert_int_equal(eve_thread_buf_write(tb, &fx->jb), 0);
    }
    size_t len;
    char *s = read_all(fx, &len);
    assert_true(len > 0 && len < 100 * 1000);  // some batches out, the rest pending
    free(s);
    make_record(&fx->jb, 1, 100, 200 * 1024);  // bigger than the whole buffer
    assert_int_equal(eve_thread_buf_write(tb, &fx->jb), 0);
    make_record(&fx->jb, 1, 101, 0);
    assert_int_equal(eve_thread_buf_write(tb, &fx->jb), 0);
    eve_thread_buf_free(tb);  // flushes

    s = read_all(fx, &len);
    size_t n = 0;
    assert_true(json_check_lines(s, len, &n));
    assert_int_equal(n, 102);
    int expect = 0;
    for (char *line = s; *line != '\0'; line = strchr(line, '\n') + 1) {
        char want[32];
        snprintf(want, sizeof(want), "\"seq\":%d", expect++);
        assert_non_null(strstr(line, want));
        assert_true(strstr(line, want) < strchr(line, '\n'));
    }
    free(s);
}

#define N_THREADS 4
#define N_PER_THREAD 400

typedef struct WriterArg {
    EveSink *sink;
    int id;
    int rc;
} WriterArg;

/* Even threads write directly, odd ones through a thread buffer; records
 * of varied sizes, some larger than a pipe buffer. */
static void *writer(void *arg)
{
    WriterArg *wa = arg;
    JsonBuf jb;
    if (json_buf_init(&jb, 64) != 0) {
        wa->rc = -1;
        return NULL;
    }
    EveThreadBuf *tb = wa->id % 2 != 0 ? eve_thread_buf_new(wa->sink) : NULL;
    for (int i = 0; i < N_PER_THREAD; i++) {
        make_record(&jb, wa->id, i, (size_t)((i * 37) % 9000));
        int rc = tb != NULL ? eve_thread_buf_write(tb, &jb) : eve_sink_write(wa->sink, &jb);
        wa->rc |= rc;
    }
    eve_thread_buf_free(tb);
    json_buf_deinit(&jb);
    return NULL;
}

static void sink_four_threads_write_whole_lines_only(void **state)
{
    Fixture *fx = *state;
    pthread_t th[N_THREADS];
    WriterArg args[N_THREADS];
    for (int i = 0; i < N_THREADS; i++) {
        args[i] = (WriterArg){ .sink = fx->sink, .id = i };
        assert_int_equal(pthread_create(&th[i], NULL, writer, &args[i]), 0);
    }
    for (int i = 0; i < N_THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].rc, 0);
    }
    size_t len;
    char *s = read_all(fx, &len);
    size_t n = 0;
    assert_true(json_check_lines(s, len, &n));
    assert_int_equal(n, N_THREADS * N_PER_THREAD);
    /* Per thread, every sequence number once and in order. */
    int next[N_THREADS] = { 0 };
    for (char *line = s; *line != '\0'; line = strchr(line, '\n') + 1) {
        int t = -1;
        int seq = -1;
        assert_int_equal(sscanf(line, "{\"thread\":%d,\"seq\":%d", &t, &seq), 2);
        assert_true(t >= 0 && t < N_THREADS);
        assert_int_equal(seq, next[t]++);
    }
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(sink_writes_one_line_per_record, setup, teardown),
        cmocka_unit_test_setup_teardown(sink_creates_file_with_mode_0640, setup, teardown),
        cmocka_unit_test_setup_teardown(sink_appends_to_existing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(sink_drops_failed_and_unfinished_records, setup,
                                        teardown),
        cmocka_unit_test(sink_open_fails_for_missing_directory),
        cmocka_unit_test_setup_teardown(sink_reopen_follows_rotation, setup, teardown),
        cmocka_unit_test_setup_teardown(sink_reopen_failure_keeps_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(sink_stalled_fifo_fails_instead_of_blocking, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(thread_buf_batches_until_flush, setup, teardown),
        cmocka_unit_test_setup_teardown(thread_buf_flushes_when_full_and_keeps_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(sink_four_threads_write_whole_lines_only, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
