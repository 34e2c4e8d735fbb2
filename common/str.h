/*
 * Small string and buffer helpers with hard bounds: a growable buffer with a
 * maximum (curl's dynbuf idea), checked number parsing, and a bounded file
 * reader. Nothing here logs; errors come back as one sentence in a
 * caller-owned buffer.
 */
#ifndef ALEXIS_STR_H
#define ALEXIS_STR_H

#include <sys/stat.h>
#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "compat.h"

/* A NUL-terminated growable buffer that refuses to grow past max bytes. */
struct buf {
    char   *data;   /* NULL until the first append; always NUL-terminated */
    size_t  len;
    size_t  cap;
    size_t  max;    /* hard limit on len */
};

/* Prepare an empty buffer limited to max bytes of content. */
void buf_init(struct buf *b, size_t max);
/* Append n bytes; -1 (buffer unchanged) if len would exceed max. */
int buf_append(struct buf *b, const void *p, size_t n) ATTR_WUR;
int buf_appends(struct buf *b, const char *s) ATTR_WUR;
int buf_appendf(struct buf *b, const char *fmt, ...) ATTR_PRINTF(2, 3) ATTR_WUR;
/* Hand the data to the caller (caller frees) and reset the buffer. Never
 * NULL: an empty buffer yields "". */
char *buf_steal(struct buf *b);
/* Free the data; the buffer may be reused after buf_init. Accepts zeroed. */
void buf_free(struct buf *b);

/* Parse a base-10 unsigned integer in [min, max]. The whole string must be
 * digits (no sign, no spaces). On error returns -1 and sets *errstr to a
 * static phrase ("invalid", "too small", "too large"). */
int str_to_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
    const char **errstr) ATTR_WUR;

/* Parse a duration: a bare number is seconds; suffixes ms, s, m, h, d.
 * Result in milliseconds, bounded by max_ms. -1 and *errstr on error. */
int str_to_duration_ms(const char *s, uint64_t max_ms, uint64_t *out,
    const char **errstr) ATTR_WUR;

/* Case-insensitive ASCII equality. */
bool str_eq_nocase(const char *a, const char *b);

/* True when s ends with suffix. */
bool str_has_suffix(const char *s, const char *suffix);

/* Replace every occurrence of what (ignored when NULL or "") in s, a
 * NUL-terminated string in a buffer of size bytes, with label, cutting the
 * result to fit. For messages that must say what failed without saying
 * where a secret lives (a key's or known_hosts' path). */
void str_redact(char *s, size_t size, const char *what, const char *label);

/* Read a whole file of at most max bytes into a NUL-terminated string
 * (caller frees). *lenp (optional) receives the length. NULL on error with
 * "<path>: <reason>" in err. */
char *file_slurp(const char *path, size_t max, size_t *lenp, char *err,
    size_t errlen);

/* Join dir and name with one '/' unless name is absolute (caller frees). */
char *path_join(const char *dir, const char *name);

/* Directory part of path ("." when none; caller frees). */
char *path_dirname(const char *path);

/* Monotonic clock in milliseconds / microseconds. */
uint64_t now_ms(void);
uint64_t now_us(void);

/* Wall-clock time (CLOCK_REALTIME) in milliseconds since the epoch: for
 * timestamps stored or sent, never for measuring durations. */
uint64_t now_wall_ms(void);

/* Sleep ms milliseconds, resuming after signals. */
void sleep_ms(long ms);

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
