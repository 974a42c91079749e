/* YAML loading of src/conf/conf-yaml.c: files, includes, errors, hostile input,
 * and the shipped etc/vigil.yaml. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "conf/conf-test-util.h"
#include "conf/conf.h"
#include "util/util-error.h"

typedef struct Fixture {
    Conf *conf;
    char *dir; // scratch directory, removed at teardown
} Fixture;

static int setup(void **state)
{
    Fixture *fx = calloc(1, sizeof(*fx));
    if (fx == NULL) {
        return -1;
    }
    fx->conf = conf_new();
    fx->dir = tdir_new();
    *state = fx;
    return fx->conf == NULL || fx->dir == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    Fixture *fx = *state;
    conf_free(fx->conf);
    tdir_remove(fx->dir);
    free(fx);
    return 0;
}

static const char *str_at(const Conf *conf, const char *path)
{
    const char *v = NULL;
    return conf_get_str(conf, path, &v) ? v : NULL;
}

/* Load text that must fail; returns the error code, the message stays in the conf. */
static int load_bad_len(Conf *conf, const char *yaml, size_t len, const char *name)
{
    char *copy = malloc(len + 1);
    assert_non_null(copy);
    memcpy(copy, yaml, len);
    copy[len] = '\0';
    LogCapture cap;
    log_capture_begin(&cap);
    int rc = conf_load_string(conf, copy, name);
    free(log_capture_end(&cap));
    free(copy);
    return rc;
}

static int load_bad(Conf *conf, const char *yaml)
{
    return load_bad_len(conf, yaml, strlen(yaml), "bad.yaml");
}

static int load_file_quiet(Conf *conf, const char *path)
{
    LogCapture cap;
    log_capture_begin(&cap);
    int rc = conf_load_file(conf, path);
    free(log_capture_end(&cap));
    return rc;
}

/* Write name in the fixture dir; returns the path (freed by the caller). */
static char *put(Fixture *fx, const char *name, const char *text)
{
    char *p = TDIR_WRITE(fx->dir, name, text);
    assert_non_null(p);
    return p;
}

/* ---- documents ---- */

static void suricata_header_and_document_marker_load(void **state)
{
    Fixture *fx = *state;
    char *p = put(fx, "h.yaml", "%YAML 1.1\n---\n\n# comment\nrunmode: single\n");
    assert_int_equal(conf_load_file(fx->conf, p), 0);
    assert_string_equal(str_at(fx->conf, "runmode"), "single");
    assert_int_equal(conf_get_node(fx->conf, NULL, "runmode")->line, 5);
    assert_string_equal(conf_get_node(fx->conf, NULL, "runmode")->file, p);
    free(p);
}

static void null_spellings_have_no_value(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(conf_load_string(fx->conf, "a:\nb: ~\nc: null\nd: ''\ne: \"null\"\n", "n"), 0);
    assert_null(conf_get_node(fx->conf, NULL, "a")->value);
    assert_null(conf_get_node(fx->conf, NULL, "b")->value);
    assert_null(conf_get_node(fx->conf, NULL, "c")->value);
    assert_string_equal(conf_get_node(fx->conf, NULL, "d")->value, "");
    assert_string_equal(conf_get_node(fx->conf, NULL, "e")->value, "null");
}

static void several_documents_merge_in_order(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(conf_load_string(fx->conf, "---\na: 1\nb: 1\n---\nb: 2\n...\n", "m"), 0);
    assert_string_equal(str_at(fx->conf, "a"), "1");
    assert_string_equal(str_at(fx->conf, "b"), "2");
}

static void anchors_and_aliases_are_copied(void **state)
{
    Fixture *fx = *state;
    const char *y = "base: &b\n  x: 1\n  y: [1, 2]\nuse: *b\nv: &s hello\nw: *s\n";
    assert_int_equal(conf_load_string(fx->conf, y, "a.yaml"), 0);
    assert_string_equal(str_at(fx->conf, "use.x"), "1");
    assert_string_equal(str_at(fx->conf, "use.y.1"), "2");
    assert_string_equal(str_at(fx->conf, "w"), "hello");
    assert_int_equal(conf_set_override(fx->conf, "use.x=9"), 0);
    assert_string_equal(str_at(fx->conf, "base.x"), "1"); // a copy, not shared
}

/* ---- errors ---- */

