#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "detect/detect-internal.h"
#include "util/util-error.h"

static int teardown(void **state)
{
    (void)state;
    detect_datasets_free();
    return 0;
}

static Dataset *make(const char *name, DetectDatasetType type, uint64_t memcap)
{
    DetectDatasetSpec spec = {.name = name, .has_type = true, .type = type, .memcap = memcap,
                              .hashsize = 8};
    Dataset *ds = NULL;
    char err[200];
    assert_int_equal(detect_dataset_get(&spec, &ds, err, sizeof(err)), 0);
    return ds;
}

static void insert_lookup_delete(void **state)
{
    (void)state;
    Dataset *ds = make("s", DETECT_DS_STRING, 0);
    const uint8_t v[] = "abc";
    assert_false(detect_dataset_contains(ds, v, 3));
    assert_int_equal(detect_dataset_insert(ds, v, 3), 0);
    assert_int_equal(detect_dataset_insert(ds, v, 3), VG_EEXIST);
    assert_true(detect_dataset_contains(ds, v, 3));
    assert_false(detect_dataset_contains(ds, v, 2));     // a prefix is another value
    assert_int_equal(detect_dataset_insert(ds, (const uint8_t *)"", 0), 0);  // empty buffer
    assert_true(detect_dataset_contains(ds, (const uint8_t *)"", 0));
    assert_int_equal(detect_dataset_delete(ds, v, 3), 0);
    assert_int_equal(detect_dataset_delete(ds, v, 3), VG_ENOENT);
    assert_false(detect_dataset_contains(ds, v, 3));
}

static void typed_sets_check_lengths(void **state)
{
    (void)state;
    Dataset *md5 = make("m", DETECT_DS_MD5, 0);
    uint8_t h[32] = {1, 2, 3};
    assert_int_equal(detect_dataset_insert(md5, h, 15), VG_EINVAL);
    assert_int_equal(detect_dataset_insert(md5, h, 16), 0);
    assert_false(detect_dataset_contains(md5, h, 32));
    Dataset *v4 = make("v4", DETECT_DS_IPV4, 0);
    assert_int_equal(detect_dataset_insert(v4, h, 16), VG_EINVAL);
    /* The same name again: found with a matching type, refused with another. */
    DetectDatasetSpec again = {.name = "m", .has_type = true, .type = DETECT_DS_SHA256};
    Dataset *got = NULL;
    char err[200];
    assert_int_equal(detect_dataset_get(&again, &got, err, sizeof(err)), VG_EINVAL);
    assert_non_null(strstr(err, "is of type md5"));
    again.has_type = false;
    assert_int_equal(detect_dataset_get(&again, &got, err, sizeof(err)), 0);
    assert_ptr_equal(got, md5);
}

static void memcap_refuses_and_counts(void **state)
{
    (void)state;
    /* 8 buckets of pointers, then room for a few small items only. */
    Dataset *ds = make("small", DETECT_DS_STRING, 8 * sizeof(void *) + 100);
    int added = 0;
    int full = 0;
    for (int i = 0; i < 50; i++) {
        char v[8];
        int n = snprintf(v, sizeof(v), "v%d", i);
        int rc = detect_dataset_insert(ds, (const uint8_t *)v, (uint32_t)n);
        added += rc == 0;
        full += rc == VG_ERANGE;
    }
    assert_true(added > 0 && added < 10);
    assert_int_equal(added + full, 50);
    assert_int_equal(detect_dataset_op("small", "string", "dmFsdWU=", DETECT_DS_OP_ADD),
                     DETECT_DS_R_FULL);
}

