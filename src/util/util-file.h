#ifndef VG_UTIL_UTIL_FILE_H
#define VG_UTIL_UTIL_FILE_H

/* Whole-file reads for start-up data (rule files, classification and
 * threshold files) and a line iterator over what was read. Not for the
 * packet path. Text is handled with lengths throughout: a NUL byte is data,
 * never an end of input. */

#include <stdbool.h>
#include <stddef.h>

/* The contents of path in a malloc'd buffer the caller frees (a NUL is
 * appended after the last byte for convenience; the file itself may hold
 * NULs, so use *len). NULL on failure with *err set to the errno value
 * (ENOMEM when out of memory, EFBIG when the file holds more than
 * max_bytes bytes: at most max_bytes + 1 bytes are read to find out, so a
 * device like /dev/zero costs no more). *len (if non-NULL) gets the byte
 * count. */
char *util_file_read(const char *path, size_t max_bytes, size_t *len, int *err)
    __attribute__((warn_unused_result));

/* Lines of a buffer, by length: "\n" ends a line, a "\r" before it is
 * dropped, the last line may lack its "\n". Numbers start at 1. */
typedef struct UtilLines {
    const char *p;
    const char *end;
    int line;                    // number of the line last returned
} UtilLines;

void util_lines_init(UtilLines *it, const char *buf, size_t len);
/* The next line (without its end of line) or false at the end. */
bool util_lines_next(UtilLines *it, const char **line, size_t *len);

/* True when s holds a byte that text files do not: a control byte other
 * than tab (NUL, other C0 controls, DEL). Bytes >= 0x80 (UTF-8) are text.
 * *at (if non-NULL) gets the offset of the first such byte. */
bool util_text_has_binary(const char *s, size_t len, size_t *at);

#endif
