/*
 * Percentiles of app_elapsed_ms for one action, in bounded memory.
 *
 * Choice: the first PCTL_EXACT_MAX samples are kept as they are, so for up
 * to that many runs per action (in the filtered window) p50/p95 are exact
 * nearest-rank values. Every sample also goes into a fixed log-linear
 * histogram (HdrHistogram's layout: values below 128 ms have their own
 * bucket, above that 64 buckets per power of two, i.e. 1.6% relative
 * width); past PCTL_EXACT_MAX the percentiles come from it, reported as the
 * bucket midpoint clamped to [min, max], and pctl_exact() turns false. The
 * maximum and minimum are always exact. Memory per action: at most
 * PCTL_EXACT_MAX * 8 + PCTL_BUCKETS * 4 bytes.
 */
#ifndef ALEXIS_PCTL_H
#define ALEXIS_PCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alexis_limits.h"

#define PCTL_LINEAR     128     /* values with their own bucket */
#define PCTL_SUB        64      /* buckets per power of two above that */
#define PCTL_BUCKETS    (PCTL_LINEAR + (64 - 7) * PCTL_SUB)

struct pctl {
    uint64_t    n;
    uint64_t    min;
    uint64_t    max;
    uint64_t    sum;
    uint64_t   *vals;       /* the first PCTL_EXACT_MAX samples */
    size_t      nvals;
    size_t      capvals;
    bool        sorted;
    uint32_t   *hist;       /* PCTL_BUCKETS counters, allocated lazily */
};

void pctl_init(struct pctl *p);
void pctl_cleanup(struct pctl *p);
void pctl_add(struct pctl *p, uint64_t v);

/* The nearest-rank q-th percentile (0 < q <= 100) of the samples; 0 when
 * there are none. May sort the kept samples (not thread-safe). */
uint64_t pctl_value(struct pctl *p, double q);

/* True while every sample is kept, i.e. pctl_value() is exact. */
bool pctl_exact(const struct pctl *p);

/* The histogram bucket of v and the lowest value of bucket b; exposed for
 * the unit tests. */
size_t pctl_bucket(uint64_t v);
uint64_t pctl_bucket_low(size_t b);

#endif
