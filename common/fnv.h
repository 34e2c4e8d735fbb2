/*
 * FNV-1a, the non-cryptographic hash every in-memory table and tag match
 * uses (one copy; https://www.ietf.org/archive/id/draft-eastlake-fnv-21.html).
 * Pure, thread-safe. Not for anything a peer could use to collide on purpose
 * where that would cost more than a longer probe.
 */
#ifndef ALEXIS_FNV_H
#define ALEXIS_FNV_H

#include <stdint.h>

#define FNV1A32_BASIS 2166136261u
#define FNV1A64_BASIS 14695981039346656037ULL

/* 32-bit FNV-1a of a NUL-terminated string. */
uint32_t fnv_str32(const char *s);

/* 64-bit FNV-1a of a NUL-terminated string. */
uint64_t fnv_str64(const char *s);

/* Continue a 64-bit FNV-1a from state h (FNV1A64_BASIS to start) over the
 * string s; callers with their own start value use this. */
uint64_t fnv_str64_from(uint64_t h, const char *s);

#endif
