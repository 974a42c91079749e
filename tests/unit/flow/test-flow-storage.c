#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "flow/flow-test-util.h"
#include "util/util-error.h"

static int g_n_freed;

static void count_free(void *p)
{
    g_n_freed++;
    free(p);
}

static int teardown(void **state)
{
    (void)state;
    flow_storage_reset();
    counters_reset();
    g_n_freed = 0;
    return 0;
}

static void register_gives_sequential_ids_and_refuses_duplicates(void **state)
{
    (void)state;
    assert_int_equal(flow_storage_register("app-layer", NULL), 0);
    assert_int_equal(flow_storage_register("flowbits", NULL), 1);
    assert_int_equal(flow_storage_register("flowbits", NULL), VG_EEXIST);
    assert_int_equal(flow_storage_find("flowbits"), 1);
    assert_int_equal(flow_storage_find("nope"), VG_ENOENT);
}

static void register_refuses_more_than_max_slots(void **state)
{
    (void)state;
    char name[16];
    for (int i = 0; i < FLOW_STORAGE_MAX; i++) {
        snprintf(name, sizeof(name), "slot%d", i);
        assert_int_equal(flow_storage_register(name, NULL), i);
    }
    assert_int_equal(flow_storage_register("one-more", NULL), VG_ERANGE);
}

static void register_refuses_empty_name(void **state)
{
    (void)state;
    assert_int_equal(flow_storage_register("", NULL), VG_EINVAL);
}

static void get_and_set_ignore_bad_ids(void **state)
{
    (void)state;
    Flow f;
    memset(&f, 0, sizeof(f));
    int id = flow_storage_register("x", NULL);
    int v = 5;
    flow_storage_set(&f, id, &v);
    assert_ptr_equal(flow_storage_get(&f, id), &v);
    flow_storage_set(&f, -1, &v);
    flow_storage_set(&f, FLOW_STORAGE_MAX, &v);
    assert_null(flow_storage_get(&f, -1));
    assert_null(flow_storage_get(&f, FLOW_STORAGE_MAX));
}

static void free_fn_called_on_recycle(void **state)
{
    (void)state;
    int id = flow_storage_register("state", count_free);
    FlowConfig cfg;
    test_config(&cfg);
    FlowTable *ft = flow_table_new(&cfg);
    Packet p;
    test_pkt(&p, "10.0.0.1", 1000, "10.0.0.2", 53, 17, 1000);
    Flow *f = flow_lookup_or_create(ft, NULL, &p);
    flow_storage_set(f, id, malloc(16));
    flow_release(f);
    for (int i = 0; i < 4; i++) {
        flow_manager_timeout_pass(ft, 5000, NULL, NULL);
    }
    assert_int_equal(g_n_freed, 1);
    f = test_feed(ft, NULL, &p);
    assert_null(flow_storage_get(f, id));
    flow_table_free(ft);
}

static void free_fn_called_on_table_free(void **state)
{
    (void)state;
    int id = flow_storage_register("state", count_free);
    FlowConfig cfg;
    test_config(&cfg);
    FlowTable *ft = flow_table_new(&cfg);
    Packet p;
    test_pkt(&p, "10.0.0.1", 1000, "10.0.0.2", 53, 17, 1000);
    Flow *f = flow_lookup_or_create(ft, NULL, &p);
    flow_storage_set(f, id, malloc(16));
    flow_release(f);
    flow_table_free(ft);
    assert_int_equal(g_n_freed, 1);
}

static void protoctx_freed_on_recycle(void **state)
{
    (void)state;
    FlowConfig cfg;
    test_config(&cfg);
    FlowTable *ft = flow_table_new(&cfg);
    flow_table_set_protoctx_free(ft, count_free);
    Packet p;
    test_pkt(&p, "10.0.0.1", 1000, "10.0.0.2", 80, 6, 1000);
    Flow *f = flow_lookup_or_create(ft, NULL, &p);
    f->protoctx = malloc(32);
    flow_release(f);
    flow_table_end_all(ft, FLOW_END_SHUTDOWN, NULL, NULL);
    assert_int_equal(g_n_freed, 1);
    flow_table_free(ft);
}

#define T(fn) cmocka_unit_test_teardown(fn, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(register_gives_sequential_ids_and_refuses_duplicates),
        T(register_refuses_more_than_max_slots),
        T(register_refuses_empty_name),
        T(get_and_set_ignore_bad_ids),
        T(free_fn_called_on_recycle),
        T(free_fn_called_on_table_free),
        T(protoctx_freed_on_recycle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
