/* Loads every ET Open .rules file under $VG_SHARED_DIR/data/rules/et-open and
 * checks the outcome against tests/data/etopen-expected.txt: at least as many
 * rules load as listed there, no refusal reason is more frequent than listed
 * (and none is new), and loaded + refused equals the number of enabled rules
 * that ../shared's RULE_COUNTS.tsv gives. A packet then runs through the
 * whole set.
 *
 * VG_SHARED_DIR is set by CMake when ../shared exists beside the source tree.
 * Without it the test exits 77 (ctest: skipped), except under CI=true where
 * a missing ../shared is a failure. */

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "detect-test.h"

#define MAX_REASONS 512
#define REASON_LEN 96

typedef struct Reasons {
    char text[MAX_REASONS][REASON_LEN];
    uint32_t count[MAX_REASONS];
    int n;
    uint32_t overflow; /* reasons past MAX_REASONS: always a failure */
} Reasons;

typedef struct EtOpen {
    DetectEngine *de;
    uint32_t loaded;
    uint32_t failed;
    Reasons seen;     /* what the engine said */
    Reasons expected; /* refused lines of the expectations file */
    uint32_t expected_total;
    uint32_t expected_loaded;
    uint32_t rule_counts_total; /* TOTAL enabled from RULE_COUNTS.tsv */
} EtOpen;

static char et_dir[1024];

static int reason_index(const Reasons *r, const char *text)
{
    for (int i = 0; i < r->n; i++) {
        if (strcmp(r->text[i], text) == 0) {
            return i;
        }
    }
    return -1;
}

static void reason_add(Reasons *r, const char *text, uint32_t n)
{
    int i = reason_index(r, text);
    if (i >= 0) {
        r->count[i] += n;
        return;
    }
    if (r->n == MAX_REASONS) {
        r->overflow += n;
        return;
    }
    snprintf(r->text[r->n], REASON_LEN, "%s", text);
    r->count[r->n++] = n;
}

static void on_bad(void *ctx, const char *file, int line, uint32_t sid, const char *why)
{
    (void)file;
    (void)line;
    (void)sid;
    char key[REASON_LEN];
    snprintf(key, sizeof(key), "%s", why);
    reason_add(ctx, key, 1);
}

/* tests/data/etopen-expected.txt; 0 on success. */
static int load_expected(EtOpen *et)
{
    const char *src = getenv("VG_SOURCE_DIR");
    char path[1024];
    snprintf(path, sizeof(path), "%s/tests/data/etopen-expected.txt", src ? src : VG_SOURCE_DIR);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "%s: cannot open\n", path);
        return -1;
    }
    char line[256];
    int lineno = 0;
    int rc = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        lineno++;
        line[strcspn(line, "\r\n")] = '\0';
        unsigned n = 0;
        int off = 0;
        if (line[0] == '#' || line[0] == '\0') {
            continue;
        }
        if (sscanf(line, "total %u", &n) == 1) {
            et->expected_total = n;
        } else if (sscanf(line, "loaded %u", &n) == 1) {
            et->expected_loaded = n;
        } else if (sscanf(line, "refused %u %n", &n, &off) == 1 && off > 0 && line[off] != '\0') {
            reason_add(&et->expected, line + off, n);
        } else {
            fprintf(stderr, "%s:%d: not understood: %s\n", path, lineno, line);
            rc = -1;
        }
    }
    fclose(f);
    return rc;
}

/* The TOTAL line's "enabled" column of RULE_COUNTS.tsv; 0 when absent. */
static uint32_t rule_counts_total(void)
{
    char path[1100];
    snprintf(path, sizeof(path), "%s/RULE_COUNTS.tsv", et_dir);
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        return 0;
    }
    char line[256];
    unsigned total = 0;
    while (fgets(line, sizeof(line), f) != NULL) {
        if (sscanf(line, "TOTAL\t%u", &total) == 1) {
            break;
        }
    }
    fclose(f);
    return total;
}

static int is_rules_file(const struct dirent *e)
{
    size_t len = strlen(e->d_name);
    return len > 6 && strcmp(e->d_name + len - 6, ".rules") == 0;
}

