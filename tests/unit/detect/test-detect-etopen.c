/* Loads every ET Open .rules file under $VG_SHARED_DIR/data/rules/et-open (if
 * present): no crash, no leak, and a summary of refusal reasons on stdout. */

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>
#include <time.h>

#include "detect-test.h"

#define MAX_REASONS 512

typedef struct Reasons {
    char text[MAX_REASONS][96];
    uint32_t count[MAX_REASONS];
    int n;
    uint32_t other;
} Reasons;

static void on_bad(void *ctx, const char *file, int line, uint32_t sid, const char *why)
{
    (void)file;
    (void)line;
    (void)sid;
    Reasons *r = ctx;
    char key[96];
    snprintf(key, sizeof(key), "%s", why);
    /* Group by reason kind: keep text up to the first quote's closing quote. */
    for (int i = 0; i < r->n; i++) {
        if (strcmp(r->text[i], key) == 0) {
            r->count[i]++;
            return;
        }
    }
    if (r->n == MAX_REASONS) {
        r->other++;
        return;
    }
    memcpy(r->text[r->n], key, sizeof(key));
    r->count[r->n++] = 1;
}

static void print_top(const Reasons *r)
{
    bool used[MAX_REASONS] = { false };
    for (int k = 0; k < 25 && k < r->n; k++) {
        int best = -1;
        for (int i = 0; i < r->n; i++) {
            if (!used[i] && (best < 0 || r->count[i] > r->count[best])) {
                best = i;
            }
        }
        used[best] = true;
        printf("  %6u  %s\n", r->count[best], r->text[best]);
    }
}

static void etopen_loads_without_crash(void **state)
{
    (void)state;
    const char *shared = getenv("VG_SHARED_DIR");
    char dir[1024];
    snprintf(dir, sizeof(dir), "%s/data/rules/et-open", shared ? shared : "");
    DIR *d = shared ? opendir(dir) : NULL;
    if (d == NULL) {
        skip();
    }
    util_log_set_level(LOG_LEVEL_ERROR);
    DetectEngine *de = detect_engine_new_empty();
    assert_non_null(de);
    static Reasons reasons;
    de->mpm_algo = getenv("VG_MPM") ? atoi(getenv("VG_MPM")) : 0;
    de->on_bad_rule = on_bad;
    de->on_bad_rule_ctx = &reasons;
    char path[2048];
    snprintf(path, sizeof(path), "%s/classification.config", dir);
    FILE *cf = fopen(path, "r");
    assert_non_null(cf);
    static char cbuf[65536];
    size_t cn = fread(cbuf, 1, sizeof(cbuf) - 1, cf);
    cbuf[cn] = '\0';
    fclose(cf);
    assert_int_equal(detect_engine_load_classification_string(de, cbuf, path), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 6 && strcmp(e->d_name + len - 6, ".rules") == 0) {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            assert_true(detect_engine_load_file(de, path) >= 0);
        }
    }
    closedir(d);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(detect_engine_build(de), 0);
    struct timespec t2;
    clock_gettime(CLOCK_MONOTONIC, &t2);
    uint32_t loaded, failed;
    detect_engine_stats(de, &loaded, &failed);
    printf("ET Open: %u rules loaded, %u failed; parse %.2f s, build %.2f s, %u groups\n",
           loaded, failed, (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
           (double)(t2.tv_sec - t1.tv_sec) + (t2.tv_nsec - t1.tv_nsec) / 1e9, de->n_groups);
    print_top(&reasons);
    /* a packet through the whole set: no crash */
    Packet p = { 0 };
    static const char payload[] = "GET /index.php?id=1 HTTP/1.1\r\nHost: example.com\r\n\r\n";
    test_tcp(&p, payload, sizeof(payload) - 1);
    assert_true(test_run(de, &p) >= 0);
    detect_packet_alerts_free(&p);
    detect_engine_free(de);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(etopen_loads_without_crash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
