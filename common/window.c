/*
 * Guardrail windows (see window.h).
 */
#include "window.h"

#include <string.h>

#include "str.h"

/* The language is str_to_duration_ms's; the words for what is wrong are
 * the guardrails' own. */
int
window_parse(const char *s, uint64_t max_ms, uint64_t *out,
    const char **errstr)
{
    uint64_t v;

    if (s == NULL || *s == '\0') {
        *errstr = "empty";
        return -1;
    }
    if (*s == '-') {
        *errstr = "negative";
        return -1;
    }
    /* More digits than any uint64_t holds: too large, not invalid. */
    if (strspn(s, "0123456789") >= 24) {
        *errstr = "too large";
        return -1;
    }
    if (str_to_duration_ms(s, max_ms, &v, errstr) == -1)
        return -1;
    if (v == 0) {
        *errstr = "zero";
        return -1;
    }
    *out = v;
    return 0;
}

uint64_t
window_start(uint64_t now_ms, uint64_t window_ms)
{
    return window_ms >= now_ms ? 0 : now_ms - window_ms;
}

bool
window_contains(uint64_t now_ms, uint64_t window_ms, uint64_t t_ms)
{
    return t_ms >= window_start(now_ms, window_ms);
}

bool
window_has_room(uint64_t count, uint64_t max)
{
    return max == 0 || count < max;
}

uint64_t
window_reopens(uint64_t oldest_ms, uint64_t window_ms)
{
    return oldest_ms > UINT64_MAX - window_ms ? UINT64_MAX :
        oldest_ms + window_ms;
}

char *
window_format(uint64_t ms, char *out, size_t outlen)
{
    return str_format_duration_ms(ms, true, out, outlen);
}
