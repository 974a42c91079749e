/* The tree of src/conf/conf.c: defaults, merging, lookup, --set overrides. */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "conf/conf-test-util.h"
#include "conf/conf.h"
#include "util/util-error.h"

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

/* Load text that must be valid. */
static void load(Conf *conf, const char *yaml, const char *name)
{
    assert_int_equal(conf_load_string(conf, yaml, name), 0);
}

static const char *str_at(const Conf *conf, const char *path)
{
    const char *v = NULL;
    return conf_get_str(conf, path, &v) ? v : NULL;
}

/* Run stmt with the log captured and dropped: for calls expected to log errors. */
#define QUIET(stmt)                                                                               \
    do {                                                                                          \
        LogCapture cap_;                                                                          \
        log_capture_begin(&cap_);                                                                 \
        stmt;                                                                                     \
        free(log_capture_end(&cap_));                                                             \
    } while (0)

/* ---- defaults ---- */

static void new_conf_has_suricata_default_vars(void **state)
{
    const Conf *conf = *state;
    assert_string_equal(conf_address_var(conf, "HOME_NET"),
                        "[192.168.0.0/16,10.0.0.0/8,172.16.0.0/12]");
    assert_string_equal(conf_address_var(conf, "EXTERNAL_NET"), "!$HOME_NET");
    const char *home[] = {"HTTP_SERVERS",  "SMTP_SERVERS", "SQL_SERVERS",   "DNS_SERVERS",
                          "TELNET_SERVERS", "DC_SERVERS",  "DNP3_SERVER",   "DNP3_CLIENT",
                          "MODBUS_CLIENT", "MODBUS_SERVER", "ENIP_CLIENT", "ENIP_SERVER"};
    for (size_t i = 0; i < sizeof(home) / sizeof(home[0]); i++) {
        assert_string_equal(conf_address_var(conf, home[i]), "$HOME_NET");
    }
    assert_string_equal(conf_address_var(conf, "AIM_SERVERS"), "$EXTERNAL_NET");
    assert_string_equal(conf_port_var(conf, "HTTP_PORTS"), "80");
    assert_string_equal(conf_port_var(conf, "SHELLCODE_PORTS"), "!80");
    assert_string_equal(conf_port_var(conf, "ORACLE_PORTS"), "1521");
    assert_string_equal(conf_port_var(conf, "SSH_PORTS"), "22");
    assert_string_equal(conf_port_var(conf, "DNP3_PORTS"), "20000");
    assert_string_equal(conf_port_var(conf, "MODBUS_PORTS"), "502");
    assert_string_equal(conf_port_var(conf, "FILE_DATA_PORTS"), "[$HTTP_PORTS,110,143]");
    assert_string_equal(conf_port_var(conf, "FTP_PORTS"), "21");
    assert_string_equal(conf_port_var(conf, "GENEVE_PORTS"), "6081");
    assert_string_equal(conf_port_var(conf, "VXLAN_PORTS"), "4789");
    assert_string_equal(conf_port_var(conf, "TEREDO_PORTS"), "3544");
}

static void new_conf_has_only_vars(void **state)
{
    const ConfNode *root = conf_root(*state);
    assert_int_equal(root->type, CONF_MAP);
    assert_int_equal(root->n_children, 1);
    assert_string_equal(root->first_child->name, "vars");
}

static void user_var_replaces_one_default_and_keeps_the_others(void **state)
{
    load(*state, "vars:\n  address-groups:\n    HOME_NET: \"[10.1.0.0/16]\"\n", "u.yaml");
    assert_string_equal(conf_address_var(*state, "HOME_NET"), "[10.1.0.0/16]");
    assert_string_equal(conf_address_var(*state, "EXTERNAL_NET"), "!$HOME_NET");
    assert_string_equal(conf_port_var(*state, "HTTP_PORTS"), "80");
}

/* ---- tree shape ---- */

