/*
 * Connection guard of the HTTP server (see http_conns.h): a table of live
 * connections under one mutex, a reaper thread that enforces the request
 * deadline, and eviction of the longest-waiting connection when a new one
 * arrives over the soft limit.
 */
#include "http_conns.h"

#include <sys/socket.h>

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alexis_limits.h"
#include "clock.h"
#include "log.h"
#include "xmem.h"

struct http_conn_track {
    int         fd;
    size_t      slot;           /* index in the table */
    uint64_t    since_us;       /* when its current request (or wait) began */
    uint64_t    deadline_ms;    /* the request must be in by then */
    bool        answering;      /* a response is queued: never cut */
    bool        cut;            /* shut down by us */
};

struct http_conns {
    pthread_mutex_t          lock;
    pthread_cond_t           wake;      /* stop */
    pthread_t                reaper;
    bool                     reaper_running;
    bool                     stop;
    struct http_conn_track **slots;
    size_t                   n, cap;
    unsigned                 soft_max;
    uint64_t                 deadline_ms;
    uint64_t                 idle_ms;
    /* Cuts since the last http_connections_cut line. */
    unsigned long            cut_deadline, cut_evicted;
    uint64_t                 logged_ms;
};

/* Shut the socket down so MHD sees the end; under g->lock. */
static void
cut(struct http_conn_track *t)
{
    t->cut = true;
    (void)shutdown(t->fd, SHUT_RDWR);
}

/* Under g->lock: the connection (other than skip) waiting longest for its
 * request, or NULL when every one is being answered or already cut. */
static struct http_conn_track *
oldest_waiting(const struct http_conns *g, const struct http_conn_track *skip)
{
    struct http_conn_track *best = NULL, *t;
    size_t i;

    for (i = 0; i < g->n; i++) {
        t = g->slots[i];
        if (t == skip || t->answering || t->cut)
            continue;
        if (best == NULL || t->since_us < best->since_us)
            best = t;
    }
    return best;
}

/* Under g->lock: one line per second at most, with the counts. */
static void
log_cuts(struct http_conns *g, uint64_t now)
{
    if (g->cut_deadline + g->cut_evicted == 0 ||
        now - g->logged_ms < HTTP_CUT_LOG_INTERVAL_MS)
        return;
    log_event(LOG_WARN, "http_connections_cut",
        KV_UINT("past_deadline", g->cut_deadline),
        KV_UINT("evicted", g->cut_evicted),
        KV_UINT("connections", g->n),
        KV_UINT("request_deadline_ms", g->deadline_ms));
    g->cut_deadline = 0;
    g->cut_evicted = 0;
    g->logged_ms = now;
}

static void *
reaper_main(void *arg)
{
    struct http_conns *g = arg;
    struct http_conn_track *t;
    struct timespec ts;
    uint64_t now;
    size_t i;

    pthread_mutex_lock(&g->lock);
    while (!g->stop) {
        now = clock_mono_ms();
        for (i = 0; i < g->n; i++) {
            t = g->slots[i];
            if (!t->answering && !t->cut && now >= t->deadline_ms) {
                cut(t);
                g->cut_deadline++;
            }
        }
        log_cuts(g, now);
        clock_deadline(CLOCK_MONOTONIC, HTTP_REAP_INTERVAL_MS, &ts);
        (void)pthread_cond_timedwait(&g->wake, &g->lock, &ts);
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

struct http_conns *
http_conns_new(unsigned soft_max, uint64_t deadline_ms, uint64_t idle_ms,
    char *err, size_t errlen)
{
    struct http_conns *g = xcalloc(1, sizeof(*g));
    pthread_condattr_t ca;
    int rc;

    g->soft_max = soft_max;
    g->deadline_ms = deadline_ms;
    g->idle_ms = idle_ms;
    (void)pthread_mutex_init(&g->lock, NULL);
    (void)pthread_condattr_init(&ca);
    (void)pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    (void)pthread_cond_init(&g->wake, &ca);
    (void)pthread_condattr_destroy(&ca);
    if ((rc = pthread_create(&g->reaper, NULL, reaper_main, g)) != 0) {
        (void)snprintf(err, errlen, "cannot start the connection reaper: "
            "%s", strerror(rc));
        http_conns_free(g);
        return NULL;
    }
    g->reaper_running = true;
    return g;
}

void
http_conns_free(struct http_conns *g)
{
    if (g == NULL)
        return;
    if (g->reaper_running) {
        pthread_mutex_lock(&g->lock);
        g->stop = true;
        pthread_cond_signal(&g->wake);
        pthread_mutex_unlock(&g->lock);
        (void)pthread_join(g->reaper, NULL);
    }
    /* MHD reported every connection closed; anything left is freed. */
    while (g->n > 0)
        free(g->slots[--g->n]);
    free(g->slots);
    (void)pthread_cond_destroy(&g->wake);
    (void)pthread_mutex_destroy(&g->lock);
    free(g);
}

struct http_conn_track *
http_conns_opened(struct http_conns *g, int fd)
{
    struct http_conn_track *t = xcalloc(1, sizeof(*t)), *victim;

    t->fd = fd;
    t->since_us = clock_mono_us();
    t->deadline_ms = t->since_us / 1000 + g->deadline_ms;
    pthread_mutex_lock(&g->lock);
    if (g->n == g->cap) {
        g->cap = g->cap == 0 ? 64 : g->cap * 2;
        g->slots = xreallocarray(g->slots, g->cap, sizeof(*g->slots));
    }
    t->slot = g->n;
    g->slots[g->n++] = t;
    /* Connections already cut still count until MHD closes them; evict
     * only for the ones that are really live. */
    if (g->n > g->soft_max && (victim = oldest_waiting(g, t)) != NULL) {
        cut(victim);
        g->cut_evicted++;
    }
    pthread_mutex_unlock(&g->lock);
    return t;
}

void
http_conns_answering(struct http_conns *g, struct http_conn_track *t)
{
    if (t == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    t->answering = true;
    pthread_mutex_unlock(&g->lock);
}

void
http_conns_done(struct http_conns *g, struct http_conn_track *t)
{
    if (t == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    t->answering = false;
    t->since_us = clock_mono_us();
    t->deadline_ms = t->since_us / 1000 + g->idle_ms + g->deadline_ms;
    pthread_mutex_unlock(&g->lock);
}

void
http_conns_closed(struct http_conns *g, struct http_conn_track *t)
{
    struct http_conn_track *last;

    if (t == NULL)
        return;
    pthread_mutex_lock(&g->lock);
    last = g->slots[--g->n];
    last->slot = t->slot;
    g->slots[t->slot] = last;
    pthread_mutex_unlock(&g->lock);
    free(t);
}
