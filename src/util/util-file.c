#include "util/util-file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

/* Grows buf (cap bytes) towards twice its size, never past limit: 0, or
 * ENOMEM (buf unchanged). */
static int grow(char **buf, size_t *cap, size_t limit)
{
    size_t ncap = *cap > limit / 2 ? limit : *cap * 2;
    char *nb = realloc(*buf, ncap);
    if (nb == NULL) {
        return ENOMEM;
    }
    *buf = nb;
    *cap = ncap;
    return 0;
}

/* EFBIG when f is a regular file larger than max_bytes (no need to read it
 * to know); 0 otherwise, devices and pipes included. */
static int check_size(FILE *f, size_t max_bytes)
{
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) &&
        (unsigned long long)st.st_size > (unsigned long long)max_bytes) {
        return EFBIG;
    }
    return 0;
}

char *util_file_read(const char *path, size_t max_bytes, size_t *len, int *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *err = errno;
        return NULL;
    }
    /* Room for max_bytes, one byte more to detect a larger input, and the
     * appended NUL. */
    size_t limit = max_bytes > (size_t)-1 - 2 ? (size_t)-1 : max_bytes + 2;
    size_t cap = limit < 65536 ? limit : 65536;
    size_t n = 0;
    char *buf = NULL;
    *err = check_size(f, max_bytes);
    if (*err == 0) {
        buf = malloc(cap);
        *err = buf != NULL ? 0 : ENOMEM;
    }
    while (*err == 0) {
        if (n + 1 >= cap) {
            if (cap == limit) {
                *err = EFBIG;
                break;
            }
            if ((*err = grow(&buf, &cap, limit)) != 0) {
                break;
            }
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (n > max_bytes) {
            *err = EFBIG;
        } else if (got == 0) {
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

void util_lines_init(UtilLines *it, const char *buf, size_t len)
{
    it->p = buf;
    it->end = buf + len;
    it->line = 0;
}

bool util_lines_next(UtilLines *it, const char **line, size_t *len)
{
    if (it->p >= it->end) {
        return false;
    }
    size_t left = (size_t)(it->end - it->p);
    const char *eol = memchr(it->p, '\n', left);
    size_t n = eol != NULL ? (size_t)(eol - it->p) : left;
    *line = it->p;
    it->p += eol != NULL ? n + 1 : n;
    if (n > 0 && (*line)[n - 1] == '\r') {
        n--;
    }
    *len = n;
    it->line++;
    return true;
}

static inline bool is_binary_byte(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

/* Eight bytes at a time (rule files are read whole, ~20 MB for ET Open): a word
 * holding no byte below 0x20 and no 0x7f is skipped; one that may (a tab, or a
 * borrow of the test) is checked byte by byte. */
bool util_text_has_binary(const char *s, size_t len, size_t *at)
{
    const uint64_t ones = 0x0101010101010101ull;
    const uint64_t highs = 0x8080808080808080ull;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, sizeof(w));
        uint64_t below = (w - ones * 0x20u) & ~w & highs;   // some byte < 0x20
        uint64_t x = w ^ (ones * 0x7fu);
        uint64_t del = (x - ones) & ~x & highs;             // some byte == 0x7f
        if ((below | del) == 0) {
            continue;
        }
        for (size_t k = i; k < i + 8; k++) {
            if (is_binary_byte((unsigned char)s[k])) {
                if (at != NULL) {
                    *at = k;
                }
                return true;
            }
        }
    }
    for (; i < len; i++) {
        if (is_binary_byte((unsigned char)s[i])) {
            if (at != NULL) {
                *at = i;
            }
            return true;
        }
    }
    return false;
}