static void load_builds_maps_lists_and_scalars(void **state)
{
    load(*state, "a:\n  b: 1\nl:\n  - x\n  - {k: v}\ns: text\n", "t.yaml");
    const ConfNode *a = conf_get_node(*state, NULL, "a");
    assert_non_null(a);
    assert_int_equal(a->type, CONF_MAP);
    assert_null(a->value);
    const ConfNode *l = conf_get_node(*state, NULL, "l");
    assert_int_equal(l->type, CONF_LIST);
    assert_int_equal(l->n_children, 2);
    assert_string_equal(l->first_child->name, "0");
    assert_string_equal(l->last_child->name, "1");
    assert_ptr_equal(l->first_child->parent, l);
    assert_string_equal(str_at(*state, "l.0"), "x");
    assert_string_equal(str_at(*state, "l.1.k"), "v");
    assert_string_equal(str_at(*state, "s"), "text");
}

static void nodes_carry_interned_file_and_line(void **state)
{
    load(*state, "a: 1\n\nb:\n  c: 2\n", "lines.yaml");
    const ConfNode *a = conf_get_node(*state, NULL, "a");
    const ConfNode *c = conf_get_node(*state, NULL, "b.c");
    assert_string_equal(a->file, "lines.yaml");
    assert_ptr_equal(a->file, c->file);
    assert_int_equal(a->line, 1);
    assert_int_equal(conf_get_node(*state, NULL, "b")->line, 3);
    assert_int_equal(c->line, 4);
}

static void dotted_key_is_one_name(void **state)
{
    load(*state, "x:\n  a.b: 1\n", "d.yaml");
    const ConfNode *x = conf_get_node(*state, NULL, "x");
    assert_int_equal(x->n_children, 1);
    assert_string_equal(x->first_child->name, "a.b");
    assert_non_null(conf_node_child(x, "a.b"));
    assert_null(conf_node_child(x, "a"));
    assert_string_equal(str_at(*state, "x.a.b"), "1"); // the path still finds it
}

static void get_node_is_relative_to_the_given_node(void **state)
{
    load(*state, "outer:\n  inner:\n    k: v\n", "r.yaml");
    const ConfNode *outer = conf_get_node(*state, NULL, "outer");
    const ConfNode *k = conf_get_node(*state, outer, "inner.k");
    assert_non_null(k);
    assert_string_equal(k->value, "v");
    assert_ptr_equal(conf_get_node(*state, outer, ""), outer);
    assert_ptr_equal(conf_get_node(*state, NULL, NULL), conf_root(*state));
    assert_null(conf_get_node(*state, outer, "inner.k.deeper"));
    assert_null(conf_node_child(k, "x"));
    assert_null(conf_node_child(NULL, "x"));
}

/* ---- merging ---- */

static void later_load_merges_maps(void **state)
{
    load(*state, "flow:\n  memcap: 1mb\n  hash-size: 10\n", "one.yaml");
    load(*state, "flow:\n  memcap: 2mb\n  prealloc: 5\n", "two.yaml");
    assert_string_equal(str_at(*state, "flow.memcap"), "2mb");
    assert_string_equal(str_at(*state, "flow.hash-size"), "10");
    assert_string_equal(str_at(*state, "flow.prealloc"), "5");
    assert_string_equal(conf_get_node(*state, NULL, "flow.memcap")->file, "two.yaml");
    assert_string_equal(conf_get_node(*state, NULL, "flow.hash-size")->file, "one.yaml");
}

static void later_load_replaces_lists_whole(void **state)
{
    load(*state, "rule-files: [a.rules, b.rules, c.rules]\n", "one.yaml");
    load(*state, "rule-files: [z.rules]\n", "two.yaml");
    const ConfNode *l = conf_get_node(*state, NULL, "rule-files");
    assert_int_equal(l->n_children, 1);
    assert_string_equal(str_at(*state, "rule-files.0"), "z.rules");
}

static void later_scalar_replaces_a_map_in_place(void **state)
{
    load(*state, "first: 1\nmid:\n  k: v\nlast: 3\n", "one.yaml");
    load(*state, "mid: flat\n", "two.yaml");
    const ConfNode *root = conf_root(*state);
    const ConfNode *mid = conf_node_child(root, "mid");
    assert_int_equal(mid->type, CONF_SCALAR);
    assert_string_equal(mid->value, "flat");
    assert_string_equal(mid->next->name, "last"); // kept its place
    assert_ptr_equal(root->last_child, mid->next);
}

