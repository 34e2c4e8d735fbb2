/*
 * Output cleaning for JSON and notes (see text.h).
 */
#include "text.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "xmem.h"

#define REPLACEMENT "\xef\xbf\xbd"      /* U+FFFD */

/* Length of the valid UTF-8 sequence at s (at most left bytes), or 0. */
static size_t
utf8_seq(const unsigned char *s, size_t left)
{
    size_t n, i;
    uint32_t cp;

    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0) {
        n = 2;
        cp = s[0] & 0x1fu;
    } else if ((s[0] & 0xf0) == 0xe0) {
        n = 3;
        cp = s[0] & 0x0fu;
    } else if ((s[0] & 0xf8) == 0xf0) {
        n = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (n > left)
        return 0;
    for (i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3fu);
    }
    /* Overlong forms, surrogates and values past U+10FFFF. */
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
        (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return n;
}

char *
text_clean(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    char *out, *o;
    size_t i = 0, n;

    /* Worst case every byte becomes a 3-byte replacement. */
    out = xmalloc(len * 3 + 1);
    o = out;
    while (i < len) {
        n = utf8_seq(u + i, len - i);
        if (n == 1 && u[i] < 0x20 && u[i] != '\n' && u[i] != '\t')
            n = 0;
        if (n == 1 && u[i] == 0x7f)
            n = 0;
        if (n == 0) {
            memcpy(o, REPLACEMENT, 3);
            o += 3;
            i++;
            continue;
        }
        memcpy(o, s + i, n);
        o += n;
        i += n;
    }
    *o = '\0';
    return out;
}

size_t
text_tail_start(const char *s, size_t len, size_t max)
{
    size_t start, nl;

    if (len <= max)
        return 0;
    start = len - max;
    while (start < len && ((unsigned char)s[start] & 0xc0) == 0x80)
        start++;
    /* Prefer a whole first line when one starts soon enough. */
    for (nl = start; nl < len && nl < start + max / 4; nl++) {
        if (s[nl] == '\n')
            return nl + 1;
    }
    return start;
}
