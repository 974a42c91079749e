/* The configuration schema (src/conf/conf-schema.c, conf-schema-keys.c):
 * unknown keys, strict mode, --set, bad values, open subtrees, port
 * variables, the shipped etc/vigil.yaml and a stock suricata.yaml. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "conf/conf-test-util.h"
#include "conf/conf.h"
#include "util/util-error.h"
#include "util/util-log.h"

typedef struct Run {
    int rc;
    ConfCheckResult res;
    char *log;
} Run;

static int setup(void **state)
{
    *state = conf_new();
    return *state == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    conf_free(*state);
    return 0;
}

/* Load yaml as t.yaml (must succeed) and check it, capturing the log. */
static Run check_yaml(Conf *conf, const char *yaml, bool strict)
{
    Run r;
    LogCapture cap;
    log_capture_begin(&cap);
    int load_rc = yaml != NULL ? conf_load_string(conf, yaml, "t.yaml") : 0;
    r.rc = conf_check(conf, strict, &r.res);
    r.log = log_capture_end(&cap);
    assert_int_equal(load_rc, 0);
    return r;
}

static void assert_log_has(const Run *r, const char *text)
{
    if (strstr(r->log, text) == NULL) {
        fail_msg("log lacks \"%s\"; log was:\n%s", text, r->log);
    }
}

static void unknown_key_is_a_warning_naming_file_line_and_a_near_name(void **state)
{
    Run r = check_yaml(*state, "flow:\n  memcap: 1mb\n  mem-cap: 2mb\n", false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.n_unknown, 1);
    assert_int_equal(r.res.n_bad, 0);
    assert_log_has(&r, "Warning: t.yaml:3: flow.mem-cap: unknown key (did you mean "
                       "'flow.memcap'?); ignored");
    free(r.log);
}

static void unknown_top_level_key_is_a_warning(void **state)
{
    Run r = check_yaml(*state, "no-such-section:\n  - interface: eth0\n", false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.n_unknown, 1);
    assert_log_has(&r, "t.yaml:1: no-such-section: unknown key; ignored");
    free(r.log);
}

static void suricata_keys_from_set_are_warnings(void **state)
{
    assert_int_equal(conf_set_override(*state, "stream.drop-invalid=yes"), 0);
    assert_int_equal(conf_set_override(*state, "pcap.0.interface=eth0"), 0);
    Run r = check_yaml(*state, NULL, false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.n_no_effect, 2);
    assert_log_has(&r, "Warning: --set: stream.drop-invalid: accepted for compatibility, "
                       "no effect in Vigil; ignored");
    assert_log_has(&r, "Warning: --set: pcap: accepted for compatibility");
    free(r.log);
}

static void short_names_get_no_far_fetched_suggestion(void **state)
{
    const char *yaml = "outputs:\n  - eve-log:\n      types:\n        - irc\n        - imap\n";
    Run r = check_yaml(*state, yaml, false);
    assert_int_equal(r.res.n_unknown, 2);
    assert_null(strstr(r.log, "did you mean"));
    free(r.log);
}

static void unknown_key_is_an_error_when_strict(void **state)
{
    Run r = check_yaml(*state, "flow:\n  mem-cap: 2mb\n", true);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_int_equal(r.res.n_unknown, 1);
    assert_log_has(&r, "Error: t.yaml:2: flow.mem-cap: unknown key (did you mean "
                       "'flow.memcap'?) (--strict-config)");
    free(r.log);
}

static void unknown_set_key_is_an_error_without_strict(void **state)
{
    assert_int_equal(conf_set_override(*state, "flow.memcapp=1mb"), 0);
    Run r = check_yaml(*state, NULL, false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "Error: --set: flow.memcapp: unknown key (did you mean 'flow.memcap'?)");
    free(r.log);
}

