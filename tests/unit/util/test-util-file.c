/* util_file_read: whole files, missing files, empty files, the size bound. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/util-file.h"

static char path[64];

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/vg-util-file-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0) {
        return -1;
    }
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void write_bytes(size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        fputc('a' + (int)(i % 26), f);
    }
    fclose(f);
}

static void reads_a_file_larger_than_the_first_buffer(void **state)
{
    (void)state;
    write_bytes(200000);
    size_t len = 0;
    int err = -1;
    char *s = util_file_read(path, 1 << 20, &len, &err);
    assert_non_null(s);
    assert_int_equal(err, 0);
    assert_int_equal(len, 200000);
    assert_int_equal(s[199999], 'a' + 199999 % 26);
    assert_int_equal(s[200000], '\0');
    free(s);
}

static void empty_file_is_an_empty_string(void **state)
{
    (void)state;
    write_bytes(0);
    int err = -1;
    char *s = util_file_read(path, 1 << 20, NULL, &err);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);
}

static void missing_file_reports_enoent(void **state)
{
    (void)state;
    int err = 0;
    assert_null(util_file_read("/nonexistent/vigil/file", 1 << 20, NULL, &err));
    assert_int_equal(err, ENOENT);
}

static void file_past_the_bound_is_refused(void **state)
{
    (void)state;
    write_bytes(300000);
    int err = 0;
    assert_null(util_file_read(path, 100000, NULL, &err));
    assert_int_equal(err, EFBIG);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(reads_a_file_larger_than_the_first_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_file_is_an_empty_string, setup, teardown),
        cmocka_unit_test(missing_file_reports_enoent),
        cmocka_unit_test_setup_teardown(file_past_the_bound_is_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
