/*
 * The recently-forwarded set (see recent.h): a fixed pool of max entries,
 * a chained hash index over them, and a doubly linked list in time order
 * (a claim or a forward moves its entry to the tail), so expiry and
 * eviction both take from the head. Indexes are entry number + 1; 0 is
 * "none".
 */
#include "recent.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "xmem.h"

enum ent_state { ENT_FREE, ENT_CLAIMED, ENT_DONE };

struct ent {
    char           *id;
    size_t          feed;
    uint64_t        t;
    enum ent_state  state;
    size_t          prev, next;     /* time list */
    size_t          hnext;          /* hash chain */
};

struct recent {
    pthread_mutex_t  mu;
    struct ent      *e;
    size_t           max, n;
    size_t          *bucket;
    size_t           nbucket;       /* a power of two >= max */
    size_t           head, tail;    /* oldest, newest */
    size_t           freelist;      /* through next; 0: empty */
    size_t           used;          /* entries 1..used were handed out;
                                     * the rest are untouched (calloc'd
                                     * pages stay out of memory) */
    uint64_t         window_ms;
};

struct recent *
recent_new(size_t max, uint64_t window_ms)
{
    struct recent *r = xcalloc(1, sizeof(*r));

    if (max == 0)
        max = 1;
    r->max = max;
    r->window_ms = window_ms;
    r->e = xcalloc(max, sizeof(*r->e));
    for (r->nbucket = 1; r->nbucket < max; r->nbucket *= 2)
        continue;
    r->bucket = xcalloc(r->nbucket, sizeof(*r->bucket));
    pthread_mutex_init(&r->mu, NULL);
    return r;
}

void
recent_free(struct recent *r)
{
    size_t i;

    if (r == NULL)
        return;
    for (i = 0; i < r->used; i++)
        free(r->e[i].id);
    free(r->e);
    free(r->bucket);
    pthread_mutex_destroy(&r->mu);
    free(r);
}

static size_t
slot_of(const struct recent *r, size_t feed, const char *id)
{
    return (feed_id_hash(id) ^ (feed * (size_t)0x9E3779B97F4A7C15ULL)) &
        (r->nbucket - 1);
}

/* The entry index (+1) holding (feed, id), or 0. */
static size_t
find(const struct recent *r, size_t feed, const char *id)
{
    size_t i = r->bucket[slot_of(r, feed, id)];

    while (i != 0 && (r->e[i - 1].feed != feed ||
        strcmp(r->e[i - 1].id, id) != 0))
        i = r->e[i - 1].hnext;
    return i;
}

static void
list_unlink(struct recent *r, size_t i)
{
    struct ent *x = &r->e[i - 1];

    if (x->prev != 0)
        r->e[x->prev - 1].next = x->next;
    else
        r->head = x->next;
    if (x->next != 0)
        r->e[x->next - 1].prev = x->prev;
    else
        r->tail = x->prev;
    x->prev = x->next = 0;
}

static void
list_append(struct recent *r, size_t i)
{
    struct ent *x = &r->e[i - 1];

    x->prev = r->tail;
    x->next = 0;
    if (r->tail != 0)
        r->e[r->tail - 1].next = i;
    else
        r->head = i;
    r->tail = i;
}

/* Take entry i out of the hash, the time list and the count. */
static void
drop(struct recent *r, size_t i)
{
    struct ent *x = &r->e[i - 1];
    size_t *pp = &r->bucket[slot_of(r, x->feed, x->id)];

    while (*pp != i)
        pp = &r->e[*pp - 1].hnext;
    *pp = x->hnext;
    list_unlink(r, i);
    free(x->id);
    memset(x, 0, sizeof(*x));
    x->next = r->freelist;
    r->freelist = i;
    r->n--;
}

/* Whether an entry stamped t has expired at now (a t after now, from a
 * thread whose clock read came later, has not). */
static bool
expired(const struct recent *r, uint64_t t, uint64_t now)
{
    return now >= t && now - t >= r->window_ms;
}

static void
expire(struct recent *r, uint64_t now)
{
    while (r->head != 0 && expired(r, r->e[r->head - 1].t, now))
        drop(r, r->head);
}

/* A new entry for (feed, id), making room first. */
static size_t
insert(struct recent *r, size_t feed, const char *id, enum ent_state st,
    uint64_t now)
{
    struct ent *x;
    size_t i, s;

    if (r->n == r->max)
        drop(r, r->head);
    /* n < max here, so without a freed entry there is an unused one. */
    if (r->freelist != 0) {
        i = r->freelist;
        r->freelist = r->e[i - 1].next;
    } else {
        i = ++r->used;
    }
    x = &r->e[i - 1];
    x->id = xstrdup(id);
    x->feed = feed;
    x->t = now;
    x->state = st;
    s = slot_of(r, feed, id);
    x->hnext = r->bucket[s];
    r->bucket[s] = i;
    list_append(r, i);
    r->n++;
    return i;
}

enum recent_claim
recent_claim(struct recent *r, size_t feed, const char *id, uint64_t now_ms)
{
    enum recent_claim c = RECENT_NEW;
    size_t i;

    pthread_mutex_lock(&r->mu);
    expire(r, now_ms);
    if ((i = find(r, feed, id)) != 0)
        c = r->e[i - 1].state == ENT_CLAIMED ? RECENT_BUSY :
            RECENT_FORWARDED;
    else
        (void)insert(r, feed, id, ENT_CLAIMED, now_ms);
    pthread_mutex_unlock(&r->mu);
    return c;
}

void
recent_done(struct recent *r, size_t feed, const char *id, uint64_t now_ms)
{
    size_t i;

    pthread_mutex_lock(&r->mu);
    expire(r, now_ms);
    if ((i = find(r, feed, id)) == 0) {
        (void)insert(r, feed, id, ENT_DONE, now_ms);
    } else {
        r->e[i - 1].state = ENT_DONE;
        r->e[i - 1].t = now_ms;
        list_unlink(r, i);
        list_append(r, i);
    }
    pthread_mutex_unlock(&r->mu);
}

void
recent_release(struct recent *r, size_t feed, const char *id)
{
    size_t i;

    pthread_mutex_lock(&r->mu);
    if ((i = find(r, feed, id)) != 0 && r->e[i - 1].state == ENT_CLAIMED)
        drop(r, i);
    pthread_mutex_unlock(&r->mu);
}

size_t
recent_count(struct recent *r)
{
    size_t n;

    pthread_mutex_lock(&r->mu);
    n = r->n;
    pthread_mutex_unlock(&r->mu);
    return n;
}

const char *
recent_claim_name(enum recent_claim c)
{
    switch (c) {
    case RECENT_BUSY:
        return "in_progress";
    case RECENT_FORWARDED:
        return "recently_forwarded";
    case RECENT_NEW:
        break;
    }
    return "new";
}
