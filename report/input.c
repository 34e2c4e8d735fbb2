/*
 * Chunked line reader over zlib's gzread, which passes plain files through
 * unchanged and inflates gzip ones (several members too), so one code path
 * serves both. Lines are found with memchr in a REPORT_READ_BUF buffer;
 * the unfinished tail moves to the front before the next read.
 */
#include "input.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "alexis_limits.h"
#include "xmem.h"

struct input {
    gzFile      gz;
    char       *path;
    char       *buf;
    size_t      start;      /* first byte not yet returned */
    size_t      end;        /* one past the last byte read */
    bool        eof;
    bool        skipping;   /* inside a line that is being cut */
    bool        gzip;
    uint64_t    cut;
};

struct input *
input_open(const char *path, char *err, size_t errlen)
{
    struct input *in = NULL;
    int fd = -1;

    if (strcmp(path, "-") == 0)
        fd = dup(STDIN_FILENO);
    else
        fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        (void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
        goto fail;
    }
    in = xcalloc(1, sizeof(*in));
    in->path = xstrdup(strcmp(path, "-") == 0 ? "(stdin)" : path);
    if ((in->gz = gzdopen(fd, "rb")) == NULL) {
        (void)snprintf(err, errlen, "%s: cannot set up zlib", path);
        goto fail;
    }
    /* fd is the gzFile's now: gzclose in input_free closes it, and no
     * later failure may close it again. */
    fd = -1;    /* NOLINT(clang-analyzer-deadcode.DeadStores) */
    (void)gzbuffer(in->gz, REPORT_GZ_BUF);
    in->buf = xmalloc(REPORT_READ_BUF);
    return in;
fail:
    if (fd != -1)
        (void)close(fd);
    input_free(in);
    return NULL;
}

void
input_free(struct input *in)
{
    if (in == NULL)
        return;
    if (in->gz != NULL)
        (void)gzclose_r(in->gz);
    free(in->buf);
    free(in->path);
    free(in);
}

uint64_t
input_cut(const struct input *in)
{
    return in->cut;
}

bool
input_is_gzip(const struct input *in)
{
    return in->gzip;
}

/* Move the unfinished tail to the front and read more after it. */
static int
refill(struct input *in, char *err, size_t errlen)
{
    size_t keep = in->end - in->start;
    int n, zerr = Z_OK;
    const char *msg;

    if (keep > 0 && in->start > 0)
        memmove(in->buf, in->buf + in->start, keep);
    in->start = 0;
    in->end = keep;
    n = gzread(in->gz, in->buf + keep, (unsigned)(REPORT_READ_BUF - keep));
    /* A gzip stream that ends early reads as end of file with the error
     * Z_BUF_ERROR left in the state, so ask at the end as well. */
    if (n == 0)
        (void)gzerror(in->gz, &zerr);
    if (n < 0 || (n == 0 && zerr != Z_OK)) {
        msg = gzerror(in->gz, &zerr);
        if (zerr == Z_ERRNO)
            msg = strerror(errno);
        (void)snprintf(err, errlen, "%s: %s", in->path, msg);
        in->eof = true;
        return -1;
    }
    if (n == 0)
        in->eof = true;
    in->gzip = gzdirect(in->gz) == 0;
    in->end += (size_t)n;
    return 0;
}

int
input_next(struct input *in, const char **line, size_t *len, char *err,
    size_t errlen)
{
    char *nl;
    size_t avail;

    for (;;) {
        avail = in->end - in->start;
        nl = avail > 0 ? memchr(in->buf + in->start, '\n', avail) : NULL;
        if (nl != NULL) {
            *line = in->buf + in->start;
            *len = (size_t)(nl - *line);
            in->start += *len + 1;
            if (in->skipping || *len >= LOG_LINE_MAX) {
                in->skipping = false;
                in->cut++;
                continue;
            }
            return 1;
        }
        if (avail >= LOG_LINE_MAX) {
            /* Too long already: drop what we have, skip to the newline. */
            in->skipping = true;
            in->start = in->end = 0;
            avail = 0;
        }
        if (in->eof) {
            in->start = in->end;
            if (in->skipping) {
                in->skipping = false;
                in->cut++;
                return 0;
            }
            if (avail == 0)
                return 0;
            *line = in->buf + in->end - avail;
            *len = avail;
            return 1;
        }
        if (refill(in, err, errlen) == -1)
            return -1;
    }
}
