#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "control/control-metrics.h"
#include "runtime/counters.h"
#include "util/util-error.h"

static void names_keep_only_prometheus_characters(void **state)
{
    (void)state;
    char out[64];
    metrics_name("decoder.ipv4", out, sizeof(out));
    assert_string_equal(out, "vigil_decoder_ipv4");
    metrics_name("app_layer.flow.http-x:y", out, sizeof(out));
    assert_string_equal(out, "vigil_app_layer_flow_http_x_y");
    metrics_name("a.very.long.name.that.does.not.fit", out, 12);
    assert_string_equal(out, "vigil_a_ver");
}

static void requests_are_checked_for_method_path_and_version(void **state)
{
    (void)state;
    bool is_head = true;
    const char *ok = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    assert_int_equal(metrics_parse_request(ok, strlen(ok), "/metrics", &is_head), 200);
    assert_false(is_head);
    const char *head = "HEAD /metrics?x=1 HTTP/1.0\r\n\r\n";
    assert_int_equal(metrics_parse_request(head, strlen(head), "/metrics", &is_head), 200);
    assert_true(is_head);
    const char *other = "GET /metricsx HTTP/1.1\r\n\r\n";
    assert_int_equal(metrics_parse_request(other, strlen(other), "/metrics", &is_head), 404);
    const char *post = "POST /metrics HTTP/1.1\r\n\r\n";
    assert_int_equal(metrics_parse_request(post, strlen(post), "/metrics", &is_head), 405);
    const char *bad[] = {"GET /metrics\r\n\r\n", "GET\r\n\r\n", "GET /metrics HTTP/2\r\n\r\n",
                         "\r\n\r\n", "GET /metrics FTP/1.1\r\n\r\n", "no line end at all"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(metrics_parse_request(bad[i], strlen(bad[i]), "/metrics", &is_head),
                         400);
    }
}

static void config_defaults_and_bad_values(void **state)
{
    (void)state;
    MetricsConfig c;
    Conf *conf = conf_new();
    assert_int_equal(metrics_config(conf, &c), 0);
    assert_false(c.is_enabled);
    assert_string_equal(c.address, "127.0.0.1");
    assert_int_equal(c.port, 9465);
    assert_string_equal(c.path, "/metrics");
    assert_int_equal(conf_load_string(conf, "metrics:\n  enabled: yes\n  port: 70000\n", "t"), 0);
    assert_int_equal(metrics_config(conf, &c), VG_EINVAL);
    conf_free(conf);
    conf = conf_new();
    assert_int_equal(conf_load_string(conf, "metrics:\n  path: metrics\n", "t"), 0);
    assert_int_equal(metrics_config(conf, &c), VG_EINVAL);
    conf_free(conf);
}

static void render_writes_totals_and_per_thread_families(void **state)
{
    (void)state;
    counters_reset();
    CounterId pkts = counters_register("decoder.pkts", COUNTER_SUM);
    CounterId mem = counters_register("flow.memuse", COUNTER_GAUGE);
    CounterSet *a = counters_set_new_named("W#01");
    CounterSet *b = counters_set_new_named("W#\"2");
    counters_add(a, pkts, 5);
    counters_add(b, pkts, 7);
    counters_set(a, mem, 100);
    MetricsText t = {0};
    assert_int_equal(metrics_render(&t, NULL, 42), 0);
    assert_non_null(strstr(t.buf, "vigil_uptime_seconds 42\n"));
    assert_non_null(strstr(t.buf, "# TYPE vigil_decoder_pkts_total counter\n"
                                  "vigil_decoder_pkts_total 12\n"));
    assert_non_null(strstr(t.buf, "vigil_thread_decoder_pkts_total{thread=\"W#01\"} 5\n"));
    assert_non_null(strstr(t.buf, "vigil_thread_decoder_pkts_total{thread=\"W#\\\"2\"} 7\n"));
    assert_non_null(strstr(t.buf, "# TYPE vigil_flow_memuse gauge\nvigil_flow_memuse 100\n"));
    assert_non_null(strstr(t.buf, "vigil_info{version=\""));
    assert_int_equal(t.buf[t.len - 1], '\n');
    metrics_text_free(&t);
    counters_set_free(a);
    counters_set_free(b);
    counters_reset();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_keep_only_prometheus_characters),
        cmocka_unit_test(requests_are_checked_for_method_path_and_version),
        cmocka_unit_test(config_defaults_and_bad_values),
        cmocka_unit_test(render_writes_totals_and_per_thread_families),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
