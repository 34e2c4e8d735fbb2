/*
 * Guardrail windows (see window.h).
 */
#include "window.h"

#include <stdio.h>
#include <string.h>

#include "str.h"

static const struct {
    const char *suffix;
    uint64_t    mult;
} units[] = {
    { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
    { "d", 86400000 }, { "", 1000 },
};

int
window_parse(const char *s, uint64_t max_ms, uint64_t *out,
    const char **errstr)
{
    char num[24];
    size_t i, n;
    uint64_t v;

    if (s == NULL || *s == '\0') {
        *errstr = "empty";
        return -1;
    }
    if (*s == '-') {
        *errstr = "negative";
        return -1;
    }
    n = strspn(s, "0123456789");
    if (n == 0 || n >= sizeof(num)) {
        *errstr = n == 0 ? "invalid" : "too large";
        return -1;
    }
    memcpy(num, s, n);
    num[n] = '\0';
    for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(s + n, units[i].suffix) != 0)
            continue;
        if (str_to_u64(num, 0, UINT64_MAX / units[i].mult, &v,
            errstr) == -1) {
            *errstr = "too large";
            return -1;
        }
        v *= units[i].mult;
        if (v == 0) {
            *errstr = "zero";
            return -1;
        }
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
    size_t i;

    /* Largest unit that divides exactly; units[] ends with the bare
     * number, which is not a unit to print. */
    for (i = 4; ms != 0; i--) {
        if (ms % units[i].mult == 0) {
            (void)snprintf(out, outlen, "%llu%s",
                (unsigned long long)(ms / units[i].mult), units[i].suffix);
            return out;
        }
        if (i == 0)
            break;
    }
    (void)snprintf(out, outlen, "%llums", (unsigned long long)ms);
    return out;
}