static int group_setup(void **state)
{
    static EtOpen et;
    memset(&et, 0, sizeof(et));
    if (load_expected(&et) != 0) {
        return -1;
    }
    et.rule_counts_total = rule_counts_total();
    util_log_set_level(LOG_LEVEL_ERROR);
    et.de = detect_engine_new_empty();
    if (et.de == NULL) {
        return -1;
    }
    et.de->mpm_algo = getenv("VG_MPM") ? (int)strtol(getenv("VG_MPM"), NULL, 10) : 0;
    et.de->on_bad_rule = on_bad;
    et.de->on_bad_rule_ctx = &et.seen;
    char path[2048];
    snprintf(path, sizeof(path), "%s/classification.config", et_dir);
    FILE *cf = fopen(path, "r");
    if (cf == NULL) {
        fprintf(stderr, "%s: cannot open\n", path);
        return -1;
    }
    static char cbuf[65536];
    size_t cn = fread(cbuf, 1, sizeof(cbuf) - 1, cf);
    cbuf[cn] = '\0';
    fclose(cf);
    if (detect_engine_load_classification_string(et.de, cbuf, path) != 0) {
        fprintf(stderr, "%s: not loaded\n", path);
        return -1;
    }
    struct dirent **names = NULL;
    int n = scandir(et_dir, &names, is_rules_file, alphasort);
    if (n <= 0) {
        fprintf(stderr, "%s: no .rules file\n", et_dir);
        free(names);
        return -1;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/%s", et_dir, names[i]->d_name);
        if (detect_engine_load_file(et.de, path) < 0) {
            fprintf(stderr, "%s: not loaded\n", path);
            rc = -1;
        }
        free(names[i]);
    }
    free(names);
    if (rc != 0 || detect_engine_build(et.de) != 0) {
        return -1;
    }
    detect_engine_stats(et.de, &et.loaded, &et.failed);
    printf("ET Open: %u rules loaded, %u refused, %d reasons\n", et.loaded, et.failed, et.seen.n);
    for (int i = 0; i < et.seen.n; i++) {
        printf("  %6u  %s\n", et.seen.count[i], et.seen.text[i]);
    }
    *state = &et;
    return 0;
}

static int group_teardown(void **state)
{
    EtOpen *et = *state;
    if (et != NULL) {
        detect_engine_free(et->de);
    }
    return 0;
}

static void etopen_every_enabled_rule_is_loaded_or_refused(void **state)
{
    const EtOpen *et = *state;
    assert_int_not_equal(et->rule_counts_total, 0);
    assert_int_equal(et->expected_total, et->rule_counts_total);
    assert_int_equal(et->loaded + et->failed, et->rule_counts_total);
}

static void etopen_loads_at_least_the_expected_rules(void **state)
{
    const EtOpen *et = *state;
    if (et->loaded < et->expected_loaded) {
        fail_msg("%u rules loaded, %u expected (tests/data/etopen-expected.txt)", et->loaded,
                 et->expected_loaded);
    }
}

static void etopen_refusals_stay_within_the_expected_reasons(void **state)
{
    const EtOpen *et = *state;
    assert_int_equal(et->seen.overflow, 0);
    uint32_t sum = 0;
    int bad = 0;
    for (int i = 0; i < et->seen.n; i++) {
        sum += et->seen.count[i];
        int k = reason_index(&et->expected, et->seen.text[i]);
        if (k < 0) {
            print_error("new refusal reason: %u x \"%s\"\n", et->seen.count[i], et->seen.text[i]);
            bad++;
        } else if (et->seen.count[i] > et->expected.count[k]) {
            print_error("refused %u x \"%s\", at most %u expected\n", et->seen.count[i],
                        et->seen.text[i], et->expected.count[k]);
            bad++;
        }
    }
    assert_int_equal(bad, 0);
    /* every refused rule was reported once, with its reason */
    assert_int_equal(sum, et->failed);
}

static void etopen_packet_runs_through_the_whole_set(void **state)
{
    EtOpen *et = *state;
    Packet p = { 0 };
    static const char payload[] = "GET /index.php?id=1 HTTP/1.1\r\nHost: example.com\r\n\r\n";
    test_tcp(&p, payload, sizeof(payload) - 1);
    assert_true(test_run(et->de, &p) >= 0);
    detect_packet_alerts_free(&p);
}

int main(void)
{
    const char *shared = getenv("VG_SHARED_DIR");
    snprintf(et_dir, sizeof(et_dir), "%s/data/rules/et-open", shared ? shared : "");
    DIR *d = shared != NULL && shared[0] != '\0' ? opendir(et_dir) : NULL;
    if (d == NULL) {
        const char *ci = getenv("CI");
        if (ci != NULL && strcmp(ci, "true") == 0) {
            fprintf(stderr, "test-detect-etopen: %s not found (VG_SHARED_DIR=%s); CI needs "
                    "../shared\n", et_dir, shared ? shared : "(unset)");
            return 1;
        }
        printf("test-detect-etopen: %s not found; skipped\n", et_dir);
        return 77;
    }
    closedir(d);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(etopen_every_enabled_rule_is_loaded_or_refused),
        cmocka_unit_test(etopen_loads_at_least_the_expected_rules),
        cmocka_unit_test(etopen_refusals_stay_within_the_expected_reasons),
        cmocka_unit_test(etopen_packet_runs_through_the_whole_set),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