static void repeated_key_in_one_file_later_wins(void **state)
{
    load(*state, "a:\n  x: 1\n  y: 1\na:\n  y: 2\n", "dup.yaml");
    assert_string_equal(str_at(*state, "a.x"), "1");
    assert_string_equal(str_at(*state, "a.y"), "2");
}

/* ---- --set ---- */

static void set_override_replaces_an_existing_value(void **state)
{
    load(*state, "flow:\n  memcap: 1mb\n", "f.yaml");
    assert_int_equal(conf_set_override(*state, "flow.memcap=256mb"), 0);
    const ConfNode *n = conf_get_node(*state, NULL, "flow.memcap");
    assert_string_equal(n->value, "256mb");
    assert_string_equal(n->file, "--set");
    assert_int_equal(n->line, 0);
}

static void set_override_creates_missing_maps(void **state)
{
    assert_int_equal(conf_set_override(*state, "a.b.c=value"), 0);
    assert_int_equal(conf_get_node(*state, NULL, "a")->type, CONF_MAP);
    assert_int_equal(conf_get_node(*state, NULL, "a.b")->type, CONF_MAP);
    assert_string_equal(str_at(*state, "a.b.c"), "value");
}

/* Suricata's `--set reputation-files.0=a.list` on a key the config lacks: a list. */
static void set_override_index_zero_creates_a_list(void **state)
{
    assert_int_equal(conf_set_override(*state, "files.0=a.list"), 0);
    assert_int_equal(conf_set_override(*state, "files.1=b.list"), 0);
    const ConfNode *n = conf_get_node(*state, NULL, "files");
    assert_int_equal(n->type, CONF_LIST);
    assert_int_equal(n->n_children, 2);
    assert_string_equal(n->first_child->value, "a.list");
    assert_string_equal(n->first_child->next->value, "b.list");
    load(*state, "empty:\n", "f.yaml");
    assert_int_equal(conf_set_override(*state, "empty.0=x"), 0);
    assert_int_equal(conf_get_node(*state, NULL, "empty")->type, CONF_LIST);
    assert_int_equal(conf_set_override(*state, "m.01=x"), 0);
    assert_int_equal(conf_get_node(*state, NULL, "m")->type, CONF_MAP);
}

static void set_override_keeps_everything_after_the_first_equals(void **state)
{
    assert_int_equal(conf_set_override(*state, "k=a=b"), 0);
    assert_string_equal(str_at(*state, "k"), "a=b");
    assert_int_equal(conf_set_override(*state, "e="), 0);
    assert_string_equal(str_at(*state, "e"), "");
}

static void set_override_indexes_into_lists(void **state)
{
    load(*state, "outputs:\n  - fast:\n      enabled: yes\n  - eve-log:\n      enabled: yes\n",
         "o.yaml");
    assert_int_equal(conf_set_override(*state, "outputs.1.eve-log.enabled=no"), 0);
    assert_string_equal(str_at(*state, "outputs.1.eve-log.enabled"), "no");
    assert_string_equal(str_at(*state, "outputs.0.fast.enabled"), "yes");
    assert_int_equal(conf_get_node(*state, NULL, "outputs")->n_children, 2);
}

static void set_override_appends_one_past_the_end_of_a_list(void **state)
{
    load(*state, "rule-files: [a.rules]\n", "l.yaml");
    assert_int_equal(conf_set_override(*state, "rule-files.1=b.rules"), 0);
    const ConfNode *l = conf_get_node(*state, NULL, "rule-files");
    assert_int_equal(l->n_children, 2);
    assert_string_equal(l->last_child->name, "1");
    assert_string_equal(l->last_child->value, "b.rules");
}

static void set_override_refuses_a_bad_list_index(void **state)
{
    load(*state, "rule-files: [a.rules]\n", "l.yaml");
    int rc;
    QUIET(rc = conf_set_override(*state, "rule-files.5=x"));
    assert_int_equal(rc, VG_EINVAL);
    QUIET(rc = conf_set_override(*state, "rule-files.name=x"));
    assert_int_equal(rc, VG_EINVAL);
    assert_int_equal(conf_get_node(*state, NULL, "rule-files")->n_children, 1);
}

