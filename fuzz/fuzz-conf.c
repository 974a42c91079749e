/* libFuzzer target for the YAML configuration loader (conf_load_string) and
 * the schema check (conf_check_schema, on Vigil's own keys: the module tables
 * listed in conf-schema-list.c are left out so that no module is linked).
 *
 * Not built by CMake. From the source tree:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *       fuzz/fuzz-conf.c src/conf/conf.c src/conf/conf-yaml.c src/conf/conf-getters.c \
 *       src/conf/conf-options.c src/conf/conf-schema.c src/conf/conf-schema-keys.c \
 *       src/util/util-log.c -lyaml -o fuzz-conf
 *   mkdir -p corpus && cp etc/vigil.yaml corpus/
 *   ./fuzz-conf -max_len=65536 -close_fd_mask=2 corpus/
 * (-close_fd_mask=2 silences the config errors that most inputs log; libFuzzer
 * still prints its own crash reports.)
 *
 * Each input is loaded on a fresh conf with the built-in defaults, then a few
 * getters run over the result so that the tree they walk is exercised too.
 * Includes name files relative to the working directory; run it in an empty one. */

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/conf-internal.h"

/* The schema of this build: Vigil's keys only (see above). */
const ConfSchemaPart *const *conf_schema_parts(size_t *n_parts)
{
    static const ConfSchemaPart *const parts[] = {&conf_schema_vigil_keys};
    *n_parts = 1;
    return parts;
}

static void walk(const Conf *conf, const ConfNode *node, int depth)
{
    for (const ConfNode *c = node->first_child; c != NULL && depth < 8; c = c->next) {
        (void)conf_node_child(node, c->name);
        walk(conf, c, depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    Conf *conf = conf_new();
    if (conf != NULL && conf_load_string(conf, text, "fuzz.yaml") == 0) {
        bool bad = false;
        (void)conf_size_or(conf, "flow.memcap", 0, &bad);
        (void)conf_int_or(conf, "stats.interval", 0, &bad);
        (void)conf_bool_or(conf, "stats.enabled", false, &bad);
        (void)conf_str_or(conf, "outputs.0.eve-log.filename", NULL);
        (void)conf_address_var(conf, "HOME_NET");
        walk(conf, conf_root(conf), 0);
        (void)conf_check(conf, false, NULL);
        (void)conf_report_unread(conf);
        uint16_t port;
        (void)conf_get_port(conf, "decoder.vxlan.ports", &port);
    }
    conf_free(conf);
    free(text);
    return 0;
}
