/*
 * What a ticket-system module is (see ticketsys.h for the idea and the
 * table of modules): struct ticketsys, the operations every module
 * implements, and the types they share with their callers: the two marks,
 * the states, and struct alert, the envelope as the classifier and the
 * action handler hold it, whose id and tags a module's identify and
 * collect_tags fill in (alert.h builds and reads it; alert_tag.h adds the
 * tags). The modules include this header, never ticketsys.h, which lists
 * them.
 */
#ifndef ALEXIS_TICKETSYS_IFACE_H
#define ALEXIS_TICKETSYS_IFACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "compat.h"

#define ALERT_PATH_CACHE    8

/* One request envelope as the classifier and the action handler hold it
 * (alert.h: alert_from_json). The module's identify sets id, ticket_id
 * and ticket_id_type; its collect_tags adds tags (alert_tag_add). */
struct alert {
    cJSON           *doc;           /* the envelope (owned) */
    const struct ticketsys *sys;    /* its ticket system's module */
    const char      *feed_type;     /* sys->feed_type */
    const char      *id_key;        /* sys->id_key (logs) */
    const char      *id;            /* its value (borrowed from doc) */
    const char      *unique_value;
    const char      *feed_name;     /* may be NULL */
    const char      *base_url;      /* may be NULL */
    /* The identifier to write to the ticket API with. */
    const char      *ticket_id;
    const char      *ticket_id_type; /* OpsGenie: "id" | "tiny" */
    const char     **tags;          /* borrowed from doc */
    uint32_t        *tag_hashes;    /* alert_tag_hash of each tag */
    size_t           ntags;
    bool             had_feed_headers;
    cJSON           *side;          /* owned strings tags may point into */
    /* search_key lookups already done for this alert: many rules test the
     * same key ("message"), and each json_path scans the object. */
    struct {
        const char      *key;
        const cJSON     *value;
    }                cache[ALERT_PATH_CACHE];
    size_t           ncache;
};

struct feed_ctx;
struct feed_ids;
struct feed_list_result;
struct fetcher;
struct item_outcome;
struct ticket_outcome;
struct ticket_ref;

/* What the ticket API says of an alert (guardrails: recheck, verify). */
enum ticket_state {
    TICKET_STATE_UNKNOWN,   /* could not be read; err says why */
    TICKET_STATE_OPEN,      /* open, acknowledged, snoozed */
    TICKET_STATE_CLOSED,    /* closed or resolved */
};

/* The two marks the classifier sets (DESIGN §7). */
enum ticket_queue {
    TICKET_QUEUE_REMEDIATION,
    TICKET_QUEUE_INVESTIGATION,
};

struct ticketsys {
    const char *name;           /* the API, for logs: "opsgenie",
                                 * "dynatrace_v1", "dynatrace_v2" */
    const char *feed_type;      /* alexis.feed_type, alert_feed and the
                                 * authentication_list type */
    const char *id_key;         /* the key of the alert's id (a->id) in the
                                 * classifier's and action handler's logs:
                                 * "tinyId", "problem_id" */
    const char *unique_key;     /* the envelope's unique_key: the id the
                                 * feed lists and fetches by ("tinyId",
                                 * "problem_id", JSM "id") */
    const char *list_key;       /* that id's key in the poller's logs */
    /* The authentication_list entry's defaults: the API's root when the
     * entry has no base_url (NULL: required), and the Authorization
     * scheme an api_key_file's key is sent with ("GenieKey "). */
    const char *default_base_url;
    const char *key_scheme;
    /* Credentials are HTTP Basic email:api_token (email, api_token_file)
     * rather than a key; the entry also needs a cloud_id. */
    bool        basic_auth;
    /* The feed is addressed by its module from base_url and the entry
     * (query, skip_tags), not by a feed_url template. */
    bool        builds_urls;
    /* The poller's feed_url path that selects this API among modules of
     * the same feed type ("/api/v1/problem/feed"); NULL: any. */
    const char *url_path;
    /* The individual URL when the feed configures none. */
    const char *default_item_url;
    /* The member of a details answer that holds the item ("data");
     * NULL: the answer is the item. */
    const char *item_member;
    /* Characters one note or comment may hold; 0: no known limit. */
    size_t      note_max;
    /* Notes a long text may be split into (1: cut to note_max). */
    unsigned    note_parts_max;
    /* Field renames rules may use, as pairs old, new, NULL-terminated:
     * JSM's { "details", "extraProperties", NULL }. May be NULL. */
    const char *const *aliases;
    /* The log name of each mark (enum ticket_queue order). */
    const char *mark_names[2];

