/*
 * UTF-8 (see utf8.h).
 */
#include "utf8.h"

size_t
utf8_decode(const unsigned char *p, size_t left, uint32_t *cp)
{
    uint32_t v, min;
    size_t n, i;

    if (p[0] < 0x80) {
        n = 1;
        v = p[0];
        goto done;
    }
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        n = 2;
        v = p[0] & 0x1fu;
        min = 0x80;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        n = 3;
        v = p[0] & 0x0fu;
        min = 0x800;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        n = 4;
        v = p[0] & 0x07u;
        min = 0x10000;
    } else {
        return 0;
    }
    if (left < n)
        return 0;
    for (i = 1; i < n; i++) {
        if (!utf8_is_cont(p[i]))
            return 0;
        v = (v << 6) | (p[i] & 0x3fu);
    }
    /* Overlong forms, surrogates and values past U+10FFFF. */
    if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
        return 0;
done:
    if (cp != NULL)
        *cp = v;
    return n;
}

size_t
utf8_cut(const char *s, size_t n)
{
    while (n > 0 && utf8_is_cont((unsigned char)s[n]))
        n--;
    return n;
}

size_t
utf8_prefix(const char *s, size_t max)
{
    size_t i, chars = 0;

    for (i = 0; s[i] != '\0'; i++) {
        if (!utf8_is_cont((unsigned char)s[i]) && chars++ == max)
            break;
    }
    return i;
}

size_t
utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s != '\0'; s++)
        n += !utf8_is_cont((unsigned char)*s);
    return n;
}

bool
utf8_misleads(uint32_t cp)
{
    return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e ||
        cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
        (cp >= 0x2066 && cp <= 0x2069);
}
