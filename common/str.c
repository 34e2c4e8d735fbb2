/*
 * Bounded strings and buffers, checked number and duration parsing, and a
 * bounded file reader. Leaf code: errors are returned, never logged.
 */
#include "str.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xmem.h"

void
buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

static int
buf_reserve(struct buf *b, size_t n)
{
    size_t want, cap;

    if (n > b->max - b->len)
        return -1;
    want = b->len + n + 1;
    if (b->data != NULL && want <= b->cap)
        return 0;
    cap = b->cap == 0 ? 256 : b->cap;
    while (cap < want)
        cap *= 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    b->data = xreallocarray(b->data, cap, 1);
    b->cap = cap;
    return 0;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) == -1)
        return -1;
    if (n > 0)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int
buf_appends(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int
buf_appendf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    char *big = NULL;
    int n, rc;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n < sizeof(small))
        return buf_append(b, small, (size_t)n);
    if ((size_t)n > b->max - b->len)
        return -1;
    big = xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    (void)vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    rc = buf_append(b, big, (size_t)n);
    free(big);
    return rc;
}

char *
buf_steal(struct buf *b)
{
    char *p = b->data;

    if (p == NULL)
        p = xstrdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return p;
}

void
buf_free(struct buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

int
str_to_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out,
    const char **errstr)
{
    unsigned long long v;
    char *end;

    if (s == NULL || *s == '\0' || !isdigit((unsigned char)*s)) {
        *errstr = "invalid";
        return -1;
    }
    errno = 0;
    v = strtoull(s, &end, 10);
    if (*end != '\0') {
        *errstr = "invalid";
        return -1;
    }
    if (errno == ERANGE || v > max) {
        *errstr = "too large";
        return -1;
    }
    if (v < min) {
        *errstr = "too small";
        return -1;
    }
    *out = v;
    return 0;
}

int
str_to_duration_ms(const char *s, uint64_t max_ms, uint64_t *out,
    const char **errstr)
{
    static const struct {
        const char *suffix;
        uint64_t    mult;
    } units[] = {
        { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
        { "d", 86400000 },
        { "", 1000 },
    };
    char num[32];
    size_t i, n;
    uint64_t v;

    if (s == NULL) {
        *errstr = "invalid";
        return -1;
    }
    n = strspn(s, "0123456789");
    if (n == 0 || n >= sizeof(num)) {
        *errstr = "invalid";
        return -1;
    }
    memcpy(num, s, n);
    num[n] = '\0';
    for (i = 0; i < NELEM(units); i++) {
        if (strcmp(s + n, units[i].suffix) != 0)
            continue;
        if (str_to_u64(num, 0, UINT64_MAX / units[i].mult, &v,
            errstr) == -1)
            return -1;
        v *= units[i].mult;
        if (v > max_ms) {
            *errstr = "too large";
            return -1;
        }
        *out = v;
        return 0;
    }
    *errstr = "invalid";
    return -1;
}

bool
str_eq_nocase(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return false;
    for (; *a != '\0' && *b != '\0'; a++, b++) {
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
            return false;
    }
    return *a == *b;
}

bool
str_has_suffix(const char *s, const char *suffix)
{
    size_t ls = strlen(s), lx = strlen(suffix);

    return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

void
str_redact(char *s, size_t size, const char *what, const char *label)
{
    const char *p, *hit;
    struct buf b;
    size_t n;

    if (what == NULL || *what == '\0' || size == 0 ||
        strstr(s, what) == NULL)
        return;
    n = strlen(what);
    /* Room for the whole result; snprintf then cuts it to size. */
    buf_init(&b, size * (strlen(label) + 1) + 1);
    for (p = s; (hit = strstr(p, what)) != NULL; p = hit + n) {
        (void)!buf_append(&b, p, (size_t)(hit - p));
        (void)!buf_appends(&b, label);
    }
    (void)!buf_appends(&b, p);
    (void)snprintf(s, size, "%s", b.data != NULL ? b.data : "");
    buf_free(&b);
}

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
path_join(const char *dir, const char *name)
{
    struct buf b;
    size_t dl;

    if (name[0] == '/' || dir == NULL || dir[0] == '\0')
        return xstrdup(name);
    dl = strlen(dir);
    buf_init(&b, dl + strlen(name) + 2);
    if (buf_append(&b, dir, dl) == -1 ||
        (dir[dl - 1] != '/' && buf_append(&b, "/", 1) == -1) ||
        buf_appends(&b, name) == -1)
        abort();    /* sized exactly above: cannot happen */
    return buf_steal(&b);
}

char *
path_dirname(const char *path)
{
    const char *slash = strrchr(path, '/');

    if (slash == NULL)
        return xstrdup(".");
    if (slash == path)
        return xstrdup("/");
    return xstrndup(path, (size_t)(slash - path));
}

uint64_t
now_ms(void)
{
    return now_us() / 1000;
}

uint64_t
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

uint64_t
now_wall_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

void
sleep_ms(long ms)
{
    struct timespec ts;

    if (ms <= 0)
        return;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        continue;
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
