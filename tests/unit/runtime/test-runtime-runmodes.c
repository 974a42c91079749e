/* Runmodes: presets, the custom pipeline from the config, its checks, and
 * plugin-modules. Building only: no thread is started here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <unistd.h>

#include "conf/conf.h"
#include "runtime/engine.h"
#include "runtime/runmodes.h"
#include "util/util-error.h"

static int setup(void **state)
{
    Engine *e = calloc(1, sizeof(*e));
    if (e == NULL) {
        return -1;
    }
    e->conf = conf_new();
    *state = e;
    return e->conf != NULL ? 0 : -1;
}

static int teardown(void **state)
{
    Engine *e = *state;
    conf_free(e->conf);
    free(e);
    return 0;
}

static void load(Engine *e, const char *yaml)
{
    assert_int_equal(conf_load_string(e->conf, yaml, "test.yaml"), 0);
}

static void assert_modules(const PipelineGroup *g, const char *const *want)
{
    uint32_t n = 0;
    while (want[n] != NULL) {
        assert_true(n < g->n_modules);
        assert_string_equal(g->modules[n], want[n]);
        n++;
    }
    assert_int_equal(g->n_modules, n);
}

static void single_is_one_thread_running_everything(void **state)
{
    Pipeline pl;
    assert_int_equal(runmode_build(*state, "single", 4, &pl), 0);
    assert_int_equal(pl.n_groups, 1);
    assert_int_equal(pl.groups[0].n_threads, 1);
    assert_string_equal(pl.groups[0].name, "W");
    assert_modules(&pl.groups[0], (const char *[]){"pcap-file", "decode", "flow", "stream",
                                                   "app-layer", "detect", "verdict", "output",
                                                   NULL});
}

static void autofp_is_a_reader_feeding_flow_pinned_workers(void **state)
{
    Pipeline pl;
    assert_int_equal(runmode_build(*state, "autofp", 3, &pl), 0);
    assert_int_equal(pl.n_groups, 2);
    assert_string_equal(pl.groups[0].name, "RX");
    assert_int_equal(pl.groups[0].n_threads, 1);
    assert_modules(&pl.groups[0], (const char *[]){"pcap-file", "decode", NULL});
    assert_string_equal(pl.groups[1].name, "W");
    assert_int_equal(pl.groups[1].n_threads, 3);
    assert_int_equal(pl.groups[1].input, QH_FLOW);
    assert_modules(&pl.groups[1],
                   (const char *[]){"flow", "stream", "app-layer", "detect", "verdict", "output", NULL});
}

static void workers_has_n_flow_pinned_workers(void **state)
{
    Pipeline pl;
    assert_int_equal(runmode_build(*state, "workers", 2, &pl), 0);
    assert_int_equal(pl.n_groups, 2);
    assert_int_equal(pl.groups[1].n_threads, 2);
    assert_int_equal(pl.groups[1].input, QH_FLOW);
    assert_modules(&pl.groups[1],
                   (const char *[]){"flow", "stream", "app-layer", "detect", "verdict", "output", NULL});
}

static void zero_workers_means_one_per_core(void **state)
{
    Pipeline pl;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    uint32_t want = cores < 1 ? 1u : cores > 32 ? 32u : (uint32_t)cores;
    assert_int_equal(runmode_build(*state, "workers", 0, &pl), 0);
    assert_int_equal(pl.groups[1].n_threads, want);
    assert_int_equal(runmode_build(*state, "autofp", 0, &pl), 0);
    assert_int_equal(pl.groups[1].n_threads, want);
}

static void more_workers_than_queues_allow_is_refused(void **state)
{
    Pipeline pl;
    assert_int_equal(runmode_build(*state, "workers", 32, &pl), 0);
    assert_int_equal(runmode_build(*state, "workers", 33, &pl), VG_ERANGE);
    assert_int_equal(runmode_build(*state, "autofp", 1000, &pl), VG_ERANGE);
}

static void unknown_runmode_is_refused(void **state)
{
    Pipeline pl;
    assert_int_equal(runmode_build(*state, "pipelined", 2, &pl), VG_EINVAL);
    assert_int_equal(runmode_build(*state, "", 2, &pl), VG_EINVAL);
    assert_int_equal(runmode_build(*state, "Single", 2, &pl), VG_EINVAL);
}

static void preset_cpu_sets_come_from_cpu_affinity(void **state)
{
    Engine *e = *state;
    load(e, "threading:\n"
            "  set-cpu-affinity: yes\n"
            "  cpu-affinity:\n"
            "    - receive-cpu-set: {cpu: [0]}\n"
            "    - worker-cpu-set: {cpu: [1, 2]}\n");
    Pipeline pl;
    assert_int_equal(runmode_build(e, "autofp", 2, &pl), 0);
    assert_int_equal(pl.groups[0].n_cpus, 1);
    assert_int_equal(pl.groups[0].cpus[0], 0);
    assert_int_equal(pl.groups[1].n_cpus, 2);
    assert_int_equal(pl.groups[1].cpus[1], 2);
}

static const char custom_ok[] =
    "threading:\n"
    "  custom:\n"
    "    - name: RX\n"
    "      modules: [pcap-file, decode]\n"
    "      cpus: [0]\n"
    "    - name: FL\n"
    "      modules: [flow]\n"
    "      threads: 2\n"
    "      input: route-ip-version\n"
    "    - name: DET\n"
    "      modules: [detect, output]\n"
    "      threads: 3\n"
    "      input: flow\n"
    "      cpus: [0, 1]\n"
    "    - name: OUT\n"
    "      modules: [output]\n"
    "      threads: 1\n"
    "      input: route-vlan\n";

static void custom_reads_groups_modules_threads_inputs_and_cpus(void **state)
{
    Engine *e = *state;
    load(e, custom_ok);
    Pipeline pl;
    assert_int_equal(runmode_build(e, "custom", 0, &pl), 0);
    assert_int_equal(pl.n_groups, 4);
    assert_string_equal(pl.groups[0].name, "RX");
    assert_modules(&pl.groups[0], (const char *[]){"pcap-file", "decode", NULL});
    assert_int_equal(pl.groups[0].n_threads, 1);
    assert_int_equal(pl.groups[0].n_cpus, 1);
    assert_string_equal(pl.groups[1].name, "FL");
    assert_int_equal(pl.groups[1].n_threads, 2);
    assert_int_equal(pl.groups[1].input, QH_ROUTE);
    assert_int_equal(pl.groups[1].route, ROUTE_IP_VERSION);
    assert_int_equal(pl.groups[1].n_cpus, 0);
    assert_modules(&pl.groups[2], (const char *[]){"detect", "output", NULL});
    assert_int_equal(pl.groups[2].n_threads, 3);
    assert_int_equal(pl.groups[2].input, QH_FLOW);
    assert_int_equal(pl.groups[2].n_cpus, 2);
    assert_int_equal(pl.groups[2].cpus[1], 1);
    assert_int_equal(pl.groups[3].input, QH_ROUTE);
    assert_int_equal(pl.groups[3].route, ROUTE_VLAN);
}

static void custom_group_without_input_is_simple(void **state)
{
    Engine *e = *state;
    load(e, "threading:\n  custom:\n"
            "    - {name: RX, modules: [pcap-file]}\n"
            "    - {name: W, modules: [decode]}\n");
    Pipeline pl;
    assert_int_equal(runmode_build(e, "custom", 0, &pl), 0);
    assert_int_equal(pl.groups[1].input, QH_SIMPLE);
    assert_int_equal(pl.groups[1].n_threads, 1);
}

static void custom_without_list_is_refused(void **state)
{
    Engine *e = *state;
    Pipeline pl;
    assert_int_equal(runmode_build(e, "custom", 0, &pl), VG_EINVAL);
    load(e, "threading:\n  custom: {name: RX}\n");
    assert_int_equal(runmode_build(e, "custom", 0, &pl), VG_EINVAL);
}

/* Each refused group in a one-group custom pipeline. */
static int build_custom_group(Engine *e, const char *group_yaml)
{
    char yaml[512];
    snprintf(yaml, sizeof(yaml), "threading:\n  custom:\n    - %s\n", group_yaml);
    load(e, yaml);
    Pipeline pl;
    return runmode_build(e, "custom", 0, &pl);
}

