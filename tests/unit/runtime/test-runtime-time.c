/* runtime_time_advance: the offline clock follows packet time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "runtime/engine.h"

static int n_calls;
static int64_t last_sec;

static void on_second(Engine *e, int64_t sec)
{
    (void)e;
    n_calls++;
    last_sec = sec;
}

static Engine *fresh(void)
{
    static Engine e;
    memset(&e, 0, sizeof(e));
    e.on_new_second = on_second;
    n_calls = 0;
    last_sec = 0;
    return &e;
}

static void clock_moves_forward_with_packets(void **state)
{
    (void)state;
    Engine *e = fresh();
    runtime_time_advance(e, 100, 5);
    runtime_time_advance(e, 100, 7);
    assert_int_equal(atomic_load(&e->now_sec), 100);
    assert_int_equal(atomic_load(&e->now_usec), 7);
}

static void clock_never_goes_back(void **state)
{
    (void)state;
    Engine *e = fresh();
    runtime_time_advance(e, 100, 5);
    runtime_time_advance(e, 99, 999999);
    runtime_time_advance(e, 100, 1);
    assert_int_equal(atomic_load(&e->now_sec), 100);
    assert_int_equal(atomic_load(&e->now_usec), 5);
}

static void new_second_hook_runs_once_per_second(void **state)
{
    (void)state;
    Engine *e = fresh();
    runtime_time_advance(e, 100, 1);
    runtime_time_advance(e, 100, 2);
    runtime_time_advance(e, 100, 3);
    assert_int_equal(n_calls, 1);
    runtime_time_advance(e, 103, 0);
    assert_int_equal(n_calls, 2);
    assert_int_equal(last_sec, 103);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clock_moves_forward_with_packets),
        cmocka_unit_test(clock_never_goes_back),
        cmocka_unit_test(new_second_hook_runs_once_per_second),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
