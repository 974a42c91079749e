#ifndef VG_UTIL_UTIL_FILE_H
#define VG_UTIL_UTIL_FILE_H

/* Whole-file reads for start-up data (rule files, classification and
 * threshold files). Not for the packet path. */

#include <stddef.h>

/* The contents of path, NUL-terminated, in a malloc'd buffer the caller
 * frees; NULL on failure with *err set to the errno value (ENOMEM when out
 * of memory, EFBIG when the buffer would have to grow past max_bytes). *len
 * (if non-NULL) gets the byte count. */
char *util_file_read(const char *path, size_t max_bytes, size_t *len, int *err)
    __attribute__((warn_unused_result));

#endif