    /* The module's own constants, for operations that several modules
     * share and that read them through t->sys (ticketsys_dt.h). May be
     * NULL. */
    const void *data;

    /* Whether an envelope's item is this API's (Dynatrace v1 vs v2 of one
     * feed type). NULL: every item of the feed type. */
    bool    (*owns)(const cJSON *item);

    /* ---- Reading the feed (the poller; feed.h) ---- */
    /* Every open item's id, all pages (bounded); see feed_list. */
    int     (*list)(const struct feed_ctx *c, struct feed_ids *out,
                    struct feed_list_result *r, char *err, size_t errlen);
    /* Decide one item: skip it (handled already, gone) or fetch it and
     * build its envelope; see feed_item. o is preset to ITEM_FAIL. */
    void    (*item)(const struct feed_ctx *c, const char *id,
                    struct item_outcome *o);

    /* ---- The envelope (alert.h) ---- */
    /* Set a->id, a->ticket_id and a->ticket_id_type from a->doc; -1 with
     * one sentence naming the missing field. */
    int     (*identify)(struct alert *a, char *err, size_t errlen);
    /* Add each of the item's tags with alert_tag_add. */
    void    (*collect_tags)(struct alert *a);

    /* ---- Writing (ticket.h; credentials in t->auth) ---- */
    /* Mark the ticket for queue q named queue, with note (the reason;
     * may be NULL). 0 on success, else -1 with out->err. */
    int     (*mark)(struct fetcher *f, const struct ticket_ref *t,
                    enum ticket_queue q, const char *queue,
                    const char *note, struct ticket_outcome *out);
    /* Hand the ticket to team (a rule's route_to_team). NULL when the
     * system has no teams (nothing to do). */
    int     (*route)(struct fetcher *f, const struct ticket_ref *t,
                     const char *team, struct ticket_outcome *out);
    /* POST one note or comment (text already within note_max) in one
     * attempt (f->send); out->status 0 means the outcome is unknown. */
    int     (*note)(struct fetcher *f, const struct ticket_ref *t,
                    const char *text, struct ticket_outcome *out);
    /* Read the notes back: 1 when one contains needle, 0 when none does,
     * -1 with err when they could not be read. */
    int     (*note_find)(struct fetcher *f, const struct ticket_ref *t,
                         const char *needle, char *err, size_t errlen);
    /* The alert's state as the API says it now; TICKET_STATE_UNKNOWN with
     * err when it cannot be read. */
    enum ticket_state (*state)(struct fetcher *f, const struct ticket_ref *t,
                               char *err, size_t errlen);

    /* ---- Webhooks ---- */
    /* The item id a webhook payload names, as list/item use it, into
     * id[0..idlen). -1 with err naming the missing field. */
    int     (*webhook_id)(const cJSON *payload, char *id, size_t idlen,
                          char *err, size_t errlen);
    /* For an id that came from a webhook, not a listing: whether the
     * feed's listing would give it, when the "already handled" filter
     * lives in the listing's query (OpsGenie: teams!=queue_...) rather
     * than in item. 0 with *listed set, or -1 with *status and err. NULL:
     * item alone decides (Dynatrace's Alexis comment, JSM's skip_tags). */
    int     (*listed)(const struct feed_ctx *c, const char *id,
                      bool *listed, long *status, char *err, size_t errlen);
};

#endif
