/* Text log files under rotation: logrotate's create mode (rename, then
 * reopen), its copytruncate mode (truncated under the writer), a failed
 * reopen, and writers racing reopens (also run under TSan). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/output-test-util.h"
#include "output/output.h"
#include "util/util-error.h"
#include "util/util-log.h"

typedef struct Fixture {
    char dir[64];
    char path[96];
    char rotated[96];
} Fixture;

static int setup(void **state)
{
    Fixture *fx = calloc(1, sizeof(*fx));
    if (fx == NULL) {
        return -1;
    }
    snprintf(fx->dir, sizeof(fx->dir), "/tmp/vg-text-XXXXXX");
    if (mkdtemp(fx->dir) == NULL) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof(fx->path), "%s/fast.log", fx->dir);
    snprintf(fx->rotated, sizeof(fx->rotated), "%s/fast.log.1", fx->dir);
    util_log_set_level(LOG_LEVEL_ERROR); // the failed-reopen error is expected
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    Fixture *fx = *state;
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", fx->dir);
    assert_int_equal(system(cmd), 0);
    free(fx);
    return 0;
}

static char *slurp(const char *path, size_t *len)
{
    char *s = ot_read_file(path, len);
    assert_non_null(s);
    return s;
}

/* create: lines still buffered when the file is renamed go to the renamed
 * file; after the reopen, lines go to a new file of the old name. */
static void rename_then_reopen_splits_lines_without_loss(void **state)
{
    Fixture *fx = *state;
    OutputTextFile *tf = output_text_file_open(fx->path);
    assert_non_null(tf);
    assert_int_equal(output_text_file_write(tf, "one\n"), 0);
    assert_int_equal(rename(fx->path, fx->rotated), 0);
    assert_int_equal(output_text_file_write(tf, "two\n"), 0);
    assert_int_equal(output_text_file_reopen(tf), 0);
    assert_int_equal(output_text_file_write(tf, "three\n"), 0);
    output_text_file_close(tf);
    size_t len;
    char *old = slurp(fx->rotated, &len);
    assert_string_equal(old, "one\ntwo\n");
    free(old);
    char *cur = slurp(fx->path, &len);
    assert_string_equal(cur, "three\n");
    free(cur);
    struct stat st;
    assert_int_equal(stat(fx->path, &st), 0);
    mode_t mask = umask(0);
    umask(mask);
    assert_int_equal(st.st_mode & 0777, 0640 & ~mask);
}

/* copytruncate: after the file is truncated under the writer, the next
 * lines start at offset 0 (O_APPEND), not at the old end behind zeros. */
static void truncated_file_is_written_from_its_new_start(void **state)
{
    Fixture *fx = *state;
    OutputTextFile *tf = output_text_file_open(fx->path);
    assert_non_null(tf);
    assert_int_equal(output_text_file_write(tf, "a long line before the rotation\n"), 0);
    FILE *f = output_text_file_lock(tf);
    assert_int_equal(fflush(f), 0);
    output_text_file_unlock(tf);
    assert_int_equal(truncate(fx->path, 0), 0);
    assert_int_equal(output_text_file_write(tf, "after\n"), 0);
    output_text_file_close(tf);
    size_t len;
    char *s = slurp(fx->path, &len);
    assert_int_equal(len, 6);
    assert_string_equal(s, "after\n");
    free(s);
}

/* An existing file is appended to, never truncated at open. */
static void open_appends_to_an_existing_file(void **state)
{
    Fixture *fx = *state;
    FILE *f = fopen(fx->path, "w");
    assert_non_null(f);
    fputs("kept\n", f);
    fclose(f);
    OutputTextFile *tf = output_text_file_open(fx->path);
    assert_non_null(tf);
    assert_int_equal(output_text_file_write(tf, "new\n"), 0);
    output_text_file_close(tf);
    size_t len;
    char *s = slurp(fx->path, &len);
    assert_string_equal(s, "kept\nnew\n");
    free(s);
}

