/* Text log files (fast.log, stats.log) shared by several threads and
 * reopened on SIGHUP. */

#include "output/output.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/util-error.h"
#include "util/util-log.h"

struct OutputTextFile {
    pthread_mutex_t lock;        // serialises writers, reopen and the stream
    FILE *f;
    char *path;
};

/* O_APPEND: every write lands at the current end of the file, so a file
 * truncated under us (logrotate copytruncate) is written from its new start,
 * without a hole of zeros where the old end was. */
static FILE *open_append(const char *path)
{
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) {
        return NULL;
    }
    FILE *f = fdopen(fd, "a");
    if (f == NULL) {
        int err = errno;
        close(fd);
        errno = err;
    }
    return f;
}

OutputTextFile *output_text_file_open(const char *path)
{
    OutputTextFile *tf = calloc(1, sizeof(*tf));
    if (tf == NULL) {
        return NULL;
    }
    tf->path = strdup(path);
    if (tf->path == NULL) {
        goto fail_path;
    }
    tf->f = open_append(path);
    if (tf->f == NULL) {
        VG_ERROR("%s: cannot open for writing: %s", path, strerror(errno));
        goto fail_open;
    }
    if (pthread_mutex_init(&tf->lock, NULL) != 0) {
        goto fail_mutex;
    }
    return tf;

fail_mutex:
    fclose(tf->f);
fail_open:
    free(tf->path);
fail_path:
    free(tf);
    return NULL;
}

FILE *output_text_file_lock(OutputTextFile *tf)
{
    pthread_mutex_lock(&tf->lock);
    return tf->f;
}

void output_text_file_unlock(OutputTextFile *tf)
{
    pthread_mutex_unlock(&tf->lock);
}

int output_text_file_write(OutputTextFile *tf, const char *text)
{
    FILE *f = output_text_file_lock(tf);
    int rc = fputs(text, f) < 0 ? VG_EIO : 0;
    if (rc != 0) {
        clearerr(f);
    }
    output_text_file_unlock(tf);
    return rc;
}

int output_text_file_reopen(OutputTextFile *tf)
{
    /* Open the new file before touching the old one: a failed reopen keeps
     * logging to the old file, and writers never see a closed stream. */
    FILE *nf = open_append(tf->path);
    if (nf == NULL) {
        VG_ERROR("%s: cannot reopen, still writing to the previous file: %s", tf->path,
                 strerror(errno));
        return VG_EIO;
    }
    /* Lines still buffered for the old file go to it, before any write
     * through the new stream: nothing is lost when the file was renamed
     * (logrotate create), and when the path still names the same file (a
     * SIGHUP without rotation, copytruncate) the tail of a line that stdio
     * had half written cannot land after lines of the new stream. */
    pthread_mutex_lock(&tf->lock);
    FILE *old = tf->f;
    (void)fflush(old);
    tf->f = nf;
    pthread_mutex_unlock(&tf->lock);
    fclose(old);
    return 0;
}

const char *output_text_file_path(const OutputTextFile *tf)
{
    return tf->path;
}

void output_text_file_close(OutputTextFile *tf)
{
    if (tf == NULL) {
        return;
    }
    fclose(tf->f);
    pthread_mutex_destroy(&tf->lock);
    free(tf->path);
    free(tf);
}
