#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/util-error.h"
#include "util/util-json-parse.h"

static JsonDoc *parse_ok(const char *text)
{
    JsonDoc *d = NULL;
    char err[128];
    int rc = json_parse(text, strlen(text), &d, err, sizeof(err));
    if (rc != 0) {
        fail_msg("'%s' refused: %s", text, err);
    }
    return d;
}

/* The reason given for a refused text (static buffer). */
static const char *parse_err(const char *text, size_t len)
{
    static char err[128];
    JsonDoc *d = (JsonDoc *)1;
    assert_int_equal(json_parse(text, len, &d, err, sizeof(err)), VG_EINVAL);
    assert_null(d);
    assert_true(strncmp(err, "offset ", 7) == 0);
    return err;
}

static void json_parse_reads_a_command_request(void **state)
{
    (void)state;
    JsonDoc *d = parse_ok(" {\"command\": \"conf-get\", \"arguments\": {\"variable\": \"a.b\", "
                          "\"n\": -12.5e1, \"t\": true, \"f\": false, \"z\": null, \"l\": [1, [], {}]}}\n");
    const JsonValue *root = json_doc_root(d);
    assert_int_equal(root->type, JSON_T_OBJECT);
    assert_int_equal(root->n_children, 2);
    assert_string_equal(json_object_get_str(root, "command"), "conf-get");
    const JsonValue *args = json_object_get(root, "arguments");
    assert_string_equal(json_object_get_str(args, "variable"), "a.b");
    const JsonValue *n = json_object_get(args, "n");
    assert_int_equal(n->type, JSON_T_NUMBER);
    assert_true(n->num == -125.0);
    assert_string_equal(n->str, "-12.5e1");
    assert_true(json_object_get(args, "t")->b);
    assert_false(json_object_get(args, "f")->b);
    assert_int_equal(json_object_get(args, "z")->type, JSON_T_NULL);
    const JsonValue *l = json_object_get(args, "l");
    assert_int_equal(l->n_children, 3);
    assert_int_equal(l->child->next->type, JSON_T_ARRAY);
    assert_int_equal(l->child->next->n_children, 0);
    assert_null(json_object_get(args, "absent"));
    assert_null(json_object_get_str(args, "n")); // not a string
    json_doc_free(d);
}

static void json_parse_decodes_escapes_and_surrogates(void **state)
{
    (void)state;
    JsonDoc *d = parse_ok("\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"");
    const JsonValue *v = json_doc_root(d);
    assert_string_equal(v->str, "a\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80");
    assert_int_equal(v->str_len, strlen(v->str));
    json_doc_free(d);
}

static void json_parse_refuses_empty_and_truncated(void **state)
{
    (void)state;
    assert_non_null(strstr(parse_err("", 0), "expected a value"));
    assert_non_null(strstr(parse_err("   ", 3), "expected a value"));
    const char *full = "{\"command\": \"version\", \"arguments\": {\"a\": [1, 2]}}";
    /* Every proper prefix of a valid request is refused. */
    for (size_t n = 0; n < strlen(full); n++) {
        (void)parse_err(full, n);
    }
    assert_non_null(strstr(parse_err("\"abc", 4), "unterminated string"));
    assert_non_null(strstr(parse_err("\"\\u12", 5), "truncated \\u escape"));
}

static void json_parse_refuses_garbage(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "{command: 1}", "{\"a\" 1}", "{\"a\":1,}", "[1,]", "[1 2]", "01", "1.", "1e", "-",
        "+1", ".5", "tru", "nul", "True", "'a'", "{\"a\":1}}", "[]x", "\"\\x\"", "\"\\u00zz\"",
        "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"\\u0000\"", "\x01", "{\"a\":}",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        (void)parse_err(bad[i], strlen(bad[i]));
    }
    assert_non_null(strstr(parse_err("\"a\nb\"", 5), "control byte 0x0a"));
    assert_non_null(strstr(parse_err("{\"a\":1} 2", 9), "trailing bytes"));
    /* A NUL byte inside the text is garbage, not an end. */
    (void)parse_err("{}\0", 3);
    (void)parse_err("\"a\0b\"", 5);
}

static void json_parse_bounds_depth_nodes_and_size(void **state)
{
    (void)state;
    char deep[2 * (JSON_PARSE_MAX_DEPTH + 1) + 1];
    size_t n = 0;
    for (int i = 0; i < JSON_PARSE_MAX_DEPTH; i++) {
        deep[n++] = '[';
    }
    for (int i = 0; i < JSON_PARSE_MAX_DEPTH; i++) {
        deep[n++] = ']';
    }
    deep[n] = '\0';
    json_doc_free(parse_ok(deep)); // exactly the maximum depth
    memmove(deep + 1, deep, n);
    deep[0] = '[';
    deep[n + 1] = ']';
    assert_non_null(strstr(parse_err(deep, n + 2), "nesting deeper"));

    size_t cap = 2 * (JSON_PARSE_MAX_NODES + 1) + 2;
    char *many = malloc(cap);
    assert_non_null(many);
    n = 0;
    many[n++] = '[';
    for (int i = 0; i < JSON_PARSE_MAX_NODES; i++) { // array + MAX elements: one too many
        many[n++] = '0';
        many[n++] = ',';
    }
    many[n - 1] = ']';
    assert_non_null(strstr(parse_err(many, n), "more than"));
    free(many);

    char *big = malloc(JSON_PARSE_MAX_BYTES + 1);
    assert_non_null(big);
    memset(big, ' ', JSON_PARSE_MAX_BYTES + 1);
    big[0] = '1';
    assert_non_null(strstr(parse_err(big, JSON_PARSE_MAX_BYTES + 1), "longer than"));
    free(big);
}

static void json_parse_numbers_at_the_edges(void **state)
{
    (void)state;
    JsonDoc *d = parse_ok("[0, -0, 1e308, 1e-400, 18446744073709551615, 1E+2]");
    const JsonValue *v = json_doc_root(d)->child;
    assert_true(v->num == 0.0);
    v = v->next->next;
    assert_true(v->num == 1e308);
    v = v->next->next;
    assert_string_equal(v->str, "18446744073709551615");
    assert_true(v->next->num == 100.0);
    json_doc_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_parse_reads_a_command_request),
        cmocka_unit_test(json_parse_decodes_escapes_and_surrogates),
        cmocka_unit_test(json_parse_refuses_empty_and_truncated),
        cmocka_unit_test(json_parse_refuses_garbage),
        cmocka_unit_test(json_parse_bounds_depth_nodes_and_size),
        cmocka_unit_test(json_parse_numbers_at_the_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