/* A reopen that cannot open the path keeps writing to the old file. */
static void failed_reopen_keeps_the_old_file(void **state)
{
    Fixture *fx = *state;
    char sub[128];
    snprintf(sub, sizeof(sub), "%s/sub", fx->dir);
    assert_int_equal(mkdir(sub, 0750), 0);
    char path[160];
    snprintf(path, sizeof(path), "%s/fast.log", sub);
    OutputTextFile *tf = output_text_file_open(path);
    assert_non_null(tf);
    assert_int_equal(output_text_file_write(tf, "before\n"), 0);
    char moved[160];
    snprintf(moved, sizeof(moved), "%s/moved", fx->dir);
    assert_int_equal(rename(sub, moved), 0); // the path's directory is gone
    assert_int_equal(output_text_file_reopen(tf), VG_EIO);
    assert_string_equal(output_text_file_path(tf), path);
    assert_int_equal(output_text_file_write(tf, "after\n"), 0);
    output_text_file_close(tf);
    char moved_file[192];
    snprintf(moved_file, sizeof(moved_file), "%s/fast.log", moved);
    size_t len;
    char *s = slurp(moved_file, &len);
    assert_string_equal(s, "before\nafter\n");
    free(s);
}

static void open_fails_on_a_missing_directory(void **state)
{
    Fixture *fx = *state;
    char path[160];
    snprintf(path, sizeof(path), "%s/missing/fast.log", fx->dir);
    assert_null(output_text_file_open(path));
}

#define RACE_WRITERS 4
#define RACE_LINES 2000
#define RACE_ROTATIONS 40

typedef struct RaceArg {
    OutputTextFile *tf;
    int id;
} RaceArg;

static void *race_writer(void *arg)
{
    const RaceArg *ra = arg;
    char line[64];
    for (int i = 0; i < RACE_LINES; i++) {
        snprintf(line, sizeof(line), "writer %d line %05d end\n", ra->id, i);
        if (output_text_file_write(ra->tf, line) != 0) {
            return (void *)1;
        }
    }
    return NULL;
}

/* Counts whole lines of one writer format across a file; -1 on a torn line. */
static long count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    char line[128];
    long n = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        int w = -1;
        int i = -1;
        char end[8] = "";
        if (sscanf(line, "writer %d line %d %7s", &w, &i, end) != 3 || strcmp(end, "end") != 0) {
            fclose(f);
            return -1;
        }
        n++;
    }
    fclose(f);
    return n;
}

/* Writers in several threads while another reopens, renaming the file
 * first (logrotate create) or not (a plain SIGHUP: the same file is opened
 * again): every line lands whole in exactly one of the files. */
static void race(const Fixture *fx, bool rename_first)
{
    OutputTextFile *tf = output_text_file_open(fx->path);
    assert_non_null(tf);
    pthread_t th[RACE_WRITERS];
    RaceArg args[RACE_WRITERS];
    for (int i = 0; i < RACE_WRITERS; i++) {
        args[i] = (RaceArg){tf, i};
        assert_int_equal(pthread_create(&th[i], NULL, race_writer, &args[i]), 0);
    }
    char rotated[RACE_ROTATIONS][128];
    for (int r = 0; r < RACE_ROTATIONS; r++) {
        snprintf(rotated[r], sizeof(rotated[r]), "%s.%d", fx->path, r);
        if (rename_first) {
            assert_int_equal(rename(fx->path, rotated[r]), 0);
        }
        assert_int_equal(output_text_file_reopen(tf), 0);
    }
    for (int i = 0; i < RACE_WRITERS; i++) {
        void *rc = NULL;
        pthread_join(th[i], &rc);
        assert_null(rc);
    }
    output_text_file_close(tf);
    long total = count_lines(fx->path);
    assert_true(total >= 0);
    for (int r = 0; rename_first && r < RACE_ROTATIONS; r++) {
        long n = count_lines(rotated[r]);
        assert_true(n >= 0);
        total += n;
    }
    assert_int_equal(total, (long)RACE_WRITERS * RACE_LINES);
}

static void writers_racing_rotations_lose_no_line(void **state)
{
    race(*state, true);
}

static void writers_racing_reopens_of_the_same_file_tear_no_line(void **state)
{
    race(*state, false);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(rename_then_reopen_splits_lines_without_loss, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(truncated_file_is_written_from_its_new_start, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(open_appends_to_an_existing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(failed_reopen_keeps_the_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(open_fails_on_a_missing_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(writers_racing_rotations_lose_no_line, setup, teardown),
        cmocka_unit_test_setup_teardown(writers_racing_reopens_of_the_same_file_tear_no_line,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