static void custom_group_without_modules_is_refused(void **state)
{
    assert_int_equal(build_custom_group(*state, "{name: RX}"), VG_EINVAL);
    assert_int_equal(build_custom_group(*state, "{name: RX, modules: []}"), VG_EINVAL);
    assert_int_equal(build_custom_group(*state, "{name: RX, modules: decode}"), VG_EINVAL);
}

static void custom_module_that_is_not_a_name_is_refused(void **state)
{
    assert_int_equal(build_custom_group(*state, "{name: RX, modules: [pcap-file, {a: b}]}"),
                     VG_EINVAL);
}

static void custom_group_with_too_many_modules_is_refused(void **state)
{
    assert_int_equal(build_custom_group(*state, "{name: RX, modules: [a,b,c,d,e,f,g,h,i,j,k,l]}"),
                     0);
    assert_int_equal(
        build_custom_group(*state, "{name: RX, modules: [a,b,c,d,e,f,g,h,i,j,k,l,m]}"),
        VG_EINVAL);
}

static void custom_threads_outside_1_to_32_are_refused(void **state)
{
    assert_int_equal(build_custom_group(*state, "{modules: [pcap-file], threads: 0}"),
                     VG_EINVAL);
    assert_int_equal(build_custom_group(*state, "{modules: [pcap-file], threads: 99}"),
                     VG_EINVAL);
    assert_int_equal(build_custom_group(*state, "{modules: [pcap-file], threads: -1}"),
                     VG_EINVAL);
    assert_int_equal(build_custom_group(*state, "{modules: [pcap-file], threads: 32}"), 0);
}