static void unknown_set_path_below_a_new_map_is_an_error(void **state)
{
    assert_int_equal(conf_set_override(*state, "nosuch.section.key=1"), 0);
    Run r = check_yaml(*state, NULL, false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_int_equal(r.res.n_unknown, 1);
    assert_log_has(&r, "Error: --set: nosuch: unknown key");
    free(r.log);
}

static void wrong_type_is_an_error_with_file_and_line(void **state)
{
    Run r = check_yaml(*state, "stats:\n  enabled: yes\n  interval: often\n", false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_int_equal(r.res.n_bad, 1);
    assert_log_has(&r, "Error: t.yaml:3: stats.interval: 'often' is not an integer");
    free(r.log);
}

static void wrong_type_from_set_is_an_error(void **state)
{
    assert_int_equal(conf_set_override(*state, "stream.midstream=perhaps"), 0);
    Run r = check_yaml(*state, NULL, false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "Error: --set: stream.midstream: 'perhaps' is not a boolean");
    free(r.log);
}

static void value_out_of_bounds_is_an_error(void **state)
{
    Run r = check_yaml(*state, "flow:\n  emergency-recovery: 101\n", false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "t.yaml:2: flow.emergency-recovery: '101' is out of range (1 to 100)");
    free(r.log);
}

static void module_table_bounds_apply(void **state)
{
    /* defrag.timeout comes from defrag's own option table. */
    Run r = check_yaml(*state, "defrag:\n  timeout: 0\n", false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "t.yaml:2: defrag.timeout: '0' is out of range (1 to 86400)");
    free(r.log);
}

static void bad_size_is_an_error(void **state)
{
    Run r = check_yaml(*state, "stream:\n  reassembly:\n    depth: lots\n", false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "t.yaml:3: stream.reassembly.depth: 'lots' is not a size");
    free(r.log);
}

static void bad_enum_value_lists_the_choices(void **state)
{
    Run r = check_yaml(*state, "stats:\n  clock: sometimes\n", false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "t.yaml:2: stats.clock: 'sometimes' is not one of wall|packet");
    free(r.log);
}

static void mapping_where_a_value_belongs_is_an_error(void **state)
{
    Run r = check_yaml(*state, "stats:\n  interval:\n    every: 8\n", false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "t.yaml:2: stats.interval: expected a single value, found a mapping");
    free(r.log);
}

static void value_where_a_mapping_belongs_is_an_error(void **state)
{
    Run r = check_yaml(*state, "flow: 5\n", false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "t.yaml:1: flow: expected a mapping of settings, found '5'");
    free(r.log);
}

static void value_where_a_list_belongs_is_an_error(void **state)
{
    Run r = check_yaml(*state, "action-order: pass\n", false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "t.yaml:1: action-order: expected a list, found a single value");
    free(r.log);
}

/* rule-files takes one file as a list of one, as the rule loader does. */
static void rule_files_accepts_a_single_value(void **state)
{
    Run r = check_yaml(*state, "rule-files: local.rules\n", false);
    assert_int_equal(r.rc, 0);
    free(r.log);
}

static void null_values_are_absent(void **state)
{
    Run r = check_yaml(*state, "plugins:\n  # - /x.so\nstats:\n  interval:\n", true);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.n_unknown + r.res.n_bad + r.res.n_no_effect, 0);
    assert_string_equal(r.log, "");
    free(r.log);
}

static void key_without_effect_warns_and_fails_when_strict(void **state)
{
    const char *yaml = "detect:\n  profile: medium\n";
    Run r = check_yaml(*state, yaml, false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.n_no_effect, 1);
    assert_log_has(&r, "Warning: t.yaml:2: detect.profile: accepted for "
                       "compatibility, no effect in Vigil; ignored");
    free(r.log);
    r = check_yaml(*state, NULL, true);
    assert_int_equal(r.rc, VG_EINVAL);
    free(r.log);
}

static void alternatives_do_not_accept_other_names(void **state)
{
    Run r = check_yaml(*state, "flow-timeouts:\n  tpc:\n    new: 5\n", false);
    assert_int_equal(r.res.n_unknown, 1);
    assert_log_has(&r, "t.yaml:2: flow-timeouts.tpc: unknown key (did you mean "
                       "'flow-timeouts.tcp'?)");
    free(r.log);
}

static void open_subtrees_are_left_to_their_owners(void **state)
{
    const char *yaml = "app-layer:\n  protocols:\n    http:\n      enabled: yes\n"
                       "      detection-ports:\n        dp: 80\n"
                       "libhtp:\n  default-config:\n    personality: IDS\n"
                       "threading:\n  custom:\n    - name: RX\n      modules: [pcap-file]\n";
    Run r = check_yaml(*state, yaml, true);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.log, "");
    free(r.log);
}

