/*
 * The rule index (see rule_index.h). The set's distinct tags, sorted by
 * (hash, text), are the dictionary; each rule keeps the dictionary numbers
 * of its tags in one flat array. An alert's tags are looked up by hash and
 * confirmed by text, so the verdict is exact: two tags with the same hash
 * are two entries.
 */
#include "rule_index.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "rules.h"
#include "xmem.h"

struct tag {
    uint32_t    hash;
    const char *text;   /* borrowed from a rule */
};

struct rule_index {
    size_t          nrules;
    const char    **feed;       /* each rule's feed_type (borrowed) */
    struct tag     *tags;       /* the dictionary, by (hash, text) */
    size_t          ntags;
    uint32_t       *ids;        /* rule i's tags: ids[off[i]..off[i+1]) */
    size_t         *off;
};

static int
cmp_tag(const void *a, const void *b)
{
    const struct tag *x = a, *y = b;

    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return strcmp(x->text, y->text);
}

/* The dictionary number of tag (text, hash), or -1 when no rule has it. */
static long
tag_id(const struct rule_index *ix, const char *text, uint32_t hash)
{
    size_t lo = 0, hi = ix->ntags, mid;

    while (lo < hi) {
        mid = lo + (hi - lo) / 2;
        if (ix->tags[mid].hash < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < ix->ntags && ix->tags[lo].hash == hash; lo++) {
        if (strcmp(ix->tags[lo].text, text) == 0)
            return (long)lo;
    }
    return -1;
}

struct rule_index *
rule_index_build(const struct rule *const *rules, size_t n)
{
    struct rule_index *ix = xcalloc(1, sizeof(*ix));
    const struct rule_eval *ev;
    size_t nall = 0, i, j, k, m;

    ix->nrules = n;
    ix->feed = xcalloc(n + 1, sizeof(*ix->feed));
    ix->off = xcalloc(n + 1, sizeof(*ix->off));
    for (i = 0; i < n; i++) {
        for (j = 0; j < rules[i]->nevals; j++)
            nall += rules[i]->evals[j].ntags;
    }
    ix->tags = xcalloc(nall + 1, sizeof(*ix->tags));
    ix->ids = xcalloc(nall + 1, sizeof(*ix->ids));
    for (i = 0; i < n; i++) {
        for (j = 0; j < rules[i]->nevals; j++) {
            ev = &rules[i]->evals[j];
            for (k = 0; k < ev->ntags; k++) {
                ix->tags[ix->ntags].hash = ev->tag_hashes[k];
                ix->tags[ix->ntags++].text = ev->tags[k];
            }
        }
    }
    qsort(ix->tags, ix->ntags, sizeof(*ix->tags), cmp_tag);
    for (i = 0, m = 0; i < ix->ntags; i++) {
        if (m == 0 || cmp_tag(&ix->tags[m - 1], &ix->tags[i]) != 0)
            ix->tags[m++] = ix->tags[i];
    }
    ix->ntags = m;
    for (i = 0, m = 0; i < n; i++) {
        ix->feed[i] = rules[i]->feed_type;
        ix->off[i] = m;
        for (j = 0; j < rules[i]->nevals; j++) {
            ev = &rules[i]->evals[j];
            for (k = 0; k < ev->ntags; k++)
                ix->ids[m++] = (uint32_t)tag_id(ix, ev->tags[k],
                    ev->tag_hashes[k]);
        }
    }
    ix->off[n] = m;
    return ix;
}

void
rule_index_free(struct rule_index *ix)
{
    if (ix == NULL)
        return;
    free(ix->feed);
    free(ix->tags);
    free(ix->ids);
    free(ix->off);
    free(ix);
}

#define BITS_ON_STACK 4096

void
rule_index_candidates(const struct rule_index *ix, const struct alert *a,
    unsigned char *out)
{
    uint64_t stack[BITS_ON_STACK / 64], *have = stack;
    size_t words = (ix->ntags + 63) / 64, i, j;
    long id;
    bool all;

    if (ix->ntags > BITS_ON_STACK)
        have = xcalloc(words, sizeof(*have));
    else
        memset(have, 0, words * sizeof(*have));
    for (i = 0; i < a->ntags; i++) {
        if ((id = tag_id(ix, a->tags[i], a->tag_hashes[i])) >= 0)
            have[id / 64] |= UINT64_C(1) << (id % 64);
    }
    for (i = 0; i < ix->nrules; i++) {
        if (!rules_feed_is(ix->feed[i], a->feed_type)) {
            out[i] = RULE_INDEX_OTHER_FEED;
            continue;
        }
        all = true;
        for (j = ix->off[i]; j < ix->off[i + 1] && all; j++)
            all = (have[ix->ids[j] / 64] >> (ix->ids[j] % 64)) & 1;
        out[i] = all ? RULE_INDEX_TAGS_PRESENT : RULE_INDEX_TAG_MISSING;
    }
    if (have != stack)
        free(have);
}
