/*
 * Line source for alexis-report: a file, a gzip file (recognised by its
 * magic bytes, not its name, through zlib's transparent gzread) or stdin,
 * read in fixed chunks and cut into lines in one bounded buffer. A line
 * longer than LOG_LINE_MAX bytes (newline included) is skipped whole and
 * counted as cut, so memory never depends on the input.
 */
#ifndef ALEXIS_INPUT_H
#define ALEXIS_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compat.h"

struct input;

/* Open path ("-" is stdin, which is left open when the input is freed).
 * NULL with "<path>: <reason>" in err. Caller frees with input_free. */
struct input *input_open(const char *path, char *err, size_t errlen);

/* The next line without its newline: 1 with *line and *len set
 * (borrowed until the next call), 0 at the end, or -1 with
 * "<path>: <reason>" in err (a read error or a damaged gzip stream; the
 * lines before it were returned). A
 * last line without a newline is returned like any other. */
int input_next(struct input *in, const char **line, size_t *len, char *err,
    size_t errlen) ATTR_WUR;

/* Lines skipped because they were longer than LOG_LINE_MAX. */
uint64_t input_cut(const struct input *in);

/* True when the data is gzip-compressed (known after the first read). */
bool input_is_gzip(const struct input *in);

void input_free(struct input *in);

#endif
