/* File types by libmagic with the result cache: the text is always libmagic's own for
 * those bytes (keyed by their SHA-256 and length), a repeat is answered from the cache,
 * which the threads share (each with its own libmagic handle). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <magic.h>
#include <pthread.h>

#include "app-layer/app-layer-magic.h"

static const char HTML[] = "<html><head><title>404</title></head><body>gone</body></html>\n";
static const uint8_t PNG[] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
                              'I',  'H', 'D', 'R', 0,    0,    0,    1,    0, 0, 0, 1,
                              8,    6,   0,   0,   0};

/* What a fresh libmagic handle says, the reference for every comparison. */
static void direct(const void *data, size_t len, char *out, size_t cap)
{
    magic_t m = magic_open(MAGIC_NONE);
    if (m == NULL || magic_load(m, NULL) != 0) {
        if (m != NULL) {
            magic_close(m);
        }
        skip();
    }
    const char *r = magic_buffer(m, data, len);
    assert_non_null(r);
    snprintf(out, cap, "%s", r);
    magic_close(m);
}

static int teardown(void **state)
{
    (void)state;
    app_magic_deinit();
    return 0;
}

static void result_is_libmagics_text(void **state)
{
    (void)state;
    char want[256];
    char got[256];
    direct(HTML, sizeof(HTML) - 1, want, sizeof(want));
    assert_ptr_equal(app_magic_of((const uint8_t *)HTML, sizeof(HTML) - 1, got, sizeof(got)),
                     got);
    assert_string_equal(got, want);
}

static void repeat_is_a_cache_hit_with_the_same_text(void **state)
{
    (void)state;
    char first[256];
    char again[256];
    assert_non_null(app_magic_of(PNG, sizeof(PNG), first, sizeof(first)));
    assert_non_null(app_magic_of(PNG, sizeof(PNG), again, sizeof(again)));
    assert_string_equal(first, again);
    assert_int_equal(app_magic_n_calls(), 1);
    assert_int_equal(app_magic_n_hits(), 1);
}

static void one_changed_byte_is_typed_again(void **state)
{
    (void)state;
    uint8_t not_png[sizeof(PNG)];
    memcpy(not_png, PNG, sizeof(PNG));
    not_png[1] = 'X';
    char a[256];
    char b[256];
    char want[256];
    assert_non_null(app_magic_of(PNG, sizeof(PNG), a, sizeof(a)));
    assert_non_null(app_magic_of(not_png, sizeof(not_png), b, sizeof(b)));
    direct(not_png, sizeof(not_png), want, sizeof(want));
    assert_string_equal(b, want);
    assert_string_not_equal(a, b);
    assert_int_equal(app_magic_n_calls(), 2);
    assert_int_equal(app_magic_n_hits(), 0);
}

static void same_prefix_other_length_is_typed_again(void **state)
{
    (void)state;
    char a[256];
    char b[256];
    assert_non_null(app_magic_of((const uint8_t *)HTML, sizeof(HTML) - 1, a, sizeof(a)));
    assert_non_null(app_magic_of((const uint8_t *)HTML, 6, b, sizeof(b)));
    assert_int_equal(app_magic_n_calls(), 2);
    assert_int_equal(app_magic_n_hits(), 0);
}

static void hit_is_truncated_to_the_callers_buffer(void **state)
{
    (void)state;
    char full[256];
    char small[8];
    assert_non_null(app_magic_of((const uint8_t *)HTML, sizeof(HTML) - 1, full, sizeof(full)));
    assert_non_null(app_magic_of((const uint8_t *)HTML, sizeof(HTML) - 1, small, sizeof(small)));
    assert_int_equal(app_magic_n_hits(), 1);
    assert_int_equal(strlen(small), sizeof(small) - 1);
    assert_memory_equal(small, full, sizeof(small) - 1);
}

static void large_data_is_cached_too(void **state)
{
    (void)state;
    size_t len = 256 * 1024;
    uint8_t *big = malloc(len);
    assert_non_null(big);
    memset(big, 'a', len);
    char a[256];
    char b[256];
    char want[256];
    assert_non_null(app_magic_of(big, (uint32_t)len, a, sizeof(a)));
    big[len - 1] = 0x01;   // one byte at the far end: other bytes, typed again
    assert_non_null(app_magic_of(big, (uint32_t)len, b, sizeof(b)));
    direct(big, len, want, sizeof(want));
    assert_string_equal(b, want);
    assert_non_null(app_magic_of(big, (uint32_t)len, b, sizeof(b)));
    assert_string_equal(b, want);
    assert_int_equal(app_magic_n_calls(), 2);
    assert_int_equal(app_magic_n_hits(), 1);
    free(big);
}

static int content(char *buf, size_t cap, int i)
{
    return snprintf(buf, cap, "%s %d\n", (i % 3) ? "hello" : "<html>", i);
}

/* Many distinct contents in a row, then the same again: all held (1,024 fit, whatever
 * their hashes), so the second round only hits; every answer is libmagic's own. */
