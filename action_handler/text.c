/*
 * Output cleaning for JSON and notes (see text.h).
 */
#include "text.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "utf8.h"
#include "xmem.h"

#define REPLACEMENT "\xef\xbf\xbd"      /* U+FFFD */

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
        n = utf8_decode(u + i, len - i, NULL);
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
    while (start < len && utf8_is_cont((unsigned char)s[start]))
        start++;
    /* Prefer a whole first line when one starts soon enough. */
    for (nl = start; nl < len && nl < start + max / 4; nl++) {
        if (s[nl] == '\n')
            return nl + 1;
    }
    return start;
}