static void missing_file_names_it(void **state)
{
    Fixture *fx = *state;
    char *p = tdir_path(fx->dir, "nope.yaml");
    assert_int_equal(load_file_quiet(fx->conf, p), VG_ENOENT);
    assert_non_null(strstr(conf_last_error(fx->conf), "nope.yaml: cannot open: No such file"));
    free(p);
}

static void directory_is_refused(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(load_file_quiet(fx->conf, fx->dir), VG_EIO);
    assert_non_null(strstr(conf_last_error(fx->conf), "cannot open: Is a directory"));
}

static void syntax_error_names_file_and_line(void **state)
{
    Fixture *fx = *state;
    char *p = put(fx, "bad.yaml", "a: 1\nb: c: d\n");
    LogCapture cap;
    log_capture_begin(&cap);
    int rc = conf_load_file(fx->conf, p);
    char *log = log_capture_end(&cap);
    assert_int_equal(rc, VG_EINVAL);
    char want[512];
    snprintf(want, sizeof(want), "%s:2: mapping values are not allowed", p);
    assert_non_null(strstr(conf_last_error(fx->conf), want));
    assert_non_null(strstr(log, want));
    free(log);
    free(p);
}

static void tab_indentation_is_an_error(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(load_bad(fx->conf, "a:\n\tb: 1\n"), VG_EINVAL);
    assert_non_null(strstr(conf_last_error(fx->conf), "bad.yaml:2: "));
}

static void truncated_input_is_an_error(void **state)
{
    Fixture *fx = *state;
    const char *cases[] = {"a: [1, 2", "a: {b: 1", "a: \"unterminated", "a:\n  - b\n c: d",
                           "%YAML 1.1\n---\na: 'x"};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_int_equal(load_bad(fx->conf, cases[i]), VG_EINVAL);
    }
}

static void garbage_bytes_are_an_error(void **state)
{
    Fixture *fx = *state;
    static const char garbage[] = "\xff\xfe\x00\x01\x80\x81\x9f: \xc3";
    assert_int_equal(load_bad_len(fx->conf, garbage, sizeof(garbage) - 1, "g.yaml"), VG_EINVAL);
    char *p = put(fx, "bin.yaml", "a: \xc3\x28\n");
    assert_int_equal(load_file_quiet(fx->conf, p), VG_EINVAL);
    free(p);
}

static void empty_or_comment_only_input_is_an_error(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(load_bad(fx->conf, ""), VG_EINVAL);
    assert_non_null(strstr(conf_last_error(fx->conf), "bad.yaml: no configuration"));
    assert_int_equal(load_bad(fx->conf, "# only a comment\n"), VG_EINVAL);
    assert_int_equal(load_bad(fx->conf, "%YAML 1.1\n---\n"), VG_EINVAL);
    char *p = put(fx, "empty.yaml", "");
    assert_int_equal(load_file_quiet(fx->conf, p), VG_EINVAL);
    free(p);
}

static void top_level_must_be_a_mapping(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(load_bad(fx->conf, "- a\n- b\n"), VG_EINVAL);
    assert_int_equal(load_bad(fx->conf, "just text\n"), VG_EINVAL);
    assert_non_null(strstr(conf_last_error(fx->conf), "top level must be a mapping"));
}

static void complex_keys_are_refused(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(load_bad(fx->conf, "? [a, b]\n: c\n"), VG_EINVAL);
    assert_int_equal(load_bad(fx->conf, "{x: 1}: c\n"), VG_EINVAL);
}

static void huge_nesting_is_refused(void **state)
{
    Fixture *fx = *state;
    enum { DEPTH = 100000 };
    char *y = malloc(DEPTH * 2 + 8);
    assert_non_null(y);
    size_t n = 0;
    memcpy(y, "a: ", 3);
    n = 3;
    for (size_t i = 0; i < DEPTH; i++) {
        y[n++] = '[';
    }
    for (size_t i = 0; i < DEPTH; i++) {
        y[n++] = ']';
    }
    assert_int_equal(load_bad_len(fx->conf, y, n, "deep.yaml"), VG_ERANGE);
    assert_non_null(strstr(conf_last_error(fx->conf), "nesting deeper than"));
    free(y);
}

static void failed_load_leaves_the_tree_unchanged(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(conf_load_string(fx->conf, "a: 1\n", "ok.yaml"), 0);
    assert_int_equal(load_bad(fx->conf, "a: 2\nb: 3\nc: [\n"), VG_EINVAL);
    assert_string_equal(str_at(fx->conf, "a"), "1");
    assert_null(conf_get_node(fx->conf, NULL, "b"));
}