static void many_contents_keep_answers_exact(void **state)
{
    (void)state;
    enum { N = 600 };
    char buf[64];
    char got[256];
    char want[256];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            int n = content(buf, sizeof(buf), i);
            assert_non_null(app_magic_of((const uint8_t *)buf, (uint32_t)n, got, sizeof(got)));
            if (i % 50 == 0) {
                direct(buf, (size_t)n, want, sizeof(want));
                assert_string_equal(got, want);
            }
        }
    }
    assert_int_equal(app_magic_n_calls(), N);
    assert_int_equal(app_magic_n_hits(), N);
}

/* Past the capacity the least recently used goes: the first content is typed again, a
 * recently hit one is not. */
static void least_recently_used_goes_first(void **state)
{
    (void)state;
    enum { N = 1024 };
    char buf[64];
    char got[256];
    for (int i = 0; i < N; i++) {
        int n = content(buf, sizeof(buf), i);
        assert_non_null(app_magic_of((const uint8_t *)buf, (uint32_t)n, got, sizeof(got)));
    }
    int n = content(buf, sizeof(buf), 1);   // 1 becomes the most recent; 0 the least
    assert_non_null(app_magic_of((const uint8_t *)buf, (uint32_t)n, got, sizeof(got)));
    assert_int_equal(app_magic_n_hits(), 1);
    n = content(buf, sizeof(buf), N);       // a new one: 0 goes
    assert_non_null(app_magic_of((const uint8_t *)buf, (uint32_t)n, got, sizeof(got)));
    n = content(buf, sizeof(buf), 1);
    assert_non_null(app_magic_of((const uint8_t *)buf, (uint32_t)n, got, sizeof(got)));
    assert_int_equal(app_magic_n_hits(), 2);
    n = content(buf, sizeof(buf), 0);
    assert_non_null(app_magic_of((const uint8_t *)buf, (uint32_t)n, got, sizeof(got)));
    assert_int_equal(app_magic_n_hits(), 2);
    assert_int_equal(app_magic_n_calls(), N + 2);
}

static void *type_html(void *arg)
{
    char *out = arg;
    return (void *)app_magic_of((const uint8_t *)HTML, sizeof(HTML) - 1, out, 256);
}

static void *type_png2(void *arg)
{
    char *out = malloc(256);
    if (out != NULL && app_magic_of(arg, sizeof(PNG), out, 256) == NULL) {
        free(out);
        out = NULL;
    }
    return out;
}

/* Another thread (its own libmagic handle) gets the first thread's result from the
 * shared cache, and its own typing is the same text. */
static void threads_share_the_cache(void **state)
{
    (void)state;
    char mine[256];
    char theirs[256];
    assert_non_null(app_magic_of((const uint8_t *)HTML, sizeof(HTML) - 1, mine, sizeof(mine)));
    pthread_t t;
    void *ret = NULL;
    assert_int_equal(pthread_create(&t, NULL, type_html, theirs), 0);
    assert_int_equal(pthread_join(t, &ret), 0);
    assert_ptr_equal(ret, theirs);
    assert_string_equal(mine, theirs);
    assert_int_equal(app_magic_n_calls(), 1);
    assert_int_equal(app_magic_n_hits(), 1);
    uint8_t png2[sizeof(PNG)];
    memcpy(png2, PNG, sizeof(PNG));
    png2[sizeof(PNG) - 1] ^= 1;
    assert_int_equal(pthread_create(&t, NULL, type_png2, png2), 0);
    assert_int_equal(pthread_join(t, &ret), 0);
    assert_non_null(ret);
    char want[256];
    direct(png2, sizeof(png2), want, sizeof(want));
    assert_string_equal((const char *)ret, want);
    free(ret);
    assert_non_null(app_magic_of(png2, sizeof(png2), mine, sizeof(mine)));
    assert_string_equal(mine, want);
    assert_int_equal(app_magic_n_calls(), 2);
    assert_int_equal(app_magic_n_hits(), 2);
}

static void deinit_then_use_starts_afresh(void **state)
{
    (void)state;
    char out[256];
    assert_non_null(app_magic_of(PNG, sizeof(PNG), out, sizeof(out)));
    app_magic_deinit();
    assert_non_null(app_magic_of(PNG, sizeof(PNG), out, sizeof(out)));
    assert_int_equal(app_magic_n_calls(), 1);
    assert_int_equal(app_magic_n_hits(), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(result_is_libmagics_text, teardown),
        cmocka_unit_test_teardown(repeat_is_a_cache_hit_with_the_same_text, teardown),
        cmocka_unit_test_teardown(one_changed_byte_is_typed_again, teardown),
        cmocka_unit_test_teardown(same_prefix_other_length_is_typed_again, teardown),
        cmocka_unit_test_teardown(hit_is_truncated_to_the_callers_buffer, teardown),
        cmocka_unit_test_teardown(large_data_is_cached_too, teardown),
        cmocka_unit_test_teardown(many_contents_keep_answers_exact, teardown),
        cmocka_unit_test_teardown(least_recently_used_goes_first, teardown),
        cmocka_unit_test_teardown(threads_share_the_cache, teardown),
        cmocka_unit_test_teardown(deinit_then_use_starts_afresh, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