static void bare_list_entries_are_names(void **state)
{
    const char *yaml = "outputs:\n  - eve-log:\n      types:\n        - flow\n        - dnsx\n";
    Run r = check_yaml(*state, yaml, false);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.res.n_unknown, 1);
    assert_log_has(&r, "t.yaml:5: outputs.0.eve-log.types.1.dnsx: unknown key "
                       "(did you mean 'outputs.0.eve-log.types.1.dns'?); ignored");
    free(r.log);
}

static void output_settings_are_checked(void **state)
{
    const char *yaml = "outputs:\n  - eve-log:\n      buffer-full: sometimes\n"
                       "      types:\n        - alert:\n            payload: maybe\n";
    Run r = check_yaml(*state, yaml, false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_int_equal(r.res.n_bad, 2);
    assert_log_has(&r, "t.yaml:3: outputs.0.eve-log.buffer-full: 'sometimes' is not one of drop");
    assert_log_has(&r, "t.yaml:6: outputs.0.eve-log.types.0.alert.payload: 'maybe' is not a "
                       "boolean");
    free(r.log);
}

/* ---- ports ---- */

static void port_variable_resolves_through_port_groups(void **state)
{
    Conf *c = *state;
    Run r = check_yaml(c, "decoder:\n  vxlan:\n    ports: $VXLAN_PORTS\n", true);
    assert_int_equal(r.rc, 0);
    free(r.log);
    uint16_t port = 0;
    assert_int_equal(conf_get_port(c, "decoder.vxlan.ports", &port), 0);
    assert_int_equal(port, 4789);
}

static void port_variable_may_name_a_variable(void **state)
{
    Conf *c = *state;
    const char *yaml = "vars:\n  port-groups:\n    MY_VXLAN: \"[$VXLAN_PORTS]\"\n"
                       "decoder:\n  vxlan:\n    ports: \"$MY_VXLAN\"\n";
    Run r = check_yaml(c, yaml, true);
    assert_int_equal(r.rc, 0);
    free(r.log);
    uint16_t port = 0;
    assert_int_equal(conf_get_port(c, "decoder.vxlan.ports", &port), 0);
    assert_int_equal(port, 4789);
}

static void unknown_port_variable_is_an_error(void **state)
{
    Run r = check_yaml(*state, "decoder:\n  geneve:\n    ports: $NO_SUCH_PORTS\n", false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "t.yaml:3: decoder.geneve.ports: '$NO_SUCH_PORTS' is not a variable "
                       "of vars.port-groups");
    free(r.log);
}

static void port_variable_loop_is_an_error(void **state)
{
    const char *yaml = "vars:\n  port-groups:\n    A: $B\n    B: $A\n"
                       "decoder:\n  teredo:\n    ports: $A\n";
    Run r = check_yaml(*state, yaml, false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "a loop of port variables");
    free(r.log);
}

static void several_ports_are_refused(void **state)
{
    Run r = check_yaml(*state, "decoder:\n  vxlan:\n    ports: \"[4789, 8472]\"\n", false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "only one is supported");
    free(r.log);
}

/* decoder.teredo.ports takes a list, as Suricata's: numbers and variables, one
 * of which may itself name a list; a duplicate is kept once. */
static void teredo_ports_take_a_list(void **state)
{
    Conf *c = *state;
    const char *yaml = "vars:\n  port-groups:\n    MORE: \"[3545, 3546]\"\n"
                       "decoder:\n  teredo:\n    ports: \"3544, $MORE, 3544\"\n";
    Run r = check_yaml(c, yaml, true);
    assert_int_equal(r.rc, 0);
    free(r.log);
    uint16_t ports[CONF_PORTS_MAX];
    uint32_t n = 0;
    assert_int_equal(conf_get_ports(c, "decoder.teredo.ports", ports, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(ports[0], 3544);
    assert_int_equal(ports[1], 3545);
    assert_int_equal(ports[2], 3546);
    assert_int_equal(conf_get_ports(c, "decoder.geneve.ports", ports, &n), VG_ENOENT);
    assert_int_equal(n, 0);
}

static void teredo_port_range_is_refused(void **state)
{
    Run r = check_yaml(*state, "decoder:\n  teredo:\n    ports: \"3544, 3600:3610\"\n", false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "t.yaml:3: decoder.teredo.ports: '3600:3610' is a range of ports");
    free(r.log);
}

static void port_zero_is_refused(void **state)
{
    Conf *c = *state;
    Run r = check_yaml(c, "decoder:\n  vxlan:\n    ports: 0\n", false);
    assert_int_equal(r.rc, VG_EINVAL);
    assert_log_has(&r, "'0' is not a port (1-65535)");
    free(r.log);
    uint16_t port = 7;
    LogCapture cap;
    log_capture_begin(&cap);
    assert_int_equal(conf_get_port(c, "decoder.vxlan.ports", &port), VG_EINVAL);
    free(log_capture_end(&cap));
    assert_int_equal(port, 7);
    assert_int_equal(conf_get_port(c, "decoder.teredo.ports", &port), VG_ENOENT);
}

/* ---- keys nobody read ---- */

static void unread_keys_are_reported_until_looked_up(void **state)
{
    Conf *c = *state;
    Run r = check_yaml(c, "flow:\n  memcap: 1mb\n  hash-size: 4096\n", true);
    free(r.log);
    bool bad = false;
    (void)conf_size_or(c, "flow.memcap", 0, &bad);
    LogCapture cap;
    util_log_set_level(LOG_LEVEL_INFO);
    log_capture_begin(&cap);
    unsigned n = conf_report_unread(c);
    char *log = log_capture_end(&cap);
    util_log_set_level(LOG_LEVEL_NOTICE);
    assert_int_equal(n, 1);
    assert_non_null(strstr(log, "t.yaml:3: flow.hash-size: set but not read by this run"));
    free(log);
    (void)conf_int_or(c, "flow.hash-size", 0, &bad);
    assert_int_equal(conf_report_unread(c), 0);
}

static void a_list_handed_to_a_reader_counts_its_entries_read(void **state)
{
    Conf *c = *state;
    Run r = check_yaml(c, "rule-files:\n  - a.rules\n  - b.rules\n", true);
    free(r.log);
    LogCapture cap;
    log_capture_begin(&cap);
    assert_int_equal(conf_report_unread(c), 2);
    free(log_capture_end(&cap));
    (void)conf_get_node(c, NULL, "rule-files");
    assert_int_equal(conf_report_unread(c), 0);
}

/* ---- the schema itself, the shipped config, a stock suricata.yaml ---- */

/* Every option has a doc line, sane bounds and a default its own type
 * accepts (and within its bounds). */
static void schema_entries_are_documented_and_defaults_valid(void **state)
{
    (void)state;
    size_t n_parts = 0;
    const ConfSchemaPart *const *parts = conf_schema_parts(&n_parts);
    assert_true(n_parts >= 3);
    Conf *scratch = conf_new();
    assert_non_null(scratch);
    for (size_t p = 0; p < n_parts; p++) {
        for (size_t i = 0; i < parts[p]->n_opts; i++) {
            const ConfOption *o = &parts[p]->opts[i];
            if (o->doc == NULL || o->doc[0] == '\0') {
                fail_msg("schema key %s has no doc line", o->name);
            }
            assert_true(o->min <= o->max);
            if (o->type == CONF_OPT_ENUM) {
                assert_non_null(o->choices);
            }
            if (o->dflt == NULL || o->type > CONF_OPT_ENUM) {
                continue;
            }
            /* Check the default as if a file had set it. */
            char path[256];
            snprintf(path, sizeof(path), "%s%s%s", parts[p]->prefix ? parts[p]->prefix : "",
                     parts[p]->prefix ? "." : "", o->name);
            if (strpbrk(path, "*|") != NULL) {
                continue; // a pattern: checked through its concrete keys below
            }
            assert_int_equal(conf_set(scratch, path, o->dflt), 0);
        }
    }
    LogCapture cap;
    log_capture_begin(&cap);
    int rc = conf_check(scratch, true, NULL);
    char *log = log_capture_end(&cap);
    if (rc != 0) {
        fail_msg("built-in defaults fail the schema:\n%s", log);
    }
    free(log);
    conf_free(scratch);
}

static char *source_path(const char *rel)
{
    const char *src = getenv("VG_SOURCE_DIR");
    assert_non_null(src);
    return tdir_path(src, rel);
}

static void shipped_vigil_yaml_is_clean_under_strict(void **state)
{
    Conf *c = *state;
    char *p = source_path("etc/vigil.yaml");
    assert_int_equal(conf_load_file(c, p), 0);
    free(p);
    ConfCheckResult res;
    LogCapture cap;
    log_capture_begin(&cap);
    int rc = conf_check(c, true, &res);
    char *log = log_capture_end(&cap);
    if (rc != 0 || res.n_unknown + res.n_no_effect + res.n_bad != 0) {
        fail_msg("etc/vigil.yaml under --strict-config:\n%s", log);
    }
    free(log);
}

static void stock_suricata_yaml_loads_with_warnings_only(void **state)
{
    Conf *c = *state;
    char *p = source_path("tests/data/suricata-stock.yaml");
    assert_int_equal(conf_load_file(c, p), 0);
    free(p);
    ConfCheckResult res;
    LogCapture cap;
    log_capture_begin(&cap);
    int rc = conf_check(c, false, &res);
    char *log = log_capture_end(&cap);
    if (rc != 0 || res.n_bad != 0) {
        fail_msg("stock suricata.yaml gave errors:\n%s", log);
    }
    assert_true(res.n_unknown >= 15); // output types Vigil lacks (frame, rdp, nfs, lua...)
    assert_true(res.n_no_effect > 5); // logging, detect.profile, ...
    assert_non_null(strstr(log, "suricata-stock.yaml:"));
    assert_null(strstr(log, "Error"));
    free(log);
    uint16_t port = 0;
    assert_int_equal(conf_get_port(c, "decoder.vxlan.ports", &port), 0);
    assert_int_equal(port, 4789);
    log_capture_begin(&cap);
    rc = conf_check(c, true, &res);
    free(log_capture_end(&cap));
    assert_int_equal(rc, VG_EINVAL);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(unknown_key_is_a_warning_naming_file_line_and_a_near_name),
        T(unknown_top_level_key_is_a_warning),
        T(suricata_keys_from_set_are_warnings),
        T(short_names_get_no_far_fetched_suggestion),
        T(unknown_key_is_an_error_when_strict),
        T(unknown_set_key_is_an_error_without_strict),
        T(unknown_set_path_below_a_new_map_is_an_error),
        T(wrong_type_is_an_error_with_file_and_line),
        T(wrong_type_from_set_is_an_error),
        T(value_out_of_bounds_is_an_error),
        T(module_table_bounds_apply),
        T(bad_size_is_an_error),
        T(bad_enum_value_lists_the_choices),
        T(mapping_where_a_value_belongs_is_an_error),
        T(value_where_a_mapping_belongs_is_an_error),
        T(value_where_a_list_belongs_is_an_error),
        T(rule_files_accepts_a_single_value),
        T(null_values_are_absent),
        T(key_without_effect_warns_and_fails_when_strict),
        T(alternatives_do_not_accept_other_names),
        T(open_subtrees_are_left_to_their_owners),
        T(bare_list_entries_are_names),
        T(output_settings_are_checked),
        T(port_variable_resolves_through_port_groups),
        T(port_variable_may_name_a_variable),
        T(unknown_port_variable_is_an_error),
        T(port_variable_loop_is_an_error),
        T(several_ports_are_refused),
        T(teredo_ports_take_a_list),
        T(teredo_port_range_is_refused),
        T(port_zero_is_refused),
        T(unread_keys_are_reported_until_looked_up),
        T(a_list_handed_to_a_reader_counts_its_entries_read),
        T(schema_entries_are_documented_and_defaults_valid),
        T(shipped_vigil_yaml_is_clean_under_strict),
        T(stock_suricata_yaml_loads_with_warnings_only),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
