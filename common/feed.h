/*
 * Reading a feed, independent of the API behind it: list the ids of every
 * open item (all pages), then per id decide skip / deliver and build the
 * envelope. feed_list and feed_item call the feed's ticket-system module
 * (ticketsys.h: ticketsys_opsgenie.c, ticketsys_dtv1.c, ...); this file
 * holds what the modules share: the id list, the paging decisions (pure
 * functions, unit-tested as tables), a JSON GET with the feed's
 * credentials and the details fetch that ends in an envelope. The poller
 * reads its feeds with it; all I/O goes through the fetcher seam.
 */
#ifndef ALEXIS_FEED_H
#define ALEXIS_FEED_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "alexis_limits.h"
#include "compat.h"

struct cfg_auth;
struct envelope_meta;
struct fetcher;
struct ticketsys;

/* What a feed reads, as the poller's configuration resolved it (all
 * borrowed). */
struct feed_def {
    const struct ticketsys *sys;        /* the API it speaks */
    const char             *name;
    const char             *type;       /* alexis.feed_type */
    const char             *base_url;
    const char             *list_tmpl;  /* feed_url, with placeholders */
    const char             *item_tmpl;  /* individual_url */
    uint64_t                lookback_ms;    /* 0: none */
    const struct cfg_auth  *auth;       /* its authentication entry */
    /* Modules that build their own URLs (JSM): the search query and the
     * tags that mean "handled already" (left out in the query and again
     * on what comes back). */
    const char             *query;
    const char *const      *skip_tags;
    size_t                  nskip_tags;
};

/* Everything a feed call needs; all borrowed. */
struct feed_ctx {
    const struct feed_def      *feed;
    struct fetcher             *fetcher;
    const char *const          *hdrs;       /* the feed's credential lines */
    size_t                      page_size;  /* OpsGenie limit */
    unsigned                    max_pages;
    uint64_t                    now_epoch_ms;
    const atomic_bool          *stop;       /* may be NULL */
};

/* The ids of one listing, in the order the API gave them, without
 * repeats (a page boundary shifting while we read may repeat an id). */
struct feed_ids {
    char  **v;
    size_t  n, cap;
    /* An open-addressing set of indexes into v, for the repeat check. */
    size_t *slots;
    size_t  nslots;
};

struct feed_list_result {
    unsigned        pages;
    size_t          invalid;        /* items without a usable id */
    const char     *truncated;      /* NULL, "offset_cap", "max_pages",
                                     * "items_max" */
    long            status;         /* of the failed call, 0 if none */
};

enum item_result {
    ITEM_DELIVER,       /* envelope built: post it */
    ITEM_SKIP,          /* handled already (Alexis comment) or gone */
    ITEM_FAIL,          /* try again next pass */
};

struct item_outcome {
    enum item_result    result;
    char               *envelope;   /* ITEM_DELIVER: caller frees */
    const char         *reason;     /* SKIP: "alexis_comment" | "gone";
                                     * FAIL: the stage ("details",
                                     * "comments", "envelope", "url") */
    long                status;     /* HTTP status of the failed call */
    char                err[ALEXIS_ERR_PART_MAX];
};

/* List every open item of the feed (its module's list). 0 with out
 * filled (possibly cut short, see r->truncated); -1 with err when a list
 * call failed after its retries (ids read so far stay in out, unused).
 * Stops early, returning 0, when *stop becomes true. */
int feed_list(const struct feed_ctx *c, struct feed_ids *out,
    struct feed_list_result *r, char *err, size_t errlen) ATTR_WUR;

/* Decide one item and build its envelope (its module's item).
 * Thread-safe for distinct contexts (one fetcher per thread).
 * o->envelope belongs to the caller. */
void feed_item(const struct feed_ctx *c, const char *id,
    struct item_outcome *o);

/* Whether id is still one the feed's listing would give, for an id that
 * did not come from a listing (a webhook): the "already handled" filter
 * that the listing applies (its module's listed; OpsGenie: the feed's
 * query, teams!=queue_... in the original layout) applied to this one
 * item. Modules whose filter is in item (Dynatrace's Alexis comment,
 * JSM's skip_tags) have none: always listed. 0 with *listed set, or -1
 * with *status and err when the API call failed. */
int feed_listed(const struct feed_ctx *c, const char *id, bool *listed,
    long *status, char *err, size_t errlen) ATTR_WUR;

/* Add a copy of id unless it is already there. Returns true when added. */
bool feed_ids_add(struct feed_ids *ids, const char *id);
void feed_ids_free(struct feed_ids *ids);

/* FNV-1a of an id (ids are short; the sets keyed by them are small). */
size_t feed_id_hash(const char *s);

/* Whether s is usable as an id: 1..POLLER_ID_MAX bytes, no control
 * bytes. */
bool feed_id_ok(const char *s);

/* ---- Paging decisions (pure). ---- */

enum page_step {
    PAGE_DONE,          /* that was the last page */
    PAGE_NEXT,          /* fetch another page */
    PAGE_CAP_OFFSET,    /* the API's offset + limit cap is reached */
    PAGE_CAP_PAGES,     /* max_pages is reached */
};

/* OpsGenie: after a page requested at offset with limit returned got
 * items (has_next: the answer had paging.next), and pages pages were read
 * in all. On PAGE_NEXT, *next_offset and *next_limit say what to ask for
 * (the limit shrinks to fit offset + limit <= OG_OFFSET_LIMIT_MAX). */
enum page_step feed_og_page_step(size_t offset, size_t limit, size_t got,
    bool has_next, unsigned pages, unsigned max_pages, size_t *next_offset,
    size_t *next_limit);

/* The same for an API whose offset + limit must stay at or under cap
 * (OpsGenie: OG_OFFSET_LIMIT_MAX; JSM: under 20,000). */
enum page_step feed_offset_page_step(size_t offset, size_t limit, size_t got,
    bool has_next, unsigned pages, unsigned max_pages, size_t cap,
    size_t *next_offset, size_t *next_limit);

/* Dynatrace v2: after pages pages, has_key telling whether the answer
 * carried a non-empty nextPageKey. */
enum page_step feed_dt_page_step(bool has_key, unsigned pages,
    unsigned max_pages);

/* The name of a step that ends listing early, for logs ("offset_cap",
 * "max_pages"), or NULL. */
const char *feed_page_step_name(enum page_step s);

/* The placeholder values of c's feed: base_url, the lookback epoch (now
 * minus the feed's lookback; 0 when it has none) and id (may be NULL). */
struct url_vars;
void feed_url_vars(const struct feed_ctx *c, const char *id,
    struct url_vars *v);

/* GET url with the feed's credentials and parse a JSON
 * answer. Returns the tree (caller deletes) when the status is 200; NULL
 * otherwise with *status set (0: transport error or not JSON) and one
 * sentence in err. */
cJSON *feed_get_json(const struct feed_ctx *c, const char *url,
    long *status, char *err, size_t errlen);

/* The envelope metadata of item id of c's feed. */
void feed_item_meta(const struct feed_ctx *c, const char *id,
    struct envelope_meta *m);

/* The item details: GET the feed's individual URL for id and build the
 * envelope into o (ITEM_DELIVER), or set o to SKIP "gone" on 404, or
 * FAIL. */
void feed_details(const struct feed_ctx *c, const char *id,
    struct item_outcome *o);

/* Whether *c->stop is set. */
bool feed_stopping(const struct feed_ctx *c);

#endif
