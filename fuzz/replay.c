/*
 * A main() for the fuzz targets when libFuzzer is not linked (gcc, or any
 * normal build): runs LLVMFuzzerTestOneInput once over every file named on
 * the command line, and over every file of every directory named, in name
 * order. ctest uses it to replay each target's seed corpus (fuzz/corpus/)
 * under the test build's sanitizers, so an input that once crashed stays
 * a regression test. Each input is copied into an allocation of exactly
 * its size, as libFuzzer does, so a read past its end is caught.
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Far above what libFuzzer writes (its -max_len defaults to 4096). */
#define REPLAY_FILE_MAX     (1024 * 1024)
#define REPLAY_PATH_MAX     4096

/* Read the regular file at path and run it. Returns 0, or -1 with the
 * reason printed. */
static int
replay_file(const char *path)
{
    struct stat st;
    uint8_t *data = NULL;
    size_t off = 0, size;
    ssize_t n;
    int fd, rc = -1;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
        fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
        st.st_size > REPLAY_FILE_MAX) {
        fprintf(stderr, "replay: %s: not a regular file of at most %d "
            "bytes\n", path, REPLAY_FILE_MAX);
        goto out;
    }
    size = (size_t)st.st_size;
    /* malloc(0) may return NULL; libFuzzer also hands out a valid pointer
     * for an empty input. */
    if ((data = malloc(size > 0 ? size : 1)) == NULL) {
        fprintf(stderr, "replay: out of memory\n");
        goto out;
    }
    while (off < size) {
        n = read(fd, data + off, size - off);
        if (n == -1 && errno == EINTR)
            continue;
        if (n <= 0) {
            fprintf(stderr, "replay: %s: short read\n", path);
            goto out;
        }
        off += (size_t)n;
    }
    /* Named first, so that a crash report says which input it was. */
    fprintf(stderr, "replay: %s (%zu bytes)\n", path, size);
    (void)LLVMFuzzerTestOneInput(data, size);
    rc = 0;
out:
    free(data);
    close(fd);
    return rc;
}

static int
skip_hidden(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

/* Run every file of dir in name order; *count grows by the files run. */
static int
replay_dir(const char *dir, size_t *count)
{
    struct dirent **names = NULL;
    char path[REPLAY_PATH_MAX];
    int i, n, rc = 0;

    if ((n = scandir(dir, &names, skip_hidden, alphasort)) == -1) {
        fprintf(stderr, "replay: %s: %s\n", dir, strerror(errno));
        return -1;
    }
    for (i = 0; i < n; i++) {
        if (snprintf(path, sizeof(path), "%s/%s", dir,
            names[i]->d_name) >= (int)sizeof(path)) {
            fprintf(stderr, "replay: %s/%s: path too long\n", dir,
                names[i]->d_name);
            rc = -1;
        } else if (replay_file(path) == -1) {
            rc = -1;
        } else {
            (*count)++;
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

int
main(int argc, char **argv)
{
    struct stat st;
    size_t count = 0;
    int i, rc = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: %s file-or-directory...\n", argv[0]);
        return 2;
    }
    for (i = 1; i < argc; i++) {
        if (stat(argv[i], &st) == -1) {
            fprintf(stderr, "replay: %s: %s\n", argv[i], strerror(errno));
            rc = 1;
        } else if (S_ISDIR(st.st_mode)) {
            if (replay_dir(argv[i], &count) == -1)
                rc = 1;
        } else if (replay_file(argv[i]) == -1) {
            rc = 1;
        } else {
            count++;
        }
    }
    /* An empty corpus would make the regression test pass vacuously. */
    if (count == 0) {
        fprintf(stderr, "replay: no inputs\n");
        rc = 1;
    }
    printf("replayed %zu inputs\n", count);
    return rc;
}
