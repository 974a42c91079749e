/* The bounded LRU index: lookups by hash (several slots may share one), recency order,
 * the least recently used slot handed back once full, released slots reused first. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/util-error.h"
#include "util/util-lru.h"

static uint32_t put(UtilLru *l, uint64_t hash)
{
    uint32_t s = util_lru_take(l);
    assert_int_not_equal(s, UTIL_LRU_NONE);
    util_lru_insert(l, s, hash);
    return s;
}

static void bad_capacity_is_refused(void **state)
{
    (void)state;
    UtilLru l;
    assert_int_equal(util_lru_init(&l, 0), VG_EINVAL);
    assert_int_equal(util_lru_find(&l, 1), UTIL_LRU_NONE);   // usable as empty
    util_lru_free(&l);
}

static void fills_then_gives_the_least_recent(void **state)
{
    (void)state;
    UtilLru l;
    assert_int_equal(util_lru_init(&l, 3), 0);
    uint32_t a = put(&l, 10);
    uint32_t b = put(&l, 20);
    uint32_t c = put(&l, 30);
    assert_true(a != b && b != c && a != c);
    assert_int_equal(util_lru_find(&l, 20), b);
    assert_int_equal(util_lru_find(&l, 40), UTIL_LRU_NONE);
    util_lru_touch(&l, a);                   // order now a, c, b
    assert_int_equal(util_lru_take(&l), b);  // b was least recently used
    assert_int_equal(util_lru_find(&l, 20), UTIL_LRU_NONE);
    util_lru_insert(&l, b, 40);
    assert_int_equal(util_lru_find(&l, 40), b);
    assert_int_equal(util_lru_take(&l), c);  // then c
    util_lru_release(&l, c);                 // given back unused
    assert_int_equal(util_lru_find(&l, 30), UTIL_LRU_NONE);
    assert_int_equal(util_lru_take(&l), c);  // a released slot comes first
    util_lru_insert(&l, c, 50);
    assert_int_equal(l.n_used, 3);
    assert_int_equal(util_lru_take(&l), a);
    util_lru_free(&l);
}

static void same_hash_slots_are_all_found(void **state)
{
    (void)state;
    UtilLru l;
    assert_int_equal(util_lru_init(&l, 8), 0);
    uint32_t s1 = put(&l, 7);
    put(&l, 8);
    uint32_t s2 = put(&l, 7);
    uint32_t seen = 0;
    for (uint32_t i = util_lru_find(&l, 7); i != UTIL_LRU_NONE;
         i = util_lru_find_next(&l, l.node[i].chain, 7)) {
        assert_true(i == s1 || i == s2);
        seen |= 1u << i;
    }
    assert_int_equal(seen, (1u << s1) | (1u << s2));
    util_lru_free(&l);
}

/* A cycle over more keys than a small set-associative table's ways stays held. */
static void a_cycle_within_capacity_always_hits(void **state)
{
    (void)state;
    enum { CAP = 64 };
    UtilLru l;
    assert_int_equal(util_lru_init(&l, CAP), 0);
    for (uint64_t k = 0; k < CAP; k++) {
        put(&l, k << 40);   // every key lands in the same bucket
    }
    for (int round = 0; round < 3; round++) {
        for (uint64_t k = 0; k < CAP; k++) {
            uint32_t s = util_lru_find(&l, k << 40);
            assert_int_not_equal(s, UTIL_LRU_NONE);
            util_lru_touch(&l, s);
        }
    }
    put(&l, 12345);   // the least recent now is key 0
    assert_int_equal(util_lru_find(&l, 0), UTIL_LRU_NONE);
    assert_int_not_equal(util_lru_find(&l, 1ull << 40), UTIL_LRU_NONE);
    util_lru_free(&l);
}

static void removed_slot_is_gone_and_reused(void **state)
{
    (void)state;
    UtilLru l;
    assert_int_equal(util_lru_init(&l, 4), 0);
    uint32_t a = put(&l, 1);
    uint32_t b = put(&l, 2);
    assert_int_equal(l.lru, a);
    util_lru_remove(&l, l.lru);
    assert_int_equal(util_lru_find(&l, 1), UTIL_LRU_NONE);
    assert_int_equal(util_lru_find(&l, 2), b);
    assert_int_equal(l.lru, b);
    assert_int_equal(l.n_used, 1);
    assert_int_equal(util_lru_take(&l), a);
    util_lru_free(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bad_capacity_is_refused),
        cmocka_unit_test(fills_then_gives_the_least_recent),
        cmocka_unit_test(same_hash_slots_are_all_found),
        cmocka_unit_test(a_cycle_within_capacity_always_hits),
        cmocka_unit_test(removed_slot_is_gone_and_reused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
