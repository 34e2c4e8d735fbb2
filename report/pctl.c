/*
 * Bounded percentiles: exact samples up to a cap, then a log-linear
 * histogram (see pctl.h for the choice and its error bound).
 */
#include "pctl.h"

#include <stdlib.h>
#include <string.h>

#include "xmem.h"

void
pctl_init(struct pctl *p)
{
    memset(p, 0, sizeof(*p));
}

void
pctl_cleanup(struct pctl *p)
{
    if (p == NULL)
        return;
    free(p->vals);
    free(p->hist);
    memset(p, 0, sizeof(*p));
}

static unsigned
log2_floor(uint64_t v)
{
    unsigned e = 0;

    while (v >>= 1)
        e++;
    return e;
}

size_t
pctl_bucket(uint64_t v)
{
    unsigned e;

    if (v < PCTL_LINEAR)
        return (size_t)v;
    e = log2_floor(v);
    /* The top seven bits of v: 1 then six that pick the sub-bucket. */
    return PCTL_LINEAR + (size_t)(e - 7) * PCTL_SUB +
        (size_t)((v >> (e - 6)) & (PCTL_SUB - 1));
}

uint64_t
pctl_bucket_low(size_t b)
{
    size_t e, sub;

    if (b < PCTL_LINEAR)
        return b;
    e = (b - PCTL_LINEAR) / PCTL_SUB + 7;
    sub = (b - PCTL_LINEAR) % PCTL_SUB;
    return ((uint64_t)(PCTL_SUB + sub)) << (e - 6);
}

void
pctl_add(struct pctl *p, uint64_t v)
{
    if (p->hist == NULL)
        p->hist = xcalloc(PCTL_BUCKETS, sizeof(*p->hist));
    if (p->n == 0 || v < p->min)
        p->min = v;
    if (v > p->max)
        p->max = v;
    p->n++;
    p->sum += v;
    p->hist[pctl_bucket(v)]++;
    if (p->nvals < PCTL_EXACT_MAX && p->nvals == p->n - 1) {
        if (p->nvals == p->capvals) {
            p->capvals = p->capvals == 0 ? 64 : p->capvals * 2;
            if (p->capvals > PCTL_EXACT_MAX)
                p->capvals = PCTL_EXACT_MAX;
            p->vals = xreallocarray(p->vals, p->capvals, sizeof(*p->vals));
        }
        p->vals[p->nvals++] = v;
        p->sorted = false;
    }
}

bool
pctl_exact(const struct pctl *p)
{
    return p->nvals == p->n;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return (x > y) - (x < y);
}

/* 1-based nearest rank: the smallest value with at least q% at or below. */
static uint64_t
rank_of(uint64_t n, double q)
{
    double r = q / 100.0 * (double)n;
    uint64_t k;

    if (r < 1)
        return 1;
    if (r >= (double)n)
        return n;
    k = (uint64_t)r;
    return (double)k < r ? k + 1 : k;
}

static uint64_t
from_hist(const struct pctl *p, uint64_t rank)
{
    uint64_t seen = 0, lo, hi, mid;
    size_t b;

    for (b = 0; b < PCTL_BUCKETS; b++) {
        seen += p->hist[b];
        if (seen >= rank)
            break;
    }
    if (b >= PCTL_BUCKETS)
        return p->max;
    lo = pctl_bucket_low(b);
    hi = b + 1 < PCTL_BUCKETS ? pctl_bucket_low(b + 1) - 1 : lo;
    mid = lo + (hi - lo) / 2;
    if (mid < p->min)
        mid = p->min;
    if (mid > p->max)
        mid = p->max;
    return mid;
}

uint64_t
pctl_value(struct pctl *p, double q)
{
    uint64_t rank;

    if (p->n == 0)
        return 0;
    rank = rank_of(p->n, q);
    if (!pctl_exact(p))
        return from_hist(p, rank);
    if (!p->sorted) {
        qsort(p->vals, p->nvals, sizeof(*p->vals), cmp_u64);
        p->sorted = true;
    }
    return p->vals[rank - 1];
}