static void unknown_alias_is_an_error(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(load_bad(fx->conf, "a: *nothing\n"), VG_EINVAL);
    // an alias to the node being built is not complete yet: refused, no loop
    assert_int_equal(load_bad(fx->conf, "a: &x\n  b: *x\n"), VG_EINVAL);
}

static void alias_expansion_bomb_is_refused(void **state)
{
    Fixture *fx = *state;
    const char *y = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
                    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
                    "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
                    "g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f, *f]\n"
                    "h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g, *g]\n";
    assert_int_equal(load_bad(fx->conf, y), VG_ERANGE);
    assert_null(conf_get_node(fx->conf, NULL, "a"));
}

/* ---- include ---- */

static void include_a_file_relative_to_the_includer(void **state)
{
    Fixture *fx = *state;
    char *sub = tdir_path(fx->dir, "sub");
    assert_int_equal(mkdir(sub, 0700), 0);
    char *inc = put(fx, "sub/inc.yaml", "from-inc: yes\n");
    char *main = put(fx, "sub/main.yaml", "include: inc.yaml\nown: 1\n");
    assert_int_equal(conf_load_file(fx->conf, main), 0);
    assert_string_equal(str_at(fx->conf, "from-inc"), "yes");
    assert_string_equal(conf_get_node(fx->conf, NULL, "from-inc")->file, inc);
    assert_string_equal(str_at(fx->conf, "own"), "1");
    assert_null(conf_get_node(fx->conf, NULL, "include"));
    free(main);
    free(inc);
    free(sub);
}

static void include_a_list_into_a_nested_map(void **state)
{
    Fixture *fx = *state;
    free(put(fx, "one.yaml", "memcap: 1mb\n"));
    free(put(fx, "two.yaml", "hash-size: 2\n"));
    char *main = put(fx, "main.yaml", "flow:\n  include: [one.yaml, two.yaml]\n  prealloc: 3\n");
    assert_int_equal(conf_load_file(fx->conf, main), 0);
    assert_string_equal(str_at(fx->conf, "flow.memcap"), "1mb");
    assert_string_equal(str_at(fx->conf, "flow.hash-size"), "2");
    assert_string_equal(str_at(fx->conf, "flow.prealloc"), "3");
    assert_null(conf_get_node(fx->conf, NULL, "memcap"));
    free(main);
}

static void include_applies_at_its_place_in_the_map(void **state)
{
    Fixture *fx = *state;
    free(put(fx, "inc.yaml", "before: from-inc\nafter: from-inc\n"));
    char *main = put(fx, "main.yaml", "before: main\ninclude: inc.yaml\nafter: main\n");
    assert_int_equal(conf_load_file(fx->conf, main), 0);
    assert_string_equal(str_at(fx->conf, "before"), "from-inc");
    assert_string_equal(str_at(fx->conf, "after"), "main");
    free(main);
}

static void include_of_a_missing_file_names_both_files(void **state)
{
    Fixture *fx = *state;
    char *main = put(fx, "main.yaml", "a: 1\ninclude: gone.yaml\n");
    assert_int_equal(load_file_quiet(fx->conf, main), VG_ENOENT);
    const char *err = conf_last_error(fx->conf);
    assert_non_null(strstr(err, "gone.yaml: cannot open: No such file"));
    assert_non_null(strstr(err, "main.yaml:2"));
    assert_null(conf_get_node(fx->conf, NULL, "a"));
    free(main);
}

static void include_recursion_is_refused(void **state)
{
    Fixture *fx = *state;
    char *a = put(fx, "a.yaml", "x: 1\ninclude: b.yaml\n");
    free(put(fx, "b.yaml", "include: a.yaml\n"));
    assert_int_equal(load_file_quiet(fx->conf, a), VG_ERANGE);
    assert_non_null(strstr(conf_last_error(fx->conf), "include '"));
    assert_non_null(strstr(conf_last_error(fx->conf), "a.yaml"));
    assert_null(conf_get_node(fx->conf, NULL, "x"));
    free(a);
}

static void include_of_a_device_is_refused(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(load_bad(fx->conf, "a: 1\ninclude: /dev/null\n"), VG_EIO);
    const char *want = "/dev/null: cannot open: not a regular file (included from bad.yaml:2)";
    assert_non_null(strstr(conf_last_error(fx->conf), want));
}