static void custom_threads_that_are_not_a_number_are_refused(void **state)
{
    assert_int_equal(build_custom_group(*state, "{modules: [pcap-file], threads: 4x}"),
                     VG_EINVAL);
    assert_int_equal(build_custom_group(*state, "{modules: [pcap-file], threads: many}"),
                     VG_EINVAL);
    assert_int_equal(build_custom_group(*state, "{modules: [pcap-file], threads: [2]}"),
                     VG_EINVAL);
}

static void custom_unknown_input_handler_is_refused(void **state)
{
    Engine *e = *state;
    load(e, "threading:\n  custom:\n"
            "    - {name: RX, modules: [pcap-file]}\n"
            "    - {name: W, modules: [decode], input: hash}\n");
    Pipeline pl;
    assert_int_equal(runmode_build(e, "custom", 0, &pl), VG_EINVAL);
}

static void custom_bad_cpus_are_refused(void **state)
{
    assert_int_equal(build_custom_group(*state, "{modules: [pcap-file], cpus: [x]}"),
                     VG_EINVAL);
    assert_int_equal(build_custom_group(*state, "{modules: [pcap-file], cpus: [-1]}"),
                     VG_EINVAL);
    assert_int_equal(build_custom_group(*state, "{modules: [pcap-file], cpus: 3}"), VG_EINVAL);
    assert_int_equal(build_custom_group(*state,
                                        "{modules: [pcap-file], cpus: [0,1,2,3,4,5,6,7,8]}"),
                     VG_EINVAL);
}

static void custom_with_more_than_max_groups_is_refused(void **state)
{
    Engine *e = *state;
    char yaml[1024] = "threading:\n  custom:\n";
    for (int i = 0; i <= RUNMODE_MAX_GROUPS; i++) {
        strncat(yaml, "    - {modules: [decode]}\n", sizeof(yaml) - strlen(yaml) - 1);
    }
    load(e, yaml);
    Pipeline pl;
    assert_int_equal(runmode_build(e, "custom", 0, &pl), VG_ERANGE);
}

static void plugin_modules_go_just_before_detect(void **state)
{
    Engine *e = *state;
    load(e, "plugin-modules: [extra-a, extra-b]\n");
    Pipeline pl;
    assert_int_equal(runmode_build(e, "single", 1, &pl), 0);
    assert_modules(&pl.groups[0], (const char *[]){"pcap-file", "decode", "flow", "stream",
                                                   "app-layer", "extra-a", "extra-b", "detect",
                                                   "verdict", "output", NULL});
    assert_int_equal(runmode_build(e, "autofp", 2, &pl), 0);
    assert_modules(&pl.groups[0], (const char *[]){"pcap-file", "decode", NULL});
    assert_modules(&pl.groups[1], (const char *[]){"flow", "stream", "app-layer", "extra-a",
                                                   "extra-b", "detect", "verdict", "output",
                                                   NULL});
}

static void plugin_modules_that_are_not_a_list_are_refused(void **state)
{
    Engine *e = *state;
    load(e, "plugin-modules: extra-a\n");
    Pipeline pl;
    assert_int_equal(runmode_build(e, "single", 1, &pl), VG_EINVAL);
}

static void too_many_plugin_modules_are_refused(void **state)
{
    Engine *e = *state;
    load(e, "plugin-modules: [a, b, c, d, e, f, g, h]\n");
    Pipeline pl;
    assert_int_equal(runmode_build(e, "single", 1, &pl), VG_EINVAL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(single_is_one_thread_running_everything),
        T(autofp_is_a_reader_feeding_flow_pinned_workers),
        T(workers_has_n_flow_pinned_workers),
        T(zero_workers_means_one_per_core),
        T(more_workers_than_queues_allow_is_refused),
        T(unknown_runmode_is_refused),
        T(preset_cpu_sets_come_from_cpu_affinity),
        T(custom_reads_groups_modules_threads_inputs_and_cpus),
        T(custom_group_without_input_is_simple),
        T(custom_without_list_is_refused),
        T(custom_group_without_modules_is_refused),
        T(custom_module_that_is_not_a_name_is_refused),
        T(custom_group_with_too_many_modules_is_refused),
        T(custom_threads_outside_1_to_32_are_refused),
        T(custom_threads_that_are_not_a_number_are_refused),
        T(custom_unknown_input_handler_is_refused),
        T(custom_bad_cpus_are_refused),
        T(custom_with_more_than_max_groups_is_refused),
        T(plugin_modules_go_just_before_detect),
        T(plugin_modules_that_are_not_a_list_are_refused),
        T(too_many_plugin_modules_are_refused),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
