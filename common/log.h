/*
 * Structured logging: one logfmt line per event, written to the log fd with
 * a single write(2) so lines from threads never interleave (DESIGN §8).
 *
 *   log_event(LOG_INFO, "rule_evaluated", KV_STR("tinyId", id),
 *       KV_STR("rule_name", r->name), KV_BOOL("matched", 1));
 *   -> ts=2026-11-22T10:15:00.123Z level=info app=classifier
 *      event=rule_evaluated tinyId=5120 rule_name=x matched=true
 *
 * Escaping lives only here (log_escape_value). Values are bare when they are
 * non-empty and hold no byte <= 0x20, 0x7f, '"', '=' or '\\'; otherwise they
 * are double-quoted with \" \\ \n \r \t and \u00XX for other control bytes.
 * UTF-8 passes through unchanged. Lines are capped at LOG_LINE_MAX; a cut
 * line ends with truncated=1. Values of keys that name secrets (token,
 * authorization, api_key, password, passphrase, headers, feed_headers,
 * private_key and anything ending in _token or _key_data) are replaced by
 * "[redacted]" as a second line of defence: callers must not pass secrets.
 */
#ifndef ALEXIS_LOG_H
#define ALEXIS_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "compat.h"

enum log_level {
    LOG_DEBUG = 0,
    LOG_INFO,
    LOG_WARN,
    LOG_ERROR,
};

enum kv_type {
    KV_T_STR,
    KV_T_INT,
    KV_T_UINT,
    KV_T_BOOL,
    KV_T_ERRNO,
};

struct kv {
    const char     *key;    /* NULL ends a list */
    enum kv_type    type;
    union {
        const char         *s;   /* NULL is logged as an empty value "" */
        long long           i;
        unsigned long long  u;
        int                 b;
        int                 e;   /* errno value, logged as its text */
    } v;
};

#define KV_STR(k, x)   ((struct kv){ .key = (k), .type = KV_T_STR, .v.s = (x) })
#define KV_INT(k, x)   ((struct kv){ .key = (k), .type = KV_T_INT, .v.i = (long long)(x) })
#define KV_UINT(k, x)  ((struct kv){ .key = (k), .type = KV_T_UINT, .v.u = (unsigned long long)(x) })
#define KV_BOOL(k, x)  ((struct kv){ .key = (k), .type = KV_T_BOOL, .v.b = !!(x) })
#define KV_ERRNO(x)    ((struct kv){ .key = "errno", .type = KV_T_ERRNO, .v.e = (x) })
#define KV_ERR(buf)    KV_STR("error", (buf))
#define KV_END         ((struct kv){ .key = NULL })

/* Set the app name (e.g. "classifier"), the minimum level and the fd lines
 * go to (normally 2). Call once from main before threads start. */
void log_init(const char *app, enum log_level min, int fd);
void log_set_level(enum log_level min);
bool log_enabled(enum log_level level);

/* Write one event line. kvs ends with KV_END. Thread-safe. */
void log_emit(enum log_level level, const char *event, const struct kv *kvs);

/* Log at error level and exit(1). For start-up failures only. */
void log_fatal_emit(const char *event, const struct kv *kvs) ATTR_NORETURN;

/* The level is checked before the arguments are evaluated (Redis
 * serverLog). At least one field is required. */
#define log_event(level, event, ...) do {                                  \
    if (log_enabled(level))                                                \
        log_emit((level), (event), (const struct kv[]){ __VA_ARGS__, KV_END }); \
} while (0)

#define log_fatal(event, ...) \
    log_fatal_emit((event), (const struct kv[]){ __VA_ARGS__, KV_END })

/* Format one line (with trailing newline) into buf of size len, as log_emit
 * would write it but with the given timestamp text. Returns the line length
 * (always < len). len must be at least 64. For tests and alexis-report. */
size_t log_format(char *buf, size_t len, const char *ts, enum log_level level,
    const char *app, const char *event, const struct kv *kvs);

/* Append the escaped form of value (quoted when needed) to dst. Writes at
 * most dstlen-1 bytes and NUL-terminates; never splits an escape sequence
 * or a UTF-8 sequence. Returns the bytes written, or (size_t)-1 if the
 * value did not fit in full (dst then holds a well-formed, closed prefix). */
size_t log_escape_value(char *dst, size_t dstlen, const char *value);

/* True when a key names a secret and its value must never be logged. */
bool log_key_is_secret(const char *key);

const char *log_level_name(enum log_level level);

#endif