static void include_with_a_bad_value_is_an_error(void **state)
{
    Fixture *fx = *state;
    assert_int_equal(load_bad(fx->conf, "include: {a: b}\n"), VG_EINVAL);
    assert_non_null(strstr(conf_last_error(fx->conf), "bad.yaml:1: include: expected"));
    assert_int_equal(load_bad(fx->conf, "include: [a.yaml, [b]]\n"), VG_EINVAL);
    assert_int_equal(load_bad(fx->conf, "include:\n"), VG_EINVAL);
}

static void include_error_inside_names_the_included_file(void **state)
{
    Fixture *fx = *state;
    char *inc = put(fx, "inc.yaml", "ok: 1\nbroken: [\n");
    char *main = put(fx, "main.yaml", "include: inc.yaml\n");
    assert_int_equal(load_file_quiet(fx->conf, main), VG_EINVAL);
    assert_non_null(strstr(conf_last_error(fx->conf), inc));
    free(main);
    free(inc);
}

/* ---- the shipped config ---- */

static void shipped_vigil_yaml_loads_with_its_defaults(void **state)
{
    Fixture *fx = *state;
    const char *src = getenv("VG_SOURCE_DIR");
    assert_non_null(src);
    char *p = tdir_path(src, "etc/vigil.yaml");
    assert_int_equal(conf_load_file(fx->conf, p), 0);
    free(p);
    const Conf *c = fx->conf;
    bool bad = false;
    assert_true(conf_size_or(c, "flow.memcap", 0, &bad) == 128ull << 20);
    assert_int_equal(conf_int_or(c, "flow.hash-size", 0, &bad), 65536);
    assert_int_equal(conf_int_or(c, "flow-timeouts.tcp.established", 0, &bad), 600);
    assert_int_equal(conf_int_or(c, "flow-timeouts.tcp.emergency-closed", 0, &bad), 10);
    assert_true(conf_size_or(c, "stream.reassembly.depth", 0, &bad) == 1ull << 20);
    assert_true(conf_size_or(c, "stream.reassembly.memcap", 0, &bad) == 256ull << 20);
    assert_int_equal(conf_int_or(c, "stats.interval", 0, &bad), 8);
    assert_int_equal(conf_int_or(c, "max-pending-packets", 0, &bad), 1024);
    assert_true(conf_bool_or(c, "decoder.vxlan.enabled", false, &bad));
    assert_false(bad);
    assert_string_equal(str_at(c, "runmode"), "single");
    assert_string_equal(str_at(c, "pcap-file.checksum-checks"), "auto");
    assert_string_equal(str_at(c, "outputs.0.eve-log.filename"), "eve.json");
    assert_string_equal(str_at(c, "outputs.0.eve-log.types.3.flow.exception-policy"), "yes");
    assert_string_equal(str_at(c, "outputs.0.eve-log.types.2.drop.alerts"), "yes");
    assert_string_equal(str_at(c, "outputs.0.eve-log.types.1.anomaly.types.decode"), "yes");
    assert_string_equal(str_at(c, "default-log-dir"), "./logs");
    assert_string_equal(str_at(c, "action-order.3"), "alert");
    assert_string_equal(conf_address_var(c, "HOME_NET"),
                        "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]");
    char rules[4096];
    assert_true(conf_get_path(c, "default-rule-path", rules, sizeof(rules)));
    assert_non_null(strstr(rules, "etc/rules"));
    assert_int_equal(conf_get_node(c, NULL, "plugins")->type, CONF_LIST);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(suricata_header_and_document_marker_load),
        T(null_spellings_have_no_value),
        T(several_documents_merge_in_order),
        T(anchors_and_aliases_are_copied),
        T(missing_file_names_it),
        T(directory_is_refused),
        T(syntax_error_names_file_and_line),
        T(tab_indentation_is_an_error),
        T(truncated_input_is_an_error),
        T(garbage_bytes_are_an_error),
        T(empty_or_comment_only_input_is_an_error),
        T(top_level_must_be_a_mapping),
        T(complex_keys_are_refused),
        T(huge_nesting_is_refused),
        T(failed_load_leaves_the_tree_unchanged),
        T(unknown_alias_is_an_error),
        T(alias_expansion_bomb_is_refused),
        T(include_a_file_relative_to_the_includer),
        T(include_a_list_into_a_nested_map),
        T(include_applies_at_its_place_in_the_map),
        T(include_of_a_missing_file_names_both_files),
        T(include_recursion_is_refused),
        T(include_of_a_device_is_refused),
        T(include_with_a_bad_value_is_an_error),
        T(include_error_inside_names_the_included_file),
        T(shipped_vigil_yaml_loads_with_its_defaults),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
