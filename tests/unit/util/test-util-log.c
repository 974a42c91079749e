/* util-log: the file sink (kept messages until it opens, its own level,
 * text and JSON records, reopen after rotation), level names. */
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
#include "util/util-json-parse.h"
#include "util/util-log.h"

static char dir[64];
static char path[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/vg-util-log-XXXXXX");
    if (mkdtemp(dir) == NULL) {
        return -1;
    }
    snprintf(path, sizeof(path), "%s/engine.log", dir);
    util_log_set_level(LOG_LEVEL_ERROR);   // keep the test's console quiet
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    util_log_close();
    char old[160];
    snprintf(old, sizeof(old), "%s.1", path);
    unlink(old);
    unlink(path);
    rmdir(dir);
    util_log_set_level(LOG_LEVEL_NOTICE);
    return 0;
}

static char *read_all(const char *p)
{
    FILE *f = fopen(p, "rb");
    if (f == NULL) {
        return NULL;
    }
    static char buf[65536];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    return buf;
}

static void levels_parse_in_any_case(void **state)
{
    (void)state;
    LogLevel l;
    assert_true(util_log_level_parse("Config", &l));
    assert_int_equal(l, LOG_LEVEL_CONFIG);
    assert_true(util_log_level_parse("warning", &l));
    assert_int_equal(l, LOG_LEVEL_WARNING);
    assert_true(util_log_level_parse("critical", &l));
    assert_int_equal(l, LOG_LEVEL_ERROR);
    assert_false(util_log_level_parse("loud", &l));
    assert_false(util_log_level_parse(NULL, &l));
}

static void file_keeps_messages_until_open_and_filters_its_level(void **state)
{
    (void)state;
    util_log_file_configure(path, LOG_LEVEL_INFO, false);
    VG_NOTICE("before open %d", 1);
    VG_CONFIG("too verbose for the file");
    assert_int_not_equal(access(path, F_OK), 0);   // nothing written yet
    assert_int_equal(util_log_file_open(), 0);
    VG_WARN("after open");
    char *s = read_all(path);
    assert_non_null(s);
    assert_non_null(strstr(s, "] Notice: before open 1\n"));
    assert_non_null(strstr(s, "] Warning: after open\n"));
    assert_null(strstr(s, "too verbose"));
    assert_true(strstr(s, "before open") < strstr(s, "after open"));
}

static void json_records_are_valid_and_escaped(void **state)
{
    (void)state;
    util_log_file_configure(path, LOG_LEVEL_NOTICE, true);
    assert_int_equal(util_log_file_open(), 0);
    VG_ERROR("bad \"value\"\tat\\line\n%c", 1);
    char *s = read_all(path);
    assert_non_null(s);
    size_t len = strlen(s);
    assert_true(len > 0 && s[len - 1] == '\n');
    JsonDoc *doc = NULL;
    assert_int_equal(json_parse(s, len - 1, &doc, NULL, 0), 0);
    const JsonValue *root = json_doc_root(doc);
    assert_string_equal(json_object_get_str(root, "log_level"), "Error");
    assert_string_equal(json_object_get_str(root, "event_type"), "engine");
    const JsonValue *eng = json_object_get(root, "engine");
    assert_string_equal(json_object_get_str(eng, "message"), "bad \"value\"\tat\\line\n\x01");
    assert_non_null(json_object_get_str(root, "timestamp"));
    json_doc_free(doc);
    /* UTF-8 stays as it is; a message with invalid UTF-8 is still valid JSON. */
    assert_int_equal(truncate(path, 0), 0);
    VG_ERROR("caf\xc3\xa9");
    VG_ERROR("bad \xff byte");
    s = read_all(path);
    assert_non_null(strstr(s, "\"message\":\"caf\xc3\xa9\""));
    assert_non_null(strstr(s, "\"message\":\"bad \\u00ff byte\""));
}

static void reopen_follows_a_rotated_file(void **state)
{
    (void)state;
    util_log_file_configure(path, LOG_LEVEL_NOTICE, false);
    assert_int_equal(util_log_file_open(), 0);
    VG_NOTICE("first");
    char old[160];
    snprintf(old, sizeof(old), "%s.1", path);
    assert_int_equal(rename(path, old), 0);
    assert_int_equal(util_log_file_reopen(), 0);
    VG_NOTICE("second");
    char *s = read_all(path);
    assert_non_null(s);
    assert_non_null(strstr(s, "second"));
    assert_null(strstr(s, "first"));
    s = read_all(old);
    assert_non_null(strstr(s, "first"));
}

static void open_fails_with_errno_on_a_missing_directory(void **state)
{
    (void)state;
    char bad[192];
    snprintf(bad, sizeof(bad), "%s/no/such/dir.log", dir);
    util_log_file_configure(bad, LOG_LEVEL_NOTICE, false);
    errno = 0;
    assert_int_equal(util_log_file_open(), -1);
    assert_int_equal(errno, ENOENT);
    assert_string_equal(util_log_file_path(), bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(levels_parse_in_any_case),
        cmocka_unit_test_setup_teardown(file_keeps_messages_until_open_and_filters_its_level,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(json_records_are_valid_and_escaped, setup, teardown),
        cmocka_unit_test_setup_teardown(reopen_follows_a_rotated_file, setup, teardown),
        cmocka_unit_test_setup_teardown(open_fails_with_errno_on_a_missing_directory, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
