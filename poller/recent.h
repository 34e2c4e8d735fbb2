/*
 * What the poller forwarded lately: a bounded, time-limited set of
 * (feed, id) pairs that the poll path and the webhook path share, so that
 * a repeated webhook delivery, or the next poll cycle after a webhook, does
 * not forward the same alert twice (docs/ARCHITECTURE.md, "Webhook
 * intake"). An item is claimed before it is fetched; the claim ends as
 * forwarded (kept for the window) or released (forgotten: the next poll
 * or delivery tries again). Two paths claiming the same pair at once: one
 * wins, the other skips. Times are the caller's monotonic milliseconds, so
 * tests drive the clock. Thread-safe (one mutex; every call is O(1)).
 */
#ifndef ALEXIS_POLLER_RECENT_H
#define ALEXIS_POLLER_RECENT_H

#include <stddef.h>
#include <stdint.h>

#include "compat.h"

struct recent;

enum recent_claim {
    RECENT_NEW,         /* claimed: end it with recent_done/_release */
    RECENT_BUSY,        /* someone else holds the claim right now */
    RECENT_FORWARDED,   /* forwarded less than the window ago */
};

/* A set of at most max pairs (>= 1), each remembered for window_ms after
 * it was claimed or forwarded. Never NULL (allocation failure aborts). */
struct recent *recent_new(size_t max, uint64_t window_ms);
void recent_free(struct recent *r);

/* Claim (feed, id) at now_ms. Pairs whose time is window_ms or more before
 * now are forgotten first; when the set is full the oldest pair is
 * dropped (even a claim in progress: its recent_done then stores it
 * again). */
enum recent_claim recent_claim(struct recent *r, size_t feed, const char *id,
    uint64_t now_ms);

/* The claimed pair was forwarded at now_ms: remember it for the window.
 * Stores it even when it is no longer there. */
void recent_done(struct recent *r, size_t feed, const char *id,
    uint64_t now_ms);

/* Forget the claimed pair (it was skipped or failed). */
void recent_release(struct recent *r, size_t feed, const char *id);

/* Pairs held (claimed or forwarded, expired ones not yet dropped). */
size_t recent_count(struct recent *r);

/* The name of a claim outcome for logs: "new", "in_progress",
 * "recently_forwarded". */
const char *recent_claim_name(enum recent_claim c);

#endif
