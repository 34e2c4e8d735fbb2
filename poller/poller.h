/*
 * The poller daemon's one context struct, passed explicitly (no globals
 * but the logger), and its loop: every loop_interval (measured from pass
 * start to pass start) one pass over feed_list; each feed is listed on
 * the main thread and its items are fetched and delivered on the worker
 * pool. After start-up the configuration is read-only; the stop flag is
 * the only state other threads write.
 */
#ifndef ALEXIS_POLLER_H
#define ALEXIS_POLLER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "feed.h"
#include "poll.h"
#include "poller_conf.h"
#include "throttle.h"

struct fetcher;
struct leader;
struct workq;
struct recent;
struct webhook;

struct poller {
    const char         *config_path;
    struct poller_conf  conf;
    struct workq       *pool;       /* concurrency workers, a fetcher each */
    struct fetcher     *fetcher;    /* the main thread's: lists, pings */
    struct leader      *leader;     /* which feeds this replica polls */
    struct throttle     list_pace;  /* list calls (main thread) */
    struct throttle     item_pace;  /* per-item calls (workers) */
    atomic_bool         stop;
    pthread_mutex_t     lock;       /* with wake: the wait between passes */
    pthread_cond_t      wake;
    unsigned long       passes;
    /* With a listener (poller.listener.port set) only: */
    struct recent      *recent;     /* recently forwarded (feed, id) */
    struct webhook     *webhook;    /* the HTTP intake */
    /* classifier_destinations URLs, NULL-terminated: what conf.ca_file
     * verifies (the feeds' APIs keep the system's CAs). */
    const char        **dest_urls;
    struct poll_env     env;        /* the above, for poll.c (poller_init) */
};

/* Prepare p (conf already loaded): the worker pool and the main fetcher.
 * -1 with err. Call after signals are blocked, so workers inherit the
 * mask. Release with poller_cleanup either way. */
int poller_init(struct poller *p, char *err, size_t errlen) ATTR_WUR;
void poller_cleanup(struct poller *p);

/* A fetcher for per-item calls (paced by item_pace), as the workers
 * have. NULL when libcurl cannot make a handle; free with
 * fetcher_http_free. */
struct fetcher *poller_item_fetcher_new(struct poller *p);

/* Run passes until poller_stop, or one pass with single_execution.
 * Returns the exit status: 0, or 1 when the last pass had a failed feed
 * or item (single_execution) — a stopped daemon exits 0. */
int poller_run(struct poller *p);

/* One pass over every feed. Returns the number of feeds that were not
 * POLL_OK (interrupted ones included). */
unsigned poller_pass(struct poller *p);

/* Ask the loop to stop: the current items finish, the rest wait for the
 * next start. Thread-safe; not async-signal-safe (call from the signal
 * thread). */
void poller_stop(struct poller *p);

#endif
