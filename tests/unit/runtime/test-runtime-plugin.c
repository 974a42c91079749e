/* Plugin loading (runtime-plugin.c) with the example plugins of the build
 * (VG_BUILD_DIR/plugins): a plugin is kept whole or refused, a taken name
 * refuses the plugin (its second load), registrations outside init are
 * refused, and the registries see what a loaded plugin registered. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "app-layer/app-layer.h"
#include "detect/detect-internal.h"
#include "runtime/plugin-internal.h"
#include "util/util-error.h"
#include "util/util-log.h"

static char g_path[3][512];

static int setup(void **state)
{
    (void)state;
    util_log_set_level(LOG_LEVEL_ERROR);
    const char *b = getenv("VG_BUILD_DIR");
    if (b == NULL) {
        return -1;
    }
    snprintf(g_path[0], sizeof(g_path[0]), "%s/plugins/entropy.so", b);
    snprintf(g_path[1], sizeof(g_path[1]), "%s/plugins/memcached.so", b);
    snprintf(g_path[2], sizeof(g_path[2]), "%s/plugins/stream-bytes.so", b);
    return 0;
}

static void load_registers_and_twice_is_refused(void **state)
{
    (void)state;
    assert_null(detect_keyword_find("entropy"));
    assert_int_equal(plugin_load(g_path[0]), 0);
    const DetectKeyword *kw = detect_keyword_find("entropy");
    assert_non_null(kw);
    assert_non_null(kw->plugin);
    /* the second load registers "entropy" again: refused, nothing changes */
    assert_int_not_equal(plugin_load(g_path[0]), 0);
    assert_ptr_equal(detect_keyword_find("entropy"), kw);
}

static void app_layer_row_and_buffers(void **state)
{
    (void)state;
    assert_int_equal(app_proto_by_name("memcached"), APP_PROTO_UNKNOWN);
    assert_int_equal(plugin_load(g_path[1]), 0);
    AppProto p = app_proto_by_name("memcached");
    assert_true(p >= APP_PROTO_MAX_BUILTIN && p < APP_PROTO_MAX);
    assert_string_equal(app_proto_name(p), "memcached");
    assert_true(app_proto_runs_over(p, 6));
    int id = app_layer_buffer_find_for("memcached.key", p, APP_DIR_TOSERVER);
    assert_true(id >= 0);
    assert_int_equal(app_layer_buffer_def(id)->proto, p);
    assert_true(app_layer_event_find("memcached.line_too_long") >= 0);
    assert_int_not_equal(plugin_load(g_path[1]), 0); // the same protocol twice
}

static void stream_consumer_listed(void **state)
{
    (void)state;
    uint32_t n = 0;
    (void)plugin_stream_consumers(&n);
    assert_int_equal(n, 0);
    assert_int_equal(plugin_load(g_path[2]), 0);
    const VgStreamConsumer *const *cs = plugin_stream_consumers(&n);
    assert_int_equal(n, 1);
    assert_string_equal(cs[0]->name, "stream_bytes");
    assert_int_not_equal(plugin_load(g_path[2]), 0);
    (void)plugin_stream_consumers(&n);
    assert_int_equal(n, 1);
}

static void missing_file_and_not_a_plugin(void **state)
{
    (void)state;
    assert_int_equal(plugin_load("/nonexistent/x.so"), VG_ENOENT);
    /* libc is a shared object without vg_plugin_info */
    assert_int_equal(plugin_load("libc.so.6"), VG_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_registers_and_twice_is_refused),
        cmocka_unit_test(app_layer_row_and_buffers),
        cmocka_unit_test(stream_consumer_listed),
        cmocka_unit_test(missing_file_and_not_a_plugin),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
