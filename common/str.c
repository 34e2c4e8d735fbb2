/*
 * Checked number and duration parsing and small string helpers. Leaf code:
 * errors are returned, never logged.
 */
#include "str.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

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

/* The units of a duration, smallest first, then the bare number
 * (seconds), which is read but never written. */
static const struct {
    const char *suffix;
    uint64_t    mult;
} units[] = {
    { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 },
    { "d", 86400000 },
    { "", 1000 },
};
#define UNIT_H  3
#define UNIT_D  4

int
str_to_duration_ms(const char *s, uint64_t max_ms, uint64_t *out,
    const char **errstr)
{
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

char *
str_format_duration_ms(uint64_t ms, bool days, char *out, size_t outlen)
{
    size_t i = ms == 0 ? 0 : days ? UNIT_D : UNIT_H;

    while (i > 0 && ms % units[i].mult != 0)
        i--;
    (void)snprintf(out, outlen, "%llu%s",
        (unsigned long long)(ms / units[i].mult), units[i].suffix);
    return out;
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

bool
str_no_ctl(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    }
    return true;
}

const char *
str_quote(char *dst, size_t dstlen, const char *s)
{
    size_t o = 0;
    unsigned char c;

    for (; *s != '\0'; s++) {
        c = (unsigned char)*s;
        /* The longest step is 4 bytes; keep room for "..." and the NUL. */
        if (o + 8 >= dstlen) {
            memcpy(dst + o, "...", 4);
            return dst;
        }
        if (c == '"' || c == '\\')
            o += (size_t)snprintf(dst + o, dstlen - o, "\\%c", c);
        else if (c < 0x20 || c == 0x7f)
            o += (size_t)snprintf(dst + o, dstlen - o, "\\x%02x", c);
        else
            dst[o++] = (char)c;
    }
    dst[o] = '\0';
    return dst;
}

void
str_trim(const char **start, const char **end)
{
    while (*start < *end && isspace((unsigned char)**start))
        (*start)++;
    while (*end > *start && isspace((unsigned char)(*end)[-1]))
        (*end)--;
}
