/*
 * The fast path of the logfmt parser (logfmt.h): checks the grammar of a
 * line 64 bytes at a time on bit masks (quotes, spaces, '=', control
 * bytes, key bytes) instead of byte by byte, so the cost is per block,
 * not per field. It handles lines without a backslash, which are nearly
 * all of them; a line with one (an escaped value) is left to logfmt.c's
 * byte parser, which remains the definition of the grammar.
 */
#ifndef ALEXIS_LOGSCAN_H
#define ALEXIS_LOGSCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"
#include "logfmt_line.h"

enum logscan_rc {
    LOGSCAN_OK,     /* valid; out or the head are filled */
    LOGSCAN_BAD,    /* malformed, exactly when logfmt.c would say so */
    LOGSCAN_SLOW,   /* has a backslash: ask the byte parser */
};

#define LOGSCAN_HEAD    4       /* separating spaces kept in the head */
#define LOGSCAN_NONE    ((size_t)-1)

/* Where the fields of a valid line begin, without splitting it: the
 * offsets of its first LOGSCAN_HEAD separating spaces (field i + 1 starts
 * after space i) and of its last one (LOGSCAN_NONE when it has one field;
 * the last field starts after it). */
struct logscan_head {
    size_t  nspaces;                /* kept in space[], at most HEAD */
    size_t  space[LOGSCAN_HEAD];
    size_t  last_space;
};

/* The ways to classify bytes: one at a time, or 16, 32 or 64 at a time. */
enum logscan_impl {
    LOGSCAN_BEST,       /* the fastest this CPU has */
    LOGSCAN_BYTES,
    LOGSCAN_SSE2,
    LOGSCAN_AVX2,
    LOGSCAN_AVX512,     /* AVX-512BW */
};

/* True when this build and CPU can run impl. */
bool logscan_has(enum logscan_impl impl);

/* Check line[0..len) against the grammar of logfmt.h. With out not NULL,
 * split a valid line into out (fields not escaped); otherwise fill head.
 * Only one of out and head is used. The verdict equals logfmt.c's byte
 * parser's whenever it is not LOGSCAN_SLOW. Reads only line[0..len);
 * thread-safe; no allocation. */
enum logscan_rc logscan_line(const char *line, size_t len,
    struct logfmt_line *out, struct logscan_head *head) ATTR_WUR;

/* logscan_line with a given classifier (logscan_has(impl) must hold), so
 * that tests can hold every one against the byte parser. */
enum logscan_rc logscan_line_with(enum logscan_impl impl, const char *line,
    size_t len, struct logfmt_line *out, struct logscan_head *head)
    ATTR_WUR;

#endif
