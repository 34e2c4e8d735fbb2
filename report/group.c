/*
 * Capped hash tables of counted rows (see group.h). Linear probing over a
 * power-of-two slot array at most 50% full; rows are never removed.
 */
#include "group.h"

#include <stdlib.h>
#include <string.h>

#include "alexis_limits.h"
#include "utf8.h"
#include "xmem.h"

#define SLOTS_MIN   64

struct gtable {
    size_t          nparts;
    size_t          cap;        /* rows, "(other)" included */
    struct group  **slots;
    size_t          nslots;
    size_t          count;
    struct group   *other;
    uint64_t        overflow;   /* runs folded into "(other)" */
};

struct gtable *
group_table_new(size_t nparts, size_t cap)
{
    struct gtable *t = xcalloc(1, sizeof(*t));

    t->nparts = nparts < 1 ? 1 : nparts > GROUP_PARTS ? GROUP_PARTS : nparts;
    t->cap = cap < 2 ? 2 : cap;
    t->nslots = SLOTS_MIN;
    t->slots = xcalloc(t->nslots, sizeof(*t->slots));
    return t;
}

static void
group_free(struct group *g)
{
    size_t i;

    for (i = 0; i < GROUP_PARTS; i++)
        free(g->part[i]);
    free(g->last_alert);
    pctl_cleanup(&g->pc);
    free(g);
}

void
group_table_free(struct gtable *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->nslots; i++) {
        if (t->slots[i] != NULL)
            group_free(t->slots[i]);
    }
    if (t->other != NULL)
        group_free(t->other);
    free(t->slots);
    free(t);
}

/* How many bytes of s a row keeps: all of them up to REPORT_VALUE_MAX,
 * else a prefix cut at a UTF-8 boundary that "..." follows (*cut). */
static size_t
kept_len(const char *s, bool *cut)
{
    size_t n = strlen(s);

    *cut = n > REPORT_VALUE_MAX;
    if (!*cut)
        return n;
    n = REPORT_VALUE_MAX - 3;
    return utf8_cut(s, n);
}

/* A copy of s as a row keeps it (see kept_len). */
static char *
bounded_dup(const char *s)
{
    bool cut;
    size_t n = kept_len(s, &cut);
    char *d;

    if (!cut)
        return xstrdup(s);
    d = xmalloc(n + 4);
    memcpy(d, s, n);
    memcpy(d + n, "...", 4);
    return d;
}

#define HASH_MUL    0x9e3779b97f4a7c15ULL   /* 2^64 / golden ratio */

static uint64_t
mix(uint64_t h, uint64_t w)
{
    h = (h ^ w) * HASH_MUL;
    return h ^ (h >> 29);
}

/* A hash of the parts as bounded_dup keeps them, so that values cut to
 * the same key land in the same row. Eight bytes per step. */
static uint32_t
hash_parts(const char *const *parts, size_t nparts)
{
    uint64_t h = 0, w;
    size_t i, j, n;
    bool cut;

    for (i = 0; i < nparts; i++) {
        n = kept_len(parts[i], &cut);
        for (j = 0; j + 8 <= n; j += 8) {
            memcpy(&w, parts[i] + j, 8);
            h = mix(h, w);
        }
        w = 0;
        memcpy(&w, parts[i] + j, n - j);
        h = mix(h, w);
        h = mix(h, (uint64_t)n << 1 | (cut ? 1 : 0));
    }
    return (uint32_t)(h ^ (h >> 32));
}

static bool
same_key(const struct group *g, const char *const *parts, size_t nparts)
{
    size_t i;
    char *cut;
    bool eq;

    for (i = 0; i < nparts; i++) {
        if (strlen(parts[i]) <= REPORT_VALUE_MAX) {
            if (strcmp(g->part[i], parts[i]) != 0)
                return false;
            continue;
        }
        cut = bounded_dup(parts[i]);
        eq = strcmp(g->part[i], cut) == 0;
        free(cut);
        if (!eq)
            return false;
    }
    return true;
}

