/*
 * Polling one feed, and one item whatever brought its id (a poll or a
 * webhook): fetch, decide, forward to the classifier, log.
 */
#ifndef ALEXIS_POLLER_POLL_H
#define ALEXIS_POLLER_POLL_H

#include <stdatomic.h>
#include <stdint.h>

#include "feed.h"
#include "fetcher.h"
#include "poller_conf.h"

struct recent;
struct workq;

/* What polling needs of the daemon (struct poller fills one in
 * poller_init); all borrowed. */
struct poll_env {
    const struct poller_conf   *conf;
    struct workq               *pool;       /* a fetcher per worker */
    struct fetcher             *fetcher;    /* the main thread's */
    struct recent              *recent;     /* NULL without a listener */
    atomic_bool                *stop;       /* the daemon's stop flag */
};

/* What one feed's poll came to (also logged as poll_finished). */
enum poll_result {
    POLL_OK,            /* listed, and every item delivered or skipped */
    POLL_PARTIAL,       /* listed, some items failed (offered next pass) */
    POLL_FAILED,        /* the listing failed */
    POLL_INTERRUPTED,   /* stopped by a signal */
};

/* Poll one feed (one of e->conf->feeds) with the runtime token's header
 * line. */
enum poll_result poll_feed(const struct poll_env *e,
    const struct poller_feed *f, const char *bearer_line);

const char *poll_result_name(enum poll_result r);

/* The feed's credential lines as the NULL-terminated list curl wants
 * (borrowed from the configuration; free the array only). */
const char **poll_feed_headers(const struct poller_feed *f);

/* ---- One item, whatever brought its id. ---- */

enum item_trigger {
    ITEM_BY_POLL,       /* the id came from the feed's listing */
    ITEM_BY_WEBHOOK,    /* from a webhook: the listing's filter still
                         * applies (feed_listed) */
};

struct item_counts {
    atomic_ulong    delivered, skipped, failed;
    atomic_ulong    api_calls, classifier_calls;
};

/* Everything one item needs; all borrowed. */
struct item_req {
    const struct poll_env      *env;
    const struct poller_feed   *feed;       /* one of env->conf->feeds */
    struct fetcher             *fetcher;    /* the calling thread's */
    const char *const          *feed_hdrs;  /* poll_feed_headers */
    const char *const          *cls_hdrs;   /* the runtime bearer line */
    uint64_t                    now_epoch_ms;
    enum item_trigger           trigger;
    struct item_counts         *counts;     /* may be NULL */
};

/* One item start to end, the same for a poll and a webhook: claim (feed,
 * id) in env->recent (skip when it was forwarded lately or is being
 * handled), fetch and decide (feed_item), for a webhook the listing's
 * filter (feed_listed), post the envelope to the classifier, log the
 * outcome (item_delivered / item_skipped / item_failed, with trigger=),
 * and end the claim. Thread-safe for distinct fetchers. */
enum item_result poll_item(const struct item_req *r, const char *id);

/* "poll" or "webhook". */
const char *poll_trigger_name(enum item_trigger t);

#endif
