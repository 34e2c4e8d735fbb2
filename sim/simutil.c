/*
 * Time, id and JSON helpers shared by the alexis-sim modules.
 */
#include "simutil.h"

#include <sys/random.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "str.h"
#include "xmem.h"

void
simutil_iso8601(uint64_t ms, char *buf, size_t len)
{
    char iso[CLOCK_ISO_LEN];
    char *frac;
    size_t n;

    /* "….123Z" from clock.c, then OpsGenie's fraction: no trailing zeros,
     * no fraction at all when zero. */
    clock_format_iso((int64_t)ms, iso);
    if ((frac = strchr(iso, '.')) == NULL) {
        snprintf(buf, len, "%s", iso);
        return;
    }
    n = strlen(frac) - 2;               /* the last digit, before 'Z' */
    while (n > 0 && frac[n] == '0')
        n--;
    frac[n == 0 ? 0 : n + 1] = '\0';
    snprintf(buf, len, "%sZ", iso);
}

/* An ISO-8601 time, UTC ("Z", "+00:00" or no zone), at or after the epoch. */
static int
parse_iso(const char *s, uint64_t *out)
{
    size_t n = strlen(s);
    const char *zone;
    int64_t ms;

    if (n < 11 || (s[10] != 'T' && s[10] != ' '))
        return -1;              /* a time of day is required */
    zone = strpbrk(s + 11, "+-");
    if (zone != NULL && strcmp(zone, "+00:00") != 0)
        return -1;
    if (clock_parse_iso(s, n, &ms) == -1 || ms < 0)
        return -1;
    *out = (uint64_t)ms;
    return 0;
}

/* "now", "now-5m", "now+2h". */
static int
parse_relative(const char *s, uint64_t now, uint64_t *out)
{
    const char *errstr;
    uint64_t n, unit;
    char sign, numbuf[24];
    size_t len;

    if (strncmp(s, "now", 3) != 0)
        return -1;
    s += 3;
    if (*s == '\0') {
        *out = now;
        return 0;
    }
    sign = *s++;
    len = strlen(s);
    if ((sign != '-' && sign != '+') || len < 2 || len >= sizeof(numbuf))
        return -1;
    switch (s[len - 1]) {
    case 's': unit = 1000; break;
    case 'm': unit = 60 * 1000; break;
    case 'h': unit = 3600 * 1000; break;
    case 'd': unit = 86400 * 1000; break;
    case 'w': unit = 7ULL * 86400 * 1000; break;
    case 'M': unit = 30ULL * 86400 * 1000; break;
    case 'y': unit = 365ULL * 86400 * 1000; break;
    default:  return -1;
    }
    memcpy(numbuf, s, len - 1);
    numbuf[len - 1] = '\0';
    if (str_to_u64(numbuf, 0, 100000000, &n, &errstr) == -1)
        return -1;
    if (sign == '-')
        *out = n * unit > now ? 0 : now - n * unit;
    else
        *out = now + n * unit;
    return 0;
}

int
simutil_parse_time(const cJSON *item, uint64_t now, uint64_t *out)
{
    const char *errstr;

    if (cJSON_IsNumber(item)) {
        if (item->valuedouble < 0 || item->valuedouble > 9.0e15)
            return -1;
        *out = (uint64_t)item->valuedouble;
        return 0;
    }
    if (!cJSON_IsString(item))
        return -1;
    if (str_to_u64(item->valuestring, 0, 9000000000000000ULL, out,
        &errstr) == 0)
        return 0;
    if (parse_relative(item->valuestring, now, out) == 0)
        return 0;
    return parse_iso(item->valuestring, out);
}

uint64_t
simutil_random64(void)
{
    uint64_t v = 0;
    size_t got = 0;
    ssize_t n;

    while (got < sizeof(v)) {
        n = getrandom((char *)&v + got, sizeof(v) - got, 0);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            abort();
        }
        got += (size_t)n;
    }
    return v;
}

void
simutil_uuid(char *out)
{
    uint64_t hi = simutil_random64(), lo = simutil_random64();

    hi = (hi & ~(uint64_t)0xf000) | 0x4000;
    lo = (lo & ~((uint64_t)0xc << 60)) | ((uint64_t)0x8 << 60);
    snprintf(out, SIMUTIL_UUID_LEN, "%08x-%04x-%04x-%04x-%012llx",
        (unsigned)(hi >> 32), (unsigned)((hi >> 16) & 0xffff),
        (unsigned)(hi & 0xffff), (unsigned)(lo >> 48),
        (unsigned long long)(lo & 0xffffffffffffULL));
}

char *
simutil_dup(const char *s, const char *def)
{
    if (s != NULL)
        return xstrdup(s);
    return def == NULL ? NULL : xstrdup(def);
}

bool
simutil_contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);

    for (; *hay != '\0'; hay++) {
        if (strncasecmp(hay, needle, n) == 0)
            return true;
    }
    return n == 0;
}

void
simutil_og_envelope(cJSON *obj, const char *rid, uint64_t start_us)
{
    char uuid[SIMUTIL_UUID_LEN];
    /* Whole milliseconds, as OpsGenie's "took" (seconds) shows them. */
    uint64_t took_ms = (clock_mono_us() - start_us) / 1000;

    if (rid == NULL) {
        simutil_uuid(uuid);
        rid = uuid;
    }
    cJSON_AddNumberToObject(obj, "took",
        (double)took_ms / 1000.0 + 0.001);
    cJSON_AddStringToObject(obj, "requestId", rid);
}
