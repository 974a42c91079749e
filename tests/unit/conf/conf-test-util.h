#ifndef VG_TESTS_CONF_TEST_UTIL_H
#define VG_TESTS_CONF_TEST_UTIL_H

/* Helpers for the conf tests: a scratch directory with files in it, and a
 * capture of what util-log writes to stderr, so tests can check messages. */

#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A new empty directory; the caller frees the string after tdir_remove. */
static inline char *tdir_new(void)
{
    char *dir = strdup("/tmp/vigil-conf-test-XXXXXX");
    if (dir == NULL || mkdtemp(dir) == NULL) {
        free(dir);
        return NULL;
    }
    return dir;
}

static inline int tdir_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static inline void tdir_remove(char *dir)
{
    if (dir != NULL) {
        nftw(dir, tdir_rm_one, 16, FTW_DEPTH | FTW_PHYS);
        free(dir);
    }
}

/* dir/name; the caller frees it. */
static inline char *tdir_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p != NULL) {
        snprintf(p, n, "%s/%s", dir, name);
    }
    return p;
}

/* Write text to dir/name and return that path (caller frees); NULL on error. */
static inline char *tdir_write(const char *dir, const char *name, const char *text, size_t len)
{
    char *p = tdir_path(dir, name);
    FILE *f = p != NULL ? fopen(p, "wb") : NULL;
    if (f == NULL) {
        free(p);
        return NULL;
    }
    size_t w = fwrite(text, 1, len, f);
    fclose(f);
    if (w != len) {
        free(p);
        return NULL;
    }
    return p;
}

#define TDIR_WRITE(dir, name, text) tdir_write((dir), (name), (text), strlen(text))

/* stderr capture: begin, run the code, end returns what was written (caller frees). */
typedef struct LogCapture {
    int saved_fd;
    FILE *tmp;
} LogCapture;

static inline void log_capture_begin(LogCapture *cap)
{
    fflush(stderr);
    cap->tmp = tmpfile();
    cap->saved_fd = dup(STDERR_FILENO);
    if (cap->tmp != NULL) {
        dup2(fileno(cap->tmp), STDERR_FILENO);
    }
}

static inline char *log_capture_end(LogCapture *cap)
{
    fflush(stderr);
    dup2(cap->saved_fd, STDERR_FILENO);
    close(cap->saved_fd);
    if (cap->tmp == NULL) {
        return strdup("");
    }
    int fd = fileno(cap->tmp);
    off_t len = lseek(fd, 0, SEEK_END);
    char *text = calloc(1, len > 0 ? (size_t)len + 1 : 1);
    if (text != NULL && len > 0) {
        ssize_t r = pread(fd, text, (size_t)len, 0);
        text[r > 0 ? r : 0] = '\0';
    }
    fclose(cap->tmp);
    return text;
}

#endif
