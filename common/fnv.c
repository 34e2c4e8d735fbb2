/*
 * FNV-1a (see fnv.h).
 */
#include "fnv.h"

#define FNV1A32_PRIME 16777619u
#define FNV1A64_PRIME 1099511628211ULL

uint32_t
fnv1a32_str(const char *s)
{
    uint32_t h = FNV1A32_BASIS;

    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * FNV1A32_PRIME;
    return h;
}

uint64_t
fnv1a64_str_from(uint64_t h, const char *s)
{
    for (; *s != '\0'; s++)
        h = (h ^ (unsigned char)*s) * FNV1A64_PRIME;
    return h;
}

uint64_t
fnv1a64_str(const char *s)
{
    return fnv1a64_str_from(FNV1A64_BASIS, s);
}
