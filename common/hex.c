/*
 * Hex: bytes as lower-case hex digits and back.
 */
#include "hex.h"

static const char digits[] = "0123456789abcdef";

/* The value of hex digit c, or -1. */
static int
digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

char *
hex_encode(const void *src, size_t n, char *dst, size_t dstlen)
{
    const unsigned char *p = src;
    size_t i;

    if (dstlen == 0)
        return dst;
    if (n > (dstlen - 1) / 2)
        n = (dstlen - 1) / 2;
    for (i = 0; i < n; i++) {
        dst[2 * i] = digits[p[i] >> 4];
        dst[2 * i + 1] = digits[p[i] & 0x0f];
    }
    dst[2 * n] = '\0';
    return dst;
}

int
hex_decode(const char *s, size_t len, void *out, size_t outlen)
{
    unsigned char *o = out;
    size_t i;
    int hi, lo;

    if (len % 2 != 0 || len / 2 > outlen)
        return -1;
    for (i = 0; i < len / 2; i++) {
        if ((hi = digit_value(s[2 * i])) < 0 ||
            (lo = digit_value(s[2 * i + 1])) < 0)
            return -1;
        o[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

bool
hex_is_lower(const char *s)
{
    const char *p;

    for (p = s; *p != '\0'; p++) {
        if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
            return false;
    }
    return p != s;
}