static void set_override_without_equals_is_einval_with_message(void **state)
{
    int rc;
    LogCapture cap;
    log_capture_begin(&cap);
    rc = conf_set_override(*state, "flow.memcap");
    char *log = log_capture_end(&cap);
    assert_int_equal(rc, VG_EINVAL);
    assert_non_null(strstr(log, "--set 'flow.memcap': expected key=value"));
    assert_non_null(strstr(conf_last_error(*state), "expected key=value"));
    free(log);
}

static void set_override_with_empty_key_is_einval(void **state)
{
    int rc;
    QUIET(rc = conf_set_override(*state, "=value"));
    assert_int_equal(rc, VG_EINVAL);
    QUIET(rc = conf_set_override(*state, "a..b=1"));
    assert_int_equal(rc, VG_EINVAL);
    QUIET(rc = conf_set_override(*state, "a.=1"));
    assert_int_equal(rc, VG_EINVAL);
    QUIET(rc = conf_set_override(*state, ".a=1"));
    assert_int_equal(rc, VG_EINVAL);
    assert_int_equal(conf_set_override(*state, NULL), VG_EINVAL);
}

static void set_through_a_scalar_turns_it_into_a_map(void **state)
{
    load(*state, "stats:\n", "s.yaml");
    assert_int_equal(conf_set_override(*state, "stats.enabled=yes"), 0);
    assert_int_equal(conf_get_node(*state, NULL, "stats")->type, CONF_MAP);
    assert_string_equal(str_at(*state, "stats.enabled"), "yes");
}

static void set_on_a_map_replaces_it_with_a_value(void **state)
{
    load(*state, "detect:\n  profile: medium\n", "d.yaml");
    assert_int_equal(conf_set(*state, "detect", "off"), 0);
    const ConfNode *n = conf_get_node(*state, NULL, "detect");
    assert_int_equal(n->type, CONF_SCALAR);
    assert_int_equal(n->n_children, 0);
    assert_string_equal(n->value, "off");
}

static void set_with_null_value_makes_a_null_scalar(void **state)
{
    assert_int_equal(conf_set(*state, "k", NULL), 0);
    const ConfNode *n = conf_get_node(*state, NULL, "k");
    assert_non_null(n);
    assert_null(n->value);
}

static void very_long_set_path_is_freed_without_recursion(void **state)
{
    enum { PARTS = 50000 };
    char *path = malloc(PARTS * 2);
    assert_non_null(path);
    for (size_t i = 0; i < PARTS; i++) {
        path[2 * i] = 'a';
        path[2 * i + 1] = '.';
    }
    path[PARTS * 2 - 1] = '\0';
    assert_int_equal(conf_set(*state, path, "deep"), 0);
    free(path);
    // teardown frees the 50000-deep tree
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(new_conf_has_suricata_default_vars),
        T(new_conf_has_only_vars),
        T(user_var_replaces_one_default_and_keeps_the_others),
        T(load_builds_maps_lists_and_scalars),
        T(nodes_carry_interned_file_and_line),
        T(dotted_key_is_one_name),
        T(get_node_is_relative_to_the_given_node),
        T(later_load_merges_maps),
        T(later_load_replaces_lists_whole),
        T(later_scalar_replaces_a_map_in_place),
        T(repeated_key_in_one_file_later_wins),
        T(set_override_replaces_an_existing_value),
        T(set_override_creates_missing_maps),
        T(set_override_index_zero_creates_a_list),
        T(set_override_keeps_everything_after_the_first_equals),
        T(set_override_indexes_into_lists),
        T(set_override_appends_one_past_the_end_of_a_list),
        T(set_override_refuses_a_bad_list_index),
        T(set_override_without_equals_is_einval_with_message),
        T(set_override_with_empty_key_is_einval),
        T(set_through_a_scalar_turns_it_into_a_map),
        T(set_on_a_map_replaces_it_with_a_value),
        T(set_with_null_value_makes_a_null_scalar),
        T(very_long_set_path_is_freed_without_recursion),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
