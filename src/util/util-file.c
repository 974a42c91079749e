#include "util/util-file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

/* Doubles buf (cap bytes) in place: 0, or ENOMEM / EFBIG (buf unchanged). */
static int grow(char **buf, size_t *cap, size_t max_bytes)
{
    if (*cap > max_bytes) {
        return EFBIG;
    }
    char *nb = realloc(*buf, *cap * 2);
    if (nb == NULL) {
        return ENOMEM;
    }
    *buf = nb;
    *cap *= 2;
    return 0;
}

char *util_file_read(const char *path, size_t max_bytes, size_t *len, int *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *err = errno;
        return NULL;
    }
    size_t cap = 65536;
    size_t n = 0;
    char *buf = malloc(cap);
    *err = buf != NULL ? 0 : ENOMEM;
    while (*err == 0) {
        if (n + 1 >= cap && (*err = grow(&buf, &cap, max_bytes)) != 0) {
            break;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            *err = ferror(f) ? EIO : 0;
            break;
        }
    }
    fclose(f);
    if (*err != 0) {
        free(buf);
        return NULL;
    }
    buf[n] = '\0';
    if (len != NULL) {
        *len = n;
    }
    return buf;
}
