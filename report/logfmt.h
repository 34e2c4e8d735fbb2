/*
 * The reading side of common/log.c: splits one logfmt line into key and
 * value spans and decodes quoted values. It is the exact inverse of
 * log_escape_value: for every C string v, parsing the output of log_format
 * yields v again (tests/unit/report/test_logfmt.c proves it on a corpus).
 *
 * Grammar (strict; anything else is a malformed line):
 *   line   = field *(" " field)
 *   field  = key "=" value
 *   key    = 1*[A-Za-z0-9_.-]
 *   value  = bare / quoted
 *   bare   = 1*(any byte but 0x00-0x20, 0x7f, '"', '=', '\')
 *   quoted = '"' *(byte >= 0x20 but '"', '\', 0x7f / escape) '"'
 *   escape = '\' ('"' / '\' / 'n' / 'r' / 't' / 'u' 4HEXDIG)
 * \uXXXX decodes to UTF-8; \u0000 and surrogates are malformed.
 */
#ifndef ALEXIS_LOGFMT_H
#define ALEXIS_LOGFMT_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"
#include "logfmt_line.h"

/* logfmt_parse without its fast path (logscan.h): the byte parser, which
 * defines the grammar. Tests hold the fast path against it. */
int logfmt_parse_bytes(const char *line, size_t len, struct logfmt_line *out,
    char *err, size_t errlen) ATTR_WUR;

/* What logfmt_scan learns about a line without splitting it. event is
 * the raw value of the first field named "event" (between the quotes when
 * quoted; NULL when there is none), escaped as in logfmt_field. */
struct logfmt_outline {
    const char *event;
    size_t      eventlen;
    bool        event_escaped;
    bool        truncated;      /* the last field is named "truncated" */
};

/* Parse line[0..len) (no trailing newline) into out. Returns 0, or -1 with
 * one sentence naming the byte offset in err (err may be NULL). The spans
 * in out are valid while line is. Thread-safe; no allocation. */
int logfmt_parse(const char *line, size_t len, struct logfmt_line *out,
    char *err, size_t errlen) ATTR_WUR;

/* Check line[0..len) exactly as logfmt_parse does and fill out; returns
 * 0 or -1 like it. Cheaper when the line has no escapes and "event" is
 * its 4th field, as our writer puts it (ts level app event ...): then no
 * field is split out. out's span is valid while line is. Thread-safe; no
 * allocation. */
int logfmt_scan(const char *line, size_t len, struct logfmt_outline *out)
    ATTR_WUR;

/* The first field named key, or NULL. */
const struct logfmt_field *logfmt_get(const struct logfmt_line *l,
    const char *key);

/* Decode the value of f into dst (NUL-terminated). A decoded value is never
 * longer than its raw span, so dstlen > f->vallen always suffices. Returns
 * the decoded length, or (size_t)-1 when dst is too small. */
size_t logfmt_decode(const struct logfmt_field *f, char *dst, size_t dstlen);

/* True when the decoded value of f equals the C string s. No allocation. */
bool logfmt_value_eq(const struct logfmt_field *f, const char *s);

#endif