static void operator_values_in_serialized_form(void **state)
{
    (void)state;
    make("ops", DETECT_DS_STRING, 0);
    make("ips", DETECT_DS_IP, 0);
    assert_int_equal(detect_dataset_op("ops", "string", "ZXhhbXBsZQ==", DETECT_DS_OP_ADD),
                     DETECT_DS_R_OK);
    Dataset *ds = detect_dataset_find("ops");
    assert_true(detect_dataset_contains(ds, (const uint8_t *)"example", 7));
    assert_int_equal(detect_dataset_op("ops", "string", "ZXhhbXBsZQ==", DETECT_DS_OP_LOOKUP),
                     DETECT_DS_R_OK);
    assert_int_equal(detect_dataset_op("ops", "md5", "ZXhhbXBsZQ==", DETECT_DS_OP_ADD),
                     DETECT_DS_R_TYPE);
    assert_int_equal(detect_dataset_op("nope", "string", "eA==", DETECT_DS_OP_ADD),
                     DETECT_DS_R_NO_SET);
    const char *bad[] = {"", "abc", "ab=c", "!!!!", "ZXhhbXBsZQ"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(detect_dataset_op("ops", "string", bad[i], DETECT_DS_OP_ADD),
                         DETECT_DS_R_BAD_VALUE);
    }
    /* IPv4 in an ip set is the mapped form; both spellings find it. */
    assert_int_equal(detect_dataset_op("ips", "ip", "192.0.2.9", DETECT_DS_OP_ADD),
                     DETECT_DS_R_OK);
    assert_int_equal(detect_dataset_op("ips", "ip", "::ffff:192.0.2.9", DETECT_DS_OP_LOOKUP),
                     DETECT_DS_R_OK);
    assert_int_equal(detect_dataset_op("ips", "ip", "192.0.2.300", DETECT_DS_OP_ADD),
                     DETECT_DS_R_BAD_VALUE);
    assert_int_equal(detect_dataset_op("ops", "string", NULL, DETECT_DS_OP_CLEAR),
                     DETECT_DS_R_OK);
    assert_false(detect_dataset_contains(ds, (const uint8_t *)"example", 7));
}

static void state_file_round_trip(void **state)
{
    (void)state;
    char dir[] = "/tmp/vg-ds-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof(path), "%s/state.lst", dir);
    DetectDatasetSpec spec = {.name = "st", .has_type = true, .type = DETECT_DS_STRING,
                              .state_path = path};
    Dataset *ds = NULL;
    char err[200];
    assert_int_equal(detect_dataset_get(&spec, &ds, err, sizeof(err)), 0);  // no file yet
    const uint8_t bin[] = {0, 1, 2, 0xff, '\n'};
    assert_int_equal(detect_dataset_insert(ds, bin, sizeof(bin)), 0);
    assert_int_equal(detect_datasets_save(), 0);
    detect_datasets_free();
    assert_int_equal(detect_dataset_get(&spec, &ds, err, sizeof(err)), 0);
    assert_true(detect_dataset_contains(ds, bin, sizeof(bin)));
    unlink(path);
    rmdir(dir);
}

/* A line longer than any value is skipped whole (its tail is no value of its
 * own); the lines around it load. */
static void overlong_lines_are_skipped_whole(void **state)
{
    (void)state;
    char path[] = "/tmp/vg-ds-long-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    fputs("YQ==\n", fp);                       // "a"
    for (int i = 0; i < 200000; i++) {
        fputc('Y', fp);
    }
    fputs("YQ==\nYg==\n", fp);                 // a tail that would decode, then "b"
    fclose(fp);
    DetectDatasetSpec spec = {.name = "long", .has_type = true, .type = DETECT_DS_STRING,
                              .load_path = path};
    Dataset *ds = NULL;
    char err[200];
    assert_int_equal(detect_dataset_get(&spec, &ds, err, sizeof(err)), 0);
    assert_true(detect_dataset_contains(ds, (const uint8_t *)"a", 1));
    assert_true(detect_dataset_contains(ds, (const uint8_t *)"b", 1));
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(insert_lookup_delete, teardown),
        cmocka_unit_test_teardown(typed_sets_check_lengths, teardown),
        cmocka_unit_test_teardown(memcap_refuses_and_counts, teardown),
        cmocka_unit_test_teardown(operator_values_in_serialized_form, teardown),
        cmocka_unit_test_teardown(state_file_round_trip, teardown),
        cmocka_unit_test_teardown(overlong_lines_are_skipped_whole, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
