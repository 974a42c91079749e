/* util_file_read: whole files, missing files, empty files, the size bound;
 * the line iterator and the binary check. */
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

static void file_of_exactly_the_bound_is_read(void **state)
{
    (void)state;
    write_bytes(100000);
    size_t len = 0;
    int err = -1;
    char *s = util_file_read(path, 100000, &len, &err);
    assert_non_null(s);
    assert_int_equal(len, 100000);
    free(s);
    write_bytes(100001);
    assert_null(util_file_read(path, 100000, NULL, &err));
    assert_int_equal(err, EFBIG);
}

static void endless_device_stops_at_the_bound(void **state)
{
    (void)state;
    int err = 0;
    assert_null(util_file_read("/dev/zero", 1 << 20, NULL, &err));
    assert_int_equal(err, EFBIG);
}

static void nul_bytes_are_data(void **state)
{
    (void)state;
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite("a\0b\nc", 1, 5, f);
    fclose(f);
    size_t len = 0;
    int err = -1;
    char *s = util_file_read(path, 1 << 20, &len, &err);
    assert_non_null(s);
    assert_int_equal(len, 5);
    assert_memory_equal(s, "a\0b\nc", 5);
    free(s);
}

static void lines_come_with_lengths_and_numbers(void **state)
{
    (void)state;
    static const char text[] = "one\r\n\ntw\0o\nlast";
    UtilLines it;
    util_lines_init(&it, text, sizeof(text) - 1);
    const char *l;
    size_t len;
    assert_true(util_lines_next(&it, &l, &len));
    assert_int_equal(it.line, 1);
    assert_int_equal(len, 3);
    assert_memory_equal(l, "one", 3);
    assert_true(util_lines_next(&it, &l, &len));
    assert_int_equal(len, 0);
    assert_true(util_lines_next(&it, &l, &len));
    assert_int_equal(it.line, 3);
    assert_int_equal(len, 4);
    assert_memory_equal(l, "tw\0o", 4);
    assert_true(util_lines_next(&it, &l, &len));
    assert_int_equal(len, 4);
    assert_memory_equal(l, "last", 4);
    assert_false(util_lines_next(&it, &l, &len));
}

static void empty_buffer_has_no_line(void **state)
{
    (void)state;
    UtilLines it;
    util_lines_init(&it, "", 0);
    const char *l;
    size_t len;
    assert_false(util_lines_next(&it, &l, &len));
    assert_int_equal(it.line, 0);
}

static void binary_bytes_are_found(void **state)
{
    (void)state;
    size_t at = 99;
    assert_false(util_text_has_binary("tab\there \xc3\xa9", 11, &at));
    assert_int_equal(at, 99);
    assert_true(util_text_has_binary("ab\0c", 4, &at));
    assert_int_equal(at, 2);
    assert_true(util_text_has_binary("x\x1b", 2, &at));
    assert_int_equal(at, 1);
    assert_true(util_text_has_binary("\x7f", 1, NULL));
    assert_true(util_text_has_binary("a\rb", 3, NULL));
}

/* Every byte value at every position of a text longer than the 8-byte words the
 * search reads, among tabs and bytes >= 0x80 that are text: found exactly where it is. */
static void binary_bytes_are_found_at_every_position(void **state)
{
    (void)state;
    char buf[21];
    for (unsigned v = 0; v < 256; v++) {
        for (size_t pos = 0; pos < sizeof(buf); pos++) {
            for (size_t i = 0; i < sizeof(buf); i++) {
                buf[i] = (char)(i % 5 == 0 ? '\t' : (i % 3 == 0 ? 0xe9 : 'a' + (int)i));
            }
            buf[pos] = (char)v;
            bool bad = (v < 0x20 && v != '\t') || v == 0x7f;
            size_t at = 99;
            assert_int_equal(util_text_has_binary(buf, sizeof(buf), &at), bad);
            assert_int_equal(at, bad ? pos : 99);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(binary_bytes_are_found_at_every_position),
        cmocka_unit_test_setup_teardown(reads_a_file_larger_than_the_first_buffer, setup, teardown),
        cmocka_unit_test_setup_teardown(empty_file_is_an_empty_string, setup, teardown),
        cmocka_unit_test(missing_file_reports_enoent),
        cmocka_unit_test_setup_teardown(file_past_the_bound_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(file_of_exactly_the_bound_is_read, setup, teardown),
        cmocka_unit_test(endless_device_stops_at_the_bound),
        cmocka_unit_test_setup_teardown(nul_bytes_are_data, setup, teardown),
        cmocka_unit_test(lines_come_with_lengths_and_numbers),
        cmocka_unit_test(empty_buffer_has_no_line),
        cmocka_unit_test(binary_bytes_are_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
