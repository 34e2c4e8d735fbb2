/*
 * FNV-1a (see fnv.h).
 */
#include "fnv.h"

#define FNV1A32_PRIME 16777619u
#define FNV1A64_PRIME 1099511628211ULL

uint32_t
fnv_str32(const char *s)
{
    uint32_t h = FNV1A32_BASIS;

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * FNV1A32_PRIME;
    return h;
}

uint64_t
fnv_str64_from(uint64_t h, const char *s)
{
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * FNV1A64_PRIME;
    return h;
}

uint64_t
fnv_str64(const char *s)
{
    return fnv_str64_from(FNV1A64_BASIS, s);
}
