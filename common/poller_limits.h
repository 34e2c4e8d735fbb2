/*
 * Bounds of alexis-poller (the sim keeps its own in sim_limits.h the same
 * way). Values that make sense to tune are also config keys; these are
 * then their defaults and ceilings.
 */
#ifndef ALEXIS_POLLER_LIMITS_H
#define ALEXIS_POLLER_LIMITS_H

/* Detail fetches and classifier posts running at once (config concurrency). */
#define POLLER_CONCURRENCY_DEFAULT  8
#define POLLER_CONCURRENCY_MAX      64

/* OpsGenie list paging: limit is at most 100, and offset + limit must not
 * exceed 20000 (the API refuses deeper pages). */
#define OG_PAGE_SIZE_DEFAULT        100
#define OG_PAGE_SIZE_MAX            100
#define OG_OFFSET_LIMIT_MAX         20000

/* JSM list paging: size is at most 100, and offset + size must stay
 * under 20000. */
#define JSM_PAGE_SIZE_MAX           100
#define JSM_OFFSET_SIZE_MAX         19999

/* Pages of one feed per pass (config max_pages): OpsGenie offsets and
 * Dynatrace v2 nextPageKey pages alike. */
#define POLLER_MAX_PAGES_DEFAULT    200
#define POLLER_MAX_PAGES_MAX        10000

/* Items of one feed per pass; listing stops there (the rest waits for the
 * next pass). Also bounds the memory of one pass. */
#define POLLER_ITEMS_MAX            50000

/* Pages of comments read per Dynatrace problem, and their page size. */
#define DT_COMMENT_PAGES_MAX        20
#define DT_COMMENT_PAGE_SIZE        500

/* Highest client-side pace (requests per second) list_rate_limit and
 * item_rate_limit accept. */
#define POLLER_RATE_MAX             100000

/* Attempts after the first for 429, 5xx and transport errors. */
#define POLLER_RETRIES_DEFAULT      3
#define POLLER_RETRIES_MAX          10

/* One answer (a list page, a problem) may be this large. */
#define POLLER_RESPONSE_MAX         (256 * 1024 * 1024)

/* Built URLs and ids taken from API answers. */
#define POLLER_URL_MAX              16384
#define POLLER_ID_MAX               512

/* Feeds in feed_list. */
#define POLLER_FEEDS_MAX            64

/* Longest lookback accepted (ten years in seconds). */
#define POLLER_LOOKBACK_MAX_S       315360000LL

/* loop_interval bounds in ms: one second to one day. */
#define POLLER_INTERVAL_MIN_MS      1000
#define POLLER_INTERVAL_MAX_MS      86400000

/* leader_store_password_file: bytes read at most. */
#define POLLER_PASSWORD_MAX         1024

#endif