static void
grow(struct gtable *t)
{
    struct group **old = t->slots;
    size_t i, j, oldn = t->nslots;

    t->nslots *= 2;
    t->slots = xcalloc(t->nslots, sizeof(*t->slots));
    for (i = 0; i < oldn; i++) {
        if (old[i] == NULL)
            continue;
        for (j = old[i]->hash & (t->nslots - 1); t->slots[j] != NULL;
            j = (j + 1) & (t->nslots - 1))
            continue;
        t->slots[j] = old[i];
    }
    free(old);
}

static struct group *
new_group(const char *const *parts, size_t nparts, uint32_t h)
{
    struct group *g = xcalloc(1, sizeof(*g));
    size_t i;

    for (i = 0; i < nparts; i++)
        g->part[i] = bounded_dup(parts[i]);
    g->first_ms = g->last_ms = GROUP_NO_TIME;
    g->hash = h;
    pctl_init(&g->pc);
    return g;
}

static struct group *
other_row(struct gtable *t)
{
    const char *parts[GROUP_PARTS];
    size_t i;

    t->overflow++;
    if (t->other != NULL)
        return t->other;
    for (i = 0; i < GROUP_PARTS; i++)
        parts[i] = GROUP_OTHER;
    t->other = new_group(parts, t->nparts, 0);
    t->count++;
    return t->other;
}

struct group *
group_table_get(struct gtable *t, const char *const *parts)
{
    uint32_t h = hash_parts(parts, t->nparts);
    size_t j;

    for (j = h & (t->nslots - 1); t->slots[j] != NULL;
        j = (j + 1) & (t->nslots - 1)) {
        if (t->slots[j]->hash == h && same_key(t->slots[j], parts,
            t->nparts))
            return t->slots[j];
    }
    if (t->count + 1 >= t->cap)
        return other_row(t);
    t->slots[j] = new_group(parts, t->nparts, h);
    t->count++;
    if (t->count * 2 > t->nslots) {
        struct group *g = t->slots[j];

        grow(t);
        return g;
    }
    return t->slots[j];
}

void
group_count(struct group *g, bool ok, int64_t ts_ms, const char *alert)
{
    g->runs++;
    if (ok)
        g->ok++;
    else
        g->failed++;
    if (ts_ms == GROUP_NO_TIME)
        return;
    if (g->first_ms == GROUP_NO_TIME || ts_ms < g->first_ms)
        g->first_ms = ts_ms;
    if (g->last_ms == GROUP_NO_TIME || ts_ms >= g->last_ms) {
        g->last_ms = ts_ms;
        if (alert != NULL && (g->last_alert == NULL ||
            strcmp(g->last_alert, alert) != 0)) {
            free(g->last_alert);
            g->last_alert = bounded_dup(alert);
        }
    }
}

size_t
group_table_count(const struct gtable *t)
{
    return t->count;
}

uint64_t
group_table_overflow(const struct gtable *t)
{
    return t->overflow;
}

static int
cmp_key(const struct group *a, const struct group *b)
{
    size_t i;
    int c;

    for (i = 0; i < GROUP_PARTS && a->part[i] != NULL; i++) {
        if ((c = strcmp(a->part[i], b->part[i])) != 0)
            return c;
    }
    return 0;
}

static int
cmp_by_key(const void *x, const void *y)
{
    return cmp_key(*(struct group *const *)x, *(struct group *const *)y);
}

static int
cmp_by_runs(const void *x, const void *y)
{
    const struct group *a = *(struct group *const *)x;
    const struct group *b = *(struct group *const *)y;

    if (a->runs != b->runs)
        return a->runs > b->runs ? -1 : 1;
    return cmp_key(a, b);
}

struct group **
group_table_sorted(const struct gtable *t, enum group_order order, size_t *n)
{
    struct group **v = xcalloc(t->count + 1, sizeof(*v));
    size_t i, k = 0;

    for (i = 0; i < t->nslots; i++) {
        if (t->slots[i] != NULL)
            v[k++] = t->slots[i];
    }
    qsort(v, k, sizeof(*v), order == GROUP_BY_KEY ? cmp_by_key :
        cmp_by_runs);
    /* The catch-all row goes last whatever the order. */
    if (t->other != NULL)
        v[k++] = t->other;
    *n = k;
    return v;
}
