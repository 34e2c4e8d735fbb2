/*
 * Files: a bounded whole-file reader, a secret file's first line, and a
 * file's identity, to notice cheaply that it changed. Nothing here logs;
 * errors come back as one sentence in a caller-owned buffer.
 */
#ifndef ALEXIS_FILE_H
#define ALEXIS_FILE_H

#include <sys/stat.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "compat.h"

/* Read a whole file of at most max bytes into a NUL-terminated string
 * (caller frees). *lenp (optional) receives the length. NULL on error with
 * "<path>: <reason>" in err. */
char *file_slurp(const char *path, size_t max, size_t *lenp, char *err,
    size_t errlen);

/* The first line of a file of at most max bytes (a password or passphrase
 * file), without its line end: file_slurp, cut at the first CR or LF, the
 * rest wiped. Caller wipes and frees. *lenp (optional) receives the line's
 * length. NULL with "<path>: <reason>" in err. */
char *file_first_line(const char *path, size_t max, size_t *lenp, char *err,
    size_t errlen);

/* A file's identity, to notice cheaply that it changed (replaced, edited,
 * touched): device, inode, size, mtime and ctime. */
struct file_id {
    dev_t           dev;
    ino_t           ino;
    off_t           size;
    struct timespec mtime;
    struct timespec ctime;
};

/* Fill id from st. */
void file_id_from_stat(struct file_id *id, const struct stat *st);

/* stat(2) path into id. -1 with "<path>: <reason>" in err. */
int file_id_get(const char *path, struct file_id *id, char *err,
    size_t errlen) ATTR_WUR;

/* Whether a and b are the same version of the same file. */
bool file_id_same(const struct file_id *a, const struct file_id *b);

#endif
