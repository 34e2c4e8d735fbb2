/*
 * The tag index (see rule_index.h): (tag hash, rule) pairs sorted by hash,
 * searched once per alert tag. Two tags with the same hash only make an
 * extra candidate, never a missed one, because match_rule compares the
 * text.
 */
#include "rule_index.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "rules.h"
#include "xmem.h"

struct entry {
    uint32_t    hash;
    uint32_t    rule;
};

struct rule_index {
    size_t          nrules;
    struct entry   *by_tag;     /* one per tagged rule, by (hash, rule) */
    size_t          ntagged;
    uint32_t       *untagged;   /* rules with no tag: always candidates */
    size_t          nuntagged;
};

static int
cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;

    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Index of the first entry with hash h in v[0..n), or n. */
static size_t
lower_bound(const struct entry *v, size_t n, uint32_t h)
{
    size_t lo = 0, hi = n, mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (v[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* How many rules have a tag with hash h (all[] holds each rule's tag
 * hashes, sorted, one entry per rule and hash). */
static size_t
rules_with(const struct entry *all, size_t n, uint32_t h)
{
    size_t i = lower_bound(all, n, h), k = 0;

    for (; i < n && all[i].hash == h; i++)
        k++;
    return k;
}

struct rule_index *
rule_index_build(const struct rule *const *rules, size_t n)
{
    struct rule_index *ix = xcalloc(1, sizeof(*ix));
    struct entry *all = NULL;
    size_t nall = 0, i, j, k, c, best_n;
    uint32_t best;
    const struct rule *r;

    ix->nrules = n;
    for (i = 0; i < n; i++) {
        for (j = 0; j < rules[i]->nevals; j++)
            nall += rules[i]->evals[j].ntags;
    }
    all = xcalloc(nall + 1, sizeof(*all));
    nall = 0;
    for (i = 0; i < n; i++) {
        r = rules[i];
        for (j = 0; j < r->nevals; j++) {
            for (k = 0; k < r->evals[j].ntags; k++) {
                all[nall].hash = r->evals[j].tag_hashes[k];
                all[nall++].rule = (uint32_t)i;
            }
        }
    }
    qsort(all, nall, sizeof(*all), cmp_entry);
    /* One entry per (hash, rule), so a count is a number of rules. */
    for (i = 0, k = 0; i < nall; i++) {
        if (k == 0 || cmp_entry(&all[k - 1], &all[i]) != 0)
            all[k++] = all[i];
    }
    nall = k;
    ix->by_tag = xcalloc(n + 1, sizeof(*ix->by_tag));
    ix->untagged = xcalloc(n + 1, sizeof(*ix->untagged));
    for (i = 0; i < n; i++) {
        r = rules[i];
        best_n = SIZE_MAX;
        best = 0;
        for (j = 0; j < r->nevals; j++) {
            for (k = 0; k < r->evals[j].ntags; k++) {
                c = rules_with(all, nall, r->evals[j].tag_hashes[k]);
                if (c < best_n) {
                    best_n = c;
                    best = r->evals[j].tag_hashes[k];
                }
            }
        }
        if (best_n == SIZE_MAX) {
            ix->untagged[ix->nuntagged++] = (uint32_t)i;
        } else {
            ix->by_tag[ix->ntagged].hash = best;
            ix->by_tag[ix->ntagged++].rule = (uint32_t)i;
        }
    }
    qsort(ix->by_tag, ix->ntagged, sizeof(*ix->by_tag), cmp_entry);
    free(all);
    return ix;
}

void
rule_index_free(struct rule_index *ix)
{
    if (ix == NULL)
        return;
    free(ix->by_tag);
    free(ix->untagged);
    free(ix);
}

void
rule_index_candidates(const struct rule_index *ix, const struct alert *a,
    unsigned char *cand)
{
    size_t i, j;

    memset(cand, 0, ix->nrules);
    for (i = 0; i < ix->nuntagged; i++)
        cand[ix->untagged[i]] = 1;
    for (i = 0; i < a->ntags; i++) {
        for (j = lower_bound(ix->by_tag, ix->ntagged, a->tag_hashes[i]);
            j < ix->ntagged && ix->by_tag[j].hash == a->tag_hashes[i]; j++)
            cand[ix->by_tag[j].rule] = 1;
    }
}
