/* The built-in keyword list (keywords/detect-kw-list.c): detect_keyword_find gives every
 * keyword of the list by its exact name (the first of the list with that name), and
 * nothing for a name that is not one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "detect/detect-internal.h"
#include "detect/keywords/detect-kw.h"

static void every_builtin_keyword_is_found_by_its_name(void **state)
{
    (void)state;
    assert_true(detect_n_keywords > 100);
    for (size_t i = 0; i < detect_n_keywords; i++) {
        const DetectKeyword *want = detect_keywords[i];
        for (size_t j = 0; j < i; j++) {
            if (strcmp(detect_keywords[j]->name, want->name) == 0) {
                want = detect_keywords[j];   // the first of that name
                break;
            }
        }
        assert_ptr_equal(detect_keyword_find(detect_keywords[i]->name), want);
    }
}

static void names_are_exact(void **state)
{
    (void)state;
    assert_non_null(detect_keyword_find("content"));
    assert_null(detect_keyword_find("Content"));
    assert_null(detect_keyword_find("conten"));
    assert_null(detect_keyword_find("contentx"));
    assert_null(detect_keyword_find(""));
    assert_null(detect_keyword_find("no-such-keyword"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_builtin_keyword_is_found_by_its_name),
        cmocka_unit_test(names_are_exact),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
