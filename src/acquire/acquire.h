#ifndef VG_ACQUIRE_ACQUIRE_H
#define VG_ACQUIRE_ACQUIRE_H

/* Capture backends. Each is a thread module of kind TM_KIND_ACQUIRE. */

#include <stdbool.h>
#include <stddef.h>

/* The capture files a -r PATH names: the file itself (which must be
 * readable), or the regular files below a directory, subdirectories
 * included (each directory in name order, hidden entries left out). Returns
 * the count (0 on error, logged); *out is a malloc'd array of malloc'd
 * paths, freed with acquire_files_free. */
size_t acquire_list_files(const char *path, char ***out);
void acquire_files_free(char **files, size_t n);

#endif
