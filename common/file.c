/*
 * Files: a bounded whole-file reader and a file's identity (to notice that
 * it changed). Leaf code: errors are returned, never logged.
 */
#include "file.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"

char *
file_slurp(const char *path, size_t max, size_t *lenp, char *err,
    size_t errlen)
{
    struct stat st;
    struct buf b;
    char chunk[8192];
    ssize_t n;
    int fd;

    buf_init(&b, max);
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
        snprintf(err, errlen, "%s: not a regular file", path);
        goto fail;
    }
    if ((uint64_t)st.st_size > max) {
        snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
        goto fail;
    }
    for (;;) {
        n = read(fd, chunk, sizeof(chunk));
        if (n == -1 && errno == EINTR)
            continue;
        if (n == -1) {
            snprintf(err, errlen, "%s: %s", path, strerror(errno));
            goto fail;
        }
        if (n == 0)
            break;
        if (buf_append(&b, chunk, (size_t)n) == -1) {
            snprintf(err, errlen, "%s: larger than %zu bytes", path, max);
            goto fail;
        }
    }
    close(fd);
    if (lenp != NULL)
        *lenp = b.len;
    return buf_steal(&b);
fail:
    close(fd);
    buf_free(&b);
    return NULL;
}

char *
file_first_line(const char *path, size_t max, size_t *lenp, char *err,
    size_t errlen)
{
    char *text;
    size_t len = 0, line;

    if ((text = file_slurp(path, max, &len, err, errlen)) == NULL)
        return NULL;
    line = strcspn(text, "\r\n");
    explicit_bzero(text + line, len - line);
    if (lenp != NULL)
        *lenp = line;
    return text;
}

void
file_id_from_stat(struct file_id *id, const struct stat *st)
{
    memset(id, 0, sizeof(*id));
    id->dev = st->st_dev;
    id->ino = st->st_ino;
    id->size = st->st_size;
    id->mtime = st->st_mtim;
    id->ctime = st->st_ctim;
}

int
file_id_get(const char *path, struct file_id *id, char *err, size_t errlen)
{
    struct stat st;
    char reason[128];

    if (stat(path, &st) == -1) {
        /* strerror_r: callers refresh from several threads. */
        if (strerror_r(errno, reason, sizeof(reason)) != 0)
            snprintf(reason, sizeof(reason), "cannot stat");
        snprintf(err, errlen, "%s: %s", path, reason);
        return -1;
    }
    file_id_from_stat(id, &st);
    return 0;
}

bool
file_id_same(const struct file_id *a, const struct file_id *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
        a->mtime.tv_sec == b->mtime.tv_sec &&
        a->mtime.tv_nsec == b->mtime.tv_nsec &&
        a->ctime.tv_sec == b->ctime.tv_sec &&
        a->ctime.tv_nsec == b->ctime.tv_nsec;
}
