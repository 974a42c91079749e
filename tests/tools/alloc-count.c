/* Counting allocator for tests (LD_PRELOAD): counts malloc, calloc, realloc,
 * posix_memalign, aligned_alloc and strdup-style allocations made by packet
 * threads (threads named W#nn, RX#nn, FW#nn: the runtime's packet threads)
 * by call site: the innermost caller inside the main program (so that an
 * allocation libc, libhtp or libmagic makes is charged to the engine code that
 * called them), else the direct caller. Writes them at exit to the file named
 * by VG_ALLOC_OUT:
 *
 *   total N
 *   OBJECT OFFSET COUNT      (one line per call site, OFFSET hex in OBJECT)
 *
 * tests/scenarios/test-alloc-steady.sh runs the engine over a capture and a
 * prefix of it and subtracts, which leaves the allocations of the packets
 * after the prefix: the steady state. Built by that script with the system
 * compiler (cc -shared -fPIC); not part of the engine. glibc only: it calls
 * __libc_malloc and friends, which glibc exports for such wrappers. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <execinfo.h>
#include <link.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

#define SITES 8192u

static uintptr_t g_site[SITES];
static uint64_t g_count[SITES];
static uint64_t g_total;
static __thread int t_kind;       // 0: not looked at yet, 1: packet thread, 2: other
static __thread int t_busy;       // inside the counter (pthread_getname_np may allocate)

static int is_packet_thread(void)
{
    if (t_kind == 1) {
        return 1;
    }
    /* Not cached as "other" for good: a packet thread is named after its
     * first allocations (pthread_setname_np at the start of its body). */
    char name[16] = "";
    t_busy = 1;
    int rc = pthread_getname_np(pthread_self(), name, sizeof(name));
    t_busy = 0;
    if (rc == 0 && (strncmp(name, "W#", 2) == 0 || strncmp(name, "RX#", 3) == 0 ||
                    strncmp(name, "FW#", 3) == 0)) {
        t_kind = 1;
        return 1;
    }
    return 0;
}

static uintptr_t g_main_lo;
static uintptr_t g_main_hi;

static int find_main(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    (void)arg;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type == PT_LOAD && (ph->p_flags & PF_X)) {
            g_main_lo = info->dlpi_addr + ph->p_vaddr;
            g_main_hi = g_main_lo + ph->p_memsz;
        }
    }
    return 1;   // the first object is the main program
}

/* The innermost return address inside the main program's code, else direct. */
static uintptr_t engine_site(uintptr_t direct)
{
    if (g_main_hi == 0) {
        dl_iterate_phdr(find_main, NULL);
    }
    if (direct >= g_main_lo && direct < g_main_hi) {
        return direct;
    }
    void *bt[24];
    int n = backtrace(bt, 24);
    for (int i = 1; i < n; i++) {
        uintptr_t a = (uintptr_t)bt[i];
        if (a >= g_main_lo && a < g_main_hi) {
            return a;
        }
    }
    return direct;
}

static void count(uintptr_t direct)
{
    if (t_busy || !is_packet_thread()) {
        return;
    }
    t_busy = 1;   // backtrace may allocate (it loads the unwinder once)
    uintptr_t site = engine_site(direct);
    t_busy = 0;
    __atomic_add_fetch(&g_total, 1, __ATOMIC_RELAXED);
    uint32_t h = (uint32_t)((site * 0x9e3779b97f4a7c15ull) >> 40) & (SITES - 1);
    for (uint32_t i = 0; i < SITES; i++, h = (h + 1) & (SITES - 1)) {
        uintptr_t cur = __atomic_load_n(&g_site[h], __ATOMIC_ACQUIRE);
        if (cur == 0) {
            uintptr_t zero = 0;
            if (__atomic_compare_exchange_n(&g_site[h], &zero, site, false, __ATOMIC_ACQ_REL,
                                            __ATOMIC_ACQUIRE)) {
                cur = site;
            } else {
                cur = zero;
            }
        }
        if (cur == site) {
            __atomic_add_fetch(&g_count[h], 1, __ATOMIC_RELAXED);
            return;
        }
    }
}

#define SITE ((uintptr_t)__builtin_return_address(0))

void *malloc(size_t n)
{
    count(SITE);
    return __libc_malloc(n);
}

void *calloc(size_t a, size_t b)
{
    count(SITE);
    return __libc_calloc(a, b);
}

void *realloc(void *p, size_t n)
{
    count(SITE);
    return __libc_realloc(p, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
    count(SITE);
    void *p = __libc_memalign(align, n);
    if (p == NULL) {
        return 12;   // ENOMEM
    }
    *out = p;
    return 0;
}

void *aligned_alloc(size_t align, size_t n)
{
    count(SITE);
    return __libc_memalign(align, n);
}

__attribute__((destructor)) static void dump(void)
{
    const char *path = getenv("VG_ALLOC_OUT");
    if (path == NULL) {
        return;
    }
    t_busy = 1;
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        return;
    }
    fprintf(f, "total %llu\n", (unsigned long long)g_total);
    for (uint32_t i = 0; i < SITES; i++) {
        if (g_site[i] == 0) {
            continue;
        }
        Dl_info di;
        const char *obj = "?";
        uintptr_t off = g_site[i];
        if (dladdr((void *)g_site[i], &di) != 0 && di.dli_fname != NULL) {
            obj = di.dli_fname;
            off = g_site[i] - (uintptr_t)di.dli_fbase;
        }
        fprintf(f, "%s %llx %llu\n", obj, (unsigned long long)off,
                (unsigned long long)g_count[i]);
    }
    fclose(f);
}
