/*
 * The poller's configuration: the original alexis.conf.yaml layout
 * (top-level authentication_list and a poller: section with feed_list;
 * the other daemons' sections are accepted and ignored) plus bounded tuning
 * keys. After loading, every feed is resolved: its URL templates chosen
 * from the original's two spellings, its credentials and classifier found,
 * and its ticket-system module picked by type and (Dynatrace v1 or v2)
 * the feed URL's path.
 */
#ifndef ALEXIS_POLLER_CONF_H
#define ALEXIS_POLLER_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cfg.h"
#include "cfg_common.h"
#include "feed.h"

struct ticketsys;

/* One skip_tags item. */
struct poller_tag {
    char   *text;
};

struct poller_feed {
    /* As loaded. */
    char               *name;
    char               *authentication;
    char               *description;
    char               *type;           /* "opsgenie" | "dynatrace" */
    char               *base_url;       /* default: the auth entry's */
    long long           lookback;       /* 0 when absent */
    char               *lookback_unit;  /* s | m | h */
    char               *feed_url;
    char               *url;            /* original spelling of feed_url */
    char               *individual_url;
    char               *url_individual; /* original spelling */
    char               *query;          /* jsm: search query */
    struct poller_tag  *skip_tags;      /* jsm: "handled" tags */
    size_t              nskip_tags;
    char               *webhook_secret_file;
    struct cfg_mark     mark;
    /* Resolved by poller_conf_load (borrowed from this struct or conf). */
    const struct ticketsys *sys;        /* the API: by type and feed_url */
    const char             *list_tmpl;  /* feed_url or url */
    const char             *item_tmpl;  /* individual_url, its twin, or a
                                         * default of the module */
    uint64_t                lookback_ms;
    const struct cfg_auth  *auth;
    const char             *classifier; /* classifier_destinations[type] */
    const char            **skip_list;  /* skip_tags' texts (owned array) */
    struct feed_def         def;        /* what feed.h reads (borrowed) */
    char                   *webhook_secret; /* read from the file; secret;
                                             * NULL: no webhook endpoint */
};

struct poller_conf {
    struct cfg_auth        *auth;
    size_t                  nauth;
    struct cfg_strmap       destinations;   /* feed type -> .../v1 */
    uint64_t                loop_interval_ms;
    bool                    single_execution;
    bool                    debug;
    bool                    development;    /* dry run: nothing forwarded */
    struct poller_feed     *feeds;
    size_t                  nfeeds;
    struct cfg_tokens       tokens;
    /* The webhook intake: on when listener.port is set (-1 until then). */
    struct cfg_listener     listener;
    uint64_t                dedup_window_ms;
    long long               concurrency;
    long long               page_size;
    long long               max_pages;
    long long               max_retries;
    long long               max_response_bytes;
    long long               list_rate_limit;    /* list calls/s, 0: off */
    long long               item_rate_limit;    /* item calls/s, 0: off */
    uint64_t                connect_timeout_ms;
    uint64_t                request_timeout_ms;
    /* (new) PEM CA bundle that signs the classifiers' certificates; used
     * for https classifier_destinations only. */
    char                   *ca_file;
    char                   *leader_store;   /* PostgreSQL URI, or NULL */
    char                   *leader_store_password_file;
};

/* Whether the configuration asks for a listener (webhooks, ping). */
bool poller_conf_listens(const struct poller_conf *conf);

/* Load and validate path into conf (zeroed by the caller). Every error goes
 * to errs as file:line:col. On success the feeds are resolved (see struct
 * poller_feed), the token paths made absolute and the authentication
 * entries' header lines built, and each webhook_secret_file read.
 * Returns 0 or -1; release with
 * poller_conf_free either way. */
int poller_conf_load(const char *path, struct poller_conf *conf,
    struct cfg_errors *errs) ATTR_WUR;
void poller_conf_free(struct poller_conf *conf);

/* The short name of a feed's API for logs: "opsgenie", "dynatrace_v1",
 * "dynatrace_v2" (its module's name). */
const char *poller_conf_feed_api(const struct poller_feed *f);

#endif
